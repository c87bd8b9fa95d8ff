"""Recorded shapes for scanner/collectors/iam.py (authorization details, credential report, ...)."""

from __future__ import annotations

from scanner.collectors import iam as i
from tests.test_recorded_shapes import Case, context, items, one

F = "iam"
AUTH = "iam:GetAccountAuthorizationDetails"


def _report(ctx, r: dict):
    content = one(r, "GetCredentialReport").get("Content") or b""
    return i.transform_credential_report(ctx, i.parse_credential_report(content))


def _analyzers(ctx, r: dict):
    analyzers = items(r, "ListAnalyzers", "analyzers")
    return i.transform_analyzers(ctx, analyzers, {a.get("arn"): 3 for a in analyzers})


CASES = [
    Case(F, i.transform_authorization_details, (AUTH,),
         lambda ctx, r: i.transform_authorization_details(ctx, [one(r, "GetAccountAuthorizationDetails")]),
         names=("GetAccountAuthorizationDetails:UserDetailList[].UserName",
                "GetAccountAuthorizationDetails:GroupDetailList[].GroupName",
                "GetAccountAuthorizationDetails:RoleDetailList[].RoleName",
                "GetAccountAuthorizationDetails:Policies[].PolicyName")),
    Case(F, i.transform_users, (AUTH,),
         lambda ctx, r: i.transform_users(ctx, items(r, "GetAccountAuthorizationDetails", "UserDetailList")),
         names=("GetAccountAuthorizationDetails:UserDetailList[].UserName",)),
    Case(F, i.transform_groups, (AUTH,),
         lambda ctx, r: i.transform_groups(ctx, items(r, "GetAccountAuthorizationDetails", "GroupDetailList")),
         names=("GetAccountAuthorizationDetails:GroupDetailList[].GroupName",)),
    Case(F, i.transform_roles, (AUTH,),
         lambda ctx, r: i.transform_roles(ctx, items(r, "GetAccountAuthorizationDetails", "RoleDetailList")),
         names=("GetAccountAuthorizationDetails:RoleDetailList[].RoleName",
                "GetAccountAuthorizationDetails:RoleDetailList[].InstanceProfileList[].InstanceProfileName")),
    Case(F, i.transform_policies, (AUTH,),
         lambda ctx, r: i.transform_policies(ctx, items(r, "GetAccountAuthorizationDetails", "Policies")),
         names=("GetAccountAuthorizationDetails:Policies[].PolicyName",)),
    Case(F, i.transform_credential_report, ("iam:GetCredentialReport",), _report,
         names=("=root account", "=deploy-bot", "=alice"), keep=("GetCredentialReport:Content",)),
    Case(F, i.transform_password_policy, ("iam:GetAccountPasswordPolicy",),
         lambda ctx, r: i.transform_password_policy(ctx, one(r, "GetAccountPasswordPolicy").get("PasswordPolicy")),
         names=("=account password policy",)),
    Case(F, i.transform_analyzers, ("accessanalyzer:ListAnalyzers",), _analyzers,
         names=("ListAnalyzers:analyzers[].name",)),
]


def test_credential_report_rows_in_every_shape() -> None:
    """Columns AWS adds or drops, N/A, no_information and not_supported never raise nor read as "no"."""
    rows = [
        {"user": "<root_account>", "arn": "arn:aws:iam::123456789012:root", "mfa_active": "true",
         "access_key_1_active": "false", "access_key_2_active": "false", "password_last_used": "no_information"},
        {"user": "carol", "arn": "arn:aws:iam::123456789012:user/carol"},  # an older or trimmed report
        {"user": "dave", "arn": "arn:aws:iam::123456789012:user/dave", "password_enabled": "not_supported",
         "mfa_active": "", "access_key_1_active": "true", "access_key_1_last_rotated": "N/A",
         "access_key_1_last_used_date": "N/A", "extra_future_column": "x"},
    ]
    out = i.transform_credential_report(context(), rows)
    by = {n.name: n.props for n in out.nodes}
    assert by["root account"]["mfa_active"] is True
    assert by["root account"]["password_last_used"] is None
    assert by["carol"]["mfa_active"] is None and by["carol"]["password_enabled"] is None
    assert by["dave"]["password_enabled"] is None and by["dave"]["mfa_active"] is None
    assert by["dave"]["access_keys"][0]["active"] is True

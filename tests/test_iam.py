"""IAM collectors: trust and policy parsing, the credential report, password policy, Access Analyzer,
and what section 5.1 of the sample account's document says about them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from renderers.facts import security as facts
from scanner import judge
from scanner.collectors import iam
from scanner.collectors import security as sec
from scanner.context import ScanContext, account_id_node
from scanner.inventory import Inventory
from scanner.session import make_session
from tests.conftest import section

ACCT = "123456789012"


def ctx(session: Any = None) -> ScanContext:
    return ScanContext(session or boto3.Session(region_name="us-east-1"), "us-east-1", ACCT,
                       regions=("us-east-1",))


# --- policy documents ------------------------------------------------------------

def test_admin_like_only_for_every_action_on_every_resource() -> None:
    admin = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    service_wide = {"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]}
    not_action = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    deny_all = {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}
    assert iam.policy_summary(admin)["admin_like"] is True
    assert iam.policy_summary(service_wide) == {
        "statements": [{"effect": "Allow", "actions": ["s3:*"], "actions_total": 1, "not_action": False,
                        "resources": ["*"], "not_resource": False, "has_condition": False}],
        "admin_like": False, "wildcard_statements": 1}
    assert iam.policy_summary(not_action)["admin_like"] is False
    assert iam.policy_summary(not_action)["wildcard_statements"] == 1
    assert iam.policy_summary(deny_all)["admin_like"] is False


def test_policy_documents_in_string_and_url_encoded_form() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    text = json.dumps(doc)
    assert iam.load_document(text) == doc
    assert iam.load_document(text.replace(" ", "%20").replace('"', "%22")) == doc
    assert iam.load_document("not json") == {}
    assert iam.load_document(None) == {}
    assert iam.policy_summary("garbage")["statements"] == []


def test_long_action_lists_are_capped_but_counted() -> None:
    doc = {"Statement": [{"Effect": "Allow", "Action": [f"ec2:Describe{i}" for i in range(500)], "Resource": "*"}]}
    st = iam.parse_statements(doc)[0]
    assert len(st["actions"]) == iam.MAX_ITEMS and st["actions_total"] == 500


# --- trust policies ---------------------------------------------------------------

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]},
     "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::210987654321:root", "111122223333",
                                              f"arn:aws:iam::{ACCT}:role/ci"]},
     "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}},
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
     "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}},
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
]}


def test_parse_trust_lists_every_allowed_principal() -> None:
    trust = iam.parse_trust(TRUST)
    got = [(t["principal_type"], t["principal"], t["external_id"], t["conditions"]) for t in trust]
    assert got == [
        ("Service", "ec2.amazonaws.com", False, False),
        ("Service", "ecs-tasks.amazonaws.com", False, False),
        ("AWS", "arn:aws:iam::210987654321:root", True, True),
        ("AWS", "111122223333", True, True),
        ("AWS", f"arn:aws:iam::{ACCT}:role/ci", True, True),
        ("Federated", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", False, True),
    ]
    assert iam.parse_trust({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]})[0][
        "principal_type"] == "*"


def test_trust_edges_make_other_accounts_external_account_nodes() -> None:
    role = {"RoleName": "x", "Arn": f"arn:aws:iam::{ACCT}:role/x", "Path": "/",
            "AssumeRolePolicyDocument": TRUST, "RoleLastUsed": {"LastUsedDate": datetime(2026, 1, 2, tzinfo=UTC),
                                                               "Region": "eu-west-1"}}
    recs = iam.transform_roles(ctx(), [role])
    edges = {(e.src, e.rel, e.dst) for e in recs.edges}
    assert (account_id_node("210987654321"), "assumes", role["Arn"]) in edges
    assert (account_id_node("111122223333"), "assumes", role["Arn"]) in edges
    assert (f"arn:aws:iam::{ACCT}:role/ci", "assumes", role["Arn"]) in edges
    # services and federated providers stay props: no node exists for them
    assert not any("amazonaws.com" in e.src or "oidc-provider" in e.src for e in recs.edges)
    accounts = [n for n in recs.nodes if n.kind == "aws:account"]
    assert {n.props["account_id"] for n in accounts} == {"210987654321", "111122223333"}
    assert all(n.external for n in accounts)
    node = next(n for n in recs.nodes if n.kind == "iam:role")
    assert node.props["last_used"] == "2026-01-02T00:00:00+00:00"
    assert node.props["last_used_region"] == "eu-west-1"


def test_trust_text_for_the_document() -> None:
    trust = iam.parse_trust(TRUST)
    texts = [facts.trust_text(t, ACCT) for t in trust]
    assert texts[0] == "service ec2.amazonaws.com"
    assert texts[2] == "account 210987654321 (external id required)"
    assert texts[4] == "role/ci (external id required)"
    assert texts[5] == "federated token.actions.githubusercontent.com (with conditions)"
    assert facts.trust_text({"principal_type": "AWS", "principal": f"arn:aws:iam::{ACCT}:root"}, ACCT) == "this account"


def test_aws_managed_policies_only_when_attached() -> None:
    doc = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    pols = [
        {"Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "PolicyName": "AdministratorAccess",
         "AttachmentCount": 1, "DefaultVersionId": "v1",
         "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": doc}]},
        {"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "AttachmentCount": 0, "DefaultVersionId": "v1"},
        {"Arn": f"arn:aws:iam::{ACCT}:policy/team/unused", "AttachmentCount": 0, "DefaultVersionId": "v2",
         "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": False, "Document": doc},
                               {"VersionId": "v2", "IsDefaultVersion": True,
                                "Document": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                            "Resource": "*"}]}}]},
    ]
    nodes = {n.name: n for n in iam.transform_policies(ctx(), pols).nodes}
    assert set(nodes) == {"AdministratorAccess", "unused"}
    assert nodes["AdministratorAccess"].props["admin_like"] is True
    # the default version is the one that counts, not an older admin version
    assert nodes["unused"].props["admin_like"] is False
    assert nodes["unused"].props["aws_managed"] is False


def test_users_groups_and_instance_profiles_from_recorded_details() -> None:
    page = {
        "UserDetailList": [{"UserName": "ann", "UserId": "AID1", "Arn": f"arn:aws:iam::{ACCT}:user/ann",
                            "GroupList": ["ops"], "AttachedManagedPolicies": [
                                {"PolicyName": "p", "PolicyArn": f"arn:aws:iam::{ACCT}:policy/p"}],
                            "UserPolicyList": [{"PolicyName": "inline-admin", "PolicyDocument": json.dumps(
                                {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})}]}],
        "GroupDetailList": [{"GroupName": "ops", "Arn": f"arn:aws:iam::{ACCT}:group/ops"}],
        "RoleDetailList": [{"RoleName": "app", "Arn": f"arn:aws:iam::{ACCT}:role/app", "Path": "/",
                            "InstanceProfileList": [{"InstanceProfileName": "app-ip",
                                                     "Arn": f"arn:aws:iam::{ACCT}:instance-profile/app-ip",
                                                     "Roles": [{"Arn": f"arn:aws:iam::{ACCT}:role/app"}]}]},
                           {"RoleName": "AWSServiceRoleForSupport", "Path": "/aws-service-role/support.amazonaws.com/",
                            "Arn": f"arn:aws:iam::{ACCT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"}],
        "Policies": [],
    }
    recs = iam.transform_authorization_details(ctx(), [page, {"UserDetailList": None}])
    by_kind = {n.kind: n for n in recs.nodes}
    user = by_kind["iam:user"]
    assert user.props["groups"] == ["ops"] and user.props["inline_policies"][0]["admin_like"] is True
    assert by_kind["iam:instance-profile"].props == {"name": "app-ip", "role_arns": [f"arn:aws:iam::{ACCT}:role/app"]}
    edges = {(e.src.rsplit("/", 1)[-1], e.rel, e.dst.rsplit("/", 1)[-1]) for e in recs.edges}
    assert {("ann", "member_of", "ops"), ("ann", "has_policy", "p"), ("app-ip", "uses_role", "app")} <= edges
    roles = [n for n in recs.nodes if n.kind == "iam:role"]
    assert [r.props["service_linked"] for r in roles] == [False, True]


# --- credential report --------------------------------------------------------------

def _iso(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


REPORT = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated\n"
    f"<root_account>,arn:aws:iam::{ACCT}:root,{_iso(900)},not_supported,{_iso(3)},not_supported,"
    f"not_supported,false,true,{_iso(800)},{_iso(400)},us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"carol,arn:aws:iam::{ACCT}:user/carol,{_iso(500)},true,{_iso(1)},{_iso(100)},N/A,true,"
    f"true,{_iso(200)},{_iso(2)},eu-west-1,ec2,false,{_iso(300)},N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"deploy-bot,arn:aws:iam::{ACCT}:user/deploy-bot,{_iso(50)},false,N/A,N/A,N/A,false,"
    f"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def test_credential_report_root_and_users() -> None:
    rows = iam.parse_credential_report(REPORT.encode())
    recs = iam.transform_credential_report(ctx(), rows)
    nodes = {n.name: n for n in recs.nodes}
    root = nodes["root account"]
    assert root.kind == "iam:root" and root.id == f"arn:aws:iam::{ACCT}:root"
    assert root.props["mfa_active"] is False and root.props["access_keys_active"] is True
    carol = nodes["carol"].props
    assert carol["password_enabled"] is True and carol["mfa_active"] is True
    assert [(k["slot"], k["active"], k["age_days"]) for k in carol["access_keys"]] == [(1, True, 200), (2, False, 300)]
    assert carol["access_keys"][0]["unused_days"] == 2
    assert carol["access_keys"][1]["last_used"] is None and carol["access_keys"][1]["unused_days"] == 300
    bot = nodes["deploy-bot"].props
    assert bot["access_keys"] == [] and bot["password_enabled"] is False and bot["password_last_used"] is None


def test_credential_report_waits_while_generating() -> None:
    """moto generates the report instantly, so the in-progress path is exercised with Stubber."""
    c = ctx()
    client = c.client("iam")
    with Stubber(client) as stub:
        stub.add_response("generate_credential_report", {"State": "STARTED"})
        stub.add_client_error("get_credential_report", "ReportInProgress", http_status_code=404)
        stub.add_response("generate_credential_report", {"State": "COMPLETE"})
        stub.add_response("get_credential_report", {"Content": REPORT.encode(), "ReportFormat": "text/csv"})
        content = iam.fetch_credential_report(c, sleep=0)
        stub.assert_no_pending_responses()
    assert b"carol" in content


def test_credential_report_denied_propagates() -> None:
    c = ctx()
    with Stubber(c.client("iam")) as stub:
        stub.add_response("generate_credential_report", {"State": "COMPLETE"})
        stub.add_client_error("get_credential_report", "AccessDenied", http_status_code=403)
        with pytest.raises(Exception, match="AccessDenied"):
            iam.collect_credential_report(c)


# --- password policy and Access Analyzer ----------------------------------------------

def test_no_password_policy_is_present_false() -> None:
    with mock_aws():
        recs = iam.collect_password_policy(ScanContext(make_session(None, "us-east-1"), "us-east-1", ACCT))
    node = recs.nodes[0]
    assert node.kind == "iam:password-policy" and node.props["present"] is False
    assert node.props["min_length"] is None


def test_access_analyzer_with_stubber() -> None:
    """moto has no Access Analyzer: ListAnalyzers/ListFindings are stubbed."""
    c = ctx()
    arn = f"arn:aws:access-analyzer:us-east-1:{ACCT}:analyzer/account"
    with Stubber(c.client("accessanalyzer")) as stub:
        stub.add_response("list_analyzers", {"analyzers": [
            {"arn": arn, "name": "account", "type": "ACCOUNT", "status": "ACTIVE",
             "createdAt": datetime(2026, 1, 1, tzinfo=UTC)}]})
        finding = {"id": "f1", "resourceType": "AWS::S3::Bucket", "condition": {}, "createdAt": datetime(2026, 1, 1),
                   "analyzedAt": datetime(2026, 1, 1), "updatedAt": datetime(2026, 1, 1), "status": "ACTIVE",
                   "resourceOwnerAccount": ACCT}
        stub.add_response("list_findings", {"findings": [finding, {**finding, "id": "f2"}]})
        recs = iam.collect_analyzers(c)
    node = recs.nodes[0]
    assert (node.kind, node.props["type"], node.props["status"], node.props["findings_active"]) == (
        "iam:access-analyzer", "ACCOUNT", "ACTIVE", 2)


def test_access_analyzer_findings_denied_is_a_gap() -> None:
    c = ctx()
    arn = f"arn:aws:access-analyzer:us-east-1:{ACCT}:analyzer/org"
    with Stubber(c.client("accessanalyzer")) as stub:
        stub.add_response("list_analyzers", {"analyzers": [
            {"arn": arn, "name": "org", "type": "ORGANIZATION", "status": "ACTIVE",
             "createdAt": datetime(2026, 1, 1, tzinfo=UTC)}]})
        stub.add_client_error("list_findings", "AccessDeniedException", http_status_code=403)
        recs = iam.collect_analyzers(c)
    assert recs.nodes[0].props["findings_active"] is None
    assert recs.gaps[0].action == "access-analyzer:ListFindings"


def test_facts_from_a_small_inventory() -> None:
    inv = Inventory(meta={"account": ACCT, "regions": ["us-east-1"]})
    recs = iam.transform_credential_report(ctx(), iam.parse_credential_report(REPORT))
    recs.extend(iam.transform_authorization_details(ctx(), [{
        "UserDetailList": [{"UserName": "carol", "Arn": f"arn:aws:iam::{ACCT}:user/carol", "GroupList": ["ops"]}],
        "RoleDetailList": [{"RoleName": "x", "Arn": f"arn:aws:iam::{ACCT}:role/x", "AssumeRolePolicyDocument": TRUST}],
    }]))
    inv.merge([recs])
    judge.run(inv)  # the facts a scan stores, which the renderers read
    users = {r[0]: r for r in facts.user_rows(inv)}
    assert users["carol"][1] is True and users["carol"][2] == "yes"  # merged from both collectors (MFA: the fact)
    assert users["carol"][3].startswith("key 1: active, 200 days old, last used")
    assert users["carol"][5] == "ops"
    assert facts.root_account(inv)["mfa_active"] is False
    assert [r[1] for r in facts.cross_account_roles(inv)] == ["account 210987654321", "account 111122223333"]


# --- the sample account's document -----------------------------------------------------

def test_sample_5_1_shows_the_app_role_and_its_ec2_trust(sample: Any) -> None:
    text = section(sample.doc, "5.1")
    row = next(line for line in text.splitlines() if line.startswith("| web-app-ec2 |"))
    assert "service ec2.amazonaws.com" in row and "web-app-runtime" in row and "| yes |" in row
    assert "codedeploy.amazonaws.com" in text


def test_sample_5_1_people_policies_and_partner_trust(sample: Any) -> None:
    text = section(sample.doc, "5.1")
    alice = next(line for line in text.splitlines() if line.startswith("| alice |"))
    assert alice.startswith("| alice | yes | no |")  # console password, no MFA
    bob = next(line for line in text.splitlines() if line.startswith("| bob |"))
    assert "key 1: active" in bob and "deployers" in bob
    assert "account 210987654321 (external id required)" in text
    assert "break-glass-admin" in text.split("Administrator-equivalent")[1]
    assert "minimum length 14" in text and "prevents reuse of the last 24" in text


def test_sample_graph_links_instance_profile_to_role(sample: Any) -> None:
    inv = sample.inv
    roles = inv.out(sample.ids["instance_profile_arn"], "uses_role")
    assert [r["id"] for r in roles] == [sample.ids["app_role_arn"]]
    assert inv.node(sample.ids["app_role_arn"])["props"]["trust"][0]["principal"] == "ec2.amazonaws.com"


# --- any account: odd documents never break parsing -----------------------------------------


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(
    ["*", "*:*", "s3:*", "Allow", "Deny", "arn:aws:iam::111122223333:root", "x:root", "123456789012", ":", ""]))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["Effect", "Action", "NotAction", "Resource", "Principal", "AWS", "Service",
                                     "Federated", "Condition", "Statement", "sts:ExternalId", "StringEquals"]),
                    inner, max_size=5)), max_leaves=20)


_statement = st.fixed_dictionaries({"Effect": st.sampled_from(["Allow", "Deny"])}, optional={
    "Action": _json, "NotAction": _json, "Resource": _json, "Principal": st.one_of(_json, st.dictionaries(
        st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser"]), _json, max_size=3)),
    "Condition": _json})


@settings(max_examples=200, deadline=None)
@given(doc=st.one_of(_json, st.lists(_statement, max_size=3)))
def test_parsers_survive_any_document_shape(doc: Any) -> None:
    wrapped = {"Statement": doc}
    for d in (doc, wrapped):
        summary = iam.policy_summary(d)
        assert isinstance(summary["admin_like"], bool)
        for t in iam.parse_trust(d):
            assert isinstance(facts.trust_text(t, ACCT), str)
        assert isinstance(sec.key_policy_principals(d, ACCT), list)
    recs = iam.transform_roles(ctx(), [{"RoleName": "r", "Arn": f"arn:aws:iam::{ACCT}:role/r",
                                        "AssumeRolePolicyDocument": wrapped}])
    assert recs.nodes[0].kind == "iam:role"


def test_root_unknown_reason_says_which_case() -> None:
    inv = Inventory(meta={"runs": [{"collector": "iam.credential_report", "service": "iam", "region": "us-east-1",
                                    "status": "denied"}]})
    assert "could not be read" in facts.root_unknown_reason(inv)
    inv.meta["runs"][0]["status"] = "ok"
    assert "no root account row" in facts.root_unknown_reason(inv)


def test_user_summary_counts_console_users_without_mfa_and_old_keys() -> None:
    inv = Inventory(meta={"account": ACCT})
    rows = iam.parse_credential_report(REPORT)
    inv.merge([iam.transform_credential_report(ctx(), rows)])
    judge.run(inv)
    # carol: console + MFA, one active key 200 days old used 2 days ago; deploy-bot: nothing
    assert facts.user_summary(inv) == {"users": 2, "console": 1, "report_unknown": 0, "console_without_mfa": 0, "console_mfa_unknown": 0, "active_keys": 1,
                                       "old_keys": 1, "idle_keys": 0}


# --- KMS keys, certificates, detectors: per-resource reads fanned out (scanner/collectors/_fanout.py)
def test_kms_acm_and_guardduty_give_the_same_records_at_any_width():
    """Width 1 and 8: the same nodes, edges and gaps in the same order, with and without denials."""
    from scanner.collectors import security
    from tests.test_loadbalancing import assert_same_at_any_width, run_at_width

    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        for n in range(4):
            key = kms.create_key(Description=f"key {n}")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=f"alias/k-{n}", TargetKeyId=key)
            if n % 2:
                kms.enable_key_rotation(KeyId=key)
        acm = boto3.client("acm", region_name="us-east-1")
        for n in range(3):
            acm.request_certificate(DomainName=f"s{n}.example.com")
        boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True)
        keys = assert_same_at_any_width(security.collect_keys, "kms")
        denied = assert_same_at_any_width(security.collect_keys, "kms", ("kms:GetKeyPolicy",))
        certs = assert_same_at_any_width(security.collect_certificates, "acm")
        assert_same_at_any_width(security.collect_certificates, "acm", ("acm:DescribeCertificate",))
        found = []
        for denials in ((), ("guardduty:GetDetector",)):
            narrow = run_at_width(security.collect_detectors, "guardduty", 1, denials)
            wide = run_at_width(security.collect_detectors, "guardduty", 8, denials)
            assert narrow[0] == wide[0] and narrow[2] == wide[2]
            found.append(wide[0])
    assert keys.count('"kms:key"') == 4 and denied.count('"kms:GetKeyPolicy"') == 4
    assert certs.count('"acm:certificate"') == 3
    assert '"guardduty:detector"' in found[0] and '"guardduty:GetDetector"' in found[1]

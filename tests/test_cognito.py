"""Cognito: user pools (MFA, threat protection) and identity pools (guest access, roles), section 5.1.

* recorded AWS-shaped answers (tests/data/recorded/streams/) in every variant, through the sweep
  checks of tests/test_streams.py: none raises, nothing unread is stated;
* IAM-101 (user pool without MFA) and IAM-102 (identity pool open to guests, naming the guest role)
  from those answers; "unknown" with its reason where the setting was not read;
* moto end to end, and the sample account's user pool (MFA required, no finding).

The identity-pool collector reads configuration only: no call in the scanner names
GetId, GetCredentialsForIdentity or GetOpenIdToken, and the guard refuses them.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from scanner.analysis import analyze
from scanner.analysis.model import STATUS_NOT_ASSESSED, STATUS_OPEN
from scanner.collectors import cognito as cg
from scanner.guard import DENIED_READS, is_allowed
from tests import test_streams as shapes
from tests.conftest import section
from tests.support.denials import deny
from tests.test_recorded_shapes import VARIANTS, Case, items, one

F = "streams"
REGION = "us-east-1"
ACCT = "123456789012"
ROOT = Path(__file__).resolve().parent.parent


def _user_pools(ctx, r: dict):
    described = one(r, "DescribeUserPool")
    pid = (described.get("UserPool") or {}).get("Id")
    pools = [cg.user_pool_item(p, described if isinstance(p, dict) and p.get("Id") == pid else None)
             for p in items(r, "ListUserPools", "UserPools")]
    return cg.transform_user_pools(ctx, pools)


def _identity_pools(ctx, r: dict):
    described = one(r, "DescribeIdentityPool")
    roles = one(r, "GetIdentityPoolRoles")
    pools, answers = [], {}
    for p in items(r, "ListIdentityPools", "IdentityPools"):
        mine = isinstance(p, dict) and p.get("IdentityPoolId") == described.get("IdentityPoolId")
        pools.append(cg.identity_pool_item(p, described if mine else None))
        if mine:
            answers[p["IdentityPoolId"]] = roles
    return cg.transform_identity_pools(ctx, pools, answers)


CASES = [
    Case(F, cg.transform_user_pools, ("cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool"), _user_pools,
         names=("ListUserPools:UserPools[].Name",)),
    Case(F, cg.transform_identity_pools, ("cognito-identity:ListIdentityPools", "cognito-identity:DescribeIdentityPool",
                                          "cognito-identity:GetIdentityPoolRoles"), _identity_pools,
         names=("ListIdentityPools:IdentityPools[].IdentityPoolName",),
         edges=("GetIdentityPoolRoles:Roles.unauthenticated",)),
]


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_recorded_variant_is_read(case: Case, kind: str) -> None:
    shapes.check_variant(case, kind)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_recorded_unknown_enum_missing_field_and_timestamps(case: Case) -> None:
    shapes.check_unknown_enum_stays_raw(case)
    shapes.check_missing_field_stays_unknown(case)
    shapes.check_timestamps_in_any_form(case)


@pytest.fixture(scope="module")
def recorded() -> SimpleNamespace:
    inv = shapes._recorded_graph(*CASES)
    analysis = analyze(inv, {})
    return SimpleNamespace(inv=inv, analysis=analysis, text=shapes.render(inv, analysis, "5.1_user_pools"))


def test_recorded_user_pool_without_mfa_is_a_finding(recorded) -> None:
    inv = recorded.inv
    web = f"arn:aws:cognito-idp:{REGION}:{ACCT}:userpool/{REGION}_aBcDeFgH1"
    p = inv.node(web)["props"]
    assert (p["mfa"], p["advanced_security"], p["users_estimated"], p["deletion_protection"]) == ("OFF", "AUDIT", 18230, False)
    assert p["triggers"] == ["CustomEmailSender", "PreTokenGeneration", "PreTokenGenerationConfig"]
    assert inv.fact(web, "mfa").no
    [hit] = [f for f in recorded.analysis.findings if f.rule == "IAM-101" and f.status == STATUS_OPEN]
    assert hit.resources == [web] and "MfaConfiguration OFF" in hit.evidence[0] and hit.severity == "medium"
    # the partner pool was only listed: its MFA is unknown, not "off", and not a finding
    partner = f"arn:aws:cognito-idp:{REGION}:{ACCT}:userpool/{REGION}_iJkLmNoP2"
    assert inv.fact(partner, "mfa").unknown
    row = next(line for line in recorded.text.splitlines() if "| partner-portal |" in line)
    assert "unknown (MfaConfiguration not stated" in row and "| off |" not in row
    assert "| web-customers | off | audit only | 18230 |" in recorded.text
    assert (web, f"arn:aws:lambda:{REGION}:{ACCT}:function:add-claims") in \
        {(s, d) for s, d, _ in inv.edges("triggers")}


def test_recorded_identity_pool_guests_name_their_role(recorded) -> None:
    inv = recorded.inv
    [pool] = inv.nodes("cognito:identity-pool")
    assert pool["name"] == "web_guests" and inv.fact(pool["id"], "unauthenticated").yes
    assert pool["props"]["user_pool_ids"] == [f"{REGION}_aBcDeFgH1"]
    [hit] = [f for f in recorded.analysis.findings if f.rule == "IAM-102" and f.status == STATUS_OPEN]
    assert "Cognito_webUnauth_Role" in hit.evidence[0]
    roles = {(d, e["props"].get("role")) for s, d, e in inv.edges("uses_role") if s == pool["id"]}
    assert (f"arn:aws:iam::{ACCT}:role/Cognito_webAdmin_Role", "mapped") in roles
    assert "| web\\_guests | allowed | accounts.google.com, cognito-idp." in recorded.text


def test_no_scanner_code_calls_identity_or_credential_operations() -> None:
    banned = {"get_id", "get_credentials_for_identity", "get_open_id_token",
              "get_open_id_token_for_developer_identity", "describe_user_pool_client"}
    named = set()
    for path in (ROOT / "scanner").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
    assert banned & named == set()
    for op in ("GetId", "GetCredentialsForIdentity", "GetOpenIdToken"):
        assert f"cognito-identity:{op}" in DENIED_READS and not is_allowed("cognito-identity", op)
    assert is_allowed("cognito-identity", "GetIdentityPoolRoles")


# --- moto end to end --------------------------------------------------------------------------------

def build_pools() -> None:
    idp = boto3.client("cognito-idp", region_name=REGION)
    idp.create_user_pool(PoolName="no-mfa-pool")
    idp.create_user_pool(PoolName="mfa-pool", MfaConfiguration="ON")
    boto3.client("cognito-identity", region_name=REGION).create_identity_pool(
        IdentityPoolName="guests", AllowUnauthenticatedIdentities=True)


POOLS = ("cognito-idp.user_pools", "cognito-identity.identity_pools")


@pytest.fixture(scope="module")
def moto_scan() -> SimpleNamespace:
    return shapes.scan_only(build_pools, POOLS)


def test_moto_mfa_off_finding_and_pools_in_5_1(moto_scan) -> None:
    s51 = section(moto_scan.doc, "5.1")
    assert "| us-east-1 | no-mfa-pool | off |" in s51 and "| us-east-1 | mfa-pool | required |" in s51
    assert "IAM-101: Cognito user pool without MFA" in s51
    [hit] = [f for f in moto_scan.analysis.findings if f.rule == "IAM-101" and f.status == STATUS_OPEN]
    assert "no-mfa-pool" in hit.evidence[0]
    # moto has no GetIdentityPoolRoles: the guest role is unknown, and the finding says so
    [guests] = [f for f in moto_scan.analysis.findings if f.rule == "IAM-102" and f.status == STATUS_OPEN]
    assert "guest role unknown (cognito-identity:GetIdentityPoolRoles" in guests.evidence[0]
    assert "cognito-identity:GetIdentityPoolRoles" in s51


def test_denied_describe_user_pool_renders_mfa_unknown() -> None:
    res = shapes.scan_only(build_pools, POOLS, before_scan=deny("cognito-idp:DescribeUserPool"))
    for pool in res.inv.nodes("cognito:user-pool"):
        f = res.inv.fact(pool["id"], "mfa")
        assert f.unknown and "cognito-idp:DescribeUserPool" in f.why
    row = next(line for line in section(res.doc, "5.1").splitlines() if "| no-mfa-pool |" in line)
    assert "unknown (cognito-idp:DescribeUserPool: access denied)" in row and "| off |" not in row
    statuses = {f.status for f in res.analysis.findings if f.rule == "IAM-101"}
    assert statuses == {STATUS_NOT_ASSESSED}


def test_sample_user_pool_requires_mfa(sample) -> None:
    s51 = section(sample.doc, "5.1")
    assert "| us-east-1 | web-customers | required | enforced | 0 | none | on |" in s51
    assert not [f for f in sample.analysis.open_findings() if f.rule in ("IAM-101", "IAM-102")]

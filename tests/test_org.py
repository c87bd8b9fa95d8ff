"""awsscan org on a moto organization of several accounts: one report per scanned account, the
organization roll-up (OUs, what runs where, trusts, peering, guards, findings, cost), suspended
and unreachable accounts listed with the reason, org-render byte for byte, the Dask path on a
local cluster, and one-line errors for bad input."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.exceptions as bexc
import pytest
from moto import mock_aws
from typer.testing import CliRunner

import scanner.session
from scanner.cli import EXIT_USAGE, app
from tests.conftest import section
from tests.support.markdown import table

MGMT = "123456789012"
FAST = ["--services", "ec2,s3,iam", "--region", "us-east-1", "--workers", "8"]
ROOT = Path(__file__).resolve().parent.parent


def tbl(text: str) -> list[dict[str, str]]:
    """The rows of the first table in ``text``."""
    return table(text, "| ")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def member(account: str) -> boto3.Session:
    c = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="build")["Credentials"]
    return boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"], region_name="us-east-1")


def trust(principal: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


def build_org() -> dict[str, str]:
    """Management + alpha (OU Prod), beta (OU Dev), gamma (closed), delta (its role refuses)."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {n: org.create_organizational_unit(ParentId=root, Name=n)["OrganizationalUnit"]["Id"] for n in ("Prod", "Dev")}
    ids: dict[str, str] = {}
    for name, ou in (("alpha", "Prod"), ("beta", "Dev"), ("gamma", "Dev"), ("delta", "Prod")):
        aid = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=aid, SourceParentId=root, DestinationParentId=ous[ou])
        ids[name] = aid
    org.close_account(AccountId=ids["gamma"])
    org.register_delegated_administrator(AccountId=ids["alpha"], ServicePrincipal="guardduty.amazonaws.com")
    scp = org.create_policy(Name="DenyLeavingOrg", Description="no leaving", Type="SERVICE_CONTROL_POLICY",
                            Content=json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})
                            )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=ous["Prod"])
    vpcs = {}
    for name, cidr, trusted in (("alpha", "10.61.0.0/16", "beta"), ("beta", "10.62.0.0/16", None)):
        s = member(ids[name])
        vpc = s.client("ec2").create_vpc(CidrBlock=cidr, TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{name}-vpc"}]}])["Vpc"]["VpcId"]
        vpcs[name] = vpc
        s.client("s3").create_bucket(Bucket=f"{name}-data-{ids[name]}")
        principal = f"arn:aws:iam::{ids[trusted]}:root" if trusted else f"arn:aws:iam::{MGMT}:root"
        s.client("iam").create_role(RoleName=f"{name}-cross", AssumeRolePolicyDocument=trust(principal))
    peering = member(ids["alpha"]).client("ec2").create_vpc_peering_connection(
        VpcId=vpcs["alpha"], PeerVpcId=vpcs["beta"], PeerOwnerId=ids["beta"])["VpcPeeringConnection"]
    ids["peering"] = peering["VpcPeeringConnectionId"]
    return ids


def refusing(account: str) -> Any:
    """make_session whose STS refuses the role of one account, as a role that does not trust us would."""
    real = scanner.session.make_session

    def make(*args: Any, **kwargs: Any) -> Any:
        session = real(*args, **kwargs)

        def refuse(params: dict[str, Any], **_: Any) -> None:
            if f"::{account}:" in str(params.get("RoleArn")):
                raise bexc.ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized to perform "
                                                  "sts:AssumeRole"}}, "AssumeRole")

        session.events.register("before-parameter-build.sts.AssumeRole", refuse)
        return session

    return make


@pytest.fixture(scope="module")
def orgrun(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    out = tmp_path_factory.mktemp("org") / "out"
    with mock_aws(), pytest.MonkeyPatch.context() as mp:
        ids = build_org()
        mp.setattr(scanner.session, "make_session", refusing(ids["delta"]))
        result = invoke("org", "--out", str(out), "--jobs", "3", *FAST)
    # outside the mock: every other test starts from an empty moto
    return SimpleNamespace(ids=ids, out=out, result=result, doc=(out / "org.md").read_text(encoding="utf-8"))


def test_each_scanned_account_has_its_own_report_with_its_vpc(orgrun: SimpleNamespace) -> None:
    assert orgrun.result.exit_code == 0, orgrun.result.output
    for name, cidr in (("alpha", "10.61.0.0/16"), ("beta", "10.62.0.0/16")):
        doc = (orgrun.out / "accounts" / orgrun.ids[name] / "design.md").read_text(encoding="utf-8")
        assert cidr in section(doc, "2.1") and f"{name}-vpc" in section(doc, "2.1"), name
    mgmt = (orgrun.out / "accounts" / MGMT / "design.md").read_text(encoding="utf-8")  # the caller's own account
    assert "10.61.0.0/16" not in mgmt and "10.62.0.0/16" not in mgmt
    for name in ("gamma", "delta"):
        assert not (orgrun.out / "accounts" / orgrun.ids[name]).exists()
    assert (orgrun.out / "org.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_every_account_is_listed_with_its_ou_and_what_happened(orgrun: SimpleNamespace) -> None:
    doc, ids = orgrun.doc, orgrun.ids
    assert "### Root / Prod" in doc and "### Root / Dev" in doc
    prod = doc.split("### Root / Prod", 1)[1].split("###", 1)[0]
    rows = {r["Id"]: r for r in tbl(prod)}
    assert rows[ids["alpha"]]["Result"] == "scanned" and rows[ids["delta"]]["Result"] == "not assumed"
    assert "AccessDenied" in rows[ids["delta"]]["Details"]
    missed = {r["Account"]: r for r in tbl(doc.split("### Accounts not scanned", 1)[1].split("##", 1)[0])}
    assert missed[f"gamma ({ids['gamma']})"]["Result"] == "skipped (suspended)"
    assert "sts:AssumeRole" in missed[f"delta ({ids['delta']})"]["Reason"]
    assert set(missed) == {f"gamma ({ids['gamma']})", f"delta ({ids['delta']})"}
    assert "not assumed" in orgrun.result.output and ids["delta"] in orgrun.result.output


def test_what_runs_where_counts_each_kind_per_account(orgrun: SimpleNamespace) -> None:
    ids = orgrun.ids
    where = orgrun.doc.split("## 2. What runs where", 1)[1].split("## 3.", 1)[0]
    rows = {r["Resource"]: r for r in tbl(where)}
    alpha, beta, mgmt = f"alpha ({ids['alpha']})", f"beta ({ids['beta']})", f"master ({MGMT})"
    assert rows["VPCs"][alpha] == "2" and rows["VPCs"][beta] == "2" and rows["VPCs"][mgmt] == "1"
    assert rows["S3 buckets"][alpha] == "1" and rows["S3 buckets"][mgmt] == "0"
    assert rows["VPCs"]["Total"] == "5"


def test_cross_account_trusts_peering_and_guards(orgrun: SimpleNamespace) -> None:
    doc, ids = orgrun.doc, orgrun.ids
    trusts = tbl(doc.split("### 3.1", 1)[1].split("###", 1)[0])
    pairs = {(r["Account"], r["Role"], r["Trusted account"]) for r in trusts}
    assert (f"alpha ({ids['alpha']})", "alpha-cross", f"beta ({ids['beta']})") in pairs
    assert (f"beta ({ids['beta']})", "beta-cross", f"master ({MGMT})") in pairs
    peering = tbl(doc.split("### 3.3", 1)[1].split("###", 1)[0])
    assert [r["Peering"] for r in peering] == [ids["peering"]]
    assert "10.61.0.0/16" in peering[0]["Requester"] and ids["beta"] in peering[0]["Accepter"]
    delegated = {r["Service"]: r["Delegated administrator"] for r in tbl(doc.split("### 4.4", 1)[1].split("###", 1)[0])}
    assert delegated["GuardDuty (<code>guardduty.amazonaws.com</code>)"] == f"alpha ({ids['alpha']})"
    assert delegated["Security Hub (<code>securityhub.amazonaws.com</code>)"].startswith("none")
    scps = {r["Policy"].split(" (")[0]: r for r in tbl(doc.split("### 4.5", 1)[1].split("##", 1)[0])}
    assert scps["DenyLeavingOrg"]["Attached to"] == "OU Root / Prod"
    assert "Not collected" in doc.split("### 4.3", 1)[1].split("###", 1)[0], "aggregators are not said to be none"
    guards = {r["Account"]: r for r in tbl(doc.split("### 4.2", 1)[1].split("###", 1)[0])}
    assert guards[f"alpha ({ids['alpha']})"]["GuardDuty"].startswith("unknown"), "not scanned is not 'off'"
    assert (orgrun.out / "diagrams" / "org_overview.dot").exists()


def test_findings_and_cost_roll_up_per_account(orgrun: SimpleNamespace) -> None:
    rows = {r["Account"]: r for r in tbl(orgrun.doc.split("## 5.", 1)[1].split("###", 1)[0].split("## 6.", 1)[0])}
    for name, aid in (("alpha", orgrun.ids["alpha"]), ("beta", orgrun.ids["beta"]), ("master", MGMT)):
        counts = json.loads((orgrun.out / "accounts" / aid / "findings.json").read_text())["counts"]
        row = rows[f"{name} ({aid})"]
        assert {s: int(row[s.capitalize()]) for s in counts} == counts, name
        assert int(row["Open"]) == sum(counts.values())
    cost = tbl(orgrun.doc.split("## 6.", 1)[1])
    assert len(cost) == 4 and cost[-1]["Account"] == "**All scanned accounts**"


def test_org_render_rebuilds_org_md_byte_for_byte(orgrun: SimpleNamespace) -> None:
    before = (orgrun.out / "org.md").read_bytes()
    (orgrun.out / "org.md").write_text("stale", encoding="utf-8")
    result = invoke("org-render", str(orgrun.out))  # no mock, no credentials needed: files only
    assert result.exit_code == 0, result.output
    assert (orgrun.out / "org.md").read_bytes() == before
    saved = json.loads((orgrun.out / "organization.json").read_text())
    assert {a["id"]: a["outcome"] for a in saved["accounts"]}[orgrun.ids["gamma"]] == "suspended"
    assert all("email" not in json.dumps(a).lower() for a in saved["accounts"]), "no personal details kept"


def test_dask_cluster_gives_the_same_roll_up(orgrun: SimpleNamespace, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed (awsscan[dask])")
    with mock_aws():  # a fresh organization, alpha and beta scanned on a local tcp:// cluster
        ids = build_org()
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                      host="127.0.0.1", dashboard_address=None) as cluster:
            result = invoke("org", "--out", str(tmp_path / "d"), "--scheduler", cluster.scheduler_address,
                            "--accounts", f"{ids['alpha']},{ids['beta']}", *FAST)
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "d" / "org.md").read_text(encoding="utf-8")
    rows = {r["Resource"]: r for r in tbl(doc.split("## 2. What runs where", 1)[1].split("## 3.", 1)[0])}
    assert rows["VPCs"][f"alpha ({ids['alpha']})"] == "2" and rows["S3 buckets"][f"beta ({ids['beta']})"] == "1"
    design = (tmp_path / "d" / "accounts" / ids["alpha"] / "design.md").read_text(encoding="utf-8")
    assert "10.61.0.0/16" in section(design, "2.1")
    assert "on the Dask cluster" in doc
    excluded = {r["Account"]: r["Result"] for r in tbl(doc.split("### Accounts not scanned", 1)[1].split("##", 1)[0])}
    assert excluded[f"master ({MGMT})"] == "excluded"


@pytest.mark.parametrize("args, message", [
    (["--accounts", "12345"], "is not an AWS account id"),
    (["--accounts", "999999999999"], "unknown account id 999999999999"),
    (["--scheduler", "http://host"], "is not a Dask scheduler address"),
    (["--role-name", "bad role!"], "is not an IAM role name"),
    (["--services", "nosuch"], "unknown service"),
])
def test_bad_input_is_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        result = invoke("org", "--out", str(tmp_path / "o"), "--region", "us-east-1", *args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_not_the_management_account_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        result = invoke("org", "--out", str(tmp_path / "o"), "--region", "us-east-1")
        assert result.exit_code == EXIT_USAGE and "not in an AWS Organization" in result.output, result.output
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        real = scanner.session.make_session

        def denied(*a: Any, **k: Any) -> Any:
            from tests.support.denials import deny

            session = real(*a, **k)
            deny("organizations:ListAccounts", code="AccessDeniedException")(session)
            return session

        monkeypatch.setattr(scanner.session, "make_session", denied)
        result = invoke("org", "--out", str(tmp_path / "o"), "--region", "us-east-1")
    assert result.exit_code == EXIT_USAGE, result.output
    assert "organizations:ListAccounts was denied" in result.output and "management" in result.output


def test_member_sessions_cannot_mint_credentials_and_no_collector_assumes_roles() -> None:
    from scanner.guard import WriteRefused
    from scanner.org.assume import guarded_session

    with mock_aws():
        session = guarded_session({"access_key": "testing", "secret_key": "testing", "token": "t"}, "us-east-1")
        with pytest.raises(WriteRefused, match="member account"):
            session.client("sts").assume_role(RoleArn=f"arn:aws:iam::{MGMT}:role/x", RoleSessionName="xx")
        assert session.client("sts").get_caller_identity()["Account"] == MGMT
    for path in sorted((ROOT / "scanner" / "collectors").rglob("*.py")):
        names = {n.attr for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Attribute)}
        names |= {n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant)}
        assert not names & {"assume_role", "AssumeRole", "get_session_token"}, path


def test_accounts_from_profiles_reach_each_account_through_its_profile(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        ids = build_org()
        c = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{ids['beta']}:role/OrganizationAccountAccessRole", RoleSessionName="profile")
        creds = c["Credentials"]
        (tmp_path / "credentials").write_text(
            f"[beta]\naws_access_key_id = {creds['AccessKeyId']}\naws_secret_access_key = {creds['SecretAccessKey']}\n"
            f"aws_session_token = {creds['SessionToken']}\n", encoding="utf-8")
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
        result = invoke("org", "--out", str(tmp_path / "p"), "--accounts-from-profiles", "beta",
                        "--services", "ec2.vpcs,s3", "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "p" / "org.md").read_text(encoding="utf-8")
    rows = {r["Id"]: r for r in tbl(doc.split("### Root / Dev", 1)[1].split("###", 1)[0])}
    assert rows[ids["beta"]]["Result"] == "scanned" and rows[ids["beta"]]["Access"] == "profile beta"
    assert rows[ids["gamma"]]["Result"] == "skipped (suspended)"
    missed = {r["Account"]: r["Reason"] for r in tbl(doc.split("### Accounts not scanned", 1)[1].split("##", 1)[0])}
    assert missed[f"alpha ({ids['alpha']})"] == "no profile for it in --accounts-from-profiles"
    assert "10.62.0.0/16" in section((tmp_path / "p" / "accounts" / ids["beta"] / "design.md").read_text(), "2.1")


def test_account_text_is_escaped_in_every_output(tmp_path: Path) -> None:
    from renderers.org_report import write_org
    from scanner.org.model import NOT_ASSUMED, Account, Organization
    from scanner.org.rollup import build

    evil = '<script>alert(1)</script> | *x* "];'
    org = Organization(id="o-test", caller_account=MGMT, caller_arn=f"arn:aws:iam::{MGMT}:user/me",
                       ous=[{"id": "ou-1", "name": evil, "path": f"Root / {evil}", "parent": "r-1"}],
                       accounts=[Account(id="111111111111", name=evil, ou="ou-1", ou_path=f"Root / {evil}",
                                         outcome=NOT_ASSUMED, reason=f"AccessDenied: {evil}")],
                       policies=[], delegated=[], read_at="2026-01-01T00:00:00+00:00")
    files, _ = write_org(build(org, {}), tmp_path)
    text = {p.name: p.read_text(encoding="utf-8") for p in files if p.suffix != ".png"}
    assert "<script>" not in text["org.md"] and "<script>alert" not in text["org.html"]
    assert "\\*x\\*" in text["org.md"] and "\\|" in text["org.md"], "Markdown punctuation escaped"
    assert "not assumed" in text["org.md"] and "AccessDenied" in text["org.md"]


def test_a_transit_gateway_attached_from_another_account_is_shared_and_drawn() -> None:
    from renderers.org_report import diagram
    from scanner.inventory import Inventory, Records
    from scanner.org.model import SCANNED, Account, Organization
    from scanner.org.rollup import build

    a, b = "111111111111", "222222222222"
    snaps = {}
    for acct in (a, b):
        rec = Records(region="us-east-1", account=acct)
        rec.node(f"arn:aws:ec2:us-east-1:{acct}:vpc/vpc-{acct}", "ec2:vpc", f"vpc-{acct}", vpc_id=f"vpc-{acct}",
                 cidr="10.1.0.0/16" if acct == a else "10.2.0.0/16", is_default=False)
        if acct == a:
            rec.node(f"arn:aws:ec2:us-east-1:{a}:transit-gateway/tgw-1", "ec2:transit-gateway", "core-tgw",
                     tgw_id="tgw-1", owner=a, state="available")
        rec.node(f"arn:aws:ec2:us-east-1:{acct}:transit-gateway-attachment/tgw-attach-{acct}",
                 "ec2:transit-gateway-attachment", f"att-{acct}", attachment_id=f"tgw-attach-{acct}", tgw_id="tgw-1",
                 resource_type="vpc", resource_id=f"vpc-{acct}", resource_owner=acct, state="available")
        inv = Inventory(meta={"account": acct, "regions": ["us-east-1"]})
        inv.merge([rec])
        snaps[acct] = inv
    org = Organization(id="o-t", caller_account=a, accounts=[Account(id=a, name="hub", outcome=SCANNED),
                                                             Account(id=b, name="spoke", outcome=SCANNED)])
    r = build(org, snaps)
    assert r["network"]["shared_tgws"] == ["tgw-1"]
    tgw = r["network"]["tgws"][0]
    assert tgw["owner"] == a and tgw["accounts"] == [a, b] and len(tgw["attachments"]) == 2
    source = diagram(r).graph.source
    assert "core-tgw" in source and source.count("label=vpc") == 2, "both VPCs attach to the one gateway"

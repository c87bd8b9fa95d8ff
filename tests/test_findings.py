"""The findings engine and rules on graphs built from records, and suppressions.

These cover what moto cannot plant (backdated access keys, root credentials, old
TLS policies, single-AZ load balancers, cache failover) and the engine's
coverage logic: a denied or failed collector, or a per-resource gap, turns a
rule into "not assessed", never a pass or a fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.analysis import analyze
from scanner.analysis.findings import RULES, declared_actions, load_rules
from scanner.analysis.model import SEVERITIES, STATUS_NOT_ASSESSED, STATUS_OPEN, STATUS_SUPPRESSED
from scanner.analysis.suppress import load as load_suppressions
from scanner.errors import UserError
from scanner.inventory import Inventory, Records

ACCT, REG, REG2 = "123456789012", "us-east-1", "eu-west-1"


def ok_runs(*services: str, regions: tuple[str, ...] = (REG, REG2)) -> list[dict[str, Any]]:
    """Scan runs as the runner records them: every registered collector of these services ran ok."""
    from scanner.collectors import load_all

    runs = []
    for c in load_all():
        if c.service in services:
            for r in ([REG] if c.scope == "global" else regions):
                runs.append({"collector": c.name, "service": c.service, "region": r, "status": "ok"})
    return runs


def inventory(rec: Records, runs: list[dict[str, Any]], gaps: list[dict[str, Any]] | None = None) -> Inventory:
    inv = Inventory(meta={"account": ACCT, "regions": [REG, REG2], "runs": runs, "gaps": gaps or []})
    inv.merge([rec])
    return inv


def findings(inv: Inventory, rule: str, status: str | None = STATUS_OPEN) -> list[Any]:
    return [f for f in analyze(inv).findings if f.rule == rule and (status is None or f.status == status)]


# --- the registry ---------------------------------------------------------------------------
def test_at_least_forty_rules_with_complete_metadata():
    rules = load_rules()
    mine = {k: r for k, r in rules.items() if not k.startswith("SAV-")}
    assert len(mine) >= 40
    for r in mine.values():
        assert r.severity in SEVERITIES and r.category in ("security", "resilience", "operations", "cost")
        assert len(r.remediation) > 40, r.id
        assert r.section.count(".") <= 1 and r.section.split(".")[0].isdigit()


def test_every_needed_action_is_read_by_a_registered_collector():
    """Otherwise the rule would be "not assessed" on every account."""
    from scanner.collectors import load_all

    declared = set().union(*(declared_actions(c.reads) for c in load_all()))
    load_rules()
    missing = {(r.id, a) for r in RULES.values() for a in r.needs if a.lower() not in declared}
    assert not missing


def test_declared_actions_inherit_the_service_prefix():
    assert declared_actions("elasticloadbalancing:DescribeLoadBalancers, DescribeListeners (x)") == {
        "elasticloadbalancing:describeloadbalancers", "elasticloadbalancing:describelisteners"}


# --- identity rules from credential-report shaped records ----------------------------------
def iam_records() -> Records:
    rec = Records(region="global", account=ACCT)
    rec.node(f"arn:aws:iam::{ACCT}:root", "iam:root", "root account", mfa_active=False, access_keys_active=True,
             access_keys=[{"slot": 1, "active": True, "age_days": 400}], password_last_used=None)
    rec.node(f"arn:aws:iam::{ACCT}:user/ci", "iam:user", "ci", user_name="ci", password_enabled=False,
             mfa_active=False, access_keys=[
                 {"slot": 1, "active": True, "created": "2024-01-01T00:00:00+00:00", "age_days": 420,
                  "last_used": "2024-02-01T00:00:00+00:00", "unused_days": 390},
                 {"slot": 2, "active": False, "age_days": 900, "unused_days": 900}])
    rec.node(f"arn:aws:iam::{ACCT}:user/fresh", "iam:user", "fresh", user_name="fresh", password_enabled=True,
             mfa_active=True, access_keys=[{"slot": 1, "active": True, "age_days": 10, "unused_days": 1}])
    rec.node(f"arn:aws:iam::{ACCT}:role/open", "iam:role", "open", role_name="open",
             trust=[{"principal_type": "*", "principal": "*", "external_id": False, "conditions": False}])
    rec.node(f"arn:aws:iam::{ACCT}:role/vendor-ok", "iam:role", "vendor-ok", role_name="vendor-ok",
             trust=[{"principal_type": "AWS", "principal": "arn:aws:iam::999988887777:root",
                     "external_id": True, "conditions": True}])
    rec.node(f"arn:aws:iam::{ACCT}:role/self", "iam:role", "self", role_name="self",
             trust=[{"principal_type": "AWS", "principal": f"arn:aws:iam::{ACCT}:root",
                     "external_id": False, "conditions": False}])
    return rec


@pytest.fixture(scope="module")
def iam_inv() -> Inventory:
    return inventory(iam_records(), ok_runs("iam"))


def test_root_access_keys_and_missing_mfa(iam_inv):
    assert findings(iam_inv, "IAM-001")[0].resources == [f"arn:aws:iam::{ACCT}:root"]
    assert "mfa_active=false" in findings(iam_inv, "IAM-002")[0].evidence[0]


def test_old_and_unused_access_keys_only_for_active_keys(iam_inv):
    old = findings(iam_inv, "IAM-004")
    assert [f.resources for f in old] == [[f"arn:aws:iam::{ACCT}:user/ci"]]
    assert "420 days old" in old[0].evidence[0] and len(old[0].evidence) == 1  # inactive key 2 ignored
    unused = findings(iam_inv, "IAM-005")
    assert [f.resources for f in unused] == [[f"arn:aws:iam::{ACCT}:user/ci"]]
    assert "390 days" in unused[0].evidence[0]


def test_role_trust_anyone_and_cross_account(iam_inv):
    assert [f.resources for f in findings(iam_inv, "IAM-007")] == [[f"arn:aws:iam::{ACCT}:role/open"]]
    # the vendor role has an ExternalId and the self-trust is the same account: neither fires
    assert findings(iam_inv, "IAM-008") == []


# --- coverage: denied, failed, gaps -----------------------------------------------------------
def sg_records(region: str, gid: str) -> Records:
    rec = Records(region=region, account=ACCT)
    rec.node(f"arn:aws:ec2:{region}:{ACCT}:security-group/{gid}", "ec2:security-group", gid, group_id=gid,
             ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}])
    return rec


def test_denied_collector_in_one_region_is_not_assessed_there_and_assessed_elsewhere():
    runs = [r for r in ok_runs("ec2") if not (r["collector"] == "ec2.security_groups" and r["region"] == REG2)]
    runs.append({"collector": "ec2.security_groups", "service": "ec2", "region": REG2, "status": "denied",
                 "action": "ec2:DescribeSecurityGroups", "message": "access denied"})
    rec = sg_records(REG, "sg-1")
    inv = inventory(rec, runs)
    fs = findings(inv, "NET-001", status=None)
    open_ = [f for f in fs if f.status == STATUS_OPEN]
    na = [f for f in fs if f.status == STATUS_NOT_ASSESSED]
    assert [f.resources for f in open_] == [[f"arn:aws:ec2:{REG}:{ACCT}:security-group/sg-1"]]
    assert len(na) == 1 and REG2 in na[0].reason and "denied" in na[0].reason
    assert "sg-1 ingress tcp/22 from 0.0.0.0/0" in open_[0].evidence


def test_global_collector_failure_makes_the_rule_not_assessed_everywhere():
    runs = [{"collector": "iam.credential_report", "service": "iam", "region": REG, "status": "failed",
             "action": "iam:GetCredentialReport", "message": "Throttling: rate exceeded"}]
    inv = inventory(iam_records(), runs)
    fs = findings(inv, "IAM-002", status=None)
    assert [f.status for f in fs] == [STATUS_NOT_ASSESSED]
    assert "Throttling" in fs[0].reason
    assert analyze(inv).counts()["critical"] == 0  # not assessed is not a failure


def test_rule_whose_collector_never_ran_is_not_assessed_not_passed():
    inv = inventory(Records(region=REG, account=ACCT), ok_runs("s3"))
    fs = findings(inv, "NET-009", status=None)
    assert [f.status for f in fs] == [STATUS_NOT_ASSESSED]
    assert "ec2:DescribeSecurityGroups" in fs[0].reason


def test_per_resource_gap_makes_that_resource_not_assessed():
    rec = Records(region=REG, account=ACCT)
    for name, pub in (("open-bucket", True), ("hidden-bucket", None)):
        rec.node(f"arn:aws:s3:::{name}", "s3:bucket", name, name=name, policy_public=pub,
                 public_access_block=None, account_public_access_block=None)
    gaps = [{"service": "s3", "region": REG, "action": "s3:GetBucketPolicy", "reason": "access denied",
             "resource": "arn:aws:s3:::hidden-bucket"}]
    fs = findings(inventory(rec, ok_runs("s3"), gaps), "STO-006", status=None)
    assert {(f.status, tuple(f.resources)) for f in fs} == {
        (STATUS_OPEN, ("arn:aws:s3:::open-bucket",)), (STATUS_NOT_ASSESSED, ("arn:aws:s3:::hidden-bucket",))}


def test_unknown_props_never_fire():
    """A prop the collector could not read is None: the rule stays silent rather than guess."""
    rec = Records(region=REG, account=ACCT)
    rec.node(f"arn:aws:ec2:{REG}:{ACCT}:volume/vol-1", "ebs:volume", "vol-1", volume_id="vol-1",
             encrypted=None, volume_type=None, state=None, attached_instance_ids=None)
    rec.node(f"arn:aws:rds:{REG}:{ACCT}:db:x", "rds:instance", "x", identifier="x", multi_az=None,
             encrypted=None, backup_retention=None, deletion_protection=None, publicly_accessible=None)
    inv = inventory(rec, ok_runs("ec2", "rds"))
    fired = {f.rule for f in analyze(inv).open_findings()}
    assert not fired & {"STO-001", "COST-001", "COST-003", "DB-001", "DB-002", "DB-003", "DB-004", "DB-005"}


# --- rules moto cannot plant -----------------------------------------------------------------
def test_old_tls_policy_and_single_az_lb_and_cache_without_failover():
    rec = Records(region=REG, account=ACCT)
    lb = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/app/old/1"
    li = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:listener/app/old/1/2"
    li2 = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:listener/app/old/1/3"
    rec.node(lb, "elbv2:load-balancer", "old", type="network", scheme="internal", azs=["us-east-1a"])
    rec.node(li, "elbv2:listener", "443", port=443, protocol="TLS", ssl_policy="ELBSecurityPolicy-2016-08")
    rec.node(li2, "elbv2:listener", "8443", port=8443, protocol="TLS",
             ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06")
    rec.edge(lb, li, "listens_on")
    rec.edge(lb, li2, "listens_on")
    rg = f"arn:aws:elasticache:{REG}:{ACCT}:replicationgroup:sessions"
    rec.node(rg, "elasticache:replication-group", "sessions", id="sessions", engine="redis",
             automatic_failover=False, members=["sessions-001"], transit_encryption=False,
             at_rest_encryption=True)
    inv = inventory(rec, ok_runs("elbv2", "elasticache"))
    tls = findings(inv, "DEL-002")
    assert [f.resources for f in tls] == [[li, lb]] and "ELBSecurityPolicy-2016-08" in tls[0].evidence[0]
    assert [f.resources for f in findings(inv, "RES-003")] == [[lb]]
    assert [f.resources for f in findings(inv, "DB-010")] == [[rg]]
    assert "in transit" in findings(inv, "DB-011")[0].evidence[0]


def test_single_nat_for_two_azs_is_named():
    rec = Records(region=REG, account=ACCT)
    a = lambda k, i: f"arn:aws:ec2:{REG}:{ACCT}:{k}/{i}"  # noqa: E731
    rec.node(a("vpc", "vpc-1"), "ec2:vpc", "v", vpc_id="vpc-1")
    for sid, az in (("subnet-a", "us-east-1a"), ("subnet-b", "us-east-1b")):
        rec.node(a("subnet", sid), "ec2:subnet", sid, subnet_id=sid, vpc_id="vpc-1", az=az)
    rec.node(a("route-table", "rtb-p"), "ec2:route-table", "p", route_table_id="rtb-p", vpc_id="vpc-1",
             subnet_ids=["subnet-a", "subnet-b"],
             routes=[{"dest": "0.0.0.0/0", "target": "nat-1", "target_type": "nat", "state": "active"}])
    rec.node(a("natgateway", "nat-1"), "ec2:nat-gateway", "nat", nat_id="nat-1", vpc_id="vpc-1",
             subnet_id="subnet-a", az="us-east-1a")
    inv = inventory(rec, ok_runs("ec2"))
    res = analyze(inv)
    f = [f for f in res.open_findings() if f.rule == "RES-002"]
    assert f and "us-east-1b" in f[0].evidence[0]
    assert res.ha["spofs"][0]["resource"] == a("natgateway", "nat-1")


# --- suppressions -----------------------------------------------------------------------------
def test_suppressions_yaml_and_toml(tmp_path: Path):
    y = tmp_path / "s.yaml"
    y.write_text("- rule: NET-00*\n  resource: 'sg-*'\n  reason: bastion, reviewed 2026-10\n")
    t = tmp_path / "s.toml"
    t.write_text('[[suppressions]]\nrule = "IAM-004"\nreason = "key rotated by vault"\n')
    assert load_suppressions(y)[0].reason == "bastion, reviewed 2026-10"
    assert load_suppressions(t)[0].resource == "*"


@pytest.mark.parametrize("text, msg", [
    ("- rule: NET-001\n", "no 'reason'"),
    ("rule: [unclosed\n", "not valid YAML"),
    ("- just a string\n", "not a mapping"),
    ("- {rule: NET-001, reason: x, resorce: y}\n", "unknown key"),
    ("rules:\n  - {rule: NET-001, reason: x}\n", "no 'suppressions' list"),
    ("", "is empty"),
])
def test_bad_suppressions_file_is_one_user_error(tmp_path: Path, text: str, msg: str):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(UserError, match=msg):
        load_suppressions(p)


def test_suppression_matches_short_id_and_marks_the_finding(tmp_path: Path):
    p = tmp_path / "s.yaml"
    p.write_text("suppressions:\n  - {rule: NET-001, resource: sg-1, reason: jump host}\n")
    inv = inventory(sg_records(REG, "sg-1").extend(sg_records(REG, "sg-2")), ok_runs("ec2"))
    res = analyze(inv, {"suppress_file": p})
    st = {f.resources[0].rsplit("/", 1)[-1]: (f.status, f.reason) for f in res.findings if f.rule == "NET-001"}
    assert st == {"sg-1": (STATUS_SUPPRESSED, "jump host"), "sg-2": (STATUS_OPEN, "")}
    assert res.counts()["high"] == 1


def test_a_rule_that_breaks_on_odd_data_is_not_assessed_and_the_rest_still_run():
    from scanner.analysis.findings import RuleContext, rule, run_rule

    @rule("TST-999", "test rule", severity="low", section="5.2", category="security",
          remediation="nothing to do here; this rule exists only for the test", needs=("ec2:DescribeVpcs",))
    def broken(ctx):
        raise TypeError("unexpected shape")

    try:
        inv = inventory(Records(region=REG, account=ACCT), ok_runs("ec2"))
        (f,) = run_rule(RULES["TST-999"], RuleContext(inv, analyze(inv)))
        assert f.status == STATUS_NOT_ASSESSED and "TypeError: unexpected shape" in f.reason
    finally:
        RULES.pop("TST-999", None)


def test_regional_service_rule_denied_in_one_region_is_not_a_finding_there():
    """GuardDuty denied in eu-west-1: no "GuardDuty off" claim there, but one for us-east-1."""
    runs = [{"collector": "guardduty.detectors", "service": "guardduty", "region": REG, "status": "ok"},
            {"collector": "guardduty.detectors", "service": "guardduty", "region": REG2, "status": "denied",
             "action": "guardduty:ListDetectors", "message": "access denied"}]
    rec = Records(region=REG, account=ACCT)
    for r in (REG, REG2):
        rec.node(f"aws://account/{ACCT}/region/{r}", "aws:region", r, region=r, enabled=True)
    fs = findings(inventory(rec, runs), "LOG-005", status=None)
    assert {(f.status, tuple(f.resources)) for f in fs} == {
        (STATUS_OPEN, (f"aws://account/{ACCT}/region/{REG}",)), (STATUS_NOT_ASSESSED, ())}
    assert [f.reason for f in fs if f.status == STATUS_NOT_ASSESSED][0].count(REG2) == 1


def service_records() -> Records:
    rec = Records(region=REG, account=ACCT)
    rec.node(f"arn:aws:eks:{REG}:{ACCT}:cluster/k", "eks:cluster", "k", name="k", endpoint_public=True,
             public_cidrs=["0.0.0.0/0"], secrets_encrypted=False)
    rec.node(f"arn:aws:eks:{REG}:{ACCT}:cluster/ok", "eks:cluster", "ok", name="ok", endpoint_public=True,
             public_cidrs=["198.51.100.0/24"], secrets_encrypted=True)
    rec.node(f"arn:aws:sqs:{REG}:{ACCT}:open", "sqs:queue", "open", name="open", sse="none", policy_public=True)
    rec.node(f"arn:aws:sqs:{REG}:{ACCT}:closed", "sqs:queue", "closed", name="closed", sse="kms",
             policy_public=False)
    rec.node(f"arn:aws:acm:{REG}:{ACCT}:certificate/1", "acm:certificate", "shop.example.com",
             domain="shop.example.com", status="ISSUED", days_to_expiry=12, not_after="2026-12-07", in_use=True,
             in_use_by=["x"])
    rec.node(f"arn:aws:acm:{REG}:{ACCT}:certificate/2", "acm:certificate", "later.example.com",
             domain="later.example.com", status="ISSUED", days_to_expiry=200, in_use=True)
    rec.node(f"arn:aws:secretsmanager:{REG}:{ACCT}:secret:app-1", "secretsmanager:secret", "app",
             name="app", rotation_enabled=False)
    rec.node(f"arn:aws:secretsmanager:{REG}:{ACCT}:secret:rds!db-1", "secretsmanager:secret", "rds!db-1",
             name="rds!db-1", rotation_enabled=False)
    rec.node(f"arn:aws:cloudfront::{ACCT}:distribution/D1", "cloudfront:distribution", "d1", region="global",
             viewer_protocol_policies=["allow-all"], min_tls="TLSv1 (default certificate)", web_acl=None,
             enabled=True)
    return rec


def test_service_rules_fire_on_the_bad_resource_only():
    inv = inventory(service_records(), ok_runs("eks", "sqs", "acm", "secretsmanager", "cloudfront", "wafv2",
                                               "elbv2"))
    res = analyze(inv)
    got = {(f.rule, f.resources[0].rsplit("/", 1)[-1].rsplit(":", 1)[-1]) for f in res.open_findings()
           if f.rule.startswith("SVC")}
    assert got == {("SVC-001", "k"), ("SVC-002", "k"), ("SVC-004", "open"), ("SVC-005", "open"),
                   ("SVC-007", "1"), ("SVC-006", "app-1"), ("SVC-008", "D1"), ("SVC-009", "D1")}
    cf = [f for f in res.open_findings() if f.rule == "SVC-008"][0]
    assert any("allow-all" in e for e in cf.evidence) and any("TLSv1" in e for e in cf.evidence)
    assert "expires in 12 days" in [f for f in res.open_findings() if f.rule == "SVC-007"][0].evidence[0]


def test_waf_with_unreadable_associations_does_not_accuse_the_alb():
    rec = Records(region=REG, account=ACCT)
    lb = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/app/web/1"
    rec.node(lb, "elbv2:load-balancer", "web", type="application", scheme="internet-facing")
    rec.node(f"arn:aws:wafv2:{REG}:{ACCT}:regional/webacl/w/1", "wafv2:web-acl", "w", associated_arns=None)
    inv = inventory(rec, ok_runs("wafv2", "elbv2"))
    assert findings(inv, "SVC-009") == []
    rec.nodes[-1].props["associated_arns"] = [lb]
    assert findings(inventory(rec, ok_runs("wafv2", "elbv2")), "SVC-009") == []
    rec.nodes[-1].props["associated_arns"] = []
    assert [f.resources for f in findings(inventory(rec, ok_runs("wafv2", "elbv2")), "SVC-009")] == [[lb]]


def test_no_rule_breaks_on_odd_prop_values():
    """Every kind with every promised prop set to odd values (wrong types, empty, negative): the rules
    must evaluate (a crash would turn into "not assessed"), so an unusual account still gets audited."""
    import random

    from scanner.analysis import exposure, findings, ha
    from scanner.analysis.model import Analysis
    from scanner.vocab import KINDS

    rnd = random.Random(7)
    odd = [None, True, False, 0, -1, 99999, "", "x", "none", [], ["a", 1, None], [{"a": 1}], {"k": "v"}, 3.5]
    runs = ok_runs(*{c for c in ("ec2", "s3", "iam", "rds", "elbv2", "elb", "lambda", "kms", "logs", "cloudwatch",
                                 "cloudtrail", "guardduty", "config", "securityhub", "eks", "ecr", "ecs", "sqs",
                                 "sns", "secretsmanager", "acm", "cloudfront", "wafv2", "elasticache", "dynamodb",
                                 "autoscaling", "codebuild", "codedeploy", "cloudformation", "efs", "fsx")})
    broken: dict[str, str] = {}
    for _ in range(40):
        rec = Records(region=REG, account=ACCT)
        for i, (kind, props) in enumerate(KINDS.items()):
            if kind != "internet":
                rec.node(f"arn:aws:x:{REG}:{ACCT}:{kind}/{i}", kind, f"n{i}", **{p: rnd.choice(odd) for p in props})
        inv = inventory(rec, runs)
        res = Analysis()
        for step in (exposure, ha, findings):
            step.run(inv, res, {})
        broken.update({f.rule: f.reason for f in res.findings if "could not evaluate" in f.reason})
    assert not broken


def test_overview_infers_purpose_only_from_evidence():
    from renderers.facts.analysis import objectives

    rec = Records(region=REG, account=ACCT)
    rec.node(f"arn:aws:ec2:{REG}:{ACCT}:vpc/vpc-1", "ec2:vpc", "vpc-1", vpc_id="vpc-1")
    assert objectives(inventory(rec, [])) == []  # no tags, no naming pattern: nothing is claimed
    tagged = Records(region=REG, account=ACCT)
    for i in range(2):
        tagged.node(f"arn:aws:s3:::payments-ledger-{i}", "s3:bucket", f"payments-ledger-{i}", name="x",
                    tags={"Project": "payments", "Environment": "prod", "CostCenter": "cc-7"})
    lines = objectives(inventory(tagged, []))
    assert lines[0].startswith("Business purpose (inferred from Project/Application tags)") and "payments" in lines[0]
    assert any("production workloads are present" in line for line in lines)
    assert any("cc-7" in line for line in lines)


def test_unreadable_account_wide_setting_blocks_the_rule_in_every_region():
    """Account-level S3 Block Public Access could not be read: no bucket may be accused of lacking BPA."""
    rec = Records(region=REG2, account=ACCT)
    rec.node("arn:aws:s3:::b", "s3:bucket", "b", region=REG2, name="b", public_access_block=None,
             account_public_access_block=None)
    gaps = [{"service": "s3", "region": REG, "action": "s3:GetAccountPublicAccessBlock", "reason": "access denied",
             "resource": ""}]
    fs = findings(inventory(rec, ok_runs("s3"), gaps), "STO-005", status=None)
    assert [f.status for f in fs] == [STATUS_NOT_ASSESSED] and "GetAccountPublicAccessBlock" in fs[0].reason
    fs = findings(inventory(rec, ok_runs("s3")), "STO-005", status=None)
    assert [(f.status, f.resources) for f in fs] == [(STATUS_OPEN, ["arn:aws:s3:::b"])]


def test_priced_savings_duplicate_is_folded_into_the_rule_finding():
    from scanner.analysis.findings import fold_priced_duplicates
    from scanner.analysis.model import Analysis, Finding

    vol = f"arn:aws:ec2:{REG}:{ACCT}:volume/vol-1"
    mk = lambda rule, ev, save: Finding(rule=rule, title=rule, severity="low", section="10.2",  # noqa: E731
                                        category="cost", resources=[vol], evidence=[ev], remediation="r",
                                        savings_monthly=save)
    a = Analysis(findings=[mk("COST-001", "vol-1 attached to nothing", None),
                           mk("SAV-001", "vol-1: 100 GiB gp3 at $0.08", 8.0),
                           mk("SAV-009", "bucket without lifecycle", 1.0)])
    assert fold_priced_duplicates(a) == 1
    assert [f.rule for f in a.findings] == ["COST-001", "SAV-009"]
    assert a.findings[0].savings_monthly == 8.0 and len(a.findings[0].evidence) == 2


# --- the shared readings of a judged yes/no and of a rule over one fact ---------------------------
def test_one_flag_reading_serves_every_boolean_judge():
    """``JudgeContext.flag``: True/False with the judge's words; None is unknown with the failed
    read's reason, or "<field> not stated in the <action> answer" where the read succeeded."""
    from scanner.judge.context import JudgeContext

    nid = "arn:aws:redshift:us-east-1:123456789012:cluster:dw"
    gap = {"action": "redshift:DescribeClusters", "resource": nid, "region": "us-east-1", "reason": "access denied"}
    node = {"id": nid, "kind": "redshift:cluster", "name": "dw", "region": "us-east-1"}
    ctx = JudgeContext(Inventory(meta={"gaps": [gap]}))
    assert ctx.flag({**node, "props": {"encrypted": True}}, "encrypted", "on", "off").text() == "yes"
    assert ctx.flag({**node, "props": {"encrypted": False}}, "encrypted", "on", "off").why == "off"
    unread = ctx.flag({**node, "props": {}}, "encrypted", "on", "off", "redshift:DescribeClusters")
    assert unread.unknown and unread.why == "redshift:DescribeClusters: access denied"
    clean = JudgeContext(Inventory(meta={}))
    said = clean.flag({**node, "props": {"encrypted": None}}, "encrypted", "on", "off", "redshift:DescribeClusters",
                      field="Encrypted")
    assert said.unknown and said.why == "Encrypted not stated in the redshift:DescribeClusters answer"
    assert clean.not_stated(node, "kafka:ListClustersV2", "ClusterType", "NEW").why == "ClusterType 'NEW' not understood"


def test_judged_each_builds_evidence_only_for_what_fires():
    from scanner import judge
    from scanner.analysis.findings import RuleContext
    from scanner.analysis.model import Analysis
    from scanner.analysis.rules._util import judged_each

    rec = Records(region="us-east-1", account="123456789012")
    for name, on in (("a", True), ("b", False), ("c", None)):
        rec.node(f"arn:aws:redshift:us-east-1:123456789012:cluster:{name}", "redshift:cluster", name, encrypted=on)
    inv = Inventory(meta={"regions": ["us-east-1"]})
    inv.merge([rec])
    judge.run(inv)
    asked: list[str] = []
    hits = list(judged_each(RuleContext(inv, Analysis()), inv.nodes("redshift:cluster"), "encrypted", "no",
                            lambda n: asked.append(n["name"]) or f"cluster {n['name']}"))
    assert asked == ["b"]
    assert sorted((h.resources[0].rsplit(":", 1)[-1], tuple(h.evidence), bool(h.unknown)) for h in hits) == [
        ("b", ("cluster b",), False), ("c", (), True)]

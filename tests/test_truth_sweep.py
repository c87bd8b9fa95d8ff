"""Claims the denial sweep caught: each read denied alone, the cell it fed says unknown, not "none".

The sweep (every read of the sample account denied one at a time, every changed table cell
compared) found these; each is pinned here on the transform or the graph, without a scan.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from renderers.facts import compute as compute_facts
from renderers.facts import security as security_facts
from scanner import judge
from scanner.analysis import ha
from scanner.collectors import security as sec
from scanner.context import ScanContext
from scanner.inventory import Inventory, Records
from tests.conftest import scan_account, section
from tests.support.denials import deny

ACCT = "123456789012"
REG = "us-east-1"


def _ctx() -> ScanContext:
    return ScanContext(boto3.Session(region_name=REG), REG, ACCT, regions=(REG,))


def test_acm_describe_denied_leaves_users_and_names_unknown_not_none():
    at = datetime(2026, 6, 1, tzinfo=UTC)
    arn = f"arn:aws:acm:{REG}:{ACCT}:certificate/c1"
    summary = {"CertificateArn": arn, "DomainName": "app.example.com", "NotAfter": at + timedelta(days=90),
               "_summary_only": True}
    recs = sec.transform_certificates(_ctx(), [summary], at=at)
    recs.gap("acm", "acm:DescribeCertificate", "access denied", resource=arn)
    inv = Inventory(meta={"regions": [REG], "account": ACCT})
    inv.merge([recs])
    node = inv.node(arn)
    assert node["props"]["in_use_by"] is None and node["props"]["sans"] is None
    row = security_facts.certificate_rows(inv)[0]
    assert row[2].startswith("unknown (acm:DescribeCertificate") and row[-1].startswith("unknown (acm:DescribeCertificate")
    assert security_facts.certificate_summary(inv)["unused"] == 0


def test_target_group_is_not_called_unused_when_its_users_could_not_be_read():
    rec = Records(region=REG, account=ACCT)
    tg = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:targetgroup/web-api-tg/abc"
    rec.node(tg, "elbv2:target-group", "web-api-tg", name="web-api-tg", protocol="HTTP", port=80,
             target_type="ip", vpc_id="vpc-1", health_check={}, targets=[])
    inv = Inventory(meta={"regions": [REG], "account": ACCT})
    inv.merge([rec])
    inv.meta["runs"] = [{"collector": "ecs.clusters", "service": "ecs", "region": REG, "status": "denied",
                         "action": "ecs:ListClusters", "message": "access denied"}]
    assert compute_facts.target_group_rows(inv)[0][-1].startswith("unknown (ecs.clusters denied")
    inv.meta["runs"][0]["status"] = "ok"
    assert compute_facts.target_group_rows(inv)[0][-1] == "unused"


def test_efs_mount_targets_not_read_are_unknown_in_the_ha_table():
    rec = Records(region=REG, account=ACCT)
    fs = f"arn:aws:elasticfilesystem:{REG}:{ACCT}:file-system/fs-1"
    rec.node(fs, "efs:file-system", "shared", fs_id="fs-1", name="shared", size_bytes=0, encrypted=True,
             kms_key=None, performance_mode=None, throughput_mode=None, backup_policy=None, lifecycle=None)
    rec.gap("efs", "elasticfilesystem:DescribeMountTargets", "access denied", resource=fs)
    inv = Inventory(meta={"regions": [REG], "account": ACCT})
    inv.merge([rec])
    judge.run(inv)
    items = [i for v in ha.compute(inv)["vpcs"] for t in v["tiers"] for i in t["items"]]
    assert [i["detail"] for i in items if i["id"] == fs] == [
        "mount targets unknown (elasticfilesystem:DescribeMountTargets not read)"]


# --- one sample scan with the reads the sweep caught denied together ----------------------------
SWEPT = ("autoscaling:DescribePolicies", "autoscaling:DescribeScheduledActions", "ecs:DescribeServices",
         "elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheSubnetGroups", "backup:GetBackupPlan")


def _no_access_analyzer(session):
    """An endpoint without the Access Analyzer API (as moto is): the run is "unavailable", not denied."""
    def missing(**_):
        raise NotImplementedError

    session.events.register("before-call.accessanalyzer.ListAnalyzers", missing)


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    from fixtures.sample import build_sample

    def before(session):
        deny(*SWEPT)(session)
        _no_access_analyzer(session)

    return scan_account(build_sample, tmp_path_factory.mktemp("swept"), regions=["us-east-1"], before_scan=before)


def test_section_1_lists_what_could_not_be_seen(swept):
    s1 = section(swept.doc, "1")
    assert "Complete view | no: " in s1 and "per-resource reads not possible" in s1
    assert "backup:GetBackupPlan in us-east-1 for web-platform-daily" in s1 and "(section 9.2)" in s1


def test_an_endpoint_without_access_analyzer_is_unknown_never_off(swept):
    """No Access Analyzer API at the endpoint: we could not look, so the fact is unknown (never "off"),
    and 5.1, 5.4 and 12.3 say the same."""
    unknown = "unknown (accessanalyzer.analyzers: not implemented by this endpoint"
    table = section(swept.doc, "5.4").split("compliance services per region")[1].split("GuardDuty detectors")[0]
    row = next(line for line in table.splitlines() if line.startswith("| us-east-1 |"))
    assert row.split("|")[-2].strip().startswith(unknown), row
    assert "accessanalyzer.analyzers: not implemented by this endpoint" in section(swept.doc, "5.1")
    assert f"| {unknown}" in section(swept.doc, "12.3")


def test_unread_scaling_policies_and_schedules_are_unknown_not_none(swept):
    s81 = section(swept.doc, "8.1")
    row = next(line for line in s81.splitlines() if line.startswith("| web-app-asg"))
    assert "none (fixed size)" not in row and "unknown (autoscaling:DescribePolicies" in row
    assert "unknown (autoscaling:DescribeScheduledActions" in row
    assert "Without a scaling policy" not in s81


def test_unread_ecs_services_are_not_counted_as_zero(swept):
    s32 = section(swept.doc, "3.2")
    row = next(line for line in s32.splitlines() if line.startswith("| us-east-1 |") and "ACTIVE" in line.upper())
    assert "unknown (ecs:DescribeServices" in row
    tg = next(line for line in section(swept.doc, "8.3").splitlines() if "web-api-tg" in line)
    assert "unused" not in tg and "unknown (" in tg


def test_unread_cache_settings_are_unknown_not_off(swept):
    rows = [line for line in section(swept.doc, "6.3").splitlines() if line.startswith("| us-east-1 |")]
    assert rows
    for line in rows:
        assert "no / no" not in line
        assert "unknown (elasticache:DescribeCacheSubnetGroups" in line


def test_an_unreadable_backup_plan_never_makes_a_store_unprotected(swept):
    s92 = section(swept.doc, "9.2")
    assert "NOT PROTECTED" not in s92
    assert "could not be read (backup:GetBackupPlan)" in s92
    for n in swept.inv.nodes("ebs:volume", "s3:bucket"):
        f = swept.inv.fact(n["id"], "protected")
        assert f is not None and not f.no, (n["id"], f)


SWEPT2 = ("cloudtrail:GetEventSelectors", "codebuild:ListBuildsForProject",
          "codedeploy:ListApplications", "codepipeline:GetPipeline", "elbv2:DescribeListeners",
          "iam:GetAccountAuthorizationDetails", "kms:DescribeKey")


@pytest.fixture(scope="module")
def swept2(tmp_path_factory):
    from fixtures.sample import build_sample

    return scan_account(build_sample, tmp_path_factory.mktemp("swept2"), regions=["us-east-1"],
                        before_scan=deny(*SWEPT2))


def _row(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_second_batch_of_unread_cells_say_unknown(swept2):
    doc = swept2.doc
    trail = _row(section(doc, "5.4"), "| account-audit")
    assert trail.count("unknown (cloudtrail:GetEventSelectors") == 2, trail
    build = _row(section(doc, "7.2"), "| us-east-1")
    assert "none recorded" not in build and "unknown (codebuild:ListBuildsForProject" in build
    lb = _row(section(doc, "8.3"), "| web-platform-alb")
    assert "unknown (elasticloadbalancing:DescribeListeners" in lb
    for user in ("alice", "bob"):
        assert "unknown (iam:GetAccountAuthorizationDetails" in _row(section(doc, "5.1"), f"| {user}")
    keys = [line for line in section(doc, "5.3").splitlines() if "(no alias)" in line or "alias/web-platform" in line]
    assert keys and all(" - |" not in k for k in keys if "| us-east-1 |" in k)


def test_alarm_without_actions_is_not_assessed_when_codedeploy_was_not_read(swept2):
    alarm = next(a for a in swept2.inv.nodes("cloudwatch:alarm") if a["name"] == "web-deploy-5xx")
    assert not [f for f in swept2.analysis.open_findings() if f.rule == "LOG-011" and alarm["id"] in f.resources]
    assert [f for f in swept2.analysis.findings if f.rule == "LOG-011" and f.status == "not_assessed"]


def test_alarm_coverage_is_unknown_where_alarms_were_not_read():
    from renderers.facts import operations

    rec = Records(region=REG, account=ACCT)
    lb = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/app/web/abc"
    rec.node(lb, "elbv2:load-balancer", "web", name="web")
    inv = Inventory(meta={"regions": [REG], "account": ACCT})
    inv.merge([rec])
    inv.meta["runs"] = [{"collector": "cloudwatch.alarms", "service": "cloudwatch", "region": REG,
                         "status": "denied", "action": "cloudwatch:DescribeAlarms", "message": "access denied"}]
    row = next(r for r in operations.alarm_coverage(inv) if r["total"] == 1)
    assert str(row["watched"]).startswith("unknown (cloudwatch:DescribeAlarms") and row["unwatched"] != []


SWEPT3 = ("ec2:DescribeSnapshots", "sqs:GetQueueAttributes", "stepfunctions:DescribeStateMachine",
          "wafv2:GetWebACL", "s3:GetBucketLifecycleConfiguration", "codepipeline:ListPipelineExecutions",
          "route53:GetHostedZone", "rds:DescribeDBInstances")


@pytest.fixture(scope="module")
def swept3(tmp_path_factory):
    from fixtures.sample import build_sample

    return scan_account(build_sample, tmp_path_factory.mktemp("swept3"), regions=["us-east-1"],
                        before_scan=deny(*SWEPT3))


def test_third_batch_of_unread_cells_say_unknown(swept3):
    doc = swept3.doc
    vol = _row(section(doc, "9.2"), "| EBS volume | us-east-1 | shared-data")
    assert "unknown (snapshots not read" in vol and "NOT PROTECTED" not in vol
    orders = _row(section(doc, "3.3"), "| us-east-1 | orders |")
    assert "unknown (sqs:GetQueueAttributes" in orders
    for q in swept3.inv.nodes("sqs:queue"):  # not "always encrypted" when the setting was not read
        assert swept3.inv.fact(q["id"], "encrypted").unknown
    machine = next(line for line in section(doc, "3.3").splitlines() if "order-workflow" in line and line.startswith("| us-east-1"))
    assert "unknown (states:DescribeStateMachine" in machine
    acl = _row(section(doc, "5.4"), "| us-east-1 | web-platform-alb")
    assert acl.count("unknown (wafv2:GetWebACL") == 2
    run = next(line for line in section(doc, "7.4").splitlines() if "web-platform-release" in line)
    assert "none recorded" not in run and "unknown (codepipeline:ListPipelineExecutions" in run
    zone = _row(section(doc, "9.3"), "| internal.webplatform")
    assert "unknown (route53:GetHostedZone" in zone
    groups = [line for line in section(doc, "6.1").splitlines() if "unused" in line]
    assert groups == [], groups
    assert not [f for f in swept3.analysis.open_findings() if f.rule == "SAV-009"]


def test_what_invokes_a_function_and_who_uses_a_key_pair_are_unknown_when_not_read():
    from renderers.facts import serverless

    rec = Records(region=REG, account=ACCT)
    fn = f"arn:aws:lambda:{REG}:{ACCT}:function:worker"
    rec.node(fn, "lambda:function", "worker", name="worker")
    rec.node(f"arn:aws:ec2:{REG}:{ACCT}:key-pair/ops", "ec2:key-pair", "ops", key_name="ops")
    inv = Inventory(meta={"regions": [REG], "account": ACCT})
    inv.merge([rec])
    inv.meta["runs"] = [{"collector": "apigateway.rest_apis", "service": "apigateway", "region": REG,
                         "status": "denied", "action": "apigateway:GET", "message": "access denied"},
                        {"collector": "ec2.instances", "service": "ec2", "region": REG,
                         "status": "denied", "action": "ec2:DescribeInstances", "message": "access denied"}]
    row = serverless.function_rows(inv)[0]
    assert "unknown (apigateway:GET" in row[8] and "none found" not in row[8]
    assert compute_facts.key_pair_rows(inv)[0][-1].startswith("unknown (ec2:DescribeInstances")
    inv.meta["runs"] = []
    assert serverless.function_rows(inv)[0][8] == "none found"
    assert compute_facts.key_pair_rows(inv)[0][-1] == 0

"""Claims the denial sweep caught: each read denied alone, the cell it fed says unknown, not "none".

The sweep (every read of the sample account denied one at a time, every changed table cell
compared) found these; each is pinned here on the transform or the graph, without a scan.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from renderers.facts import compute as compute_facts
from renderers.facts import security as security_facts
from scanner import judge
from scanner.analysis import ha
from scanner.collectors import security as sec
from scanner.context import ScanContext
from scanner.inventory import Inventory, Records

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

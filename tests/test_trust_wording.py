"""What the document says about reads that did not work: a failure is named as a failure (its
call and its answer), "missing permission" is said of denials only, and an emulator's or proxy's
unparseable page never lands in the report as raw text."""

from __future__ import annotations

import boto3
from botocore.parsers import ResponseParserError
from moto import mock_aws

from scanner.collectors import Collector
from scanner.context import ScanContext
from scanner.inventory import Inventory
from scanner.runner import run_one


def _run(collector: str, state: str, action: str, message: str) -> dict:
    return {"collector": collector, "service": collector.split(".")[0], "region": "eu-central-1",
            "status": state, "action": action, "message": message}


def test_an_unparseable_html_answer_is_a_named_failure_not_a_quoted_page():
    def fn(ctx: ScanContext):
        ctx.last_call = ("elasticache", "describe_serverless_caches")
        raise ResponseParserError("Unable to parse response (syntax error), invalid XML received. "
                                  "Further retries may succeed: b'<!doctype html>\\n<html lang=en><title>500</title>'")

    res = run_one(Collector(name="elasticache.serverless", service="elasticache", scope="regional", fn=fn),
                  ScanContext(None, "eu-central-1", "123456789012"))
    assert res.status == "failed"
    assert res.action == "elasticache:DescribeServerlessCaches"
    assert "HTML error page" in res.message
    assert "<" not in res.message and "ResponseParserError" not in res.message


def test_a_failed_read_is_not_called_a_missing_permission():
    from renderers.facts import analysis, network

    inv = Inventory(meta={"regions": ["eu-central-1"], "runs": [
        _run("directconnect.virtual_interfaces", "failed", "directconnect:DescribeVirtualInterfaces",
             "500: the endpoint answered with an HTML error page (HTTP 500)"),
        _run("ec2.nat_gateways", "denied", "ec2:DescribeNatGateways", "access denied")]})
    lines = {g["what"]: g for g in network.gaps(inv, "2.3")}
    failed, denied = lines["directconnect.virtual_interfaces"], lines["ec2.nat_gateways"]
    assert failed["action"] is None and "directconnect:DescribeVirtualInterfaces failed" in failed["reason"]
    assert denied["action"] == "ec2:DescribeNatGateways"
    unseen = "\n".join(analysis.unseen(inv))
    assert "failed directconnect:DescribeVirtualInterfaces (500" in unseen
    assert "missing directconnect:DescribeVirtualInterfaces" not in unseen
    assert "denied, missing ec2:DescribeNatGateways" in unseen


def test_snapshots_of_other_owners_are_not_counted_as_the_accounts():
    from scanner.collectors.storage import collect_snapshots

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
        mine = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
        # an AMI's snapshot owned by Amazon, as moto makes for every public AMI it loads (a moto
        # server does by default); moto's DescribeSnapshots ignores OwnerIds=self and lists it
        from moto.ec2.models import ec2_backends

        ec2_backends["123456789012"]["us-east-1"].create_snapshot(vol, "Auto-created snapshot for AMI",
                                                                 owner_id="801119661308")
        listed = ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
        session = boto3.Session(region_name="us-east-1")
        account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
        records = collect_snapshots(ScanContext(session, "us-east-1", account))
    snaps = [n for n in records.nodes if n.kind == "ebs:snapshot"]
    assert len(listed) > 1, "the emulator ignores OwnerIds (else this test proves nothing)"
    assert [n.props["snapshot_id"] for n in snaps] == [mine]

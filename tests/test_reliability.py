"""Reliability guarantees that need no fixture account: interruption, missing Graphviz, --strict, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto import mock_aws

from renderers import report as report_mod
from renderers.report import write_report
from scanner.analysis import analyze
from scanner.collectors.registry import Collector
from scanner.inventory import Inventory, Records, atomic_write
from scanner.runner import scan
from scanner.session import Identity


def _collector(name: str, fn) -> Collector:
    return Collector(name=name, service="ec2", scope="regional", fn=fn)


def _vpc_collector(ctx):
    out = ctx.records()
    out.node(ctx.ec2_arn("vpc", f"vpc-{ctx.region}"), "ec2:vpc", f"vpc-{ctx.region}", vpc_id=f"vpc-{ctx.region}",
             cidr="10.0.0.0/16")
    return out


IDENTITY = Identity(account="123456789012", arn="arn:aws:iam::123456789012:user/test", user_id="AID")


def test_ctrl_c_keeps_what_was_collected_and_marks_it_partial(tmp_path):
    calls = {"n": 0}

    def progress(event, payload):
        if event == "done":
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt

    with mock_aws():
        import boto3

        inv = scan(boto3.Session(region_name="us-east-1"), IDENTITY, ["us-east-1", "eu-west-1", "ap-south-1"],
                   collectors=[_collector("test.vpcs", _vpc_collector)], workers=1, progress=progress)
    assert inv.meta["partial"] is True
    assert "interrupted" in inv.meta["interrupted"]
    assert 1 <= len(inv.nodes("ec2:vpc")) <= 3
    files = write_report(inv, analyze(inv), tmp_path)
    doc = files.document.read_text()
    assert "**Partial scan.**" in doc
    assert json.loads(files.inventory.read_text())["meta"]["partial"] is True


def test_without_dot_the_document_and_dot_sources_are_still_written(tmp_path, monkeypatch):
    monkeypatch.setattr(report_mod.shutil, "which", lambda name: None)
    inv = Inventory(meta={"account": "123456789012", "regions": ["us-east-1"]})
    files = write_report(inv, analyze(inv), tmp_path)
    assert files.document.exists()
    assert sorted(p.name for p in (tmp_path / "diagrams").iterdir()) == ["aws_architecture.dot", "aws_security.dot", "cicd.dot"]
    assert any("dot" in w and "not installed" in w for w in files.warnings)


def test_strict_exit_code_when_something_was_not_seen():
    from scanner.analysis.model import Analysis
    from scanner.cli import EXIT_STRICT, exit_code

    inv = Inventory(meta={"runs": [{"collector": "elbv2.lbs", "service": "elbv2", "region": "us-east-1",
                                     "status": "denied", "action": "elasticloadbalancing:DescribeLoadBalancers"}]})
    assert exit_code(inv, Analysis(), {}, strict=False) == 0
    assert exit_code(inv, Analysis(), {}, strict=True) == EXIT_STRICT
    clean = Inventory(meta={"runs": [{"collector": "x", "service": "ec2", "region": "us-east-1", "status": "ok"}]})
    assert exit_code(clean, Analysis(), {}, strict=True) == 0


def test_a_failing_collector_never_stops_the_scan():
    def broken(ctx):
        raise RuntimeError("unexpected shape")

    with mock_aws():
        import boto3

        inv = scan(boto3.Session(region_name="us-east-1"), IDENTITY, ["us-east-1"],
                   collectors=[_collector("test.broken", broken), _collector("test.vpcs", _vpc_collector)])
    runs = {r["collector"]: r for r in inv.meta["runs"]}
    assert runs["test.broken"]["status"] == "failed" and "unexpected shape" in runs["test.broken"]["message"]
    assert runs["test.vpcs"]["status"] == "ok"
    assert inv.nodes("ec2:vpc")


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "design.md"
    target.write_text("old")

    class Boom:
        def __str__(self):
            raise RuntimeError

    with pytest.raises(TypeError):
        atomic_write(target, Boom())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["design.md"], "no temp file left behind"


def test_records_refuse_secret_props():
    with pytest.raises(ValueError, match="secret"):
        Records().node("arn:x", "lambda:function", "f", environment={"API_KEY": "x"})
    with pytest.raises(ValueError, match="secret"):
        Records().node("arn:y", "ec2:instance", "i", user_data="#!/bin/sh")


def test_snapshot_write_is_deterministic(tmp_path):
    out = Records(region="us-east-1", account="1")
    for i in (3, 1, 2):
        out.node(f"arn:aws:ec2:us-east-1:1:vpc/vpc-{i}", "ec2:vpc", f"v{i}", cidr=f"10.{i}.0.0/16")
    a, b = Inventory(meta={}), Inventory(meta={})
    a.merge([out])
    b.merge([Records(region="us-east-1", account="1").extend(out)])
    assert a.to_json() == b.to_json()
    assert Path(a.save(tmp_path / "i.json")).read_text() == a.to_json()


def _raise(code: str, message: str = "x"):
    from botocore.exceptions import ClientError

    def fn(ctx):
        raise ClientError({"Error": {"Code": code, "Message": message}}, "DescribeLoadBalancers")
    return fn


def _ctx(region: str = "eu-west-1"):
    from scanner.context import ScanContext

    return ScanContext(None, region, "123456789012", home_region="us-east-1")


def test_denials_name_the_missing_action_and_an_scp_deny_is_named_as_such():
    from scanner.runner import run_one

    coll = Collector(name="elbv2.lbs", service="elbv2", scope="regional", fn=_raise("AccessDenied"))
    res = run_one(coll, _ctx())
    assert (res.status, res.action) == ("denied", "elasticloadbalancing:DescribeLoadBalancers")
    scp = Collector(name="elbv2.lbs", service="elbv2", scope="regional", fn=_raise(
        "AccessDeniedException", "User: x is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers "
        "with an explicit deny in a service control policy"))
    assert "service control policy" in run_one(scp, _ctx()).message


def test_regions_not_enabled_and_services_not_offered_are_quiet():
    from scanner.runner import run_one

    for code, status in (("OptInRequired", "unavailable"), ("SubscriptionRequiredException", "unavailable"),
                         ("AuthFailure", "region_disabled")):
        res = run_one(Collector(name="x.y", service="ec2", scope="regional", fn=_raise(code)), _ctx())
        assert res.status == status, code
    inv = Inventory(meta={"runs": [{"collector": "x.y", "service": "ec2", "region": "eu-west-1",
                                     "status": "unavailable"}], "regions": ["eu-west-1"]})
    from renderers.document import DocHelpers

    assert str(DocHelpers(inv, None, {}).gaps("ec2")) == "", "nothing to report for a service not offered"


def test_error_messages_are_one_short_line():
    from botocore.exceptions import ClientError

    from scanner.context import error_message

    html = ClientError({"Error": {"Code": "500", "Message": "<!doctype html>\n<html><title>500</title>"},
                        "ResponseMetadata": {"HTTPStatusCode": 500}}, "DescribeVirtualInterfaces")
    assert error_message(html) == "the endpoint answered with an HTML error page (HTTP 500)"
    long = ClientError({"Error": {"Code": "X", "Message": "a\n" * 400}}, "Op")
    assert "\n" not in error_message(long) and len(error_message(long)) <= 300


def test_a_read_still_failing_after_retries_is_a_gap_not_a_lost_collector():
    from botocore.exceptions import ConnectionClosedError

    from scanner.context import guarded

    out = Records(region="us-east-1", account="1")

    def reset():
        raise ConnectionClosedError(endpoint_url="http://127.0.0.1:1")

    assert guarded(out, "ce", "GetAnomalyMonitors", reset, region="us-east-1") is None
    assert [(g.action, g.reason) for g in out.gaps] == [
        ("ce:GetAnomalyMonitors", "no answer after retries (ConnectionClosedError)")]

"""awsscan diff: an unchanged account gives an empty diff; a planted change is named, by section,
with the finding it opens, and the drift gates exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from renderers.report import write_report
from scanner.analysis import analyze
from scanner.cli import EXIT_FINDINGS, EXIT_USAGE, app
from scanner.runner import scan
from scanner.session import make_session, verify_identity


def snapshot(out: Path) -> Path:
    session = make_session(None, "us-east-1")
    inv = scan(session, verify_identity(session), ["us-east-1"], name="Diff", alias="diff")
    write_report(inv, analyze(inv, {}), out, project_name="Diff")
    return out / "inventory.json"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from fixtures.sample import build_sample

    base = tmp_path_factory.mktemp("diff")
    with mock_aws():
        ids = build_sample()
        first = snapshot(base / "first")
        again = snapshot(base / "again")  # nothing touched in between
        ec2 = boto3.client("ec2", region_name="us-east-1")
        sg = ec2.create_security_group(GroupName="wide-open-ssh", Description="planted",
                                       VpcId=ids["vpc_id"])["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        ec2.run_instances(
            ImageId=ids["ami_id"], MinCount=1, MaxCount=1, InstanceType="t3.micro",
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": ids["public_subnet_ids"][0], "Groups": [sg],
                                "AssociatePublicIpAddress": True}])
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="diff-new-bucket-123456789012")
        changed = snapshot(base / "changed")
    return {"first": first, "again": again, "changed": changed, "sg": sg}


def test_an_unchanged_account_gives_an_empty_diff(scans: dict[str, Path], tmp_path: Path) -> None:
    result = invoke("diff", str(scans["first"]), str(scans["again"]), "--out", str(tmp_path / "d"),
                    "--fail-on-change")
    d = json.loads((tmp_path / "d" / "diff.json").read_text())
    assert d["empty"], [(c["kind"], c["name"], c["changes"]) for c in d["resources"]["changed"]][:5] + \
        [d["edges"], d["findings"], d["resources"]["added"][:3], d["resources"]["removed"][:3]]
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "No change" in (tmp_path / "d" / "diff.md").read_text()
    assert (tmp_path / "d" / "diff.html").read_text().startswith("<!DOCTYPE html>")


def test_a_planted_change_is_named_with_its_section_finding_and_gates(scans: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "d"
    result = invoke("diff", str(scans["first"]), str(scans["changed"]), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    d = json.loads((out / "diff.json").read_text())
    added = {(r["kind"], r["name"]) for r in d["resources"]["added"]}
    assert ("s3:bucket", "diff-new-bucket-123456789012") in added
    assert any(r["kind"] == "ec2:security-group" and scans["sg"] in r["id"] for r in d["resources"]["added"])
    assert any(e["rel"] for e in d["edges"]["added"])
    assert any(f["rule"] == "NET-001" and scans["sg"] in f["resource"] for f in d["findings"]["opened"]), \
        d["findings"]["opened"]
    text = (out / "diff.md").read_text()
    assert "### Section 4.1" in text and "diff-new-bucket-123456789012" in text
    assert "wide-open-ssh" in text and "NET-001" in text
    assert (out / "diagrams" / "diff_architecture.svg").exists()
    svg = (out / "diagrams" / "diff_architecture.svg").read_text().replace("&#45;", "-")
    assert "diff-new-bucket" in svg
    gate = invoke("diff", str(scans["first"]), str(scans["changed"]), "--out", str(tmp_path / "g"),
                  "--fail-on-change")
    assert gate.exit_code == EXIT_FINDINGS and "changed" in gate.stderr


def test_fail_on_new_gates_on_severity(scans: dict[str, Path], tmp_path: Path) -> None:
    d = json.loads((lambda r: (tmp_path / "x" / "diff.json").read_text())(
        invoke("diff", str(scans["first"]), str(scans["changed"]), "--out", str(tmp_path / "x"))))
    worst = min((f["severity"] for f in d["findings"]["opened"]),
                key=["critical", "high", "medium", "low", "info"].index)
    hit = invoke("diff", str(scans["first"]), str(scans["changed"]), "--out", str(tmp_path / "y"),
                 "--fail-on-new", worst)
    assert hit.exit_code == EXIT_FINDINGS
    stricter = {"critical": None, "high": "critical", "medium": "high", "low": "medium", "info": "low"}[worst]
    if stricter:
        calm = invoke("diff", str(scans["first"]), str(scans["changed"]), "--out", str(tmp_path / "z"),
                      "--fail-on-new", stricter)
        assert calm.exit_code == 0


def test_bad_input_is_one_line(scans: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    res = invoke("diff", str(bad), str(scans["first"]), "--out", str(tmp_path / "o"))
    assert res.exit_code == EXIT_USAGE and "Traceback" not in res.stderr
    res = invoke("diff", str(scans["first"]), str(scans["first"]), "--fail-on-new", "urgent")
    assert res.exit_code == EXIT_USAGE and "--fail-on-new must be one of" in res.stderr
    other = json.loads(scans["first"].read_text())
    other["meta"]["account"] = "210987654321"
    o = tmp_path / "other.json"
    o.write_text(json.dumps(other))
    res = invoke("diff", str(scans["first"]), str(o), "--out", str(tmp_path / "o2"))
    assert res.exit_code == EXIT_USAGE and "different accounts" in res.stderr

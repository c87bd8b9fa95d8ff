"""--services / --exclude-services: what is left out is said to be left out, never "none found"."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from scanner.cli import EXIT_USAGE, app
from scanner.collectors import load_all
from scanner.errors import UserError
from scanner.selection import select
from tests.conftest import section


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_names_are_services_families_and_collectors() -> None:
    colls = load_all()
    by_service = select(colls, ["s3"])
    assert by_service.run and {c.service for c in by_service.run} == {"s3"}
    by_family = select(colls, ["network"])
    assert "ec2.vpcs" in {c.name for c in by_family.run}
    one = select(colls, ["ec2.vpcs"])
    assert [c.name for c in one.run] == ["ec2.vpcs"]
    both = select(colls, ["s3,ec2.vpcs"], ["s3.buckets"])
    assert "s3.buckets" not in {c.name for c in both.run} and "ec2.vpcs" in {c.name for c in both.run}
    assert set(both.excluded) | set(both.run) == set(colls)
    assert select(colls, None, ["ec2"]).excluded_services == ["ec2"]


def test_an_unknown_name_is_one_clear_error_with_a_suggestion() -> None:
    with pytest.raises(UserError, match=r"unknown service 'ec3' \(did you mean [^)]*ec2"):
        select(load_all(), ["ec3"])
    with pytest.raises(UserError, match="leave nothing to scan"):
        select(load_all(), ["s3"], ["s3"])


def test_the_cli_refuses_an_unknown_service_before_touching_aws(tmp_path: Path) -> None:
    result = invoke("--services", "s4", "--region", "us-east-1", "--out", str(tmp_path / "o"))
    assert result.exit_code == EXIT_USAGE
    assert "unknown service 's4'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_services_lists_the_names() -> None:
    result = invoke("services")
    assert result.exit_code == 0
    assert "ec2" in result.stdout and "network" in result.stdout and "ec2.vpcs" in result.stdout


def test_excluded_services_are_said_to_be_excluded_in_the_document_and_after_render(tmp_path: Path) -> None:
    out = tmp_path / "report"
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        ec2.create_vpc(CidrBlock="10.42.0.0/16")
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="hidden-by-choice")
        result = invoke("--region", "us-east-1", "--services", "ec2.vpcs,ec2.subnets,s3.buckets",
                        "--exclude-services", "s3", "--strict", "--out", str(out))
    # left out by choice is not "could not be read": --strict passes, no warning
    assert result.exit_code == 0, result.stderr
    assert "could not be read" not in result.stderr
    assert "not scanned by choice" in result.stderr
    doc = (out / "design.md").read_text()
    assert "10.42.0.0/16" in section(doc, "2.1")
    s41 = section(doc, "4.1")
    assert "hidden-by-choice" not in s41
    assert "No S3 buckets were found" not in s41
    assert "excluded by choice" in s41 and "--exclude-services s3" in s41
    s1 = section(doc, "1")
    assert "Not scanned, by choice" in s1
    snap = json.loads((out / "inventory.json").read_text())
    assert any(r["status"] == "excluded" and r["collector"] == "s3.buckets" for r in snap["meta"]["runs"])
    # the snapshot keeps saying it
    again = tmp_path / "again"
    rendered = invoke("render", str(out / "inventory.json"), "--out", str(again))
    assert rendered.exit_code == 0, rendered.stderr
    s41_again = section((again / "design.md").read_text(), "4.1")
    assert "excluded by choice" in s41_again and "No S3 buckets were found" not in s41_again

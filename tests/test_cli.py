"""The command line as a user runs it: help, bad input (one line, non-zero, no traceback), render."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from scanner.cli import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def assert_one_line_error(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    assert err[0].startswith("awsscan: error: ")
    assert "Traceback" not in result.stdout + result.stderr
    for n in needles:
        assert n in err[0], err[0]


def test_help_lists_every_option_and_command():
    result = run("--help")
    assert result.exit_code == 0
    for opt in ("--profile", "--region", "--out", "--name", "--workers", "--fail-on", "--suppress",
                "--strict", "--debug", "demo", "render"):
        assert opt in result.stdout, opt
    assert "render" in run("render", "--help").stdout


def test_invalid_region_name(tmp_path):
    assert_one_line_error(run("--region", "moon-base-1", "--out", str(tmp_path)), 2, "invalid region", "moon-base-1")


@pytest.fixture
def no_aws_config(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def test_unknown_profile(no_aws_config):
    assert_one_line_error(run("--profile", "nope", "--out", str(no_aws_config / "o")), 2, "unknown AWS profile", "nope")


def test_no_credentials(no_aws_config):
    assert_one_line_error(run("--region", "us-east-1", "--out", str(no_aws_config / "o")), 2, "no AWS credentials")


@pytest.mark.parametrize(("code", "needle"), [("ExpiredToken", "expired"), ("InvalidClientTokenId", "rejected")])
def test_expired_or_rejected_token(tmp_path, monkeypatch, code, needle):
    import scanner.session as session_mod

    real_client = session_mod.client

    def stubbed(session, service, region=None):
        c = real_client(session, service, region)
        stub = Stubber(c)
        stub.add_client_error("get_caller_identity", service_error_code=code, http_status_code=403)
        stub.activate()
        return c

    monkeypatch.setattr(session_mod, "client", stubbed)
    assert_one_line_error(run("--region", "us-east-1", "--out", str(tmp_path / "o")), 2, needle)


def test_region_not_enabled_for_the_account(tmp_path):
    from scanner.errors import UserError
    from scanner.session import discover_regions, make_session

    session = make_session(None, "us-east-1")
    import scanner.session as session_mod

    c = session_mod.client(session, "ec2", "us-east-1")
    stub = Stubber(c)
    stub.add_response("describe_regions", {"Regions": [
        {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
        {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"}]})
    stub.activate()
    orig = session_mod.client
    session_mod.client = lambda *a, **k: c
    try:
        with pytest.raises(UserError, match="not enabled"):
            discover_regions(session, ["af-south-1"])
    finally:
        session_mod.client = orig


@pytest.mark.parametrize(("content", "needle"), [
    ("{not json", "not valid JSON"),
    ('{"schema": 99, "nodes": [], "edges": []}', "schema 99"),
    ('["a list"]', "not an awsscan snapshot"),
    ('{"schema": 1, "nodes": [{"no_id": 1}], "edges": []}', "corrupt"),
])
def test_corrupt_or_wrong_snapshot(tmp_path, content, needle):
    snap = tmp_path / "inventory.json"
    snap.write_text(content)
    out = tmp_path / "out"
    assert_one_line_error(run("render", str(snap), "--out", str(out)), 2, needle)
    assert not (out / "design.md").exists(), "nothing half-written"


def test_missing_snapshot(tmp_path):
    assert_one_line_error(run("render", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o")), 2, "not found")


def test_output_folder_blocked_by_a_file(tmp_path, sample):
    blocker = tmp_path / "report"
    blocker.write_text("I am a file")
    assert_one_line_error(run("render", str(sample.files.inventory), "--out", str(blocker)), 2, "not a folder")
    inside = blocker / "sub"
    assert_one_line_error(run("render", str(sample.files.inventory), "--out", str(inside)), 2)


def test_bad_fail_on_value(tmp_path, sample):
    assert_one_line_error(run("render", str(sample.files.inventory), "--out", str(tmp_path), "--fail-on", "urgent"),
                          2, "--fail-on")


def test_render_reproduces_the_report_offline(tmp_path, sample):
    out = tmp_path / "again"
    result = run("render", str(sample.files.inventory), "--out", str(out), "--name", "Test Platform")
    assert result.exit_code == 0, result.stderr
    assert (out / "design.md").read_text() == sample.doc
    assert json.loads((out / "inventory.json").read_text()) == json.loads(sample.files.inventory.read_text())
    for stem in ("aws_architecture", "aws_security", "cicd"):
        assert (out / "diagrams" / f"{stem}.svg").read_text().lstrip().startswith(("<?xml", "<svg", "<!--"))
        assert (out / "diagrams" / f"{stem}.dot").exists()


def test_console_script_runs_as_a_process(tmp_path):
    env = {**os.environ, "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    proc = subprocess.run([sys.executable, "-m", "scanner.cli", "--profile", "ghost", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert Path(sys.executable).exists()


def test_default_regions_are_the_enabled_ones_of_the_callers_partition():
    import scanner.session as session_mod
    from scanner.errors import UserError
    from scanner.session import discover_regions, make_session

    session = make_session(None, "us-east-1")
    c = session_mod.client(session, "ec2", "us-east-1")
    regions = [{"RegionName": r, "OptInStatus": s} for r, s in (
        ("us-east-1", "opt-in-not-required"), ("eu-west-1", "opt-in-not-required"), ("af-south-1", "not-opted-in"),
        ("ap-east-1", "opted-in"), ("cn-north-1", "opt-in-not-required"), ("us-gov-west-1", "opt-in-not-required"))]
    stub = Stubber(c)
    stub.add_response("describe_regions", {"Regions": regions})
    stub.add_response("describe_regions", {"Regions": regions})
    stub.activate()
    orig = session_mod.client
    session_mod.client = lambda *a, **k: c
    try:
        assert discover_regions(session, None, "aws") == ["ap-east-1", "eu-west-1", "us-east-1"]
        with pytest.raises(UserError, match="aws-cn partition"):
            discover_regions(session, ["cn-north-1"], "aws")
    finally:
        session_mod.client = orig


def test_identity_regions_and_alias_are_asked_at_once_and_a_bad_credential_still_wins(monkeypatch):
    """identify(): the three calls before the scan overlap; the identity's error is the one shown."""
    import threading
    import time

    from scanner import session as session_mod
    from scanner.errors import UserError
    from scanner.session import Identity

    inside: list[int] = []
    busy = [0]
    lock = threading.Lock()

    def slow(value):
        def call(*_a, **_k):
            with lock:
                busy[0] += 1
                inside.append(busy[0])
            time.sleep(0.2)
            with lock:
                busy[0] -= 1
            if isinstance(value, BaseException):
                raise value
            return value
        return call

    me = Identity("123456789012", "arn:aws:iam::123456789012:user/me", "AIDA")
    monkeypatch.setattr(session_mod, "verify_identity", slow(me))
    monkeypatch.setattr(session_mod, "_region_status", slow({"us-east-1": "opt-in-not-required",
                                                             "cn-north-1": "opt-in-not-required",
                                                             "af-south-1": "not-opted-in"}))
    monkeypatch.setattr(session_mod, "account_alias", slow("payments"))
    identity, regions, alias = session_mod.identify(object(), None)
    assert (identity, regions, alias) == (me, ["us-east-1"], "payments")  # partition and opt-in applied
    assert max(inside) == 3  # all three were in flight together

    monkeypatch.setattr(session_mod, "verify_identity", slow(UserError("the AWS credentials were rejected")))
    monkeypatch.setattr(session_mod, "_region_status", slow(RuntimeError("DescribeRegions met something else")))
    with pytest.raises(UserError, match="credentials were rejected"):
        session_mod.identify(object(), ["us-east-1"])

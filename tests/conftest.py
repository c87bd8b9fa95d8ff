"""Shared test set-up: offline AWS (moto only), fake credentials, scanned fixture accounts.

Scanning a fixture takes seconds, so each fixture account is built, scanned and
rendered once per test session (per xdist worker) and tests read the results.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "MOTO_ACM_VALIDATION_WAIT": "0", "AWSSCAN_STRICT_PROPS": "1",
})
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)

from moto import mock_aws  # noqa: E402

from renderers.report import write_report  # noqa: E402
from scanner.analysis import analyze  # noqa: E402
from scanner.runner import scan  # noqa: E402
from scanner.session import make_session, verify_identity  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1"]


def scan_account(builder: Callable[[], dict[str, Any]], out: Path, regions: list[str] | None = None,
                 before_scan: Callable[[Any], None] | None = None, options: dict[str, Any] | None = None,
                 recorder: Any = None) -> SimpleNamespace:
    """Build an account in a fresh moto backend, scan it, analyse it and write its report."""
    with mock_aws():
        ids = builder()
        session = make_session(None, "us-east-1", recorder=recorder)
        if before_scan:
            before_scan(session)
        identity = verify_identity(session)
        inv = scan(session, identity, regions or REGIONS, name="Test Platform", alias="test-alias")
    analysis = analyze(inv, options or {})
    files = write_report(inv, analysis, out, project_name="Test Platform")
    return SimpleNamespace(ids=ids, inv=inv, analysis=analysis, files=files, out=out,
                           doc=files.document.read_text(encoding="utf-8"))


def section(doc: str, number: str) -> str:
    """The text of one (sub)section of the document, up to the next heading of its level or above."""
    level = "##" if "." not in number else "###"
    lines = doc.splitlines()
    start = None
    for i, line in enumerate(lines):
        if start is None and line.startswith(f"{level} {number}" + ("." if level == "##" else " ")):
            start = i
            continue
        if start is not None and (line.startswith("## ") or (level == "###" and line.startswith("### "))):
            return "\n".join(lines[start:i])
    assert start is not None, f"section {number} not found"
    return "\n".join(lines[start:])


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.sample import build_sample

    return scan_account(build_sample, tmp_path_factory.mktemp("sample"))

"""Whole-tool runs as a user runs them: the `awsscan` CLI in a separate process against a moto server
(AWS_ENDPOINT_URL), clean and through a proxy that throttles, fails and drops connections."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import FaultProxy, FaultRates, moto_server

PARTS = ("network", "identity", "storage", "compute", "loadbalancing", "database")


def cli(endpoint: str, out: Path, *extra: str, read_timeout: int = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_ENDPOINT_URL": endpoint, "AWS_CONFIG_FILE": str(out.parent / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(out.parent / "no-credentials"),
                "AWSSCAN_READ_TIMEOUT": str(read_timeout)})
    return subprocess.run([sys.executable, "-m", "scanner.cli", "--region", "us-east-1", "--region", "eu-west-1",
                           "--out", str(out), *extra], capture_output=True, text=True, env=env,
                          timeout=600, stdin=subprocess.DEVNULL)


def graph_of(out: Path) -> tuple[list[Any], list[Any]]:
    data = json.loads((out / "inventory.json").read_text())
    for node in data["nodes"]:
        if node["kind"] == "s3:bucket":
            # moto emulates S3 server access logging: one scan's reads write log objects into the
            # logs bucket, so that bucket's size can really differ between two scans
            node["props"].pop("size_bytes", None)
        for fact in (node.get("facts") or {}).values():
            if fact["state"] == "unknown" and " failed: " in fact["why"]:
                # an API the server lacks fails either way; which error the last retry saw (its
                # 500, or an injected throttle) may differ, the state (unknown) may not
                fact["why"] = fact["why"].split(" failed: ")[0] + " failed"
    return data["nodes"], data["edges"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A moto server holding part of the sample account, built over HTTP like a real account."""
    from fixtures.sample import build_sample

    with moto_server() as url:
        saved = dict(os.environ)
        os.environ["AWS_ENDPOINT_URL"] = url
        try:
            build_sample(parts=PARTS)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        clean = tmp_path_factory.mktemp("clean") / "report"
        proc = cli(url, clean)
        assert proc.returncode == 0, proc.stderr
        yield url, clean, proc


def test_cli_scans_a_moto_server_through_aws_endpoint_url(server):
    _, clean, proc = server
    doc = (clean / "design.md").read_text()
    assert "10.0.0.0/16" in doc
    assert (clean / "diagrams" / "aws_architecture.svg").exists()
    assert "Report written to" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_scan_is_deterministic_apart_from_timestamps(server, tmp_path):
    url, clean, _ = server
    again = tmp_path / "again"
    assert cli(url, again).returncode == 0
    a, b = (json.loads((p / "inventory.json").read_text()) for p in (clean, again))
    for d in (a, b):
        for key in ("scanned_at", "finished_at", "timing"):
            d["meta"].pop(key)
        for node in d["nodes"]:
            if node["kind"] == "s3:bucket":
                node["props"].pop("size_bytes", None)  # moto's emulated access logs change it (see graph_of)
    assert a == b


def test_throttling_5xx_and_resets_lose_nothing(server, tmp_path):
    url, clean, _ = server
    rates = FaultRates(throttle=0.20, server_error=0.05, reset=0.02, slow=0.01, delay=4, seed=11)
    with FaultProxy(url, rates) as proxy:
        faulty = tmp_path / "faulty"
        proc = cli(proxy.url, faulty, read_timeout=3)
    assert proc.returncode == 0, proc.stderr
    assert rates.counts["throttle"] > 5 and rates.counts["5xx"] > 0, rates.counts
    assert rates.counts["reset"] > 0 and rates.counts["slow"] > 0, rates.counts
    clean_nodes, clean_edges = graph_of(clean)
    nodes, edges = graph_of(faulty)
    assert [n["id"] for n in nodes] == [n["id"] for n in clean_nodes]
    assert nodes == clean_nodes
    assert edges == clean_edges
    status = {(r["collector"], r["region"]): r["status"]
              for r in json.loads((faulty / "inventory.json").read_text())["meta"]["runs"]}
    clean_status = {(r["collector"], r["region"]): r["status"]
                    for r in json.loads((clean / "inventory.json").read_text())["meta"]["runs"]}
    assert status == clean_status, "every collector ended as it did without faults"

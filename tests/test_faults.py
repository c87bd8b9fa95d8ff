"""Faults injected in process (a botocore hook in front of moto): throttling and 5xx lose nothing."""

from __future__ import annotations

import json

from moto import mock_aws

from scanner.runner import scan
from scanner.session import make_session, verify_identity
from tests.support.faults import HookFaults

PARTS = ("network", "identity", "storage", "compute", "loadbalancing", "database", "serverless")


def comparable(inv) -> dict:
    data = json.loads(inv.to_json())
    for key in ("scanned_at", "finished_at", "timing"):
        data["meta"].pop(key, None)
    for run in data["meta"]["runs"]:
        run.pop("calls", None)  # retries make more calls; what they return must not differ
    for node in data["nodes"]:
        if node["kind"] == "s3:bucket":
            # moto emulates S3 server access logging: the first scan's reads of the assets bucket
            # write log objects into the logs bucket, so its size really changes between scans
            node["props"].pop("size_bytes", None)
    return data


def test_twenty_percent_throttling_and_five_percent_5xx_lose_nothing():
    from fixtures.sample import build_sample

    with mock_aws():
        build_sample(parts=PARTS)
        clean_session = make_session(None, "us-east-1")
        identity = verify_identity(clean_session)
        clean = scan(clean_session, identity, ["us-east-1"], name="t")
        faults = HookFaults(throttle=0.20, server_error=0.05, seed=5)
        faulty_session = make_session(None, "us-east-1")
        faults.install(faulty_session)
        faulty = scan(faulty_session, identity, ["us-east-1"], name="t")
    assert faults.counts["throttle"] > 20 and faults.counts["5xx"] > 3, faults.counts
    a, b = comparable(clean), comparable(faulty)
    assert [n["id"] for n in b["nodes"]] == [n["id"] for n in a["nodes"]]
    assert b["nodes"] == a["nodes"]
    assert b["edges"] == a["edges"]
    assert b["meta"] == a["meta"]

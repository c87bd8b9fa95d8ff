"""With a read denied, every fact built on it is unknown, says why, and nothing calls it "no"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import scan_account
from tests.support.denials import deny

#: (denied operation, kind judged from it, fact) — one scan denies them all at once
DATA_READS = [
    ("s3:GetBucketVersioning", "s3:bucket", "versioned"),
    ("s3:GetBucketEncryption", "s3:bucket", "encrypted"),
    ("dynamodb:DescribeContinuousBackups", "dynamodb:table", "pitr"),
    ("efs:DescribeBackupPolicy", "efs:file-system", "backup_policy"),
    ("kms:GetKeyRotationStatus", "kms:key", "rotation"),
    ("config:DescribeConfigurationRecorderStatus", "config:recorder", "recording"),
    ("cloudtrail:GetTrailStatus", "cloudtrail:trail", "logging"),
]
GUARD_READS = [
    ("guardduty:ListDetectors", "aws:region", "guardduty"),
    ("accessanalyzer:ListAnalyzers", "aws:region", "access_analyzer"),
    ("securityhub:DescribeHub", "aws:region", "securityhub"),
    ("ec2:DescribeRouteTables", "ec2:subnet", "public"),
    ("iam:GetCredentialReport", "aws:account", "root_mfa"),
]


def _scan(tmp: Path, reads: list[tuple[str, str, str]]):
    from fixtures.sample import build_sample

    return scan_account(build_sample, tmp, regions=["us-east-1"], before_scan=deny(*(r[0] for r in reads)))


@pytest.fixture(scope="module")
def data_denied(tmp_path_factory):
    return _scan(tmp_path_factory.mktemp("data-denied"), DATA_READS)


@pytest.fixture(scope="module")
def guards_denied(tmp_path_factory):
    return _scan(tmp_path_factory.mktemp("guards-denied"), GUARD_READS)


def _check(scan, reads):
    for op, kind, fact in reads:
        nodes = [n for n in scan.inv.nodes(kind) if kind != "aws:region" or n["region"] == "us-east-1"]
        assert nodes, f"the sample has no {kind} to judge"
        for n in nodes:
            f = scan.inv.fact(n["id"], fact)
            if f is None:  # the question does not apply (e.g. rotation of an AWS managed key)
                continue
            assert f.unknown, f"{op} denied, yet {n['id']} {fact} = {f}"
            assert f.why, f"{n['id']} {fact}: unknown without a reason"


def test_denied_data_reads_make_their_facts_unknown(data_denied):
    _check(data_denied, DATA_READS)


def test_denied_guard_reads_make_their_facts_unknown(guards_denied):
    _check(guards_denied, GUARD_READS)

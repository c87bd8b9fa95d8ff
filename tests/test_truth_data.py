"""One truth per fact (issue 10), data side: with a read denied, every section that states the
judged property says "unknown (why)", and sections stating the same fact agree.

Each scan of the sample takes ~30 s, so a scan denies several unrelated reads at once and the
tests read its document: storage and IAM reads in one, the guard services in the other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import scan_account, section
from tests.support.markdown import table as markdown_table

DENIED = "User is not authorized"


def deny(*operations: tuple[str, str]) -> Callable[[Any], None]:
    """A ``before_scan`` hook refusing some operations (event service id, operation name) in process."""
    def install(session: Any) -> None:
        for service, op in operations:
            def refuse(_op: str = op, **_: Any) -> None:
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": DENIED}}, _op)
            session.events.register(f"before-call.{service}.{op}", refuse)
    return install


def table(text: str, header_start: str) -> list[dict[str, str]]:
    return markdown_table(text, header_start, raw=True)


def by(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in rows}


@pytest.fixture(scope="module")
def storage_denied(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.sample import build_sample

    return scan_account(build_sample, Path(tmp_path_factory.mktemp("truth-storage")), before_scan=deny(
        ("s3", "GetBucketVersioning"), ("s3", "GetBucketEncryption"),
        # which stores the backup plan selects stays unread too, so 9.2 rests on the denied settings
        ("backup", "ListBackupSelections"), ("backup", "ListProtectedResources"),
        ("dynamodb", "DescribeContinuousBackups"), ("efs", "DescribeBackupPolicy"),
        ("kms", "GetKeyRotationStatus"), ("config-service", "DescribeConfigurationRecorders"),
        ("iam", "GenerateCredentialReport"), ("iam", "GetCredentialReport")))


@pytest.fixture(scope="module")
def guards_denied(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.sample import build_sample

    return scan_account(build_sample, Path(tmp_path_factory.mktemp("truth-guards")), before_scan=deny(
        ("guardduty", "ListDetectors"), ("accessanalyzer", "ListAnalyzers"),
        ("config-service", "DescribeConfigurationRecorderStatus"), ("securityhub", "DescribeHub")))


# --- S3 versioning and encryption, DynamoDB PITR, EFS backup policy ---------------------------

def test_unread_versioning_and_encryption_are_unknown_in_4_1_and_5_3(storage_denied: SimpleNamespace) -> None:
    s41 = section(storage_denied.doc, "4.1")
    buckets = table(s41, "| Bucket |")
    assert len(buckets) == 6
    for b in buckets:
        assert b["Versioning"].startswith("unknown (s3:GetBucketVersioning"), b
        assert b["Default encryption"].startswith("unknown (s3:GetEncryptionConfiguration"), b
    assert "versioning enabled (for 6 the setting could not be read)" in s41
    s53 = section(storage_denied.doc, "5.3")
    rest = by(table(s53, "| Resource kind |"), "Resource kind")
    # 5.3 counts what 4.1 shows: no bucket counted as encrypted, all six unknown
    assert (rest["S3 buckets"]["Encrypted"], rest["S3 buckets"]["Not encrypted"],
            rest["S3 buckets"]["Not known"]) == ("0", "0", "6")
    assert "6 unknown" in s53.split("| Resource kind |")[0]
    unknown = table(s53, "| Kind | Region | Resource | Why not known |")
    assert sum(1 for r in unknown if r["Kind"] == "S3 buckets") == 6
    assert all(r["Why not known"].startswith("s3:GetEncryptionConfiguration") for r in unknown if r["Kind"] == "S3 buckets")


def test_unread_backup_settings_are_unknown_in_9_2_never_unprotected(storage_denied: SimpleNamespace) -> None:
    s92 = section(storage_denied.doc, "9.2")
    rows = table(s92, "| Type | Region | Resource |")
    stores = {r["Resource"]: r for r in rows}
    bucket = stores["web-platform-assets-dr-123456789012"]   # versioned, in a region with no backup plan
    assert bucket["Native protection"].startswith("unknown (s3:GetBucketVersioning")
    assert bucket["Status"].startswith("unknown (s3:GetBucketVersioning"), bucket
    sessions = stores["web-platform-sessions"]
    assert sessions["Native protection"].startswith("unknown (dynamodb:DescribeContinuousBackups")
    assert sessions["Status"].startswith("unknown (")
    efs = stores["web-platform-shared"]
    assert efs["Native protection"].startswith("unknown (elasticfilesystem:DescribeBackupPolicy")
    assert efs["Status"].startswith("unknown (")
    for r in rows:
        if r["Type"] in ("S3 bucket", "DynamoDB table", "EFS file system"):
            assert r["Status"] not in ("NOT PROTECTED", "protected") or r["Native protection"] not in ("none",), r
            assert r["Native protection"] != "none", r
    no_backup = s92.split("no backup at all:")[1].split("\n")[0] if "no backup at all:" in s92 else ""
    for name in ("web-platform-assets-dr-123456789012", "web-platform-sessions", "web-platform-shared"):
        assert name not in no_backup
    assert "protected is unknown, because" in s92 and "web-platform-assets-dr-123456789012 (s3:GetBucketVersioning" in s92


def test_unread_pitr_and_backup_policy_are_unknown_in_4_3_and_6_2(storage_denied: SimpleNamespace) -> None:
    efs = table(section(storage_denied.doc, "4.3"), "| Region | File system |")[0]
    assert efs["Backup policy"].startswith("unknown (elasticfilesystem:DescribeBackupPolicy"), efs
    tables = table(section(storage_denied.doc, "6.2"), "| Region | Table |")
    assert tables[0]["PITR"].startswith("unknown (dynamodb:DescribeContinuousBackups"), tables[0]


def test_unread_key_rotation_is_unknown_not_a_dash(storage_denied: SimpleNamespace) -> None:
    keys = table(section(storage_denied.doc, "5.3"), "| Region | Aliases | Key id |")
    key = by(keys, "Aliases")["alias/web-platform"]
    assert key["Automatic rotation"].startswith("unknown (kms:GetKeyRotationStatus"), key


def test_unread_recorders_agree_in_5_4_and_12_3(storage_denied: SimpleNamespace) -> None:
    matrix = by(table(section(storage_denied.doc, "5.4"), "| Region | GuardDuty |"), "Region")
    incident = by(table(section(storage_denied.doc, "12.3"), "| Region | GuardDuty |"), "Region")
    for region in ("us-east-1", "eu-west-1"):
        cell = matrix[region]["AWS Config"]
        assert cell.startswith("unknown (config:DescribeConfigurationRecorders"), cell
        assert incident[region]["AWS Config"] == cell


def test_unread_credential_report_leaves_mfa_and_root_unknown(storage_denied: SimpleNamespace) -> None:
    s51 = section(storage_denied.doc, "5.1")
    assert "The root user's MFA and access keys are not known" in s51
    users = by(table(s51, "| User |"), "User")
    for u in users.values():
        assert u["MFA"].startswith("unknown ("), u
    # the report was not read: no count of console users or keys, no "never" for last activity
    assert "none of them without MFA" not in s51 and "0 of 2 users can sign in" not in s51
    assert "The credential report could not be read" in s51
    for u in users.values():
        assert u["Console password"].startswith("unknown (") and u["Access keys"].startswith("unknown ("), u
    assert "recording configuration history (whether AWS Config records is unknown in" in section(storage_denied.doc, "12.2")


# --- the guard services ---------------------------------------------------------------------------

def test_denied_guard_services_are_unknown_in_5_4_and_12_3_alike(guards_denied: SimpleNamespace) -> None:
    matrix = by(table(section(guards_denied.doc, "5.4"), "| Region | GuardDuty |"), "Region")
    incident = by(table(section(guards_denied.doc, "12.3"), "| Region | GuardDuty |"), "Region")
    for region in ("us-east-1", "eu-west-1"):
        m, i = matrix[region], incident[region]
        assert m["GuardDuty"].startswith("unknown (guardduty:ListDetectors"), m
        assert m["IAM Access Analyzer"].startswith("unknown (access-analyzer:ListAnalyzers"), m
        assert m["Security Hub"].startswith("unknown (securityhub:DescribeHub"), m
        # a recorder listed but whose status was not read: neither "recording" nor "stopped";
        # a region whose recorder list was read and is empty has no recorder: off
        if any(r["region"] == region for r in guards_denied.inv.nodes("config:recorder")):
            assert m["AWS Config"].startswith("unknown (config:DescribeConfigurationRecorderStatus"), m
        else:
            assert m["AWS Config"] == "off", m
        for col in ("GuardDuty", "Security Hub", "AWS Config", "IAM Access Analyzer"):
            assert i[col] == m[col] or (m[col] == "off" and i[col] == "no"), (region, col, i[col], m[col])
            if m[col].startswith("unknown"):
                assert i[col] not in ("no", "off")
    s123 = section(guards_denied.doc, "12.3")
    assert "Nothing in the account would start an incident" not in s123
    assert "whether AWS Config records is unknown in us-east-1 (config:DescribeConfigurationRecorderStatus" \
        in section(guards_denied.doc, "12.2")
    assert "IAM Access Analyzer could not be read: access-analyzer:ListAnalyzers" in section(guards_denied.doc, "5.1")


# --- fully readable: the same facts, stated once ---------------------------------------------------

def test_sample_states_each_fact_the_same_everywhere(sample: SimpleNamespace) -> None:
    s41, s53 = section(sample.doc, "4.1"), section(sample.doc, "5.3")
    buckets = table(s41, "| Bucket |")
    rest = by(table(s53, "| Resource kind |"), "Resource kind")["S3 buckets"]
    not_encrypted = sum(1 for b in buckets if b["Default encryption"] == "none")
    assert rest["Not encrypted"] == str(not_encrypted) and rest["Not known"] == "0"
    matrix = by(table(section(sample.doc, "5.4"), "| Region | GuardDuty |"), "Region")
    incident = by(table(section(sample.doc, "12.3"), "| Region | GuardDuty |"), "Region")
    words = {"on": "yes", "off": "no", "recording": "yes", "recorder stopped": "no", "suspended": "no"}
    for region, m in matrix.items():
        for col in ("GuardDuty", "Security Hub", "AWS Config", "IAM Access Analyzer"):
            cell = m[col].split(",")[0].split(" (")[0] \
                if not m[col].startswith(("not available", "unknown")) else m[col]
            assert incident[region][col] == words.get(cell, cell), (region, col)
    # a security group's users are counted in the same words as the security diagram
    groups = by(table(section(sample.doc, "5.2"), "| Region | Security group |"), "Security group")
    efs = next(v for k, v in groups.items() if k.startswith("efs-sg"))
    assert efs["Used by"] == "2 EFS mount targets"
    s92 = section(sample.doc, "9.2")
    for r in table(s92, "| Type | Region | Resource |"):
        assert r["Status"] in ("protected", "NOT PROTECTED") or r["Status"].startswith("unknown ("), r

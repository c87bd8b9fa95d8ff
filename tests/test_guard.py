"""The read-only guard: writes are refused in production code paths, and a whole scan is reads only."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from scanner.guard import ALLOWED_CALLS, ALLOWED_OPERATIONS, WriteRefused, is_allowed, is_read
from scanner.session import make_session


def test_read_names_pass_and_writes_do_not():
    for op in ("DescribeInstances", "ListBuckets", "GetBucketPolicy", "GenerateCredentialReport"):
        assert is_read(op), op
    for op in ("RunInstances", "CreateBucket", "PutBucketPolicy", "DeleteVpc", "TerminateInstances",
               "UpdateFunctionConfiguration", "AuthorizeSecurityGroupIngress", "StartExecution"):
        assert not is_read(op), op


def test_secret_returning_reads_are_refused():
    for op in ("GetSecretValue", "GetParameter", "GetParametersByPath", "GetPasswordData", "GetObject",
               "BatchGetItem", "BatchGetSecretValue"):
        assert not is_read(op), op


def test_allow_list_is_short_and_explained():
    assert len(ALLOWED_OPERATIONS) <= 16
    assert all(reason for reason in ALLOWED_OPERATIONS.values())
    assert set(ALLOWED_OPERATIONS) <= ALLOWED_CALLS


@mock_aws
def test_a_write_through_a_scanner_session_is_refused_before_it_is_sent():
    session = make_session(None, "us-east-1")
    ec2 = session.client("ec2", region_name="us-east-1")
    with pytest.raises(WriteRefused, match="CreateVpc"):
        ec2.create_vpc(CidrBlock="10.9.0.0/16")
    # nothing was created: the call never left the process
    assert [v for v in boto3.client("ec2", region_name="us-east-1").describe_vpcs()["Vpcs"]
            if v["CidrBlock"] == "10.9.0.0/16"] == []
    s3 = session.client("s3")
    with pytest.raises(WriteRefused):
        s3.create_bucket(Bucket="should-not-exist")
    sm = session.client("secretsmanager", region_name="us-east-1")
    with pytest.raises(WriteRefused, match="GetSecretValue"):
        sm.get_secret_value(SecretId="anything")


def test_every_operation_of_a_full_demo_scan_is_a_read(tmp_path):
    from fixtures.sample import build_sample
    from tests.conftest import scan_account

    seen: set[tuple[str, str]] = set()
    result = scan_account(build_sample, tmp_path, recorder=lambda svc, op: seen.add((svc, op)))
    assert len(seen) > 100, "the recorder saw the scan's calls"
    # only (service, operation) pairs on the guard's explicit allow-list: nothing refused, nothing extra
    assert sorted(f"{svc}:{op}" for svc, op in seen if not is_allowed(svc, op)) == []
    assert {f"{svc}:{op}" for svc, op in seen} <= ALLOWED_CALLS
    refused = [r for r in result.inv.meta["runs"] if "read-only" in r.get("message", "")]
    assert refused == [] and not [g for g in result.inv.meta.get("gaps", []) if "read-only" in str(g)]
    assert {op for _, op in seen} >= {"GetCallerIdentity", "DescribeVpcs", "DescribeSubnets"}
    assert result.inv.kind_counts().get("ec2:vpc", 0) >= 2

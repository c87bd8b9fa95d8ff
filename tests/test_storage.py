"""Storage family: S3, EBS, EFS and FSx collectors, their transforms, and sections 4.1-4.3.

Transforms are tested from API-shaped dicts (no moto); the collectors end to end
on the shared ``sample`` account; a denied GetBucketPolicy on one bucket on a
module-scoped scan of the sample buckets alone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scanner import judge
from scanner.collectors import storage as st
from scanner.context import ScanContext
from scanner.inventory import Inventory
from tests.conftest import section

ACCT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1111-2222"


def make_ctx(region: str = "us-east-1") -> ScanContext:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=region)
    return ScanContext(session, region, ACCT, home_region="us-east-1", regions=(region,))


def graph(records: Any) -> Inventory:
    inv = Inventory()
    inv.merge([records])
    judge.run(inv)  # the facts a scan stores (scanner/judge/), which the renderers read
    return inv


def rels(inv: Inventory, rel: str) -> set[tuple[str, str]]:
    return {(s, d) for s, d, _ in inv.edges(rel)}


# --- bucket policy / ACL analysis -----------------------------------------------------------

def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


TLS_DENY = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


@pytest.mark.parametrize(("statement", "public"), [
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}, True),
    ({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject", "Resource": "*"}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
      "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
      "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1234"}}}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "*",
      "Condition": {"StringEquals": {"AWS:SourceAccount": ACCT}}}, False),
    ({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "s3:*", "Resource": "*"}, False),
    ({"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
      "Resource": "*"}, False),
    (TLS_DENY, False),
])
def test_policy_is_public(statement: dict[str, Any], public: bool) -> None:
    assert st.policy_is_public(_policy(statement)) is public


def test_policy_requires_tls() -> None:
    assert st.policy_requires_tls(_policy(TLS_DENY))
    assert st.policy_requires_tls(_policy({**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": [False]}}}))
    allow_tls = {**TLS_DENY, "Effect": "Allow", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    assert not st.policy_requires_tls(_policy(allow_tls))
    assert not st.policy_requires_tls(None)
    assert st.parse_policy("not json") is None


def test_acl_public_grants() -> None:
    acl = {"Grants": [
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}, "Permission": "WRITE"},
        {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"},
    ]}
    assert st.acl_public_grants(acl) == ["AllUsers:READ"]
    assert st.acl_public_grants({"Grants": []}) == []


# --- transform_buckets ------------------------------------------------------------------------

def _bucket(name: str, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Name": name, "CreationDate": datetime(2024, 1, 2, tzinfo=UTC), "Region": "us-east-1",
        "Versioning": {"Status": "Enabled", "MFADelete": "Disabled"},
        "Encryption": {"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}}]}},
        "PublicAccessBlock": {"PublicAccessBlockConfiguration": dict.fromkeys(st.PAB_FLAGS, True)},
        "Policy": {"Policy": json.dumps(_policy(TLS_DENY))},
        "Acl": {"Grants": []}, "Logging": {"LoggingEnabled": {"TargetBucket": "logs", "TargetPrefix": "x/"}},
        "Lifecycle": {"Rules": [{"ID": "r1", "Status": "Enabled", "Filter": {"Prefix": "a/"},
                                 "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]},
        "Replication": {"ReplicationConfiguration": {"Rules": [
            {"ID": "dr", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dr-copy"}}]}},
        "ObjectLock": {}, "Website": {}, "Tagging": {"TagSet": [{"Key": "Project", "Value": "p"}]},
        "SizeBytes": 2048.0,
    }
    base.update(over)
    return base


def test_transform_bucket_settings_and_edges() -> None:
    inv = graph(st.transform_buckets(make_ctx(), [_bucket("assets")], {}))
    b = inv.node("arn:aws:s3:::assets")
    p = b["props"]
    assert (p["versioning"], p["encryption"], p["kms_key"]) == ("Enabled", "SSE-KMS", KEY)
    assert p["tls_only"] is True and p["policy_public"] is False and p["public"] is False
    assert p["public_access_block"]["RestrictPublicBuckets"] is True
    assert p["account_public_access_block"] is None and p["account_public_access_block_read"] is True
    assert [r["transitions"] for r in p["lifecycle_rules"]] == [[{"days": 30, "storage_class": "GLACIER"}]]
    assert b["tags"] == {"Project": "p"}
    assert ("arn:aws:s3:::assets", KEY) in rels(inv, "encrypted_by")
    assert ("arn:aws:s3:::assets", "arn:aws:s3:::logs") in rels(inv, "logs_to")
    assert ("arn:aws:s3:::assets", "arn:aws:s3:::dr-copy") in rels(inv, "replicates_to")
    assert (f"aws://account/{ACCT}/region/us-east-1", "arn:aws:s3:::assets") in rels(inv, "contains")


def test_bucket_event_notifications_become_edges() -> None:
    fn = f"arn:aws:lambda:us-east-1:{ACCT}:function:thumbnail"
    queue = f"arn:aws:sqs:us-east-1:{ACCT}:uploads"
    notes = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:*"]}],
             "QueueConfigurations": [{"QueueArn": queue, "Events": ["s3:ObjectRemoved:*"]}]}
    inv = graph(st.transform_buckets(make_ctx(), [_bucket("media", Notifications=notes,
                                                          OwnershipControls={})], {}))
    assert ("arn:aws:s3:::media", fn) in rels(inv, "triggers")
    assert ("arn:aws:s3:::media", queue) in rels(inv, "publishes_to")
    assert inv.node("arn:aws:s3:::media")["props"]["object_ownership"] == "not set"
    from renderers.facts.storage import bucket_notes
    assert "media: sends object events to lambda thumbnail, sqs uploads" in bucket_notes(inv)


def test_transform_bucket_unreadable_is_unknown_not_safe() -> None:
    """A denied read (None) must not look like "no policy" or "not public"."""
    raw = _bucket("secret", Policy=None, Acl=None, Encryption=None, PublicAccessBlock=None, Region="eu-west-1")
    inv = graph(st.transform_buckets(make_ctx(), [raw], None))
    p = inv.node("arn:aws:s3:::secret")["props"]
    assert p["policy_public"] is None and p["tls_only"] is None and p["acl_public"] is None
    assert p["encryption"] is None and p["public_access_block_read"] is False
    assert p["public"] is None
    assert (f"aws://account/{ACCT}/region/eu-west-1", "arn:aws:s3:::secret") in rels(inv, "contains")


def test_public_policy_is_neutralised_by_account_block() -> None:
    open_policy = {"Policy": json.dumps(_policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                 "Resource": "*"}))}
    raw = _bucket("site", Policy=open_policy, PublicAccessBlock={})
    alone = graph(st.transform_buckets(make_ctx(), [raw], {})).node("arn:aws:s3:::site")["props"]
    assert alone["policy_public"] is True and alone["public"] is True
    assert alone["public_access_block"] is None  # vocabulary: None = not configured
    blocked = graph(st.transform_buckets(make_ctx(), [raw], {
        "PublicAccessBlockConfiguration": dict.fromkeys(st.PAB_FLAGS, True)})).node("arn:aws:s3:::site")["props"]
    assert blocked["policy_public"] is True and blocked["public"] is False


def test_encryption_kinds() -> None:
    sse_s3 = {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}
    assert st._encryption(sse_s3) == ("SSE-S3", None)
    assert st._encryption({}) == ("none", None)
    assert st._encryption(None) == (None, None)


def test_latest_metric_value_wins() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    vals = st.latest_values([{"Id": "m0", "Timestamps": [t0, t0 + timedelta(days=1)], "Values": [5.0, 7.0]},
                             {"Id": "m1", "Timestamps": [], "Values": []}])
    assert vals == {"m0": 7.0}


# --- per-resource reads: denial vs "not configured" (botocore Stubber) --------------------------

def test_read_optional_tells_missing_from_denied_and_names_iam_action() -> None:
    ctx = make_ctx()
    out = ctx.records()
    client = ctx.client("s3")
    with Stubber(client) as stub:
        stub.add_client_error("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError")
        stub.add_client_error("get_bucket_encryption", "AccessDenied", http_status_code=403)
        missing = ("ServerSideEncryptionConfigurationNotFoundError",)
        assert st.read_optional(ctx, out, "s3", "get_bucket_encryption", resource="arn:aws:s3:::a",
                                missing=missing, Bucket="a") == {}
        assert not out.gaps
        assert st.read_optional(ctx, out, "s3", "get_bucket_encryption", resource="arn:aws:s3:::b",
                                missing=missing, Bucket="b") is None
    assert [(g.action, g.resource) for g in out.gaps] == [("s3:GetEncryptionConfiguration", "arn:aws:s3:::b")]


def test_ebs_default_encryption_key_read_when_enabled() -> None:
    """moto has no GetEbsDefaultKmsKeyId, so the collector is tested with botocore's Stubber."""
    ctx = make_ctx()
    with Stubber(ctx.client("ec2")) as stub:
        stub.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": True})
        stub.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": KEY})
        inv = graph(st.collect_ebs_default(ctx))
    node = inv.nodes("ebs:encryption-default")[0]
    assert node["props"] == {"enabled": True, "kms_key": KEY}
    assert (node["id"], KEY) in rels(inv, "encrypted_by")


# --- EBS / EFS / FSx transforms -------------------------------------------------------------------

def test_transform_volumes_and_snapshots() -> None:
    ctx = make_ctx()
    vol = {"VolumeId": "vol-1", "Size": 50, "VolumeType": "io2", "Iops": 5000, "Encrypted": True, "KmsKeyId": KEY,
           "State": "in-use", "AvailabilityZone": "us-east-1a",
           "Attachments": [{"InstanceId": "i-1", "Device": "/dev/xvda", "DeleteOnTermination": True}],
           "Tags": [{"Key": "Name", "Value": "db-data"}]}
    snap = {"SnapshotId": "snap-1", "VolumeId": "vol-1", "VolumeSize": 50, "Encrypted": False,
            "StartTime": datetime.now(UTC) - timedelta(days=400)}
    copied = {"SnapshotId": "snap-2", "VolumeId": "vol-ffffffff", "VolumeSize": 8}
    recs = st.transform_volumes(ctx, [vol]).extend(
        st.transform_snapshots(ctx, [snap, copied], {"snap-1": st.snapshot_is_public(
            {"CreateVolumePermissions": [{"Group": "all"}]})}))
    inv = graph(recs)
    v = inv.node(ctx.ec2_arn("volume", "vol-1"))
    assert v["name"] == "db-data" and v["props"]["attached_instance_ids"] == ["i-1"]
    assert (v["id"], ctx.ec2_arn("instance", "i-1")) in rels(inv, "attached_to")
    assert (v["id"], KEY) in rels(inv, "encrypted_by")
    s = inv.node(ctx.ec2_arn("snapshot", "snap-1"))["props"]
    assert s["public"] is True and s["age_days"] >= 400
    assert inv.node(ctx.ec2_arn("snapshot", "snap-2"))["props"]["public"] is None
    assert rels(inv, "snapshot_of") == {(ctx.ec2_arn("snapshot", "snap-1"), v["id"])}
    assert st.snapshot_is_public(None) is None


def test_snapshot_public_check_is_bounded_and_says_so() -> None:
    """Only the newest SNAPSHOT_ATTRIBUTE_LIMIT snapshots get a per-snapshot call (Stubber)."""
    ctx = make_ctx()
    now = datetime.now(UTC)
    n = st.SNAPSHOT_ATTRIBUTE_LIMIT + 1
    snaps = [{"SnapshotId": f"snap-{i:03}", "VolumeId": "vol-1", "VolumeSize": 8,
              "StartTime": now - timedelta(days=i)} for i in range(n)]
    with Stubber(ctx.client("ec2")) as stub:
        stub.add_response("describe_snapshots", {"Snapshots": snaps}, {"OwnerIds": ["self"]})
        for i in range(st.SNAPSHOT_ATTRIBUTE_LIMIT):
            stub.add_response("describe_snapshot_attribute", {"SnapshotId": f"snap-{i:03}", "CreateVolumePermissions": []},
                              {"Attribute": "createVolumePermission", "SnapshotId": f"snap-{i:03}"})
        recs = st.collect_snapshots(ctx)
        stub.assert_no_pending_responses()
    inv = graph(recs)
    oldest = inv.node(ctx.ec2_arn("snapshot", f"snap-{n - 1:03}"))["props"]
    assert oldest["public"] is None and oldest["age_days"] == n - 1
    assert inv.node(ctx.ec2_arn("snapshot", "snap-000"))["props"]["public"] is False
    assert [g.action for g in recs.gaps] == ["ec2:DescribeSnapshotAttribute"]


def test_transform_efs_mount_targets_and_unknown_backup() -> None:
    ctx = make_ctx()
    fs = {"FileSystemId": "fs-1", "FileSystemArn": f"arn:aws:elasticfilesystem:us-east-1:{ACCT}:file-system/fs-1",
          "Name": "shared", "Encrypted": True, "KmsKeyId": KEY, "SizeInBytes": {"Value": 6144},
          "PerformanceMode": "generalPurpose", "ThroughputMode": "bursting",
          "MountTargets": [{"MountTargetId": "fsmt-1", "FileSystemId": "fs-1", "SubnetId": "subnet-a",
                            "AvailabilityZoneName": "us-east-1a", "IpAddress": "10.0.0.5",
                            "SecurityGroups": ["sg-1"]}],
          "BackupPolicy": None, "LifecyclePolicies": {}}
    inv = graph(st.transform_file_systems(ctx, [fs]))
    p = inv.node(fs["FileSystemArn"])["props"]
    assert p["backup_policy"] is None and p["lifecycle"] == [] and p["kms_key"] == KEY
    mt = st.efs_mount_target_id(ctx, "fsmt-1")
    assert (mt, ctx.ec2_arn("subnet", "subnet-a")) in rels(inv, "in_subnet")
    assert (mt, ctx.ec2_arn("security-group", "sg-1")) in rels(inv, "protected_by")
    assert (fs["FileSystemArn"], mt) in rels(inv, "contains")


def test_transform_fsx() -> None:
    ctx = make_ctx()
    fs = {"FileSystemId": "fs-0abc", "FileSystemType": "WINDOWS", "StorageCapacity": 300,
          "SubnetIds": ["subnet-a", "subnet-b"], "KmsKeyId": KEY,
          "ResourceARN": f"arn:aws:fsx:us-east-1:{ACCT}:file-system/fs-0abc",
          "WindowsConfiguration": {"DeploymentType": "MULTI_AZ_1", "ThroughputCapacity": 32,
                                   "AutomaticBackupRetentionDays": 7}}
    inv = graph(st.transform_fsx(ctx, [fs]))
    p = inv.node(fs["ResourceARN"])["props"]
    assert (p["deployment_type"], p["storage_gb"], p["backup_retention"]) == ("MULTI_AZ_1", 300, 7)
    assert len(rels(inv, "in_subnet")) == 2


# --- the sample account ------------------------------------------------------------------------

def test_sample_buckets_in_4_1_with_encryption(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "4.1")
    rows = {line.split("|")[1].strip().replace("\\", ""): line for line in s.splitlines()
            if line.startswith("| web")}
    assert set(rows) >= {sample.ids["assets_bucket"], sample.ids["logs_bucket"], sample.ids["artifact_bucket"]}
    assert "SSE-KMS" in rows[sample.ids["assets_bucket"]]
    assert "SSE-S3" in rows[sample.ids["logs_bucket"]]
    assert f"to {sample.ids['logs_bucket']}" in rows[sample.ids["assets_bucket"]]
    assert "all on" in rows[sample.ids["assets_bucket"]]


def test_sample_cross_region_replica_bucket(sample: SimpleNamespace) -> None:
    ids = sample.ids
    s = section(sample.doc, "4.1")
    dr_row = next(line for line in s.splitlines() if line.startswith(f"| {ids['assets_dr_bucket']} |"))
    assert "| eu-west-1 |" in dr_row
    assert f"to {ids['assets_dr_bucket']}" in next(
        line for line in s.splitlines() if line.startswith(f"| {ids['assets_bucket']} |"))
    assert (f"arn:aws:s3:::{ids['assets_bucket']}", f"arn:aws:s3:::{ids['assets_dr_bucket']}") in \
        rels(sample.inv, "replicates_to")


def test_bucket_region_from_location_constraint() -> None:
    """Legacy "EU" and empty (us-east-1) location constraints; BucketRegion saves the call."""
    ctx = make_ctx()
    out = ctx.records()
    with Stubber(ctx.client("s3")) as stub:
        stub.add_response("get_bucket_location", {"LocationConstraint": "EU"}, {"Bucket": "old"})
        stub.add_response("get_bucket_location", {}, {"Bucket": "virginia"})
        assert st._bucket_region(ctx, out, {"Name": "old"}) == "eu-west-1"
        assert st._bucket_region(ctx, out, {"Name": "virginia"}) == "us-east-1"
        assert st._bucket_region(ctx, out, {"Name": "new", "BucketRegion": "ap-south-1"}) == "ap-south-1"
        stub.add_client_error("get_bucket_location", "AccessDenied", http_status_code=403)
        assert st._bucket_region(ctx, out, {"Name": "hidden"}) == "us-east-1"
    assert [g.action for g in out.gaps] == ["s3:GetBucketLocation"]


def test_sample_kms_edges_and_log_edge(sample: SimpleNamespace) -> None:
    inv, ids = sample.inv, sample.ids
    assets = f"arn:aws:s3:::{ids['assets_bucket']}"
    key = ids["storage_kms_key_arn"]
    enc = rels(inv, "encrypted_by")
    assert (assets, key) in enc
    assert (f"arn:aws:ec2:us-east-1:{ACCT}:volume/{ids['data_volume_id']}", key) in enc
    assert (assets, f"arn:aws:s3:::{ids['logs_bucket']}") in rels(inv, "logs_to")


def test_sample_efs_in_4_3(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "4.3")
    assert "web-platform-shared" in s.replace("\\", "")
    assert "enabled" in s  # backup policy
    assert "us-east-1a: 1" in s and "us-east-1b: 1" in s
    mts = sample.inv.nodes("efs:mount-target")
    subnets = {e["id"].rsplit("/", 1)[-1] for m in mts for e in sample.inv.out(m["id"], "in_subnet")}
    assert subnets == set(sample.ids["app_subnet_ids"])


def test_sample_ebs_in_4_2(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "4.2")
    assert "gp3" in s and "200 GiB" in s
    assert "EBS encryption by default" in s
    assert "| 8 GiB | 100 IOPS baseline, burst 3000 (from size) |" in s, "gp2 performance follows from size"
    assert "1 of 3 is encrypted and 1 is unattached" in s and "the oldest 0 days old" in s


@pytest.mark.parametrize("number", ["4.1", "4.2", "4.3", "4.4"])
def test_sample_storage_sections_read_as_text(sample: SimpleNamespace, number: str) -> None:
    s = section(sample.doc, number).split("**Findings")[0]
    assert "None" not in s and "['" not in s and "{'" not in s and "(s)" not in s
    assert "AFTER_30_DAYS" not in s and "TransitionToIA" not in s


def test_sample_efs_lifecycle_and_mount_targets_in_words(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "4.3")
    assert "| to Infrequent Access after 30 days |" in s
    mount_rows = [line for line in s.splitlines() if "| fsmt-" in line]
    assert len(mount_rows) == 2 and all(line.startswith("| web-platform-shared (fs-") for line in mount_rows)


def test_gp2_performance_from_size() -> None:
    from renderers.facts.storage import efs_lifecycle_text, gp2_performance
    assert gp2_performance(8) == "100 IOPS baseline, burst 3000 (from size)"
    assert gp2_performance(2000) == "6000 IOPS baseline (from size)"
    assert gp2_performance(10000) == "16000 IOPS baseline (from size)"
    assert efs_lifecycle_text("TransitionToPrimaryStorageClass", "AFTER_1_ACCESS") == "back to Standard on first access"


# --- a denied GetBucketPolicy on one bucket ------------------------------------------------------

def _deny_policy_of(bucket: str):
    """A before-call hook that answers GetBucketPolicy on one bucket with AccessDenied."""
    def hook(params: dict[str, Any], **_: Any) -> Any:
        if bucket in str(params.get("url", "")) or bucket in str(params.get("url_path", "")):
            return (SimpleNamespace(status_code=403, headers={}),
                    {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}, "ResponseMetadata": {}})
        return None
    return hook


@pytest.fixture(scope="module")
def denied() -> SimpleNamespace:
    """The storage part scanned by the S3 collector only, GetBucketPolicy denied on the assets bucket."""
    from moto import mock_aws

    from fixtures.sample import ACCOUNT
    from fixtures.sample import storage as storage_fixture
    from renderers.document import render_document
    from scanner.analysis import analyze
    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, verify_identity

    with mock_aws():
        ids: dict[str, Any] = {"account": ACCOUNT, "region": "us-east-1", "second_region": "eu-west-1"}
        storage_fixture.build_buckets(ids, storage_fixture.storage_key(ids))
        session = make_session(None, "us-east-1")
        session._session.register("before-call.s3.GetBucketPolicy",
                                  _deny_policy_of(f"web-platform-assets-{ACCOUNT}"))
        inv = scan(session, verify_identity(session), ["us-east-1"], name="Denied",
                   collectors=[c for c in load_all() if c.name == "s3.buckets"])
    return SimpleNamespace(ids=ids, inv=inv, doc=render_document(inv, analyze(inv), project_name="Denied"))


def test_denied_bucket_policy_is_a_gap_and_other_facts_remain(denied: SimpleNamespace) -> None:
    ids = denied.ids
    gaps = [g for g in denied.inv.meta["gaps"] if g["action"] == "s3:GetBucketPolicy"]
    assert [g["resource"] for g in gaps] == [f"arn:aws:s3:::{ids['assets_bucket']}"]
    assets = denied.inv.node(f"arn:aws:s3:::{ids['assets_bucket']}")["props"]
    assert assets["tls_only"] is None and assets["encryption"] == "SSE-KMS"
    assert denied.inv.node(f"arn:aws:s3:::{ids['artifact_bucket']}")["props"]["tls_only"] is True
    s = section(denied.doc, "4.1").replace("\\", "")
    assert "Partly seen" in s and "s3:GetBucketPolicy" in s and ids["assets_bucket"] in s
    assets_row = next(line for line in s.splitlines() if line.startswith(f"| {ids['assets_bucket']}"))
    assert "unknown" in assets_row and "SSE-KMS" in assets_row


# --- any account: unusual shapes never break the transform -----------------------------------------

def test_policy_analysis_survives_any_json() -> None:
    """Policies come from any account: odd shapes must give a boolean, never an exception."""
    from hypothesis import given, settings
    from hypothesis import strategies as hs

    leaves = hs.none() | hs.booleans() | hs.integers() | hs.sampled_from(
        ["*", "Allow", "Deny", "false", "aws:SecureTransport", "aws:SourceVpce", "AWS"])
    docs = hs.recursive(leaves, lambda kids: hs.lists(kids, max_size=4) | hs.dictionaries(
        hs.sampled_from(["Statement", "Effect", "Principal", "Condition", "Bool", "AWS",
                         "aws:SecureTransport", "StringEquals", "aws:SourceVpce"]), kids, max_size=4),
        max_leaves=20)

    @settings(max_examples=100, deadline=None)
    @given(docs)
    def check(doc: Any) -> None:
        parsed = doc if isinstance(doc, dict) else None
        assert isinstance(st.policy_is_public(parsed), bool)
        assert isinstance(st.policy_requires_tls(parsed), bool)

    check()


def test_transform_bucket_with_only_a_name() -> None:
    """A bucket whose every per-bucket read failed still becomes a node, with unknowns."""
    inv = graph(st.transform_buckets(make_ctx(), [{"Name": "bare"}], None))
    p = inv.node("arn:aws:s3:::bare")["props"]
    assert p["versioning"] is None and p["lifecycle_rules"] is None and p["public"] is None
    from renderers.facts.storage import bucket_rows
    row = bucket_rows(inv)[0]
    # judged cells say why they are unknown ("unknown (s3:GetBucketVersioning not read)")
    assert row[0] == "bare" and sum(str(c).startswith("unknown") for c in row) >= 6


def test_s3_inventory_reports_are_edges_and_notes(sample) -> None:
    edges = [(s, d, data["props"]) for s, d, data in sample.inv.edges("reports_to")]
    assert len(edges) == 1, "the sample's assets bucket sends a weekly inventory to the logs bucket"
    src, dst, props = edges[0]
    assert src == f"arn:aws:s3:::{sample.ids['assets_bucket']}"
    assert dst.startswith("arn:aws:s3:::web-platform-logs") and props["frequency"] == "Weekly"
    assert "S3 Inventory weekly-inventory reports weekly to web-platform-logs" in section(sample.doc, "4.1")

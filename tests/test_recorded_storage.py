"""Recorded shapes for scanner/collectors/storage.py (S3, EBS, EFS, FSx)."""

from __future__ import annotations

from scanner.collectors import storage as s
from tests.test_recorded_shapes import Case, items, one

F = "storage"

#: the per-bucket reads, as collect_buckets stores them (key in the item, operation; storage.BUCKET_READS)
BUCKET_OPS = (("Versioning", "GetBucketVersioning"), ("Encryption", "GetBucketEncryption"),
              ("PublicAccessBlock", "GetPublicAccessBlock#s3"), ("Policy", "GetBucketPolicy"),
              ("Acl", "GetBucketAcl"), ("Logging", "GetBucketLogging"),
              ("Lifecycle", "GetBucketLifecycleConfiguration"), ("Replication", "GetBucketReplication"),
              ("ObjectLock", "GetObjectLockConfiguration"), ("Website", "GetBucketWebsite"),
              ("Tagging", "GetBucketTagging"), ("OwnershipControls", "GetBucketOwnershipControls"),
              ("Notifications", "GetBucketNotificationConfiguration"),
              ("Inventory", "ListBucketInventoryConfigurations"))


def _buckets(ctx, r: dict):
    sizes = s.latest_values(items(r, "GetMetricData", "MetricDataResults"))
    bucket_items = []
    for b in items(r, "ListBuckets", "Buckets"):
        item = {"Name": b.get("Name"), "CreationDate": b.get("CreationDate"),
                "Region": b.get("BucketRegion") or ctx.home_region,
                **{key: one(r, op) for key, op in BUCKET_OPS}}
        item["SizeBytes"] = next(iter(sizes.values()), None)
        bucket_items.append(item)
    return s.transform_buckets(ctx, bucket_items, one(r, "GetPublicAccessBlock#s3control"))


def _snapshots(ctx, r: dict):
    snaps = items(r, "DescribeSnapshots", "Snapshots")
    public = s.snapshot_is_public(one(r, "DescribeSnapshotAttribute"))
    return s.transform_snapshots(ctx, snaps, {x.get("SnapshotId"): public for x in snaps})


def _efs(ctx, r: dict):
    mts = [{**mt, "SecurityGroups": one(r, "DescribeMountTargetSecurityGroups").get("SecurityGroups") or []}
           for mt in items(r, "DescribeMountTargets", "MountTargets")]
    fss = [{**fs, "MountTargets": mts, "BackupPolicy": one(r, "DescribeBackupPolicy"),
            "LifecyclePolicies": one(r, "DescribeLifecycleConfiguration")}
           for fs in items(r, "DescribeFileSystems#efs", "FileSystems")]
    return s.transform_file_systems(ctx, fss)


CASES = [
    Case(F, s.transform_buckets,
         ("s3:ListBuckets", *(f"s3:{op.split('#')[0]}" for _, op in BUCKET_OPS), "s3control:GetPublicAccessBlock",
          "cloudwatch:GetMetricData"), _buckets,
         names=("ListBuckets:Buckets[].Name",),
         allow={"versioning": "GetBucketVersioning sends no Status for a bucket that never had versioning",
                "mfa_delete": "GetBucketVersioning sends no MFADelete where it was never configured",
                "has_policy": "no policy text is no policy (GetBucketPolicy: NoSuchBucketPolicy)",
                "object_lock": "no ObjectLockConfiguration is no object lock (ObjectLockConfigurationNotFoundError)"},
         allow_enum={"kms_key": "an encryption algorithm added later keeps the KMS key AWS names"}),
    Case(F, s.transform_volumes, ("ec2:DescribeVolumes",),
         lambda ctx, r: s.transform_volumes(ctx, items(r, "DescribeVolumes", "Volumes")),
         names=("DescribeVolumes:Volumes[].VolumeId",)),
    Case(F, s.transform_snapshots, ("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"), _snapshots,
         names=("DescribeSnapshots:Snapshots[].SnapshotId",)),
    Case(F, s.transform_ebs_default, ("ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"),
         lambda ctx, r: s.transform_ebs_default(ctx, one(r, "GetEbsEncryptionByDefault"),
                                                one(r, "GetEbsDefaultKmsKeyId")),
         names=("=ebs-encryption-default",)),
    Case(F, s.transform_file_systems,
         ("efs:DescribeFileSystems", "efs:DescribeMountTargets", "efs:DescribeMountTargetSecurityGroups",
          "efs:DescribeBackupPolicy", "efs:DescribeLifecycleConfiguration"), _efs,
         names=("DescribeFileSystems#efs:FileSystems[].FileSystemId", "DescribeMountTargets:MountTargets[].MountTargetId")),
    Case(F, s.transform_fsx, ("fsx:DescribeFileSystems",),
         lambda ctx, r: s.transform_fsx(ctx, items(r, "DescribeFileSystems#fsx", "FileSystems")),
         names=("DescribeFileSystems#fsx:FileSystems[].FileSystemId",)),
]


def test_an_encryption_algorithm_aws_adds_later_is_named_as_aws_names_it() -> None:
    from tests.test_recorded_shapes import context

    later = {"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms:pqc", "KMSMasterKeyID": "alias/data"}}]}}
    out = s.transform_buckets(context(), [{"Name": "b", "Encryption": later}, {"Region": "us-east-1"}], None)
    assert out.nodes[0].props["encryption"] == "aws:kms:pqc"   # not "none", not SSE-KMS
    assert [g.action for g in out.gaps] == ["s3:ListAllMyBuckets"]   # the bucket without a name, said

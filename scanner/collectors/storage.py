"""Storage: S3 buckets, EBS volumes/snapshots/default encryption, EFS and FSx file systems.

The S3 shapes (what a bucket's answers mean, :func:`transform_buckets`) live in
scanner/collectors/s3_shapes.py; the reads of every collector are here.

Get / transform split: ``collect_*`` only make (paginated, read-only) calls and
hand the raw API shapes to the pure ``transform_*`` functions, which tests feed
with recorded responses. Per-resource reads that may be denied (bucket policy,
backup policy, ...) go through :func:`read_optional`, so one denied call leaves a
*gap* naming the IAM action and the resource while the rest of the scan goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from scanner.collectors._shape import flag, ident, skipped
from scanner.collectors.registry import collector
from scanner.collectors.s3_shapes import (  # noqa: F401  (re-exported: other collectors and tests read them here)
    PAB_FLAGS,
    _encryption,
    acl_public_grants,
    bucket_arn,
    bucket_is_public,
    parse_policy,
    policy_is_public,
    policy_requires_tls,
    transform_buckets,
)
from scanner.context import (
    ScanContext,
    age_days,
    iso,
    name_of,
    now,
    tags_of,
)
from scanner.context import (
    guarded as context_guarded,
)
from scanner.inventory import Records

# --- shared helpers (database.py uses them too) --------------------------------------------

#: API operation -> IAM action, where the action is not "<prefix>:<Operation>"
IAM_ACTION_OVERRIDES = {
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "GetBucketReplication": "s3:GetReplicationConfiguration",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "ListBuckets": "s3:ListAllMyBuckets",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "ListBucketInventoryConfigurations": "s3:GetInventoryConfiguration",
}

#: how many snapshots per region get a per-snapshot "is it public?" call
SNAPSHOT_ATTRIBUTE_LIMIT = 50


def read_optional(ctx: ScanContext, out: Records, service: str, operation: str, *,
                  resource: str = "", missing: tuple[str, ...] = (), region: str | None = None,
                  action: str | None = None, **kwargs: Any) -> dict[str, Any] | None:
    """A per-resource read that tells "not configured" from "not readable".

    Returns the response; ``{}`` when AWS answered with one of the ``missing``
    codes (the resource has no such configuration); ``None`` when the call was
    denied or failed (a gap is recorded, naming the real IAM action).
    """
    before = len(out.gaps)
    resp = ctx.optional(out, service, operation, resource=resource, missing=missing, region=region,
                        **kwargs)
    if resp is not None:
        return resp
    if len(out.gaps) == before:
        return {}
    gap = out.gaps[-1]
    op_name = gap.action.split(":", 1)[-1]
    if action or op_name in IAM_ACTION_OVERRIDES:
        gap.action = action or IAM_ACTION_OVERRIDES[op_name]
    return None


def guarded(out: Records, service: str, action: str, region: str, resource: str,
            fn: Callable[[], Any], missing: tuple[str, ...] = ()) -> Any:
    """Run a multi-call read (a paginated list) whose denial must only leave a gap naming ``action``."""
    return context_guarded(out, service, action.split(":", 1)[-1], fn, resource=resource, missing=missing,
                           region=region, action=action)


def opt_int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None



# --- S3 (the reads; what they mean is scanner/collectors/s3_shapes.py) ----------------------

def _bucket_region(ctx: ScanContext, out: Records, b: dict[str, Any]) -> str:
    if b.get("BucketRegion"):
        return str(b["BucketRegion"])
    resp = read_optional(ctx, out, "s3", "get_bucket_location", resource=bucket_arn(b["Name"]),
                         Bucket=b["Name"])
    if not resp:
        return ctx.home_region
    loc = resp.get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(loc, loc)


#: per-bucket reads: (key in the raw item, operation, "not configured" error codes)
BUCKET_READS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Versioning", "get_bucket_versioning", ()),
    ("Encryption", "get_bucket_encryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
    ("PublicAccessBlock", "get_public_access_block", ("NoSuchPublicAccessBlockConfiguration",)),
    ("Policy", "get_bucket_policy", ("NoSuchBucketPolicy",)),
    ("Acl", "get_bucket_acl", ()),
    ("Logging", "get_bucket_logging", ()),
    ("Lifecycle", "get_bucket_lifecycle_configuration", ("NoSuchLifecycleConfiguration",)),
    ("Replication", "get_bucket_replication", ("ReplicationConfigurationNotFoundError",)),
    ("ObjectLock", "get_object_lock_configuration", ("ObjectLockConfigurationNotFoundError",)),
    ("Website", "get_bucket_website", ("NoSuchWebsiteConfiguration",)),
    ("Tagging", "get_bucket_tagging", ("NoSuchTagSet",)),
    ("OwnershipControls", "get_bucket_ownership_controls", ("OwnershipControlsNotFoundError",)),
    ("Notifications", "get_bucket_notification_configuration", ()),
    ("Inventory", "list_bucket_inventory_configurations", ()),
)

#: a read of the S3 collector run on a thread of its fan-out: its value and its own gaps
Read = Callable[[], tuple[Any, Records]]


def _read(ctx: ScanContext, fn: Callable[[Records], Any]) -> Read:
    """One read with a Records of its own, so reads on parallel threads never share a gap list
    and their gaps are merged afterwards in the order of the reads, as a sequential run adds them."""
    def task() -> tuple[Any, Records]:
        sub = ctx.records()
        return fn(sub), sub
    return task


def _bucket_read(ctx: ScanContext, name: str, region: str, op: str, missing: tuple[str, ...]) -> Read:
    return _read(ctx, lambda sub: read_optional(ctx, sub, "s3", op, resource=bucket_arn(name), missing=missing,
                                                region=region, Bucket=name))


def get_account_pab(ctx: ScanContext, out: Records) -> dict[str, Any] | None:
    """The account-wide S3 public access block response (s3control): {} absent, None unreadable."""
    return read_optional(ctx, out, "s3control", "get_public_access_block",
                         missing=("NoSuchPublicAccessBlockConfiguration",),
                         action="s3:GetAccountPublicAccessBlock", AccountId=ctx.account)


def latest_values(results: Iterable[dict[str, Any]]) -> dict[str, float]:
    """The newest value of each get_metric_data result, by query id."""
    out: dict[str, float] = {}
    for r in results:
        pairs = sorted(zip(r.get("Timestamps") or [], r.get("Values") or [], strict=False), key=lambda p: p[0])
        if pairs:
            out[r["Id"]] = float(pairs[-1][1])
    return out


def get_bucket_sizes(ctx: ScanContext, out: Records, region: str, names: set[str]) -> dict[str, float]:
    """BucketSizeBytes (all storage types summed) from CloudWatch for the buckets of one region."""
    def read() -> dict[str, float]:
        metrics = [m for m in ctx.paginate("cloudwatch", "list_metrics", "Metrics", region=region,
                                           Namespace="AWS/S3", MetricName="BucketSizeBytes")
                   if _dim(m, "BucketName") in names]
        sizes: dict[str, float] = {}
        end = now()
        for start in range(0, len(metrics), 500):
            chunk = metrics[start:start + 500]
            queries = [{"Id": f"m{i}", "MetricStat": {"Metric": m, "Period": 86400, "Stat": "Average"}}
                       for i, m in enumerate(chunk)]
            vals = latest_values(ctx.paginate("cloudwatch", "get_metric_data", "MetricDataResults",
                                              region=region, MetricDataQueries=queries,
                                              StartTime=end - timedelta(days=3), EndTime=end))
            for i, m in enumerate(chunk):
                if f"m{i}" in vals:
                    bucket = _dim(m, "BucketName") or ""
                    sizes[bucket] = sizes.get(bucket, 0.0) + vals[f"m{i}"]
        return sizes

    return guarded(out, "s3", "cloudwatch:GetMetricData", region, "", read) or {}


def _dim(metric: dict[str, Any], name: str) -> str | None:
    for d in metric.get("Dimensions") or []:
        if d.get("Name") == name:
            return d.get("Value")
    return None


def _merged(out: Records, done: list[tuple[Any, Records]]) -> list[Any]:
    """The values of finished reads, their gaps added to ``out`` in the order of the reads."""
    for _, sub in done:
        out.extend(sub)
    return [value for value, _ in done]


@collector("s3.buckets", "s3", scope="global",
           reads="s3:ListAllMyBuckets, s3:GetBucketLocation, s3:GetBucketVersioning, "
                 "s3:GetEncryptionConfiguration, s3:GetBucketPublicAccessBlock, s3:GetBucketPolicy, "
                 "s3:GetBucketAcl, s3:GetBucketLogging, s3:GetLifecycleConfiguration, "
                 "s3:GetReplicationConfiguration, s3:GetBucketObjectLockConfiguration, "
                 "s3:GetBucketWebsite, s3:GetBucketTagging, s3:GetBucketOwnershipControls, "
                 "s3:GetBucketNotification, s3:GetInventoryConfiguration, s3:GetAccountPublicAccessBlock, "
                 "cloudwatch:ListMetrics, cloudwatch:GetMetricData")
def collect_buckets(ctx: ScanContext) -> Records:
    """Every bucket with its fourteen configuration reads, its size and the account's public
    access block. After the listing, all of them wait together: each bucket's reads in the
    S3 lane of its region, the sizes in each region's CloudWatch lane, the account block in
    S3 Control's (:meth:`ScanContext.fan_out`, bounded by those lanes), so the collector
    takes a few round trips however many settings a bucket has, instead of one per read."""
    out = ctx.records()
    listed = []
    for b in ctx.paginate("s3", "list_buckets", "Buckets", MaxBuckets=10000):
        if b.get("Name"):
            listed.append(b)
        else:
            skipped(out, "s3", "s3:ListAllMyBuckets", "a bucket", "Name")
    # a bucket listed without its region (an older endpoint) is located first
    regions = _merged(out, ctx.fan_out([_read(ctx, lambda sub, b=b: _bucket_region(ctx, sub, b)) for b in listed],
                                       ctx.lane_width("s3")))
    by_region: dict[str, set[str]] = {}
    for b, region in zip(listed, regions, strict=True):
        by_region.setdefault(region, set()).add(b["Name"])
    size_regions = sorted(by_region)
    reads = [_bucket_read(ctx, b["Name"], region, op, missing)
             for b, region in zip(listed, regions, strict=True) for _, op, missing in BUCKET_READS]
    reads += [_read(ctx, lambda sub, r=r: get_bucket_sizes(ctx, sub, r, by_region[r])) for r in size_regions]
    reads.append(_read(ctx, lambda sub: get_account_pab(ctx, sub)))
    width = sum(ctx.lane_width("s3", r) for r in size_regions) + len(size_regions) + 1
    values = _merged(out, ctx.fan_out(reads, width))
    per_bucket = len(BUCKET_READS)
    sizes = dict(zip(size_regions, values[len(listed) * per_bucket:-1], strict=True))
    items = []
    for i, (b, region) in enumerate(zip(listed, regions, strict=True)):
        item: dict[str, Any] = {"Name": b["Name"], "CreationDate": b.get("CreationDate"), "Region": region}
        item.update(zip((key for key, _, _ in BUCKET_READS), values[i * per_bucket:(i + 1) * per_bucket],
                        strict=True))
        item["SizeBytes"] = sizes[region].get(b["Name"])
        items.append(item)
    return out.extend(transform_buckets(ctx, items, values[-1]))


# --- EBS ----------------------------------------------------------------------------------

def transform_volumes(ctx: ScanContext, volumes: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for v in volumes:
        vid = ident(out, v, "VolumeId", "ec2", "ec2:DescribeVolumes", "a volume")
        if not vid:
            continue
        arn = ctx.ec2_arn("volume", vid)
        kms = ctx.kms_key_arn(v.get("KmsKeyId"))
        instances = sorted({a["InstanceId"] for a in v.get("Attachments") or [] if a.get("InstanceId")})
        out.node(arn, "ebs:volume", name_of(v, vid), tags=tags_of(v), volume_id=vid,
                 size_gb=v.get("Size"), volume_type=v.get("VolumeType"), iops=v.get("Iops"),
                 throughput=v.get("Throughput"), encrypted=flag(v.get("Encrypted")), kms_key=kms,
                 state=v.get("State"), az=v.get("AvailabilityZone"), attached_instance_ids=instances,
                 snapshot_id=v.get("SnapshotId") or None, create_time=iso(v.get("CreateTime")),
                 multi_attach=flag(v.get("MultiAttachEnabled")))
        out.edge(arn, kms, "encrypted_by")
        for a in v.get("Attachments") or []:
            if a.get("InstanceId"):
                out.edge(arn, ctx.ec2_arn("instance", a["InstanceId"]), "attached_to",
                         device=a.get("Device"), delete_on_termination=a.get("DeleteOnTermination"))
    return out


@collector("ebs.volumes", "ec2", reads="ec2:DescribeVolumes")
def collect_volumes(ctx: ScanContext) -> Records:
    return transform_volumes(ctx, list(ctx.paginate("ec2", "describe_volumes", "Volumes")))


def snapshot_is_public(attr: dict[str, Any] | None) -> bool | None:
    """From describe_snapshot_attribute(createVolumePermission): shared with group "all"?"""
    if attr is None:
        return None
    return any(p.get("Group") == "all" for p in attr.get("CreateVolumePermissions") or [])


def transform_snapshots(ctx: ScanContext, snapshots: list[dict[str, Any]],
                        public: dict[str, bool | None]) -> Records:
    out = ctx.records()
    for s in snapshots:
        sid = ident(out, s, "SnapshotId", "ec2", "ec2:DescribeSnapshots", "a snapshot")
        if not sid:
            continue
        arn = ctx.ec2_arn("snapshot", sid)
        kms = ctx.kms_key_arn(s.get("KmsKeyId"))
        vol = s.get("VolumeId")
        out.node(arn, "ebs:snapshot", name_of(s, sid), tags=tags_of(s), snapshot_id=sid,
                 volume_id=vol, size_gb=s.get("VolumeSize"), encrypted=flag(s.get("Encrypted")),
                 kms_key=kms, public=public.get(sid), start_time=iso(s.get("StartTime")),
                 age_days=age_days(s.get("StartTime")), description=s.get("Description"),
                 state=s.get("State"), storage_tier=s.get("StorageTier"))
        out.edge(arn, kms, "encrypted_by")
        if vol and vol != "vol-ffffffff":  # AWS uses vol-ffffffff for copied snapshots
            out.edge(arn, ctx.ec2_arn("volume", vol), "snapshot_of")
    return out


@collector("ebs.snapshots", "ec2", reads="ec2:DescribeSnapshots, ec2:DescribeSnapshotAttribute")
def collect_snapshots(ctx: ScanContext) -> Records:
    out = ctx.records()
    # OwnerIds=self is the filter; the owner check is the guarantee: an emulator that ignores the
    # filter (moto lists every public AMI's snapshot) must not make them "owned by this account"
    snaps = [s for s in ctx.paginate("ec2", "describe_snapshots", "Snapshots", OwnerIds=["self"])
             if s.get("OwnerId") in (None, "", ctx.account)]
    snaps.sort(key=lambda s: str(s.get("StartTime") or ""), reverse=True)
    public: dict[str, bool | None] = {}
    for s in snaps[:SNAPSHOT_ATTRIBUTE_LIMIT]:
        if not s.get("SnapshotId"):
            continue  # the transform says it was not understood
        attr = read_optional(ctx, out, "ec2", "describe_snapshot_attribute",
                             resource=ctx.ec2_arn("snapshot", s["SnapshotId"]),
                             Attribute="createVolumePermission", SnapshotId=s["SnapshotId"])
        public[s["SnapshotId"]] = snapshot_is_public(attr)
    if len(snaps) > SNAPSHOT_ATTRIBUTE_LIMIT:
        out.gap("ec2", "ec2:DescribeSnapshotAttribute",
                f"public sharing checked for the newest {SNAPSHOT_ATTRIBUTE_LIMIT} of {len(snaps)} "
                "snapshots only (bounded to keep the scan fast)")
    return out.extend(transform_snapshots(ctx, snaps, public))


def transform_ebs_default(ctx: ScanContext, enabled: dict[str, Any] | None,
                          key: dict[str, Any] | None) -> Records:
    out = ctx.records()
    nid = ctx.arn("ec2", "ebs-encryption-default")
    kms = ctx.kms_key_arn((key or {}).get("KmsKeyId"))
    out.node(nid, "ebs:encryption-default", f"EBS default encryption ({ctx.region})",
             enabled=None if enabled is None else flag(enabled.get("EbsEncryptionByDefault")),
             kms_key=kms)
    out.edge(ctx.region_node, nid, "contains")
    out.edge(nid, kms, "encrypted_by")
    return out


@collector("ebs.encryption-default", "ec2",
           reads="ec2:GetEbsEncryptionByDefault, ec2:GetEbsDefaultKmsKeyId")
def collect_ebs_default(ctx: ScanContext) -> Records:
    enabled = ctx.call("ec2", "get_ebs_encryption_by_default")
    out = ctx.records()
    key = None
    if enabled.get("EbsEncryptionByDefault"):
        key = read_optional(ctx, out, "ec2", "get_ebs_default_kms_key_id")
    return out.extend(transform_ebs_default(ctx, enabled, key))


# --- EFS ----------------------------------------------------------------------------------

def efs_mount_target_id(ctx: ScanContext, mt_id: str) -> str:
    """Mount targets have no ARN; this ARN-shaped id keeps them unique per account and region."""
    return ctx.arn("elasticfilesystem", f"mount-target/{mt_id}")


def transform_file_systems(ctx: ScanContext, file_systems: list[dict[str, Any]]) -> Records:
    """EFS file systems; each item may carry ``MountTargets`` (each with ``SecurityGroups``),
    ``BackupPolicy`` and ``LifecyclePolicies`` ({} not configured, None unreadable)."""
    out = ctx.records()
    for fs in file_systems:
        fid = ident(out, fs, "FileSystemId", "efs", "elasticfilesystem:DescribeFileSystems", "a file system")
        if not fid:
            continue
        arn = fs.get("FileSystemArn") or ctx.arn("elasticfilesystem", f"file-system/{fid}")
        kms = ctx.kms_key_arn(fs.get("KmsKeyId")) if fs.get("Encrypted") else None
        backup = fs.get("BackupPolicy")
        lifecycle = fs.get("LifecyclePolicies")
        out.node(arn, "efs:file-system", fs.get("Name") or name_of(fs, fid), tags=tags_of(fs),
                 fs_id=fid, name=fs.get("Name"),
                 size_bytes=(fs.get("SizeInBytes") or {}).get("Value"),
                 encrypted=flag(fs.get("Encrypted")), kms_key=kms,
                 performance_mode=fs.get("PerformanceMode"), throughput_mode=fs.get("ThroughputMode"),
                 provisioned_mibps=fs.get("ProvisionedThroughputInMibps"),
                 backup_policy=None if backup is None else
                 ((backup.get("BackupPolicy") or {}).get("Status") or "DISABLED"),
                 lifecycle=None if lifecycle is None else list(lifecycle.get("LifecyclePolicies") or []),
                 mount_target_count=fs.get("NumberOfMountTargets"),
                 availability_zone=fs.get("AvailabilityZoneName"))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms, "encrypted_by")
        for mt in fs.get("MountTargets") or []:
            if ident(out, mt, "MountTargetId", "efs", "elasticfilesystem:DescribeMountTargets", "a mount target"):
                _mount_target(ctx, out, arn, mt)
    return out


def _mount_target(ctx: ScanContext, out: Records, fs_arn: str, mt: dict[str, Any]) -> None:
    mid = efs_mount_target_id(ctx, mt["MountTargetId"])
    sgs = mt.get("SecurityGroups")
    out.node(mid, "efs:mount-target", mt["MountTargetId"], mount_target_id=mt["MountTargetId"],
             fs_id=mt.get("FileSystemId"), subnet_id=mt.get("SubnetId"),
             az=mt.get("AvailabilityZoneName"), ip=mt.get("IpAddress"),
             security_group_ids=sgs, vpc_id=mt.get("VpcId"), state=mt.get("LifeCycleState"))
    out.edge(fs_arn, mid, "contains")
    if mt.get("SubnetId"):
        out.edge(mid, ctx.ec2_arn("subnet", mt["SubnetId"]), "in_subnet")
    for sg in sgs or []:
        out.edge(mid, ctx.ec2_arn("security-group", sg), "protected_by")


def get_efs_details(ctx: ScanContext, out: Records, fs: dict[str, Any]) -> dict[str, Any]:
    """Mount targets (+ their security groups), backup policy and lifecycle of one file system."""
    fid = fs["FileSystemId"]
    res = fs.get("FileSystemArn") or fid
    item = dict(fs)
    mts = guarded(out, "efs", "elasticfilesystem:DescribeMountTargets", ctx.region, res,
                  lambda: list(ctx.paginate("efs", "describe_mount_targets", "MountTargets",
                                            FileSystemId=fid)))
    for mt in mts or []:
        if not mt.get("MountTargetId"):
            continue
        sg = read_optional(ctx, out, "efs", "describe_mount_target_security_groups", resource=res,
                           MountTargetId=mt["MountTargetId"])
        mt["SecurityGroups"] = None if sg is None else sg.get("SecurityGroups") or []
    item["MountTargets"] = mts or []
    item["BackupPolicy"] = read_optional(ctx, out, "efs", "describe_backup_policy", resource=res,
                                         missing=("PolicyNotFound",), FileSystemId=fid)
    item["LifecyclePolicies"] = read_optional(ctx, out, "efs", "describe_lifecycle_configuration",
                                              resource=res, FileSystemId=fid)
    return item


@collector("efs.file-systems", "efs",
           reads="elasticfilesystem:DescribeFileSystems, elasticfilesystem:DescribeMountTargets, "
                 "elasticfilesystem:DescribeMountTargetSecurityGroups, "
                 "elasticfilesystem:DescribeBackupPolicy, elasticfilesystem:DescribeLifecycleConfiguration")
def collect_file_systems(ctx: ScanContext) -> Records:
    out = ctx.records()
    items = [get_efs_details(ctx, out, fs)
             for fs in ctx.paginate("efs", "describe_file_systems", "FileSystems")]
    return out.extend(transform_file_systems(ctx, items))


# --- FSx ----------------------------------------------------------------------------------

def transform_fsx(ctx: ScanContext, file_systems: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for fs in file_systems:
        fid = ident(out, fs, "FileSystemId", "fsx", "fsx:DescribeFileSystems", "a file system")
        if not fid:
            continue
        arn = fs.get("ResourceARN") or ctx.arn("fsx", f"file-system/{fid}")
        kms = ctx.kms_key_arn(fs.get("KmsKeyId"))
        ftype = fs.get("FileSystemType")
        conf = _first_config(fs)
        subnets = fs.get("SubnetIds") or []
        out.node(arn, "fsx:file-system", name_of(fs, fid), tags=tags_of(fs), fs_id=fid, type=ftype,
                 storage_gb=fs.get("StorageCapacity"), storage_type=fs.get("StorageType"),
                 deployment_type=conf.get("DeploymentType"), subnet_ids=subnets,
                 encrypted=True,  # FSx always encrypts at rest (AWS managed key when no KmsKeyId)
                 kms_key=kms, vpc_id=fs.get("VpcId"), lifecycle=fs.get("Lifecycle"),
                 throughput_mbps=conf.get("ThroughputCapacity"),
                 backup_retention=conf.get("AutomaticBackupRetentionDays"))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms, "encrypted_by")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
    return out


def _first_config(fs: dict[str, Any]) -> dict[str, Any]:
    """The type-specific block (WindowsConfiguration, LustreConfiguration, ...) of a file system."""
    for key, val in fs.items():
        if key.endswith("Configuration") and isinstance(val, dict):
            return val
    return {}


@collector("fsx.file-systems", "fsx", reads="fsx:DescribeFileSystems")
def collect_fsx(ctx: ScanContext) -> Records:
    return transform_fsx(ctx, list(ctx.paginate("fsx", "describe_file_systems", "FileSystems")))

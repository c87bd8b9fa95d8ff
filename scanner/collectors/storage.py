"""Storage: S3 buckets, EBS volumes/snapshots/default encryption, EFS and FSx file systems.

Get / transform split: ``collect_*`` only make (paginated, read-only) calls and
hand the raw API shapes to the pure ``transform_*`` functions, which tests feed
with recorded responses. Per-resource reads that may be denied (bucket policy,
backup policy, ...) go through :func:`read_optional`, so one denied call leaves a
*gap* naming the IAM action and the resource while the rest of the scan goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from scanner.collectors._shape import flag, ident, is_on, skipped
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    age_days,
    iso,
    name_of,
    now,
    region_id_node,
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

#: AWS's names of the four public-access-block flags, kept as the dict keys in props
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

#: how many snapshots per region get a per-snapshot "is it public?" call
SNAPSHOT_ATTRIBUTE_LIMIT = 50

#: buckets read in parallel (each bucket needs about a dozen calls; boto3 clients are thread-safe)
BUCKET_WORKERS = 8


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


# --- S3 -----------------------------------------------------------------------------------

RESTRICTING_CONDITION_KEYS = frozenset({
    "aws:sourcearn", "aws:sourceaccount", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip",
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
    "aws:sourceowner", "aws:userid", "aws:username", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:principalservicename", "aws:calledvia", "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
})
PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}


def bucket_arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{name}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in _as_list(principal.get(k)) for k in ("AWS", "CanonicalUser"))
    return False


def _condition_keys(condition: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(condition, dict):
        for body in condition.values():
            if isinstance(body, dict):
                keys.update(str(k).lower() for k in body)
    return keys


def parse_policy(policy: Any) -> dict[str, Any] | None:
    """A bucket policy (JSON text or dict) as a dict; None when it cannot be parsed."""
    if isinstance(policy, dict):
        return policy
    if not policy:
        return None
    try:
        doc = json.loads(policy)
    except (TypeError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def policy_is_public(doc: dict[str, Any] | None) -> bool:
    """True when an Allow grants everyone ("*") access with no condition that narrows who."""
    if not doc:
        return False
    for st in _as_list(doc.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if not _principal_is_everyone(st.get("Principal")):
            continue
        if not _condition_keys(st.get("Condition")) & RESTRICTING_CONDITION_KEYS:
            return True
    return False


def policy_requires_tls(doc: dict[str, Any] | None) -> bool:
    """True when a Deny applies whenever ``aws:SecureTransport`` is false (TLS-only access)."""
    if not doc:
        return False
    for st in _as_list(doc.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Deny":
            continue
        cond = st.get("Condition")
        if not isinstance(cond, dict):
            continue
        for op, body in cond.items():
            if not str(op).startswith("Bool") or not isinstance(body, dict):
                continue
            for key, val in body.items():
                if str(key).lower() == "aws:securetransport" and \
                        any(str(v).lower() == "false" for v in _as_list(val)):
                    return True
    return False


def acl_public_grants(acl: dict[str, Any] | None) -> list[str]:
    """The public groups (AllUsers / AuthenticatedUsers) an ACL grants, with the permission."""
    out = []
    for g in (acl or {}).get("Grants") or []:
        uri = (g.get("Grantee") or {}).get("URI")
        if uri in PUBLIC_GRANTEES:
            out.append(f"{PUBLIC_GRANTEES[uri]}:{g.get('Permission')}")
    return sorted(set(out))


def pab_flags(resp: dict[str, Any] | None) -> dict[str, bool] | None:
    """Public access block flags from a Get*PublicAccessBlock response (None: not configured/unknown)."""
    conf = (resp or {}).get("PublicAccessBlockConfiguration")
    if not conf:
        return None
    return {f: flag(conf.get(f)) for f in PAB_FLAGS}


SSE_NAMES = {"AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}


def _encryption(resp: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(kind, key id) of the default encryption: SSE-S3, SSE-KMS, DSSE-KMS or none.

    An algorithm AWS adds later stays as AWS names it; a rule that names none says nothing
    (None), it is not "none"."""
    if resp is None:
        return None, None
    rules = (resp.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    unread = False
    for r in rules:
        d = r.get("ApplyServerSideEncryptionByDefault") or {}
        algo = d.get("SSEAlgorithm")
        if algo is None:
            unread = True
            continue
        return SSE_NAMES.get(algo, str(algo)), (None if algo == "AES256" else d.get("KMSMasterKeyID"))
    return (None if unread else "none"), None


def _lifecycle(resp: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    if resp is None:
        return None
    rules = []
    for r in resp.get("Rules") or []:
        flt = r.get("Filter") or {}
        prefix = r.get("Prefix", flt.get("Prefix") if isinstance(flt, dict) else None)
        rules.append({
            "id": r.get("ID"), "enabled": is_on(r.get("Status"), ("Enabled",), ("Disabled",)), "prefix": prefix,
            "transitions": [{"days": t.get("Days"), "storage_class": t.get("StorageClass")}
                            for t in r.get("Transitions") or []],
            "expiration_days": (r.get("Expiration") or {}).get("Days"),
            "noncurrent_expiration_days": (r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays"),
        })
    return rules


def _replication(resp: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    if resp is None:
        return None
    rules = []
    for r in (resp.get("ReplicationConfiguration") or {}).get("Rules") or []:
        dest = r.get("Destination") or {}
        rules.append({"id": r.get("ID"), "enabled": is_on(r.get("Status"), ("Enabled",), ("Disabled",)),
                      "destination": dest.get("Bucket"), "account": dest.get("Account"),
                      "storage_class": dest.get("StorageClass")})
    return rules


def _versioning(resp: dict[str, Any] | None) -> tuple[str | None, bool | None]:
    if resp is None:
        return None, None
    # AWS sends no Status for a bucket that never had versioning, no MFADelete where it was never set
    mfa = resp.get("MFADelete")
    return resp.get("Status") or "Disabled", False if mfa is None else is_on(mfa, ("Enabled",), ("Disabled",))


def _object_lock(resp: dict[str, Any] | None) -> bool | None:
    if resp is None:
        return None
    conf = resp.get("ObjectLockConfiguration")
    if not conf:
        return False  # ObjectLockConfigurationNotFoundError (read as {}): not configured
    return is_on(conf.get("ObjectLockEnabled"), ("Enabled",), ())


NOTIFICATION_KINDS = (("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"),
                      ("QueueConfigurations", "QueueArn", "sqs"),
                      ("TopicConfigurations", "TopicArn", "sns"))


def notification_targets(resp: dict[str, Any]) -> list[dict[str, Any]]:
    """Where the bucket sends object events: Lambda functions, SQS queues, SNS topics."""
    out = []
    for key, arn_key, kind in NOTIFICATION_KINDS:
        for conf in resp.get(key) or []:
            if conf.get(arn_key):
                out.append({"type": kind, "arn": conf[arn_key], "events": sorted(conf.get("Events") or [])})
    if "EventBridgeConfiguration" in resp:
        out.append({"type": "eventbridge", "arn": None, "events": ["*"]})
    return out


def inventory_reports(resp: dict[str, Any]) -> list[dict[str, Any]]:
    """S3 Inventory configurations: where each report goes and how often (no object data)."""
    out = []
    for c in resp.get("InventoryConfigurationList") or []:
        dest = ((c.get("Destination") or {}).get("S3BucketDestination") or {}).get("Bucket") or ""
        out.append({"id": c.get("Id"), "enabled": bool(c.get("IsEnabled")),
                    "frequency": (c.get("Schedule") or {}).get("Frequency"),
                    "destination": dest.split(":::", 1)[-1] if dest else None})
    return sorted(out, key=lambda r: str(r["id"]))


def bucket_is_public(props: dict[str, Any]) -> bool | None:
    """Whether the policy or ACL makes the bucket public once public access blocks apply."""
    blocks = [b for b in (props.get("public_access_block"), props.get("account_public_access_block")) if b]
    restrict = any(b.get("RestrictPublicBuckets") for b in blocks)
    ignore_acls = any(b.get("IgnorePublicAcls") for b in blocks)
    pol, acl = props.get("policy_public"), props.get("acl_public")
    if (pol and not restrict) or (acl and not ignore_acls):
        return True
    if pol is None or acl is None:
        return None if not (restrict and ignore_acls) else False
    return False


def transform_buckets(ctx: ScanContext, buckets: list[dict[str, Any]],
                      account_pab: dict[str, Any] | None) -> Records:
    """Buckets from list_buckets items enriched with per-bucket responses.

    Each item carries ``Name``, ``CreationDate``, ``Region`` and the raw
    responses under ``Versioning``, ``Encryption``, ``PublicAccessBlock``,
    ``Policy`` (the policy text), ``Acl``, ``Logging``, ``Lifecycle``,
    ``Replication``, ``ObjectLock``, ``Website``, ``Tagging``, ``OwnershipControls``,
    ``Notifications`` and ``SizeBytes``:
    ``{}`` means "not configured", ``None`` (or absent) means "not readable".
    ``account_pab`` is the raw s3control GetPublicAccessBlock response, same convention.
    Public access blocks follow the vocabulary (None: not configured); the
    ``*_read`` props say whether they could be read at all.
    """
    out = ctx.records()
    for b in buckets:
        name = ident(out, b, "Name", "s3", "s3:ListAllMyBuckets", "a bucket")
        if not name:
            continue
        region = b.get("Region") or ctx.home_region
        arn = bucket_arn(name, ctx.partition)
        versioning, mfa_delete = _versioning(b.get("Versioning"))
        enc, key = _encryption(b.get("Encryption"))
        kms_key = ctx.kms_key_arn(key, region=region)
        pol_raw = b.get("Policy")
        doc = parse_policy((pol_raw or {}).get("Policy")) if pol_raw is not None else None
        acl = b.get("Acl")
        logging = b.get("Logging")
        target = ((logging or {}).get("LoggingEnabled") or {}).get("TargetBucket")
        replication = _replication(b.get("Replication"))
        website = b.get("Website")
        props: dict[str, Any] = dict(
            name=name, creation_date=iso(b.get("CreationDate")), versioning=versioning,
            mfa_delete=mfa_delete, encryption=enc, kms_key=kms_key,
            public_access_block=pab_flags(b.get("PublicAccessBlock")),
            public_access_block_read=b.get("PublicAccessBlock") is not None,
            account_public_access_block=pab_flags(account_pab),
            account_public_access_block_read=account_pab is not None,
            policy_public=None if pol_raw is None else policy_is_public(doc),
            acl_public=None if acl is None else bool(acl_public_grants(acl)),
            acl_public_grants=None if acl is None else acl_public_grants(acl),
            tls_only=None if pol_raw is None else policy_requires_tls(doc),
            has_policy=None if pol_raw is None else bool(doc),
            logging_target=None if logging is None else (target or ""),
            lifecycle_rules=_lifecycle(b.get("Lifecycle")), replication=replication,
            object_lock=_object_lock(b.get("ObjectLock")), size_bytes=b.get("SizeBytes"),
            website=None if website is None else bool(website),
        )
        ownership = b.get("OwnershipControls")
        props["object_ownership"] = None if ownership is None else next(
            (r.get("ObjectOwnership") for r in (ownership.get("OwnershipControls") or {}).get("Rules") or []),
            "not set")
        notes = b.get("Notifications")
        props["notifications"] = None if notes is None else notification_targets(notes)
        inventory = b.get("Inventory")
        props["inventory"] = None if inventory is None else inventory_reports(inventory)
        props["public"] = bucket_is_public(props)
        tagging = b.get("Tagging")
        out.node(arn, "s3:bucket", name, region=region, tags=tags_of(tagging or {}), **props)
        out.edge(region_id_node(ctx.account, region), arn, "contains")
        out.edge(arn, kms_key, "encrypted_by")
        if target:
            out.edge(arn, bucket_arn(target, ctx.partition), "logs_to",
                     prefix=(logging or {}).get("LoggingEnabled", {}).get("TargetPrefix"))
        for target in props["notifications"] or []:
            out.edge(arn, target["arn"], "triggers" if target["type"] == "lambda" else "publishes_to",
                     events=target["events"])
        for inv in props["inventory"] or []:
            if inv["destination"]:
                out.edge(arn, bucket_arn(inv["destination"], ctx.partition), "reports_to", report="inventory",
                         frequency=inv["frequency"])
        for rule in replication or []:
            dest = rule.get("destination")
            if dest:
                dest_arn = dest if dest.startswith("arn:") else bucket_arn(dest, ctx.partition)
                out.edge(arn, dest_arn, "replicates_to", enabled=rule["enabled"])
    return out


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


def get_bucket_details(ctx: ScanContext, out: Records, b: dict[str, Any]) -> dict[str, Any]:
    """Every per-bucket configuration read, each in the bucket's own region, each optional."""
    name = b["Name"]
    region = _bucket_region(ctx, out, b)
    item: dict[str, Any] = {"Name": name, "CreationDate": b.get("CreationDate"), "Region": region}
    for key, op, missing in BUCKET_READS:
        item[key] = read_optional(ctx, out, "s3", op, resource=bucket_arn(name), missing=missing,
                                  region=region, Bucket=name)
    return item


def _bucket_with_gaps(ctx: ScanContext, b: dict[str, Any]) -> tuple[dict[str, Any], Records]:
    """One bucket's reads with its own Records, so parallel buckets never share gap lists."""
    sub = ctx.records()
    return get_bucket_details(ctx, sub, b), sub


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


@collector("s3.buckets", "s3", scope="global",
           reads="s3:ListAllMyBuckets, s3:GetBucketLocation, s3:GetBucketVersioning, "
                 "s3:GetEncryptionConfiguration, s3:GetBucketPublicAccessBlock, s3:GetBucketPolicy, "
                 "s3:GetBucketAcl, s3:GetBucketLogging, s3:GetLifecycleConfiguration, "
                 "s3:GetReplicationConfiguration, s3:GetBucketObjectLockConfiguration, "
                 "s3:GetBucketWebsite, s3:GetBucketTagging, s3:GetBucketOwnershipControls, "
                 "s3:GetBucketNotification, s3:GetInventoryConfiguration, s3:GetAccountPublicAccessBlock, "
                 "cloudwatch:ListMetrics, cloudwatch:GetMetricData")
def collect_buckets(ctx: ScanContext) -> Records:
    out = ctx.records()
    listed = []
    for b in ctx.paginate("s3", "list_buckets", "Buckets", MaxBuckets=10000):
        if b.get("Name"):
            listed.append(b)
        else:
            skipped(out, "s3", "s3:ListAllMyBuckets", "a bucket", "Name")
    for region in sorted({b["BucketRegion"] for b in listed if b.get("BucketRegion")} | {ctx.region}):
        ctx.client("s3", region)  # create clients before the threads share them
    with ThreadPoolExecutor(max_workers=BUCKET_WORKERS, thread_name_prefix="awsscan-s3") as pool:
        done = list(pool.map(lambda b: _bucket_with_gaps(ctx, b), listed))
    items = []
    for item, gaps in done:
        items.append(item)
        out.extend(gaps)
    by_region: dict[str, set[str]] = {}
    for it in items:
        by_region.setdefault(it["Region"], set()).add(it["Name"])
    for region, names in sorted(by_region.items()):
        sizes = get_bucket_sizes(ctx, out, region, names)
        for it in items:
            if it["Region"] == region:
                it["SizeBytes"] = sizes.get(it["Name"])
    return out.extend(transform_buckets(ctx, items, get_account_pab(ctx, out)))


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
    snaps = list(ctx.paginate("ec2", "describe_snapshots", "Snapshots", OwnerIds=["self"]))
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

"""S3 bucket shapes: the pure half of the ``s3.buckets`` collector (scanner/collectors/storage.py).

What one bucket's raw configuration answers mean: whether its policy or ACL is public, whether
it insists on TLS, its default encryption, lifecycle and replication rules, and
:func:`transform_buckets`, which turns listed buckets with their per-bucket responses into
records. No API call is made here, so tests feed it recorded responses. Kept apart from the
collector's reads (which fan out over the S3 lanes) so neither module outgrows its subject.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.collectors._shape import flag, ident, is_on
from scanner.context import ScanContext, iso, region_id_node, tags_of
from scanner.inventory import Records

#: AWS's names of the four public-access-block flags, kept as the dict keys in props
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

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

"""Security services: KMS, AWS Config, GuardDuty, Security Hub, ACM, Secrets Manager and SSM
parameter metadata (get / transform); WAFv2 and CloudTrail, of the same family, are in waf.py
and cloudtrail.py beside this module.

Only metadata is read: ``ListSecrets`` and ``DescribeParameters`` never return
secret values, and the read-only guard refuses GetSecretValue/GetParameter*
anyway. Per-resource calls (key policy, detector, web ACL, trail status) go
through :func:`soft` so one denied or unsupported call becomes a recorded gap
instead of hiding every other resource of the region.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import botocore.exceptions as bexc

from scanner.collectors._fanout import each
from scanner.collectors._shape import ident, is_on, skipped
from scanner.collectors.iam import load_document
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    days_until,
    guarded,
    iam_action,
    iso,
    tags_of,
)
from scanner.inventory import Records

T = TypeVar("T")


def soft(ctx: ScanContext, out: Records, service: str, op_name: str, fn: Callable[[], T], *,
         resource: str = "", missing: tuple[str, ...] = ()) -> T | None:
    """Run one read (or a whole pagination) whose failure must not stop the collector; a gap instead."""
    return guarded(out, service, op_name, fn, resource=resource, missing=missing, region=ctx.region,
                   action=iam_action(service, op_name))


def kms_ref(ctx: ScanContext, ref: str | None) -> str | None:
    """Graph id of a customer KMS key reference; AWS managed default keys (alias/aws/...) get no edge."""
    if not ref or ref.startswith("alias/aws/") or ":alias/aws/" in ref:
        return None
    return ctx.kms_key_arn(ref)


# --- KMS -----------------------------------------------------------------------

def key_policy_principals(policy: Any, account: str) -> list[str]:
    """Who the key policy lets in, summarised: ``account root (IAM policies)``, other
    accounts, roles/users, services, ``*``; capped so a huge policy stays readable."""
    found: list[str] = []
    for s in _as_list(load_document(policy).get("Statement")):
        if not isinstance(s, dict) or s.get("Effect") != "Allow":
            continue
        principal = s.get("Principal")
        items = [("*", "*")] if principal == "*" else [
            (k, str(v)) for k, vs in (principal or {}).items() for v in _as_list(vs)] \
            if isinstance(principal, dict) else []
        for ptype, value in items:
            if value == "*":
                label = "* (anyone, see conditions)" if s.get("Condition") else "* (anyone)"
            elif ptype == "AWS" and value in (f"arn:aws:iam::{account}:root", account):
                label = "account root (IAM policies decide)"
            elif ptype == "AWS" and value.endswith(":root") and value.count(":") >= 5:
                label = f"account {value.split(':')[4]}"
            else:
                label = value
            if label not in found:
                found.append(label)
    return found[:20]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _aws_alias(names: Iterable[str]) -> bool:
    """``alias/aws/*`` is reserved for AWS managed keys, so it identifies them even where
    DescribeKey was denied (or an emulator reports CUSTOMER)."""
    return any(str(n).startswith("alias/aws/") for n in names)


def transform_keys(ctx: ScanContext, keys: list[dict[str, Any]], aliases: list[dict[str, Any]]) -> Records:
    """``keys``: ``{"KeyId", "KeyArn", "meta": KeyMetadata|None, "rotation": bool|None, "policy": str|None}``."""
    out = ctx.records()
    by_key: dict[str, list[str]] = {}
    for a in aliases:
        if a.get("TargetKeyId"):
            by_key.setdefault(a["TargetKeyId"], []).append(a.get("AliasName", ""))
    for k in keys:
        m = k.get("meta") or {}
        key_id = m.get("KeyId") or k.get("KeyId")
        arn = m.get("Arn") or k.get("KeyArn") or ctx.kms_key_arn(key_id)
        if not arn:
            skipped(out, "kms", "kms:ListKeys", "a key", "KeyId")
            continue
        names = sorted(by_key.get(key_id, []))
        manager = "AWS" if _aws_alias(names) else m.get("KeyManager")
        out.node(arn, "kms:key", names[0] if names else key_id, key_id=key_id, aliases=names,
                 manager=manager, state=m.get("KeyState"), rotation_enabled=k.get("rotation"),
                 key_spec=m.get("KeySpec") or m.get("CustomerMasterKeySpec"), usage=m.get("KeyUsage"),
                 principals=key_policy_principals(k.get("policy"), ctx.account) if k.get("policy") else None,
                 description=m.get("Description"), multi_region=m.get("MultiRegion"),
                 origin=m.get("Origin"), created=iso(m.get("CreationDate")),
                 deletion_date=iso(m.get("DeletionDate")))
        out.edge(ctx.region_node, arn, "contains")
    return out


def _key_details(ctx: ScanContext, out: Records, key: dict[str, Any], aliases: list[str]) -> dict[str, Any]:
    """DescribeKey for every key; rotation and key policy only for customer managed keys."""
    kid = key["KeyId"]
    desc = soft(ctx, out, "kms", "DescribeKey", lambda: ctx.call("kms", "describe_key", KeyId=kid),
                resource=key.get("KeyArn", kid))
    meta = (desc or {}).get("KeyMetadata") or {}
    item = {**key, "meta": meta or None, "rotation": None, "policy": None}
    if meta.get("KeyManager") != "CUSTOMER" or _aws_alias(aliases):
        return item
    if meta.get("KeyState") == "Enabled" and meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT":
        rot = soft(ctx, out, "kms", "GetKeyRotationStatus",
                   lambda: ctx.call("kms", "get_key_rotation_status", KeyId=kid), resource=meta.get("Arn", kid),
                   missing=("UnsupportedOperationException", "KMSInvalidStateException"))
        item["rotation"] = None if rot is None else bool(rot.get("KeyRotationEnabled"))
    elif meta.get("KeyState") == "Enabled":
        item["rotation"] = False  # asymmetric/HMAC keys cannot rotate automatically
    pol = soft(ctx, out, "kms", "GetKeyPolicy",
               lambda: ctx.call("kms", "get_key_policy", KeyId=kid, PolicyName="default"),
               resource=meta.get("Arn", kid))
    item["policy"] = (pol or {}).get("Policy")
    return item


@collector("kms.keys", "kms", reads="kms:ListKeys, kms:ListAliases, kms:DescribeKey, "
                                    "kms:GetKeyRotationStatus, kms:GetKeyPolicy")
def collect_keys(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    aliases = list(ctx.paginate("kms", "list_aliases", "Aliases"))
    by_key: dict[str, list[str]] = {}
    for a in aliases:
        by_key.setdefault(a.get("TargetKeyId") or "", []).append(a.get("AliasName", ""))
    # each key's reads (DescribeKey, then rotation and policy for customer keys) wait together
    # with the other keys' in the KMS lane (scanner/collectors/_fanout.py)
    keys = each(ctx, gaps, list(ctx.paginate("kms", "list_keys", "Keys")),
                lambda sub, k: _key_details(ctx, sub, k, by_key.get(k["KeyId"], [])))
    return transform_keys(ctx, keys, aliases).extend(gaps)


# --- AWS Config ----------------------------------------------------------------

def _rule_source(rule: dict[str, Any]) -> str | None:
    src = rule.get("Source") or {}
    owner, ident = src.get("Owner"), src.get("SourceIdentifier")
    if owner == "AWS":
        return f"AWS managed: {ident}"
    if owner == "CUSTOM_LAMBDA":
        return f"custom Lambda: {str(ident).rsplit(':', 1)[-1]}"
    return f"custom ({owner})" if owner else None


def transform_config(ctx: ScanContext, recorders: list[dict[str, Any]], statuses: list[dict[str, Any]] | None,
                     rules: list[dict[str, Any]], compliance: list[dict[str, Any]] | None) -> Records:
    """``statuses`` None: the recorder status could not be read (recording stays unknown)."""
    out = ctx.records()
    status_by = {s.get("name"): s for s in statuses or []}
    for r in recorders:
        name = r.get("name")
        if not name:  # one recorder per region, "default" unless renamed: kept, and said
            skipped(out, "config", "config:DescribeConfigurationRecorders", "a recorder's name", "name")
            name = "default"
        st = status_by.get(name, {})
        group = r.get("recordingGroup") or {}
        rid = r.get("arn") or ctx.arn("config", f"configuration-recorder/{name}")
        out.node(rid, "config:recorder", name, name=name, recording=st.get("recording"),
                 all_supported=group.get("allSupported"), include_global=group.get("includeGlobalResourceTypes"),
                 last_status=st.get("lastStatus"), last_error=st.get("lastErrorCode"),
                 resource_types=list(group.get("resourceTypes") or [])[:50])
        out.edge(ctx.region_node, rid, "contains")
        out.edge(rid, r.get("roleARN"), "uses_role")
    comp_by = {c.get("ConfigRuleName"): c.get("Compliance") or {} for c in compliance or []}
    for rule in rules:
        name = rule.get("ConfigRuleName")
        arn = rule.get("ConfigRuleArn") or (name and ctx.arn("config", f"config-rule/{name}"))
        if not arn:
            skipped(out, "config", "config:DescribeConfigRules", "a Config rule", "ConfigRuleName")
            continue
        comp = comp_by.get(name, {})
        count = (comp.get("ComplianceContributorCount") or {}).get("CappedCount")
        out.node(arn, "config:rule", name or arn.rsplit("/", 1)[-1], name=name, source=_rule_source(rule),
                 compliance=comp.get("ComplianceType") if compliance is not None else None,
                 noncompliant_count=count, state=rule.get("ConfigRuleState"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("config.recorders", "config", reads="config:DescribeConfigurationRecorders, "
           "config:DescribeConfigurationRecorderStatus, config:DescribeConfigRules, "
           "config:DescribeComplianceByConfigRule")
def collect_config(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    recorders = ctx.call("config", "describe_configuration_recorders").get("ConfigurationRecorders") or []
    # the status is what says "recording"; a denial of it alone leaves the recorders known, their state unknown
    statuses = soft(ctx, gaps, "config", "DescribeConfigurationRecorderStatus", lambda: ctx.call(
        "config", "describe_configuration_recorder_status").get("ConfigurationRecordersStatus") or [])
    rules = list(ctx.paginate("config", "describe_config_rules", "ConfigRules"))
    compliance = None
    if rules:
        compliance = soft(ctx, gaps, "config", "DescribeComplianceByConfigRule", lambda: list(ctx.paginate(
            "config", "describe_compliance_by_config_rule", "ComplianceByConfigRules")))
    return transform_config(ctx, recorders, statuses, rules, compliance).extend(gaps)


# --- GuardDuty -------------------------------------------------------------------

def transform_detectors(ctx: ScanContext, detectors: list[tuple[str, dict[str, Any] | None]]) -> Records:
    out = ctx.records()
    for did, d in detectors:
        d = d or {}
        arn = ctx.arn("guardduty", f"detector/{did}")
        features = [{"name": f.get("Name"), "status": f.get("Status")} for f in d.get("Features") or []]
        out.node(arn, "guardduty:detector", did, tags=tags_of(d.get("Tags") or {}), detector_id=did,
                 status=d.get("Status"), finding_frequency=d.get("FindingPublishingFrequency"),
                 features=features, created=d.get("CreatedAt"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("guardduty.detectors", "guardduty", reads="guardduty:ListDetectors, guardduty:GetDetector")
def collect_detectors(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    ids = list(ctx.paginate("guardduty", "list_detectors", "DetectorIds"))
    found = each(ctx, gaps, ids, lambda sub, did: soft(
        ctx, sub, "guardduty", "GetDetector", lambda: ctx.call("guardduty", "get_detector", DetectorId=did),
        resource=did))
    return transform_detectors(ctx, list(zip(ids, found, strict=True))).extend(gaps)


# --- Security Hub ------------------------------------------------------------------

def standard_name(arn: str) -> str:
    """``.../standards/aws-foundational-security-best-practices/v/1.0.0`` -> ``aws-foundational-... v1.0.0``."""
    tail = arn.split("standards/", 1)[-1] if "standards/" in arn else arn.split("ruleset/", 1)[-1]
    name, _, version = tail.partition("/v/")
    return f"{name} v{version}" if version else name


def transform_hub(ctx: ScanContext, hub: dict[str, Any] | None, standards: list[dict[str, Any]] | None) -> Records:
    """``hub`` None means Security Hub is not enabled in this region (InvalidAccessException)."""
    out = ctx.records()
    arn = (hub or {}).get("HubArn") or ctx.arn("securityhub", "hub/default")
    std = None if standards is None else [
        {"name": standard_name(s.get("StandardsArn", "")), "status": s.get("StandardsStatus"),
         "arn": s.get("StandardsArn")} for s in standards]
    # status: the state in words, which region-level rules quote as evidence (never "None")
    out.node(arn, "securityhub:hub", f"Security Hub {ctx.region}", enabled=hub is not None,
             status="enabled" if hub is not None else "not enabled", standards=std,
             auto_enable_controls=(hub or {}).get("AutoEnableControls"),
             subscribed_at=(hub or {}).get("SubscribedAt"))
    out.edge(ctx.region_node, arn, "contains")
    return out


@collector("securityhub.hub", "securityhub", reads="securityhub:DescribeHub, securityhub:GetEnabledStandards")
def collect_hub(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    try:
        hub = ctx.call("securityhub", "describe_hub")
    except bexc.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("InvalidAccessException", "ResourceNotFoundException"):
            raise
        return transform_hub(ctx, None, None)
    standards = soft(ctx, gaps, "securityhub", "GetEnabledStandards", lambda: list(ctx.paginate(
        "securityhub", "get_enabled_standards", "StandardsSubscriptions")))
    return transform_hub(ctx, hub, standards).extend(gaps)


# --- ACM ---------------------------------------------------------------------------

ALL_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1",
                 "EC_secp521r1"]


def transform_certificates(ctx: ScanContext, certs: list[dict[str, Any]], at: datetime | None = None) -> Records:
    """``certs``: DescribeCertificate's Certificate, or the list summary (``_summary_only``) when that
    call failed: then what only DescribeCertificate says (users, names) is None, not "none"."""
    out = ctx.records()
    for c in certs:
        arn = ident(out, c, "CertificateArn", "acm", "acm:DescribeCertificate", "a certificate")
        if not arn:
            continue
        # the list summary (DescribeCertificate denied) has no InUseBy and may lack the names:
        # None says "not read", never "not in use"
        summary = bool(c.get("_summary_only"))
        in_use = None if summary and c.get("InUseBy") is None else list(c.get("InUseBy") or [])
        sans = c.get("SubjectAlternativeNames") or c.get("SubjectAlternativeNameSummaries") or (None if summary else [])
        out.node(arn, "acm:certificate", c.get("DomainName"), tags=tags_of(c), domain=c.get("DomainName"),
                 sans=list(sans) if sans is not None else None, status=c.get("Status"), type=c.get("Type"),
                 not_after=iso(c.get("NotAfter")), days_to_expiry=days_until(c.get("NotAfter"), at),
                 in_use_by=in_use,
                 in_use=bool(in_use) if in_use is not None else c.get("InUse"), key_algorithm=c.get("KeyAlgorithm"),
                 renewal_eligible=is_on(c.get("RenewalEligibility"), ("ELIGIBLE",), ("INELIGIBLE",)),
                 renewal_status=(c.get("RenewalSummary") or {}).get("RenewalStatus"))
        out.edge(ctx.region_node, arn, "contains")
        for user in in_use or []:
            out.edge(user, arn, "uses_certificate")
    return out


@collector("acm.certificates", "acm", reads="acm:ListCertificates, acm:DescribeCertificate")
def collect_certificates(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    listed = list(ctx.paginate("acm", "list_certificates", "CertificateSummaryList",
                               Includes={"keyTypes": ALL_KEY_TYPES}))
    described = each(ctx, gaps, listed, lambda sub, s: soft(
        ctx, sub, "acm", "DescribeCertificate",
        lambda: ctx.call("acm", "describe_certificate", CertificateArn=s["CertificateArn"]),
        resource=s["CertificateArn"]))
    # when DescribeCertificate failed, the list summary stands in, marked as such
    certs = [(d or {}).get("Certificate") or {**s, "_summary_only": True}
             for s, d in zip(listed, described, strict=True)]
    return transform_certificates(ctx, certs).extend(gaps)


# --- Secrets Manager and SSM parameters (metadata only) ---------------------------

def transform_secrets(ctx: ScanContext, secrets: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for s in secrets:
        arn = ident(out, s, "ARN", "secretsmanager", "secretsmanager:ListSecrets", "a secret")
        if not arn:
            continue
        rules = s.get("RotationRules") or {}
        out.node(arn, "secretsmanager:secret", s.get("Name"), tags=tags_of(s), name=s.get("Name"),
                 # Secrets Manager sends no RotationEnabled for a secret never set up for rotation
                 rotation_enabled=bool(s.get("RotationEnabled")),
                 rotation_days=rules.get("AutomaticallyAfterDays"), rotation_schedule=rules.get("ScheduleExpression"),
                 last_rotated=iso(s.get("LastRotatedDate")), last_accessed=iso(s.get("LastAccessedDate")),
                 last_changed=iso(s.get("LastChangedDate")),
                 kms_key=s.get("KmsKeyId") or "aws/secretsmanager (AWS managed)",
                 rotation_lambda=s.get("RotationLambdaARN") or None, primary_region=s.get("PrimaryRegion"),
                 deleted=s.get("DeletedDate") is not None)
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms_ref(ctx, s.get("KmsKeyId")), "encrypted_by")
    return out


@collector("secretsmanager.secrets", "secretsmanager", reads="secretsmanager:ListSecrets")
def collect_secrets(ctx: ScanContext) -> Records:
    return transform_secrets(ctx, list(ctx.paginate("secretsmanager", "list_secrets", "SecretList")))


def parameter_arn(ctx: ScanContext, name: str) -> str:
    return ctx.arn("ssm", f"parameter{name}" if name.startswith("/") else f"parameter/{name}")


def transform_parameters(ctx: ScanContext, params: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for p in params:
        name = ident(out, p, "Name", "ssm", "ssm:DescribeParameters", "a parameter")
        if not name:
            continue
        arn = p.get("ARN") or parameter_arn(ctx, name)
        key = p.get("KeyId") if p.get("Type") == "SecureString" else None
        out.node(arn, "ssm:parameter", name, name=name, type=p.get("Type"), tier=p.get("Tier"),
                 kms_key=key, last_modified=iso(p.get("LastModifiedDate")), data_type=p.get("DataType"),
                 version=p.get("Version"))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms_ref(ctx, key), "encrypted_by")
    return out


@collector("ssm.parameters", "ssm", reads="ssm:DescribeParameters")
def collect_parameters(ctx: ScanContext) -> Records:
    return transform_parameters(ctx, list(ctx.paginate("ssm", "describe_parameters", "Parameters")))



"""Resilience: AWS Backup (vaults, plans, selections), Route 53 (zones, records, health checks), CloudFront.

Get / transform split as everywhere: ``collect_*`` read (paginated, read-only),
``transform_*`` are pure and tested from recorded API shapes. Route 53 and
CloudFront are global services and run once, in the home region.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import flag, ident, skipped
from scanner.collectors.delivery import bucket_arn, soft, soft_pages
from scanner.collectors.registry import collector
from scanner.context import ScanContext, account_id_node, iso, tags_of
from scanner.inventory import Records

ROUTING_KEYS = (("Failover", "failover"), ("Region", "latency"), ("GeoLocation", "geolocation"),
                ("GeoProximityLocation", "geoproximity"), ("Weight", "weighted"),
                ("MultiValueAnswer", "multivalue"), ("CidrRoutingConfig", "ip-based"))


# --- AWS Backup ----------------------------------------------------------------------------
def transform_vaults(ctx: ScanContext, vaults: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for v in vaults:
        arn = v.get("BackupVaultArn") or (v.get("BackupVaultName") and vault_arn(ctx, v["BackupVaultName"]))
        if not arn:
            skipped(out, "backup", "backup:ListBackupVaults", "a backup vault", "BackupVaultArn")
            continue
        out.node(arn, "backup:vault", v.get("BackupVaultName"), name=v.get("BackupVaultName"),
                 recovery_points=v.get("NumberOfRecoveryPoints"), kms_key=v.get("EncryptionKeyArn"),
                 locked=v.get("Locked"), min_retention_days=v.get("MinRetentionDays"),
                 max_retention_days=v.get("MaxRetentionDays"), vault_type=v.get("VaultType"),
                 created=iso(v.get("CreationDate")))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, ctx.kms_key_arn(v.get("EncryptionKeyArn")), "encrypted_by")
    return out


def transform_protected(ctx: ScanContext, vault_arns: dict[str, str], protected: list[dict[str, Any]]) -> Records:
    """Resources with recovery points (ListProtectedResources): vault -> resource ``backs_up``."""
    out = ctx.records()
    for p in protected:
        vault = vault_arns.get(p.get("LastBackupVaultArn") or "") or p.get("LastBackupVaultArn")
        if not p.get("ResourceArn") or not vault:
            skipped(out, "backup", "backup:ListProtectedResources", "a protected resource",
                    "ResourceArn" if not p.get("ResourceArn") else "LastBackupVaultArn")
            continue
        out.edge(vault, p["ResourceArn"], "backs_up", last_backup=iso(p.get("LastBackupTime")),
                 resource_type=p.get("ResourceType"))
    return out


@collector("backup.vaults", "backup", reads="backup:ListBackupVaults, backup:ListProtectedResources")
def collect_vaults(ctx: ScanContext) -> Records:
    vaults = list(ctx.paginate("backup", "list_backup_vaults", "BackupVaultList"))
    out = transform_vaults(ctx, vaults)
    protected = soft_pages(ctx, out, "backup", "list_protected_resources", "Results") if vaults else None
    if protected:
        out.extend(transform_protected(ctx, {v["BackupVaultArn"]: v["BackupVaultArn"] for v in vaults if v.get("BackupVaultArn")}, protected))
    return out


def vault_arn(ctx: ScanContext, name: str | None) -> str | None:
    return ctx.arn("backup", f"backup-vault:{name}") if name else None


def rule_of(ctx: ScanContext, r: dict[str, Any]) -> dict[str, Any]:
    """One backup rule in the vocabulary's shape: schedule, retention (days), vault, copies."""
    life = r.get("Lifecycle") or {}
    copies = []
    for c in r.get("CopyActions") or []:
        dest = c.get("DestinationBackupVaultArn") or ""
        parts = dest.split(":")
        copies.append({"vault_arn": dest, "region": parts[3] if len(parts) > 3 else None,
                       "account": parts[4] if len(parts) > 4 else None,
                       "retention_days": (c.get("Lifecycle") or {}).get("DeleteAfterDays")})
    return {"name": r.get("RuleName"), "schedule": r.get("ScheduleExpression"),
            "timezone": r.get("ScheduleExpressionTimezone"),
            "retention_days": life.get("DeleteAfterDays"), "cold_after_days": life.get("MoveToColdStorageAfterDays"),
            "vault": r.get("TargetBackupVaultName"), "copy_to": copies,
            "continuous": bool(r.get("EnableContinuousBackup")), "window_minutes": r.get("StartWindowMinutes")}


def selection_of(sel: dict[str, Any]) -> dict[str, Any]:
    """A backup selection: explicit ARNs, wildcard patterns, tag conditions, exclusions."""
    arns = [a for a in sel.get("Resources") or [] if a]
    conds = [{"key": t.get("ConditionKey"), "value": t.get("ConditionValue"), "type": t.get("ConditionType")}
             for t in sel.get("ListOfTags") or []]
    cnd = sel.get("Conditions") or {}
    for kind in ("StringEquals", "StringLike", "StringNotEquals", "StringNotLike"):
        for t in cnd.get(kind) or []:
            key = str(t.get("ConditionKey", "")).removeprefix("aws:ResourceTag/")
            conds.append({"key": key, "value": t.get("ConditionValue"), "type": kind})
    return {"name": sel.get("SelectionName"), "role": sel.get("IamRoleArn"),
            "resources": [a for a in arns if "*" not in a], "patterns": [a for a in arns if "*" in a],
            "tag_conditions": conds, "excluded": list(sel.get("NotResources") or [])}


def transform_plan(ctx: ScanContext, plan: dict[str, Any], selections: list[dict[str, Any]] | None) -> Records:
    """get_backup_plan + its selections -> plan node, edges to vaults, copies and selected resources."""
    out = ctx.records()
    arn = plan.get("BackupPlanArn") or (plan.get("BackupPlanId") and ctx.arn("backup", f"backup-plan:{plan['BackupPlanId']}"))
    if not arn:
        skipped(out, "backup", "backup:GetBackupPlan", "a backup plan", "BackupPlanId")
        return out
    body = plan.get("BackupPlan") or {}
    # a plan listed but not readable (GetBackupPlan failed) keeps its node: its rules and what it
    # selects are unknown, so the stores it may cover are not called unprotected
    rules = None if plan.get("_summary_only") else [rule_of(ctx, r) for r in body.get("Rules") or []]
    sels = None if selections is None else [selection_of(s) for s in selections]
    out.node(arn, "backup:plan", body.get("BackupPlanName"), name=body.get("BackupPlanName"),
             rules=rules, selections=sels, plan_id=plan.get("BackupPlanId"),
             version=plan.get("VersionId"), last_run=iso(plan.get("LastExecutionDate")))
    out.edge(ctx.region_node, arn, "contains")
    for r in rules or []:
        out.edge(arn, vault_arn(ctx, r["vault"]), "integrates_with")
        for c in r["copy_to"]:
            out.edge(vault_arn(ctx, r["vault"]), c["vault_arn"] or None, "replicates_to")
    for s in sels or []:
        out.edge(arn, s["role"], "uses_role")
        for res in s["resources"]:
            out.edge(arn, res, "backs_up", selection=s["name"])
    return out


def _plan_missing(out: Records, name: str) -> bool:
    """GetBackupPlan said the plan no longer exists (no gap was recorded for it)."""
    return not any(g.resource == name and g.action.endswith("GetBackupPlan") for g in out.gaps)


@collector("backup.plans", "backup",
           reads="backup:ListBackupPlans, backup:GetBackupPlan, backup:ListBackupSelections, backup:GetBackupSelection")
def collect_plans(ctx: ScanContext) -> Records:
    out = ctx.records()
    for summary in ctx.paginate("backup", "list_backup_plans", "BackupPlansList"):
        pid = summary.get("BackupPlanId")
        if not pid:
            skipped(out, "backup", "backup:ListBackupPlans", "a backup plan", "BackupPlanId")
            continue
        plan = soft(ctx, out, "backup", "get_backup_plan", resource=summary.get("BackupPlanName", pid),
                    missing=("ResourceNotFoundException",), BackupPlanId=pid)
        if not plan:
            if plan is None and not _plan_missing(out, summary.get("BackupPlanName", pid)):
                out.extend(transform_plan(ctx, {"BackupPlanArn": summary.get("BackupPlanArn"), "BackupPlanId": pid,
                                                "BackupPlan": {"BackupPlanName": summary.get("BackupPlanName")},
                                                "_summary_only": True}, None))
            continue
        listed = soft_pages(ctx, out, "backup", "list_backup_selections", "BackupSelectionsList",
                            resource=summary.get("BackupPlanName", pid), BackupPlanId=pid)
        selections = None
        if listed is not None:
            selections = []
            for s in listed:
                if not s.get("SelectionId"):
                    continue
                gaps_before = len(out.gaps)
                got = soft(ctx, out, "backup", "get_backup_selection", resource=s.get("SelectionName", ""),
                           missing=("ResourceNotFoundException",), BackupPlanId=pid, SelectionId=s["SelectionId"])
                if got and got.get("BackupSelection"):
                    selections.append(got["BackupSelection"])
                elif len(out.gaps) > gaps_before:  # one selection unread: what the plan covers is unknown
                    selections = None
                    break
        out.extend(transform_plan(ctx, plan, selections))
    return out


# --- Route 53 -------------------------------------------------------------------------------
def zone_id(raw: str) -> str:
    return raw.rsplit("/", 1)[-1]


def zone_arn(zid: str) -> str:
    return f"arn:aws:route53:::hostedzone/{zid}"


def health_check_arn(hid: str) -> str:
    return f"arn:aws:route53:::healthcheck/{hid}"


def routing_policy(r: dict[str, Any]) -> str:
    for key, name in ROUTING_KEYS:
        if r.get(key) is not None:
            return name
    return "simple"


def alias_resource(name: str, alias: dict[str, Any]) -> str | None:
    """The graph id an alias points at, when it can be built from the record alone.

    S3 website aliases must be named like their bucket. ELB and CloudFront DNS
    names do not reveal an ARN: their DNS name stays in ``alias_target`` and the
    document matches it against load balancer and distribution DNS names.
    Aliases to records of the same zone are linked in ``transform_records``.
    """
    dns = (alias.get("DNSName") or "").rstrip(".").lower()
    if dns.startswith("s3-website") and dns.endswith(".amazonaws.com"):
        return bucket_arn(name.rstrip("."))
    return None


def record_id(zid: str, r: dict[str, Any]) -> str:
    sid = r.get("SetIdentifier")
    return f"{zone_arn(zid)}/recordset/{r['Name']}{r['Type']}" + (f"/{sid}" if sid else "")


#: plain records kept per zone; records with routing policies, aliases or health checks are always kept
MAX_SIMPLE_RECORDS = 500


def _notable(r: dict[str, Any]) -> bool:
    return bool(r.get("AliasTarget") or r.get("HealthCheckId") or r.get("SetIdentifier"))


def transform_records(ctx: ScanContext, zid: str, records: list[dict[str, Any]],
                      max_simple: int = MAX_SIMPLE_RECORDS) -> Records:
    """Record sets of one zone. SOA and the apex NS set are infrastructure, not design: skipped.

    A zone with thousands of plain records would drown the graph: past ``max_simple`` plain
    records only the notable ones (routing policy, alias, health check) are kept, and the
    zone says how many were left out.
    """
    out = ctx.records(region="global")
    zone_name = next((r["Name"] for r in records if r.get("Type") == "SOA"), None)
    by_name: dict[str, list[str]] = {}
    simple = skipped = 0
    for r in records:
        if r.get("Type") == "SOA" or (r.get("Type") == "NS" and r.get("Name") == zone_name):
            continue
        if not _notable(r):
            simple += 1
            if simple > max_simple:
                skipped += 1
                continue
        rid = record_id(zid, r)
        by_name.setdefault(r["Name"].rstrip(".").lower(), []).append(rid)
        alias = r.get("AliasTarget") or {}
        hc = r.get("HealthCheckId")
        out.node(rid, "route53:record", r["Name"].rstrip("."), region="global", name=r["Name"].rstrip("."),
                 type=r.get("Type"), ttl=r.get("TTL"),
                 values=[v.get("Value") for v in r.get("ResourceRecords") or []][:20],
                 alias_target=(alias.get("DNSName") or "").rstrip(".") or None,
                 alias_evaluate_health=alias.get("EvaluateTargetHealth") if alias else None,
                 routing_policy=routing_policy(r), set_identifier=r.get("SetIdentifier"),
                 health_check_id=hc, failover=r.get("Failover"), weight=r.get("Weight"),
                 latency_region=r.get("Region"), zone_id=zid)
        out.edge(zone_arn(zid), rid, "contains")
        if hc:
            out.edge(health_check_arn(hc), rid, "monitors")
        if alias:
            out.edge(rid, alias_resource(r["Name"], alias), "aliases")
    if skipped:
        out.node(zone_arn(zid), "route53:hosted-zone", None, region="global", zone_id=zid,
                 records_not_kept=skipped)
    for r in records:
        alias = r.get("AliasTarget") or {}
        if alias and alias.get("HostedZoneId") == zid and r.get("Type") != "SOA":
            for target in by_name.get(alias.get("DNSName", "").rstrip(".").lower(), []):
                if target != record_id(zid, r):
                    out.edge(record_id(zid, r), target, "aliases")
    return out


def transform_zone(ctx: ScanContext, z: dict[str, Any], detail: dict[str, Any] | None) -> Records:
    out = ctx.records(region="global")
    raw = ident(out, z, "Id", "route53", "route53:ListHostedZones", "a hosted zone")
    if not raw:
        return out
    zid = zone_id(raw)
    arn = zone_arn(zid)
    cfg = z.get("Config") or {}
    vpcs = (detail or {}).get("VPCs") or []
    private = flag(cfg.get("PrivateZone"))
    name = str(z.get("Name") or zid).rstrip(".")
    out.node(arn, "route53:hosted-zone", name, region="global", name=name,
             zone_id=zid, private=private, record_count=z.get("ResourceRecordSetCount"),
             vpc_ids=None if private is None else [] if not private else
             [v.get("VPCId") for v in vpcs] if detail is not None else None,
             comment=cfg.get("Comment"))
    out.edge(account_id_node(ctx.account), arn, "contains")
    for v in vpcs:
        if v.get("VPCId"):
            out.edge(arn, ctx.ec2_arn("vpc", v["VPCId"], region=v.get("VPCRegion")), "associated_with")
    return out


@collector("route53.zones", "route53", scope="global",
           reads="route53:ListHostedZones, route53:GetHostedZone, route53:ListResourceRecordSets")
def collect_zones(ctx: ScanContext) -> Records:
    out = ctx.records(region="global")
    for z in ctx.paginate("route53", "list_hosted_zones", "HostedZones"):
        zid = zone_id(z["Id"])
        detail = None
        if (z.get("Config") or {}).get("PrivateZone"):
            detail = soft(ctx, out, "route53", "get_hosted_zone", resource=z["Name"],
                          missing=("NoSuchHostedZone",), Id=zid)
        out.extend(transform_zone(ctx, z, detail))
        records = soft_pages(ctx, out, "route53", "list_resource_record_sets", "ResourceRecordSets",
                             resource=z["Name"], missing=("NoSuchHostedZone",), HostedZoneId=zid)
        if records:
            out.extend(transform_records(ctx, zid, records))
    return out


def transform_health_checks(ctx: ScanContext, checks: list[dict[str, Any]]) -> Records:
    out = ctx.records(region="global")
    for h in checks:
        cfg = h.get("HealthCheckConfig") or {}
        hid = ident(out, h, "Id", "route53", "route53:ListHealthChecks", "a health check")
        if not hid:
            continue
        arn = health_check_arn(hid)
        target = cfg.get("FullyQualifiedDomainName") or cfg.get("IPAddress")
        if cfg.get("Type") == "CLOUDWATCH_METRIC":
            target = (cfg.get("AlarmIdentifier") or {}).get("Name")
        elif cfg.get("Type") == "CALCULATED":
            target = f"{len(cfg.get('ChildHealthChecks') or [])} child checks"
        name = tags_of(h).get("Name") or target or hid
        out.node(arn, "route53:health-check", name, region="global", health_check_id=hid,
                 type=cfg.get("Type"), target=target, port=cfg.get("Port"), path=cfg.get("ResourcePath"),
                 interval=cfg.get("RequestInterval"), failure_threshold=cfg.get("FailureThreshold"),
                 regions=list(cfg.get("Regions") or []), disabled=flag(cfg.get("Disabled")),
                 inverted=flag(cfg.get("Inverted")))
        out.edge(account_id_node(ctx.account), arn, "contains")
        if cfg.get("Type") == "CLOUDWATCH_METRIC" and cfg.get("AlarmIdentifier"):
            ai = cfg["AlarmIdentifier"]
            out.edge(arn, ctx.arn("cloudwatch", f"alarm:{ai.get('Name')}", region=ai.get("Region")), "monitors")
    return out


@collector("route53.health_checks", "route53", scope="global", reads="route53:ListHealthChecks")
def collect_health_checks(ctx: ScanContext) -> Records:
    return transform_health_checks(ctx, list(ctx.paginate("route53", "list_health_checks", "HealthChecks")))


# --- CloudFront -----------------------------------------------------------------------------
def origin_bucket(domain: str) -> str | None:
    """``name.s3.amazonaws.com`` / ``name.s3.<region>.amazonaws.com`` -> the bucket's ARN."""
    d = domain.lower().rstrip(".")
    if ".s3." in d and d.endswith(".amazonaws.com") and "s3-website" not in d:
        return bucket_arn(d.split(".s3.", 1)[0])
    if ".s3-website" in d:
        return bucket_arn(d.split(".s3-website", 1)[0])
    return None


def origin_of(o: dict[str, Any]) -> dict[str, Any]:
    custom = o.get("CustomOriginConfig") or {}
    kind = "s3" if o.get("S3OriginConfig") is not None or origin_bucket(o.get("DomainName", "")) else "custom"
    return {"id": o.get("Id"), "domain": o.get("DomainName"), "type": kind,
            "protocol_policy": custom.get("OriginProtocolPolicy"),
            "origin_access": bool(o.get("OriginAccessControlId") or
                                  (o.get("S3OriginConfig") or {}).get("OriginAccessIdentity")),
            # no OriginShield block: Origin Shield was never turned on
            "shield": False if not o.get("OriginShield") else flag(o["OriginShield"].get("Enabled"))}


def min_tls(cert: dict[str, Any]) -> str | None:
    """The viewer TLS floor; the shared *.cloudfront.net certificate always allows TLSv1."""
    if cert.get("ACMCertificateArn") or cert.get("IAMCertificateId"):
        return cert.get("MinimumProtocolVersion")
    return "TLSv1 (default certificate)" if cert.get("CloudFrontDefaultCertificate") else cert.get("MinimumProtocolVersion")


def transform_distributions(ctx: ScanContext, dists: list[dict[str, Any]],
                            logging: dict[str, dict[str, Any] | None] | None = None) -> Records:
    """list_distributions items (+ the Logging block of each config, when readable)."""
    out = ctx.records(region="global")
    logging = logging or {}
    for d in dists:
        did = ident(out, d, "Id", "cloudfront", "cloudfront:ListDistributions", "a distribution")
        if not did:
            continue
        arn = d.get("ARN") or ctx.arn("cloudfront", f"distribution/{did}", global_=True)
        cert = d.get("ViewerCertificate") or {}
        behaviours = [d.get("DefaultCacheBehavior") or {}] + list((d.get("CacheBehaviors") or {}).get("Items") or [])
        policies = sorted({b.get("ViewerProtocolPolicy") for b in behaviours if b.get("ViewerProtocolPolicy")})
        origins = [origin_of(o) for o in (d.get("Origins") or {}).get("Items") or []]
        groups = (d.get("OriginGroups") or {}).get("Items") or []
        log = logging.get(did)
        aliases = list((d.get("Aliases") or {}).get("Items") or [])
        out.node(arn, "cloudfront:distribution", aliases[0] if aliases else d.get("DomainName"), region="global",
                 distribution_id=did, domain=d.get("DomainName"), aliases=aliases, origins=origins,
                 origin_groups=len(groups),
                 viewer_protocol_policy=(d.get("DefaultCacheBehavior") or {}).get("ViewerProtocolPolicy"),
                 viewer_protocol_policies=policies,
                 min_tls=min_tls(cert),
                 certificate_arn=cert.get("ACMCertificateArn"), web_acl=d.get("WebACLId") or None,
                 enabled=d.get("Enabled"), price_class=d.get("PriceClass"), status=d.get("Status"),
                 http_version=d.get("HttpVersion"),
                 logging=None if log is None else ({"bucket": log.get("Bucket"), "prefix": log.get("Prefix")}
                                                   if log.get("Enabled") else False))
        out.edge(account_id_node(ctx.account), arn, "contains")
        out.edge(arn, cert.get("ACMCertificateArn"), "uses_certificate")
        if (d.get("WebACLId") or "").startswith("arn:"):  # WAFv2; a WAF Classic id stays a prop
            out.edge(arn, d["WebACLId"], "associated_with")
        for o in origins:
            out.edge(arn, origin_bucket(o["domain"] or ""), "targets")
        if log and log.get("Enabled") and log.get("Bucket"):
            out.edge(arn, origin_bucket(log["Bucket"]), "logs_to")
    return out


@collector("cloudfront.distributions", "cloudfront", scope="global",
           reads="cloudfront:ListDistributions, cloudfront:GetDistributionConfig")
def collect_distributions(ctx: ScanContext) -> Records:
    out = ctx.records(region="global")
    dists: list[dict[str, Any]] = []
    for page in ctx.paginate("cloudfront", "list_distributions"):
        dists.extend((page.get("DistributionList") or {}).get("Items") or [])
    logging: dict[str, dict[str, Any] | None] = {}
    for d in dists:
        cfg = soft(ctx, out, "cloudfront", "get_distribution_config", resource=d["Id"],
                   missing=("NoSuchDistribution",), Id=d["Id"])
        logging[d["Id"]] = None if cfg is None else ((cfg.get("DistributionConfig") or {}).get("Logging") or {})
    return out.extend(transform_distributions(ctx, dists, logging))

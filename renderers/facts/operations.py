"""Facts for section 12 (operations) and 10.3 (cost monitoring), from the graph alone."""

from __future__ import annotations

from typing import Any

from renderers.facts.security import guard_cell
from scanner import kinds, naming, status
from scanner.inventory import Inventory

COST_TAGS = ("Project", "Environment", "Owner", "CostCenter")


def alarms(inv: Inventory) -> list[dict[str, Any]]:
    rows = []
    for a in inv.nodes("cloudwatch:alarm"):
        p = a["props"]
        watched = [naming.node_name(t) for t in inv.out(a["id"], "monitors")]
        topics = [naming.node_name(t) for t in inv.out(a["id"], "publishes_to")]
        dims = ", ".join(f"{k}={v}" for k, v in sorted((p.get("dimensions") or {}).items()))
        rows.append({"name": a["name"], "region": a["region"], "metric": f"{p.get('namespace') or ''} {p.get('metric') or ''}".strip(),
                     "condition": _condition(p), "state": p.get("state"), "watches": watched or ([dims] if dims else []),
                     "notifies": topics, "actions_enabled": p.get("actions_enabled")})
    return rows


#: units of common metrics whose alarms rarely state one (CloudWatch reports raw numbers)
METRIC_UNITS = {"CPUUtilization": "Percent", "FreeStorageSpace": "Bytes", "FreeableMemory": "Bytes",
                "TargetResponseTime": "Seconds", "Latency": "Seconds", "Duration": "Milliseconds",
                "MemoryUtilization": "Percent", "DatabaseMemoryUsagePercentage": "Percent",
                "EngineCPUUtilization": "Percent", "ReadLatency": "Seconds", "WriteLatency": "Seconds",
                "ApproximateAgeOfOldestMessage": "Seconds", "BurstBalance": "Percent"}


def threshold_text(value: Any, unit: str | None) -> str:
    """``10737418240`` Bytes -> ``10 GiB``; ``85`` Percent -> ``85%``; ``1.5`` Seconds -> ``1.5 s``."""
    v = float(value)

    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:g}"

    if unit == "Bytes":
        for size, name in ((1024**4, "TiB"), (1024**3, "GiB"), (1024**2, "MiB"), (1024, "KiB")):
            if v >= size:
                return f"{num(round(v / size, 1))} {name}"
        return f"{num(v)} bytes"
    if unit == "Percent":
        return f"{num(v)}%"
    if unit == "Seconds":
        return f"{num(v)} s"
    if unit == "Milliseconds":
        return f"{num(v)} ms"
    return num(v)


def _condition(p: dict[str, Any]) -> str:
    ops = {"GreaterThanThreshold": "above", "GreaterThanOrEqualToThreshold": "at or above",
           "LessThanThreshold": "below", "LessThanOrEqualToThreshold": "at or below"}
    if p.get("threshold") is None:
        return p.get("comparison") or "-"
    unit = p.get("unit") or METRIC_UNITS.get(str(p.get("metric")))
    return f"{ops.get(p.get('comparison') or '', p.get('comparison') or '')} {threshold_text(p['threshold'], unit)}"


def alarm_coverage(inv: Inventory) -> list[dict[str, Any]]:
    """For each kind of resource that should be alarmed on: how many are, and which are not.
    Where the alarms could not be read, whether a resource is watched is unknown, not "no"."""
    blind = {str(r.get("region")): f"{r.get('action') or r.get('collector')}: {r.get('message') or r.get('status')}"
             for r in status.blocked_runs(inv.meta.get("runs", []), collectors=("cloudwatch.alarms",))}
    rows = []
    for kind, label in kinds.watched().items():
        nodes = inv.nodes(kind)
        if not nodes:
            continue
        unknown = [n for n in nodes if n["region"] in blind]
        known = [n for n in nodes if n["region"] not in blind]
        unwatched = [n["name"] for n in known if not inv.into(n["id"], "monitors", "cloudwatch:alarm")]
        watched: Any = len(known) - len(unwatched)
        if unknown:
            why = blind[unknown[0]["region"]]
            watched = f"{watched} known, {len(unknown)} unknown ({why})" if known else f"unknown ({why})"
            if not unwatched:
                unwatched = [f"unknown ({why})"]
        rows.append({"kind": label, "total": len(nodes), "watched": watched, "unwatched": unwatched})
    return rows


def topics_used_by_alarms(inv: Inventory) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for a in inv.nodes("cloudwatch:alarm"):
        for t in inv.out(a["id"], "publishes_to"):
            row = out.setdefault(t["id"], {"name": t["name"], "alarms": 0, "subscriptions": _subs(t)})
            row["alarms"] += 1
    return sorted(out.values(), key=lambda r: r["name"])


def _subs(topic: dict[str, Any]) -> list[str]:
    subs = (topic.get("props") or {}).get("subscriptions") or []
    protocols = [s.get("protocol") for s in subs if isinstance(s, dict) and s.get("protocol")]
    return sorted(protocols)


def log_groups(inv: Inventory) -> list[dict[str, Any]]:
    rows = []
    for g in inv.nodes("logs:log-group"):
        p = g["props"]
        rows.append({"name": g["name"], "region": g["region"], "retention": p.get("retention_days"),
                     "stored_mb": round((p.get("stored_bytes") or 0) / 1024**2, 1),
                     "encrypted": bool(p.get("kms_key")),
                     "filters": [f.get("name") for f in p.get("metric_filters") or []]})
    return rows


def audit_trails(inv: Inventory) -> list[dict[str, Any]]:
    rows = []
    for t in inv.nodes("cloudtrail:trail"):
        p = t["props"]
        rows.append({"name": t["name"], "region": p.get("home_region") or t["region"],
                     "multi_region": p.get("multi_region"), "logging": inv.fact(t["id"], "logging"),
                     "validation": p.get("log_validation"), "bucket": p.get("s3_bucket"),
                     "cloudwatch": bool(p.get("cloudwatch_log_group")), "kms": bool(p.get("kms_key"))})
    return rows


def log_sources(inv: Inventory) -> dict[str, Any]:
    """Which other logs the account keeps: VPC flow logs, load balancer access logs, S3 access logs."""
    vpcs = inv.nodes("ec2:vpc")
    flow_targets = {f["props"].get("resource_id") for f in inv.nodes("ec2:flow-log")}
    lbs = inv.nodes("elbv2:load-balancer")
    buckets = inv.nodes("s3:bucket")
    return {
        "vpcs": len(vpcs), "vpcs_with_flow_logs": sum(1 for v in vpcs if v["props"].get("vpc_id") in flow_targets),
        "lbs": len(lbs), "lbs_with_access_logs": sum(1 for lb in lbs if _logs_on(lb["props"].get("access_logs"))),
        "buckets": len(buckets), "buckets_with_logging": sum(1 for b in buckets if b["props"].get("logging_target")),
        "config_recorders": len(inv.nodes("config:recorder")),
        "config_recording": sum(1 for r in inv.nodes("config:recorder") if (f := inv.fact(r["id"], "recording")) and f.yes),
        # regions whose Config state is unknown (recorders not listed, or their status not read)
        "config_unknown": [f"{r} ({f.why})" for r in inv.regions
                           if (f := inv.region_fact(r, "config")) is not None and f.unknown],
    }


def _logs_on(value: Any) -> bool:
    """``access_logs`` is ``{"enabled": False, ...}`` when off: a non-empty dict is not "on"."""
    if isinstance(value, dict):
        return bool(value.get("enabled"))
    return bool(value)


def incident_readiness(inv: Inventory) -> dict[str, Any]:
    """What would start and support an incident: detection on, someone notified, trails logging."""
    detection = [r for r in inv.regions
                 if any((f := inv.region_fact(r, g)) is not None and f.yes for g in ("guardduty", "securityhub"))]
    detection_unknown = [r for r in inv.regions if r not in detection
                         and any((f := inv.region_fact(r, g)) is None or f.unknown for g in ("guardduty", "securityhub"))]
    trails = audit_trails(inv)
    return {"detection_regions": detection, "detection_unknown": detection_unknown,
            "notified": bool(topics_used_by_alarms(inv)),
            "trail_logging": any(t["logging"] is not None and t["logging"].yes for t in trails),
            "trail_unknown": not any(t["logging"] is not None and t["logging"].yes for t in trails)
            and any(t["logging"] is None or t["logging"].unknown for t in trails),
            "trails": len(trails)}


def security_services(inv: Inventory) -> list[dict[str, Any]]:
    """Per scanned region: the detective services as cells, from the stored region facts: the same
    values (and the same unknowns) as 5.4's matrix, in yes/no words."""
    return [{"region": region,
             "guardduty": guard_cell(inv, region, "guardduty", "yes", "no"),
             "securityhub": guard_cell(inv, region, "securityhub", "yes", "no"),
             "config": guard_cell(inv, region, "config", "yes", "no"),
             "analyzer": guard_cell(inv, region, "access_analyzer", "yes", "no")}
            for region in inv.regions]


def contacts(inv: Inventory) -> dict[str, Any] | None:
    for a in inv.nodes("aws:account"):
        c = a["props"].get("contacts")
        if c is not None:
            return c
    return None


def maintenance(inv: Inventory) -> dict[str, Any]:
    instances = inv.nodes("ssm:managed-instance")
    ec2 = inv.nodes("ec2:instance")
    dbs = inv.nodes("rds:instance")
    amis = [i for i in inv.nodes("ec2:image") if i["props"].get("age_days") is not None]
    certs = [c for c in inv.nodes("acm:certificate") if c["props"].get("days_to_expiry") is not None]
    return {
        "windows": [{"name": w["name"], "schedule": w["props"].get("schedule"), "duration": w["props"].get("duration"),
                     "enabled": w["props"].get("enabled")} for w in inv.nodes("ssm:maintenance-window")],
        "baselines": [{"name": b["name"], "os": b["props"].get("operating_system"), "default": b["props"].get("default")}
                      for b in inv.nodes("ssm:patch-baseline")],
        "managed": len(instances),
        "managed_known": not _unread(inv, "ssm", "ssm:DescribeInstanceInformation", "ssm.maintenance"),
        "ec2": len([i for i in ec2 if i["props"].get("state") != "terminated"]),
        "online": sum(1 for i in instances if i["props"].get("ping_status") == "Online"),
        "noncompliant": [i["name"] for i in instances
                         if i["props"].get("patch_compliance") not in (None, "compliant")],
        "db_auto_minor": sum(1 for d in dbs if d["props"].get("auto_minor_upgrade")), "dbs": len(dbs),
        "oldest_ami_days": max((i["props"]["age_days"] for i in amis), default=None),
        "certs_expiring": sorted(((c["name"], c["props"]["days_to_expiry"]) for c in certs
                                  if c["props"]["days_to_expiry"] <= 45), key=lambda x: x[1]),
        "backup_plans": len(inv.nodes("backup:plan")),
    }


def _unread(inv: Inventory, service: str, action: str, collector: str) -> bool:
    """Was ``action`` not readable (a per-resource gap, or the whole collector denied or failed)?"""
    if any(g.get("action") == action for g in inv.meta.get("gaps", [])):
        return True
    return bool(status.blocked_runs(inv.meta.get("runs", []), collectors=(collector,)))


def budgets(inv: Inventory) -> list[dict[str, Any]]:
    return [{"name": b["name"], "amount": b["props"].get("amount"), "unit": b["props"].get("unit"),
             "period": (b["props"].get("time_unit") or "-").lower(),
             "type": (b["props"].get("budget_type") or "-").lower().replace("_", " "),
             "actual": b["props"].get("actual"), "forecast": b["props"].get("forecast"),
             "alerts": [f"{(a.get('type') or '').lower()} above {a.get('threshold'):g}{'%' if a.get('threshold_type') == 'PERCENTAGE' else ''}"
                        for a in b["props"].get("alerts") or [] if a.get("threshold") is not None]}
            for b in inv.nodes("budgets:budget")]


def spend(inv: Inventory) -> dict[str, Any] | None:
    nodes = inv.nodes("ce:monthly-spend")
    return nodes[-1]["props"] if nodes else None


def tag_coverage(inv: Inventory) -> dict[str, Any]:
    """Share of taggable resources that carry each cost-allocation tag (several subsections
    quote it: computed once per render)."""
    return inv.memo("operations.tag_coverage", lambda: _tag_coverage(inv))


def _tag_coverage(inv: Inventory) -> dict[str, Any]:
    nodes = [n for n in inv.nodes(*kinds.taggable()) if not (n["props"].get("is_default"))]
    total = len(nodes)
    per_tag = {}
    for tag in COST_TAGS:
        have = sum(1 for n in nodes if any(k.lower() == tag.lower() for k in (n.get("tags") or {})))
        per_tag[tag] = {"count": have, "share": round(100 * have / total) if total else 0}
    all_four = sum(1 for n in nodes if all(any(k.lower() == t.lower() for k in (n.get("tags") or {}))
                                           for t in COST_TAGS))
    activated = [t["props"].get("key") for t in inv.nodes("ce:cost-allocation-tag")
                 if t["props"].get("status") == "Active"]
    return {"total": total, "per_tag": per_tag, "all": all_four,
            "all_share": round(100 * all_four / total) if total else 0, "activated": activated,
            "allocation_tags_known": bool(inv.nodes("ce:cost-allocation-tag"))}


def anomaly_monitors_unread(inv: Inventory) -> bool:
    return _unread(inv, "ce", "ce:GetAnomalyMonitors", "ce.monitoring")


def anomaly_monitors(inv: Inventory) -> list[dict[str, Any]]:
    return [{"name": m["name"], "type": m["props"].get("type"), "dimension": m["props"].get("dimension"),
             "subscriptions": len(m["props"].get("subscriptions") or [])} for m in inv.nodes("ce:anomaly-monitor")]

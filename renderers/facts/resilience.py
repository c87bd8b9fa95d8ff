"""Facts for 9.2 (Backup and Restore) and 9.3 (Failover Mechanisms).

Pure functions of the Inventory. Backup coverage combines AWS Backup plans
(explicit selections, ARN patterns and tag conditions, matched against the
graph) with each service's own protection read by other collectors: RDS
retention, DynamoDB PITR, EBS snapshots, S3 versioning, EFS backup policy.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

from renderers.plural import count_of
from scanner.inventory import Inventory

CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$")
RATE = re.compile(r"^rate\((\d+) (\w+)\)$")


def schedule_text(expr: str | None) -> str:
    """``cron(0 3 * * ? *)`` -> ``daily at 03:00``; anything unusual is shown as written."""
    if not expr:
        return "continuous / on demand"
    m = RATE.match(expr)
    if m:
        return f"every {m.group(1)} {m.group(2)}"
    m = CRON.match(expr)
    if not m:
        return expr
    minute, hour, dom, month, dow = m.group(1, 2, 3, 4, 5)
    if not (minute.isdigit() and hour.isdigit()):
        return expr
    at = f"{int(hour):02d}:{int(minute):02d}"
    if dom in ("*", "?") and dow in ("*", "?") and month == "*":
        return f"daily at {at}"
    if dom in ("*", "?") and month == "*" and dow not in ("*", "?"):
        return f"weekly ({dow}) at {at}"
    if dom.isdigit() and month == "*":
        return f"monthly (day {dom}) at {at}"
    return expr


def vault_name(arn: str | None) -> str:
    return (arn or "").rsplit(":", 1)[-1] or "-"


def plan_rows(inv: Inventory) -> list[list[Any]]:
    """One row per backup rule: schedule, retention, target vault and cross-region copies."""
    rows = []
    for p in inv.nodes("backup:plan"):
        for r in p["props"].get("rules") or []:
            copies = ", ".join(f"{vault_name(c.get('vault_arn'))} ({c.get('region') or '?'}, "
                               f"{c.get('retention_days') or 'no expiry'} days)" for c in r.get("copy_to") or [])
            rows.append([p["region"], p["name"], r.get("name"), schedule_text(r.get("schedule")),
                         r.get("retention_days") or "kept forever", r.get("vault"), copies or "none",
                         r.get("continuous")])
    return rows


def vault_rows(inv: Inventory) -> list[list[Any]]:
    return [[v["region"], v["name"], v["props"].get("recovery_points"),
             "customer key" if v["props"].get("kms_key") and "alias/aws/backup" not in str(v["props"]["kms_key"])
             else "AWS managed key", v["props"].get("locked")] for v in inv.nodes("backup:vault")]


def _tag_match(tags: dict[str, str], cond: dict[str, Any]) -> bool:
    key, value, kind = cond.get("key"), str(cond.get("value") or ""), str(cond.get("type") or "").upper()
    if key not in tags:
        return kind.endswith("NOTEQUALS") or kind.endswith("NOTLIKE")
    if kind in ("STRINGEQUALS",):
        return tags[key] == value
    if kind == "STRINGLIKE":
        return fnmatchcase(tags[key], value)
    if kind == "STRINGNOTEQUALS":
        return tags[key] != value
    if kind == "STRINGNOTLIKE":
        return not fnmatchcase(tags[key], value)
    return False


def selected_by(sel: dict[str, Any], node: dict[str, Any]) -> bool:
    """Whether a backup selection covers a node (explicit ARN, ARN pattern or tag condition)."""
    nid = node["id"]
    if nid in (sel.get("excluded") or []):
        return False
    if nid in (sel.get("resources") or []):
        return True
    if any(fnmatchcase(nid, p) for p in sel.get("patterns") or []):
        return True
    return any(_tag_match(node.get("tags") or {}, c) for c in sel.get("tag_conditions") or [])


def backup_plans_for(inv: Inventory, node: dict[str, Any]) -> list[str]:
    """Names of the backup plans (or vaults, from recovery points) that protect a node."""
    names = {n["name"] for n in inv.into(node["id"], "backs_up")}
    for p in inv.nodes("backup:plan"):
        if any(selected_by(s, node) for s in p["props"].get("selections") or []):
            names.add(p["name"])
    return sorted(names)


def _enabled(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("enabled", "true", "on")
    if isinstance(value, dict):
        return bool(value.get("enabled") or value.get("status") in ("Enabled", "ENABLED"))
    return bool(value)


def _snapshotted_volumes(inv: Inventory) -> set[str]:
    """Ids of volumes and databases that have at least one snapshot (EBS volume ids, RDS identifiers, ARNs)."""
    vols = {s["props"].get("volume_id") for s in inv.nodes("ebs:snapshot")}
    vols |= {s["props"].get("source") for s in inv.nodes("rds:snapshot")}
    vols |= {dst for _, dst, _ in inv.edges("snapshot_of")}
    return {v for v in vols if v}


def native_protection(inv: Inventory, n: dict[str, Any], snap_vols: set[str]) -> str | None:
    """The service's own backup setting, in words; None when it has none."""
    p, kind = n["props"], n["kind"]
    if kind in ("rds:instance", "rds:cluster"):
        days = p.get("backup_retention")
        if kind == "rds:instance" and p.get("cluster_id"):
            return "backed up with its Aurora cluster"
        manual = p.get("identifier") in snap_vols
        parts = [f"automated backups, {count_of(days, 'day')}" if days else "", "snapshots" if manual else ""]
        return ", ".join(x for x in parts if x) or None
    if kind == "dynamodb:table":
        return "point-in-time recovery" if _enabled(p.get("pitr")) else None
    if kind == "ebs:volume":
        return "has snapshots" if p.get("volume_id") in snap_vols or n["id"] in snap_vols else None
    if kind == "s3:bucket":
        parts = [t for t, on in (("versioning", _enabled(p.get("versioning"))),
                                 ("replication", bool(p.get("replication")))) if on]
        return ", ".join(parts) or None
    if kind == "efs:file-system":
        return "EFS automatic backups" if _enabled(p.get("backup_policy")) else None
    if kind in ("elasticache:replication-group", "elasticache:cluster"):
        days = p.get("snapshot_retention")
        return f"snapshots, {count_of(days, 'day')}" if days else None
    return None


PROTECTABLE = {"rds:instance": "RDS instance", "rds:cluster": "Aurora/RDS cluster", "dynamodb:table": "DynamoDB table",
               "ebs:volume": "EBS volume", "s3:bucket": "S3 bucket", "efs:file-system": "EFS file system",
               "elasticache:replication-group": "ElastiCache group"}


def coverage_rows(inv: Inventory) -> list[list[Any]]:
    """Every data store: its native protection and the backup plans that cover it."""
    snap_vols = _snapshotted_volumes(inv)
    unread = {p["region"] for p in inv.nodes("backup:plan") if p["props"].get("selections") is None}
    rows = []
    for kind, label in PROTECTABLE.items():
        for n in inv.nodes(kind):
            native = native_protection(inv, n, snap_vols)
            plans = backup_plans_for(inv, n)
            # a plan only selects resources of its own region; if its selections were not read,
            # "no plan" would be a guess, so say "unknown"
            blind = not plans and n["region"] in unread
            plan_text = ", ".join(plans) or ("unknown (selections not read)" if blind else "none")
            status = "protected" if native or plans else ("unknown" if blind else "NOT PROTECTED")
            rows.append([label, n["region"], n["name"], native or "none", plan_text, status])
    return rows


def unprotected(inv: Inventory) -> list[str]:
    return [f"{r[0]} {r[2]}" for r in coverage_rows(inv) if r[5] == "NOT PROTECTED"]


def protection_unknown(inv: Inventory) -> list[str]:
    """Data stores with no backup of their own in a region whose backup plan selections were not read."""
    return [f"{r[0]} {r[2]}" for r in coverage_rows(inv) if r[5] == "unknown"]


def selections_unread(inv: Inventory) -> list[str]:
    """Plans whose selections could not be read: coverage by AWS Backup is then unknown for them."""
    return [p["name"] for p in inv.nodes("backup:plan") if p["props"].get("selections") is None]


# --- 9.3 failover ---------------------------------------------------------------------------
def _dns_index(inv: Inventory) -> dict[str, str]:
    idx: dict[str, str] = {}
    for kind, prop in (("elbv2:load-balancer", "dns_name"), ("elb:load-balancer", "dns_name"),
                       ("cloudfront:distribution", "domain")):
        for n in inv.nodes(kind):
            if n["props"].get(prop):
                idx[str(n["props"][prop]).lower().rstrip(".")] = n["name"]
    return idx


def alias_label(inv: Inventory, target: str | None, idx: dict[str, str] | None = None) -> str | None:
    """An alias DNS name as the resource it names (load balancer, distribution), when scanned."""
    if not target:
        return None
    idx = idx if idx is not None else _dns_index(inv)
    t = target.lower().rstrip(".").removeprefix("dualstack.")
    return f"{idx[t]} ({target})" if t in idx else target


def routing_rows(inv: Inventory) -> list[list[Any]]:
    """Records with a routing policy other than simple: failover, latency, weighted, geo."""
    idx = _dns_index(inv)
    rows = []
    for r in inv.nodes("route53:record"):
        p = r["props"]
        if p.get("routing_policy") in (None, "simple"):
            continue
        role = p.get("failover") or p.get("latency_region") or (f"weight {p['weight']}" if p.get("weight") is not None else "")
        target = alias_label(inv, p.get("alias_target"), idx) or ", ".join(p.get("values") or []) or "-"
        hc = inv.node(f"arn:aws:route53:::healthcheck/{p['health_check_id']}") if p.get("health_check_id") else None
        rows.append([r["name"], p.get("type"), p.get("routing_policy"), role or "-", p.get("set_identifier"),
                     target, (hc or {}).get("name") or p.get("health_check_id") or "none"])
    return rows


def health_check_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for h in inv.nodes("route53:health-check"):
        p = h["props"]
        used = [r["name"] for r in inv.out(h["id"], "monitors", "route53:record")]
        rows.append([h["name"], p.get("type"), p.get("target"), p.get("port"), p.get("path"),
                     ", ".join(sorted(set(used))) or "not used by a record", p.get("disabled")])
    return rows


def zone_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for z in inv.nodes("route53:hosted-zone"):
        p = z["props"]
        count = f"{p.get('record_count')}" + (f" ({p['records_not_kept']} plain records not detailed)"
                                              if p.get("records_not_kept") else "")
        rows.append([z["name"], "private" if p.get("private") else "public", count,
                     ", ".join(p.get("vpc_ids") or []) or "-"])
    return rows


def database_failover_rows(inv: Inventory) -> list[list[Any]]:
    """RDS Multi-AZ and replicas, Aurora readers, ElastiCache automatic failover, DynamoDB global tables."""
    rows = []
    for d in inv.nodes("rds:instance"):
        p = d["props"]
        if p.get("cluster_id"):
            continue
        ident = str(p.get("identifier") or "")
        replicas = [n["name"] for n in inv.nodes("rds:instance") if ident and
                    str(n["props"].get("read_replica_source") or "") in (ident, d["id"])]
        how = "Multi-AZ standby" if p.get("multi_az") else "single AZ"
        if p.get("read_replica_source"):
            how = f"read replica of {p['read_replica_source']}"
        rows.append(["RDS instance", d["region"], d["name"], how, ", ".join(replicas) or "none"])
    for c in inv.nodes("rds:cluster"):
        p = c["props"]
        readers = p.get("readers") or []
        how = f"{count_of(len(readers), 'reader')} to promote" if readers else "writer only, no reader to fail over to"
        rows.append(["Aurora/RDS cluster", c["region"], c["name"], how,
                     (f"global cluster {p['global_cluster']}" if p.get("global_cluster") else "none")])
    for g in inv.nodes("elasticache:replication-group"):
        p = g["props"]
        auto = str(p.get("automatic_failover") or "").lower() in ("enabled", "true")
        rows.append(["ElastiCache group", g["region"], g["name"],
                     ("automatic failover" if auto else "no automatic failover") + (", Multi-AZ" if _enabled(p.get("multi_az")) else ""),
                     count_of(len(p.get('members') or []), "node")])
    for t in inv.nodes("dynamodb:table"):
        reps = t["props"].get("global_replicas") or []
        if reps:
            rows.append(["DynamoDB global table", t["region"], t["name"], "multi-region active-active",
                         ", ".join(str(r) for r in reps)])
    return rows


def replication_rows(inv: Inventory) -> list[list[Any]]:
    """Data copied to another region: S3 replication, replicates_to edges, Backup copies."""
    rows = []
    for src, dst, _ in inv.edges("replicates_to"):
        a, b = inv.node(src) or {}, inv.node(dst) or {}
        rows.append([a.get("name") or src, a.get("region"), b.get("name") or dst, b.get("region") or "-"])
    for bkt in inv.nodes("s3:bucket"):
        if bkt["props"].get("replication") and not inv.out(bkt["id"], "replicates_to"):
            rows.append([bkt["name"], bkt["region"], "per the bucket's replication rules", "-"])
    return rows


def asg_rows(inv: Inventory) -> list[list[Any]]:
    """Auto Scaling groups replace failed instances; ELB health checks also catch a hung app."""
    return [[g["region"], g["name"], g["props"].get("health_check_type") or "EC2",
             len(g["props"].get("azs") or []), f"{g['props'].get('min')}/{g['props'].get('desired')}/{g['props'].get('max')}"]
            for g in inv.nodes("autoscaling:group")]


def _logging_text(value: Any) -> str:
    if value is None:
        return "not read"
    if not value:
        return "off"
    return f"to {value.get('bucket')}"


def cdn_rows(inv: Inventory) -> list[list[Any]]:
    """CloudFront distributions: origins, viewer TLS, WAF, logging and origin failover groups."""
    rows = []
    for d in inv.nodes("cloudfront:distribution"):
        p = d["props"]
        origins = ", ".join(f"{o.get('domain')} ({o.get('type')})" for o in p.get("origins") or []) or "-"
        rows.append([d["name"], p.get("domain"), ", ".join(p.get("aliases") or []) or "-", origins,
                     p.get("viewer_protocol_policy"), p.get("min_tls"),
                     (p.get("web_acl") or "").rsplit("/", 2)[-2] if "/" in (p.get("web_acl") or "") else (p.get("web_acl") or "none"),
                     _logging_text(p.get("logging")), p.get("origin_groups") or 0])
    return rows


def cdn_failover_rows(inv: Inventory) -> list[list[Any]]:
    """CloudFront for 9.3: what each distribution fronts and whether an origin group fails over.
    (Viewer TLS is in 5.3 and WAF in 5.2/5.4; they are not repeated here.)"""
    idx = _dns_index(inv)
    rows = []
    for d in inv.nodes("cloudfront:distribution"):
        p = d["props"]
        origins = ", ".join(f"{alias_label(inv, o.get('domain'), idx)} ({o.get('type')})"
                            for o in p.get("origins") or []) or "-"
        groups = p.get("origin_groups") or 0
        rows.append([d["name"], p.get("domain"), origins,
                     count_of(groups, "origin group") if groups else "none: a failed origin is not bypassed"])
    return rows

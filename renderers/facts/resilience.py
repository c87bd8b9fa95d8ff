"""Facts for 9.2 (Backup and Restore) and 9.3 (Failover Mechanisms).

Pure functions of the Inventory. Whether a data store is protected is the stored
``protected`` fact (scanner/judge/protection.py: its own backups, or an AWS Backup
plan whose selections match it); this module only lays it out, with the parts
that fact rests on (protection.coverage), so an unread setting is "unknown (why)".
"""

from __future__ import annotations

import re
from typing import Any

from renderers.facts.storage import read_cell
from renderers.plural import count_of
from scanner import kinds
from scanner.fact import Fact
from scanner.inventory import Inventory
from scanner.judge import protection
from scanner.judge.protection import enabled
from scanner.kinds import protectable

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


def _coverage_rows(inv: Inventory) -> list[dict[str, Any]]:
    """Every data store (kinds.protectable()) with its stored ``protected`` fact and its parts:
    once per render (9.2 shows it four ways: the table and three lists)."""
    return inv.memo("resilience.coverage_rows", lambda: _compute_coverage_rows(inv))


def _compute_coverage_rows(inv: Inventory) -> list[dict[str, Any]]:
    parts = protection.coverage(inv)
    rows = []
    for kind in protectable():
        for n in inv.nodes(kind):
            part = parts.get(n["id"])
            f = inv.fact(n["id"], "protected")
            if part is None or f is None:
                continue
            rows.append({"node": n, "kind": kind, "fact": f, **part})
    return rows


def _native_text(f: Fact) -> str:
    return f.why if f.yes else ("none" if f.no else f.text())


def _plans_cell(inv: Inventory, r: dict[str, Any]) -> str:
    """The "Backup plans" cell of one data store: the plans that select it; else, when AWS Backup
    lists a recovery point of it (ListProtectedResources: a vault -> store ``backs_up`` edge) but
    no plan is known to make it, that recovery point's vault, said as such; else unknown or none.

    ``r["plans"]`` names what backs the store up, plans and those vaults alike: a vault is told
    apart by its ``backs_up`` edge (a name a plan's own edge also gives stays a plan)."""
    sources = inv.into(r["node"]["id"], "backs_up")
    plan_edges = {d["name"] for d in sources if d.get("kind") == "backup:plan"}
    vaults = sorted({d["name"] for d in sources if d.get("kind") != "backup:plan"})
    plans = [p for p in r["plans"] if p in plan_edges or p not in vaults]
    if plans:
        return ", ".join(plans)
    if vaults:
        where = f"vault {vaults[0]}" if len(vaults) == 1 else f"vaults {', '.join(vaults)}"
        return f"no known plan; protected by a recovery point in {where}"
    return f"unknown ({r['plans_unknown']})" if r["plans_unknown"] else "none"


def coverage_rows(inv: Inventory) -> list[list[Any]]:
    """Every data store: its own backup, the backup plans that select it, and the stored verdict."""
    rows = []
    for r in _coverage_rows(inv):
        n, f = r["node"], r["fact"]
        plan_text = _plans_cell(inv, r)
        status = f.text("protected", "NOT PROTECTED")
        rows.append([kinds.singular(r["kind"]), n["region"], n["name"], _native_text(r["native"]), plan_text, status])
    return rows


def unprotected(inv: Inventory) -> list[str]:
    """Data stores known to have no backup at all (an unknown is never listed here)."""
    return [f"{kinds.singular(r['kind'])} {r['node']['name']}" for r in _coverage_rows(inv) if r["fact"].no]


def protection_unknown(inv: Inventory) -> list[str]:
    """Data stores with no backup of their own in a region whose backup plan selections were not read."""
    return [f"{kinds.singular(r['kind'])} {r['node']['name']}" for r in _coverage_rows(inv)
            if r["fact"].unknown and r["native"].no]


def native_unknown(inv: Inventory) -> list[str]:
    """Data stores whose own backup setting (versioning, PITR, backup policy, ...) could not be read,
    each with why: whether they are protected is unknown."""
    return [f"{kinds.singular(r['kind'])} {r['node']['name']} ({r['fact'].why})" for r in _coverage_rows(inv)
            if r["fact"].unknown and not r["native"].no]


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
        vpcs = ("-" if not p.get("private") else
                read_cell(inv, z, p.get("vpc_ids"), "route53:GetHostedZone", empty="-"))
        rows.append([z["name"], "private" if p.get("private") else "public", count, vpcs])
    return rows


def _replicas(instances: list[dict[str, Any]], replicas_of: dict[str, list[str]], *sources: str) -> list[str]:
    """The names of the instances replicating from any of ``sources`` (an instance's identifier or
    ARN), in node order: looked up, not one walk of every instance per instance."""
    hits = [s for s in dict.fromkeys(sources) if replicas_of.get(s)]
    if len(hits) <= 1:
        return list(replicas_of.get(hits[0], [])) if hits else []
    wanted = set(hits)
    return [n["name"] for n in instances if str(n["props"].get("read_replica_source") or "") in wanted]


def database_failover_rows(inv: Inventory) -> list[list[Any]]:
    """RDS Multi-AZ and replicas, Aurora readers, ElastiCache automatic failover, DynamoDB global tables."""
    rows = []
    instances = inv.nodes("rds:instance")
    replicas_of: dict[str, list[str]] = {}  # read_replica_source -> replica names, in node order
    for n in instances:
        replicas_of.setdefault(str(n["props"].get("read_replica_source") or ""), []).append(n["name"])
    for d in instances:
        p = d["props"]
        if p.get("cluster_id"):
            continue
        ident = str(p.get("identifier") or "")
        replicas = _replicas(instances, replicas_of, ident, d["id"]) if ident else []
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
                     ("automatic failover" if auto else "no automatic failover") + (", Multi-AZ" if enabled(p.get("multi_az")) else ""),
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

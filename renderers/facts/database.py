"""Sections 4.4 and 6.1-6.3 facts: RDS/Aurora, DynamoDB/DAX and ElastiCache as table rows.

Pure functions of the Inventory. Placement (subnets, AZs) comes from the
graph's ``in_subnet`` edges and the subnet nodes, so a database shows the
tier names the network collector found.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from renderers.facts.storage import (
    counts,
    encrypted_cell,
    fact_cell,
    human_bytes,
    key_label,
    subnet_azs,
    yn,
)
from scanner import naming, status
from scanner.inventory import Inventory

DB_KINDS = ("rds:instance", "rds:cluster", "rds:snapshot", "rds:subnet-group", "rds:parameter-group",
            "dynamodb:table", "dax:cluster", "elasticache:replication-group", "elasticache:cluster")


def summary(inv: Inventory) -> dict[str, int]:
    """Counts by kind, keyed ``rds_instance``, ``dynamodb_table``, ..."""
    return {k.replace(":", "_").replace("-", "_"): len(inv.nodes(k)) for k in DB_KINDS}


def _days(value: Any) -> str:
    return "unknown" if value is None else ("off" if not value else f"{value} days")


# --- 6.1 relational -------------------------------------------------------------------------

def _subnet_short_names(inv: Inventory, nid: str) -> list[str]:
    """Subnet names alone (ids are in the subnet group table), the id where a subnet has no name."""
    return sorted(naming.node_name(s) for s in inv.out(nid, "in_subnet"))


def _placement(inv: Inventory, nid: str, p: dict[str, Any]) -> str:
    """Subnets (AZs), and the cluster an instance belongs to."""
    subnets = _subnet_short_names(inv, nid)
    azs = subnet_azs(inv, nid) or sorted({a for a in (p.get("az"), p.get("secondary_az")) if a})
    where = ", ".join(subnets) if subnets else (p.get("subnet_group") or "-")
    where = f"{where} ({', '.join(azs)})" if azs else where
    return f"{where}; member of cluster {p['cluster_id']}" if p.get("cluster_id") else where


def rds_instance_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for db in inv.nodes("rds:instance"):
        p = db["props"]
        storage = f"{p.get('storage_gb')} GiB {p.get('storage_type') or ''}".strip()
        if p.get("iops"):
            storage += f", {p['iops']} IOPS"
        rows.append([db["region"], db["name"], f"{p.get('engine')} {p.get('engine_version') or ''}".strip(),
                     p.get("instance_class"), yn(p.get("multi_az")), storage,
                     encrypted_cell(inv, db, "aws/rds"), _days(p.get("backup_retention")),
                     yn(p.get("deletion_protection")), yn(p.get("performance_insights")),
                     fact_cell(inv, db["id"], "public"), _placement(inv, db["id"], p)])
    return rows


def rds_cluster_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("rds:cluster"):
        p = c["props"]
        rows.append([c["region"], c["name"], f"{p.get('engine')} {p.get('engine_version') or ''}".strip(),
                     p.get("engine_mode") or "-", p.get("writer") or "-",
                     ", ".join(p.get("readers") or []) or "none", yn(p.get("multi_az")),
                     ", ".join(p.get("azs") or []) or "-", encrypted_cell(inv, c, "aws/rds"),
                     _days(p.get("backup_retention")), yn(p.get("deletion_protection")),
                     p.get("global_cluster") or "-"])
    return rows


def replica_lines(inv: Inventory) -> list[str]:
    """"source -> replica" for RDS read replicas and cluster replication."""
    lines = []
    for src, dst, _ in inv.edges("replicates_to"):
        s, d = inv.node(src) or {}, inv.node(dst) or {}
        kinds = {s.get("kind"), d.get("kind")}
        if kinds & {"rds:instance", "rds:cluster"}:
            where = f" ({d.get('region')})" if d.get("region") and d.get("region") != s.get("region") else ""
            lines.append(f"{naming.label(inv, src)} replicates to {naming.label(inv, dst)}{where}")
    return sorted(set(lines))


def rds_snapshot_summary(inv: Inventory) -> dict[str, Any]:
    snaps = inv.nodes("rds:snapshot")
    manual = [s for s in snaps if s["props"].get("type") == "manual"]
    ages = [s["props"].get("age_days") for s in manual if s["props"].get("age_days") is not None]
    return {
        "count": len(snaps), "manual": len(manual),
        "automated": sum(1 for s in snaps if s["props"].get("type") == "automated"),
        "oldest_manual_days": max(ages) if ages else None,
        "unencrypted": counts(inv, snaps, "encrypted")["no"],
        "encryption_unknown": counts(inv, snaps, "encrypted")["unknown"],
        "public": counts(inv, manual, "public")["yes"],
        "public_unknown": counts(inv, manual, "public")["unknown"],
    }


def rds_snapshot_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for s in inv.nodes("rds:snapshot"):
        p = s["props"]
        if p.get("type") != "manual":
            continue
        rows.append([s["region"], s["name"], p.get("source"), (p.get("create_time") or "")[:10] or "-",
                     f"{p.get('storage_gb')} GiB", fact_cell(inv, s["id"], "encrypted"),
                     fact_cell(inv, s["id"], "public")])
    return rows


def subnet_group_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for g in inv.nodes("rds:subnet-group"):
        p = g["props"]
        subnets = sorted(naming.label(inv, s["id"]) for s in inv.out(g["id"], "associated_with", "ec2:subnet"))
        users = [naming.label(inv, u["id"]) for u in inv.into(g["id"], "associated_with")]
        rows.append([g["region"], g["name"], p.get("vpc_id"), ", ".join(subnets) or
                     ", ".join(p.get("subnet_ids") or []) or "-", ", ".join(p.get("azs") or []) or "-",
                     ", ".join(users) or _users_unread(inv, g)])
    return rows


def _users_unread(inv: Inventory, group: dict[str, Any]) -> str:
    """"unused" only when the databases and caches that could use it were all read."""
    blocked = status.blocked_runs(inv.meta.get("runs", []), region=group["region"],
                                  collectors=("rds.instances", "rds.clusters"))
    why = (f"{blocked[0].get('action') or blocked[0].get('collector')}: {blocked[0].get('message') or 'not read'}"
           if blocked else "")
    return f"unknown ({why})" if why else "unused"


def parameter_group_rows(inv: Inventory) -> list[list[Any]]:
    """Custom (non-default) parameter groups only: defaults say nothing about the design."""
    rows = []
    for g in inv.nodes("rds:parameter-group"):
        p = g["props"]
        if p.get("default"):
            continue
        rows.append([g["region"], g["name"], p.get("family"), "cluster" if p.get("cluster") else "instance"])
    return rows


# --- 6.2 NoSQL ------------------------------------------------------------------------------

def _capacity(p: dict[str, Any]) -> str:
    """"on demand", or the provisioned capacity with its auto scaling ranges, in one cell."""
    if p.get("billing_mode") == "PAY_PER_REQUEST":
        return "on demand"
    return f"provisioned {p.get('read_capacity')} RCU / {p.get('write_capacity')} WCU; auto scaling: {_autoscaling(p)}"


def _autoscaling(p: dict[str, Any]) -> str:
    targets = p.get("autoscaling")
    if targets is None:
        return "unknown"
    parts = [f"{t.get('resource')} {t.get('dimension')} {t.get('min')}-{t.get('max')}" for t in targets]
    return "; ".join(parts) or "none"


def dynamodb_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for t in inv.nodes("dynamodb:table"):
        p = t["props"]
        gsis = [g.get("name") for g in p.get("gsis") or []]
        f = inv.fact(t["id"], "encrypted")
        if f is not None and f.unknown:
            enc = f.text()
        else:
            enc = "KMS " + key_label(inv, p.get("kms_key"), "aws/dynamodb") if p.get("encryption") == "KMS" \
                else (p.get("encryption") or fact_cell(inv, t["id"], "encrypted"))
        items = p.get("item_count")
        rows.append([t["region"], t["name"], _capacity(p),
                     ", ".join(gsis) or "none", fact_cell(inv, t["id"], "pitr"), _stream(p.get("stream")),
                     ", ".join(p.get("global_replicas") or []) or "none", enc,
                     yn(p.get("deletion_protection")), p.get("table_class") or "STANDARD",
                     f"{'unknown' if items is None else items} items, {human_bytes(p.get('size_bytes'))}"])
    return rows


_STREAM_VIEWS = {"NEW_AND_OLD_IMAGES": "new and old images", "NEW_IMAGE": "new images",
                 "OLD_IMAGE": "old images", "KEYS_ONLY": "keys only"}


def _stream(view: Any) -> str:
    """DynamoDB stream view type in words ("on: new and old images"), "off" without a stream."""
    if not view:
        return "off"
    return f"on: {_STREAM_VIEWS.get(str(view), str(view))}"


def dax_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("dax:cluster"):
        p = c["props"]
        rows.append([c["region"], c["name"], p.get("node_type"), p.get("nodes"),
                     ", ".join(p.get("azs") or []) or "-", fact_cell(inv, c["id"], "encrypted"),
                     yn(p.get("transit_encryption")), p.get("subnet_group") or "-", p.get("status")])
    return rows


# --- 6.3 in-memory --------------------------------------------------------------------------

def cache_group_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for g in inv.nodes("elasticache:replication-group"):
        p = g["props"]
        members = inv.into(g["id"], "member_of", "elasticache:cluster")
        azs = sorted({m["props"].get("az") for m in members if m["props"].get("az")})
        engine = p.get("engine") or "-"
        versions = sorted({m["props"].get("engine_version") for m in members if m["props"].get("engine_version")})
        if versions:
            engine += " " + ", ".join(versions)
        nodes = len(p.get("members") or []) or len(members)
        shards = p.get("num_node_groups")
        rows.append([g["region"], g["name"], engine, p.get("node_type"),
                     f"{nodes} in {shards} shard{'' if shards == 1 else 's'}" if shards else str(nodes),
                     ", ".join(azs) or "-", yn(p.get("multi_az")), yn(p.get("automatic_failover")),
                     yn(p.get("transit_encryption")),
                     encrypted_cell(inv, g, "AWS managed key"),
                     yn(p.get("auth_token_enabled")), _days(p.get("snapshot_retention"))])
    return rows


def cache_cluster_rows(inv: Inventory) -> list[list[Any]]:
    """Every cache cluster (node set), with its group, placement and security groups.

    Encryption is a replication-group setting, so a member shows its group's values.
    """
    rows = []
    for c in inv.nodes("elasticache:cluster"):
        p = dict(c["props"])
        groups = inv.out(c["id"], "member_of", "elasticache:replication-group")
        at_rest = yn(p.get("at_rest_encryption"))
        if groups and not groups[0].get("external"):
            gp = groups[0]["props"]
            p["transit_encryption"] = gp.get("transit_encryption")
            at_rest = fact_cell(inv, groups[0]["id"], "encrypted")
        sgs = [naming.label(inv, g["id"]) for g in inv.out(c["id"], "protected_by")]
        if p.get("security_group_ids") is None:
            sg_text = "unknown"
        else:
            sg_text = ", ".join(sgs) or "none reported"
        # a single-node cluster sits in the subnet of its AZ; the subnet group lists them all
        subnets = inv.out(c["id"], "in_subnet")
        in_az = [s for s in subnets if (s.get("props") or {}).get("az") == p.get("az")]
        subnet_text = ", ".join(sorted(naming.label(inv, s["id"]) for s in (in_az if in_az and p.get("num_nodes") == 1
                                                                         else subnets)))
        if not subnet_text:
            why = status.unread(inv.meta, c["region"], "elasticache:DescribeCacheSubnetGroups")
            subnet_text = f"unknown ({why})" if why else "-"
        rows.append([c["region"], c["name"], p.get("replication_group") or "standalone",
                     f"{p.get('engine')} {p.get('engine_version') or ''}".strip(), p.get("node_type"),
                     p.get("num_nodes"), p.get("az") or "-", subnet_text, sg_text,
                     f"{yn(p.get('transit_encryption'))} / {at_rest}"])
    return rows


# --- 4.4 database storage -------------------------------------------------------------------

def storage_by_engine(inv: Inventory) -> list[list[Any]]:
    """Allocated storage per engine: RDS instances (allocated GiB) and Aurora clusters (used GiB)."""
    agg: dict[str, list[Any]] = {}
    for db in inv.nodes("rds:instance"):
        p = db["props"]
        if p.get("cluster_id"):  # Aurora members share the cluster volume, counted below
            continue
        a = agg.setdefault(f"RDS {p.get('engine')}", [0, 0, []])
        a[0] += 1
        a[1] += int(p.get("storage_gb") or 0)
        a[2].append(db)
    for c in inv.nodes("rds:cluster"):
        p = c["props"]
        a = agg.setdefault(f"Cluster {p.get('engine')}", [0, 0, []])
        a[0] += 1
        a[1] += int(p.get("storage_gb") or 0)
        a[2].append(c)
    rows = []
    for engine, (n, gib, nodes) in sorted(agg.items()):
        t = counts(inv, nodes, "encrypted")
        enc = f"{t['yes']} of {n}" + (f" ({t['unknown']} unknown)" if t["unknown"] else "")
        rows.append([engine, n, f"{gib} GiB", enc])
    return rows


def dynamodb_storage(inv: Inventory) -> dict[str, Any]:
    tables = inv.nodes("dynamodb:table")
    return {"tables": len(tables),
            "size": human_bytes(sum(int(t["props"].get("size_bytes") or 0) for t in tables)),
            "item_count": sum(int(t["props"].get("item_count") or 0) for t in tables),
            "by_class": sorted(Counter(t["props"].get("table_class") or "STANDARD" for t in tables).items())}


def cache_storage(inv: Inventory) -> dict[str, Any]:
    clusters = inv.nodes("elasticache:cluster")
    groups = inv.nodes("elasticache:replication-group")
    nodes = sum(int(c["props"].get("num_nodes") or 0) for c in clusters)
    types = sorted({c["props"].get("node_type") for c in clusters if c["props"].get("node_type")}
                   | {g["props"].get("node_type") for g in groups if g["props"].get("node_type")})
    return {"groups": len(groups), "clusters": len(clusters), "nodes": nodes, "node_types": types,
            "dax": len(inv.nodes("dax:cluster"))}

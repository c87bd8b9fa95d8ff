"""Sections 4.4 and 6.1-6.3 facts for the data stores of issue 12: Redshift (provisioned and
Serverless) and RDS Proxy (6.1), OpenSearch domains (6.2), MemoryDB clusters and ElastiCache
Serverless caches (6.3).

Pure functions of the Inventory. Judged properties (public, encrypted, TLS, open policy)
come from the stored facts, so a setting that was not read shows ``unknown (why)``; plain
values that were not read show the unread call the same way (``read_cell``).
"""

from __future__ import annotations

from typing import Any

from renderers.facts.storage import encrypted_cell, fact_cell, read_cell, subnet_azs, yn
from renderers.plural import count_of
from scanner import kinds, naming, status
from scanner.inventory import Inventory

#: what each subsection adds beyond the RDS/DynamoDB/ElastiCache tables of database.py
KINDS_61 = ("redshift:cluster", "redshift-serverless:workgroup", "rds:proxy")
KINDS_62 = ("opensearch:domain",)
KINDS_63 = ("memorydb:cluster", "elasticache:serverless-cache")
DOMAINS = "es:DescribeDomains"


def present(inv: Inventory, *kind_names: str) -> bool:
    return any(inv.nodes(k) for k in kind_names)


def absent(inv: Inventory, *kind_names: str) -> dict[str, list[str]]:
    """Kinds with no node, by why: ``none`` (read, nothing there), ``blocked`` (a denied or
    failed listing: nothing is known) and ``excluded`` (not scanned, by choice)."""
    out: dict[str, list[str]] = {"none": [], "blocked": [], "excluded": []}
    runs = inv.meta.get("runs", [])
    for k in kind_names:
        if inv.nodes(k):
            continue
        blocked = status.blocked_runs(runs, collectors=kinds.spec(k).collectors)
        if blocked and all(status.is_excluded(r) for r in blocked):
            out["excluded"].append(kinds.plural(k))
        elif blocked:
            out["blocked"].append(kinds.plural(k))
        else:
            out["none"].append(kinds.plural(k))
    return out


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def absent_text(inv: Inventory, regions: str, *kind_names: str) -> str:
    """One sentence per reason for the kinds that have no node ("" when all are present)."""
    gone = absent(inv, *kind_names)
    parts = []
    if gone["none"]:
        parts.append(f"No {_or(gone['none'])} in the scanned regions ({regions}).")
    if gone["blocked"]:
        parts.append(f"{_or(gone['blocked'])}: not listed, the scan could not read them (see below).")
    if gone["excluded"]:
        parts.append(f"{_or(gone['excluded'])}: not scanned, {inv.meta.get('selection') or 'excluded by choice'}.")
    return " ".join(parts)


def _text(v: Any) -> str:
    """A plain value; None (the answer did not say) is "unknown", never "-"."""
    return "unknown" if v is None else (str(v) or "-")


def _sgs(inv: Inventory, n: dict[str, Any], *actions: str) -> Any:
    names = sorted(naming.label(inv, g["id"]) for g in inv.out(n["id"], "protected_by"))
    value = names if n["props"].get("security_group_ids") is not None else None
    return read_cell(inv, n, value, *actions)


def _subnets(inv: Inventory, n: dict[str, Any], *actions: str) -> Any:
    """Subnet names (AZs) from the ``in_subnet`` edges; unknown when the subnets were not read."""
    names = sorted(naming.name(inv, s["id"]) for s in inv.out(n["id"], "in_subnet"))
    if n["props"].get("subnet_ids") is None and not names:
        return read_cell(inv, n, None, *actions)
    azs = subnet_azs(inv, n["id"])
    text = ", ".join(names) or "none reported"
    return f"{text} ({', '.join(azs)})" if azs else text


def _days(v: Any) -> str:
    if v is None:
        return "unknown"
    return "off" if not v else f"{v} day{'s' if v != 1 else ''}"


# --- 6.1 Redshift and RDS Proxy ----------------------------------------------------------------

def redshift_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("redshift:cluster"):
        p = c["props"]
        nodes = f"{p.get('node_count')} x {_text(p.get('node_type'))}" if p.get("node_count") \
            else _text(p.get("node_type"))
        if p.get("multi_az"):
            nodes += ", Multi-AZ"
        rows.append([c["region"], c["name"], nodes, fact_cell(inv, c["id"], "public"),
                     encrypted_cell(inv, c, "AWS managed key"), _days(p.get("snapshot_retention")),
                     _subnets(inv, c, "redshift:DescribeClusterSubnetGroups"),
                     _sgs(inv, c, "redshift:DescribeClusters"), _text(p.get("status"))])
    return rows


def workgroup_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for w in inv.nodes("redshift-serverless:workgroup"):
        p = w["props"]
        namespaces = inv.out(w["id"], "associated_with", "redshift-serverless:namespace")
        enc = encrypted_cell(inv, namespaces[0], "AWS owned key") if namespaces else read_cell(
            inv, w, None, "redshift-serverless:ListNamespaces")
        cap = f"{p.get('base_capacity')} RPU" if p.get("base_capacity") is not None else "unknown"
        if p.get("max_capacity"):
            cap += f" (max {p['max_capacity']})"
        rows.append([w["region"], w["name"], _text(p.get("namespace")), cap, fact_cell(inv, w["id"], "public"),
                     enc, _subnets(inv, w, "redshift-serverless:ListWorkgroups"),
                     _sgs(inv, w, "redshift-serverless:ListWorkgroups"), _text(p.get("status"))])
    return rows


def proxy_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for x in inv.nodes("rds:proxy"):
        p = x["props"]
        targets = p.get("targets")
        shown = None if targets is None else [naming.label(inv, t["id"]) for t in inv.out(x["id"], "targets")] or targets
        rows.append([x["region"], x["name"], _text(p.get("engine_family")), fact_cell(inv, x["id"], "require_tls"),
                     read_cell(inv, x, shown, "rds:DescribeDBProxyTargets"),
                     ", ".join(p.get("iam_auth") or []) or "-",
                     _subnets(inv, x, "rds:DescribeDBProxies"), _sgs(inv, x, "rds:DescribeDBProxies"),
                     _text(p.get("status"))])
    return rows


# --- 6.2 OpenSearch ----------------------------------------------------------------------------

def _masters(p: dict[str, Any]) -> str:
    if p.get("dedicated_master") is None:
        return "unknown"
    if not p["dedicated_master"]:
        return "none"
    return f"{p.get('master_count') or '?'} x {p.get('master_type') or '?'}"


def _placement(inv: Inventory, d: dict[str, Any]) -> str:
    f = inv.fact(d["id"], "public")
    if f is None or f.unknown:
        return fact_cell(inv, d["id"], "public")
    if f.yes:
        return "public endpoint"
    vpc = d["props"].get("vpc_id")
    return f"VPC {vpc}: {_subnets(inv, d, DOMAINS)}" if vpc else f"VPC: {_subnets(inv, d, DOMAINS)}"


def domain_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for d in inv.nodes("opensearch:domain"):
        p = d["props"]
        version = read_cell(inv, d, p.get("engine_version"), DOMAINS)
        data = read_cell(inv, d, f"{p['instance_count']} x {p.get('instance_type') or '?'}"
                         if p.get("instance_count") is not None else None, DOMAINS)
        storage = f"{p['storage_gb']} GiB" if p.get("storage_gb") is not None else (
            "no EBS volumes" if p.get("instance_count") is not None else read_cell(inv, d, None, DOMAINS))
        zones = yn(p.get("zone_awareness"))
        if p.get("zone_awareness") and p.get("az_count"):
            zones = f"yes, {p['az_count']} AZs"
        if p.get("zone_awareness") is None:
            zones = read_cell(inv, d, None, DOMAINS)
        rows.append([d["region"], d["name"], version, data, _masters(p) if p.get("dedicated_master") is not None
                     else read_cell(inv, d, None, DOMAINS), zones, storage, _placement(inv, d),
                     fact_cell(inv, d["id"], "policy_open"),
                     yn(p.get("fine_grained_access")) if p.get("fine_grained_access") is not None
                     else read_cell(inv, d, None, DOMAINS),
                     encrypted_cell(inv, d, "AWS owned key"), fact_cell(inv, d["id"], "node_to_node")])
    return rows


# --- 6.3 MemoryDB and ElastiCache Serverless --------------------------------------------------

def memorydb_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("memorydb:cluster"):
        p = c["props"]
        engine = f"{p.get('engine') or 'redis'} {p.get('engine_version') or ''}".strip()
        rows.append([c["region"], c["name"], engine, _text(p.get("node_type")), _text(p.get("shards")),
                     _text(p.get("replicas_per_shard")), yn(p.get("multi_az")), fact_cell(inv, c["id"], "tls"),
                     _text(p.get("acl")), encrypted_cell(inv, c, "AWS owned key"),
                     _days(p.get("snapshot_retention")), _subnets(inv, c, "memorydb:DescribeSubnetGroups")])
    return rows


def serverless_cache_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("elasticache:serverless-cache"):
        p = c["props"]
        engine = f"{p.get('engine') or '-'} {p.get('engine_version') or ''}".strip()
        storage = f"{p['max_storage_gb']} GB" if p.get("max_storage_gb") else "no limit"
        ecpu = f"{p['max_ecpu']}" if p.get("max_ecpu") else "no limit"
        rows.append([c["region"], c["name"], engine, storage, ecpu, encrypted_cell(inv, c, "AWS owned key"),
                     _days(p.get("snapshot_retention")),
                     _subnets(inv, c, "elasticache:DescribeServerlessCaches"),
                     _sgs(inv, c, "elasticache:DescribeServerlessCaches"), _text(p.get("status"))])
    return rows


# --- 4.4 database storage ----------------------------------------------------------------------

def storage_lines(inv: Inventory) -> list[str]:
    """One line per family for the 4.4 summary (the stores themselves are described in 6)."""
    lines = []
    clusters = inv.nodes("redshift:cluster")
    if clusters:
        nodes = sum(int(c["props"].get("node_count") or 0) for c in clusters)
        mb = [c["props"].get("storage_capacity_mb") for c in clusters]
        cap = f", {sum(mb) / 1024 / 1024:.1f} TiB managed storage capacity" if mb and all(
            isinstance(m, int) for m in mb) and sum(mb) else ""
        types = sorted({str(c["props"]["node_type"]) for c in clusters if c["props"].get("node_type")})
        lines.append(f"Redshift: {count_of(len(clusters), 'cluster')} with {count_of(nodes, 'node')}"
                     f"{' (' + ', '.join(types) + ')' if types else ''}{cap}.")
    wgs = inv.nodes("redshift-serverless:workgroup")
    if wgs:
        lines.append(f"Redshift Serverless: {count_of(len(wgs), 'workgroup')} "
                     f"({count_of(len(inv.nodes('redshift-serverless:namespace')), 'namespace')}); storage billed as used.")
    domains = inv.nodes("opensearch:domain")
    if domains:
        gib = [d["props"].get("storage_gb") for d in domains if d["props"].get("storage_gb") is not None]
        lines.append(f"OpenSearch: {count_of(len(domains), 'domain')}"
                     + (f" with {sum(gib)} GiB of EBS storage" if gib else "")
                     + (f" ({len(domains) - len(gib)} without a known EBS size)" if gib and len(gib) < len(domains)
                        else "") + ".")
    mem = inv.nodes("memorydb:cluster")
    if mem:
        lines.append(f"MemoryDB: {count_of(len(mem), 'cluster')}; in-memory data kept durable in a "
                     "Multi-AZ transaction log.")
    caches = inv.nodes("elasticache:serverless-cache")
    if caches:
        lines.append(f"ElastiCache Serverless: {count_of(len(caches), 'cache')}; storage scales with use.")
    return lines

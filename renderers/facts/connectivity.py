"""Facts for section 2.3 (internet and network connectivity): route tables, NAT, internet / VPN /
transit gateways, endpoints, Direct Connect, Elastic IPs and public network interfaces.

Pure functions of the Inventory returning rows and sentences; the templates lay them out and the
environment escapes every value. Raw ids AWS gives (route targets, VPC ids) are named through the
shared lookups in :mod:`renderers.facts.vpcs`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from renderers.facts.vpcs import (
    ANYWHERE,
    _by_id,
    _names,
    _subnet_names,
    _vpc_name,
    effective_route_tables,
    unused_default_vpcs,
)
from scanner import kinds, naming, status
from scanner.inventory import Inventory


# --- routes and NAT ---------------------------------------------------------------------------
def route_table_rows(inv: Inventory, skip_unused_defaults: bool = True) -> list[list[Any]]:
    """Which subnets route where: each table, its subnets and its non-local routes (the tables of
    default VPCs nothing uses are left out, as in 2.2)."""
    skip = unused_default_vpcs(inv) if skip_unused_defaults else set()
    names = _names(inv, ("ec2:internet-gateway", "igw_id"), ("ec2:nat-gateway", "nat_id"),
                   ("ec2:transit-gateway", "tgw_id"), ("ec2:vpc-peering", "peering_id"),
                   ("ec2:egress-only-internet-gateway", "eigw_id"), ("ec2:vpn-gateway", "vgw_id"),
                   ("ec2:vpc-endpoint", "endpoint_id"), ("ec2:prefix-list", "prefix_list_id"))
    subnet_names = _subnet_names(inv)
    implicit: dict[str, list[str]] = defaultdict(list)
    for s in inv.nodes("ec2:subnet"):
        if s["props"].get("route_table_implicit"):
            implicit[s["props"].get("route_table_id")].append(s["props"].get("subnet_id"))
    rows = []
    for rt in sorted(inv.nodes("ec2:route-table"),
                     key=lambda r: (r["region"], _vpc_name(inv, r["region"], r["props"].get("vpc_id")), not r["props"].get("main"),
                                    r["name"])):
        p = rt["props"]
        sids = list(p.get("subnet_ids") or []) + implicit.get(p.get("route_table_id"), [])
        if (not sids and not p.get("main")) or (rt["region"], p.get("vpc_id")) in skip:
            continue
        routes = []
        for r in p.get("routes") or []:
            if r.get("target_type") == "local":
                continue
            dest = r.get("dest") or "?"
            dest = names.get(dest, dest) if str(dest).startswith("pl-") else dest
            tgt = r.get("target")
            state = " (blackhole)" if r.get("state") == "blackhole" else ""
            routes.append(f"{dest} → {names.get(tgt, tgt) if tgt else r.get('target_type')}{state}")
        subnets = ", ".join(sorted(subnet_names.get((rt["region"], s), s) for s in sids))
        if not subnets:
            subnets = "none (every subnet has its own table)" if p.get("main") else "-"
        rows.append([rt["region"], _vpc_name(inv, rt["region"], p.get("vpc_id")), naming.node_label(rt),
                     p.get("main"), subnets, "; ".join(routes) or "local only"])
    return rows


def nat_rows(inv: Inventory) -> list[list[Any]]:
    subnet_names = _subnet_names(inv)
    rows = []
    for n in sorted(inv.nodes("ec2:nat-gateway"), key=lambda n: (n["region"], str(n["props"].get("vpc_id")),
                                                               str(n["props"].get("az")))):
        p = n["props"]
        rows.append([n["region"], p.get("az") or "-", naming.node_label(n), _vpc_name(inv, n["region"], p.get("vpc_id")),
                     subnet_names.get((n["region"], p.get("subnet_id")), p.get("subnet_id") or "-"),
                     ", ".join(p.get("public_ips") or ([p["public_ip"]] if p.get("public_ip") else [])) or "-",
                     p.get("connectivity") or "public", p.get("state") or "-"])
    return rows


def nat_per_vpc(inv: Inventory) -> list[str]:
    """Per VPC with private subnets: does each AZ have its own NAT gateway?"""
    rts = effective_route_tables(inv)
    nat_az = {(n["region"], n["props"].get("nat_id")): n["props"].get("az") for n in inv.nodes("ec2:nat-gateway")}
    by_vpc: dict[tuple[str, Any], list[dict[str, Any]]] = {}  # subnets grouped once, not walked per VPC
    for s in inv.nodes("ec2:subnet"):
        by_vpc.setdefault((s["region"], s["props"].get("vpc_id")), []).append(s)
    lines = []
    for v in inv.nodes("ec2:vpc"):
        vid = v["props"].get("vpc_id")
        subs = by_vpc.get((v["region"], vid), [])
        nat_subnets = []
        for s in subs:
            rt = rts.get(s["id"])
            for r in (rt["props"].get("routes") if rt else None) or []:
                if r.get("target_type") == "nat" and r.get("dest") in ANYWHERE:
                    nat_subnets.append((s["props"].get("az"), nat_az.get((s["region"], r.get("target")))))
        if not nat_subnets:
            continue
        azs = sorted({az for az, _ in nat_subnets if az})
        cross = sorted({az for az, nat in nat_subnets if nat and az and nat != az})
        nats = sorted({nat for _, nat in nat_subnets if nat})
        if cross:
            lines.append(f"{naming.node_label(v)}: private subnets in {', '.join(cross)} reach the internet "
                         f"through a NAT gateway in another AZ (NAT gateways in {', '.join(nats) or '?'}).")
        else:
            which = "the one AZ" if len(azs) == 1 else f"each of the {len(azs)} AZs"
            lines.append(f"{naming.node_label(v)}: {which} with private subnets "
                         f"({', '.join(azs)}) uses a NAT gateway in the same AZ.")
    return lines


# --- gateways, endpoints and links ------------------------------------------------------------
def gateway_rows(inv: Inventory) -> list[list[Any]]:
    """Internet, egress-only and virtual private gateways with their VPCs."""
    rows = []
    for kind, what in (("ec2:internet-gateway", kinds.singular("ec2:internet-gateway")),
                       ("ec2:egress-only-internet-gateway", "egress-only IGW (IPv6)"),
                       ("ec2:vpn-gateway", "virtual private gateway")):
        for g in inv.nodes(kind):
            p = g["props"]
            extra = f"ASN {p['asn']}" if p.get("asn") else ""
            rows.append([g["region"], what, naming.node_label(g),
                         ", ".join(_vpc_name(inv, g["region"], v) for v in p.get("vpc_ids") or []) or "detached", extra or "-"])
    return rows


def endpoint_rows(inv: Inventory) -> list[list[Any]]:
    subnet_names = _subnet_names(inv)
    rows = []
    for e in inv.nodes("ec2:vpc-endpoint"):
        p = e["props"]
        where = ", ".join(subnet_names.get((e["region"], s), s) for s in p.get("subnet_ids") or []) \
            or (kinds.count("ec2:route-table", len(p["route_table_ids"])) if p.get("route_table_ids") else "-")
        policy = {True: "default (full access)", False: "custom", None: "unknown (not read)"}[p.get("policy_is_default")]
        rows.append([e["region"], p.get("service_name") or "-", p.get("endpoint_type") or "-",
                     _vpc_name(inv, e["region"], p.get("vpc_id")), where, p.get("private_dns"), policy, p.get("state") or "-"])
    return rows


def transit_rows(inv: Inventory) -> list[list[Any]]:
    atts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for a in inv.nodes("ec2:transit-gateway-attachment"):
        atts[(a["region"], a["props"].get("tgw_id"))].append(a["props"])
    rtables: dict[tuple[str, str], int] = defaultdict(int)
    for r in inv.nodes("ec2:transit-gateway-route-table"):
        rtables[(r["region"], r["props"].get("tgw_id"))] += 1
    rows = []
    for t in inv.nodes("ec2:transit-gateway"):
        p = t["props"]
        key = (t["region"], p.get("tgw_id"))
        att_text = ", ".join(f"{a.get('resource_type')} {a.get('resource_id')} ({a.get('state')})"
                             for a in atts.get(key, [])) or "none"
        rows.append([t["region"], naming.node_label(t), p.get("asn") or "-", att_text,
                     rtables.get(key, 0), p.get("state") or "-"])
    return rows


def tgw_route_table_rows(inv: Inventory) -> list[list[Any]]:
    """TGW route tables: which attachments use each table and where its routes lead."""
    att_res = {(a["region"], a["props"].get("attachment_id")): a["props"]
               for a in inv.nodes("ec2:transit-gateway-attachment")}

    def att_text(region: str, aid: str | None) -> str:
        a = att_res.get((region, aid))
        return f"{a.get('resource_type')} {a.get('resource_id')}" if a else (aid or "-")

    rows = []
    for t in inv.nodes("ec2:transit-gateway-route-table"):
        p = t["props"]
        assocs = p.get("associations")
        routes = p.get("routes")
        route_text = "not readable" if routes is None else ("; ".join(
            f"{r.get('dest')} → {att_text(t['region'], r.get('target')) if r.get('target') else 'blackhole'}"
            f" ({r.get('route_type') or '-'})" for r in routes) or "no routes")
        rows.append([t["region"], naming.node_label(t), p.get("tgw_id") or "-",
                     "not readable" if assocs is None else (", ".join(att_text(t["region"], a) for a in assocs)
                                                           or "none"),
                     route_text])
    return rows


def vpn_rows(inv: Inventory) -> list[list[Any]]:
    cgws = _by_id(inv, "ec2:customer-gateway", "cgw_id")
    rows = []
    for c in inv.nodes("ec2:vpn-connection"):
        p = c["props"]
        cgw = cgws.get((c["region"], p.get("cgw_id")))
        peer = f"{naming.node_label(cgw)}, {cgw['props'].get('ip_address')}, ASN " \
               f"{cgw['props'].get('bgp_asn')}" if cgw else (p.get("cgw_id") or "-")
        aws_end = p.get("tgw_id") or p.get("vgw_id") or "-"
        routing = {True: "static", False: "BGP", None: "unknown (not reported)"}[p.get("static_routes_only")]
        tunnels = f"{p.get('tunnels_up', 0)} of {p.get('tunnels', 0)} up" if p.get("tunnels") else \
            "unknown (no tunnel telemetry reported)"
        rows.append([c["region"], naming.node_label(c), aws_end, peer, routing, tunnels,
                     p.get("state") or "-"])
    return rows


def dx_rows(inv: Inventory) -> list[list[Any]]:
    return [[v["region"], naming.node_label(v), v["props"].get("type") or "-",
             v["props"].get("vlan") or "-", v["props"].get("vgw_id") or v["props"].get("dxgw_id") or "-",
             v["props"].get("state") or "-"] for v in inv.nodes("directconnect:virtual-interface")]


def eip_rows(inv: Inventory) -> list[list[Any]]:
    nat_by_alloc = {a: n for n in inv.nodes("ec2:nat-gateway") for a in n["props"].get("allocation_ids") or []}
    rows = []
    for e in inv.nodes("ec2:elastic-ip"):
        p = e["props"]
        nat = nat_by_alloc.get(p.get("allocation_id"))
        if nat:
            used = f"NAT gateway {naming.node_label(nat)}"
        elif p.get("instance_id"):
            used = f"instance {p['instance_id']}"
        elif p.get("eni_id"):
            used = f"network interface {p['eni_id']}"
        else:
            used = "not associated (idle, still billed)"
        # an unnamed EIP's node is named by its IP, which the row shows already
        alloc = naming.short_id(e["id"]) if e["name"] == p.get("public_ip") else naming.node_label(e)
        rows.append([e["region"], p.get("public_ip") or "-", alloc, used])
    return rows


def public_interface_rows(inv: Inventory) -> list[list[Any]]:
    """Network interfaces holding a public IPv4 (or any IPv6) address, NAT gateways' own excepted."""
    subnet_names = _subnet_names(inv)
    names = _names(inv, ("ec2:security-group", "group_id"))
    rows = []
    for e in inv.nodes("ec2:network-interface"):
        p = e["props"]
        if p.get("interface_type") == "nat_gateway" or not (p.get("public_ip") or p.get("ipv6_ips")):
            continue
        addrs = [a for a in [p.get("public_ip"), *(p.get("ipv6_ips") or [])] if a]
        rows.append([e["region"], naming.node_label(e), p.get("interface_type") or "-",
                     p.get("attached_to") or "not attached",
                     subnet_names.get((e["region"], p.get("subnet_id")), p.get("subnet_id") or "-"),
                     ", ".join(addrs), ", ".join(names.get(g, g) for g in p.get("security_group_ids") or []) or "-"])
    return rows


# --- the 2.3 summary --------------------------------------------------------------------------
#: what 2.3 counts, in the order it names them (names and collectors come from the kind specs)
CONNECTIVITY_KINDS: tuple[tuple[str, str], ...] = (
    ("igw", "ec2:internet-gateway"), ("nat", "ec2:nat-gateway"), ("eigw", "ec2:egress-only-internet-gateway"),
    ("endpoints", "ec2:vpc-endpoint"), ("tgw", "ec2:transit-gateway"), ("vpn", "ec2:vpn-connection"),
    ("dx", "directconnect:virtual-interface"), ("peering", "ec2:vpc-peering"), ("eip", "ec2:elastic-ip"),
)


def connectivity_summary(inv: Inventory) -> dict[str, int]:
    return {key: len(inv.nodes(kind)) for key, kind in CONNECTIVITY_KINDS}


def connectivity_sentence(inv: Inventory) -> str:
    """"1 internet gateway, 2 NAT gateways, ...; none of: ..."; a kind whose read was refused says so, not 0."""
    found, absent, unreadable = [], [], []
    for _, kind in CONNECTIVITY_KINDS:
        n = len(inv.nodes(kind))
        blocked_read = bool(status.blocked_runs(inv.meta.get("runs", []), collectors=kinds.spec(kind).collectors))
        if blocked_read and not n:
            unreadable.append(kinds.plural(kind))
        elif n:
            found.append(kinds.count(kind, n) + (" (partly readable)" if blocked_read else ""))
        else:
            absent.append(kinds.plural(kind))
    parts = []
    if found:
        parts.append(", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0])
    if absent:
        parts.append("no " + ", ".join(absent[:-1]) + (" or " if len(absent) > 1 else "") + absent[-1])
    if unreadable:
        parts.append(", ".join(f"{u} not readable" for u in unreadable))
    return "; ".join(parts)

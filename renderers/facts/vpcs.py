"""Facts for sections 2.1 (VPC design) and 2.2 (subnet architecture), and the VPC / subnet
lookups the other network facts (connectivity, network_security) share.

Pure functions of the Inventory: they return rows and short strings; the templates only lay them
out (and the environment escapes every value). The underscore helpers are shared inside the
facts package only (raw id -> name lookups), not meant for templates.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from typing import Any

from renderers.document import yesno
from renderers.facts import _lookup as lookup
from renderers.plural import count_of
from scanner import kinds, naming, status
from scanner.fact import Fact
from scanner.inventory import Inventory

ANYWHERE = ("0.0.0.0/0", "::/0")


# --- lookups shared by the network facts ------------------------------------------------------
def _vpc_name(inv: Inventory, region: str | None, vpc_id: str | None) -> str:
    """What a reader calls a VPC given its raw id (its node's name; the id when not scanned)."""
    if not vpc_id:
        return "-"
    node = _vpcs(inv).get((region, vpc_id)) or lookup.id_fallback(inv, "ec2:vpc", "vpc_id").get(vpc_id)
    return naming.node_name(node, vpc_id) if node else str(vpc_id)


def _vpcs(inv: Inventory) -> dict[tuple[str, str], dict[str, Any]]:
    return _by_id(inv, "ec2:vpc", "vpc_id")


def subnet_public(inv: Inventory, subnet_id: str | None) -> Fact:
    """THE public/private classification of a subnet: its judged ``public`` fact (scanner/judge/)."""
    f = inv.fact(subnet_id, "public") if subnet_id else None
    return f if f is not None else Fact.from_dict(None)


def _by_id(inv: Inventory, kind: str, prop: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(region, raw id) -> node, once per render (renderers/facts/_lookup.py). Read-only."""
    return lookup.by_region_id(inv, kind, prop)


def _subnet_names(inv: Inventory) -> dict[tuple[str, str], str]:
    return {(s["region"], s["props"].get("subnet_id")): naming.node_name(s) for s in inv.nodes("ec2:subnet")}


def _names(inv: Inventory, *kinds_props: tuple[str, str], how: Any = naming.node_name) -> dict[str, str]:
    """Raw id -> the node's name (or ``how=naming.node_label``) for several kinds, to name route
    targets and rule peers that AWS gives by raw id."""
    out = {}
    for kind, prop in kinds_props:
        for n in inv.nodes(kind):
            rid = n["props"].get(prop)
            if rid:
                out[rid] = how(n)
    return out


def unused_default_vpcs(inv: Inventory) -> set[tuple[str, str]]:
    """(region, vpc id) of default VPCs nothing runs in (2.2 folds them into one line)."""
    used = {dst for _, dst, _ in inv.edges("in_subnet")}
    busy = {(s["region"], s["props"].get("vpc_id")) for s in inv.nodes("ec2:subnet") if s["id"] in used}
    return {(v["region"], v["props"].get("vpc_id")) for v in inv.nodes("ec2:vpc")
            if v["props"].get("is_default") and (v["region"], v["props"].get("vpc_id")) not in busy}


# --- 2.1 VPC design ---------------------------------------------------------------------------
def _flow_logged(inv: Inventory) -> set[tuple[str, str]]:
    return {(f["region"], f["props"].get("resource_id")) for f in inv.nodes("ec2:flow-log")
            if (f["props"].get("status") or "ACTIVE") == "ACTIVE"}


def vpc_rows(inv: Inventory) -> list[list[Any]]:
    """Region, VPC, CIDRs (IPv4 and IPv6), default, tenancy, subnets, AZs, flow logs."""
    subnets: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in inv.nodes("ec2:subnet"):
        subnets[(s["region"], s["props"].get("vpc_id"))].append(s["props"])
    logged = _flow_logged(inv)
    flow_blocked = status.blocked_runs(inv.meta.get("runs", []), collectors=("ec2.flow_logs",))
    rows = []
    for v in inv.nodes("ec2:vpc"):
        p = v["props"]
        subs = subnets.get((v["region"], p.get("vpc_id")), [])
        cidrs = list(p.get("cidrs") or ([p["cidr"]] if p.get("cidr") else []))
        subnet_logged = any((v["region"], s.get("subnet_id")) in logged for s in subs)
        if (v["region"], p.get("vpc_id")) in logged:
            flow = "yes"
        elif subnet_logged:
            flow = "some subnets"
        else:
            refused = [r for r in flow_blocked if r.get("region") == v["region"]]
            flow = f"unknown ({refused[0].get('action') or 'ec2.flow_logs'}: {refused[0].get('message') or 'not read'})" \
                if refused else "no"
        rows.append([v["region"], naming.node_label(v), ", ".join(cidrs) or "-",
                     ", ".join(p.get("ipv6_cidrs") or []) or "-", p.get("is_default"),
                     p.get("instance_tenancy") or "-", len(subs),
                     ", ".join(sorted({s["az"] for s in subs if s.get("az")})) or "-", flow])
    return rows


def vpc_summary(inv: Inventory) -> dict[str, Any]:
    vpcs = inv.nodes("ec2:vpc")
    custom = [v for v in vpcs if not v["props"].get("is_default")]
    return {"total": len(vpcs), "custom": len(custom), "default": len(vpcs) - len(custom),
            "regions": sorted({v["region"] for v in vpcs}),
            "ipv6": sum(1 for v in vpcs if v["props"].get("ipv6_cidrs"))}


def _vpc_label(inv: Inventory, region: str | None, vpc_id: str | None, account: str | None = None) -> str:
    v = (lookup.first_by_id(inv, "ec2:vpc", "vpc_id").get(vpc_id) if region is None
         else lookup.first_by_region_id(inv, "ec2:vpc", "vpc_id").get((region, vpc_id)))
    if v is not None:
        return f"{naming.node_label(v)} in {v['region']}"
    where = f" in {region}" if region else ""
    acct = f" (account {account})" if account and account != inv.meta.get("account") else ""
    return f"{vpc_id}{where}{acct}"


def vpc_connections(inv: Inventory) -> list[str]:
    """Peering and transit-gateway links between VPCs, one sentence each."""
    lines = []
    for p in inv.nodes("ec2:vpc-peering"):
        pp = p["props"]
        lines.append(f"Peering {naming.node_label(p)} joins "
                     f"{_vpc_label(inv, pp.get('requester_region'), pp.get('requester_vpc'), pp.get('requester_owner'))} "
                     f"({pp.get('requester_cidr') or '?'}) and "
                     f"{_vpc_label(inv, pp.get('accepter_region'), pp.get('accepter_vpc'), pp.get('accepter_owner'))} "
                     f"({pp.get('accepter_cidr') or '?'}); status {pp.get('status') or 'unknown'}.")
    by_tgw: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for a in inv.nodes("ec2:transit-gateway-attachment"):
        by_tgw[(a["region"], a["props"].get("tgw_id"))].append(a["props"])
    tgws = _by_id(inv, "ec2:transit-gateway", "tgw_id")
    for (region, tgw_id), atts in sorted(by_tgw.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        tgw = tgws.get((region, tgw_id))
        vpcs = [_vpc_label(inv, region, a.get("resource_id"), a.get("resource_owner"))
                for a in atts if a.get("resource_type") == "vpc"]
        others = [f"{a.get('resource_type')} {a.get('resource_id')}" for a in atts if a.get("resource_type") != "vpc"]
        parts = []
        if vpcs:
            parts.append(f"{kinds.count('ec2:vpc', len(vpcs))}: " + ", ".join(vpcs))
        if others:
            parts.append(", ".join(others))
        lines.append(f"Transit gateway {naming.node_label(tgw) if tgw else tgw_id} in {region} connects "
                     + "; ".join(parts) + ".")
    return lines


# --- 2.2 subnet architecture ------------------------------------------------------------------
def effective_route_tables(inv: Inventory) -> dict[str, dict[str, Any]]:
    """Subnet graph id -> the route table it uses: the derived ``route_table_id``, else its
    explicit association, else its VPC's main table (for snapshots the derive pass did not see)."""
    by_id = _by_id(inv, "ec2:route-table", "route_table_id")
    explicit: dict[tuple[str, str], dict[str, Any]] = {}
    main: dict[tuple[str, str], dict[str, Any]] = {}
    for rt in by_id.values():
        for sid in rt["props"].get("subnet_ids") or []:
            explicit[(rt["region"], sid)] = rt
        if rt["props"].get("main"):
            main[(rt["region"], rt["props"].get("vpc_id"))] = rt
    out = {}
    for s in inv.nodes("ec2:subnet"):
        key = (s["region"], s["props"].get("subnet_id"))
        rt = by_id.get((s["region"], s["props"].get("route_table_id"))) or explicit.get(key) \
            or main.get((s["region"], s["props"].get("vpc_id")))
        if rt:
            out[s["id"]] = rt
    return out


def subnet_tier(public: Fact | dict[str, Any] | None, rt: dict[str, Any] | None, why: bool = True) -> str:
    """public / private (NAT) / private (routed) / private (isolated), or ``unknown (why)``.

    Public or private is the subnet's judged ``public`` fact (:func:`subnet_public`), never decided
    again here; the route table only says which kind of private: "routed" means the default route
    leads to a transit gateway, VPN gateway or peering (egress through another network);
    "isolated" has no default route. ``why=False`` gives the bare word "unknown" (for counts).
    """
    f = public if isinstance(public, Fact) else Fact.from_dict(public)
    if f.unknown:
        return f.text() if why else "unknown"
    if f.yes:
        return "public"
    if rt is None:
        return "private"
    targets = {r.get("target_type") for r in rt["props"].get("routes") or []
               if r.get("dest") in ANYWHERE and r.get("state") != "blackhole"} - {"igw"}
    if "nat" in targets or "instance" in targets or "eni" in targets:
        return "private (NAT)"
    if "tgw" in targets or "vgw" in targets or "pcx" in targets:
        return "private (routed)"
    if targets - {"eigw"}:
        return "private"
    return "private (isolated)" if not targets else "private (IPv6 egress only)"


_AZ_SUFFIX = re.compile(r"^(.+?)[-_ ]?(?:[a-z]{2}(?:-gov)?-[a-z]+-\d[a-z]|az\d|\d?[a-f]|\d)$", re.IGNORECASE)


def name_group(name: str, subnet_id: str) -> str | None:
    """A subnet's name without its AZ suffix (``app-a`` -> ``app``); None for unnamed subnets."""
    if not name or name == subnet_id:
        return None
    m = _AZ_SUFFIX.match(name)
    return m.group(1).rstrip("-_ ") if m else name


def _usable_ips(cidr: str | None) -> int | None:
    try:
        return ipaddress.ip_network(cidr or "", strict=False).num_addresses - 5
    except ValueError:
        return None


def subnet_groups(inv: Inventory) -> list[dict[str, Any]]:
    """Per VPC: its subnets (AZ, CIDR, tier, route table, free IPs) and a sentence on the layout.

    Default VPCs nobody uses are folded into one line, so an account with a
    default VPC in every region does not bury its real network.
    """
    rts = effective_route_tables(inv)
    used = {dst for _, dst, d in inv.edges("in_subnet")}
    by_vpc: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in inv.nodes("ec2:subnet"):
        by_vpc[(s["region"], s["props"].get("vpc_id"))].append(s)
    groups = []
    for v in inv.nodes("ec2:vpc"):
        vp = v["props"]
        subs = sorted(by_vpc.get((v["region"], vp.get("vpc_id")), []),
                      key=lambda s: (str(s["props"].get("az")), str(s["props"].get("cidr"))))
        in_use = any(s["id"] in used for s in subs)
        rows, tiers = [], []
        for s in subs:
            sp = s["props"]
            rt = rts.get(s["id"])
            public = subnet_public(inv, s["id"])
            tier = subnet_tier(public, rt)
            tiers.append((sp.get("az"), s.get("tags", {}).get("Tier") or name_group(s["name"], sp.get("subnet_id")),
                          subnet_tier(public, rt, why=False)))
            rt_text = naming.node_label(rt) if rt else (public.text() if public.unknown else "-")
            if rt and sp.get("route_table_implicit"):
                rt_text += " (main)"
            total = _usable_ips(sp.get("cidr"))
            free = sp.get("available_ips")
            rows.append([naming.node_label(s), sp.get("az") or "-", sp.get("cidr") or "-",
                         ", ".join(sp.get("ipv6_cidrs") or []) or "-", tier, rt_text,
                         f"{free} of {total}" if free is not None and total else (free if free is not None else "-"),
                         yesno(sp.get("map_public_ip"))])
        groups.append({"vpc": naming.node_label(v), "region": v["region"],
                       "is_default": bool(vp.get("is_default")), "in_use": in_use, "count": len(subs),
                       "rows": rows, "layout": layout_sentence(tiers),
                       "folded": bool(vp.get("is_default")) and not in_use})
    return groups


def layout_sentence(tiers: list[tuple[str | None, str | None, str]]) -> str:
    """"2 AZs x 3 tiers (public, app, data)" from (az, named tier, routed tier) per subnet."""
    if not tiers:
        return "no subnets"
    azs = sorted({az for az, _, _ in tiers if az})
    named = [n for _, n, _ in tiers]
    if all(named):
        names = list(dict.fromkeys(n for n in named if n))
        source = "inferred from subnet names and Tier tags"
    else:
        names = list(dict.fromkeys(t for _, _, t in tiers))
        source = "by routing"
    cells = {(az, n if all(named) else t) for az, n, t in tiers}
    full = len(cells) == len(azs) * len(names) == len(tiers)
    grid = f"{count_of(azs, 'AZ', zero='0')} x {count_of(names, 'tier', zero='0')} ({', '.join(names)}; {source})"
    if full:
        return f"{grid}, one subnet per tier in each AZ"
    return f"{len(tiers)} subnets over {grid}"


def tier_counts(inv: Inventory) -> dict[str, int]:
    """Subnets per tier; those whose public/private fact is unknown count as "unknown"
    (:func:`tier_unknown_why` says why)."""
    rts = effective_route_tables(inv)
    counts: dict[str, int] = defaultdict(int)
    for s in inv.nodes("ec2:subnet"):
        counts[subnet_tier(subnet_public(inv, s["id"]), rts.get(s["id"]), why=False)] += 1
    return dict(sorted(counts.items()))


def tier_unknown_why(inv: Inventory) -> str:
    """Why some subnets' public/private is unknown (their facts' reasons, once each)."""
    whys = [f.why for s in inv.nodes("ec2:subnet") if (f := subnet_public(inv, s["id"])).unknown]
    return "; ".join(dict.fromkeys(w for w in whys if w)) or ("not read" if whys else "")

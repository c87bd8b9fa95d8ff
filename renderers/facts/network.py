"""Facts for sections 2.1-2.3 (VPCs, subnets, connectivity) and 5.2 (network security).

Pure functions of the Inventory: they return rows and short strings; the
templates only lay them out (and the environment escapes every value).
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


# --- small helpers -----------------------------------------------------------------
def _vpc_name(inv: Inventory, region: str | None, vpc_id: str | None) -> str:
    """What a reader calls a VPC given its raw id (its node's name; the id when not scanned)."""
    if not vpc_id:
        return "-"
    node = _vpcs(inv).get((region, vpc_id)) or lookup.id_fallback(inv, "ec2:vpc", "vpc_id").get(vpc_id)
    return naming.node_name(node, vpc_id) if node else str(vpc_id)


def _vpcs(inv: Inventory) -> dict[tuple[str, str], dict[str, Any]]:
    return _by_id(inv, "ec2:vpc", "vpc_id")


def services(*subsections: str, of_kinds: tuple[str, ...] = ()) -> list[str]:
    """The services behind some subsections (and kinds), from the kind specs (for ``h.gaps``)."""
    return sorted({s for sub in subsections for s in kinds.services_for(sub)} | set(services_of_kinds(*of_kinds)))


def services_of_kinds(*kind_names: str) -> list[str]:
    """The services whose collectors feed some kinds (from their specs)."""
    return sorted({c.split(".", 1)[0] for k in kind_names for c in kinds.spec(k).collectors})


def blocked_services(inv: Inventory, *subsections: str, of_kinds: tuple[str, ...] = ()) -> list[str]:
    """The services of the collectors feeding some subsections (or kinds) that could not read:
    what ``h.nothing`` needs to say "could not be listed" rather than "none found"."""
    colls = {c for sub in subsections for c in kinds.collectors_for(sub)}
    colls |= {c for k in of_kinds for c in kinds.spec(k).collectors}
    return sorted({str(r.get("service")) for r in status.blocked_runs(inv.meta.get("runs", []), collectors=colls)})


def subnet_public(inv: Inventory, subnet_id: str | None) -> Fact:
    """THE public/private classification of a subnet: its judged ``public`` fact (scanner/judge/)."""
    f = inv.fact(subnet_id, "public") if subnet_id else None
    return f if f is not None else Fact.from_dict(None)


def _by_id(inv: Inventory, kind: str, prop: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(region, raw id) -> node, once per render (renderers/facts/_lookup.py). Read-only."""
    return lookup.by_region_id(inv, kind, prop)


def port_text(protocol: str | None, from_port: Any, to_port: Any) -> str:
    """``tcp/443``, ``tcp/1024-65535``, ``udp/all``, ``icmp/8`` or ``all traffic``."""
    proto = str(protocol or "-1")
    if proto == "-1":
        return "all traffic"
    if proto in ("icmp", "icmpv6"):
        return proto if from_port in (None, -1) else f"{proto}/type {from_port}"
    if from_port in (None, -1) or (from_port == 0 and to_port == 65535):
        return f"{proto}/all"
    if to_port is None or from_port == to_port:
        return f"{proto}/{from_port}"
    return f"{proto}/{from_port}-{to_port}"


def peer_text(rule: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The other end of a rule: a CIDR, a prefix list or a security group (``names``: raw id -> its
    :func:`naming.node_label`, where the scan saw it)."""
    names = names or {}
    if rule.get("cidr") or rule.get("ipv6_cidr"):
        return str(rule.get("cidr") or rule.get("ipv6_cidr"))
    if rule.get("prefix_list"):
        pl = rule["prefix_list"]
        return f"prefix list {names.get(pl) or pl}"
    if rule.get("group_id"):
        gid = rule["group_id"]
        owner = rule.get("group_owner")
        text = f"SG {names.get(gid) or gid}"
        return f"{text} in account {owner}" if owner and gid not in names else text
    return "?"


def rule_text(rule: dict[str, Any], names: dict[str, str] | None = None, direction: str = "from") -> str:
    """One rule as a reader says it: ``tcp/443 from 0.0.0.0/0``."""
    return f"{port_text(rule.get('protocol'), rule.get('from_port'), rule.get('to_port'))} {direction} " \
           f"{peer_text(rule, names)}"


def is_open_egress(rules: list[dict[str, Any]] | None) -> bool:
    """The AWS default egress: all traffic to 0.0.0.0/0 (and perhaps ::/0), nothing else."""
    rules = rules or []
    return bool(rules) and all(r.get("protocol") == "-1" and (r.get("cidr") or r.get("ipv6_cidr")) in ANYWHERE
                               for r in rules)


def gaps(inv: Inventory, subsection: str) -> list[dict[str, Any]]:
    """What the scan could not see that matters to one subsection (runs denied/failed, partial reads);
    which collectors and IAM actions feed a subsection comes from the kind specs."""
    colls = kinds.collectors_for(subsection)
    out = []
    for r in sorted(status.blocked_runs(inv.meta.get("runs", []), collectors=colls),
                    key=lambda r: (r.get("collector", ""), r.get("region", ""))):
        out.append({"seen": "Not seen", "what": r["collector"], "region": r.get("region"),
                    "reason": _run_reason(r),
                    # "missing permission" is said of a denial only: a failed read names its call in the reason
                    "action": r.get("action") if r.get("status") == status.DENIED else None})
    for g in inv.meta.get("gaps", []):
        if _gap_in(g, subsection):
            out.append({"seen": "Partly seen", "what": g.get("resource") or g.get("service"),
                        "region": g.get("region"), "reason": g.get("reason"), "action": g.get("action")})
    return out


def _run_reason(run: dict[str, Any]) -> str:
    """Why a run could not read, naming the failed call when it was not a denial."""
    reason = str(run.get("message") or run.get("status"))
    if run.get("status") == status.FAILED and run.get("action"):
        return f"{run['action']} failed: {reason}"
    return reason


def _gap_in(gap: dict[str, Any], subsection: str) -> bool:
    """A partial read belongs to every subsection stating a kind read with its IAM action
    (a NACL read to 2.2 and 5.2), else to the home subsection of its service."""
    action = gap.get("action") or ""
    if any(action in kinds.actions(k) for k in kinds.in_section(subsection)):
        return True
    if any(action in kinds.actions(k) for k in kinds.SPECS):
        return False
    return kinds.section_of_action(action, gap.get("service") or "") == subsection


def collector_blocked(inv: Inventory, collector: str) -> bool:
    return bool(status.blocked_runs(inv.meta.get("runs", []), collectors=(collector,)))


# --- 2.1 VPC design ---------------------------------------------------------------------
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


# --- 2.2 subnet architecture -------------------------------------------------------------
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


# --- 2.3 internet connectivity ---------------------------------------------------------
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


# --- 5.2 network security ------------------------------------------------------------------
def _sg_names(inv: Inventory) -> dict[str, str]:
    """Raw SG / prefix list id -> its label, to name rule peers."""
    return _names(inv, ("ec2:security-group", "group_id"), ("ec2:prefix-list", "prefix_list_id"), how=naming.node_label)


def sg_users(inv: Inventory, sg_id: str) -> int:
    """Resources using a group; an ENI counts only when it stands alone (else its owner is counted)."""
    return sum(1 for n in inv.into(sg_id, "protected_by")
               if n.get("kind") != "ec2:network-interface" or not n["props"].get("attached_to"))


def security_group_rows(inv: Inventory, default: bool = False) -> list[list[Any]]:
    """Security groups (non-default, or the VPC default ones) with rules as ``tcp/443 from 0.0.0.0/0``."""
    names = _sg_names(inv)
    rows = []
    for g in inv.nodes("ec2:security-group"):
        p = g["props"]
        if bool(p.get("is_default")) != default:
            continue
        users = sg_users(inv, g["id"])
        ingress = list(dict.fromkeys(rule_text(r, names) for r in p.get("ingress") or []))
        egress_rules = p.get("egress") or []
        egress = "all traffic to anywhere" if is_open_egress(egress_rules) else (
            "; ".join(dict.fromkeys(rule_text(r, names, "to") for r in egress_rules)) or "none")
        rows.append([g["region"], naming.node_label(g), _vpc_name(inv, g["region"], p.get("vpc_id")),
                     "; ".join(ingress) or "none", egress, users])
    return rows


def sg_references(inv: Inventory) -> list[str]:
    """"alb-sg → app-sg on tcp/8080": which groups admit which (the tiers' trust chain)."""
    names = _sg_names(inv)
    lines = []
    for g in inv.nodes("ec2:security-group"):
        p = g["props"]
        for r in p.get("ingress") or []:
            if r.get("group_id"):
                src = peer_text(r, names).removeprefix("SG ")
                lines.append(f"{src} → {naming.node_label(g)} on "
                             f"{port_text(r.get('protocol'), r.get('from_port'), r.get('to_port'))}")
    return list(dict.fromkeys(lines))


def is_default_nacl_entry(e: dict[str, Any]) -> bool:
    """The entries every NACL has: the final deny (32767) and the default NACL's allow-all (100/101)."""
    if e.get("rule") == 32767:
        return True
    return (e.get("rule") in (100, 101) and e.get("action") == "allow" and e.get("protocol") == "-1"
            and (e.get("cidr") or e.get("ipv6_cidr")) in ANYWHERE)


def nacl_entry_text(e: dict[str, Any]) -> str:
    peer = e.get("cidr") or e.get("ipv6_cidr") or "?"
    way = "to" if e.get("egress") else "from"
    return f"rule {e.get('rule')} {e.get('action')} {port_text(e.get('protocol'), e.get('from_port'), e.get('to_port'))} {way} {peer}"


def nacl_rows(inv: Inventory) -> list[list[Any]]:
    """NACLs that differ from the allow-all default, with their inbound and outbound entries."""
    subnet_names = _subnet_names(inv)
    rows = []
    for a in inv.nodes("ec2:network-acl"):
        p = a["props"]
        custom = [e for e in p.get("entries") or [] if not is_default_nacl_entry(e)]
        if not custom and p.get("is_default"):
            continue
        inbound = "; ".join(nacl_entry_text(e) for e in custom if not e.get("egress")) or "deny all"
        outbound = "; ".join(nacl_entry_text(e) for e in custom if e.get("egress")) or "deny all"
        rows.append([a["region"], naming.node_label(a), _vpc_name(inv, a["region"], p.get("vpc_id")),
                     ", ".join(sorted(subnet_names.get((a["region"], s), s) for s in p.get("subnet_ids") or []))
                     or "none",
                     inbound, outbound])
    return rows


def nacl_summary(inv: Inventory) -> dict[str, int]:
    nacls = inv.nodes("ec2:network-acl")
    return {"total": len(nacls), "default": sum(1 for n in nacls if n["props"].get("is_default")),
            "custom": len(nacl_rows(inv))}


def prefix_list_rows(inv: Inventory) -> list[list[Any]]:
    """Customer-managed prefix lists (the AWS-managed ones are service ranges, not design)."""
    return [[p["region"], naming.node_label(p),
             ", ".join(p["props"].get("cidrs") or []) if p["props"].get("cidrs") is not None else "not readable",
             len(inv.out(p["id"], "allows"))]
            for p in inv.nodes("ec2:prefix-list") if not p["props"].get("aws_managed")]


def sg_summary(inv: Inventory) -> dict[str, int]:
    sgs = inv.nodes("ec2:security-group")
    open_world = {dst for src, dst, _ in inv.edges("allows") if src == "internet"}
    return {"total": len(sgs), "default": sum(1 for g in sgs if g["props"].get("is_default")),
            "internet": len(open_world),
            "unused": sum(1 for g in sgs if not g["props"].get("is_default") and not sg_users(inv, g["id"]))}


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


def blocked(inv: Inventory, subsection: str) -> bool:
    """Was any collector feeding this subsection denied or failed (so "none found" would be a guess)?"""
    return bool(status.blocked_runs(inv.meta.get("runs", []), collectors=kinds.collectors_for(subsection)))

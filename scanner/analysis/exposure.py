"""Internet exposure as reachability, not as one setting.

A resource is exposed when traffic from the internet can actually reach it:

    Internet -> internet gateway -> route table (0.0.0.0/0 or ::/0 to that IGW) -> subnet
             -> network ACL (inbound allow not shadowed by a lower-numbered deny)
             -> security group (ingress from 0.0.0.0/0, ::/0 or a prefix list)
             -> resource with a public address (instance, ENI, publicly accessible RDS)

or through an internet-facing load balancer whose security group admits the
listener port and whose listeners forward (listener -> target group -> targets,
including the instances of ASGs attached to the target group).

Each check uses what the scan saw; where a link of the chain was not collected
(no route tables, no NACLs), the rule is the permissive AWS default for NACLs and
the subnet's derived ``public`` flag for routes, so a missing collector never
hides an exposure. The result, ``analysis.exposure[node_id]``, holds the paths
(node ids) and the ports, which rules and the security diagram use as evidence;
``via`` is "public-ip" when the resource is reachable directly (else
"load-balancer"), and ``by_via`` splits paths and ports by the way in. Entry points that are
public by design (CloudFront, API Gateway, Lambda function URLs) are added by
scanner/analysis/exposure_edge.py with their own ``via``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from scanner.analysis.exposure_edge import expose_edge
from scanner.analysis.model import Analysis
from scanner.analysis.netrules import (  # noqa: F401  (re-exported: rules and facts import them from here)
    ALL_V4,
    ALL_V6,
    INTERNET,
    PROTO_NAMES,
    _int,
    as_dicts,
    as_id,
    as_strs,
    covers,
    is_internet_source,
    port_label,
    port_range,
    proto,
    rule_source,
)
from scanner.fact import fact_of
from scanner.graph import gc_paused
from scanner.inventory import Inventory


def _edge_rules(inv: Inventory, sg: dict[str, Any]) -> list[dict[str, Any]]:
    """Ingress rules as ``allows`` edges state them (source node -> SG)."""
    out = []
    for src in inv.into(sg["id"], "allows"):
        e = src.get("edge", {})
        if e.get("direction", "ingress") != "ingress":
            continue
        r = {"protocol": e.get("protocol"), "from_port": e.get("from_port"), "to_port": e.get("to_port")}
        if src["id"] == INTERNET:
            cidr = as_id(e.get("cidr")) or as_id(e.get("ipv6_cidr")) or ALL_V4
            r["ipv6_cidr" if ":" in cidr else "cidr"] = cidr
        elif src.get("kind") == "ec2:prefix-list":
            r["prefix_list"] = src["id"].rsplit("/", 1)[-1]
        elif src.get("kind") == "ec2:security-group":
            r["group_id"] = src["id"].rsplit("/", 1)[-1]
        else:
            cidr = as_id(src.get("props", {}).get("cidr")) or src["id"].removeprefix("cidr:")
            r["ipv6_cidr" if ":" in cidr else "cidr"] = cidr
        out.append(r)
    return out


def sg_ingress(inv: Inventory, sg: dict[str, Any]) -> list[dict[str, Any]]:
    """Ingress rules of a security group: its ``ingress`` props, plus any ``allows`` edge the props
    do not already state (a graph built by other means may carry only one of the two)."""
    rules = as_dicts(sg.get("props", {}).get("ingress"))

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (proto(r.get("protocol")), port_range(r), rule_source(r))

    seen = {key(r) for r in rules}
    for r in _edge_rules(inv, sg):
        if key(r) not in seen:
            seen.add(key(r))
            rules.append(r)
    return rules


_PL_CACHE: dict[str, Any] = {}  # prefix lists of the inventory being analysed, by id


def prefix_list_is_internet(inv: Inventory, pl_id: str) -> bool:
    """A prefix list reaches the internet unless the scan saw its entries and none is "anywhere".

    CloudFront's origin-facing list stands for every viewer on the internet; a customer list of
    office ranges does not. An unseen list counts as internet, so a missing read hides nothing.
    """
    # holding the graph itself (not its id) means a later graph can never be mistaken for it
    if _PL_CACHE.get("graph") is not inv.graph or _PL_CACHE.get("size") != inv.graph.number_of_nodes():
        _PL_CACHE.clear()
        _PL_CACHE.update(graph=inv.graph, size=inv.graph.number_of_nodes(), lists={str(n["props"].get("prefix_list_id") or n["id"].rsplit("/", 1)[-1]): n
                                         for n in inv.nodes("ec2:prefix-list")})
    n = _PL_CACHE["lists"].get(pl_id)
    if n is not None:
        name = str(n["props"].get("name") or n.get("name") or "")
        cidrs = n["props"].get("cidrs")
        if "cloudfront" in name.lower() or not isinstance(cidrs, list):
            return True
        return any(c in (ALL_V4, ALL_V6) for c in cidrs)
    return True


def internet_ingress(inv: Inventory, sg: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in sg_ingress(inv, sg) if is_internet_source(r)
            and (not r.get("prefix_list") or prefix_list_is_internet(inv, str(r["prefix_list"])))]


def _is_public_range(cidr: str | None) -> bool:
    if not cidr:
        return False
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return net.prefixlen == 0 or not net.is_private


def nacl_allows(entries: list[dict[str, Any]] | None, protocol: str, lo: int, hi: int, v6: bool) -> bool:
    """Does the NACL admit internet traffic on some port in [lo, hi]?

    Inbound entries are evaluated in rule-number order per port; an allow is
    shadowed by a lower-numbered deny of the whole internet. Unknown entries
    (NACLs not collected) count as AWS's default NACL, which allows all.
    """
    if entries is None:
        return True
    inbound = sorted((e for e in as_dicts(entries) if not e.get("egress")),
                     key=lambda e: _int(e.get("rule")) or 0)
    fam = [e for e in inbound if (bool(e.get("ipv6_cidr")) == v6)]
    candidates = {lo, hi}
    for e in fam:
        a, b = port_range(e)
        candidates.update(p for p in (a, b, a - 1, b + 1) if lo <= p <= hi)
    for port in sorted(candidates):
        for e in fam:
            if (_int(e.get("rule")) or 0) >= 32767 or not covers(e, protocol, port):
                continue
            cidr = e.get("ipv6_cidr") if v6 else e.get("cidr")
            if str(e.get("action", "")).lower() == "deny":
                if cidr in (ALL_V4, ALL_V6):
                    break  # this port is denied for the whole internet
                continue
            if _is_public_range(cidr):
                return True
    return False


# --- graph lookups --------------------------------------------------------------
@dataclass
class Route:
    """How a subnet reaches the internet: the path prefix and the families routed."""

    path: list[str]
    v4: bool
    v6: bool
    #: why the route is only assumed: the subnet's route to the internet could not be read
    unknown: str = ""


class Net:
    """Indexes over the network part of the graph, built once per analysis."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.subnets = {as_id(n["props"].get("subnet_id")) or n["id"].rsplit("/", 1)[-1]: n
                        for n in inv.nodes("ec2:subnet")}
        self.sgs = {as_id(n["props"].get("group_id")) or n["id"].rsplit("/", 1)[-1]: n
                    for n in inv.nodes("ec2:security-group")}
        self.route_tables = inv.nodes("ec2:route-table")
        self.nacls = inv.nodes("ec2:network-acl")
        self.igws = {as_id(n["props"].get("igw_id")) or n["id"].rsplit("/", 1)[-1]: n
                     for n in inv.nodes("ec2:internet-gateway")}
        self._routes: dict[str, Route | None] = {}
        self._nacls: dict[str, dict[str, Any] | None] = {}

    def subnet(self, ref: Any) -> dict[str, Any] | None:
        if not isinstance(ref, str) or not ref:
            return None
        return self.subnets.get(ref.rsplit("/", 1)[-1])

    def sg(self, ref: Any) -> dict[str, Any] | None:
        if not isinstance(ref, str) or not ref:
            return None
        return self.sgs.get(ref.rsplit("/", 1)[-1])

    def route_table(self, subnet: dict[str, Any]) -> dict[str, Any] | None:
        """The subnet's explicit route table, else its VPC's main table."""
        sid = subnet["props"].get("subnet_id")
        for rt in self.inv.into(subnet["id"], "associated_with", "ec2:route-table"):
            return rt
        for rt in self.route_tables:
            if sid and sid in as_strs(rt["props"].get("subnet_ids")):
                return rt
        vpc = subnet["props"].get("vpc_id")
        for rt in self.route_tables:
            if rt["props"].get("main") and rt["props"].get("vpc_id") == vpc:
                return rt
        return None

    def nacl(self, subnet: dict[str, Any]) -> dict[str, Any] | None:
        if subnet["id"] not in self._nacls:
            self._nacls[subnet["id"]] = self._find_nacl(subnet)
        return self._nacls[subnet["id"]]

    def _find_nacl(self, subnet: dict[str, Any]) -> dict[str, Any] | None:
        sid = subnet["props"].get("subnet_id")
        for n in self.inv.into(subnet["id"], "associated_with", "ec2:network-acl"):
            return n
        for n in self.nacls:
            if sid and sid in as_strs(n["props"].get("subnet_ids")):
                return n
        return None

    def internet_route(self, subnet: dict[str, Any]) -> Route | None:
        """Internet -> IGW -> route table -> subnet, or None when the subnet is private."""
        if subnet["id"] in self._routes:
            return self._routes[subnet["id"]]
        rt = self.route_table(subnet)
        result: Route | None = None
        if rt is not None and rt["props"].get("routes") is not None:
            v4 = v6 = False
            igw_id = None
            for r in as_dicts(rt["props"].get("routes")):
                target = str(r.get("target") or "")
                is_igw = r.get("target_type") == "igw" or target.startswith("igw-")
                if not is_igw or str(r.get("state", "active")).lower() == "blackhole":
                    continue
                if r.get("dest") == ALL_V4:
                    v4, igw_id = True, target
                elif r.get("dest") == ALL_V6:
                    v6, igw_id = True, target
            if v4 or v6:
                igw = self.igws.get(str(igw_id))
                hop = igw["id"] if igw else f"igw:{igw_id}"
                result = Route(path=[INTERNET, hop, rt["id"], subnet["id"]], v4=v4, v6=v6)
        elif subnet["props"].get("public"):
            result = Route(path=[INTERNET, subnet["id"]], v4=True, v6=bool(subnet["props"].get("ipv6_cidrs")))
        elif (f := fact_of(subnet, "public")) is not None and f.unknown:
            # the route could not be read: what the SGs and NACL admit is exposure *if* the subnet
            # is public, which is unknown, never "not exposed"
            result = Route(path=[INTERNET, subnet["id"]], v4=True, v6=bool(subnet["props"].get("ipv6_cidrs")),
                           unknown=f.why or "the subnet's route to the internet was not read")
        self._routes[subnet["id"]] = result
        return result

    def sgs_of(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        found = {n["id"]: n for n in self.inv.out(node["id"], "protected_by", "ec2:security-group")}
        for gid in as_strs(node["props"].get("security_group_ids")):
            sg = self.sg(gid)
            if sg:
                found.setdefault(sg["id"], sg)
        return list(found.values())

    def subnets_of(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        found = {n["id"]: n for n in self.inv.out(node["id"], "in_subnet", "ec2:subnet")}
        p = node["props"]
        for sid in [p.get("subnet_id"), *as_strs(p.get("subnet_ids"))]:
            sn = self.subnet(sid)
            if sn:
                found.setdefault(sn["id"], sn)
        return list(found.values())


# --- reachability ---------------------------------------------------------------
def open_ports(net: Net, subnet: dict[str, Any], route: Route, sgs: list[dict[str, Any]],
               only: tuple[str, int] | None = None) -> tuple[list[str], list[str]]:
    """Ports the internet reaches through the NACL and SGs, and the SG ids that admit them."""
    nacl = net.nacl(subnet)
    entries = nacl["props"].get("entries") if nacl else None
    ports: list[str] = []
    via_sgs: list[str] = []
    for sg in sgs:
        for r in internet_ingress(net.inv, sg):
            v6 = r.get("ipv6_cidr") == ALL_V6
            if (v6 and not route.v6) or (not v6 and not route.v4 and not r.get("prefix_list")):
                continue
            p = proto(r.get("protocol"))
            lo, hi = port_range(r)
            if only is not None:
                if not covers(r, only[0], only[1]):
                    continue
                p, lo, hi = only[0], only[1], only[1]
            if not nacl_allows(entries, p if p != "all" else "tcp", lo, hi, v6) and not (
                    p == "all" and nacl_allows(entries, "udp", lo, hi, v6)):
                continue
            label = f"{p}/{lo}" if only is not None else port_label(r)
            if label not in ports:
                ports.append(label)
            if sg["id"] not in via_sgs:
                via_sgs.append(sg["id"])
    return ports, via_sgs


def _path(route: Route, nacl: dict[str, Any] | None, sgs: list[str], node_id: str) -> list[str]:
    return [*route.path, *([nacl["id"]] if nacl else []), *sgs, node_id]


def _record(exposure: dict[str, dict[str, Any]], node_id: str, path: list[str], ports: list[str],
            via: str, unknown: str = "") -> None:
    """Add one path; a path over an unread route goes to the ``unknown`` part of the entry
    (``{"ports", "why"}``): possibly exposed, never counted as exposed or as safe."""
    if unknown:
        e = exposure.setdefault(node_id, {"paths": [], "ports": [], "via": "", "by_via": {}})
        u = e.setdefault("unknown", {"ports": [], "why": unknown, "paths": []})
        if path not in u["paths"]:
            u["paths"].append(path)
        u["ports"].extend(p for p in ports if p not in u["ports"])
        return
    e = exposure.setdefault(node_id, {"paths": [], "ports": [], "via": via, "by_via": {}})
    if path not in e["paths"]:
        e["paths"].append(path)
    by_via = e["by_via"].setdefault(via, {"paths": [], "ports": []})
    if path not in by_via["paths"]:
        by_via["paths"].append(path)
    for p in ports:
        if p not in e["ports"]:
            e["ports"].append(p)
        if p not in by_via["ports"]:
            by_via["ports"].append(p)
    if via == "public-ip" or not e["via"]:
        e["via"] = via


def has_public_address(node: dict[str, Any]) -> bool:
    p = node["props"]
    kind = node.get("kind")
    if kind == "rds:instance":
        return bool(p.get("publicly_accessible"))
    return bool(p.get("public_ip") or p.get("ipv6_ips"))


def expose_direct(net: Net, node: dict[str, Any], exposure: dict[str, dict[str, Any]],
                  only_port: tuple[str, int] | None = None) -> None:
    """A resource with its own public address in a subnet routed to the internet."""
    if not has_public_address(node):
        return
    sgs = net.sgs_of(node)
    unread = sgs_unread(node, sgs)
    for subnet in net.subnets_of(node):
        route = net.internet_route(subnet)
        if route is None:
            continue
        if not node["props"].get("public_ip") and node.get("kind") != "rds:instance":
            route = Route(route.path, v4=False, v6=route.v6)  # IPv6-only address
        if unread:  # what its groups admit is not known: possibly exposed, on ports unknown
            _record(exposure, node["id"], _path(route, net.nacl(subnet), [], node["id"]), [], "public-ip",
                    route.unknown or unread)
            continue
        ports, via = open_ports(net, subnet, route, sgs, only_port)
        if ports:
            _record(exposure, node["id"], _path(route, net.nacl(subnet), via, node["id"]), ports,
                    "public-ip", route.unknown)


def sgs_unread(node: dict[str, Any], found: list[dict[str, Any]]) -> str:
    """Why a resource's security groups are not known: it names groups the scan holds none of
    (their read was denied or failed). "" when they were read or it names none."""
    named = as_strs((node.get("props") or {}).get("security_group_ids"))
    return f"its security groups ({', '.join(named[:3])}) were not read" if named and not found else ""


def _tg_targets(inv: Inventory, tg_id: str) -> list[tuple[list[str], dict[str, Any]]]:
    """Targets of a target group, directly or through the ASGs attached to it."""
    out = [([t["id"]], t) for t in inv.out(tg_id, "targets")]
    for asg in inv.into(tg_id, "targets", "autoscaling:group"):
        for inst in inv.into(asg["id"], "member_of", "ec2:instance"):
            out.append(([asg["id"], inst["id"]], inst))
    return out


def expose_load_balancers(net: Net, exposure: dict[str, dict[str, Any]]) -> None:
    """Internet-facing LBs, and what their listeners forward to."""
    inv = net.inv
    for lb in inv.nodes("elbv2:load-balancer"):
        if lb["props"].get("scheme") != "internet-facing":
            continue
        routes = [(s, net.internet_route(s)) for s in net.subnets_of(lb)]
        routed = [(s, r) for s, r in routes if r is not None] or (
            [] if routes else [(None, Route([INTERNET], True, True))])
        if not routed:
            continue
        sgs = net.sgs_of(lb)
        unread = sgs_unread(lb, sgs)
        for listener in inv.out(lb["id"], "listens_on"):
            lp = listener["props"]
            port = _int(lp.get("port"))
            if port is None:
                continue
            pname = "udp" if str(lp.get("protocol", "")).upper() == "UDP" else "tcp"
            for subnet, route in routed:
                if sgs and subnet is not None:
                    ports, via = open_ports(net, subnet, route, sgs, (pname, port))
                elif sgs:
                    ok = any(covers(r, pname, port) for sg in sgs for r in internet_ingress(inv, sg))
                    ports, via = ([f"{pname}/{port}"], [s["id"] for s in sgs]) if ok else ([], [])
                else:  # an NLB without security groups (or an LB whose groups were not read)
                    ok = subnet is None or nacl_allows(
                        (net.nacl(subnet) or {}).get("props", {}).get("entries"), pname, port, port, False)
                    ports, via = ([f"{pname}/{port}"], []) if ok else ([], [])
                if not ports:
                    continue
                nacl = net.nacl(subnet) if subnet is not None else None
                base = _path(route, nacl, via, lb["id"])
                why = route.unknown or unread
                _record(exposure, lb["id"], base, ports, "public-ip", why)
                for tg in inv.out(listener["id"], "targets", "elbv2:target-group"):
                    for hops, target in _tg_targets(inv, tg["id"]):
                        _record(exposure, target["id"], [*base, listener["id"], tg["id"], *hops], ports,
                                "load-balancer", why)
                if not why:
                    break  # one routed subnet is enough evidence for this listener
    for clb in inv.nodes("elb:load-balancer"):
        if clb["props"].get("scheme") != "internet-facing":
            continue
        ports = []
        for li in as_dicts(clb["props"].get("listeners")):
            port = _int(li.get("lb_port") or li.get("LoadBalancerPort") or li.get("port"))
            if port is not None:
                ports.append(f"tcp/{port}")
        if not ports:
            continue
        sgs = net.sgs_of(clb)
        if sgs:
            ports = [p for p in ports if any(covers(r, "tcp", int(p.split("/")[1]))
                                             for sg in sgs for r in internet_ingress(inv, sg))]
        if not ports:
            continue
        base = [INTERNET, *[s["id"] for s in sgs], clb["id"]]
        _record(exposure, clb["id"], base, ports, "public-ip")
        for target in inv.out(clb["id"], "targets"):
            _record(exposure, target["id"], [*base, target["id"]], ports, "load-balancer")
        for asg in inv.into(clb["id"], "targets", "autoscaling:group"):
            for inst in inv.into(asg["id"], "member_of", "ec2:instance"):
                _record(exposure, inst["id"], [*base, asg["id"], inst["id"]], ports, "load-balancer")
        for iid in as_strs(clb["props"].get("instance_ids")):
            for inst in inv.by_prop("ec2:instance", "instance_id", iid):
                _record(exposure, inst["id"], [*base, inst["id"]], ports, "load-balancer")


def compute_all(inv: Inventory) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(exposed, possibly exposed): every resource reachable from the internet with its paths,
    ports and how it is reached; and those that would be if a route that could not be read leads
    to the internet (``{"ports", "paths", "why"}``), which are unknown, never "not exposed"."""
    net = Net(inv)
    exposure: dict[str, dict[str, Any]] = {}
    for inst in inv.nodes("ec2:instance"):
        if inst["props"].get("state") in (None, "running", "pending"):
            expose_direct(net, inst, exposure)
    for eni in inv.nodes("ec2:network-interface"):
        attached = str(eni["props"].get("attached_to") or "")
        if eni["props"].get("interface_type") in (None, "interface") and not attached.startswith("i-") \
                and ":instance/" not in attached:
            expose_direct(net, eni, exposure)
    for db in inv.nodes("rds:instance"):
        port = _int(db["props"].get("port"))
        if port is not None:
            expose_direct(net, db, exposure, ("tcp", port))
        else:
            expose_direct(net, db, exposure)
    expose_load_balancers(net, exposure)
    expose_edge(inv, exposure)   # CloudFront, API Gateway and function URLs: public by design
    known: dict[str, dict[str, Any]] = {}
    unknown: dict[str, dict[str, Any]] = {}
    for nid, e in sorted(exposure.items()):
        u = e.pop("unknown", None)
        for part in (e, *e["by_via"].values(), *([u] if u else [])):
            part["paths"].sort()
            part["ports"].sort()
        if e["paths"]:
            known[nid] = e      # one path over a route that was read is enough: it is exposed
        elif u:
            unknown[nid] = u
    return known, unknown


def compute(inv: Inventory) -> dict[str, dict[str, Any]]:
    """Every resource known to be reachable from the internet (see :func:`compute_all`)."""
    return compute_all(inv)[0]


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    with gc_paused():  # paths are lists of ids: no cyclic garbage, and no walks of the whole heap
        analysis.exposure, analysis.exposure_unknown = compute_all(inv)

"""Whether what is configured can actually serve: an ECS service runs its tasks, a target group
receives traffic, a VPC holds anything, a DNS failover record leads to the account's own address.

Each judge reads only what the scan saw; a read that was denied or failed where the answer lives
makes the fact ``unknown`` with that reason, never "no".
"""

from __future__ import annotations

import ipaddress
from typing import Any

from scanner.fact import Fact, no, unknown, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext


# --- ECS services ----------------------------------------------------------------------------
@judge("ecs:service", "tasks_running", "ecs:DescribeServices")
def service_tasks_running(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """At least one of the service's desired tasks is running (None: the service wants none)."""
    p = node["props"]
    if str(p.get("status") or "ACTIVE").upper() != "ACTIVE":
        return None  # draining or deleted: not expected to run
    desired, running = p.get("desired"), p.get("running")
    if desired is None or running is None:
        return ctx.unknown(node, "ecs:DescribeServices")
    if not desired:
        return None
    pending = p.get("pending")
    if running:
        return yes(f"{running} of {desired} desired tasks running")
    return no(f"0 of {desired} desired tasks running" + (f", {pending} pending" if pending else ""))


# --- target groups ---------------------------------------------------------------------------
def _listener_targets(ctx: JudgeContext) -> set[str]:
    return ctx.memo("listener_targets", lambda: {
        d for s, d, data in ctx.inv.graph.edges(data=True)
        if data.get("rel") == "targets" and ctx.inv.graph.nodes[s].get("kind") == "elbv2:listener"})


def _listeners_unread(ctx: JudgeContext, region: str) -> str:
    """Why the listeners and rules of ``region`` are not all known ("" when they are)."""
    state, why = ctx.run_state((), region, ("elbv2.load_balancers",))
    if state in ("blocked", "absent"):
        return why or "load balancers not read"
    for action in ("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules"):
        for gp in ctx.gaps_by_action.get(action, []):
            if gp.get("region") in (region, None):
                return f"{action}: {gp.get('reason') or 'not read'}"
    return ""


@judge("elbv2:target-group", "forwarded_to", "elasticloadbalancing:DescribeTargetGroups")
def target_group_forwarded_to(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """A listener or listener rule forwards to the target group (AWS lists its load balancers)."""
    lbs = node["props"].get("lb_arns")
    if node["id"] in _listener_targets(ctx):
        return yes("a listener forwards to it")
    if isinstance(lbs, list) and lbs:
        return yes(f"used by {len(lbs)} load balancer{'s' if len(lbs) != 1 else ''}")
    if isinstance(lbs, list):
        return no("no listener or rule forwards to it (DescribeTargetGroups lists no load balancer)")
    why = _listeners_unread(ctx, str(node.get("region")))
    return unknown(why) if why else no("no listener or rule forwards to it")


# --- VPCs ------------------------------------------------------------------------------------
#: the network itself: what a VPC is made of, not what runs in it
PLUMBING = frozenset({
    "aws:region", "aws:account", "ec2:vpc", "ec2:subnet", "ec2:route-table", "ec2:network-acl",
    "ec2:security-group", "ec2:internet-gateway", "ec2:egress-only-internet-gateway", "ec2:nat-gateway",
    "ec2:vpc-endpoint", "ec2:vpc-peering", "ec2:flow-log", "ec2:prefix-list", "ec2:transit-gateway",
    "ec2:transit-gateway-attachment", "ec2:transit-gateway-route-table", "ec2:vpn-gateway",
    "ec2:vpn-connection", "ec2:customer-gateway", "ec2:elastic-ip", "route53:hosted-zone",
})
#: network interfaces that belong to the plumbing (a NAT gateway's, an endpoint's)
PLUMBING_ENI = frozenset({"nat_gateway", "vpc_endpoint", "gateway_load_balancer_endpoint",
                          "transit_gateway", "interface_endpoint"})
#: reads that would show something running in a VPC (ENIs show nearly every VPC resource; ASGs
#: scaled to zero and instances are read on their own)
WORKLOAD_COLLECTORS = ("ec2.network_interfaces", "ec2.instances", "autoscaling.groups")


def _vpc_of_subnets(ctx: JudgeContext) -> dict[str, str]:
    """Subnet node id and subnet id -> VPC node id."""
    def build() -> dict[str, str]:
        out: dict[str, str] = {}
        vpcs = {str(v["props"].get("vpc_id")): v["id"] for v in ctx.inv.nodes("ec2:vpc")}
        for s in ctx.inv.nodes("ec2:subnet"):
            vid = vpcs.get(str(s["props"].get("vpc_id")))
            if vid:
                out[s["id"]] = vid
                if s["props"].get("subnet_id"):
                    out[str(s["props"]["subnet_id"])] = vid
        return out
    return ctx.memo("vpc_of_subnets", build)


def _workload_by_vpc(ctx: JudgeContext) -> dict[str, list[str]]:
    """VPC node id -> ids of the non-network resources placed in it (by edge or by prop)."""
    def build() -> dict[str, list[str]]:
        vpc_nodes = {v["id"] for v in ctx.inv.nodes("ec2:vpc")}
        by_vpc_id = {str(v["props"].get("vpc_id")): v["id"] for v in ctx.inv.nodes("ec2:vpc")}
        subnets = _vpc_of_subnets(ctx)
        out: dict[str, set[str]] = {}
        g = ctx.inv.graph
        for nid, data in g.nodes(data=True):
            kind = str(data.get("kind") or "")
            if kind in PLUMBING or data.get("external"):
                continue
            p = data.get("props") or {}
            if kind == "ec2:network-interface" and p.get("interface_type") in PLUMBING_ENI:
                continue
            if kind == "ec2:instance" and p.get("state") in ("terminated", "shutting-down"):
                continue
            homes = {by_vpc_id.get(str(p.get("vpc_id")))} if p.get("vpc_id") else set()
            refs = [p.get("subnet_id"), *(p.get("subnet_ids") if isinstance(p.get("subnet_ids"), list) else [])]
            homes |= {subnets.get(str(s)) for s in refs if s}
            for _, dst in g.out_edges(nid):
                homes.add(dst if dst in vpc_nodes else subnets.get(dst))
            homes |= {src for src, _ in g.in_edges(nid) if src in vpc_nodes}
            for vid in homes - {None}:
                out.setdefault(str(vid), set()).add(nid)
        return {k: sorted(v) for k, v in out.items()}
    return ctx.memo("workload_by_vpc", build)


@judge("ec2:vpc", "hosts_workload", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstances")
def vpc_hosts_workload(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Something other than the network itself is placed in the VPC (an instance, a network
    interface of a service, an Auto Scaling group, a database, a function...)."""
    found = _workload_by_vpc(ctx).get(node["id"], [])
    if found:
        kinds = sorted({str(ctx.inv.graph.nodes[n].get("kind")) for n in found})
        return yes(f"{len(found)} resource{'s' if len(found) != 1 else ''} ({', '.join(kinds[:4])})")
    state, why = ctx.run_state((), str(node.get("region")), WORKLOAD_COLLECTORS)
    if state != "ok":
        return unknown(why or "network interfaces, instances or Auto Scaling groups not read")
    for action in ("ec2:DescribeNetworkInterfaces", "ec2:DescribeInstances"):
        for gp in ctx.gaps_by_action.get(action, []):
            if gp.get("region") in (node.get("region"), None):
                return unknown(f"{action}: {gp.get('reason') or 'not read'}")
    missing = [c for c in WORKLOAD_COLLECTORS
               if not any(r.get("collector") == c and r.get("region") == node.get("region") for r in ctx.runs)]
    if missing:
        return unknown(f"{', '.join(missing)} did not run in {node.get('region')}")
    return no("no instance, network interface, Auto Scaling group or other resource in it")


# --- Route 53 failover records -----------------------------------------------------------------
#: DNS suffixes of AWS endpoints a failover record may name
AWS_SUFFIXES = (".amazonaws.com", ".cloudfront.net", ".awsglobalaccelerator.com", ".elasticbeanstalk.com",
                ".awsapprunner.com", ".amazonaws.com.cn", ".on.aws", ".api.aws")
#: the reads that list the account's addresses (a denied one may hide the address named)
ADDRESS_COLLECTORS = ("ec2.addresses", "ec2.instances", "ec2.network_interfaces", "ec2.nat_gateways")


def _own_addresses(ctx: JudgeContext) -> set[str]:
    def build() -> set[str]:
        out: set[str] = set()
        for n in ctx.inv.nodes("ec2:elastic-ip", "ec2:instance", "ec2:network-interface", "ec2:nat-gateway"):
            p = n["props"]
            for key in ("public_ip", "private_ip"):
                if isinstance(p.get(key), str):
                    out.add(p[key])
            for key in ("public_ips", "ipv6_ips", "private_ips"):
                if isinstance(p.get(key), list):
                    out.update(str(x) for x in p[key])
        return out
    return ctx.memo("own_addresses", build)


def _vpc_networks(ctx: JudgeContext) -> list[Any]:
    def build() -> list[Any]:
        nets = []
        for v in ctx.inv.nodes("ec2:vpc"):
            cidrs = v["props"].get("cidrs") or [v["props"].get("cidr")]
            for c in [*cidrs, *(v["props"].get("ipv6_cidrs") or [])]:
                try:
                    nets.append(ipaddress.ip_network(str(c), strict=False))
                except ValueError:
                    continue
        return nets
    return ctx.memo("vpc_networks", build)


def _records_by_name(ctx: JudgeContext) -> dict[str, list[dict[str, Any]]]:
    def build() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in ctx.inv.nodes("route53:record"):
            out.setdefault(str(r["props"].get("name") or "").rstrip(".").lower(), []).append(r)
        return out
    return ctx.memo("records_by_name", build)


def _addresses_unread(ctx: JudgeContext) -> str:
    for region in ctx.inv.regions:
        state, why = ctx.run_state((), region, ADDRESS_COLLECTORS)
        if state in ("blocked", "absent"):
            return f"the account's addresses in {region} were not all read ({why})"
    return ""


def _target(ctx: JudgeContext, value: str, depth: int = 0) -> tuple[str, str]:
    """("in", why) / ("out", why) / ("unknown", why) for one value of a record."""
    v = value.strip().rstrip(".").lower()
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        ip = None
    if ip is not None:
        if v in _own_addresses(ctx):
            return "in", f"{v} is an address of this account"
        if any(ip in net for net in _vpc_networks(ctx) if net.version == ip.version):
            return "in", f"{v} is inside a VPC of this account"
        why = _addresses_unread(ctx)
        if why:
            return "unknown", f"whether {v} belongs to the account is unknown: {why}"
        regions = ", ".join(ctx.inv.regions)
        return "out", (f"{v} is not an Elastic IP, instance, NAT gateway or network interface address of "
                       f"this account in the scanned regions ({regions}), nor inside one of its VPCs")
    if v.endswith(AWS_SUFFIXES):
        return "in", f"{v} is an AWS endpoint"
    same = _records_by_name(ctx).get(v)
    if same and depth < 4:
        results = [_record_target(ctx, r, depth + 1) for r in same]
        return next((x for x in results if x[0] == "out"), None) or \
            next((x for x in results if x[0] == "unknown"), None) or results[0]
    return "out", f"{v} is a host name outside AWS and outside the account's hosted zones"


def _record_target(ctx: JudgeContext, rec: dict[str, Any], depth: int = 0) -> tuple[str, str]:
    p = rec["props"]
    if p.get("alias_target"):
        return "in", f"alias to {p['alias_target']}"
    values = p.get("values")
    if not isinstance(values, list):
        return "unknown", "the record's values were not read"
    if not values:
        return "unknown", "the record has no values"
    results = [_target(ctx, str(v), depth) for v in values]
    return next((x for x in results if x[0] == "out"), None) or \
        next((x for x in results if x[0] == "unknown"), None) or results[0]


@judge("route53:record", "failover_target_in_account", "route53:ListResourceRecordSets")
def failover_target_in_account(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """A failover record leads to an AWS endpoint or an address of this account (None for
    records of other routing policies)."""
    p = node["props"]
    if not p.get("failover") and p.get("routing_policy") != "failover":
        return None
    state, why = _record_target(ctx, node)
    return yes(why) if state == "in" else no(why) if state == "out" else unknown(why)

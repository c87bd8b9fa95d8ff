"""Network: VPCs, subnets, route tables, security groups and NACLs, and the helpers the
network family shares (gateways, Elastic IPs and peering are in network_gateways.py; VPC
endpoints, prefix lists, network interfaces and flow logs in network_endpoints.py).

Get / transform, after Cartography: each ``collect_*`` makes one paginated
Describe call per region and hands the raw API dicts to a pure ``transform_*``
that builds the records, so the transforms are testable from recorded API
shapes without moto. Transit gateways, VPN and Direct Connect live in
``network_transit.py``.

Edges follow docs/developing.md: region ``contains`` VPC, VPC ``contains``
subnet, resources ``in_vpc``/``in_subnet``, gateways ``attached_to`` their
VPC, route tables ``routes_to`` their targets and are ``associated_with``
their subnets, and every ingress source ``allows`` a security group.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.collectors._shape import flag, ident
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    cidr_node_id,
    name_of,
    tags_of,
)
from scanner.inventory import Records

#: IP protocol numbers AWS may return instead of names
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "-1", "all": "-1"}

#: association states after which an association no longer applies (any other, even one AWS adds later, does)
GONE = ("disassociated", "disassociating", "failed", "failing")
#: attachment states of a gateway that is no longer attached
DETACHED = ("detached", "detaching")

#: route target field -> (target_type, ec2_arn resource type); GatewayId is split by prefix below
ROUTE_TARGETS: tuple[tuple[str, str, str], ...] = (
    ("NatGatewayId", "nat", "natgateway"),
    ("TransitGatewayId", "tgw", "transit-gateway"),
    ("VpcPeeringConnectionId", "pcx", "vpc-peering-connection"),
    ("EgressOnlyInternetGatewayId", "eigw", "egress-only-internet-gateway"),
    ("InstanceId", "instance", "instance"),
    ("NetworkInterfaceId", "eni", "network-interface"),
    ("LocalGatewayId", "lgw", ""),
    ("CarrierGatewayId", "cagw", ""),
    ("CoreNetworkArn", "core-network", ""),
)
GATEWAY_PREFIXES = {"igw-": ("igw", "internet-gateway"), "vgw-": ("vgw", "vpn-gateway"),
                    "vpce-": ("vpce", "vpc-endpoint")}


# --- helpers --------------------------------------------------------------------
def protocol_name(value: Any) -> str | None:
    """``"6"`` -> ``"tcp"``: AWS returns names or numbers depending on how a rule was made.

    An absent protocol stays None (not "-1", all traffic): exposure analysis treats it as
    "could be anything" on its own, the document says it was not given."""
    if value is None:
        return None
    s = str(value).lower()
    return PROTOCOL_NAMES.get(s, s)


def none_if_blank(value: Any) -> Any:
    """moto and some APIs return "" for absent ids; the graph wants None."""
    return value if value not in ("", None) else None


def gateway_target(ctx: ScanContext, route: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(target_type, target id, graph id) of one route; graph id None when there is no node."""
    gw = route.get("GatewayId")
    if gw == "local":
        return "local", "local", None
    if gw:
        for prefix, (ttype, rtype) in GATEWAY_PREFIXES.items():
            if gw.startswith(prefix):
                return ttype, gw, ctx.ec2_arn(rtype, gw)
        return "gateway", gw, None
    # an instance route also carries the instance's ENI: prefer the instance
    for field, ttype, rtype in ROUTE_TARGETS:
        tid = route.get(field)
        if tid:
            return ttype, tid, (ctx.ec2_arn(rtype, tid) if rtype else None)
    return "unknown", None, None


def route_dest(route: dict[str, Any]) -> str | None:
    return (route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
            or route.get("DestinationPrefixListId"))


def optional_pages(ctx: ScanContext, out: Records, service: str, operation: str, key: str, *,
                   resource: str = "", missing: tuple[str, ...] = (), **kwargs: Any) -> list[Any] | None:
    """Every item of a paginated per-resource call (prefix-list entries, TGW route-table
    associations can be long), or None with a gap when it cannot be read."""
    return ctx.optional_pages(out, service, operation, key, resource=resource, missing=missing, **kwargs)


def contains_or_attach(ctx: ScanContext, out: Records, arn: str, vpc_ids: Iterable[str]) -> None:
    """Gateways hang off their VPCs; a detached one still belongs to the region."""
    vpcs = list(vpc_ids)
    for vid in vpcs:
        out.edge(arn, ctx.ec2_arn("vpc", vid), "attached_to")
    if not vpcs:
        out.edge(ctx.region_node, arn, "contains")


# --- VPCs and subnets -------------------------------------------------------------
def _live(assocs: list[dict[str, Any]] | None, key: str, state_key: str) -> list[str]:
    """CIDRs of an association set, without the disassociated/failed ones."""
    out = []
    for a in assocs or []:
        state = (a.get(state_key) or {}).get("State")
        if a.get(key) and state not in GONE:
            out.append(a[key])
    return out


def transform_vpcs(ctx: ScanContext, vpcs: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for v in vpcs:
        vid = ident(out, v, "VpcId", "ec2", "ec2:DescribeVpcs", "a VPC")
        if not vid:
            continue
        arn = ctx.ec2_arn("vpc", vid)
        cidrs = _live(v.get("CidrBlockAssociationSet"), "CidrBlock", "CidrBlockState")
        if not cidrs and v.get("CidrBlock"):
            cidrs = [v["CidrBlock"]]
        out.node(arn, "ec2:vpc", name_of(v, vid), tags=tags_of(v), vpc_id=vid, cidr=v.get("CidrBlock"),
                 cidrs=cidrs,
                 ipv6_cidrs=_live(v.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock", "Ipv6CidrBlockState"),
                 is_default=flag(v.get("IsDefault")), state=v.get("State"),
                 dhcp_options_id=v.get("DhcpOptionsId"), instance_tenancy=v.get("InstanceTenancy"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("ec2.vpcs", "ec2", reads="ec2:DescribeVpcs")
def collect_vpcs(ctx: ScanContext) -> Records:
    return transform_vpcs(ctx, list(ctx.paginate("ec2", "describe_vpcs", "Vpcs")))


def transform_subnets(ctx: ScanContext, subnets: list[dict[str, Any]]) -> Records:
    """Subnets; ``public``, ``route_table_id`` and ``network_acl_id`` are filled by the derive pass."""
    out = ctx.records()
    for s in subnets:
        sid = ident(out, s, "SubnetId", "ec2", "ec2:DescribeSubnets", "a subnet")
        if not sid:
            continue
        arn = ctx.ec2_arn("subnet", sid)
        out.node(arn, "ec2:subnet", name_of(s, sid), tags=tags_of(s), subnet_id=sid, vpc_id=s.get("VpcId"),
                 cidr=s.get("CidrBlock"),
                 ipv6_cidrs=_live(s.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock", "Ipv6CidrBlockState"),
                 az=s.get("AvailabilityZone"), az_id=s.get("AvailabilityZoneId"),
                 public=None, map_public_ip=flag(s.get("MapPublicIpOnLaunch")),
                 assign_ipv6=flag(s.get("AssignIpv6AddressOnCreation")),
                 available_ips=s.get("AvailableIpAddressCount"), route_table_id=None,
                 network_acl_id=None, is_default=flag(s.get("DefaultForAz")))
        if s.get("VpcId"):
            out.edge(ctx.ec2_arn("vpc", s["VpcId"]), arn, "contains")
    return out


@collector("ec2.subnets", "ec2", reads="ec2:DescribeSubnets")
def collect_subnets(ctx: ScanContext) -> Records:
    return transform_subnets(ctx, list(ctx.paginate("ec2", "describe_subnets", "Subnets")))


# --- route tables -------------------------------------------------------------------
def transform_route_tables(ctx: ScanContext, tables: list[dict[str, Any]]) -> Records:
    """Route tables with their routes (typed targets) and explicit subnet associations.

    The VPC's main table is flagged ``main``; subnets without an explicit
    association use it, which the derive pass resolves (it needs the subnets).
    """
    out = ctx.records()
    for t in tables:
        rid = ident(out, t, "RouteTableId", "ec2", "ec2:DescribeRouteTables", "a route table")
        if not rid:
            continue
        arn = ctx.ec2_arn("route-table", rid)
        assocs = [a for a in t.get("Associations") or []
                  if (a.get("AssociationState") or {}).get("State") not in GONE]
        mains = [a.get("Main") for a in assocs]
        subnet_ids = sorted({a["SubnetId"] for a in assocs if a.get("SubnetId")})
        routes = []
        for r in t.get("Routes") or []:
            ttype, tid, target_arn = gateway_target(ctx, r)
            dest = route_dest(r)
            routes.append({"dest": dest, "target": tid, "target_type": ttype, "state": r.get("State"),
                           "origin": r.get("Origin")})
            if target_arn and r.get("State") != "blackhole":   # a blackhole's target is gone
                out.edge(arn, target_arn, "routes_to", dest=dest)
        out.node(arn, "ec2:route-table", name_of(t, rid), tags=tags_of(t), route_table_id=rid,
                 vpc_id=t.get("VpcId"), routes=routes,
                 # the main association is always listed: no list at all says nothing
                 main=None if t.get("Associations") is None else True if any(mains)
                 else None if any(m is None for m in mains) else False,
                 subnet_ids=subnet_ids,
                 gateway_ids=sorted({a["GatewayId"] for a in assocs if a.get("GatewayId")}))
        if t.get("VpcId"):
            out.edge(arn, ctx.ec2_arn("vpc", t["VpcId"]), "in_vpc")
        for sid in subnet_ids:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "associated_with")
    return out


@collector("ec2.route_tables", "ec2", reads="ec2:DescribeRouteTables")
def collect_route_tables(ctx: ScanContext) -> Records:
    return transform_route_tables(ctx, list(ctx.paginate("ec2", "describe_route_tables", "RouteTables")))


# --- security groups -------------------------------------------------------------------
def _ports(perm: dict[str, Any], protocol: str) -> tuple[int | None, int | None]:
    if protocol == "-1":
        return None, None
    return perm.get("FromPort"), perm.get("ToPort")


def sg_rules(perms: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """IpPermissions flattened to one rule per source (the vocab's ingress/egress shape)."""
    rules: list[dict[str, Any]] = []
    for p in perms or []:
        proto = protocol_name(p.get("IpProtocol"))
        fp, tp = _ports(p, proto)
        base = {"protocol": proto, "from_port": fp, "to_port": tp}
        for r in p.get("IpRanges") or []:
            if r.get("CidrIp"):
                rules.append({**base, "cidr": r["CidrIp"], "description": r.get("Description")})
        for r in p.get("Ipv6Ranges") or []:
            if r.get("CidrIpv6"):
                rules.append({**base, "ipv6_cidr": r["CidrIpv6"], "description": r.get("Description")})
        for r in p.get("PrefixListIds") or []:
            if r.get("PrefixListId"):
                rules.append({**base, "prefix_list": r["PrefixListId"], "description": r.get("Description")})
        for r in p.get("UserIdGroupPairs") or []:
            if r.get("GroupId"):
                rules.append({**base, "group_id": r["GroupId"], "group_owner": r.get("UserId"),
                              "peering_status": r.get("PeeringStatus"),
                              "description": r.get("Description")})
    return rules


def rule_source_id(ctx: ScanContext, rule: dict[str, Any]) -> str | None:
    """Graph id of a rule's peer: ``internet``, ``cidr:*``, a prefix list or a security group."""
    if rule.get("cidr"):
        return cidr_node_id(rule["cidr"])
    if rule.get("ipv6_cidr"):
        return cidr_node_id(rule["ipv6_cidr"])
    if rule.get("prefix_list"):
        return ctx.ec2_arn("prefix-list", rule["prefix_list"])
    if rule.get("group_id"):
        owner = rule.get("group_owner") or ctx.account
        return ctx.arn("ec2", f"security-group/{rule['group_id']}", account=owner)
    return None


def transform_security_groups(ctx: ScanContext, groups: list[dict[str, Any]]) -> Records:
    """Security groups, with rules in props and one ``allows`` edge per distinct ingress source.

    Rules that differ only in description (or IPv4 vs IPv6 "anywhere") give one
    edge, so the security diagram and exposure analysis see each path once.
    Egress rules stay in props only: ``allows`` edges mean inbound, per the contract.
    """
    out = ctx.records()
    for g in groups:
        gid = ident(out, g, "GroupId", "ec2", "ec2:DescribeSecurityGroups", "a security group")
        if not gid:
            continue
        arn = ctx.ec2_arn("security-group", gid)
        ingress = sg_rules(g.get("IpPermissions"))
        egress = sg_rules(g.get("IpPermissionsEgress"))
        out.node(arn, "ec2:security-group", name_of(g, g.get("GroupName") or gid), tags=tags_of(g),
                 group_id=gid, group_name=g.get("GroupName"), vpc_id=g.get("VpcId"),
                 description=g.get("Description"),
                 is_default=None if g.get("GroupName") is None else g.get("GroupName") == "default",
                 ingress=ingress, egress=egress)
        if g.get("VpcId"):
            out.edge(arn, ctx.ec2_arn("vpc", g["VpcId"]), "in_vpc")
        for rule in ingress:
            src = rule_source_id(ctx, rule)
            if src and src.startswith("cidr:"):
                cidr = rule.get("cidr") or rule.get("ipv6_cidr")
                out.node(src, "net:cidr", cidr, region="global", cidr=cidr, ipv6=":" in str(cidr))
            out.edge(src, arn, "allows", protocol=rule["protocol"], from_port=rule["from_port"],
                     to_port=rule["to_port"], direction="ingress")
    return out


@collector("ec2.security_groups", "ec2", reads="ec2:DescribeSecurityGroups")
def collect_security_groups(ctx: ScanContext) -> Records:
    return transform_security_groups(
        ctx, list(ctx.paginate("ec2", "describe_security_groups", "SecurityGroups")))


# --- network ACLs ------------------------------------------------------------------------
def nacl_entry(e: dict[str, Any]) -> dict[str, Any]:
    proto = protocol_name(e.get("Protocol"))
    ports = e.get("PortRange") or {}
    entry: dict[str, Any] = {"rule": e.get("RuleNumber"), "egress": flag(e.get("Egress")),
                             "action": e.get("RuleAction"), "protocol": proto,
                             "from_port": ports.get("From"), "to_port": ports.get("To")}
    if e.get("Ipv6CidrBlock"):
        entry["ipv6_cidr"] = e["Ipv6CidrBlock"]
    else:
        entry["cidr"] = e.get("CidrBlock")
    if e.get("IcmpTypeCode"):
        entry["icmp"] = {"type": e["IcmpTypeCode"].get("Type"), "code": e["IcmpTypeCode"].get("Code")}
    return entry


def transform_network_acls(ctx: ScanContext, acls: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for a in acls:
        aid = ident(out, a, "NetworkAclId", "ec2", "ec2:DescribeNetworkAcls", "a network ACL")
        if not aid:
            continue
        arn = ctx.ec2_arn("network-acl", aid)
        subnet_ids = sorted({s["SubnetId"] for s in a.get("Associations") or [] if s.get("SubnetId")})
        entries = sorted((nacl_entry(e) for e in a.get("Entries") or []),
                         key=lambda e: (str(e["egress"]), e["rule"] if isinstance(e["rule"], int) else 0))
        out.node(arn, "ec2:network-acl", name_of(a, aid), tags=tags_of(a), nacl_id=aid, vpc_id=a.get("VpcId"),
                 is_default=flag(a.get("IsDefault")), subnet_ids=subnet_ids, entries=entries)
        if a.get("VpcId"):
            out.edge(arn, ctx.ec2_arn("vpc", a["VpcId"]), "in_vpc")
        for sid in subnet_ids:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "associated_with")
    return out


@collector("ec2.network_acls", "ec2", reads="ec2:DescribeNetworkAcls")
def collect_network_acls(ctx: ScanContext) -> Records:
    return transform_network_acls(ctx, list(ctx.paginate("ec2", "describe_network_acls", "NetworkAcls")))



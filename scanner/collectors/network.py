"""Network: VPCs, subnets, routing, gateways, addresses, security groups and NACLs.

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

import json
from collections.abc import Iterable
from typing import Any

from scanner.collectors._shape import flag, ident
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    cidr_node_id,
    iso,
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


def _none_if_blank(value: Any) -> Any:
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


def _contains_or_attach(ctx: ScanContext, out: Records, arn: str, vpc_ids: Iterable[str]) -> None:
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


# --- gateways -----------------------------------------------------------------------
def transform_internet_gateways(ctx: ScanContext, igws: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in igws:
        gid = ident(out, g, "InternetGatewayId", "ec2", "ec2:DescribeInternetGateways", "an internet gateway")
        if not gid:
            continue
        arn = ctx.ec2_arn("internet-gateway", gid)
        vpcs = [a["VpcId"] for a in g.get("Attachments") or [] if a.get("VpcId") and a.get("State") not in DETACHED]
        out.node(arn, "ec2:internet-gateway", name_of(g, gid), tags=tags_of(g), igw_id=gid, vpc_ids=vpcs)
        _contains_or_attach(ctx, out, arn, vpcs)
    return out


@collector("ec2.internet_gateways", "ec2", reads="ec2:DescribeInternetGateways")
def collect_internet_gateways(ctx: ScanContext) -> Records:
    return transform_internet_gateways(
        ctx, list(ctx.paginate("ec2", "describe_internet_gateways", "InternetGateways")))


def transform_egress_only_igws(ctx: ScanContext, gws: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in gws:
        gid = ident(out, g, "EgressOnlyInternetGatewayId", "ec2", "ec2:DescribeEgressOnlyInternetGateways",
                    "an egress-only internet gateway")
        if not gid:
            continue
        arn = ctx.ec2_arn("egress-only-internet-gateway", gid)
        vpcs = [a["VpcId"] for a in g.get("Attachments") or [] if a.get("VpcId") and a.get("State") not in DETACHED]
        out.node(arn, "ec2:egress-only-internet-gateway", name_of(g, gid), tags=tags_of(g), eigw_id=gid,
                 vpc_ids=vpcs)
        _contains_or_attach(ctx, out, arn, vpcs)
    return out


@collector("ec2.egress_only_internet_gateways", "ec2", reads="ec2:DescribeEgressOnlyInternetGateways")
def collect_egress_only_igws(ctx: ScanContext) -> Records:
    return transform_egress_only_igws(
        ctx, list(ctx.paginate("ec2", "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways")))


def transform_nat_gateways(ctx: ScanContext, nats: list[dict[str, Any]]) -> Records:
    """NAT gateways (deleted ones skipped); the AZ comes from the subnet in the derive pass."""
    out = ctx.records()
    for n in nats:
        if n.get("State") in ("deleted", "deleting"):
            continue
        nid = ident(out, n, "NatGatewayId", "ec2", "ec2:DescribeNatGateways", "a NAT gateway")
        if not nid:
            continue
        arn = ctx.ec2_arn("natgateway", nid)
        addrs = n.get("NatGatewayAddresses") or []
        primary = next((a for a in addrs if a.get("IsPrimary")), addrs[0] if addrs else {})
        out.node(arn, "ec2:nat-gateway", name_of(n, nid), tags=tags_of(n), nat_id=nid, vpc_id=n.get("VpcId"),
                 subnet_id=n.get("SubnetId"), az=None, public_ip=_none_if_blank(primary.get("PublicIp")),
                 private_ip=_none_if_blank(primary.get("PrivateIp")),
                 # gateways made before private NAT existed carry no type: they are public
                 connectivity=n.get("ConnectivityType") or "public", state=n.get("State"),
                 public_ips=sorted(a["PublicIp"] for a in addrs if a.get("PublicIp")),
                 allocation_ids=sorted(a["AllocationId"] for a in addrs if a.get("AllocationId")),
                 eni_ids=sorted(a["NetworkInterfaceId"] for a in addrs if a.get("NetworkInterfaceId")))
        if n.get("SubnetId"):
            out.edge(arn, ctx.ec2_arn("subnet", n["SubnetId"]), "in_subnet")
        for a in addrs:
            if a.get("AllocationId"):
                out.edge(ctx.ec2_arn("elastic-ip", a["AllocationId"]), arn, "associated_with")
    return out


@collector("ec2.nat_gateways", "ec2", reads="ec2:DescribeNatGateways")
def collect_nat_gateways(ctx: ScanContext) -> Records:
    return transform_nat_gateways(ctx, list(ctx.paginate("ec2", "describe_nat_gateways", "NatGateways")))


def transform_addresses(ctx: ScanContext, addresses: list[dict[str, Any]]) -> Records:
    """Elastic IPs; an unassociated one is idle (and billed), which cost analysis reads."""
    out = ctx.records()
    for a in addresses:
        alloc = a.get("AllocationId") or a.get("PublicIp")
        if not alloc:
            ident(out, a, "AllocationId", "ec2", "ec2:DescribeAddresses", "an Elastic IP")
            continue
        arn = ctx.ec2_arn("elastic-ip", alloc)
        instance = _none_if_blank(a.get("InstanceId"))
        eni = _none_if_blank(a.get("NetworkInterfaceId"))
        out.node(arn, "ec2:elastic-ip", name_of(a, a.get("PublicIp") or alloc), tags=tags_of(a),
                 allocation_id=a.get("AllocationId"), public_ip=a.get("PublicIp"),
                 association_id=_none_if_blank(a.get("AssociationId")), instance_id=instance, eni_id=eni,
                 domain=a.get("Domain"), private_ip=_none_if_blank(a.get("PrivateIpAddress")))
        out.edge(ctx.region_node, arn, "contains")
        if instance:
            out.edge(arn, ctx.ec2_arn("instance", instance), "associated_with")
        elif eni:
            out.edge(arn, ctx.ec2_arn("network-interface", eni), "associated_with")
    return out


@collector("ec2.addresses", "ec2", reads="ec2:DescribeAddresses")
def collect_addresses(ctx: ScanContext) -> Records:
    return transform_addresses(ctx, list(ctx.paginate("ec2", "describe_addresses", "Addresses")))


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


# --- VPC peering -------------------------------------------------------------------------
def transform_peerings(ctx: ScanContext, peerings: list[dict[str, Any]]) -> Records:
    """Peering connections, keyed in the requester's region and account.

    Both sides of a cross-region peering list the same connection; keying it
    on the requester makes the two sightings one node.
    """
    out = ctx.records()
    for p in peerings:
        status = (p.get("Status") or {}).get("Code")
        if status in ("deleted", "rejected", "failed", "expired"):
            continue
        pid = ident(out, p, "VpcPeeringConnectionId", "ec2", "ec2:DescribeVpcPeeringConnections",
                    "a VPC peering connection")
        if not pid:
            continue
        req = p.get("RequesterVpcInfo") or {}
        acc = p.get("AccepterVpcInfo") or {}
        req_region = req.get("Region") or ctx.region
        acc_region = acc.get("Region") or ctx.region
        arn = ctx.arn("ec2", f"vpc-peering-connection/{pid}", region=req_region,
                      account=req.get("OwnerId") or ctx.account)
        out.node(arn, "ec2:vpc-peering", name_of(p, pid), region=req_region, tags=tags_of(p), peering_id=pid,
                 requester_vpc=req.get("VpcId"), accepter_vpc=acc.get("VpcId"),
                 requester_owner=req.get("OwnerId"), accepter_owner=acc.get("OwnerId"),
                 requester_region=req_region, accepter_region=acc_region, status=status,
                 requester_cidr=req.get("CidrBlock"), accepter_cidr=acc.get("CidrBlock"))
        if req_region == ctx.region:
            out.edge(ctx.region_node, arn, "contains")
        if req.get("VpcId") and acc.get("VpcId"):
            req_vpc = ctx.arn("ec2", f"vpc/{req['VpcId']}", region=req_region,
                              account=req.get("OwnerId") or ctx.account)
            acc_vpc = ctx.arn("ec2", f"vpc/{acc['VpcId']}", region=acc_region,
                              account=acc.get("OwnerId") or ctx.account)
            out.edge(req_vpc, acc_vpc, "peers_with", peering_id=pid, status=status)
    return out


@collector("ec2.vpc_peering", "ec2", reads="ec2:DescribeVpcPeeringConnections")
def collect_peerings(ctx: ScanContext) -> Records:
    return transform_peerings(
        ctx, list(ctx.paginate("ec2", "describe_vpc_peering_connections", "VpcPeeringConnections")))


# --- VPC endpoints ----------------------------------------------------------------------
def _policy_is_default(doc: str | None) -> bool | None:
    """True when an endpoint policy is the allow-everything default; None when absent or unreadable."""
    if doc is None:
        return None
    try:
        pol = json.loads(doc)
    except (TypeError, ValueError):
        return None
    stmts = pol.get("Statement") or []
    stmts = stmts if isinstance(stmts, list) else [stmts]
    return all(s.get("Effect") == "Allow" and s.get("Principal") in ("*", {"AWS": "*"})
               and s.get("Action") in ("*", ["*"]) and s.get("Resource") in ("*", ["*"])
               and not s.get("Condition") for s in stmts) and bool(stmts)


def transform_vpc_endpoints(ctx: ScanContext, endpoints: list[dict[str, Any]]) -> Records:
    """Gateway endpoints sit on route tables; interface endpoints have ENIs in subnets with SGs."""
    out = ctx.records()
    for e in endpoints:
        if (e.get("State") or "").lower() in ("deleted", "deleting"):
            continue
        eid = ident(out, e, "VpcEndpointId", "ec2", "ec2:DescribeVpcEndpoints", "a VPC endpoint")
        if not eid:
            continue
        arn = ctx.ec2_arn("vpc-endpoint", eid)
        sgs = [g["GroupId"] for g in e.get("Groups") or [] if g.get("GroupId")]
        service = e.get("ServiceName") or ""
        out.node(arn, "ec2:vpc-endpoint", name_of(e, f"{service.rsplit('.', 1)[-1] or eid} endpoint"),
                 tags=tags_of(e), endpoint_id=eid, vpc_id=e.get("VpcId"), service_name=service,
                 endpoint_type=e.get("VpcEndpointType"), state=e.get("State"),
                 subnet_ids=list(e.get("SubnetIds") or []), route_table_ids=list(e.get("RouteTableIds") or []),
                 security_group_ids=sgs, private_dns=e.get("PrivateDnsEnabled"),
                 eni_ids=list(e.get("NetworkInterfaceIds") or []),
                 policy_is_default=_policy_is_default(e.get("PolicyDocument")))
        if e.get("VpcId"):
            out.edge(arn, ctx.ec2_arn("vpc", e["VpcId"]), "in_vpc")
        for sid in e.get("SubnetIds") or []:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
        for gid in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", gid), "protected_by")
    return out


@collector("ec2.vpc_endpoints", "ec2", reads="ec2:DescribeVpcEndpoints")
def collect_vpc_endpoints(ctx: ScanContext) -> Records:
    return transform_vpc_endpoints(ctx, list(ctx.paginate("ec2", "describe_vpc_endpoints", "VpcEndpoints")))


# --- flow logs ------------------------------------------------------------------------------
FLOW_LOG_RESOURCE_TYPES = {"vpc-": "vpc", "subnet-": "subnet", "eni-": "network-interface",
                           "tgw-attach-": "transit-gateway-attachment", "tgw-": "transit-gateway"}


def flow_log_resource(ctx: ScanContext, rid: str | None) -> str | None:
    for prefix, rtype in FLOW_LOG_RESOURCE_TYPES.items():
        if rid and rid.startswith(prefix):
            return ctx.ec2_arn(rtype, rid)
    return None


def flow_log_destination(ctx: ScanContext, f: dict[str, Any]) -> str | None:
    """Graph id of where a flow log writes: the log group ARN, the bucket ARN or the stream ARN."""
    dtype = f.get("LogDestinationType") or "cloud-watch-logs"
    dest = f.get("LogDestination")
    if dtype == "cloud-watch-logs":
        name = f.get("LogGroupName")
        if name:
            return ctx.arn("logs", f"log-group:{name}")
        return dest.removesuffix(":*") if dest else None
    if dtype == "s3" and dest:
        bucket = dest.split(":::", 1)[-1].split("/", 1)[0]
        return f"arn:{ctx.partition}:s3:::{bucket}"
    return dest


def transform_flow_logs(ctx: ScanContext, logs: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for f in logs:
        fid = ident(out, f, "FlowLogId", "ec2", "ec2:DescribeFlowLogs", "a flow log")
        if not fid:
            continue
        arn = ctx.ec2_arn("flow-log", fid)
        dest = flow_log_destination(ctx, f)
        resource = flow_log_resource(ctx, f.get("ResourceId"))
        out.node(arn, "ec2:flow-log", name_of(f, fid), tags=tags_of(f), flow_log_id=fid,
                 resource_id=f.get("ResourceId"), traffic_type=f.get("TrafficType"),
                 destination_type=f.get("LogDestinationType") or "cloud-watch-logs", destination=dest,
                 status=f.get("FlowLogStatus"), deliver_status=f.get("DeliverLogsStatus"),
                 created=iso(f.get("CreationTime")))
        out.edge(arn, resource, "monitors")
        out.edge(resource, dest, "logs_to", via=fid, traffic_type=f.get("TrafficType"))
    return out


@collector("ec2.flow_logs", "ec2", reads="ec2:DescribeFlowLogs")
def collect_flow_logs(ctx: ScanContext) -> Records:
    return transform_flow_logs(ctx, list(ctx.paginate("ec2", "describe_flow_logs", "FlowLogs")))


# --- managed prefix lists -------------------------------------------------------------------
def transform_prefix_lists(ctx: ScanContext, lists: list[dict[str, Any]],
                           entries: dict[str, list[str] | None]) -> Records:
    """Prefix lists; ``cidrs`` only for customer-managed lists (AWS ones are service ranges)."""
    out = ctx.records()
    for pl in lists:
        pid = ident(out, pl, "PrefixListId", "ec2", "ec2:DescribeManagedPrefixLists", "a prefix list")
        if not pid:
            continue
        aws = None if pl.get("OwnerId") is None else pl.get("OwnerId") == "AWS"
        out.node(ctx.ec2_arn("prefix-list", pid), "ec2:prefix-list", pl.get("PrefixListName") or pid,
                 tags=tags_of(pl), prefix_list_id=pid, name=pl.get("PrefixListName"),
                 cidrs=entries.get(pid), aws_managed=aws, max_entries=pl.get("MaxEntries"),
                 address_family=pl.get("AddressFamily"))
    return out


@collector("ec2.prefix_lists", "ec2", reads="ec2:DescribeManagedPrefixLists, ec2:GetManagedPrefixListEntries")
def collect_prefix_lists(ctx: ScanContext) -> Records:
    out = ctx.records()
    lists = list(ctx.paginate("ec2", "describe_managed_prefix_lists", "PrefixLists"))
    entries: dict[str, list[str] | None] = {}
    for pl in lists:
        if pl.get("OwnerId") == "AWS" or not pl.get("PrefixListId"):
            continue
        got = optional_pages(ctx, out, "ec2", "get_managed_prefix_list_entries", "Entries",
                             resource=pl["PrefixListId"], PrefixListId=pl["PrefixListId"])
        entries[pl["PrefixListId"]] = None if got is None else [e["Cidr"] for e in got if e.get("Cidr")]
    return out.extend(transform_prefix_lists(ctx, lists, entries))


# --- network interfaces ---------------------------------------------------------------------
def transform_network_interfaces(ctx: ScanContext, enis: list[dict[str, Any]]) -> Records:
    """ENIs: what actually occupies a subnet (instances, Lambda, RDS, endpoints, NAT) and its public IP.

    ``attached_to`` is the instance id, or for AWS-managed interfaces the
    owning service (``amazon-rds``, ``amazon-elb``, ...); ``requester_managed``
    marks interfaces a service created on the account's behalf.
    """
    out = ctx.records()
    for e in enis:
        eid = ident(out, e, "NetworkInterfaceId", "ec2", "ec2:DescribeNetworkInterfaces", "a network interface")
        if not eid:
            continue
        arn = ctx.ec2_arn("network-interface", eid)
        att = e.get("Attachment") or {}
        assoc = e.get("Association") or {}
        sgs = [g["GroupId"] for g in e.get("Groups") or [] if g.get("GroupId")]
        instance = _none_if_blank(att.get("InstanceId"))
        out.node(arn, "ec2:network-interface", name_of(e, eid), tags=tags_of(e.get("TagSet") or e.get("Tags")),
                 eni_id=eid, subnet_id=e.get("SubnetId"), vpc_id=e.get("VpcId"),
                 private_ip=e.get("PrivateIpAddress"), public_ip=_none_if_blank(assoc.get("PublicIp")),
                 ipv6_ips=[a["Ipv6Address"] for a in e.get("Ipv6Addresses") or [] if a.get("Ipv6Address")],
                 interface_type=e.get("InterfaceType"), security_group_ids=sgs,
                 attached_to=instance or _none_if_blank(att.get("InstanceOwnerId")),
                 requester_managed=flag(e.get("RequesterManaged")), status=e.get("Status"),
                 az=e.get("AvailabilityZone"), description=(e.get("Description") or "")[:200] or None,
                 public_ip_owner=_none_if_blank(assoc.get("IpOwnerId")))
        if e.get("SubnetId"):
            out.edge(arn, ctx.ec2_arn("subnet", e["SubnetId"]), "in_subnet")
        for gid in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", gid), "protected_by")
        if instance:
            out.edge(arn, ctx.ec2_arn("instance", instance), "attached_to")
    return out


@collector("ec2.network_interfaces", "ec2", reads="ec2:DescribeNetworkInterfaces")
def collect_network_interfaces(ctx: ScanContext) -> Records:
    return transform_network_interfaces(
        ctx, list(ctx.paginate("ec2", "describe_network_interfaces", "NetworkInterfaces")))

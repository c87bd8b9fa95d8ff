"""Network beyond one VPC: transit gateways, site-to-site VPN and Direct Connect.

Same get / transform split as ``network.py``. Two API fields here are secret
and are never read into a record: a VPN connection's
``CustomerGatewayConfiguration`` (it holds the tunnels' pre-shared keys) and a
Direct Connect virtual interface's ``authKey`` (the BGP MD5 key).
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import flag, ident, is_on
from scanner.collectors.network import DETACHED, optional_pages
from scanner.collectors.registry import collector
from scanner.context import ScanContext, name_of, tags_of
from scanner.inventory import Records


# --- transit gateways ----------------------------------------------------------------
def transform_transit_gateways(ctx: ScanContext, tgws: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for t in tgws:
        if t.get("State") in ("deleted", "deleting"):
            continue
        tid = ident(out, t, "TransitGatewayId", "ec2", "ec2:DescribeTransitGateways", "a transit gateway")
        if not tid:
            continue
        arn = ctx.ec2_arn("transit-gateway", tid)
        opts = t.get("Options") or {}
        out.node(arn, "ec2:transit-gateway", name_of(t, tid), tags=tags_of(t), tgw_id=tid, owner=t.get("OwnerId"),
                 asn=opts.get("AmazonSideAsn"), state=t.get("State"),
                 default_route_table=opts.get("AssociationDefaultRouteTableId"),
                 auto_accept=is_on(opts.get("AutoAcceptSharedAttachments"), ("enable",), ("disable",)),
                 description=t.get("Description"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("ec2.transit_gateways", "ec2", reads="ec2:DescribeTransitGateways")
def collect_transit_gateways(ctx: ScanContext) -> Records:
    return transform_transit_gateways(ctx, list(ctx.paginate("ec2", "describe_transit_gateways", "TransitGateways")))


def transform_tgw_attachments(ctx: ScanContext, attachments: list[dict[str, Any]],
                              vpc_subnets: dict[str, list[str]]) -> Records:
    """Attachments join a VPC (or VPN, peer TGW, DX gateway) to a TGW: resource -> attachment -> TGW."""
    out = ctx.records()
    for a in attachments:
        if a.get("State") in ("deleted", "deleting", "rejected", "failed"):
            continue
        aid = ident(out, a, "TransitGatewayAttachmentId", "ec2", "ec2:DescribeTransitGatewayAttachments",
                    "a transit gateway attachment")
        if not aid:
            continue
        arn = ctx.ec2_arn("transit-gateway-attachment", aid)
        rtype, rid = a.get("ResourceType"), a.get("ResourceId")
        subnets = vpc_subnets.get(aid, [])
        out.node(arn, "ec2:transit-gateway-attachment", name_of(a, aid), tags=tags_of(a), attachment_id=aid,
                 tgw_id=a.get("TransitGatewayId"), resource_type=rtype, resource_id=rid, state=a.get("State"),
                 subnet_ids=subnets, resource_owner=a.get("ResourceOwnerId"),
                 route_table_id=(a.get("Association") or {}).get("TransitGatewayRouteTableId"))
        if a.get("TransitGatewayId"):
            out.edge(arn, ctx.ec2_arn("transit-gateway", a["TransitGatewayId"]), "peers_with")
        owner = a.get("ResourceOwnerId") or ctx.account
        if rtype == "vpc" and rid:
            out.edge(ctx.arn("ec2", f"vpc/{rid}", account=owner), arn, "peers_with")
        elif rtype == "vpn" and rid:
            out.edge(ctx.ec2_arn("vpn-connection", rid), arn, "peers_with")
        for sid in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
    return out


@collector("ec2.transit_gateway_attachments", "ec2",
           reads="ec2:DescribeTransitGatewayAttachments, ec2:DescribeTransitGatewayVpcAttachments")
def collect_tgw_attachments(ctx: ScanContext) -> Records:
    attachments = list(ctx.paginate("ec2", "describe_transit_gateway_attachments", "TransitGatewayAttachments"))
    vpc_subnets: dict[str, list[str]] = {}
    if any(a.get("ResourceType") == "vpc" for a in attachments):
        for v in ctx.paginate("ec2", "describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"):
            vpc_subnets[v.get("TransitGatewayAttachmentId") or ""] = list(v.get("SubnetIds") or [])
    return transform_tgw_attachments(ctx, attachments, vpc_subnets)


def tgw_routes(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SearchTransitGatewayRoutes items in the vocab's route shape."""
    routes = []
    for r in raw:
        atts = r.get("TransitGatewayAttachments") or []
        # a blackhole route says so in its state; a route without attachments in any other state
        # (or none given) has a target the answer does not name
        kind = atts[0].get("ResourceType") if atts else "blackhole" if r.get("State") == "blackhole" else None
        routes.append({"dest": r.get("DestinationCidrBlock") or r.get("PrefixListId"),
                       "target": atts[0].get("TransitGatewayAttachmentId") if atts else None,
                       "target_type": kind,
                       "route_type": r.get("Type"), "state": r.get("State")})
    return routes


def transform_tgw_route_tables(ctx: ScanContext, tables: list[dict[str, Any]],
                               routes: dict[str, list[dict[str, Any]] | None],
                               associations: dict[str, list[dict[str, Any]] | None]) -> Records:
    """TGW route tables; routes/associations are None where the per-table read was refused."""
    out = ctx.records()
    for t in tables:
        if t.get("State") in ("deleted", "deleting"):
            continue
        rid = ident(out, t, "TransitGatewayRouteTableId", "ec2", "ec2:DescribeTransitGatewayRouteTables",
                    "a transit gateway route table")
        if not rid:
            continue
        arn = ctx.ec2_arn("transit-gateway-route-table", rid)
        rts = routes.get(rid)
        assocs = associations.get(rid)
        out.node(arn, "ec2:transit-gateway-route-table", name_of(t, rid), tags=tags_of(t), route_table_id=rid,
                 tgw_id=t.get("TransitGatewayId"), routes=rts,
                 associations=None if assocs is None else sorted(
                     a["TransitGatewayAttachmentId"] for a in assocs if a.get("TransitGatewayAttachmentId")),
                 default_association=flag(t.get("DefaultAssociationRouteTable")),
                 default_propagation=flag(t.get("DefaultPropagationRouteTable")))
        if t.get("TransitGatewayId"):
            out.edge(ctx.ec2_arn("transit-gateway", t["TransitGatewayId"]), arn, "contains")
        for r in rts or []:
            if r["target"]:
                out.edge(arn, ctx.ec2_arn("transit-gateway-attachment", r["target"]), "routes_to", dest=r["dest"])
    return out


@collector("ec2.transit_gateway_route_tables", "ec2",
           reads="ec2:DescribeTransitGatewayRouteTables, ec2:SearchTransitGatewayRoutes, "
                 "ec2:GetTransitGatewayRouteTableAssociations")
def collect_tgw_route_tables(ctx: ScanContext) -> Records:
    out = ctx.records()
    tables = list(ctx.paginate("ec2", "describe_transit_gateway_route_tables", "TransitGatewayRouteTables"))
    routes: dict[str, list[dict[str, Any]] | None] = {}
    assocs: dict[str, list[dict[str, Any]] | None] = {}
    for t in tables:
        rid = t.get("TransitGatewayRouteTableId")
        if not rid:
            continue  # the transform records that it was not understood
        got = ctx.optional(out, "ec2", "search_transit_gateway_routes", resource=rid,
                           TransitGatewayRouteTableId=rid,
                           Filters=[{"Name": "state", "Values": ["active", "blackhole"]}])
        routes[rid] = None if got is None else tgw_routes(got.get("Routes") or [])
        if got and got.get("AdditionalRoutesAvailable"):
            out.gap("ec2", "ec2:SearchTransitGatewayRoutes", "more routes than one search returns; "
                    "only the first page is shown", resource=rid)
        assocs[rid] = optional_pages(ctx, out, "ec2", "get_transit_gateway_route_table_associations",
                                     "Associations", resource=rid, TransitGatewayRouteTableId=rid)
    return out.extend(transform_tgw_route_tables(ctx, tables, routes, assocs))


# --- site-to-site VPN ----------------------------------------------------------------------
def transform_vpn_gateways(ctx: ScanContext, gws: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in gws:
        if g.get("State") in ("deleted", "deleting"):
            continue
        gid = ident(out, g, "VpnGatewayId", "ec2", "ec2:DescribeVpnGateways", "a virtual private gateway")
        if not gid:
            continue
        arn = ctx.ec2_arn("vpn-gateway", gid)
        vpcs = [a["VpcId"] for a in g.get("VpcAttachments") or [] if a.get("VpcId") and a.get("State") not in DETACHED]
        out.node(arn, "ec2:vpn-gateway", name_of(g, gid), tags=tags_of(g), vgw_id=gid, vpc_ids=vpcs,
                 state=g.get("State"), asn=g.get("AmazonSideAsn"), az=g.get("AvailabilityZone"))
        for vid in vpcs:
            out.edge(arn, ctx.ec2_arn("vpc", vid), "attached_to")
        if not vpcs:
            out.edge(ctx.region_node, arn, "contains")
    return out


@collector("ec2.vpn_gateways", "ec2", reads="ec2:DescribeVpnGateways")
def collect_vpn_gateways(ctx: ScanContext) -> Records:
    return transform_vpn_gateways(ctx, list(ctx.paginate("ec2", "describe_vpn_gateways", "VpnGateways")))


def transform_customer_gateways(ctx: ScanContext, gws: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in gws:
        if g.get("State") in ("deleted", "deleting"):
            continue
        gid = ident(out, g, "CustomerGatewayId", "ec2", "ec2:DescribeCustomerGateways", "a customer gateway")
        if not gid:
            continue
        arn = ctx.ec2_arn("customer-gateway", gid)
        asn = g.get("BgpAsn")
        out.node(arn, "ec2:customer-gateway", name_of(g, g.get("DeviceName") or gid), tags=tags_of(g), cgw_id=gid,
                 ip_address=g.get("IpAddress"), bgp_asn=int(asn) if str(asn or "").isdigit() else asn,
                 state=g.get("State"), device_name=g.get("DeviceName"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("ec2.customer_gateways", "ec2", reads="ec2:DescribeCustomerGateways")
def collect_customer_gateways(ctx: ScanContext) -> Records:
    return transform_customer_gateways(
        ctx, list(ctx.paginate("ec2", "describe_customer_gateways", "CustomerGateways")))


def transform_vpn_connections(ctx: ScanContext, conns: list[dict[str, Any]]) -> Records:
    """VPN connections: tunnel health from VgwTelemetry; the customer config (PSKs) is never read."""
    out = ctx.records()
    for c in conns:
        if c.get("State") in ("deleted", "deleting"):
            continue
        vid = ident(out, c, "VpnConnectionId", "ec2", "ec2:DescribeVpnConnections", "a VPN connection")
        if not vid:
            continue
        arn = ctx.ec2_arn("vpn-connection", vid)
        tunnels = c.get("VgwTelemetry") or []
        opts = c.get("Options") or {}
        out.node(arn, "ec2:vpn-connection", name_of(c, vid), tags=tags_of(c), vpn_id=vid,
                 vgw_id=c.get("VpnGatewayId"), tgw_id=c.get("TransitGatewayId"), cgw_id=c.get("CustomerGatewayId"),
                 state=c.get("State"), tunnels_up=sum(1 for t in tunnels if t.get("Status") == "UP"),
                 tunnels=len(tunnels), static_routes_only=opts.get("StaticRoutesOnly"),
                 type=c.get("Type"))
        out.edge(ctx.region_node, arn, "contains")
        if c.get("VpnGatewayId"):
            out.edge(arn, ctx.ec2_arn("vpn-gateway", c["VpnGatewayId"]), "attached_to")
        if c.get("TransitGatewayId"):
            out.edge(arn, ctx.ec2_arn("transit-gateway", c["TransitGatewayId"]), "attached_to")
        if c.get("CustomerGatewayId"):
            out.edge(arn, ctx.ec2_arn("customer-gateway", c["CustomerGatewayId"]), "peers_with")
    return out


@collector("ec2.vpn_connections", "ec2", reads="ec2:DescribeVpnConnections")
def collect_vpn_connections(ctx: ScanContext) -> Records:
    return transform_vpn_connections(ctx, list(ctx.paginate("ec2", "describe_vpn_connections", "VpnConnections")))


# --- Direct Connect ------------------------------------------------------------------------
def transform_virtual_interfaces(ctx: ScanContext, vifs: list[dict[str, Any]]) -> Records:
    """Direct Connect virtual interfaces; the BGP ``authKey`` is deliberately not kept."""
    out = ctx.records()
    for v in vifs:
        if v.get("virtualInterfaceState") in ("deleted", "deleting", "rejected"):
            continue
        vid = ident(out, v, "virtualInterfaceId", "directconnect", "directconnect:DescribeVirtualInterfaces",
                    "a virtual interface")
        if not vid:
            continue
        arn = ctx.arn("directconnect", f"dxvif/{vid}", account=v.get("ownerAccount") or ctx.account)
        out.node(arn, "directconnect:virtual-interface", v.get("virtualInterfaceName") or vid, tags=tags_of(v.get("tags")),
                 vif_id=vid, type=v.get("virtualInterfaceType"), vlan=v.get("vlan"),
                 state=v.get("virtualInterfaceState"), vgw_id=v.get("virtualGatewayId") or None,
                 dxgw_id=v.get("directConnectGatewayId") or None, connection_id=v.get("connectionId"),
                 asn=v.get("asn"), amazon_side_asn=v.get("amazonSideAsn"), location=v.get("location"),
                 bgp_up=sum(1 for p in v.get("bgpPeers") or [] if p.get("bgpStatus") == "up"))
        out.edge(ctx.region_node, arn, "contains")
        if v.get("virtualGatewayId"):
            out.edge(arn, ctx.ec2_arn("vpn-gateway", v["virtualGatewayId"]), "attached_to")
    return out


@collector("directconnect.virtual_interfaces", "directconnect", reads="directconnect:DescribeVirtualInterfaces")
def collect_virtual_interfaces(ctx: ScanContext) -> Records:
    return transform_virtual_interfaces(
        ctx, list(ctx.paginate("directconnect", "describe_virtual_interfaces", "virtualInterfaces")))

"""Recorded shapes for scanner/collectors/network_transit.py (TGW, VPN, Direct Connect)."""

from __future__ import annotations

from scanner.collectors import network_transit as t
from tests.test_recorded_shapes import Case, items

F = "network_transit"


def _vpc_subnets(r: dict) -> dict:
    return {v.get("TransitGatewayAttachmentId"): list(v.get("SubnetIds") or [])
            for v in items(r, "DescribeTransitGatewayVpcAttachments", "TransitGatewayVpcAttachments")}


def _tgw_tables(ctx, r: dict):
    tables = items(r, "DescribeTransitGatewayRouteTables", "TransitGatewayRouteTables")
    routes = t.tgw_routes(items(r, "SearchTransitGatewayRoutes", "Routes"))
    assocs = items(r, "GetTransitGatewayRouteTableAssociations", "Associations")
    ids = [x.get("TransitGatewayRouteTableId") for x in tables]
    return t.transform_tgw_route_tables(ctx, tables, {i: routes for i in ids}, {i: assocs for i in ids})


CASES = [
    Case(F, t.transform_transit_gateways, ("ec2:DescribeTransitGateways",),
         lambda ctx, r: t.transform_transit_gateways(ctx, items(r, "DescribeTransitGateways", "TransitGateways")),
         names=("DescribeTransitGateways:TransitGateways[].TransitGatewayId",)),
    Case(F, t.transform_tgw_attachments,
         ("ec2:DescribeTransitGatewayAttachments", "ec2:DescribeTransitGatewayVpcAttachments"),
         lambda ctx, r: t.transform_tgw_attachments(
             ctx, items(r, "DescribeTransitGatewayAttachments", "TransitGatewayAttachments"), _vpc_subnets(r)),
         names=("DescribeTransitGatewayAttachments:TransitGatewayAttachments[].TransitGatewayAttachmentId",)),
    Case(F, t.transform_tgw_route_tables,
         ("ec2:DescribeTransitGatewayRouteTables", "ec2:SearchTransitGatewayRoutes",
          "ec2:GetTransitGatewayRouteTableAssociations"), _tgw_tables,
         names=("DescribeTransitGatewayRouteTables:TransitGatewayRouteTables[].TransitGatewayRouteTableId",)),
    Case(F, t.transform_vpn_gateways, ("ec2:DescribeVpnGateways",),
         lambda ctx, r: t.transform_vpn_gateways(ctx, items(r, "DescribeVpnGateways", "VpnGateways")),
         names=("DescribeVpnGateways:VpnGateways[].VpnGatewayId",)),
    Case(F, t.transform_customer_gateways, ("ec2:DescribeCustomerGateways",),
         lambda ctx, r: t.transform_customer_gateways(ctx, items(r, "DescribeCustomerGateways", "CustomerGateways")),
         names=("DescribeCustomerGateways:CustomerGateways[].CustomerGatewayId",)),
    Case(F, t.transform_vpn_connections, ("ec2:DescribeVpnConnections",),
         lambda ctx, r: t.transform_vpn_connections(ctx, items(r, "DescribeVpnConnections", "VpnConnections")),
         names=("DescribeVpnConnections:VpnConnections[].VpnConnectionId",),
         allow_enum={"tunnels_up": "counts the tunnels AWS reports UP; a status added later is not counted as up"}),
    Case(F, t.transform_virtual_interfaces, ("directconnect:DescribeVirtualInterfaces",),
         lambda ctx, r: t.transform_virtual_interfaces(
             ctx, items(r, "DescribeVirtualInterfaces", "virtualInterfaces")),
         names=("DescribeVirtualInterfaces:virtualInterfaces[].virtualInterfaceId",),
         allow_enum={"bgp_up": "counts the BGP peers AWS reports up; a status added later is not counted as up"}),
]

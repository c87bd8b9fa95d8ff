"""Recorded shapes for scanner/collectors/network.py, network_gateways.py and network_endpoints.py
(VPCs, subnets, routing, gateways, SGs, endpoints, ...)."""

from __future__ import annotations

from scanner.collectors import network as n
from scanner.collectors import network_endpoints as ep
from scanner.collectors import network_gateways as gw
from tests.test_recorded_shapes import Case, context, items

F = "network"


def _entries(r: dict) -> dict:
    lists = items(r, "DescribeManagedPrefixLists", "PrefixLists")
    got = [e["Cidr"] for e in items(r, "GetManagedPrefixListEntries", "Entries") if e.get("Cidr")]
    return {pl.get("PrefixListId"): got for pl in lists}


CASES = [
    Case(F, n.transform_vpcs, ("ec2:DescribeVpcs",),
         lambda ctx, r: n.transform_vpcs(ctx, items(r, "DescribeVpcs", "Vpcs")),
         names=("DescribeVpcs:Vpcs[].VpcId",)),
    Case(F, n.transform_subnets, ("ec2:DescribeSubnets",),
         lambda ctx, r: n.transform_subnets(ctx, items(r, "DescribeSubnets", "Subnets")),
         names=("DescribeSubnets:Subnets[].SubnetId",)),
    Case(F, n.transform_route_tables, ("ec2:DescribeRouteTables",),
         lambda ctx, r: n.transform_route_tables(ctx, items(r, "DescribeRouteTables", "RouteTables")),
         names=("DescribeRouteTables:RouteTables[].RouteTableId",)),
    Case(F, gw.transform_internet_gateways, ("ec2:DescribeInternetGateways",),
         lambda ctx, r: gw.transform_internet_gateways(ctx, items(r, "DescribeInternetGateways", "InternetGateways")),
         names=("DescribeInternetGateways:InternetGateways[].InternetGatewayId",)),
    Case(F, gw.transform_egress_only_igws, ("ec2:DescribeEgressOnlyInternetGateways",),
         lambda ctx, r: gw.transform_egress_only_igws(
             ctx, items(r, "DescribeEgressOnlyInternetGateways", "EgressOnlyInternetGateways")),
         names=("DescribeEgressOnlyInternetGateways:EgressOnlyInternetGateways[].EgressOnlyInternetGatewayId",)),
    Case(F, gw.transform_nat_gateways, ("ec2:DescribeNatGateways",),
         lambda ctx, r: gw.transform_nat_gateways(ctx, items(r, "DescribeNatGateways", "NatGateways")),
         names=("DescribeNatGateways:NatGateways[].NatGatewayId",),
         allow={"connectivity": "NAT gateways made before private NAT existed carry no ConnectivityType: public"}),
    Case(F, gw.transform_addresses, ("ec2:DescribeAddresses",),
         lambda ctx, r: gw.transform_addresses(ctx, items(r, "DescribeAddresses", "Addresses")),
         names=("DescribeAddresses:Addresses[].AllocationId",)),
    Case(F, n.transform_security_groups, ("ec2:DescribeSecurityGroups",),
         lambda ctx, r: n.transform_security_groups(ctx, items(r, "DescribeSecurityGroups", "SecurityGroups")),
         names=("DescribeSecurityGroups:SecurityGroups[].GroupId",)),
    Case(F, n.transform_network_acls, ("ec2:DescribeNetworkAcls",),
         lambda ctx, r: n.transform_network_acls(ctx, items(r, "DescribeNetworkAcls", "NetworkAcls")),
         names=("DescribeNetworkAcls:NetworkAcls[].NetworkAclId",)),
    Case(F, gw.transform_peerings, ("ec2:DescribeVpcPeeringConnections",),
         lambda ctx, r: gw.transform_peerings(ctx, items(r, "DescribeVpcPeeringConnections", "VpcPeeringConnections")),
         names=("DescribeVpcPeeringConnections:VpcPeeringConnections[].VpcPeeringConnectionId",)),
    Case(F, ep.transform_vpc_endpoints, ("ec2:DescribeVpcEndpoints",),
         lambda ctx, r: ep.transform_vpc_endpoints(ctx, items(r, "DescribeVpcEndpoints", "VpcEndpoints")),
         names=("DescribeVpcEndpoints:VpcEndpoints[].VpcEndpointId",)),
    Case(F, ep.transform_flow_logs, ("ec2:DescribeFlowLogs",),
         lambda ctx, r: ep.transform_flow_logs(ctx, items(r, "DescribeFlowLogs", "FlowLogs")),
         names=("DescribeFlowLogs:FlowLogs[].FlowLogId",),
         allow={"destination_type": "flow logs made before S3/Firehose destinations carry no "
                                    "LogDestinationType: CloudWatch Logs (LogGroupName)"},
         allow_enum={"destination": "an unknown destination type keeps the LogDestination AWS gave, as is"}),
    Case(F, ep.transform_prefix_lists, ("ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"),
         lambda ctx, r: ep.transform_prefix_lists(ctx, items(r, "DescribeManagedPrefixLists", "PrefixLists"),
                                                 _entries(r)),
         names=("DescribeManagedPrefixLists:PrefixLists[].PrefixListId",)),
    Case(F, ep.transform_network_interfaces, ("ec2:DescribeNetworkInterfaces",),
         lambda ctx, r: ep.transform_network_interfaces(
             ctx, items(r, "DescribeNetworkInterfaces", "NetworkInterfaces")),
         names=("DescribeNetworkInterfaces:NetworkInterfaces[].NetworkInterfaceId",)),
]


def test_a_state_aws_adds_later_is_kept_raw_and_the_gateway_kept() -> None:
    """A NAT gateway or attachment in a state this code does not know stays in the graph, as AWS said."""
    c = context()
    out = gw.transform_nat_gateways(c, [{"NatGatewayId": "nat-1", "State": "pending-future"}])
    assert out.nodes[0].props["state"] == "pending-future"
    igw = gw.transform_internet_gateways(c, [{"InternetGatewayId": "igw-1",
                                             "Attachments": [{"VpcId": "vpc-1", "State": "pending-future"}]}])
    assert igw.nodes[0].props["vpc_ids"] == ["vpc-1"]


def test_an_item_without_its_id_is_left_out_and_said() -> None:
    out = n.transform_vpcs(context(), [{"CidrBlock": "10.0.0.0/16", "IsDefault": None}])
    assert out.nodes == [] and [g.action for g in out.gaps] == ["ec2:DescribeVpcs"]
    assert "VpcId" in out.gaps[0].reason and "not understood" in out.gaps[0].reason
    sub = n.transform_subnets(context(), [{"SubnetId": "subnet-1", "MapPublicIpOnLaunch": None}])
    assert sub.nodes[0].props["map_public_ip"] is None   # not said is not "no"


#: the modules of the network family (split by what they hold; the sweep in test_recorded_all reads network.py only)
MODULES = ("scanner.collectors.network", "scanner.collectors.network_gateways", "scanner.collectors.network_endpoints")


def test_every_transform_of_the_family_modules_has_a_case() -> None:
    from tests.test_recorded_serverless import check_coverage

    check_coverage(CASES, MODULES, F)

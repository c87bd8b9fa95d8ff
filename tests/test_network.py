"""Network family: VPCs, subnets, routing, gateways, security groups, NACLs, TGW, VPN, DX.

Three layers: transforms fed recorded API-shaped dicts (no moto), the derive
pass on hand-built inventories, and the whole scan of the sample account in
moto with the document sections a reader checks (2.1, 2.2, 2.3, 5.2).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from renderers.facts import network as nf
from scanner.collectors import network as net
from scanner.collectors import network_endpoints as endpoints
from scanner.collectors import network_gateways as gateways
from scanner.collectors import network_transit as transit
from scanner.context import ScanContext
from scanner.derive import network as dnet
from scanner.fact import Fact
from scanner.inventory import Inventory, Records
from tests.conftest import section

ACCT = "123456789012"


def ctx(region: str = "us-east-1", session: Any = None) -> ScanContext:
    return ScanContext(session, region, ACCT)


def inventory(*records: Records) -> Inventory:
    inv = Inventory()
    inv.merge(records)
    return inv


def arn(rtype: str, rid: str, region: str = "us-east-1") -> str:
    return f"arn:aws:ec2:{region}:{ACCT}:{rtype}/{rid}"


# --- transforms from API-shaped dicts ---------------------------------------------------
def test_route_table_targets_edges_and_associations() -> None:
    raw = [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
            "Associations": [{"Main": False, "SubnetId": "subnet-a", "AssociationState": {"State": "associated"}},
                             {"Main": False, "SubnetId": "subnet-old", "AssociationState": {"State": "disassociated"}}],
            "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                       {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"},
                       {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"},
                       {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-1"},
                       {"DestinationCidrBlock": "10.9.0.0/16", "InstanceId": "i-1", "NetworkInterfaceId": "eni-1"},
                       {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-1"}]}]
    rec = net.transform_route_tables(ctx(), raw)
    node = rec.nodes[0]
    assert node.props["subnet_ids"] == ["subnet-a"]          # the disassociated subnet is gone
    assert node.props["main"] is False
    types = {r["dest"]: r["target_type"] for r in node.props["routes"]}
    assert types == {"10.0.0.0/16": "local", "0.0.0.0/0": "igw", "::/0": "eigw", "10.1.0.0/16": "pcx",
                     "10.9.0.0/16": "instance", "pl-s3": "vpce"}
    edges = {(e.dst, e.rel, e.props.get("dest")) for e in rec.edges}
    assert (arn("internet-gateway", "igw-1"), "routes_to", "0.0.0.0/0") in edges
    assert (arn("egress-only-internet-gateway", "eigw-1"), "routes_to", "::/0") in edges
    assert (arn("instance", "i-1"), "routes_to", "10.9.0.0/16") in edges   # instance preferred over its ENI
    assert (arn("vpc-endpoint", "vpce-1"), "routes_to", "pl-s3") in edges
    assert (arn("subnet", "subnet-a"), "associated_with", None) in edges
    assert not any("local" in e.dst for e in rec.edges)


def test_security_group_rules_become_props_and_deduplicated_allows_edges() -> None:
    raw = [{"GroupId": "sg-web", "GroupName": "web", "VpcId": "vpc-1", "Description": "web",
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                 "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "a"}, {"CidrIp": "0.0.0.0/0", "Description": "b"}],
                 "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
                {"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]},
                {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-peer", "UserId": "999988887777"}]},
                {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "PrefixListIds": [{"PrefixListId": "pl-1"}]}],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]
    rec = net.transform_security_groups(ctx(), raw)
    sg = next(n for n in rec.nodes if n.kind == "ec2:security-group")
    assert {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "10.20.0.0/16", "description": None} \
        in sg.props["ingress"]
    all_traffic = next(r for r in sg.props["ingress"] if r.get("group_id"))
    assert all_traffic["protocol"] == "-1" and all_traffic["from_port"] is None
    inv = inventory(rec)
    sg_id = arn("security-group", "sg-web")
    internet = [d["props"] for s, t, d in inv.edges("allows") if s == "internet" and t == sg_id]
    assert internet == [{"protocol": "tcp", "from_port": 443, "to_port": 443, "direction": "ingress"}]
    sources = {s for s, t, _ in inv.edges("allows") if t == sg_id}
    assert sources == {"internet", "cidr:10.20.0.0/16", arn("prefix-list", "pl-1"),
                       "arn:aws:ec2:us-east-1:999988887777:security-group/sg-peer"}
    assert inv.node("cidr:10.20.0.0/16")["kind"] == "net:cidr"
    assert inv.node("arn:aws:ec2:us-east-1:999988887777:security-group/sg-peer")["external"] is True


def test_transforms_survive_minimal_and_odd_records() -> None:
    """Only the id keys present (as some API versions and partial reads return): no KeyError."""
    c = ctx()
    net.transform_vpcs(c, [{"VpcId": "vpc-1"}])
    net.transform_subnets(c, [{"SubnetId": "subnet-1"}])
    net.transform_route_tables(c, [{"RouteTableId": "rtb-1", "Routes": [{}]}])
    gateways.transform_internet_gateways(c, [{"InternetGatewayId": "igw-1"}])
    gateways.transform_egress_only_igws(c, [{"EgressOnlyInternetGatewayId": "eigw-1"}])
    gateways.transform_nat_gateways(c, [{"NatGatewayId": "nat-1"}, {"NatGatewayId": "nat-2", "State": "deleted"}])
    gateways.transform_addresses(c, [{"PublicIp": "198.51.100.1", "InstanceId": ""}, {}])
    net.transform_security_groups(c, [{"GroupId": "sg-1"}])
    net.transform_network_acls(c, [{"NetworkAclId": "acl-1", "Entries": [{"RuleNumber": 1}]}])
    gateways.transform_peerings(c, [{"VpcPeeringConnectionId": "pcx-1"}])
    endpoints.transform_vpc_endpoints(c, [{"VpcEndpointId": "vpce-1"}])
    endpoints.transform_flow_logs(c, [{"FlowLogId": "fl-1"}])
    endpoints.transform_prefix_lists(c, [{"PrefixListId": "pl-1"}], {})
    transit.transform_transit_gateways(c, [{"TransitGatewayId": "tgw-1"}])
    transit.transform_tgw_attachments(c, [{"TransitGatewayAttachmentId": "tgw-attach-1"}], {})
    transit.transform_tgw_route_tables(c, [{"TransitGatewayRouteTableId": "tgw-rtb-1"}], {}, {})
    transit.transform_vpn_gateways(c, [{"VpnGatewayId": "vgw-1"}])
    transit.transform_customer_gateways(c, [{"CustomerGatewayId": "cgw-1", "BgpAsn": "65000"}])
    transit.transform_vpn_connections(c, [{"VpnConnectionId": "vpn-1"}])
    transit.transform_virtual_interfaces(c, [{"virtualInterfaceId": "dxvif-1"}])
    eip = gateways.transform_addresses(c, [{"PublicIp": "198.51.100.1", "InstanceId": ""}])
    assert eip.nodes[0].props["instance_id"] is None and not any(e.rel == "associated_with" for e in eip.edges)


def test_vpc_cidrs_skip_disassociated_blocks() -> None:
    rec = net.transform_vpcs(ctx(), [{
        "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [{"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
                                    {"CidrBlock": "10.5.0.0/16", "CidrBlockState": {"State": "disassociated"}}],
        "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18::/56",
                                         "Ipv6CidrBlockState": {"State": "associated"}}]}])
    assert rec.nodes[0].props["cidrs"] == ["10.0.0.0/16"]
    assert rec.nodes[0].props["ipv6_cidrs"] == ["2600:1f18::/56"]


def test_vpn_connection_never_keeps_the_customer_configuration() -> None:
    secret = "PSK-super-secret-value"
    raw = [{"VpnConnectionId": "vpn-1", "CustomerGatewayId": "cgw-1", "VpnGatewayId": "vgw-1", "State": "available",
            "CustomerGatewayConfiguration": f"<vpn_connection><pre_shared_key>{secret}</pre_shared_key></vpn_connection>",
            "Options": {"StaticRoutesOnly": False},
            "VgwTelemetry": [{"Status": "UP"}, {"Status": "DOWN"}]}]
    rec = transit.transform_vpn_connections(ctx(), raw)
    assert secret not in json.dumps([n.__dict__ for n in rec.nodes], default=str)
    props = rec.nodes[0].props
    assert (props["tunnels_up"], props["tunnels"], props["static_routes_only"]) == (1, 2, False)
    assert {(e.dst, e.rel) for e in rec.edges} >= {(arn("vpn-gateway", "vgw-1"), "attached_to"),
                                                   (arn("customer-gateway", "cgw-1"), "peers_with")}


def test_direct_connect_virtual_interfaces_with_stubber() -> None:
    """moto does not implement DescribeVirtualInterfaces: the collector is tested with botocore's Stubber."""
    session = boto3.Session(region_name="us-east-1")
    c = ctx(session=session)
    client = c.client("directconnect")
    stub = Stubber(client)
    stub.add_response("describe_virtual_interfaces", {"virtualInterfaces": [
        {"virtualInterfaceId": "dxvif-abc", "virtualInterfaceName": "to-dc", "virtualInterfaceType": "private",
         "vlan": 101, "virtualInterfaceState": "available", "virtualGatewayId": "vgw-1", "ownerAccount": ACCT,
         "authKey": "bgp-md5-secret", "bgpPeers": [{"bgpStatus": "up"}]},
        {"virtualInterfaceId": "dxvif-old", "virtualInterfaceState": "deleted"}]})
    with stub:
        rec = transit.collect_virtual_interfaces(c)
    assert [n.props["vif_id"] for n in rec.nodes] == ["dxvif-abc"]
    assert rec.nodes[0].props["vlan"] == 101 and rec.nodes[0].props["bgp_up"] == 1
    assert "bgp-md5-secret" not in json.dumps([n.__dict__ for n in rec.nodes], default=str)
    assert (arn("vpn-gateway", "vgw-1"), "attached_to") in {(e.dst, e.rel) for e in rec.edges}


def test_prefix_list_entries_denied_is_a_gap_not_a_failure() -> None:
    """Stubber: the list call works, the per-list entries read is refused."""
    session = boto3.Session(region_name="us-east-1")
    c = ctx(session=session)
    stub = Stubber(c.client("ec2"))
    stub.add_response("describe_managed_prefix_lists", {"PrefixLists": [
        {"PrefixListId": "pl-mine", "PrefixListName": "office", "OwnerId": ACCT},
        {"PrefixListId": "pl-aws", "PrefixListName": "com.amazonaws.us-east-1.s3", "OwnerId": "AWS"}]})
    stub.add_client_error("get_managed_prefix_list_entries", "UnauthorizedOperation", "not allowed")
    with stub:
        rec = endpoints.collect_prefix_lists(c)
    mine = next(n for n in rec.nodes if n.props["prefix_list_id"] == "pl-mine")
    assert mine.props["cidrs"] is None and mine.props["aws_managed"] is False
    assert [(g.action, g.resource) for g in rec.gaps] == [("ec2:GetManagedPrefixListEntries", "pl-mine")]
    stub.assert_no_pending_responses()      # the AWS-managed list's entries were not fetched


def test_tgw_route_tables_routes_and_associations() -> None:
    rec = transit.transform_tgw_route_tables(
        ctx(), [{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1",
                 "DefaultAssociationRouteTable": True}],
        {"tgw-rtb-1": transit.tgw_routes([
            {"DestinationCidrBlock": "10.0.0.0/16", "Type": "propagated", "State": "active",
             "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "ResourceType": "vpc"}]},
            {"DestinationCidrBlock": "10.66.0.0/16", "Type": "static", "State": "blackhole"}])},
        {"tgw-rtb-1": [{"TransitGatewayAttachmentId": "tgw-attach-1"}]})
    p = rec.nodes[0].props
    assert p["associations"] == ["tgw-attach-1"]
    assert [(r["dest"], r["target_type"]) for r in p["routes"]] == [("10.0.0.0/16", "vpc"), ("10.66.0.0/16", "blackhole")]
    assert (arn("transit-gateway-attachment", "tgw-attach-1"), "routes_to") in {(e.dst, e.rel) for e in rec.edges}
    att = transit.transform_tgw_attachments(ctx(), [{"TransitGatewayAttachmentId": "tgw-attach-1",
                                                     "TransitGatewayId": "tgw-1", "ResourceType": "vpc",
                                                     "ResourceId": "vpc-9", "State": "available"}], {})
    row = nf.tgw_route_table_rows(inventory(rec, att))[0]
    assert row[3] == "vpc vpc-9"
    assert row[4] == "10.0.0.0/16 → vpc vpc-9 (propagated); 10.66.0.0/16 → blackhole (static)"


def test_flow_log_destinations() -> None:
    rec = endpoints.transform_flow_logs(ctx(), [
        {"FlowLogId": "fl-1", "ResourceId": "vpc-1", "LogDestinationType": "cloud-watch-logs", "LogGroupName": "/vpc/x"},
        {"FlowLogId": "fl-2", "ResourceId": "subnet-1", "LogDestinationType": "s3",
         "LogDestination": "arn:aws:s3:::flow-bucket/prefix/"}])
    logs_to = {(e.src, e.dst) for e in rec.edges if e.rel == "logs_to"}
    assert logs_to == {(arn("vpc", "vpc-1"), f"arn:aws:logs:us-east-1:{ACCT}:log-group:/vpc/x"),
                       (arn("subnet", "subnet-1"), "arn:aws:s3:::flow-bucket")}


def test_network_interfaces_and_their_owners() -> None:
    c = ctx()
    enis = endpoints.transform_network_interfaces(c, [
        {"NetworkInterfaceId": "eni-web", "SubnetId": "subnet-1", "VpcId": "vpc-1", "InterfaceType": "interface",
         "Attachment": {"InstanceId": "i-1"}, "Association": {"PublicIp": "198.51.100.7"},
         "Groups": [{"GroupId": "sg-1"}], "Ipv6Addresses": [{"Ipv6Address": "2600::1"}]},
        {"NetworkInterfaceId": "eni-nat", "SubnetId": "subnet-1", "InterfaceType": "interface",
         "Association": {"PublicIp": "198.51.100.8"}},
        {"NetworkInterfaceId": "eni-rds", "SubnetId": "subnet-2", "RequesterManaged": True,
         "Attachment": {"InstanceOwnerId": "amazon-rds"}}])
    nat = gateways.transform_nat_gateways(c, [{"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "State": "available",
                                          "NatGatewayAddresses": [{"NetworkInterfaceId": "eni-nat",
                                                                   "PublicIp": "198.51.100.8"}]}])
    inv = inventory(enis, nat)
    dnet.service_interfaces(inv)
    web = inv.node(arn("network-interface", "eni-web"))
    assert web["props"]["attached_to"] == "i-1" and web["props"]["ipv6_ips"] == ["2600::1"]
    assert {n["id"] for n in inv.out(web["id"])} == {arn("subnet", "subnet-1"), arn("security-group", "sg-1"),
                                                     arn("instance", "i-1")}
    natp = inv.node(arn("network-interface", "eni-nat"))["props"]
    assert (natp["interface_type"], natp["attached_to"]) == ("nat_gateway", "nat-1")
    rds = inv.node(arn("network-interface", "eni-rds"))["props"]
    assert rds["attached_to"] == "amazon-rds" and rds["requester_managed"] is True
    rows = nf.public_interface_rows(inv)
    assert [r[1] for r in rows] == ["eni-web"]          # the NAT's own address is listed with the NAT
    assert rows[0][5] == "198.51.100.7, 2600::1"


# --- derive ---------------------------------------------------------------------------
def _routing_inventory(blackhole: bool = False) -> Inventory:
    c = ctx()
    recs = [
        net.transform_vpcs(c, [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]),
        net.transform_subnets(c, [{"SubnetId": s, "VpcId": "vpc-1", "AvailabilityZone": az}
                                  for s, az in (("subnet-pub", "us-east-1a"), ("subnet-priv", "us-east-1a"),
                                                ("subnet-main", "us-east-1b"))]),
        net.transform_route_tables(c, [
            {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": True}],
             "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1",
                         "State": "blackhole" if blackhole else "active"}]},
            {"RouteTableId": "rtb-pub", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-pub"}],
             "Routes": [{"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "State": "active"}]},
            {"RouteTableId": "rtb-priv", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-priv"}],
             "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}]}]),
        net.transform_network_acls(c, [{"NetworkAclId": "acl-1", "VpcId": "vpc-1",
                                        "Associations": [{"SubnetId": "subnet-priv"}]}]),
        gateways.transform_nat_gateways(c, [{"NatGatewayId": "nat-1", "SubnetId": "subnet-pub", "State": "available"}]),
    ]
    inv = inventory(*recs)
    for _, fn in sorted(d for d in dnet.__dict__.items() if d[0] in ("subnet_routing", "subnet_nacls",
                                                                    "nat_gateway_azs")):
        fn(inv)
    return inv


def test_derive_public_private_and_main_table() -> None:
    inv = _routing_inventory()
    p = {n["props"]["subnet_id"]: n["props"] for n in inv.nodes("ec2:subnet")}
    assert p["subnet-pub"]["public"] is True           # IPv6 default route to an IGW counts
    assert p["subnet-priv"]["public"] is False and p["subnet-priv"]["route_table_id"] == "rtb-priv"
    assert p["subnet-main"]["route_table_id"] == "rtb-main" and p["subnet-main"]["public"] is True
    assert p["subnet-priv"]["network_acl_id"] == "acl-1" and p["subnet-pub"]["network_acl_id"] is None
    implicit = [(s, d["props"]) for s, t, d in inv.edges("associated_with") if t == arn("subnet", "subnet-main")]
    assert implicit == [(arn("route-table", "rtb-main"), {"implicit": True})]
    assert inv.node(arn("natgateway", "nat-1"))["props"]["az"] == "us-east-1a"


def test_derive_blackhole_default_route_is_not_public() -> None:
    inv = _routing_inventory(blackhole=True)
    assert inv.node(arn("subnet", "subnet-main"))["props"]["public"] is False


def test_derive_leaves_public_unknown_without_route_tables() -> None:
    inv = inventory(net.transform_subnets(ctx(), [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}]))
    dnet.subnet_routing(inv)
    assert inv.node(arn("subnet", "subnet-1"))["props"]["public"] is None


def test_cross_region_peering_is_one_node_and_routes_follow_it() -> None:
    raw = [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
            "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": ACCT, "Region": "us-east-1", "CidrBlock": "10.0.0.0/16"},
            "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": ACCT, "Region": "eu-west-1", "CidrBlock": "10.1.0.0/16"}}]
    east, west = gateways.transform_peerings(ctx("us-east-1"), raw), gateways.transform_peerings(ctx("eu-west-1"), raw)
    assert east.nodes[0].id == west.nodes[0].id == arn("vpc-peering-connection", "pcx-1")
    rt = net.transform_route_tables(ctx("eu-west-1"), [{"RouteTableId": "rtb-w", "Routes": [
        {"DestinationCidrBlock": "10.0.0.0/16", "VpcPeeringConnectionId": "pcx-1"}]}])
    inv = inventory(east, west, rt)
    dnet.peering_routes(inv)
    targets = [t for s, t, _ in inv.edges("routes_to") if s == arn("route-table", "rtb-w", "eu-west-1")]
    assert targets == [arn("vpc-peering-connection", "pcx-1")]
    assert arn("vpc-peering-connection", "pcx-1", "eu-west-1") not in inv.graph
    assert inv.node(arn("vpc-peering-connection", "pcx-1"))["kind"] == "ec2:vpc-peering"


# --- facts -------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "text"), [
    ({"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"}, "tcp/443 from 0.0.0.0/0"),
    ({"protocol": "tcp", "from_port": 1024, "to_port": 65535, "ipv6_cidr": "::/0"}, "tcp/1024-65535 from ::/0"),
    ({"protocol": "-1", "from_port": None, "to_port": None, "group_id": "sg-1"}, "all traffic from SG sg-1"),
    ({"protocol": "udp", "from_port": 0, "to_port": 65535, "prefix_list": "pl-1"}, "udp/all from prefix list pl-1"),
    ({"protocol": "icmp", "from_port": 8, "to_port": -1, "cidr": "10.0.0.0/8"}, "icmp/type 8 from 10.0.0.0/8"),
])
def test_rule_text(rule: dict[str, Any], text: str) -> None:
    assert nf.rule_text(rule) == text


@pytest.mark.parametrize(("routes", "public", "tier"), [
    ([{"dest": "0.0.0.0/0", "target_type": "igw", "state": "active"}], True, "public"),
    ([{"dest": "0.0.0.0/0", "target_type": "nat", "state": "active"}], False, "private (NAT)"),
    ([{"dest": "0.0.0.0/0", "target_type": "tgw", "state": "active"}], False, "private (routed)"),
    ([{"dest": "0.0.0.0/0", "target_type": "nat", "state": "blackhole"}], False, "private (isolated)"),
    ([{"dest": "::/0", "target_type": "eigw", "state": "active"}], False, "private (IPv6 egress only)"),
    ([], False, "private (isolated)"),
])
def test_subnet_tier(routes: list[dict[str, Any]], public: bool, tier: str) -> None:
    """Public or private is the judged fact; the route table only says which kind of private."""
    fact = Fact("yes" if public else "no")
    assert nf.subnet_tier(fact, {"props": {"routes": routes}}) == tier
    # an internet route does not make a subnet public again when its fact is unknown
    igw = {"props": {"routes": [{"dest": "0.0.0.0/0", "target_type": "igw", "state": "active"}]}}
    assert nf.subnet_tier(Fact("unknown", "route tables not read"), igw) == "unknown (route tables not read)"
    assert nf.subnet_tier(Fact("unknown", "x"), None, why=False) == "unknown"


def test_layout_sentence_and_name_groups() -> None:
    assert nf.name_group("app-a", "subnet-1") == "app"
    assert nf.name_group("data-us-east-1b", "subnet-1") == "data"
    assert nf.name_group("subnet-1", "subnet-1") is None
    tiers = [(az, t, "x") for az in ("a", "b") for t in ("public", "app", "data")]
    assert nf.layout_sentence(tiers).startswith("2 AZs x 3 tiers (public, app, data")
    assert "one subnet per tier" in nf.layout_sentence(tiers)
    assert "one subnet per tier" not in nf.layout_sentence(tiers[:-1])


def test_default_nacl_entries_are_recognised() -> None:
    assert nf.is_default_nacl_entry({"rule": 32767, "action": "deny", "protocol": "-1", "cidr": "0.0.0.0/0"})
    assert nf.is_default_nacl_entry({"rule": 100, "action": "allow", "protocol": "-1", "cidr": "0.0.0.0/0"})
    assert not nf.is_default_nacl_entry({"rule": 100, "action": "allow", "protocol": "tcp", "cidr": "0.0.0.0/0"})


# --- the sample account in moto --------------------------------------------------------------
def node_by_name(inv: Inventory, kind: str, name: str) -> dict[str, Any]:
    return next(n for n in inv.nodes(kind) if n["name"] == name)


def vpc_row(doc: str, cidr: str) -> str:
    return next(line for line in section(doc, "2.1").splitlines() if f"| {cidr} |" in line)


def test_sample_vpc_design(sample: SimpleNamespace) -> None:
    row = vpc_row(sample.doc, "10.0.0.0/16")
    assert "web-platform-prod" in row and "us-east-1a, us-east-1b" in row
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[-1] == "yes"                       # flow logs on
    assert "::/56" in cells[3]                      # the Amazon-provided IPv6 block
    text = section(sample.doc, "2.1")
    assert "Peering prod-to-dr" in text and "web-platform-dr" in text
    assert "Transit gateway shared-tgw" in text


def test_sample_subnet_tiers(sample: SimpleNamespace) -> None:
    text = section(sample.doc, "2.2")
    rows = {line.split("|")[1].strip().split(" ")[0]: line for line in text.splitlines()
            if line.startswith("| ") and "subnet-" in line}
    for name in ("public-a", "public-b"):
        assert "| public |" in rows[name]
    for name in ("app-a", "app-b", "data-a", "data-b"):
        assert "| private (NAT) |" in rows[name]
    assert "2 AZs x 3 tiers (public, app, data" in text
    inv = sample.inv
    assert node_by_name(inv, "ec2:subnet", "public-a")["props"]["public"] is True
    assert node_by_name(inv, "ec2:subnet", "data-a")["props"]["network_acl_id"] == sample.ids["data_nacl_id"]


def test_sample_connectivity(sample: SimpleNamespace) -> None:
    text = section(sample.doc, "2.3")
    nat_rows = [line for line in text.splitlines() if line.startswith("| us-east-1 | us-east-1")]
    assert len(nat_rows) == 2
    assert any("| us-east-1a | nat-a" in r and "public-a" in r for r in nat_rows)
    assert any("| us-east-1b | nat-b" in r and "public-b" in r for r in nat_rows)
    eips = [n["props"]["public_ip"] for n in sample.inv.nodes("ec2:elastic-ip")
            if n["props"]["allocation_id"] in sample.ids["eip_allocation_ids"]]
    assert eips and all(ip in text for ip in eips)
    assert "uses a NAT gateway in the same AZ" in text
    for expected in ("web-platform-igw", "web-platform-eigw", "com.amazonaws.us-east-1.secretsmanager",
                     "shared-tgw", "office-vpn", "203.0.113.10"):
        assert expected in text, expected
    assert "0.0.0.0/0 → nat-a" in text and "::/0 → web-platform-eigw" in text


def test_sample_graph_edges(sample: SimpleNamespace) -> None:
    inv, ids = sample.inv, sample.ids
    vpc = arn("vpc", ids["vpc_id"])
    att = arn("transit-gateway-attachment", ids["tgw_attachment_id"])
    assert (vpc, att) in {(s, t) for s, t, _ in inv.edges("peers_with")}
    assert (att, arn("transit-gateway", ids["tgw_id"])) in {(s, t) for s, t, _ in inv.edges("peers_with")}
    vpce = arn("vpc-endpoint", ids["vpce_interface_id"])
    assert {n["id"] for n in inv.out(vpce, "in_subnet")} == {arn("subnet", s) for s in ids["app_subnet_ids"]}
    assert [n["id"] for n in inv.out(vpce, "protected_by")] == [arn("security-group", ids["endpoint_sg_id"])]
    assert [n["id"] for n in inv.out(vpc, "logs_to")] == \
        [f"arn:aws:logs:us-east-1:{ACCT}:log-group:/vpc/web-platform-prod/flow-logs"]
    assert arn("internet-gateway", ids["igw_id"]) in {n["id"] for n in inv.into(vpc, "attached_to")}
    nat = inv.node(arn("natgateway", ids["nat_gateway_ids"][0]))
    assert nat["props"]["az"] == "us-east-1a"
    pcx = arn("vpc-peering-connection", ids["peering_id"])
    assert inv.node(pcx)["props"]["status"] == "active"
    assert {n["region"] for n in inv.into(pcx, "routes_to")} == {"us-east-1", "eu-west-1"}   # both sides
    nat_enis = [inv.node(arn("network-interface", e)) for e in nat["props"]["eni_ids"]]
    assert nat_enis and all(e["props"]["interface_type"] == "nat_gateway" for e in nat_enis)


def test_sample_network_security(sample: SimpleNamespace) -> None:
    text = section(sample.doc, "5.2")
    alb_row = next(line for line in text.splitlines() if "| alb-sg (" in line)
    assert "tcp/443 from 0.0.0.0/0" in alb_row
    alb = arn("security-group", sample.ids["sg"]["alb"])
    internet = [d["props"] for s, t, d in sample.inv.edges("allows") if s == "internet" and t == alb]
    assert {"protocol": "tcp", "from_port": 443, "to_port": 443, "direction": "ingress"} in internet
    assert "alb-sg (" in text and "→ app-sg (" in text            # the SG-to-SG chain
    nacl_row = next(line for line in text.splitlines() if "| data-nacl (" in line)
    assert "allow tcp/5432 from 10.0.10.0/23" in nacl_row and "data-a" in nacl_row
    assert "corp-office" in text and "198.51.100.0/24" in text
    assert "Default security groups" in text


# --- a denied read ------------------------------------------------------------------------------
def _deny(operation: str):
    def hook(session: Any) -> None:
        def refuse(model: Any = None, **_: Any) -> Any:
            if model is not None and model.name == operation:
                body = {"Error": {"Code": "UnauthorizedOperation",
                                  "Message": f"You are not authorized to perform: ec2:{operation}"},
                        "ResponseMetadata": {"HTTPStatusCode": 403}}
                return SimpleNamespace(status_code=403, headers={}, text="", content=b""), body
            return None
        session.events.register("before-call.ec2", refuse)
    return hook


NETWORK_MODULES = ("scanner.collectors.network", "scanner.collectors.network_gateways",
                   "scanner.collectors.network_endpoints", "scanner.collectors.network_transit")


@pytest.fixture(scope="module")
def nat_denied(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The network part of the sample, scanned by the network collectors only (fast), NAT read denied."""
    from moto import mock_aws

    from fixtures.sample import build_sample
    from renderers.report import write_report
    from scanner.analysis import analyze
    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, verify_identity

    colls = [c for c in load_all() if c.fn.__module__ in NETWORK_MODULES]
    with mock_aws():
        ids = build_sample(parts=("network",))
        session = make_session(None, "us-east-1")
        _deny("DescribeNatGateways")(session)
        inv = scan(session, verify_identity(session), ["us-east-1"], collectors=colls, name="Net")
    analysis = analyze(inv, {})
    files = write_report(inv, analysis, Path(tmp_path_factory.mktemp("natdenied")), project_name="Net")
    return SimpleNamespace(ids=ids, inv=inv, doc=files.document.read_text(encoding="utf-8"))


def test_denied_nat_gateways_is_a_gap_in_2_3_only(nat_denied: SimpleNamespace) -> None:
    doc = nat_denied.doc
    s23 = section(doc, "2.3")
    assert "ec2.nat\\_gateways" in s23 and "ec2:DescribeNatGateways" in s23
    assert "| nat-a" not in s23 and "No NAT gateways were found" not in s23
    assert "NAT gateways not readable" in s23 and "0 NAT gateway" not in s23
    # the rest of section 2 is complete and does not blame the NAT read
    assert "| 10.0.0.0/16 |" in section(doc, "2.1") and "DescribeNatGateways" not in section(doc, "2.1")
    s22 = section(doc, "2.2")
    assert "2 AZs x 3 tiers" in s22 and "DescribeNatGateways" not in s22
    assert "web-platform-igw" in s23          # other connectivity still shown
    run = next(r for r in nat_denied.inv.runs("ec2") if r["collector"] == "ec2.nat_gateways")
    assert run["status"] == "denied"


def test_one_list_call_per_region_not_per_resource(nat_denied: SimpleNamespace) -> None:
    """Ten security groups, six subnets, five route tables: still one Describe call each."""
    calls = {r["collector"]: r["calls"] for r in nat_denied.inv.runs() if r["status"] == "ok"}
    for coll in ("ec2.security_groups", "ec2.subnets", "ec2.route_tables", "ec2.network_acls", "ec2.vpc_endpoints"):
        assert calls[coll] == 1, coll
    # per-list reads only for customer-managed prefix lists (one here), never for AWS-managed ones
    assert calls["ec2.prefix_lists"] == 2


def test_empty_account_says_so() -> None:
    from renderers.document import render_document
    from scanner.analysis.model import Analysis

    inv = Inventory(meta={"regions": ["us-east-1"], "runs": [
        {"collector": "ec2.vpcs", "service": "ec2", "region": "us-east-1", "status": "ok", "calls": 1}]})
    doc = render_document(inv, Analysis())
    assert "No VPCs were found in the scanned regions (us-east-1)" in section(doc, "2.1")
    assert "No subnets were found" in section(doc, "2.2")
    assert "No security groups or network ACLs were found" in section(doc, "5.2")
    assert "No internet gateways, NAT gateways" in section(doc, "2.3")


def test_denied_vpc_listing_is_not_reported_as_no_vpcs() -> None:
    from renderers.document import render_document
    from scanner.analysis.model import Analysis

    runs = [{"collector": "ec2.vpcs", "service": "ec2", "region": "us-east-1", "status": "denied", "calls": 1,
             "action": "ec2:DescribeVpcs", "message": "access denied"},
            {"collector": "ec2.security_groups", "service": "ec2", "region": "us-east-1", "status": "ok", "calls": 1}]
    doc = render_document(Inventory(meta={"regions": ["us-east-1"], "runs": runs}), Analysis())
    s21 = section(doc, "2.1")
    assert "No VPCs could be listed" in s21 and "<code>ec2:DescribeVpcs</code>" in s21
    assert "No security groups or network ACLs were found" in section(doc, "5.2")
    assert "DescribeVpcs" not in section(doc, "5.2")


# --- robustness: any permission shape AWS may return ---------------------------------------------
_cidr = st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/8", "192.168.1.1/32", "2600:1f18::/56"])
_perm = st.fixed_dictionaries({}, optional={
    "IpProtocol": st.sampled_from(["tcp", "udp", "icmp", "-1", "6", "17", "58", "50"]),
    "FromPort": st.one_of(st.none(), st.integers(-1, 65535)),
    "ToPort": st.one_of(st.none(), st.integers(-1, 65535)),
    "IpRanges": st.lists(st.fixed_dictionaries({"CidrIp": _cidr}, optional={"Description": st.text(max_size=5)})),
    "Ipv6Ranges": st.lists(st.fixed_dictionaries({"CidrIpv6": _cidr})),
    "PrefixListIds": st.lists(st.fixed_dictionaries({}, optional={"PrefixListId": st.just("pl-1")})),
    "UserIdGroupPairs": st.lists(st.fixed_dictionaries({}, optional={"GroupId": st.just("sg-2"),
                                                                     "UserId": st.just("111122223333")})),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(_perm, max_size=4))
def test_any_permission_shape_gives_rules_edges_and_text(perms: list[dict[str, Any]]) -> None:
    rec = net.transform_security_groups(ctx(), [{"GroupId": "sg-1", "IpPermissions": perms}])
    sg = next(n for n in rec.nodes if n.kind == "ec2:security-group")
    allows = [e for e in rec.edges if e.rel == "allows"]
    assert len(allows) == len(sg.props["ingress"])          # one edge per rule before merge de-duplication
    for rule in sg.props["ingress"]:
        text = nf.rule_text(rule)
        assert " from " in text and "?" not in text
    inv = inventory(rec)
    assert all(d["props"]["direction"] == "ingress" for _, _, d in inv.edges("allows"))


def test_hostile_names_cannot_break_the_network_tables() -> None:
    from renderers.document import render_document
    from scanner.analysis.model import Analysis

    evil = "a|b\n## c <script>`x`"
    tags = [{"Key": "Name", "Value": evil}, {"Key": "Tier", "Value": evil}]
    c = ctx()
    recs = [net.transform_vpcs(c, [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Tags": tags}]),
            net.transform_subnets(c, [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24",
                                       "AvailabilityZone": "us-east-1a", "Tags": tags}]),
            net.transform_route_tables(c, [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Tags": tags,
                                            "Associations": [{"Main": True}]}]),
            net.transform_security_groups(c, [{"GroupId": "sg-1", "GroupName": evil, "VpcId": "vpc-1", "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                 "UserIdGroupPairs": [{"GroupId": "sg-1"}]}]}])]
    inv = inventory(*recs)
    inv.meta["regions"] = ["us-east-1"]
    dnet.subnet_routing(inv)
    doc = render_document(inv, Analysis())
    assert "<script>" not in doc and "\n## c" not in doc
    for number in ("2.1", "2.2", "2.3", "5.2"):
        for table in section(doc, number).split("\n\n"):
            rows = [r for r in table.splitlines() if r.startswith("|")]
            if rows:
                widths = {len(re.findall(r"(?<!\\)\|", r)) for r in rows}
                assert len(widths) == 1, (number, rows)


def test_connectivity_sentence_and_route_tables_name_their_vpc(sample: SimpleNamespace) -> None:
    text = section(sample.doc, "2.3")
    first = text.splitlines()[1]
    assert "0 " not in first and "no Direct Connect virtual interfaces" in first
    assert "| Region | VPC | Route table | Main | Subnets | Routes |" in text
    assert "| web-platform-prod | public-rt (" in text
    assert "none (every subnet has its own table)" in text
    assert "The route tables of the 2 unused default VPCs (2.2) are not listed." in text
    nat = next(line for line in text.splitlines() if "| nat-a (" in line)
    assert "| web-platform-prod |" in nat
    assert "| Subnet AZs |" in section(sample.doc, "2.1")
    assert "1 differs from the allow-all default" in section(sample.doc, "5.2")


def test_unnamed_elastic_ip_is_not_labelled_with_its_own_address() -> None:
    rec = Records(region="us-east-1", account="123456789012")
    rec.node("arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-1", "ec2:elastic-ip", "198.51.100.7",
             public_ip="198.51.100.7", allocation_id="eipalloc-1")
    inv = Inventory(meta={"regions": ["us-east-1"]})
    inv.merge([rec])
    assert nf.eip_rows(inv)[0][1:3] == ["198.51.100.7", "eipalloc-1"]


def test_split_modules_keep_their_family() -> None:
    """A module split off a family module declares ``FAMILY``: ``--services network`` (and database,
    compute, security, delivery) names the same collectors as before the split."""
    from scanner.collectors import load_all

    colls = load_all()
    by_family: dict[str, set[str]] = {}
    for c in colls:
        by_family.setdefault(c.family, set()).add(c.name)
    assert {"ec2.vpcs", "ec2.internet_gateways", "ec2.nat_gateways", "ec2.vpc_peering", "ec2.vpc_endpoints",
            "ec2.flow_logs", "ec2.network_interfaces"} <= by_family["network"]
    assert {"rds.instances", "dynamodb.tables", "dax.clusters", "elasticache.clusters"} <= by_family["database"]
    assert {"ec2.instances", "autoscaling.groups", "autoscaling.launch_configurations"} <= by_family["compute"]
    assert {"kms.keys", "wafv2.web_acls", "cloudtrail.trails"} <= by_family["security"]
    assert {"codepipeline.pipelines", "codebuild.projects", "codedeploy.applications",
            "cloudformation.stacks"} <= by_family["delivery"]
    assert not {"network_gateways", "network_endpoints", "dynamodb", "elasticache", "autoscaling", "waf",
                "cloudtrail", "codebuild", "codedeploy", "cloudformation"} & set(by_family)

"""Network: VPCs and subnets (get / transform, after Cartography)."""

from __future__ import annotations

from typing import Any

from scanner.collectors.registry import collector
from scanner.context import ScanContext, name_of, tags_of
from scanner.inventory import Records


def transform_vpcs(ctx: ScanContext, vpcs: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for v in vpcs:
        vid = v["VpcId"]
        arn = ctx.ec2_arn("vpc", vid)
        out.node(arn, "ec2:vpc", name_of(v, vid), tags=tags_of(v), vpc_id=vid, cidr=v.get("CidrBlock"),
                 cidrs=[a["CidrBlock"] for a in v.get("CidrBlockAssociationSet", [])],
                 ipv6_cidrs=[a["Ipv6CidrBlock"] for a in v.get("Ipv6CidrBlockAssociationSet", [])
                             if a.get("Ipv6CidrBlock")],
                 is_default=bool(v.get("IsDefault")), state=v.get("State"),
                 dhcp_options_id=v.get("DhcpOptionsId"), instance_tenancy=v.get("InstanceTenancy"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("ec2.vpcs", "ec2", reads="ec2:DescribeVpcs")
def collect_vpcs(ctx: ScanContext) -> Records:
    return transform_vpcs(ctx, list(ctx.paginate("ec2", "describe_vpcs", "Vpcs")))


def transform_subnets(ctx: ScanContext, subnets: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for s in subnets:
        sid = s["SubnetId"]
        arn = ctx.ec2_arn("subnet", sid)
        out.node(arn, "ec2:subnet", name_of(s, sid), tags=tags_of(s), subnet_id=sid, vpc_id=s["VpcId"],
                 cidr=s.get("CidrBlock"),
                 ipv6_cidrs=[a["Ipv6CidrBlock"] for a in s.get("Ipv6CidrBlockAssociationSet", [])],
                 az=s.get("AvailabilityZone"), az_id=s.get("AvailabilityZoneId"),
                 public=None, map_public_ip=bool(s.get("MapPublicIpOnLaunch")),
                 assign_ipv6=bool(s.get("AssignIpv6AddressOnCreation")),
                 available_ips=s.get("AvailableIpAddressCount"), route_table_id=None,
                 network_acl_id=None, is_default=bool(s.get("DefaultForAz")))
        out.edge(ctx.ec2_arn("vpc", s["VpcId"]), arn, "contains")
    return out


@collector("ec2.subnets", "ec2", reads="ec2:DescribeSubnets")
def collect_subnets(ctx: ScanContext) -> Records:
    return transform_subnets(ctx, list(ctx.paginate("ec2", "describe_subnets", "Subnets")))

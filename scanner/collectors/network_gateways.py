"""Network gateways: internet, egress-only internet and NAT gateways, Elastic IPs and VPC peering
connections (part of the network family; VPCs, subnets, routing and filtering are in network.py).

Get / transform split as in network.py: one paginated read-only call per collector, pure
``transform_*`` functions that tests feed with recorded shapes.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import ident
from scanner.collectors.network import DETACHED, contains_or_attach, none_if_blank
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    name_of,
    tags_of,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services network`` names it with network.py)
FAMILY = "network"


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
        contains_or_attach(ctx, out, arn, vpcs)
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
        contains_or_attach(ctx, out, arn, vpcs)
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
                 subnet_id=n.get("SubnetId"), az=None, public_ip=none_if_blank(primary.get("PublicIp")),
                 private_ip=none_if_blank(primary.get("PrivateIp")),
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
        instance = none_if_blank(a.get("InstanceId"))
        eni = none_if_blank(a.get("NetworkInterfaceId"))
        out.node(arn, "ec2:elastic-ip", name_of(a, a.get("PublicIp") or alloc), tags=tags_of(a),
                 allocation_id=a.get("AllocationId"), public_ip=a.get("PublicIp"),
                 association_id=none_if_blank(a.get("AssociationId")), instance_id=instance, eni_id=eni,
                 domain=a.get("Domain"), private_ip=none_if_blank(a.get("PrivateIpAddress")))
        out.edge(ctx.region_node, arn, "contains")
        if instance:
            out.edge(arn, ctx.ec2_arn("instance", instance), "associated_with")
        elif eni:
            out.edge(arn, ctx.ec2_arn("network-interface", eni), "associated_with")
    return out


@collector("ec2.addresses", "ec2", reads="ec2:DescribeAddresses")
def collect_addresses(ctx: ScanContext) -> Records:
    return transform_addresses(ctx, list(ctx.paginate("ec2", "describe_addresses", "Addresses")))


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



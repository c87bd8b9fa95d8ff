"""VPC endpoints, managed prefix lists, network interfaces and flow logs (part of the network
family; VPCs, subnets, routing and filtering are in network.py).

Get / transform split as in network.py: paginated read-only calls, pure ``transform_*``
functions that tests feed with recorded shapes.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.collectors._shape import flag, ident
from scanner.collectors.network import none_if_blank, optional_pages
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    iso,
    name_of,
    tags_of,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services network`` names it with network.py)
FAMILY = "network"


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
        instance = none_if_blank(att.get("InstanceId"))
        out.node(arn, "ec2:network-interface", name_of(e, eid), tags=tags_of(e.get("TagSet") or e.get("Tags")),
                 eni_id=eid, subnet_id=e.get("SubnetId"), vpc_id=e.get("VpcId"),
                 private_ip=e.get("PrivateIpAddress"), public_ip=none_if_blank(assoc.get("PublicIp")),
                 ipv6_ips=[a["Ipv6Address"] for a in e.get("Ipv6Addresses") or [] if a.get("Ipv6Address")],
                 interface_type=e.get("InterfaceType"), security_group_ids=sgs,
                 attached_to=instance or none_if_blank(att.get("InstanceOwnerId")),
                 requester_managed=flag(e.get("RequesterManaged")), status=e.get("Status"),
                 az=e.get("AvailabilityZone"), description=(e.get("Description") or "")[:200] or None,
                 public_ip_owner=none_if_blank(assoc.get("IpOwnerId")))
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

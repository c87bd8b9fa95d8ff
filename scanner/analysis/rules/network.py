"""Network rules: security groups open to the internet, reachable resources, VPC hygiene."""

from __future__ import annotations

from collections.abc import Iterator

from scanner import naming
from scanner.analysis.exposure import (
    as_id,
    covers,
    internet_ingress,
    port_label,
    port_range,
    proto,
    rule_source,
    sg_ingress,
)
from scanner.analysis.findings import Hit, RuleContext, rule

SG = ("ec2:DescribeSecurityGroups",)
REACH = ("ec2:DescribeInstances", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
         "ec2:DescribeRouteTables")

#: port -> (rule id, service name); the ports attackers scan first
ADMIN_PORTS = {22: ("NET-001", "SSH"), 3389: ("NET-002", "RDP"), 3306: ("NET-003", "MySQL"),
               5432: ("NET-004", "PostgreSQL"), 1433: ("NET-005", "SQL Server"),
               6379: ("NET-006", "Redis"), 27017: ("NET-007", "MongoDB"),
               9200: ("NET-008", "Elasticsearch/OpenSearch")}


def _is_all(r: dict) -> bool:
    return proto(r.get("protocol")) == "all" or port_range(r) == (0, 65535)


def _open_port_rule(port: int, rid: str, svc: str) -> None:
    """Register the rule for one administration/database port open to the internet."""

    @rule(rid, f"Security group allows {svc} (tcp/{port}) from the internet", severity="high",
          section="5.2", category="security", needs=SG,
          remediation=(f"Remove the ingress rule for tcp/{port} from 0.0.0.0/0 and ::/0; allow it only from "
                       "known address ranges or a bastion/VPN security group, or use SSM Session Manager "
                       "instead of opening administration ports."))
    def check(ctx: RuleContext) -> Iterator[Hit]:
        for sg in ctx.nodes("ec2:security-group"):
            ev = [f"{naming.short_id(sg['id'])} ingress {port_label(r)} from {rule_source(r)}"
                  for r in internet_ingress(ctx.inv, sg) if covers(r, "tcp", port) and not _is_all(r)]
            if ev:
                yield Hit([sg["id"]], ev)

    check.__qualname__ = f"open_port_{port}"


for _port, (_rid, _svc) in ADMIN_PORTS.items():
    _open_port_rule(_port, _rid, _svc)


@rule("NET-009", "Security group allows all ports from the internet", severity="critical", section="5.2",
      category="security", needs=SG,
      remediation="Replace the all-ports rule with rules for the specific ports the workload serves "
                  "(typically tcp/443 on a load balancer only).")
def sg_all_ports(ctx: RuleContext) -> Iterator[Hit]:
    for sg in ctx.nodes("ec2:security-group"):
        ev = [f"{naming.short_id(sg['id'])} ingress {port_label(r)} from {rule_source(r)}"
              for r in internet_ingress(ctx.inv, sg) if _is_all(r)]
        if ev:
            yield Hit([sg["id"]], ev)


def _path_text(ctx: RuleContext, path: list[str]) -> str:
    parts = []
    for nid in path:
        n = ctx.inv.node(nid)
        parts.append(naming.short_id(n['id']) if n else nid)
    return " → ".join(parts)


def _exposed(ctx: RuleContext, kinds: tuple[str, ...], via: str = "public-ip") -> Iterator[tuple[dict, dict]]:
    """Resources of these kinds reachable ``via``, with only the paths and ports of that way in."""
    for nid, e in ctx.analysis.exposure.items():
        n = ctx.inv.node(nid)
        part = (e.get("by_via") or {}).get(via) or (e if e.get("via") == via else None)
        if n and n.get("kind") in kinds and part and part.get("paths"):
            yield n, part


def _admin(ports: list[str]) -> list[str]:
    out = []
    for p in ports:
        if p == "all" or p.endswith("/all"):
            out.append(p)
            continue
        lo, _, hi = p.partition("/")[2].partition("-")
        if lo.isdigit() and any(int(lo) <= a <= int(hi or lo) for a in ADMIN_PORTS):
            out.append(p)
    return out


@rule("NET-010", "Instance reachable from the internet on an administration or database port",
      severity="high", section="5.2", category="security", needs=REACH,
      remediation="Close the port on the security group (or NACL), move the instance to a private subnet "
                  "without a public IP, and reach it through SSM Session Manager or a VPN.")
def exposed_admin(ctx: RuleContext) -> Iterator[Hit]:
    for n, e in _exposed(ctx, ("ec2:instance", "ec2:network-interface")):
        admin = _admin(e["ports"])
        if admin:
            yield Hit([n["id"]], [f"{naming.node_label(n)} reachable from the internet on {', '.join(admin)}",
                                  f"path: {_path_text(ctx, e['paths'][0])}"])


@rule("NET-011", "Instance directly reachable from the internet through a public IP", severity="medium",
      section="5.2", category="security", needs=REACH,
      remediation="Put internet-facing workloads behind a load balancer and keep instances in private "
                  "subnets without public IPs; if direct access is intended, document it and restrict the "
                  "security group to the ports served.")
def exposed_instance(ctx: RuleContext) -> Iterator[Hit]:
    for n, e in _exposed(ctx, ("ec2:instance", "ec2:network-interface")):
        if not _admin(e["ports"]):
            ip = n["props"].get("public_ip") or ", ".join(n["props"].get("ipv6_ips") or [])
            yield Hit([n["id"]], [f"{naming.node_label(n)} public address {ip} reachable on {', '.join(e['ports'])}",
                                  f"path: {_path_text(ctx, e['paths'][0])}"])


@rule("NET-012", "Database reachable from the internet", severity="critical", section="6.1",
      category="security", needs=("rds:DescribeDBInstances", "ec2:DescribeSecurityGroups",
                                  "ec2:DescribeSubnets", "ec2:DescribeRouteTables"),
      remediation="Set the instance to not publicly accessible (modify-db-instance "
                  "--no-publicly-accessible), move it to private subnets and allow the database port only "
                  "from the application's security group.")
def exposed_database(ctx: RuleContext) -> Iterator[Hit]:
    for n, e in _exposed(ctx, ("rds:instance",)):
        yield Hit([n["id"]], [f"{naming.node_label(n)} publicly accessible, reachable on {', '.join(e['ports'])}",
                              f"path: {_path_text(ctx, e['paths'][0])}"])


@rule("NET-013", "Default security group allows traffic beyond the AWS default", severity="medium",
      section="5.2", category="security", needs=SG,
      remediation="Remove every rule added to the default security group (CIS 5.4) and attach purpose-made "
                  "security groups to resources instead.")
def default_sg(ctx: RuleContext) -> Iterator[Hit]:
    for sg in ctx.nodes("ec2:security-group"):
        p = sg["props"]
        if not (p.get("is_default") or p.get("group_name") == "default"):
            continue
        gid = p.get("group_id") or naming.short_id(sg['id'])
        extra = [r for r in sg_ingress(ctx.inv, sg) if r.get("group_id") != gid]
        if extra:
            yield Hit([sg["id"]], [f"default group {gid} ingress {port_label(r)} from {rule_source(r)}"
                                   for r in extra])


@rule("NET-014", "Subnet assigns public IPs automatically", severity="low", section="2.2",
      category="security", needs=("ec2:DescribeSubnets",),
      remediation="Turn off 'auto-assign public IPv4 address' (modify-subnet-attribute "
                  "--no-map-public-ip-on-launch) and give public addresses only to what must have one.")
def subnet_auto_public_ip(ctx: RuleContext) -> Iterator[Hit]:
    for s in ctx.nodes("ec2:subnet"):
        if s["props"].get("map_public_ip") and not s["props"].get("is_default"):
            yield Hit([s["id"]], [f"{naming.node_label(s)} ({s['props'].get('cidr')}) MapPublicIpOnLaunch=true"])


@rule("NET-015", "VPC without flow logs", severity="medium", section="5.4", category="security",
      needs=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs"),
      remediation="Enable VPC flow logs (at least REJECT traffic) to CloudWatch Logs or S3 so that "
                  "network activity can be investigated.")
def vpc_flow_logs(ctx: RuleContext) -> Iterator[Hit]:
    logged = {str(f["props"].get("resource_id")) for f in ctx.nodes("ec2:flow-log")}
    logged |= {src for src, _, _ in ctx.inv.edges("logs_to")}
    for v in ctx.nodes("ec2:vpc"):
        if as_id(v["props"].get("vpc_id")) not in logged and v["id"] not in logged:
            yield Hit([v["id"]], [f"{naming.node_label(v)} ({v['props'].get('cidr')}) has no flow log"])


@rule("NET-016", "Default VPC present", severity="low", section="2.1", category="security",
      needs=("ec2:DescribeVpcs",),
      remediation="Delete default VPCs that nothing uses; default subnets give every instance a public IP.")
def default_vpc(ctx: RuleContext) -> Iterator[Hit]:
    for v in ctx.nodes("ec2:vpc"):
        if v["props"].get("is_default"):
            yield Hit([v["id"]], [f"default VPC {naming.short_id(v['id'])} ({v['props'].get('cidr')}) in {v.get('region')}"])

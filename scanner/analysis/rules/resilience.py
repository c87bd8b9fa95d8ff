"""Resilience rules, from the availability picture (scanner.analysis.ha) and a few props."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner import naming
from scanner.analysis.findings import Hit, RuleContext, rule


def _spofs(ctx: RuleContext, kinds: tuple[str, ...]) -> Iterator[tuple[dict, dict]]:
    for s in (ctx.analysis.ha or {}).get("spofs", []):
        n = ctx.inv.node(s["resource"])
        if n and n.get("kind") in kinds:
            yield n, s


@rule("RES-001", "Auto Scaling group in a single AZ", severity="medium", section="9.1",
      category="resilience", needs=("autoscaling:DescribeAutoScalingGroups",),
      remediation="Add subnets in at least two more AZs to the group (VPCZoneIdentifier) so capacity is "
                  "rebalanced when an AZ fails.")
def asg_single_az(ctx: RuleContext) -> Iterator[Hit]:
    for n, s in _spofs(ctx, ("autoscaling:group",)):
        if "one AZ" in s["reason"]:
            yield Hit([n["id"]], [f"{naming.node_label(n)}: {s['reason']}"])


@rule("RES-002", "One NAT gateway serves several AZs", severity="medium", section="2.3",
      category="resilience", needs=("ec2:DescribeNatGateways", "ec2:DescribeRouteTables"),
      remediation="Create a NAT gateway in each AZ and point each private subnet's route table at the NAT "
                  "gateway of its own AZ (this also avoids cross-AZ data charges).")
def single_nat(ctx: RuleContext) -> Iterator[Hit]:
    for n, s in _spofs(ctx, ("ec2:nat-gateway",)):
        yield Hit([n["id"]], [f"{naming.node_label(n)}: {s['reason']}"])


@rule("RES-003", "Load balancer in a single AZ", severity="medium", section="9.1", category="resilience",
      needs=("elasticloadbalancing:DescribeLoadBalancers",),
      remediation="Enable the load balancer in subnets of at least two AZs.")
def lb_single_az(ctx: RuleContext) -> Iterator[Hit]:
    for n, s in _spofs(ctx, ("elbv2:load-balancer", "elb:load-balancer")):
        yield Hit([n["id"]], [f"{naming.node_label(n)}: {s['reason']}"])


@rule("RES-004", "Cache without failover", severity="medium", section="9.1", category="resilience",
      needs=("elasticache:DescribeCacheClusters",),
      remediation="Use a Redis/Valkey replication group with a replica in another AZ and automatic "
                  "failover, instead of a single-node cluster.")
def cache_single(ctx: RuleContext) -> Iterator[Hit]:
    for n, s in _spofs(ctx, ("elasticache:cluster",)):
        yield Hit([n["id"]], [f"{naming.node_label(n)}: {s['reason']}"])


@rule("RES-005", "Standalone instance outside an Auto Scaling group", severity="info", section="9.1",
      category="resilience", needs=("ec2:DescribeInstances",),
      remediation="Run the workload in an Auto Scaling group (even min=max=1) across several AZs so a "
                  "failed instance is replaced automatically.")
def standalone_instance(ctx: RuleContext) -> Iterator[Hit]:
    for n, s in _spofs(ctx, ("ec2:instance",)):
        yield Hit([n["id"]], [f"{naming.node_label(n)} in {', '.join(s.get('azs', [])) or n['props'].get('az')}: "
                              f"{s['reason']}"])


@rule("RES-006", "Auto Scaling group behind a load balancer uses EC2 health checks", severity="info",
      section="8.1", category="operations", needs=("autoscaling:DescribeAutoScalingGroups",),
      remediation="Use a health check type of ELB for groups behind a load balancer so instances that fail "
                  "application health checks are replaced.")
def asg_health_check(ctx: RuleContext) -> Iterator[Hit]:
    for g in ctx.nodes("autoscaling:group"):
        p = g["props"]
        if p.get("health_check_type") == "EC2" and (p.get("target_group_arns") or p.get("load_balancer_names")):
            yield Hit([g["id"]], [f"{naming.node_label(g)} is behind a load balancer but uses EC2 health checks"])


@rule("RES-007", "ECS service runs none of its desired tasks", severity="high", section="3.2",
      category="resilience", needs=("ecs:DescribeServices",),
      remediation="Read the service's events and stopped-task reasons (describe-services, describe-tasks "
                  "--include stopped): image pull errors, missing secrets or IAM permissions, failing health "
                  "checks and exhausted subnet IPs are the usual causes; fix the cause, then force a new "
                  "deployment, and alarm on RunningTaskCount below DesiredTaskCount.")
def ecs_no_tasks(ctx: RuleContext) -> Iterator[Hit]:
    for s in ctx.nodes("ecs:service"):
        p = s["props"]
        cluster = str(p.get("cluster") or "").rsplit("/", 1)[-1]
        hit = ctx.judged(s, "tasks_running", "no",
                         f"service {naming.node_label(s)}{f' in cluster {cluster}' if cluster else ''}: desired "
                         f"{p.get('desired')}, running {p.get('running')}, pending {p.get('pending') or 0}")
        if hit:
            yield hit


#: names and tag values that mark a VPC as the disaster-recovery standby (whole words only)
DR_WORDS = re.compile(r"(?:^|[^a-z0-9])(dr|disaster[-_ ]?recovery)(?:$|[^a-z0-9])", re.I)


def dr_marker(vpc: dict) -> str:
    """The name or tag that says this VPC is for disaster recovery ("" when none does)."""
    tags = vpc.get("tags") or {}
    for text, where in [(vpc.get("name"), "name"), *((v, f"tag {k}") for k, v in sorted(tags.items()))]:
        if isinstance(text, str) and DR_WORDS.search(text):
            return f"{where} {text!r}"
    return ""


@rule("RES-008", "Disaster-recovery VPC holds nothing to fail over to", severity="medium", section="9.3",
      category="resilience", needs=("ec2:DescribeVpcs", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstances"),
      remediation="Decide the recovery pattern and build it: at least pilot light (replicated data such as a "
                  "cross-region read replica or restored backups, plus launch templates / Auto Scaling groups "
                  "or infrastructure as code that can start the tier), test a failover, and document the RTO; "
                  "or remove the empty VPC so nobody counts on it.")
def empty_dr_vpc(ctx: RuleContext) -> Iterator[Hit]:
    for v in ctx.nodes("ec2:vpc"):
        if v["props"].get("is_default") or str(v["props"].get("state") or "available") != "available":
            continue
        marker = dr_marker(v)
        if not marker:
            continue
        hit = ctx.judged(v, "hosts_workload", "no",
                         f"{naming.node_label(v)} ({v['props'].get('cidr')}, {v.get('region')}) is named for "
                         f"disaster recovery ({marker}) but holds no instance, network interface, Auto Scaling "
                         "group or other workload")
        if hit:
            yield hit


@rule("RES-009", "DNS failover record points outside the account's AWS resources", severity="medium",
      section="9.3", category="resilience", needs=("route53:ListResourceRecordSets",),
      remediation="Point the failover record at a resource this account runs and monitors (an alias to the "
                  "standby load balancer or CloudFront distribution, or an Elastic IP), with a health check; if "
                  "the address is a deliberate external site, document who runs it and test it as part of the "
                  "failover drill.")
def failover_outside(ctx: RuleContext) -> Iterator[Hit]:
    for r in ctx.nodes("route53:record"):
        p = r["props"]
        f = ctx.fact(r, "failover_target_in_account")
        hit = ctx.judged(r, "failover_target_in_account", "no",
                         [f"{p.get('name')} {p.get('type')} {p.get('failover') or 'failover'} "
                          f"({p.get('set_identifier') or 'no set id'}) → {', '.join(map(str, p.get('values') or [])) or '?'}",
                          f.why if f else ""])
        if hit:
            hit.evidence = [e for e in hit.evidence if e]
            yield hit

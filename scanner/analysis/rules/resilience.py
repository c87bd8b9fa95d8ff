"""Resilience rules, from the availability picture (scanner.analysis.ha) and a few props."""

from __future__ import annotations

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

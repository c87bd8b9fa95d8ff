"""EC2 Auto Scaling: groups with their scaling policies and scheduled actions, and launch
configurations (part of the compute family; instances, AMIs and launch templates are in
compute.py, Application Auto Scaling in scaling.py).

User data is never kept: a launch configuration returns it (base64) and it often holds
secrets, so the transform reduces it to the boolean ``user_data_present``.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import ident
from scanner.collectors.compute import imds, optional_pages
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    iso,
    tags_of,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services compute`` names it with compute.py)
FAMILY = "compute"


# -- EC2 Auto Scaling ---------------------------------------------------------------------------------
def asg_template(g: dict[str, Any]) -> tuple[str | None, str | None]:
    """(launch template id, version) of a group, plain or inside a mixed instances policy."""
    spec = g.get("LaunchTemplate") or ((g.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}) \
        .get("LaunchTemplateSpecification") or {}
    return spec.get("LaunchTemplateId"), spec.get("Version")


def asg_instance_types(g: dict[str, Any]) -> list[str]:
    types = {i.get("InstanceType") for i in g.get("Instances") or []}
    mip = ((g.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("Overrides") or []
    types |= {o.get("InstanceType") for o in mip}
    return sorted(t for t in types if t)


def asg_subnets(g: dict[str, Any]) -> list[str]:
    return [s.strip() for s in (g.get("VPCZoneIdentifier") or "").split(",") if s.strip()]


def transform_asgs(ctx: ScanContext, groups: list[dict[str, Any]]) -> Records:
    """Auto Scaling groups with subnet, target group, classic ELB and member instance edges."""
    out = ctx.records()
    for g in groups:
        name = ident(out, g, "AutoScalingGroupName", "autoscaling", "autoscaling:DescribeAutoScalingGroups",
                     "an Auto Scaling group")
        if not name:
            continue
        arn = g.get("AutoScalingGroupARN") or ctx.arn("autoscaling", f"autoScalingGroup:*:autoScalingGroupName/{name}")
        lt_id, lt_version = asg_template(g)
        subnets = asg_subnets(g)
        mip = g.get("MixedInstancesPolicy") or {}
        dist = mip.get("InstancesDistribution") or {}
        out.node(arn, "autoscaling:group", name, tags=tags_of(g), name=name, min=g.get("MinSize"),
                 max=g.get("MaxSize"), desired=g.get("DesiredCapacity"),
                 instance_ids=sorted(i["InstanceId"] for i in g.get("Instances") or [] if i.get("InstanceId")),
                 subnet_ids=subnets, azs=sorted(g.get("AvailabilityZones") or []),
                 launch_template_id=lt_id, launch_template_version=lt_version,
                 launch_configuration=g.get("LaunchConfigurationName"),
                 target_group_arns=sorted(g.get("TargetGroupARNs") or []),
                 load_balancer_names=sorted(g.get("LoadBalancerNames") or []),
                 health_check_type=g.get("HealthCheckType"),
                 health_check_grace=g.get("HealthCheckGracePeriod"),
                 instance_types=asg_instance_types(g), mixed_instances=bool(mip),
                 on_demand_base=dist.get("OnDemandBaseCapacity"),
                 on_demand_percent=dist.get("OnDemandPercentageAboveBaseCapacity"),
                 capacity_rebalance=g.get("CapacityRebalance"),
                 suspended_processes=sorted(p.get("ProcessName", "") for p in g.get("SuspendedProcesses") or []),
                 healthy_instances=sum(1 for i in g.get("Instances") or [] if i.get("HealthStatus") == "Healthy"),
                 warm_pool=bool(g.get("WarmPoolConfiguration")), created=iso(g.get("CreatedTime")))
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for tg in g.get("TargetGroupARNs") or []:
            out.edge(arn, tg, "targets")
        for lb in g.get("LoadBalancerNames") or []:
            out.edge(arn, ctx.arn("elasticloadbalancing", f"loadbalancer/{lb}"), "targets")
        for i in g.get("Instances") or []:
            if i.get("InstanceId"):
                out.edge(ctx.ec2_arn("instance", i["InstanceId"]), arn, "member_of")
    return out


def scaling_metric(p: dict[str, Any], tracking_key: str = "TargetTrackingConfiguration") -> str | None:
    """What a scaling policy follows: the target-tracking metric, the predictive metric or its alarms.

    EC2 Auto Scaling and Application Auto Scaling shape policies alike but name the
    target-tracking block differently, hence ``tracking_key``.
    """
    tt = p.get(tracking_key) or {}
    if tt.get("PredefinedMetricSpecification"):
        return tt["PredefinedMetricSpecification"].get("PredefinedMetricType")
    if tt.get("CustomizedMetricSpecification"):
        c = tt["CustomizedMetricSpecification"]
        return f"{c.get('Namespace', '')}/{c.get('MetricName', '')}".strip("/") or "custom metric"
    predictive = (p.get("PredictiveScalingConfiguration") or {}).get("MetricSpecifications") or []
    if predictive:
        pair = predictive[0].get("PredefinedMetricPairSpecification") or {}
        return pair.get("PredefinedMetricType") or "predictive (custom metrics)"
    alarms = [a.get("AlarmName") for a in p.get("Alarms") or [] if a.get("AlarmName")]
    return f"alarm {', '.join(alarms)}" if alarms else None


def policy_metric(p: dict[str, Any]) -> str | None:
    return scaling_metric(p)


def policy_adjustment(p: dict[str, Any]) -> str | None:
    """How a simple/step policy changes capacity, as a short phrase."""
    kind = p.get("AdjustmentType") or ""
    if p.get("ScalingAdjustment") is not None:
        return f"{p['ScalingAdjustment']:+d} ({kind})" if kind else f"{p['ScalingAdjustment']:+d}"
    steps = p.get("StepAdjustments") or []
    if steps:
        return f"{len(steps)} {'step' if len(steps) == 1 else 'steps'}: " + ", ".join(f"{s.get('ScalingAdjustment', 0):+d}" for s in steps) + \
            (f" ({kind})" if kind else "")
    return None


def transform_policies(ctx: ScanContext, policies: list[dict[str, Any]], asg_arns: dict[str, str]) -> Records:
    out = ctx.records()
    for p in policies:
        name = ident(out, p, "PolicyName", "autoscaling", "autoscaling:DescribePolicies", "a scaling policy")
        if not name:
            continue
        arn = p.get("PolicyARN") or ctx.arn(
            "autoscaling", f"scalingPolicy:autoScalingGroupName/{p.get('AutoScalingGroupName')}:policyName/{name}")
        tt = p.get("TargetTrackingConfiguration") or {}
        out.node(arn, "autoscaling:policy", name, name=name,
                 asg_name=p.get("AutoScalingGroupName"), policy_type=p.get("PolicyType"),
                 target_value=tt.get("TargetValue"), metric=policy_metric(p),
                 adjustment=policy_adjustment(p), enabled=p.get("Enabled"),
                 disable_scale_in=tt.get("DisableScaleIn"),
                 alarm_names=sorted(a.get("AlarmName", "") for a in p.get("Alarms") or []))
        out.edge(arn, asg_arns.get(p.get("AutoScalingGroupName") or ""), "scales")
    return out


def transform_scheduled_actions(ctx: ScanContext, actions: list[dict[str, Any]],
                                asg_arns: dict[str, str]) -> Records:
    out = ctx.records()
    for a in actions:
        asg = a.get("AutoScalingGroupName") or ""
        name = ident(out, a, "ScheduledActionName", "autoscaling", "autoscaling:DescribeScheduledActions",
                     "a scheduled action")
        if not name:
            continue
        arn = a.get("ScheduledActionARN") or ctx.arn(
            "autoscaling", f"scheduledUpdateGroupAction:autoScalingGroupName/{asg}:scheduledActionName/{name}")
        out.node(arn, "autoscaling:scheduled-action", name, name=name, asg_name=asg,
                 recurrence=a.get("Recurrence"), min=a.get("MinSize"), max=a.get("MaxSize"),
                 desired=a.get("DesiredCapacity"), start_time=iso(a.get("StartTime")),
                 end_time=iso(a.get("EndTime")), time_zone=a.get("TimeZone"))
        out.edge(arn, asg_arns.get(asg), "scales")
    return out


@collector("autoscaling.groups", "autoscaling",
           reads="autoscaling:DescribeAutoScalingGroups, autoscaling:DescribePolicies, "
                 "autoscaling:DescribeScheduledActions")
def collect_asgs(ctx: ScanContext) -> Records:
    """Groups first; policies and scheduled actions are listed once per region, not per group."""
    groups = list(ctx.paginate("autoscaling", "describe_auto_scaling_groups", "AutoScalingGroups"))
    out = transform_asgs(ctx, groups)
    if not groups:
        return out
    arns = {g["AutoScalingGroupName"]: g["AutoScalingGroupARN"] for g in groups
            if g.get("AutoScalingGroupName") and g.get("AutoScalingGroupARN")}
    policies = optional_pages(ctx, out, "autoscaling", "describe_policies", "ScalingPolicies")
    actions = optional_pages(ctx, out, "autoscaling", "describe_scheduled_actions", "ScheduledUpdateGroupActions")
    out.extend(transform_policies(ctx, policies, arns))
    return out.extend(transform_scheduled_actions(ctx, actions, arns))


def transform_launch_configurations(ctx: ScanContext, configs: list[dict[str, Any]]) -> Records:
    """Launch configurations (legacy); their UserData is reduced to ``user_data_present``."""
    out = ctx.records()
    for c in configs:
        name = ident(out, c, "LaunchConfigurationName", "autoscaling", "autoscaling:DescribeLaunchConfigurations",
                     "a launch configuration")
        if not name:
            continue
        arn = c.get("LaunchConfigurationARN") or ctx.arn("autoscaling", f"launchConfiguration:{name}")
        v2, enabled = imds(c.get("MetadataOptions"))
        prof = c.get("IamInstanceProfile")
        out.node(arn, "autoscaling:launch-configuration", name, name=name,
                 instance_type=c.get("InstanceType"), image_id=c.get("ImageId"),
                 imds_v2_required=v2, imds_enabled=enabled, key_name=c.get("KeyName") or None,
                 security_group_ids=sorted(c.get("SecurityGroups") or []),
                 instance_profile=prof, user_data_present=bool(c.get("UserData")),
                 public_ip=c.get("AssociatePublicIpAddress"), created=iso(c.get("CreatedTime")))
        if c.get("ImageId"):
            out.edge(arn, ctx.ec2_arn("image", c["ImageId"]), "uses_image")
    return out


@collector("autoscaling.launch_configurations", "autoscaling",
           reads="autoscaling:DescribeLaunchConfigurations")
def collect_launch_configurations(ctx: ScanContext) -> Records:
    return transform_launch_configurations(
        ctx, list(ctx.paginate("autoscaling", "describe_launch_configurations", "LaunchConfigurations")))

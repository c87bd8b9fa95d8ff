"""Application Auto Scaling: scalable targets, scaling policies and scheduled actions for ECS services, DynamoDB
tables/indexes and Aurora clusters (get / transform, after Cartography).

A scalable target is linked with ``scales`` to the resource it scales when that resource's
ARN can be derived from the target's ResourceId, so section 8.1 and the HA analysis can
tell which services, tables and clusters scale on their own.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors.autoscaling import scaling_metric
from scanner.collectors.compute import optional_pages
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso
from scanner.inventory import Records

#: the namespaces the document speaks about (ECS services, DynamoDB, Aurora replicas)
NAMESPACES = ("ecs", "dynamodb", "rds")


def resource_arn(ctx: ScanContext, namespace: str, resource_id: str) -> str | None:
    """ARN of the scaled resource, from an Application Auto Scaling ResourceId; None if unknown.

    ``table/NAME`` and ``table/NAME/index/IDX`` -> the table; ``service/CLUSTER/SVC`` -> the
    ECS service (long ARN format); ``cluster:ID`` -> the Aurora cluster.
    """
    parts = resource_id.split("/")
    if namespace == "dynamodb" and len(parts) >= 2 and parts[0] == "table":
        return ctx.arn("dynamodb", f"table/{parts[1]}")
    if namespace == "ecs" and len(parts) == 3 and parts[0] == "service":
        return ctx.arn("ecs", f"service/{parts[1]}/{parts[2]}")
    if namespace == "rds" and resource_id.startswith("cluster:"):
        return ctx.arn("rds", resource_id)
    return None


def target_id(ctx: ScanContext, t: dict[str, Any]) -> str:
    """ScalableTargetARN when AWS returns it (newer API), else a stable synthetic id."""
    if t.get("ScalableTargetARN"):
        return str(t["ScalableTargetARN"])
    return ctx.arn("application-autoscaling",
                   f"scalable-target/{t.get('ServiceNamespace')}/{t.get('ResourceId')}|{t.get('ScalableDimension')}")


def transform_targets(ctx: ScanContext, targets: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for t in targets:
        tid = target_id(ctx, t)
        ns, rid = str(t.get("ServiceNamespace") or ""), str(t.get("ResourceId") or "")
        arn = resource_arn(ctx, ns, rid)
        flags = list((t.get("SuspendedState") or {}).values())
        # any suspended activity is "suspended"; no state at all (or unread flags) is not said
        suspended = True if any(flags) else None if not flags or None in flags else False
        out.node(tid, "application-autoscaling:target", f"{rid} ({t.get('ScalableDimension')})",
                 service_namespace=ns, resource_id=rid, scalable_dimension=t.get("ScalableDimension"),
                 min=t.get("MinCapacity"), max=t.get("MaxCapacity"), resource_arn=arn,
                 suspended=suspended, created=iso(t.get("CreationTime")))
        out.edge(tid, arn, "scales")
    return out


def policy_metric(p: dict[str, Any]) -> str | None:
    return scaling_metric(p, "TargetTrackingScalingPolicyConfiguration")


def transform_policies(ctx: ScanContext, policies: list[dict[str, Any]],
                       targets: list[dict[str, Any]]) -> Records:
    """Policies, each linked to the scalable target of the same resource and dimension."""
    out = ctx.records()
    ids = {(t.get("ServiceNamespace"), t.get("ResourceId"), t.get("ScalableDimension")): target_id(ctx, t)
           for t in targets}
    for p in policies:
        arn = p.get("PolicyARN") or ctx.arn(
            "autoscaling", f"scalingPolicy:{p['ServiceNamespace']}/{p['ResourceId']}:policyName/{p['PolicyName']}")
        tt = p.get("TargetTrackingScalingPolicyConfiguration") or {}
        out.node(arn, "application-autoscaling:policy", p["PolicyName"], name=p["PolicyName"],
                 service_namespace=p.get("ServiceNamespace"), resource_id=p.get("ResourceId"),
                 policy_type=p.get("PolicyType"), target_value=tt.get("TargetValue"),
                 metric=policy_metric(p), scalable_dimension=p.get("ScalableDimension"),
                 disable_scale_in=tt.get("DisableScaleIn"))
        out.edge(arn, ids.get((p.get("ServiceNamespace"), p.get("ResourceId"), p.get("ScalableDimension"))),
                 "scales")
    return out


def transform_scheduled_actions(ctx: ScanContext, actions: list[dict[str, Any]],
                                targets: list[dict[str, Any]]) -> Records:
    """Scheduled capacity changes, each linked to its scalable target."""
    out = ctx.records()
    ids = {(t.get("ServiceNamespace"), t.get("ResourceId"), t.get("ScalableDimension")): target_id(ctx, t)
           for t in targets}
    for a in actions:
        arn = a.get("ScheduledActionARN") or ctx.arn(
            "autoscaling", f"scheduledAction:{a['ServiceNamespace']}/{a['ResourceId']}:"
                           f"scheduledActionName/{a['ScheduledActionName']}")
        act = a.get("ScalableTargetAction") or {}
        out.node(arn, "application-autoscaling:scheduled-action", a["ScheduledActionName"],
                 name=a["ScheduledActionName"], service_namespace=a.get("ServiceNamespace"),
                 resource_id=a.get("ResourceId"), schedule=a.get("Schedule"), min=act.get("MinCapacity"),
                 max=act.get("MaxCapacity"), time_zone=a.get("Timezone"),
                 scalable_dimension=a.get("ScalableDimension"))
        out.edge(arn, ids.get((a.get("ServiceNamespace"), a.get("ResourceId"), a.get("ScalableDimension"))),
                 "scales")
    return out


@collector("application-autoscaling.targets", "application-autoscaling",
           reads="application-autoscaling:DescribeScalableTargets, DescribeScalingPolicies, "
                 "DescribeScheduledActions")
def collect_app_autoscaling(ctx: ScanContext) -> Records:
    """Targets per namespace; policies and schedules are read only where targets exist."""
    out = ctx.records()
    for ns in NAMESPACES:
        targets = list(ctx.paginate("application-autoscaling", "describe_scalable_targets", "ScalableTargets",
                                    ServiceNamespace=ns))
        if not targets:
            continue
        policies = optional_pages(ctx, out, "application-autoscaling", "describe_scaling_policies",
                                  "ScalingPolicies", ServiceNamespace=ns)
        actions = optional_pages(ctx, out, "application-autoscaling", "describe_scheduled_actions",
                                 "ScheduledActions", ServiceNamespace=ns)
        out.extend(transform_targets(ctx, targets))
        out.extend(transform_policies(ctx, policies, targets))
        out.extend(transform_scheduled_actions(ctx, actions, targets))
    return out

"""CodeDeploy applications, deployment groups and deployment configurations (part of the
delivery family).

Get / transform split as in delivery.py; the groups' Auto Scaling groups are resolved to ARNs
so a deployment lands on the graph's ASG nodes.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions as bexc

from scanner.collectors._fanout import each
from scanner.collectors._shape import flag, ident, is_on
from scanner.collectors.delivery import (
    alarm_arn,
    chunks,
    deployment_group_arn,
    resolve_asg_arns,
    soft,
    soft_pages,
)
from scanner.collectors.registry import collector
from scanner.context import (
    DENIED_CODES,
    ScanContext,
    denied_reason,
    iso,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services delivery`` names it with delivery.py)
FAMILY = "delivery"


# --- CodeDeploy -----------------------------------------------------------------------
def minimum_healthy(cfg: dict[str, Any]) -> str | None:
    """A deployment config's safety margin in words (hosts, or traffic shifting for Lambda/ECS)."""
    mh = cfg.get("minimumHealthyHosts") or {}
    if mh.get("type"):
        unit = " %" if mh["type"] == "FLEET_PERCENT" else " host" if mh.get("value") == 1 else " hosts"
        return f"{mh.get('value')}{unit} healthy"
    tr = cfg.get("trafficRoutingConfig") or {}
    kind = tr.get("type")
    if kind == "TimeBasedCanary":
        c = tr.get("timeBasedCanary") or {}
        return f"canary {c.get('canaryPercentage')}% then all after {c.get('canaryInterval')} min"
    if kind == "TimeBasedLinear":
        c = tr.get("timeBasedLinear") or {}
        return f"linear {c.get('linearPercentage')}% every {c.get('linearInterval')} min"
    if kind == "AllAtOnce":
        return "all at once"
    return None


def transform_deployment_configs(ctx: ScanContext, configs: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for c in configs:
        name = ident(out, c, "deploymentConfigName", "codedeploy", "codedeploy:GetDeploymentConfig",
                     "a deployment config")
        if not name:
            continue
        arn = ctx.arn("codedeploy", f"deploymentconfig:{name}")
        out.node(arn, "codedeploy:deployment-config", name, name=name, minimum_healthy=minimum_healthy(c),
                 compute_platform=c.get("computePlatform"), predefined=name.startswith("CodeDeployDefault."))
    return out


def transform_applications(ctx: ScanContext, apps: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for a in apps:
        name = ident(out, a, "applicationName", "codedeploy", "codedeploy:BatchGetApplications", "an application")
        if not name:
            continue
        arn = ctx.arn("codedeploy", f"application:{name}")
        out.node(arn, "codedeploy:application", name, name=name, compute_platform=a.get("computePlatform"),
                 created=iso(a.get("createTime")), linked_to_github=a.get("linkedToGitHub"))
        out.edge(ctx.region_node, arn, "contains")
    return out


def _deployment(d: dict[str, Any] | None) -> dict[str, Any] | None:
    if not d:
        return None
    return {"id": d.get("deploymentId"), "status": d.get("status"), "end": iso(d.get("endTime")),
            "created": iso(d.get("createTime"))}


def transform_deployment_groups(ctx: ScanContext, groups: list[dict[str, Any]],
                                asg_arns: dict[str, str] | None = None) -> Records:
    """batch_get_deployment_groups items -> groups with their targets, rollback and alarm settings."""
    out = ctx.records()
    asg_arns = asg_arns or {}
    for g in groups:
        app = ident(out, g, "applicationName", "codedeploy", "codedeploy:BatchGetDeploymentGroups",
                    "a deployment group")
        name = ident(out, g, "deploymentGroupName", "codedeploy", "codedeploy:BatchGetDeploymentGroups",
                     "a deployment group")
        if not app or not name:
            continue
        arn = deployment_group_arn(ctx, app, name)
        rb = g.get("autoRollbackConfiguration") or {}
        alarm_cfg = g.get("alarmConfiguration") or {}
        alarms = [a["name"] for a in alarm_cfg.get("alarms") or [] if a.get("name")] if alarm_cfg.get("enabled") else []
        style = g.get("deploymentStyle") or {}
        bg = g.get("blueGreenDeploymentConfiguration") or {}
        lb = g.get("loadBalancerInfo") or {}
        tgs = [t.get("name") for t in lb.get("targetGroupInfoList") or []]
        for pair in lb.get("targetGroupPairInfoList") or []:
            tgs.extend(t.get("name") for t in pair.get("targetGroups") or [])
        tgs.extend(e.get("name") for e in lb.get("elbInfoList") or [])
        asgs = [a.get("name") for a in g.get("autoScalingGroups") or [] if a.get("name")]
        tag_filters = [f"{t.get('Key')}={t.get('Value')}" for t in g.get("ec2TagFilters") or []]
        for tset in ((g.get("ec2TagSet") or {}).get("ec2TagSetList") or []):
            tag_filters.extend(f"{t.get('Key')}={t.get('Value')}" for t in tset)
        ecs = [f"{s.get('clusterName')}/{s.get('serviceName')}" for s in g.get("ecsServices") or []]
        out.node(arn, "codedeploy:deployment-group", name, name=name, application=app,
                 deployment_config=g.get("deploymentConfigName"), asg_names=asgs,
                 ec2_tag_filters=tag_filters, ecs_services=ecs,
                 # no autoRollbackConfiguration: rollback was never configured
                 auto_rollback=False if not rb else flag(rb.get("enabled")),
                 rollback_events=list(rb.get("events") or []) if rb.get("enabled") else [],
                 alarms=alarms, ignore_poll_alarm_failure=alarm_cfg.get("ignorePollAlarmFailure"),
                 # no deploymentStyle: AWS's default, an in-place deployment
                 blue_green=False if not style else is_on(style.get("deploymentType"), ("BLUE_GREEN",), ("IN_PLACE",)),
                 deployment_option=style.get("deploymentOption"),
                 blue_green_termination=(bg.get("terminateBlueInstancesOnDeploymentSuccess") or {}).get("action"),
                 load_balancer_target_groups=[t for t in tgs if t], service_role=g.get("serviceRoleArn"),
                 compute_platform=g.get("computePlatform"),
                 last_success=_deployment(g.get("lastSuccessfulDeployment")),
                 last_attempt=_deployment(g.get("lastAttemptedDeployment")),
                 triggers=len(g.get("triggerConfigurations") or []))
        out.edge(ctx.arn("codedeploy", f"application:{app}"), arn, "contains")
        out.edge(arn, g.get("serviceRoleArn"), "uses_role")
        if g.get("deploymentConfigName"):
            out.edge(arn, ctx.arn("codedeploy", f"deploymentconfig:{g['deploymentConfigName']}"), "integrates_with")
        for a in asgs:
            out.edge(arn, asg_arns.get(a), "deploys")
        for s in g.get("ecsServices") or []:
            if s.get("clusterName") and s.get("serviceName"):
                out.edge(arn, ctx.arn("ecs", f"service/{s['clusterName']}/{s['serviceName']}"), "deploys")
        for a in alarms:
            out.edge(alarm_arn(ctx, a), arn, "monitors")
        for t in g.get("triggerConfigurations") or []:
            out.edge(arn, t.get("triggerTargetArn"), "publishes_to", name=t.get("triggerName"),
                     events=sorted(t.get("triggerEvents") or []))
    return out


def read_deployment_groups(ctx: ScanContext, out: Records, app: str) -> list[dict[str, Any]]:
    """Full group descriptions of one application, batched; per group where batching is not offered."""
    names = list(ctx.paginate("codedeploy", "list_deployment_groups", "deploymentGroups", applicationName=app))
    groups: list[dict[str, Any]] = []
    for batch in chunks(names, 25):
        try:
            got = ctx.call("codedeploy", "batch_get_deployment_groups", applicationName=app,
                           deploymentGroupNames=batch)
            groups.extend(got.get("deploymentGroupsInfo") or [])
            continue
        except NotImplementedError:
            pass  # an emulator without the batch API: read the groups one by one
        except bexc.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in DENIED_CODES:
                out.gap("codedeploy", "codedeploy:BatchGetDeploymentGroups", denied_reason(exc), resource=app)
                continue
        for n in batch:
            one = soft(ctx, out, "codedeploy", "get_deployment_group", resource=f"{app}/{n}",
                       missing=("DeploymentGroupDoesNotExistException",), applicationName=app,
                       deploymentGroupName=n)
            if one and one.get("deploymentGroupInfo"):
                groups.append(one["deploymentGroupInfo"])
    return groups


def read_deployment_configs(ctx: ScanContext, out: Records, in_use: set[str]) -> list[dict[str, Any]]:
    """Custom deployment configs plus the predefined ones a group uses (the other ~17 add nothing)."""
    names = set(in_use)
    listed = soft_pages(ctx, out, "codedeploy", "list_deployment_configs", "deploymentConfigsList")
    names.update(n for n in listed or [] if not n.startswith("CodeDeployDefault."))
    found = each(ctx, out, sorted(names), lambda sub, n: soft(
        ctx, sub, "codedeploy", "get_deployment_config", resource=n,
        missing=("DeploymentConfigDoesNotExistException",), deploymentConfigName=n))
    return [got["deploymentConfigInfo"] for got in found if got and got.get("deploymentConfigInfo")]


@collector("codedeploy.applications", "codedeploy",
           reads="codedeploy:ListApplications, codedeploy:BatchGetApplications, codedeploy:ListDeploymentGroups, "
                 "codedeploy:BatchGetDeploymentGroups, codedeploy:ListDeploymentConfigs, "
                 "codedeploy:GetDeploymentConfig, autoscaling:DescribeAutoScalingGroups")
def collect_codedeploy(ctx: ScanContext) -> Records:
    out = ctx.records()
    names = list(ctx.paginate("codedeploy", "list_applications", "applications"))
    apps: list[dict[str, Any]] = []
    for batch in chunks(names, 25):
        apps.extend(ctx.call("codedeploy", "batch_get_applications", applicationNames=batch).get("applicationsInfo") or [])
    out.extend(transform_applications(ctx, apps))
    # every application's groups, then the configs, wait together in the CodeDeploy lane
    # (scanner/collectors/_fanout.py: the records are a sequential run's at any width)
    groups = [g for per in each(ctx, out, names, lambda sub, n: read_deployment_groups(ctx, sub, n)) for g in per]
    asgs = resolve_asg_arns(ctx, (a.get("name") for g in groups for a in g.get("autoScalingGroups") or []), out)
    out.extend(transform_deployment_groups(ctx, groups, asgs))
    if names:
        in_use = {g["deploymentConfigName"] for g in groups if g.get("deploymentConfigName")}
        out.extend(transform_deployment_configs(ctx, read_deployment_configs(ctx, out, in_use)))
    return out



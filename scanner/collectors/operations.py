"""Operations: CloudWatch alarms and dashboards, CloudWatch Logs, SSM maintenance, Organizations, contacts.

Alarms are linked to what they watch in ``scanner/derive/operations.py``: the
alarm's dimensions name the resource (InstanceId, LoadBalancer, DBInstanceIdentifier,
...), and only the merged graph knows every resource's id.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.context import ScanContext, account_id_node, iso
from scanner.inventory import Records

OPTIONAL_MISSING = ("ResourceNotFoundException", "ResourceNotFound")


def _metric_of(m: dict[str, Any]) -> dict[str, Any]:
    return ((m.get("MetricStat") or {}).get("Metric")) or {}


def transform_alarms(ctx: ScanContext, metric_alarms: list[dict[str, Any]],
                     composite: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for a in metric_alarms:
        arn = _alarm_arn(ctx, out, a)
        if not arn:
            continue
        metric = a.get("MetricName")
        namespace = a.get("Namespace")
        queries = a.get("Metrics") or []
        if not metric and queries:
            stats = [_metric_of(m) for m in queries]
            metric = ", ".join(sorted({s["MetricName"] for s in stats if s.get("MetricName")})) or "expression"
            namespace = ", ".join(sorted({s["Namespace"] for s in stats if s.get("Namespace")})) or None
        dims = {d["Name"]: d.get("Value") for d in a.get("Dimensions") or [] if d.get("Name")}
        for m in queries:
            for d in _metric_of(m).get("Dimensions") or []:
                if d.get("Name"):
                    dims.setdefault(d["Name"], d.get("Value"))
        out.node(arn, "cloudwatch:alarm", a.get("AlarmName") or arn, name=a.get("AlarmName"), metric=metric,
                 namespace=namespace, dimensions=dims, threshold=a.get("Threshold"),
                 comparison=a.get("ComparisonOperator"), state=a.get("StateValue"), unit=a.get("Unit"),
                 period=a.get("Period"), evaluation_periods=a.get("EvaluationPeriods"),
                 actions_enabled=a.get("ActionsEnabled"), alarm_actions=list(a.get("AlarmActions") or []),
                 ok_actions=list(a.get("OKActions") or []), composite=False)
        _action_edges(out, arn, a)
    for a in composite:
        arn = _alarm_arn(ctx, out, a)
        if not arn:
            continue
        # the AlarmRule expression is not kept: the kind spec has no prop for it (yet)
        out.node(arn, "cloudwatch:alarm", a.get("AlarmName") or arn, name=a.get("AlarmName"), metric="composite",
                 namespace=None, dimensions={}, threshold=None, comparison=None, state=a.get("StateValue"),
                 actions_enabled=a.get("ActionsEnabled"), alarm_actions=list(a.get("AlarmActions") or []),
                 ok_actions=list(a.get("OKActions") or []), composite=True)
        _action_edges(out, arn, a)
    return out


def _alarm_arn(ctx: ScanContext, out: Records, a: dict[str, Any]) -> str | None:
    if a.get("AlarmArn"):
        return str(a["AlarmArn"])
    if a.get("AlarmName"):
        return ctx.arn("cloudwatch", f"alarm:{a['AlarmName']}")
    skipped(out, "cloudwatch", "cloudwatch:DescribeAlarms", "an alarm", "AlarmArn")
    return None


def _action_edges(out: Records, arn: str, alarm: dict[str, Any]) -> None:
    for action in sorted(set(alarm.get("AlarmActions") or []) | set(alarm.get("OKActions") or [])
                         | set(alarm.get("InsufficientDataActions") or [])):
        if ":sns:" in action:
            out.edge(arn, action, "publishes_to")
        elif ":autoscaling:" in action and "scalingPolicy" in action:
            out.edge(arn, action, "triggers")


@collector("cloudwatch.alarms", "cloudwatch", reads="cloudwatch:DescribeAlarms")
def collect_alarms(ctx: ScanContext) -> Records:
    metric, composite = [], []
    for page in ctx.paginate("cloudwatch", "describe_alarms", AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        metric.extend(page.get("MetricAlarms") or [])
        composite.extend(page.get("CompositeAlarms") or [])
    return transform_alarms(ctx, metric, composite)


def transform_dashboards(ctx: ScanContext, entries: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for d in entries:
        name = d.get("DashboardName")
        arn = d.get("DashboardArn") or (name and ctx.arn("cloudwatch", f"dashboard/{name}", global_=True))
        if not arn:
            skipped(out, "cloudwatch", "cloudwatch:ListDashboards", "a dashboard", "DashboardName")
            continue
        out.node(arn, "cloudwatch:dashboard", name or arn, name=name,
                 size=d.get("Size"), last_modified=iso(d.get("LastModified")))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("cloudwatch.dashboards", "cloudwatch", reads="cloudwatch:ListDashboards")
def collect_dashboards(ctx: ScanContext) -> Records:
    return transform_dashboards(ctx, list(ctx.paginate("cloudwatch", "list_dashboards", "DashboardEntries")))


def log_group_arn(ctx: ScanContext, group: dict[str, Any]) -> str:
    arn = group.get("arn") or ctx.arn("logs", f"log-group:{group['logGroupName']}")
    return arn[:-2] if arn.endswith(":*") else arn


def transform_log_groups(ctx: ScanContext, groups: list[dict[str, Any]],
                         filters: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    by_group: dict[str, list[dict[str, Any]]] = {}
    for f in filters:
        by_group.setdefault(f.get("logGroupName") or "", []).append(
            {"name": f.get("filterName"), "pattern": (f.get("filterPattern") or "")[:200],
             "metrics": sorted({f"{t.get('metricNamespace')}/{t.get('metricName')}"
                                for t in f.get("metricTransformations") or []})})
    for g in groups:
        name = g.get("logGroupName")
        if not name:
            skipped(out, "logs", "logs:DescribeLogGroups", "a log group", "logGroupName")
            continue
        arn = log_group_arn(ctx, g)
        out.node(arn, "logs:log-group", name, name=name, retention_days=g.get("retentionInDays"),
                 stored_bytes=g.get("storedBytes"), kms_key=g.get("kmsKeyId"),
                 metric_filters=by_group.get(name, []), created=_epoch_ms(g.get("creationTime")),
                 log_class=g.get("logGroupClass"))
        if g.get("kmsKeyId"):
            out.edge(arn, ctx.kms_key_arn(g["kmsKeyId"]), "encrypted_by")
        out.edge(ctx.region_node, arn, "contains")
    return out


def _epoch_ms(value: Any) -> str | None:
    if value is None:
        return None
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat(timespec="seconds")


@collector("logs.groups", "logs", reads="logs:DescribeLogGroups, logs:DescribeMetricFilters")
def collect_log_groups(ctx: ScanContext) -> Records:
    groups = list(ctx.paginate("logs", "describe_log_groups", "logGroups"))
    filters = list(ctx.paginate("logs", "describe_metric_filters", "metricFilters"))
    return transform_log_groups(ctx, groups, filters)


def patch_compliance(states: list[dict[str, Any]]) -> dict[str, str]:
    """Instance id -> "compliant" or "N missing/failed" (unknown counts are not read as zero)."""
    out: dict[str, str] = {}
    for st in states:
        iid = st.get("InstanceId")
        counts = [st.get("MissingCount"), st.get("FailedCount")]
        if not iid or all(c is None for c in counts):
            continue
        missing = sum(c or 0 for c in counts)
        out[iid] = "compliant" if missing == 0 else f"{missing} missing/failed"
    return out


def transform_ssm_maintenance(ctx: ScanContext, windows: list[dict[str, Any]], baselines: list[dict[str, Any]],
                              instances: list[dict[str, Any]], patch_states: list[dict[str, Any]]) -> Records:
    """Maintenance windows, patch baselines and managed instances (with their patch compliance)."""
    out = ctx.records()
    for w in windows:
        wid = w.get("WindowId")
        if not wid:
            skipped(out, "ssm", "ssm:DescribeMaintenanceWindows", "a maintenance window", "WindowId")
            continue
        arn = ctx.arn("ssm", f"maintenancewindow/{wid}")
        out.node(arn, "ssm:maintenance-window", w.get("Name") or wid, window_id=wid, name=w.get("Name"),
                 schedule=w.get("Schedule"), duration=w.get("Duration"), enabled=w.get("Enabled"),
                 cutoff=w.get("Cutoff"), next_execution=w.get("NextExecutionTime"))
        out.edge(ctx.region_node, arn, "contains")
    for b in baselines:
        bid = b.get("BaselineId")
        if not bid:
            skipped(out, "ssm", "ssm:DescribePatchBaselines", "a patch baseline", "BaselineId")
            continue
        arn = bid if bid.startswith("arn:") else ctx.arn("ssm", f"patchbaseline/{bid}")
        out.node(arn, "ssm:patch-baseline", b.get("BaselineName") or bid, baseline_id=bid,
                 name=b.get("BaselineName"), operating_system=b.get("OperatingSystem"),
                 default=b.get("DefaultBaseline"))
    compliance = patch_compliance(patch_states)
    for i in instances:
        iid = i.get("InstanceId")
        if not iid:
            skipped(out, "ssm", "ssm:DescribeInstanceInformation", "a managed instance", "InstanceId")
            continue
        arn = ctx.arn("ssm", f"managed-instance/{iid}")
        platform = " ".join(str(p) for p in (i.get("PlatformName"), i.get("PlatformVersion")) if p)
        out.node(arn, "ssm:managed-instance", iid, instance_id=iid, ping_status=i.get("PingStatus"),
                 platform=platform or None, agent_version=i.get("AgentVersion"),
                 patch_compliance=compliance.get(iid))
        if iid.startswith("i-"):
            out.edge(arn, ctx.ec2_arn("instance", iid), "monitors")
    return out


@collector("ssm.maintenance", "ssm", reads="ssm:DescribeMaintenanceWindows, ssm:DescribePatchBaselines, "
           "ssm:DescribeInstanceInformation, ssm:DescribeInstancePatchStates")
def collect_ssm_maintenance(ctx: ScanContext) -> Records:
    out = ctx.records()
    windows = list(ctx.paginate("ssm", "describe_maintenance_windows", "WindowIdentities"))
    baselines = list(ctx.paginate("ssm", "describe_patch_baselines", "BaselineIdentities"))
    managed = ctx.optional(out, "ssm", "describe_instance_information", missing=("InvalidAction",))
    infos = list((managed or {}).get("InstanceInformationList") or [])
    token = (managed or {}).get("NextToken")
    while token:
        page = ctx.call("ssm", "describe_instance_information", NextToken=token)
        infos.extend(page.get("InstanceInformationList") or [])
        token = page.get("NextToken")
    ids = [i["InstanceId"] for i in infos if i.get("InstanceId")]
    states: list[dict[str, Any]] = []
    for start in range(0, len(ids), 50):
        resp = ctx.optional(out, "ssm", "describe_instance_patch_states", InstanceIds=ids[start:start + 50])
        states.extend((resp or {}).get("InstancePatchStates") or [])
    return out.extend(transform_ssm_maintenance(ctx, windows, baselines, infos, states))


def transform_organization(ctx: ScanContext, org: dict[str, Any]) -> Records:
    out = ctx.records(region="global")
    oid = org.get("Id")
    arn = org.get("Arn") or (oid and ctx.arn("organizations", f"organization/{oid}", global_=True))
    if not arn:
        skipped(out, "organizations", "organizations:DescribeOrganization", "the organization", "Id")
        return out
    mgmt = org.get("MasterAccountId")
    out.node(arn, "organizations:organization", oid or arn, organization_id=oid, management_account=mgmt,
             feature_set=org.get("FeatureSet"), is_management_account=None if mgmt is None else mgmt == ctx.account)
    out.edge(arn, account_id_node(ctx.account), "contains")
    return out


@collector("organizations.organization", "organizations", scope="global",
           reads="organizations:DescribeOrganization")
def collect_organization(ctx: ScanContext) -> Records:
    org = ctx.call("organizations", "describe_organization").get("Organization") or {}
    return transform_organization(ctx, org)


CONTACT_TYPES = ("SECURITY", "OPERATIONS", "BILLING")


def transform_contacts(ctx: ScanContext, contacts: dict[str, dict[str, Any] | None]) -> Records:
    """``contacts``: contact type -> GetAlternateContact response ({} not set, None not readable).

    Only whether each contact is set and its title are kept, never the e-mail or phone number.
    """
    out = ctx.records(region="global")
    seen: dict[str, Any] = {}
    for kind, resp in contacts.items():
        if resp is None:
            seen[kind] = None  # denied: unknown, not "missing"
            continue
        c = resp.get("AlternateContact")  # absent: ResourceNotFoundException, no such contact
        seen[kind] = {"set": c is not None, "title": (c or {}).get("Title")}
    out.node(account_id_node(ctx.account), "aws:account", ctx.account, account_id=ctx.account, contacts=seen)
    return out


@collector("account.contacts", "account", scope="global", reads="account:GetAlternateContact")
def collect_contacts(ctx: ScanContext) -> Records:
    """Alternate contacts: whether each is set and its title, never the e-mail or phone number."""
    out = ctx.records(region="global")
    contacts: dict[str, dict[str, Any] | None] = {}
    for kind in CONTACT_TYPES:
        gaps_before = len(out.gaps)
        resp = ctx.optional(out, "account", "get_alternate_contact", AlternateContactType=kind,
                            missing=OPTIONAL_MISSING)
        contacts[kind.lower()] = None if len(out.gaps) > gaps_before else (resp or {})
    return out.extend(transform_contacts(ctx, contacts))

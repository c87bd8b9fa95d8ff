"""Operations: CloudWatch alarms and dashboards, CloudWatch Logs, SSM maintenance, Organizations, contacts.

Alarms are linked to what they watch in ``scanner/derive/operations.py``: the
alarm's dimensions name the resource (InstanceId, LoadBalancer, DBInstanceIdentifier,
...), and only the merged graph knows every resource's id.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors.registry import collector
from scanner.context import ScanContext, account_id_node, iso
from scanner.inventory import Records

OPTIONAL_MISSING = ("ResourceNotFoundException", "ResourceNotFound")


def transform_alarms(ctx: ScanContext, metric_alarms: list[dict[str, Any]],
                     composite: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for a in metric_alarms:
        arn = a["AlarmArn"]
        metric = a.get("MetricName")
        namespace = a.get("Namespace")
        if not metric and a.get("Metrics"):
            stats = [m.get("MetricStat", {}).get("Metric", {}) for m in a["Metrics"]]
            metric = ", ".join(sorted({s.get("MetricName", "") for s in stats if s.get("MetricName")})) or "expression"
            namespace = ", ".join(sorted({s.get("Namespace", "") for s in stats if s.get("Namespace")})) or None
        dims = {d["Name"]: d["Value"] for d in a.get("Dimensions", [])}
        for m in a.get("Metrics") or []:
            for d in m.get("MetricStat", {}).get("Metric", {}).get("Dimensions", []):
                dims.setdefault(d["Name"], d["Value"])
        out.node(arn, "cloudwatch:alarm", a["AlarmName"], name=a["AlarmName"], metric=metric,
                 namespace=namespace, dimensions=dims, threshold=a.get("Threshold"),
                 comparison=a.get("ComparisonOperator"), state=a.get("StateValue"), unit=a.get("Unit"),
                 period=a.get("Period"), evaluation_periods=a.get("EvaluationPeriods"),
                 actions_enabled=a.get("ActionsEnabled"), alarm_actions=list(a.get("AlarmActions", [])),
                 ok_actions=list(a.get("OKActions", [])), composite=False)
        _action_edges(out, arn, a)
    for a in composite:
        arn = a["AlarmArn"]
        out.node(arn, "cloudwatch:alarm", a["AlarmName"], name=a["AlarmName"], metric="composite",
                 namespace=None, dimensions={}, threshold=None, comparison=None, state=a.get("StateValue"),
                 actions_enabled=a.get("ActionsEnabled"), alarm_actions=list(a.get("AlarmActions", [])),
                 ok_actions=list(a.get("OKActions", [])), composite=True, rule=(a.get("AlarmRule") or "")[:300])
        _action_edges(out, arn, a)
    return out


def _action_edges(out: Records, arn: str, alarm: dict[str, Any]) -> None:
    for action in sorted(set(alarm.get("AlarmActions", [])) | set(alarm.get("OKActions", []))
                         | set(alarm.get("InsufficientDataActions", []))):
        if ":sns:" in action:
            out.edge(arn, action, "publishes_to")
        elif ":autoscaling:" in action and "scalingPolicy" in action:
            out.edge(arn, action, "triggers")


@collector("cloudwatch.alarms", "cloudwatch", reads="cloudwatch:DescribeAlarms")
def collect_alarms(ctx: ScanContext) -> Records:
    metric, composite = [], []
    for page in ctx.paginate("cloudwatch", "describe_alarms", AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        metric.extend(page.get("MetricAlarms", []))
        composite.extend(page.get("CompositeAlarms", []))
    return transform_alarms(ctx, metric, composite)


@collector("cloudwatch.dashboards", "cloudwatch", reads="cloudwatch:ListDashboards")
def collect_dashboards(ctx: ScanContext) -> Records:
    out = ctx.records()
    for d in ctx.paginate("cloudwatch", "list_dashboards", "DashboardEntries"):
        out.node(d["DashboardArn"], "cloudwatch:dashboard", d["DashboardName"], name=d["DashboardName"],
                 size=d.get("Size"), last_modified=iso(d.get("LastModified")))
        out.edge(ctx.region_node, d["DashboardArn"], "contains")
    return out


def log_group_arn(ctx: ScanContext, group: dict[str, Any]) -> str:
    arn = group.get("arn") or ctx.arn("logs", f"log-group:{group['logGroupName']}")
    return arn[:-2] if arn.endswith(":*") else arn


def transform_log_groups(ctx: ScanContext, groups: list[dict[str, Any]],
                         filters: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    by_group: dict[str, list[dict[str, Any]]] = {}
    for f in filters:
        by_group.setdefault(f.get("logGroupName", ""), []).append(
            {"name": f.get("filterName"), "pattern": (f.get("filterPattern") or "")[:200],
             "metrics": sorted({f"{t.get('metricNamespace')}/{t.get('metricName')}"
                                for t in f.get("metricTransformations", [])})})
    for g in groups:
        name = g["logGroupName"]
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


@collector("ssm.maintenance", "ssm", reads="ssm:DescribeMaintenanceWindows, ssm:DescribePatchBaselines, "
           "ssm:DescribeInstanceInformation, ssm:DescribeInstancePatchStates")
def collect_ssm_maintenance(ctx: ScanContext) -> Records:
    out = ctx.records()
    for w in ctx.paginate("ssm", "describe_maintenance_windows", "WindowIdentities"):
        wid = w["WindowId"]
        arn = ctx.arn("ssm", f"maintenancewindow/{wid}")
        out.node(arn, "ssm:maintenance-window", w.get("Name") or wid, window_id=wid, name=w.get("Name"),
                 schedule=w.get("Schedule"), duration=w.get("Duration"), enabled=w.get("Enabled"),
                 cutoff=w.get("Cutoff"), next_execution=w.get("NextExecutionTime"))
        out.edge(ctx.region_node, arn, "contains")
    for b in ctx.paginate("ssm", "describe_patch_baselines", "BaselineIdentities"):
        bid = b["BaselineId"]
        arn = bid if bid.startswith("arn:") else ctx.arn("ssm", f"patchbaseline/{bid}")
        out.node(arn, "ssm:patch-baseline", b.get("BaselineName") or bid, baseline_id=bid,
                 name=b.get("BaselineName"), operating_system=b.get("OperatingSystem"),
                 default=b.get("DefaultBaseline"))
    managed = ctx.optional(out, "ssm", "describe_instance_information", missing=("InvalidAction",))
    infos = (managed or {}).get("InstanceInformationList", [])
    token = (managed or {}).get("NextToken")
    while token:
        page = ctx.call("ssm", "describe_instance_information", NextToken=token)
        infos.extend(page.get("InstanceInformationList", []))
        token = page.get("NextToken")
    ids = [i["InstanceId"] for i in infos]
    compliance: dict[str, str] = {}
    for start in range(0, len(ids), 50):
        resp = ctx.optional(out, "ssm", "describe_instance_patch_states", InstanceIds=ids[start:start + 50])
        for st in (resp or {}).get("InstancePatchStates", []):
            missing = st.get("MissingCount", 0) + st.get("FailedCount", 0)
            compliance[st["InstanceId"]] = "compliant" if missing == 0 else f"{missing} missing/failed"
    for i in infos:
        iid = i["InstanceId"]
        arn = ctx.arn("ssm", f"managed-instance/{iid}")
        out.node(arn, "ssm:managed-instance", iid, instance_id=iid, ping_status=i.get("PingStatus"),
                 platform=f"{i.get('PlatformName', '')} {i.get('PlatformVersion', '')}".strip() or None,
                 agent_version=i.get("AgentVersion"), patch_compliance=compliance.get(iid))
        if iid.startswith("i-"):
            out.edge(arn, ctx.ec2_arn("instance", iid), "monitors")
    return out


@collector("organizations.organization", "organizations", scope="global",
           reads="organizations:DescribeOrganization")
def collect_organization(ctx: ScanContext) -> Records:
    out = ctx.records(region="global")
    org = ctx.call("organizations", "describe_organization")["Organization"]
    arn = org["Arn"]
    mgmt = org.get("MasterAccountId")
    out.node(arn, "organizations:organization", org["Id"], organization_id=org["Id"], management_account=mgmt,
             feature_set=org.get("FeatureSet"), is_management_account=mgmt == ctx.account)
    out.edge(arn, account_id_node(ctx.account), "contains")
    return out


CONTACT_TYPES = ("SECURITY", "OPERATIONS", "BILLING")


@collector("account.contacts", "account", scope="global", reads="account:GetAlternateContact")
def collect_contacts(ctx: ScanContext) -> Records:
    """Alternate contacts: whether each is set and its title, never the e-mail or phone number."""
    out = ctx.records(region="global")
    contacts: dict[str, Any] = {}
    for kind in CONTACT_TYPES:
        gaps_before = len(out.gaps)
        resp = ctx.optional(out, "account", "get_alternate_contact", AlternateContactType=kind,
                            missing=OPTIONAL_MISSING)
        if len(out.gaps) > gaps_before:
            contacts[kind.lower()] = None  # denied: unknown, not "missing"
            continue
        c = (resp or {}).get("AlternateContact") or {}
        contacts[kind.lower()] = {"set": bool(c), "title": c.get("Title")}
    out.node(account_id_node(ctx.account), "aws:account", ctx.account, account_id=ctx.account,
             contacts=contacts)
    return out

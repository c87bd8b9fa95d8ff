"""Cost monitoring: AWS Budgets, Cost Explorer actual spend, anomaly monitors, cost allocation tags.

All global (billing data lives in us-east-1). Cost Explorer calls cost money
(USD 0.01 each), so we make three, once per scan.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.context import ScanContext, account_id_node
from scanner.inventory import Records

BILLING_REGION = "us-east-1"


def _amount(spend: dict[str, Any] | None) -> float | None:
    if not spend or spend.get("Amount") in (None, ""):
        return None
    try:
        return round(float(spend["Amount"]), 2)
    except (TypeError, ValueError):
        return None


def transform_budgets(ctx: ScanContext, budgets: list[dict[str, Any]],
                      notifications: dict[str, list[dict[str, Any]]]) -> Records:
    out = ctx.records(region="global")
    for b in budgets:
        name = b.get("BudgetName")
        if not name:
            skipped(out, "budgets", "budgets:ViewBudget", "a budget", "BudgetName")
            continue
        arn = f"arn:{ctx.partition}:budgets::{ctx.account}:budget/{name}"
        spent = b.get("CalculatedSpend") or {}
        out.node(arn, "budgets:budget", name, name=name, amount=_amount(b.get("BudgetLimit")),
                 unit=(b.get("BudgetLimit") or {}).get("Unit"), time_unit=b.get("TimeUnit"),
                 budget_type=b.get("BudgetType"), actual=_amount(spent.get("ActualSpend")),
                 forecast=_amount(spent.get("ForecastedSpend")),
                 alerts=[{"type": n.get("NotificationType"), "comparison": n.get("ComparisonOperator"),
                          "threshold": n.get("Threshold"), "threshold_type": n.get("ThresholdType")}
                         for n in notifications.get(name) or []])
        out.edge(account_id_node(ctx.account), arn, "contains")
    return out


@collector("budgets.budgets", "budgets", scope="global",
           reads="budgets:ViewBudget (DescribeBudgets, DescribeNotificationsForBudget)")
def collect_budgets(ctx: ScanContext) -> Records:
    budgets = list(ctx.paginate("budgets", "describe_budgets", "Budgets", region=BILLING_REGION,
                                AccountId=ctx.account))
    notes: dict[str, list[dict[str, Any]]] = {}
    out = ctx.records(region="global")
    for b in budgets:
        resp = ctx.optional(out, "budgets", "describe_notifications_for_budget", region=BILLING_REGION,
                            resource=b["BudgetName"], AccountId=ctx.account, BudgetName=b["BudgetName"],
                            missing=("NotFoundException",))
        notes[b["BudgetName"]] = (resp or {}).get("Notifications") or []
    return out.extend(transform_budgets(ctx, budgets, notes))


def last_full_month(today: date) -> tuple[str, str]:
    first_this = today.replace(day=1)
    first_prev = (first_this - timedelta(days=1)).replace(day=1)
    return first_prev.isoformat(), first_this.isoformat()


def transform_spend(ctx: ScanContext, resp: dict[str, Any], start: str, end: str) -> Records:
    out = ctx.records(region="global")
    by_service: dict[str, float] = {}
    unit = None
    for period in resp.get("ResultsByTime") or []:
        for g in period.get("Groups") or []:
            metric = (g.get("Metrics") or {}).get("UnblendedCost") or {}
            amount = _amount(metric)
            unit = unit or metric.get("Unit")
            if amount is not None:
                key = (g.get("Keys") or ["(unknown)"])[0]
                by_service[key] = round(by_service.get(key, 0.0) + amount, 2)
    arn = f"arn:{ctx.partition}:ce::{ctx.account}:spend/{start}"
    out.node(arn, "ce:monthly-spend", f"Actual spend {start[:7]}", period_start=start, period_end=end,
             by_service=dict(sorted(by_service.items(), key=lambda kv: -kv[1])),
             total=round(sum(by_service.values()), 2), unit=unit or "USD")
    out.edge(account_id_node(ctx.account), arn, "contains")
    return out


@collector("ce.spend", "ce", scope="global", reads="ce:GetCostAndUsage")
def collect_spend(ctx: ScanContext) -> Records:
    start, end = last_full_month(date.today())
    resp = ctx.call("ce", "get_cost_and_usage", region=BILLING_REGION,
                    TimePeriod={"Start": start, "End": end}, Granularity="MONTHLY",
                    Metrics=["UnblendedCost"], GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])
    pages = [resp]
    while resp.get("NextPageToken"):
        resp = ctx.call("ce", "get_cost_and_usage", region=BILLING_REGION,
                        TimePeriod={"Start": start, "End": end}, Granularity="MONTHLY",
                        Metrics=["UnblendedCost"], GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
                        NextPageToken=resp["NextPageToken"])
        pages.append(resp)
    merged = {"ResultsByTime": [p for r in pages for p in r.get("ResultsByTime", [])]}
    return transform_spend(ctx, merged, start, end)


def transform_cost_monitoring(ctx: ScanContext, monitors: list[dict[str, Any]] | None,
                              subscriptions: list[dict[str, Any]] | None,
                              tags: list[dict[str, Any]] | None) -> Records:
    """Anomaly monitors (with the subscriptions that alert on them) and cost allocation tags;
    None means "not readable" (the collector recorded the gap)."""
    out = ctx.records(region="global")
    by_monitor: dict[str, list[dict[str, Any]]] = {}
    for s in subscriptions or []:
        for m in s.get("MonitorArnList") or []:
            by_monitor.setdefault(m, []).append({"name": s.get("SubscriptionName"), "frequency": s.get("Frequency"),
                                                 "subscribers": len(s.get("Subscribers") or [])})
    for m in monitors or []:
        arn = m.get("MonitorArn")
        if not arn:
            skipped(out, "ce", "ce:GetAnomalyMonitors", "an anomaly monitor", "MonitorArn")
            continue
        out.node(arn, "ce:anomaly-monitor", m.get("MonitorName") or arn, name=m.get("MonitorName"),
                 type=m.get("MonitorType"), dimension=m.get("MonitorDimension"),
                 subscriptions=by_monitor.get(arn, []))
        out.edge(account_id_node(ctx.account), arn, "contains")
    for t in tags or []:
        key = t.get("TagKey")
        if not key:
            skipped(out, "ce", "ce:ListCostAllocationTags", "a cost allocation tag", "TagKey")
            continue
        out.node(f"arn:{ctx.partition}:ce::{ctx.account}:cost-allocation-tag/{key}", "ce:cost-allocation-tag",
                 key, key=key, status=t.get("Status"), type=t.get("Type"))
    return out


@collector("ce.monitoring", "ce", scope="global",
           reads="ce:GetAnomalyMonitors, ce:GetAnomalySubscriptions, ce:ListCostAllocationTags")
def collect_cost_monitoring(ctx: ScanContext) -> Records:
    out = ctx.records(region="global")
    monitors = ctx.optional(out, "ce", "get_anomaly_monitors", region=BILLING_REGION)
    subs = ctx.optional(out, "ce", "get_anomaly_subscriptions", region=BILLING_REGION)
    resp = ctx.optional(out, "ce", "list_cost_allocation_tags", region=BILLING_REGION)
    tags = None if resp is None else list(resp.get("CostAllocationTags") or [])
    while resp and resp.get("NextToken"):
        resp = ctx.call("ce", "list_cost_allocation_tags", region=BILLING_REGION, NextToken=resp["NextToken"])
        tags = (tags or []) + list(resp.get("CostAllocationTags") or [])
    return out.extend(transform_cost_monitoring(
        ctx, None if monitors is None else monitors.get("AnomalyMonitors") or [],
        None if subs is None else subs.get("AnomalySubscriptions") or [], tags))

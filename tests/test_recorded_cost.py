"""Recorded shapes for scanner/collectors/cost.py (Budgets, Cost Explorer)."""

from __future__ import annotations

from scanner.collectors import cost as c
from tests.test_recorded_shapes import Case, items, one

F = "cost"


def _budgets(ctx, r: dict):
    budgets = items(r, "DescribeBudgets", "Budgets")
    notes = items(r, "DescribeNotificationsForBudget", "Notifications")
    return c.transform_budgets(ctx, budgets, {b.get("BudgetName"): notes for b in budgets})


CASES = [
    Case(F, c.transform_budgets, ("budgets:DescribeBudgets", "budgets:DescribeNotificationsForBudget"), _budgets,
         names=("DescribeBudgets:Budgets[].BudgetName",)),
    Case(F, c.transform_spend, ("ce:GetCostAndUsage",),
         lambda ctx, r: c.transform_spend(ctx, one(r, "GetCostAndUsage"), "2024-04-01", "2024-05-01"),
         names=("=Actual spend 2024-04",)),
    Case(F, c.transform_cost_monitoring,
         ("ce:GetAnomalyMonitors", "ce:GetAnomalySubscriptions", "ce:ListCostAllocationTags"),
         lambda ctx, r: c.transform_cost_monitoring(
             ctx, items(r, "GetAnomalyMonitors", "AnomalyMonitors"),
             items(r, "GetAnomalySubscriptions", "AnomalySubscriptions"),
             items(r, "ListCostAllocationTags", "CostAllocationTags")),
         names=("GetAnomalyMonitors:AnomalyMonitors[].MonitorName", "ListCostAllocationTags:CostAllocationTags[].TagKey"),
         ids=("MonitorArn",)),
]

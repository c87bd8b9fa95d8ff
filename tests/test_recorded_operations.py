"""Recorded shapes for scanner/collectors/operations.py (CloudWatch, Logs, SSM, Organizations, contacts)."""

from __future__ import annotations

from scanner.collectors import operations as o
from tests.test_recorded_shapes import Case, items, one

F = "operations"


def _alarms(ctx, r: dict):
    return o.transform_alarms(ctx, items(r, "DescribeAlarms", "MetricAlarms"), items(r, "DescribeAlarms", "CompositeAlarms"))


def _maintenance(ctx, r: dict):
    return o.transform_ssm_maintenance(
        ctx, items(r, "DescribeMaintenanceWindows", "WindowIdentities"),
        items(r, "DescribePatchBaselines", "BaselineIdentities"),
        items(r, "DescribeInstanceInformation", "InstanceInformationList"),
        items(r, "DescribeInstancePatchStates", "InstancePatchStates"))


def _contacts(ctx, r: dict):
    got = one(r, "GetAlternateContact")
    return o.transform_contacts(ctx, {"security": got, "operations": {}, "billing": None})


CASES = [
    Case(F, o.transform_alarms, ("cloudwatch:DescribeAlarms",), _alarms,
         names=("DescribeAlarms:MetricAlarms[].AlarmName", "DescribeAlarms:CompositeAlarms[].AlarmName")),
    Case(F, o.transform_dashboards, ("cloudwatch:ListDashboards",),
         lambda ctx, r: o.transform_dashboards(ctx, items(r, "ListDashboards", "DashboardEntries")),
         names=("ListDashboards:DashboardEntries[].DashboardName",)),
    Case(F, o.transform_log_groups, ("logs:DescribeLogGroups", "logs:DescribeMetricFilters"),
         lambda ctx, r: o.transform_log_groups(ctx, items(r, "DescribeLogGroups", "logGroups"),
                                               items(r, "DescribeMetricFilters", "metricFilters")),
         names=("DescribeLogGroups:logGroups[].logGroupName",)),
    Case(F, o.transform_ssm_maintenance,
         ("ssm:DescribeMaintenanceWindows", "ssm:DescribePatchBaselines", "ssm:DescribeInstanceInformation",
          "ssm:DescribeInstancePatchStates"), _maintenance,
         names=("DescribeMaintenanceWindows:WindowIdentities[].WindowId",
                "DescribePatchBaselines:BaselineIdentities[].BaselineId",
                "DescribeInstanceInformation:InstanceInformationList[].InstanceId")),
    Case(F, o.transform_organization, ("organizations:DescribeOrganization",),
         lambda ctx, r: o.transform_organization(ctx, one(r, "DescribeOrganization").get("Organization") or {}),
         names=("DescribeOrganization:Organization.Id",)),
    Case(F, o.transform_contacts, ("account:GetAlternateContact",), _contacts,
         names=("=123456789012",)),
]

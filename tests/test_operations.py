"""Operations (section 12) and cost monitoring (10.3): alarms, logs, maintenance, budgets, spend."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.stub import Stubber

from scanner.collectors.cost import collect_cost_monitoring, last_full_month, transform_spend
from scanner.collectors.operations import collect_ssm_maintenance, transform_alarms
from scanner.context import ScanContext
from tests.conftest import scan_account, section

PARTS = ("network", "operations", "cost")


@pytest.fixture(scope="module")
def ops(tmp_path_factory) -> SimpleNamespace:
    from fixtures.sample import build_sample

    return scan_account(lambda: build_sample(parts=PARTS), tmp_path_factory.mktemp("ops"))


def ctx() -> ScanContext:
    import boto3

    return ScanContext(boto3.Session(region_name="us-east-1"), "us-east-1", "123456789012")


def test_alarm_transform_links_actions_and_keeps_dimensions():
    out = transform_alarms(ctx(), [{
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:db-cpu", "AlarmName": "db-cpu",
        "MetricName": "CPUUtilization", "Namespace": "AWS/RDS", "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold", "StateValue": "OK", "ActionsEnabled": True,
        "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "prod-db"}],
        "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:ops"], "OKActions": []}], [])
    (node,) = out.nodes
    assert node.props["dimensions"] == {"DBInstanceIdentifier": "prod-db"}
    assert [(e.dst, e.rel) for e in out.edges] == [("arn:aws:sns:us-east-1:123456789012:ops", "publishes_to")]


def test_alarms_in_12_1_with_what_they_watch_and_notify(ops):
    s = section(ops.doc, "12.1")
    assert "AWS/NATGateway ErrorPortAllocation | above 0 | nat-a | ops-alerts | OK" in s
    assert "| NAT gateway | 2 | 2 | none |" in s
    assert "Dashboards: web-platform-overview" in s


def test_alarm_monitors_edge_to_the_database(sample):
    db_alarm = [a for a in sample.inv.nodes("cloudwatch:alarm") if a["name"] == "db-cpu-high"]
    assert db_alarm, "the sample account alarms on its database"
    watched = sample.inv.out(db_alarm[0]["id"], "monitors")
    assert [w["kind"] for w in watched] == ["rds:instance"]
    assert "db-cpu-high" in section(sample.doc, "12.1")


def test_log_groups_and_retention_in_12_2(ops):
    s = section(ops.doc, "12.2")
    assert "/web-platform/app" in s and "| 30 |" in s
    assert "app-errors" in s
    assert "VPC flow logs on 1 of" in s


def test_maintenance_window_and_baseline_in_12_4(ops):
    s = section(ops.doc, "12.4")
    assert "weekly-patching" in s and "cron(0 3 ? \\* SUN \\*)" not in s
    assert "web-platform-amazon-linux" in s


def test_contacts_in_12_3_without_personal_data(ops):
    s = section(ops.doc, "12.3")
    assert "Security contact: set (Security lead)" in s
    assert "Operations contact: not set" in s
    for path in ops.out.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert b"security@example.com" not in text and b"555-0100" not in text, path


def test_budget_and_tag_coverage_in_10_3(ops):
    s = section(ops.doc, "10.3")
    assert "web-platform-monthly" in s and "$2,500.00" in s and "actual above 80%" in s
    assert "Project" in s and "CostCenter" in s
    assert "carry all of Project, Environment, Owner and CostCenter" in s


def test_denied_budgets_is_shown_as_a_gap(tmp_path):
    from fixtures.sample import build_sample

    def deny_budgets(session):
        def refuse(model=None, **_):
            if model.service_model.service_name == "budgets":
                from botocore.exceptions import ClientError

                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, model.name)
        session.events.register("before-call.budgets", refuse)

    res = scan_account(lambda: build_sample(parts=PARTS), tmp_path, regions=["us-east-1"], before_scan=deny_budgets)
    s = section(res.doc, "10.3")
    assert "No AWS Budgets could be listed" in s
    assert "budgets:ViewBudget" in s
    assert "/web-platform/app" in section(res.doc, "12.2"), "the rest of the scan went on"


def test_last_full_month():
    from datetime import date

    assert last_full_month(date(2026, 11, 25)) == ("2026-10-01", "2026-11-01")
    assert last_full_month(date(2026, 1, 3)) == ("2025-12-01", "2026-01-01")


def test_spend_transform_sums_by_service():
    out = transform_spend(ctx(), {"ResultsByTime": [{"Groups": [
        {"Keys": ["Amazon Elastic Compute Cloud - Compute"], "Metrics": {"UnblendedCost": {"Amount": "812.4012", "Unit": "USD"}}},
        {"Keys": ["Amazon Relational Database Service"], "Metrics": {"UnblendedCost": {"Amount": "455.1", "Unit": "USD"}}}]}]},
        "2026-10-01", "2026-11-01")
    (node,) = out.nodes
    assert node.props["total"] == 1267.5
    assert list(node.props["by_service"]) == ["Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service"]


def test_anomaly_monitors_and_allocation_tags_with_stubber():
    """moto implements neither GetAnomalyMonitors nor ListCostAllocationTags: botocore Stubber."""
    c = ctx()
    ce = c.client("ce", "us-east-1")
    with Stubber(ce) as stub:
        stub.add_response("get_anomaly_monitors", {"AnomalyMonitors": [{
            "MonitorArn": "arn:aws:ce::123456789012:anomalymonitor/abc", "MonitorName": "services",
            "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}]})
        stub.add_response("get_anomaly_subscriptions", {"AnomalySubscriptions": [{
            "SubscriptionName": "daily", "Frequency": "DAILY", "AccountId": "123456789012",
            "MonitorArnList": ["arn:aws:ce::123456789012:anomalymonitor/abc"],
            "Subscribers": [{"Address": "x@example.com", "Type": "EMAIL"}]}]})
        stub.add_response("list_cost_allocation_tags", {"CostAllocationTags": [
            {"TagKey": "Project", "Type": "UserDefined", "Status": "Active"},
            {"TagKey": "Owner", "Type": "UserDefined", "Status": "Inactive"}]})
        out = collect_cost_monitoring(c)
    kinds = {n.kind: n for n in out.nodes}
    assert kinds["ce:anomaly-monitor"].props["subscriptions"] == [{"name": "daily", "frequency": "DAILY", "subscribers": 1}]
    assert sorted(n.props["status"] for n in out.nodes if n.kind == "ce:cost-allocation-tag") == ["Active", "Inactive"]
    assert out.gaps == []


def test_managed_instances_with_stubber():
    """moto lacks DescribeInstanceInformation and DescribeInstancePatchStates: botocore Stubber."""
    c = ctx()
    ssm = c.client("ssm", "us-east-1")
    with Stubber(ssm) as stub:
        stub.add_response("describe_maintenance_windows", {"WindowIdentities": []})
        stub.add_response("describe_patch_baselines", {"BaselineIdentities": []})
        stub.add_response("describe_instance_information", {"InstanceInformationList": [
            {"InstanceId": "i-0abc", "PingStatus": "Online", "PlatformName": "Amazon Linux", "PlatformVersion": "2023",
             "AgentVersion": "3.3.0"}]})
        stub.add_response("describe_instance_patch_states", {"InstancePatchStates": [
            {"InstanceId": "i-0abc", "PatchGroup": "web", "BaselineId": "pb-0123456789abcdef0", "OperationStartTime": "2026-11-01T00:00:00Z",
             "OperationEndTime": "2026-11-01T00:10:00Z", "Operation": "Scan", "MissingCount": 2, "FailedCount": 0}]})
        out = collect_ssm_maintenance(c)
    (node,) = [n for n in out.nodes if n.kind == "ssm:managed-instance"]
    assert node.props["patch_compliance"] == "2 missing/failed"
    assert [(e.dst, e.rel) for e in out.edges] == [("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "monitors")]


def test_alarm_thresholds_carry_units():
    from renderers.facts.operations import _condition, threshold_text

    assert threshold_text(10 * 1024**3, "Bytes") == "10 GiB"
    assert threshold_text(85.0, "Percent") == "85%"
    assert threshold_text(1.5, "Seconds") == "1.5 s"
    assert threshold_text(10, None) == "10"
    assert _condition({"metric": "FreeStorageSpace", "threshold": 10737418240.0,
                       "comparison": "LessThanThreshold"}) == "below 10 GiB"


def test_unreadable_ssm_inventory_is_not_zero_managed_instances(ops):
    """moto has no DescribeInstanceInformation: 12.4 must not claim SSM manages 0 instances."""
    s = section(ops.doc, "12.4")
    assert "Systems Manager manages 0" not in s and "could not be read" in s


def test_budget_and_anomaly_wording_in_10_3(ops):
    s = section(ops.doc, "10.3")
    assert "| cost | monthly | $2,500.00 |" in s and "USD" not in s.split("Cost anomaly")[0]
    assert "(or they could not be read)" not in s


def test_implementation_plan_counts_and_external_references(sample):
    s111 = section(sample.doc, "11.1")
    assert "IAM policys" not in s111 and "IAM policies" in s111
    assert "Security Hub" not in s111            # both hubs are switched off (12.3 says so)
    s112 = section(sample.doc, "11.2")
    assert "used by \\-" not in s112
    # a reference to a resource outside the scan (the sample's pipeline connection is read in process,
    # fixtures/sample/fidelity.py; a snapshot's deleted source volume is not)
    assert "source volume of snap-" in s112
    assert "(AWS managed)" in s112
    s113 = section(sample.doc, "11.3")
    assert "scan date (20" in s113 and "+00:00)" not in s113.splitlines()[1]


def test_alarm_transform_keeps_unit_and_period():
    out = transform_alarms(ctx(), [{
        "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:disk", "AlarmName": "disk",
        "MetricName": "FreeStorageSpace", "Namespace": "AWS/RDS", "Threshold": 5e9, "Unit": "Bytes",
        "Period": 300, "EvaluationPeriods": 2, "ComparisonOperator": "LessThanThreshold", "StateValue": "OK",
        "Dimensions": [], "AlarmActions": [], "OKActions": []}], [])
    p = out.nodes[0].props
    assert (p["unit"], p["period"], p["evaluation_periods"]) == ("Bytes", 300, 2)

"""Section 11: work grouped by area (from the resources a finding names, not its section), every item
listed, and dependencies that include launch templates, task definitions and what a change touches."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from renderers.facts import plan
from renderers.facts.plan_graph import area_of_finding, area_of_kind
from scanner import naming
from scanner.analysis.model import Analysis, Finding
from scanner.inventory import Inventory, Records
from tests.conftest import scan_account, section

ACCT, REG = "123456789012", "us-east-1"


@pytest.fixture(scope="module")
def insecure(tmp_path_factory) -> SimpleNamespace:
    from fixtures.insecure import build_insecure

    return scan_account(build_insecure, tmp_path_factory.mktemp("insecure-plan"), regions=[REG])


def area_block(doc: str, area: str) -> str:
    """The work table of one area in 11.3."""
    s = section(doc, "11.3")
    start = s.index(f"**{area}** (")
    end = s.find("\n**", start + 3)
    return s[start:end if end != -1 else None]


def rows_of(block: str) -> dict[str, str]:
    """Rule id -> its row, in one area's work table."""
    out = {}
    for line in block.splitlines():
        m = re.match(r"\| \d \| \w+ \| ([A-Z0-9]+-\d+):", line)
        if m:
            out[m.group(1)] = line
    return out


def test_the_flow_log_finding_is_network_work_not_account_foundation(sample):
    flow = [f for f in sample.analysis.open_findings() if f.rule == "NET-015"]
    assert flow and all(f.section == "5.4" and area_of_finding(sample.inv, f) == "network" for f in flow)
    assert "NET-015" in rows_of(area_block(sample.doc, "Network"))
    assert "NET-015" not in rows_of(area_block(sample.doc, "Account foundation"))


def test_each_finding_lands_where_its_resources_are(sample, insecure):
    def area(acc: SimpleNamespace, rule: str) -> str:
        return next(area_of_finding(acc.inv, f) for f in acc.analysis.open_findings() if f.rule == rule)

    assert area(sample, "IAM-003") == "security"         # a console user without MFA
    assert area(sample, "STO-005") == "data"             # a bucket without Block Public Access (section 4.1)
    assert area(sample, "DEL-008") == "compute"          # a task definition holding a secret (section 3.2)
    assert area(sample, "DEL-004") == "delivery"         # a build project
    assert area(insecure, "NET-001") == "network"        # SSH open to the internet on a security group
    assert area(insecure, "DB-001") == "data"            # a public database (section 6.1)
    assert area(insecure, "LOG-007") == "operations"     # a log group without retention (section 12.2)
    assert area(insecure, "LOG-002") == "security"       # CloudTrail not logging
    assert area_of_kind("route53:record") == "network" and area_of_kind("redshift:cluster") == "data"


def test_every_open_finding_and_every_resource_is_listed_in_11_3(sample, insecure):
    for acc in (sample, insecure):
        s = section(acc.doc, "11.3")
        for f in acc.analysis.open_findings():
            block = area_block(acc.doc, plan.AREA_NAMES[area_of_finding(acc.inv, f)])
            row = rows_of(block).get(f.rule)
            assert row, (f.rule, "missing from its area")
            for rid in f.resources:
                assert str(naming.label(acc.inv, rid)).replace("*", "\\*") in row or naming.label(acc.inv, rid) in s
        assert not re.search(r"and \d+ more", s) and not re.search(r"and \d+ more", section(acc.doc, "11.2"))


def test_area_counts_in_11_1_add_up_to_the_open_findings(sample):
    layers = plan.layers(sample.inv, sample.analysis)
    assert [la["name"] for la in layers] == ["Account foundation", "Network", "Data", "Compute and traffic",
                                             "Delivery", "Operations and resilience"]
    assert sum(la["findings"] for la in layers) == len(sample.analysis.open_findings())
    network = next(la for la in layers if la["area"] == "network")
    assert "2 hosted zones" in network["items"] and "1 VPN connection" in network["items"]
    s = section(sample.doc, "11.1")
    assert "| 2 | Network: VPCs, subnets, routing, gateways, DNS and network security |" in s
    assert sum("hosted zones" in line for line in s.splitlines()) == 1, "each kind counted in one area"


def test_dependencies_include_launch_template_task_definition_and_what_a_change_touches(sample):
    rows = {(d["kind"], d["name"]): d for d in plan.dependencies(sample.inv)}
    asg = rows[("autoscaling:group", "web-app-asg")]
    assert asg["needs"]["ec2:launch-template"] == ["web-app-lt"]
    assert "app-sg" in asg["needs"]["ec2:security-group"]                 # the template's security group
    assert asg["needs"]["iam:role"] == ["web-app-ec2"]                    # through the instance profile
    assert "ec2:image" in asg["needs"] and "ec2:key-pair" in asg["needs"]
    assert "cloudwatch:alarm" in asg["touches"] and "codedeploy:deployment-group" in asg["touches"]
    svc = rows[("ecs:service", "web-api")]
    assert svc["needs"]["ecs:task-definition"] == ["web-api:1"]
    assert svc["needs"]["iam:role"] == ["web-api-task", "web-api-task-execution"]   # the task definition's roles
    assert svc["needs"]["ecr:repository"] == ["web-platform/api"]
    alb = rows[("elbv2:load-balancer", "web-platform-alb")]
    assert {"cloudfront:distribution", "route53:record", "cloudwatch:alarm"} <= set(alb["touches"])
    assert "acm:certificate" in alb["needs"]                               # through its HTTPS listener
    cdn = next(d for d in rows.values() if d["kind"] == "cloudfront:distribution")
    assert cdn["needs"]["elbv2:load-balancer"] == ["web-platform-alb"]     # its origin
    s = section(sample.doc, "11.2")
    line = next(ln for ln in s.splitlines() if ln.startswith("| web-app-asg |"))
    assert "launch template: web-app-lt" in line and "IAM role: web-app-ec2" in line
    assert "| Workload | Kind | Region | Depends on | A change to it touches |" in s


# --- long lists go to an appendix, whole -----------------------------------------------------
def _render(name: str, inv: Inventory, analysis: Analysis) -> str:
    from renderers.document import DocHelpers, environment, load_facts

    ctx = {"inv": inv, "meta": inv.meta, "analysis": analysis, "facts": load_facts(),
           "h": DocHelpers(inv, analysis, {})}
    return environment().get_template(f"subsections/{name}.md.j2").render(ctx)


def test_a_long_item_is_listed_whole_in_the_appendix():
    rec = Records(region=REG, account=ACCT)
    buckets = [rec.node(f"arn:aws:s3:::bucket-{i:02d}", "s3:bucket", f"bucket-{i:02d}") for i in range(9)]
    vpc = rec.node(f"arn:aws:ec2:{REG}:{ACCT}:vpc/vpc-1", "ec2:vpc", "vpc-1")
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "scanned_at": "2026-12-01T00:00:00+00:00"})
    inv.merge([rec])
    a = Analysis(findings=[
        Finding("STO-009", "S3 bucket versioning is off", "low", "4.1", "security", buckets, ["off"], "fix"),
        Finding("NET-015", "VPC without flow logs", "medium", "5.4", "security", [vpc], ["none"], "fix"),
        Finding("IAM-009", "Weak password policy", "medium", "5.1", "security", [], ["weak"], "fix"),
    ])
    s = _render("11.3", inv, a)
    assert "| 3 | low | STO-009: S3 bucket versioning is off | 9 resources, listed in the appendix at the end of section 11 (data-1) |" in s
    appendix = s.split("Appendix to section 11")[1]
    assert all(f"  - bucket-{i:02d}" in appendix for i in range(9))
    assert "NET-015" in area_block("### 11.3 Timeline\n" + s, "Network")
    assert "| 2 | medium | IAM-009: Weak password policy | account level | 5.1 |" in s
    assert "more" not in s


# --- a denied read is unknown in 11.2, never "depends on nothing" ----------------------------------
def _one_function() -> str:
    import io
    import json
    import zipfile

    import boto3

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("h.py", "def h(e, c):\n    return 1\n")
    role = boto3.client("iam", region_name=REG).create_role(
        RoleName="fn-role", AssumeRolePolicyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    return boto3.client("lambda", region_name=REG).create_function(
        FunctionName="orders", Runtime="python3.12", Role=role["Role"]["Arn"], Handler="h.h",
        Code={"ZipFile": buf.getvalue()})["FunctionArn"]


def _scan_function(before_scan=None) -> Inventory:
    from moto import mock_aws

    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, verify_identity

    with mock_aws():
        _one_function()
        session = make_session(None, REG)
        if before_scan:
            before_scan(session)
        return scan(session, verify_identity(session), [REG],
                    collectors=[c for c in load_all() if c.name == "lambda.functions"])


def test_denied_destinations_make_11_2_say_unknown_with_why():
    from tests.support.denials import deny

    inv = _scan_function(deny("lambda:ListFunctionEventInvokeConfigs"))
    row = next(d for d in plan.dependencies(inv) if d["kind"] == "lambda:function")
    assert row["needs"]["lambda:asynchronous-destination"] == [
        "unknown (lambda:ListFunctionEventInvokeConfigs: access denied)"]
    text = _render("11.2", inv, Analysis())
    line = next(ln for ln in text.splitlines() if ln.startswith("| orders |"))
    assert "asynchronous destination: unknown (lambda:ListFunctionEventInvokeConfigs: access denied)" in line
    read = _scan_function()  # read and found none: nothing unknown is claimed
    row = next((d for d in plan.dependencies(read) if d["kind"] == "lambda:function"), {"needs": {}})
    assert "lambda:asynchronous-destination" not in row["needs"]

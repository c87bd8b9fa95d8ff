"""The findings an auditor expects (issue 13), each planted in moto and checked the way a reader
would: an ECS service running none of its tasks, a target group no listener uses, an HTTP API route
that runs a function without authorization, an unencrypted SNS topic, Redis without AUTH, an empty
disaster-recovery VPC and a DNS failover record that leads outside the account.

Each has a look-alike built right that must not be flagged; each is "not assessed", never a pass or
a fail, when what it rests on could not be read (graphs built from records); and the sample account,
which has these problems on purpose, yields them on the right resources and nothing else new.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from fixtures.insecure import CLEAN_MORE, MORE_PARTS, OUTSIDE_IP, PLANTED_MORE, SECOND_REGION, build_insecure
from renderers.report import write_report
from scanner.analysis import analyze
from scanner.analysis.model import STATUS_NOT_ASSESSED, STATUS_OPEN
from scanner.inventory import Inventory, Records
from tests.conftest import section

ACCT, REG = "123456789012", "us-east-1"
NEW_RULES = sorted(PLANTED_MORE)
#: the services whose collectors these rules read (the scan runs only those, to stay fast)
SERVICES = {"ec2", "ecs", "elbv2", "apigatewayv2", "lambda", "sns", "elasticache", "route53", "autoscaling"}


def scan_some(builder: Any, out: Path, regions: list[str], services: set[str]) -> SimpleNamespace:
    """Build an account in moto and scan it with only the collectors of ``services``."""
    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, verify_identity

    with mock_aws():
        ids = builder()
        session = make_session(None, REG)
        inv = scan(session, verify_identity(session), regions, name="Test", alias="test",
                   collectors=[c for c in load_all() if c.service in services])
    analysis = analyze(inv, {})
    files = write_report(inv, analysis, out, project_name="Test")
    return SimpleNamespace(ids=ids, inv=inv, analysis=analysis, files=files,
                           doc=files.document.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    parts = ("network", "security_groups", "compute", "load_balancer", "identity", "delivery", *MORE_PARTS)
    return scan_some(lambda: build_insecure(parts), tmp_path_factory.mktemp("more"), [REG, SECOND_REGION], SERVICES)


def findings_of(res: SimpleNamespace, rule: str, resource: str, status: str = STATUS_OPEN) -> list[Any]:
    return [f for f in res.analysis.findings if f.rule == rule and f.status == status and resource in f.resources]


# --- planted in moto -------------------------------------------------------------------------
@pytest.mark.parametrize("rule, key", sorted(PLANTED_MORE.items()))
def test_each_planted_problem_is_an_open_finding_in_its_section(more, rule, key):
    (f,) = findings_of(more, rule, more.ids[key])
    assert f.evidence and len(f.remediation) > 60 and f.severity in ("high", "medium", "low")
    body = section(more.doc, f.section).replace("\\", "")
    assert f"{rule}: {f.title}" in body and f.evidence[0][:40] in body


@pytest.mark.parametrize("rule, keys", sorted(CLEAN_MORE.items()))
def test_the_look_alike_built_right_is_not_flagged(more, rule, keys):
    for key in keys:
        assert not [f for f in more.analysis.findings if f.rule == rule and more.ids[key] in f.resources], key


def test_evidence_says_what_a_reader_checks_in_the_console(more):
    ids = more.ids
    ev = {rule: " ".join(findings_of(more, rule, ids[key])[0].evidence) for rule, key in PLANTED_MORE.items()}
    assert "desired 2, running 0" in ev["RES-007"]
    assert "legacy-orphan-tg" in ev["SVC-014"] and "ECS service legacy-worker" in ev["SVC-014"]
    assert "GET /report authorization NONE invokes legacy-report" in ev["SVC-015"]
    assert "legacy-alerts" in ev["SVC-016"] and "KmsMasterKeyId" in ev["SVC-016"]
    assert "legacy-sessions" in ev["DB-012"] and "TransitEncryptionEnabled=false" in ev["DB-012"]
    assert "legacy-dr" in ev["RES-008"] and SECOND_REGION in ev["RES-008"]
    assert OUTSIDE_IP in ev["RES-009"] and "SECONDARY" in ev["RES-009"]
    # the unauthorised route's function is named as a resource of the finding too
    (api,) = findings_of(more, "SVC-015", ids["open_api_arn"])
    assert ids["function_arn"] in api.resources


def test_a_private_address_inside_a_vpc_is_the_accounts_own(more):
    """shop's secondary points at 10.9.10.50, inside the legacy VPC: not "outside the account"."""
    assert more.inv.fact(more.ids["private_record_arn"], "failover_target_in_account").yes


# --- unread means not assessed -----------------------------------------------------------------
def runs_of(*collectors: str, denied: tuple[str, ...] = (), regions: tuple[str, ...] = (REG,)) -> list[dict[str, Any]]:
    from scanner.collectors import load_all

    by_name = {c.name: c for c in load_all()}
    out = []
    for name in (*collectors, *denied):
        c = by_name[name]
        for r in ([REG] if c.scope == "global" else regions):
            out.append({"collector": name, "service": c.service, "region": r,
                        "status": "denied" if name in denied else "ok",
                        **({"action": c.actions[0], "message": "not authorized"} if name in denied else {})})
    return out


def analysed(rec: Records, runs: list[dict[str, Any]], gaps: list[dict[str, Any]] | None = None) -> Any:
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "runs": runs, "gaps": gaps or []})
    inv.merge([rec])
    return analyze(inv)


def status_of(analysis: Any, rule: str, resource: str) -> str:
    found = {f.status for f in analysis.findings if f.rule == rule and resource in f.resources}
    assert len(found) == 1, (rule, found)
    return found.pop()


def test_ecs_service_whose_counts_were_not_read_is_not_assessed():
    rec = Records(region=REG, account=ACCT)
    svc = f"arn:aws:ecs:{REG}:{ACCT}:service/c/api"
    rec.node(svc, "ecs:service", "api", name="api", cluster="c", desired=None, running=None, launch_type="FARGATE",
             subnet_ids=[], security_group_ids=[], assign_public_ip=False, target_group_arns=[],
             task_definition="td", deployment_circuit_breaker=None)
    gaps = [{"action": "ecs:DescribeServices", "resource": svc, "region": REG, "reason": "AccessDenied"}]
    a = analysed(rec, runs_of("ecs.clusters"), gaps)
    assert status_of(a, "RES-007", svc) == STATUS_NOT_ASSESSED


def test_ecs_service_with_some_tasks_running_passes():
    rec = Records(region=REG, account=ACCT)
    svc = f"arn:aws:ecs:{REG}:{ACCT}:service/c/api"
    rec.node(svc, "ecs:service", "api", name="api", cluster="c", desired=3, running=1, launch_type="FARGATE",
             subnet_ids=[], security_group_ids=[], assign_public_ip=False, target_group_arns=[],
             task_definition="td", deployment_circuit_breaker=None)
    a = analysed(rec, runs_of("ecs.clusters"))
    assert not [f for f in a.findings if f.rule == "RES-007"]


def tg_records(lb_arns: list[str] | None) -> tuple[Records, str]:
    rec = Records(region=REG, account=ACCT)
    tg = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:targetgroup/api/1"
    rec.node(tg, "elbv2:target-group", "api", name="api", protocol="HTTP", port=80, target_type="ip", vpc_id="vpc-1",
             health_check={}, targets=[], lb_arns=lb_arns)
    return rec, tg


def test_target_group_is_not_judged_when_the_listeners_could_not_be_read():
    rec, tg = tg_records(None)
    a = analysed(rec, runs_of("elbv2.target_groups", denied=("elbv2.load_balancers",)))
    assert status_of(a, "SVC-014", tg) == STATUS_NOT_ASSESSED
    rec, tg = tg_records(None)
    a = analysed(rec, runs_of("elbv2.target_groups", "elbv2.load_balancers"))
    assert status_of(a, "SVC-014", tg) == STATUS_OPEN   # listeners read, none forwards to it
    rec, tg = tg_records([f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/app/x/1"])
    a = analysed(rec, runs_of("elbv2.target_groups"))
    assert not [f for f in a.findings if f.rule == "SVC-014"]


def http_api(routes: list[dict[str, Any]] | None) -> tuple[Records, str]:
    rec = Records(region=REG, account=ACCT)
    api = f"arn:aws:apigateway:{REG}::/apis/a1"
    fn = f"arn:aws:lambda:{REG}:{ACCT}:function:f"
    rec.node(api, "apigateway:http-api", "a", api_id="a1", name="a", protocol="HTTP", endpoint="https://x", stages=[],
             integrations=[{"id": "i1", "type": "AWS_PROXY", "target": fn, "connection": None, "subtype": None}],
             routes=routes)
    return rec, api


def test_http_api_routes_not_read_are_not_assessed_and_authorised_routes_pass():
    rec, api = http_api(None)
    gaps = [{"action": "apigateway:GET", "resource": "a1", "region": REG, "reason": "AccessDenied"}]
    assert status_of(analysed(rec, runs_of("apigatewayv2.apis"), gaps), "SVC-015", api) == STATUS_NOT_ASSESSED
    rec, api = http_api([{"key": "GET /x", "auth": "JWT", "api_key": False, "target": "integrations/i1"},
                         {"key": "GET /health", "auth": "NONE", "api_key": False, "target": None}])
    assert not [f for f in analysed(rec, runs_of("apigatewayv2.apis")).findings if f.rule == "SVC-015"]


def test_redis_with_tls_and_no_token_is_not_assessed_until_rbac_is_known():
    """RBAC user groups can stand in for an AUTH token, and this scan does not record them."""
    rec = Records(region=REG, account=ACCT)
    g = f"arn:aws:elasticache:{REG}:{ACCT}:replicationgroup:r"
    rec.node(g, "elasticache:replication-group", "r", id="r", engine="redis", node_type="cache.t3.micro", members=[],
             multi_az=False, automatic_failover=False, transit_encryption=True, at_rest_encryption=True,
             num_node_groups=1, kms_key=None, auth_token_enabled=False, snapshot_retention=1)
    a = analysed(rec, runs_of("elasticache.clusters"))
    assert status_of(a, "DB-012", g) == STATUS_NOT_ASSESSED


def vpc_records(name: str) -> tuple[Records, str]:
    rec = Records(region=REG, account=ACCT)
    vpc = f"arn:aws:ec2:{REG}:{ACCT}:vpc/vpc-9"
    rec.node(vpc, "ec2:vpc", name, tags={"Name": name}, vpc_id="vpc-9", cidr="10.9.0.0/16", cidrs=["10.9.0.0/16"],
             is_default=False, state="available", dhcp_options_id="default", instance_tenancy="default", ipv6_cidrs=[])
    return rec, vpc


@pytest.mark.parametrize("name", ["payments-dr", "DR", "disaster-recovery-vpc", "Disaster Recovery"])
def test_dr_vpc_whose_contents_could_not_be_read_is_not_assessed(name):
    rec, vpc = vpc_records(name)
    runs = runs_of("ec2.vpcs", "ec2.instances", "ec2.network_interfaces", denied=("autoscaling.groups",))
    assert status_of(analysed(rec, runs), "RES-008", vpc) == STATUS_NOT_ASSESSED  # an ASG at 0 may be there
    rec, vpc = vpc_records(name)
    runs = runs_of("ec2.vpcs", "ec2.instances", "autoscaling.groups", denied=("ec2.network_interfaces",))
    found = [f for f in analysed(rec, runs).findings if f.rule == "RES-008"]
    assert found and {f.status for f in found} == {STATUS_NOT_ASSESSED}  # said once for the region
    rec, vpc = vpc_records(name)
    runs = runs_of("ec2.vpcs", "ec2.instances", "autoscaling.groups", "ec2.network_interfaces")
    assert status_of(analysed(rec, runs), "RES-008", vpc) == STATUS_OPEN


@pytest.mark.parametrize("name", ["address-book", "drupal-prod", "hydra", "andromeda"])
def test_a_vpc_is_not_taken_for_disaster_recovery_by_a_few_letters(name):
    rec, vpc = vpc_records(name)
    runs = runs_of("ec2.vpcs", "ec2.instances", "autoscaling.groups", "ec2.network_interfaces")
    assert not [f for f in analysed(rec, runs).findings if f.rule == "RES-008" and vpc in f.resources]


def test_failover_to_an_ip_is_not_judged_when_the_accounts_addresses_were_not_read():
    rec = Records(region="global", account=ACCT)
    r = "arn:aws:route53:::hostedzone/Z1/recordset/www.example.com.A/secondary"
    rec.node(r, "route53:record", "www.example.com", name="www.example.com", type="A", ttl=60, values=[OUTSIDE_IP],
             alias_target=None, routing_policy="failover", set_identifier="secondary", health_check_id=None,
             failover="SECONDARY")
    runs = runs_of("route53.zones", "ec2.instances", "ec2.network_interfaces", "ec2.nat_gateways",
                   denied=("ec2.addresses",))
    assert status_of(analysed(rec, runs), "RES-009", r) == STATUS_NOT_ASSESSED
    runs = runs_of("route53.zones", "ec2.instances", "ec2.network_interfaces", "ec2.nat_gateways", "ec2.addresses")
    assert status_of(analysed(rec, runs), "RES-009", r) == STATUS_OPEN


# --- the sample account has these problems on purpose ------------------------------------------
def test_the_sample_yields_its_planted_weaknesses_on_the_right_resources_only(sample):
    ids = sample.ids
    opened: dict[str, set[str]] = {}
    for f in sample.analysis.open_findings():
        if f.rule in NEW_RULES:
            opened.setdefault(f.rule, set()).update(f.resources)
    names = {rule: {sample.inv.node(r)["name"] for r in res if sample.inv.node(r)} for rule, res in opened.items()}
    assert opened.get("RES-007") == {ids["ecs_service_arn"]}
    assert opened.get("SVC-014") == {ids["ecs_target_group_arn"]}
    assert names.get("SVC-015") == {"orders-http", "order-processor"}
    assert names.get("SVC-016") == {"order-events", "ops-alerts", "web-platform-deployments"}
    assert names.get("RES-008") == {"web-platform-dr"}
    assert {sample.inv.node(r)["props"]["set_identifier"] for r in opened.get("RES-009", ())} == {"secondary-eu-west-1"}
    # the sample's Redis has TLS but no AUTH token; whether RBAC stands in is not recorded: not a pass, not a fail
    assert "DB-012" not in opened
    assert {f.status for f in sample.analysis.findings if f.rule == "DB-012"} <= {STATUS_NOT_ASSESSED}

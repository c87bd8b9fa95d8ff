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
from scanner import judge
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
    gaps = [{"action": "apigateway:GetRoutes", "resource": api, "region": REG, "reason": "AccessDenied"}]
    a = analysed(rec, runs_of("apigatewayv2.apis"), gaps)
    assert status_of(a, "SVC-015", api) == STATUS_NOT_ASSESSED
    assert a.findings and all("apigateway:GetRoutes" in (f.reason or "") for f in a.findings if f.rule == "SVC-015")
    rec, api = http_api([{"key": "GET /x", "auth": "JWT", "api_key": False, "target": "integrations/i1"},
                         {"key": "GET /health", "auth": "NONE", "api_key": False, "target": None}])
    assert not [f for f in analysed(rec, runs_of("apigatewayv2.apis")).findings if f.rule == "SVC-015"]


OPEN_ROUTE = [{"key": "GET /x", "auth": "NONE", "api_key": False, "target": "integrations/i1"}]


def test_svc_015_needs_only_the_http_api_reads_it_rests_on():
    """A denied read SVC-015 does not use (REST APIs, a stage list, usage plans) leaves it assessed;
    a denied route or integration read of the HTTP API makes it "not assessed" naming that read."""
    from scanner.analysis.findings import load_rules, relevant_runs

    assert set(load_rules()["SVC-015"].needs) == {"apigateway:GetApis", "apigateway:GetRoutes",
                                              "apigateway:GetIntegrations"}
    rec, api = http_api(OPEN_ROUTE)
    unrelated = [{"action": "apigateway:GetStages", "resource": api, "region": REG, "reason": "AccessDenied"},
                 {"action": "apigateway:GetUsagePlans", "resource": None, "region": REG, "reason": "AccessDenied"}]
    a = analysed(rec, runs_of("apigatewayv2.apis", denied=("apigateway.rest_apis",)), unrelated)
    assert status_of(a, "SVC-015", api) == STATUS_OPEN
    inv = Inventory(meta={"runs": runs_of("apigatewayv2.apis", denied=("apigateway.rest_apis",))})
    assert {r["collector"] for r in relevant_runs(inv, "apigateway:GetRoutes")} == {"apigatewayv2.apis"}
    for action in ("apigateway:GetRoutes", "apigateway:GetIntegrations"):
        rec, api = http_api(OPEN_ROUTE)
        gap = [{"action": action, "resource": api, "region": REG, "reason": "AccessDenied"}]
        a = analysed(rec, runs_of("apigatewayv2.apis"), gap)
        assert status_of(a, "SVC-015", api) == STATUS_NOT_ASSESSED, action
    rec, api = http_api(OPEN_ROUTE)
    found = [f for f in analysed(rec, runs_of(denied=("apigatewayv2.apis",))).findings if f.rule == "SVC-015"]
    assert found and {f.status for f in found} == {STATUS_NOT_ASSESSED}   # said once, for the scan


def test_unread_routes_judge_names_the_read_that_failed():
    rec, api = http_api(None)
    gaps = [{"action": "apigateway:GetRoutes", "resource": api, "region": REG, "reason": "access denied"}]
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "runs": runs_of("apigatewayv2.apis"), "gaps": gaps})
    inv.merge([rec])
    judge.run(inv)
    f = inv.fact(api, "lambda_routes_authorized")
    assert f.unknown and f.why == "apigateway:GetRoutes: access denied"


NOT_RECORDED = object()  # the prop absent altogether: a snapshot from a scan that did not record it


def redis_group(auth_token: bool | None, user_groups: Any = NOT_RECORDED, tls: bool | None = True) -> tuple[Records, str]:
    """A Redis replication group as the collector records it (``user_group_ids``: the group's
    UserGroupIds; None where the answer left them out)."""
    rec = Records(region=REG, account=ACCT)
    g = f"arn:aws:elasticache:{REG}:{ACCT}:replicationgroup:r"
    extra = {} if user_groups is NOT_RECORDED else {"user_group_ids": user_groups}
    rec.node(g, "elasticache:replication-group", "r", id="r", engine="redis", node_type="cache.t3.micro", members=[],
             multi_az=False, automatic_failover=False, transit_encryption=tls, at_rest_encryption=True,
             num_node_groups=1, kms_key=None, auth_token_enabled=auth_token, snapshot_retention=1, **extra)
    return rec, g


def test_redis_with_tls_and_no_token_is_not_assessed_until_rbac_is_known():
    """RBAC user groups can stand in for an AUTH token: where they were not read, neither pass nor fail."""
    for unread in (NOT_RECORDED, None):
        rec, g = redis_group(False, unread)
        a = analysed(rec, runs_of("elasticache.clusters"))
        assert status_of(a, "DB-012", g) == STATUS_NOT_ASSESSED, unread
        (f,) = [f for f in a.findings if f.rule == "DB-012"]
        assert "UserGroupIds" in f.reason and "AuthTokenEnabled=false" in f.reason


@pytest.mark.parametrize("auth_token, user_groups, state", [
    (True, [], "yes"), (True, NOT_RECORDED, "yes"), (True, None, "yes"),
    (False, ["app-users"], "yes"), (None, ["app-users", "ops"], "yes"),
    (False, [], "no"),
    (False, None, "unknown"), (False, NOT_RECORDED, "unknown"), (None, [], "unknown"),
])
def test_redis_auth_is_an_auth_token_or_an_rbac_user_group(auth_token, user_groups, state):
    """AUTH token on, or RBAC user groups attached: clients authenticate; neither: anyone who reaches the
    port may connect (DB-012 open); either one unread: unknown (not assessed), never a pass or a fail."""
    rec, g = redis_group(auth_token, user_groups)
    a = analysed(rec, runs_of("elasticache.clusters"))
    found = {f.status for f in a.findings if f.rule == "DB-012" and g in f.resources}
    assert found == {"yes": set(), "no": {STATUS_OPEN}, "unknown": {STATUS_NOT_ASSESSED}}[state]
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "runs": runs_of("elasticache.clusters")})
    inv.merge([redis_group(auth_token, user_groups)[0]])
    judge.run(inv)
    fact = inv.fact(g, "auth_required")
    assert fact.state == state and fact.why
    if state == "yes" and auth_token is not True:
        assert "RBAC user group" in fact.why and "app-users" in fact.why
    if state == "no":
        (hit,) = [f for f in a.findings if f.rule == "DB-012"]
        assert "no RBAC user group" in hit.evidence[0] and "anyone who reaches its port" in hit.evidence[0]


def test_redis_without_tls_has_no_auth_whatever_its_user_groups_say():
    rec, g = redis_group(None, None, tls=False)
    assert status_of(analysed(rec, runs_of("elasticache.clusters")), "DB-012", g) == STATUS_OPEN


def test_redis_whose_group_read_failed_says_so():
    rec, g = redis_group(False, None)
    gaps = [{"action": "elasticache:DescribeReplicationGroups", "resource": g, "region": REG,
             "reason": "throttled after retries"}]
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "runs": runs_of("elasticache.clusters"), "gaps": gaps})
    inv.merge([rec])
    judge.run(inv)
    assert "throttled after retries" in inv.fact(g, "auth_required").why


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
    # the sample's Redis has TLS and no AUTH token, and its clients authenticate through an RBAC user group
    assert "DB-012" not in opened
    assert not [f for f in sample.analysis.findings if f.rule == "DB-012"]   # judged, and it passes
    (redis,) = sample.inv.nodes("elasticache:replication-group")
    auth = sample.inv.fact(redis["id"], "auth_required")
    assert auth.yes and f"RBAC user group {ids['cache_user_group']}" in auth.why

"""What invokes a Lambda function and what it depends on (section 3.3), on moto where it can say.

- the function's resource policy: an API, topic or bucket allowed to invoke it is a ``triggers``
  edge, so "Triggered by" names the API even when its integrations were never read;
- layers (with the version each function pins) and asynchronous-invocation destinations;
- API Gateway authorizers, usage plans, API keys (never their values) and custom domains with
  their certificate;
- a denied read reads as unknown, and the SRV-101 rule is then not assessed.

Each test scans only the collectors it needs (a few seconds each).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from moto import mock_aws

from fixtures.aws import client
from renderers.facts import apigateway as api_facts
from renderers.facts import serverless as facts
from scanner import judge
from scanner.analysis import analyze
from scanner.collectors import load_all
from scanner.collectors import serverless as coll
from scanner.context import ScanContext
from scanner.inventory import Inventory
from scanner.runner import scan
from scanner.session import make_session, verify_identity
from tests.support.denials import deny
from tests.test_containers import render_subsection

ACCT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCT}:function:orders"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("h.py", "def h(e, c):\n    return 1\n")
    return buf.getvalue()


def _function(name: str, **kw: Any) -> str:
    iam = client("iam")
    try:
        role = iam.get_role(RoleName="fn-role")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        )["Role"]["Arn"]
    return client("lambda", REGION).create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                                    Handler="h.h", Code={"ZipFile": _zip()}, **kw)["FunctionArn"]


def mini_scan(build: Any, *collectors: str, before_scan: Any = None) -> tuple[Inventory, dict[str, Any]]:
    with mock_aws():
        ids = build()
        session = make_session(None, REGION)
        if before_scan:
            before_scan(session)
        inv = scan(session, verify_identity(session), [REGION],
                   collectors=[c for c in load_all() if c.name in collectors])
    return inv, ids


def row_of(inv: Inventory, name: str) -> list[Any]:
    return next(r for r in facts.function_rows(inv) if r[1] == name)


# --- resource policy -> triggers ----------------------------------------------------------------

def _policy_only() -> dict[str, Any]:
    """A function whose only trace of its API is the invoke permission (the API has no integration)."""
    fn = _function("orders")
    api = client("apigateway", REGION).create_rest_api(name="orders-api")["id"]
    topic = client("sns", REGION).create_topic(Name="order-events")["TopicArn"]
    lam = client("lambda", REGION)
    lam.add_permission(FunctionName="orders", StatementId="api", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:{REGION}:{ACCT}:{api}/*/POST/orders")
    lam.add_permission(FunctionName="orders", StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    lam.add_permission(FunctionName="orders", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads-bucket", SourceAccount=ACCT)
    lam.add_permission(FunctionName="orders", StatementId="partner", Action="lambda:InvokeFunction",
                       Principal="999999999999")
    return {"fn": fn, "api": api, "topic": topic}


def test_invoke_permissions_name_the_api_topic_and_bucket_that_trigger_the_function():
    inv, ids = mini_scan(_policy_only, "lambda.functions", "apigateway.rest_apis", "sns.topics")
    api_node = f"arn:aws:apigateway:{REGION}::/restapis/{ids['api']}"
    assert ids["fn"] in {n["id"] for n in inv.out(api_node, "triggers")}, "API -> function, as rule -> target"
    assert ids["fn"] in {n["id"] for n in inv.out(ids["topic"], "triggers")}
    cell = row_of(inv, "orders")[8]
    assert cell == "REST API orders-api; S3 (not scanned) uploads-bucket; SNS order-events", cell
    principals = inv.node(ids["fn"])["props"]["invoke_principals"]
    partner = next(p for p in principals if "999999999999" in p["principal"])
    assert partner["source_arns"] == [] and partner["invoke"], "no SourceArn: listed as a principal, no edge"
    assert not [s for s in inv.into(ids["fn"], "triggers") if "999999999999" in s["id"]]
    text = render_subsection("3.3", inv)
    assert "REST API orders-api" in text and "none found" not in text


def test_execute_api_source_of_an_unscanned_api_stays_named():
    """Without the API collectors the source is still said: an external execute-api node."""
    inv, ids = mini_scan(_policy_only, "lambda.functions")
    assert f"API Gateway API (not scanned) {ids['api']}" in row_of(inv, "orders")[8]


def test_denied_policy_read_is_unknown_and_srv_101_not_assessed():
    inv, _ = mini_scan(_policy_only, "lambda.functions", before_scan=deny("lambda:GetPolicy"))
    assert row_of(inv, "orders")[8] == "unknown (lambda:GetPolicy: access denied)"
    assert row_of(inv, "orders")[-1] == "unknown (lambda:GetPolicy: access denied)"
    srv = [f for f in analyze(inv).findings if f.rule == "SRV-101"]
    assert srv and all(f.status == "not_assessed" for f in srv)


# --- SRV-101 --------------------------------------------------------------------------------------

def _inv_with_policy(statement: dict[str, Any]) -> Inventory:
    raw = {"FunctionName": "orders", "FunctionArn": FN, "Runtime": "python3.12", "Role": f"arn:aws:iam::{ACCT}:role/r"}
    rec = coll.transform_functions(ScanContext(None, REGION, ACCT), [raw],
                                   {FN: {"policy": json.dumps({"Statement": [statement]})}})
    inv = Inventory(meta={"regions": [REGION], "account": ACCT,
                          "runs": [{"collector": "lambda.functions", "service": "lambda", "region": REGION,
                                    "status": "ok"}]})
    inv.merge([rec])
    return inv


def _srv_101(inv: Inventory) -> list[str]:
    return [f.status for f in analyze(inv).findings if f.rule == "SRV-101"]


def test_srv_101_fires_on_star_without_source_condition_only():
    star = {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": FN}
    unscoped = _inv_with_policy({**star, "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    assert _srv_101(unscoped) == ["open"]
    assert unscoped.node(FN)["props"]["invocable_by_anyone"] is True
    judge.run(unscoped)
    assert facts.function_rows(unscoped)[0][-1] == "yes (policy allows any principal)"
    scoped = _inv_with_policy({**star, "Condition": {"StringEquals": {"AWS:SourceAccount": ACCT}}})
    assert "open" not in _srv_101(scoped)
    other_action = _inv_with_policy({**star, "Action": "lambda:GetFunction",
                                     "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    assert "open" not in _srv_101(other_action)
    bare = _inv_with_policy(star)  # no condition at all: SRV-101 says it, once (EC2-006 is retired)
    [srv] = [f for f in analyze(bare).open_findings() if FN in f.resources]
    assert srv.rule == "SRV-101" and "lets Principal * call lambda:InvokeFunction" in srv.evidence[0]


def test_ec2_006_is_retired_and_its_compliance_control_rests_on_srv_101():
    from scanner.analysis import compliance
    from scanner.analysis.findings import load_rules

    rules = load_rules()
    assert "EC2-006" not in rules and "SRV-101" in rules
    assert "EC2-006" not in compliance.data()["rules"]
    assert "Lambda.1" in compliance.rule_controls("SRV-101").get("fsbp", [])


# --- layers and destinations ------------------------------------------------------------------------

def _layers_and_destinations() -> dict[str, Any]:
    lam = client("lambda", REGION)
    v1 = lam.publish_layer_version(LayerName="shared-libs", Content={"ZipFile": _zip()},
                                   CompatibleRuntimes=["python3.12"])
    lam.publish_layer_version(LayerName="shared-libs", Content={"ZipFile": _zip()}, CompatibleRuntimes=["python3.12"])
    fn = _function("orders", Layers=[v1["LayerVersionArn"]])
    failed = _function("orders-failed")
    topic = client("sns", REGION).create_topic(Name="order-done")["TopicArn"]
    lam.put_function_event_invoke_config(FunctionName="orders", DestinationConfig={
        "OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": failed}})
    return {"fn": fn, "failed": failed, "topic": topic, "layer": v1["LayerArn"]}


def test_layer_versions_and_destinations_are_listed_in_3_3():
    inv, ids = mini_scan(_layers_and_destinations, "lambda.functions", "lambda.layers", "sns.topics")
    assert [r[1:] for r in facts.layer_rows(inv)] == [["shared-libs", 2, 2, "python3.12", "orders (v1)"]]
    extra = {r[1]: r[2:] for r in facts.function_extra_rows(inv)}
    assert extra["orders"] == ["shared-libs v1", "on failure: Lambda orders-failed; on success: SNS order-done"]
    assert (ids["fn"], 1) in {(f["id"], f["edge"].get("version")) for f in inv.into(ids["layer"], "uses_layer")}
    assert "Lambda orders" in row_of(inv, "orders-failed")[8], "a destination function is invoked by the source"
    text = render_subsection("3.3", inv)
    assert "**Lambda layers**" in text and "| shared-libs v1 | on failure: Lambda orders-failed;" in text


def test_denied_destinations_read_as_unknown():
    inv, _ = mini_scan(_layers_and_destinations, "lambda.functions",
                       before_scan=deny("lambda:ListFunctionEventInvokeConfigs"))
    extra = {r[1]: r[2:] for r in facts.function_extra_rows(inv)}
    assert extra["orders"][1] == "unknown (lambda:ListFunctionEventInvokeConfigs: access denied)"
    assert inv.node(f"arn:aws:lambda:{REGION}:{ACCT}:function:orders")["props"]["destinations"] is None


# --- API Gateway: authorizers, usage plans, API keys, custom domains -------------------------------

def _api_account() -> dict[str, Any]:
    fn = _function("token-check")
    cert = client("acm", REGION).request_certificate(DomainName="api.example.com")["CertificateArn"]
    apigw = client("apigateway", REGION)
    api = apigw.create_rest_api(name="orders-api", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    auth = apigw.create_authorizer(
        restApiId=api, name="token-check", type="TOKEN", identitySource="method.request.header.Authorization",
        authorizerUri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn}/invocations")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    res = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api, resourceId=res, httpMethod="GET", authorizationType="CUSTOM", authorizerId=auth)
    apigw.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="prod")
    key = apigw.create_api_key(name="partner-key", enabled=True, stageKeys=[{"restApiId": api, "stageName": "prod"}])
    apigw.create_usage_plan(name="partners", apiStages=[{"apiId": api, "stage": "prod"}],
                            throttle={"rateLimit": 10, "burstLimit": 20}, quota={"limit": 1000, "period": "DAY"})
    apigw.create_domain_name(domainName="api.example.com", regionalCertificateArn=cert, securityPolicy="TLS_1_2",
                             endpointConfiguration={"types": ["REGIONAL"]})
    apigw.create_base_path_mapping(domainName="api.example.com", restApiId=api, basePath="v1", stage="prod")
    v2 = client("apigatewayv2", REGION)
    http = v2.create_api(Name="orders-http", ProtocolType="HTTP")["ApiId"]
    v2.create_domain_name(DomainName="http.example.com", DomainNameConfigurations=[
        {"CertificateArn": cert, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}])
    v2.create_api_mapping(ApiId=http, DomainName="http.example.com", Stage="$default")
    return {"api": api, "cert": cert, "key_value": key["value"], "fn": fn}


API_COLLECTORS = ("lambda.functions", "acm.certificates", "apigateway.rest_apis", "apigatewayv2.apis",
                  "apigateway.usage_plans", "apigateway.domain_names")


def test_authorizer_usage_plan_key_and_custom_domains_with_their_certificate():
    inv, ids = mini_scan(_api_account, *API_COLLECTORS)
    cert = inv.node(ids["cert"])
    assert cert and cert["kind"] == "acm:certificate"
    domains = {r[1]: r for r in api_facts.domain_rows(inv)}
    assert domains["api.example.com"][2:] == ["REGIONAL", "TLS_1_2", cert["name"], "/v1 → orders-api (prod)"]
    assert domains["http.example.com"][5] == "/ → orders-http ($default)"
    assert ids["cert"] in {n["id"] for n in inv.out(f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com",
                                                   "uses_certificate")}
    auth = api_facts.authorizer_rows(inv)
    assert [r[1:] for r in auth] == [["orders-api", "token-check", "TOKEN", "Lambda token-check",
                                      "method.request.header.Authorization", "GET /orders"]]
    assert "API authorizer token-check" in row_of(inv, "token-check")[8], "API Gateway calls the authorizer"
    assert [r[1:] for r in api_facts.usage_plan_rows(inv)] == [["partners", "orders-api (prod)",
                                                              "10 req/s, burst 20", "1000 per day"]]
    keys = api_facts.api_key_rows(inv)
    assert [r[1:4] for r in keys] == [["partner-key", "yes", "orders-api (prod)"]]
    text = json.dumps({n: d for n, d in inv.graph.nodes(data=True)}, default=str)
    assert ids["key_value"] not in text, "an API key's value never reaches the inventory"
    section = render_subsection("3.3", inv)
    assert "**API custom domains**" in section and "**API keys**" in section and ids["key_value"] not in section


def test_denied_mappings_read_as_unknown_never_none():
    inv, _ = mini_scan(_api_account, *API_COLLECTORS,
                       before_scan=deny("apigateway:GetBasePathMappings", "apigatewayv2:GetApiMappings"))
    domains = {r[1]: r for r in api_facts.domain_rows(inv)}
    assert domains["api.example.com"][5].startswith("unknown (apigateway:GetBasePathMappings: access denied")

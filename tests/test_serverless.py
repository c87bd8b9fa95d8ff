"""Serverless (section 3.3): Lambda, event sources, API Gateway, EventBridge, SQS, SNS, Step Functions.

Transforms are tested from API-shaped dicts. The API Gateway REST collector and the
denied-per-function paths are tested with botocore's Stubber on the context's own client
(moto's REST API resources and its never-denying IAM make those paths untestable there).
The rest runs on the shared ``sample`` account.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from botocore.stub import ANY, Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.sample.serverless import ALERT_EMAIL, CANARY_LAMBDA
from renderers.facts import serverless as facts
from scanner.collectors import apigateway as api_coll
from scanner.collectors import serverless as coll
from scanner.context import ScanContext
from scanner.inventory import Inventory
from tests.conftest import section

ACCT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCT}:function:orders"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCT}:orders"
DLQ = f"arn:aws:sqs:{REGION}:{ACCT}:orders-dlq"


def ctx() -> ScanContext:
    return ScanContext(session=None, region=REGION, account=ACCT)


def live_ctx() -> ScanContext:
    return ScanContext(boto3.Session(region_name=REGION), REGION, ACCT)


def edges(records, rel: str) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in records.edges if e.rel == rel}


FUNCTION_RAW = {
    "FunctionName": "orders", "FunctionArn": FN, "Runtime": "nodejs20.x", "MemorySize": 256, "Timeout": 30,
    "Role": f"arn:aws:iam::{ACCT}:role/orders", "Handler": "index.handler",
    "Environment": {"Variables": {"SECRET_TOKEN": "v4lue-must-not-leak", "STAGE": "prod"}},
    "VpcConfig": {"SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1"},
    "DeadLetterConfig": {"TargetArn": DLQ}, "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k1",
}


def test_function_transform_names_only_and_links():
    policy = json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction",
         "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc/*"}}}]})
    rec = coll.transform_functions(ctx(), [FUNCTION_RAW], {FN: {"policy": policy, "concurrency": 5}})
    node = rec.nodes[0]
    assert node.props["env_names"] == ["SECRET_TOKEN", "STAGE"]
    assert "v4lue-must-not-leak" not in json.dumps(node.__dict__, default=str)
    assert node.props["public_policy"] is False and node.props["reserved_concurrency"] == 5
    assert node.props["invoke_principals"][0]["source"].startswith("arn:aws:execute-api")
    assert edges(rec, "uses_role") == {(FN, f"arn:aws:iam::{ACCT}:role/orders")}
    assert edges(rec, "in_subnet") == {(FN, f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-a")}
    assert edges(rec, "publishes_to") == {(FN, DLQ)}
    assert edges(rec, "encrypted_by") == {(FN, "arn:aws:kms:us-east-1:123456789012:key/k1")}


def test_function_policy_public_only_without_condition_and_unknown_when_unread():
    open_policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}]})
    rec = coll.transform_functions(ctx(), [FUNCTION_RAW], {FN: {"policy": open_policy}})
    assert rec.nodes[0].props["public_policy"] is True
    assert coll.transform_functions(ctx(), [FUNCTION_RAW], {FN: {"policy": None}}).nodes[0].props["public_policy"] is False
    assert coll.transform_functions(ctx(), [FUNCTION_RAW]).nodes[0].props["public_policy"] is None


def test_event_source_mapping_is_a_triggers_edge_to_the_unqualified_function():
    rec = coll.transform_event_source_mappings(ctx(), [
        {"UUID": "1234-5678", "EventSourceArn": QUEUE, "FunctionArn": FN + ":live", "State": "Enabled",
         "BatchSize": 10}])
    assert edges(rec, "triggers") == {(QUEUE, FN)}
    assert rec.nodes[0].props["function_arn"] == FN


def test_function_arn_inside_api_gateway_uri():
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}:prod/invocations"
    assert coll.function_arn(uri) == FN
    assert coll.function_arn("https://example.com/x") is None


def test_rest_api_collector_with_stubber():
    """Stubber: the REST API collector's calls and the Lambda integration edge it derives."""
    c = live_ctx()
    apigw = c.client("apigateway")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
    with Stubber(apigw) as st:
        st.add_response("get_rest_apis", {"items": [
            {"id": "abc123", "name": "orders-rest", "endpointConfiguration": {"types": ["REGIONAL"]}}]})
        st.add_response("get_stages", {"item": [
            {"stageName": "prod", "deploymentId": "d1", "tracingEnabled": True,
             "methodSettings": {"*/*": {"loggingLevel": "ERROR"}}}]}, {"restApiId": "abc123"})
        st.add_response("get_resources", {"items": [
            {"id": "r1", "path": "/orders", "resourceMethods": {"POST": {
                "authorizationType": "AWS_IAM", "methodIntegration": {"type": "AWS_PROXY", "uri": uri}}}},
            {"id": "r2", "path": "/legacy", "resourceMethods": {"GET": {
                "authorizationType": "NONE",
                "methodIntegration": {"type": "HTTP_PROXY", "uri": "https://user:pw@legacy.example.com/a?token=t"}}}},
        ]}, {"restApiId": "abc123", "embed": ["methods"]})
        st.add_response("get_authorizers", {"items": [
            {"id": "au1", "name": "token-check", "type": "TOKEN", "identitySource": "method.request.header.Authorization",
             "authorizerUri": uri, "authorizerResultTtlInSeconds": 300}]}, {"restApiId": "abc123"})
        rec = api_coll.collect_rest_apis(c)
    api = "arn:aws:apigateway:us-east-1::/restapis/abc123"
    node = next(n for n in rec.nodes if n.id == api)
    assert node.props["endpoint_types"] == ["REGIONAL"]
    assert node.props["stages"][0]["name"] == "prod" and node.props["stages"][0]["logging"] == "ERROR"
    assert {(a, b) for a, b in edges(rec, "integrates_with") if a == api} == {(api, FN)}
    legacy = next(i for i in node.props["integrations"] if i["path"] == "/legacy")
    assert legacy["target"] == "https://legacy.example.com", "no credentials, path or query string kept"
    assert node.props["unauthenticated_routes"] == [
        {"route": "GET /legacy", "type": "HTTP_PROXY", "target": "https://legacy.example.com", "api_key": False}]
    auth = next(n for n in rec.nodes if n.kind == "apigateway:authorizer")
    assert (auth.id, auth.props["type"], auth.props["function_arn"]) == (f"{api}/authorizers/au1", "TOKEN", FN)
    assert (api, auth.id) in edges(rec, "contains") and (auth.id, FN) in edges(rec, "integrates_with")


def test_lambda_collector_records_denied_policy_read_with_stubber():
    """Stubber: a denied GetPolicy leaves the function in place, public unknown, and a gap."""
    c = live_ctx()
    lam = c.client("lambda")
    with Stubber(lam) as st:
        st.add_response("list_functions", {"Functions": [{k: v for k, v in FUNCTION_RAW.items()}]})
        st.add_client_error("get_policy", "AccessDeniedException", "no", expected_params={"FunctionName": "orders"})
        st.add_client_error("get_function_concurrency", "ResourceNotFoundException", "none",
                            expected_params={"FunctionName": "orders"})
        st.add_response("list_tags", {"Tags": {"Team": "orders"}}, {"Resource": FN})
        st.add_client_error("get_function_url_config", "ResourceNotFoundException", "none",
                            expected_params={"FunctionName": ANY})
        st.add_response("list_function_event_invoke_configs", {"FunctionEventInvokeConfigs": [
            {"FunctionArn": FN + ":live", "DestinationConfig": {"OnFailure": {"Destination": DLQ}}}]},
            {"FunctionName": "orders"})
        rec = coll.collect_functions(c)
    node = next(n for n in rec.nodes if n.id == FN)
    assert node.props["public_policy"] is None and node.props["reserved_concurrency"] is None
    assert node.tags == {"Team": "orders"}
    assert [(g.action, g.resource) for g in rec.gaps] == [("lambda:GetPolicy", FN)]
    assert node.props["invocable_by_anyone"] is None, "policy not read: unknown, never no"
    assert node.props["destinations"] == [{"on": "failure", "destination": DLQ, "qualifier": "live"}]
    assert (FN, DLQ) in edges(rec, "publishes_to")


def test_http_api_integrations_to_lambda_and_alb():
    listener = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:listener/app/web/1/2"
    rec = api_coll.transform_http_apis(ctx(), [{
        "ApiId": "h1", "Name": "web", "ProtocolType": "HTTP", "ApiEndpoint": "https://h1.execute-api",
        "_stages": [{"StageName": "$default", "AutoDeploy": True}],
        "_integrations": [{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY", "IntegrationUri": FN},
                          {"IntegrationId": "i2", "IntegrationType": "HTTP_PROXY", "IntegrationUri": listener,
                           "ConnectionType": "VPC_LINK"}]}])
    api = "arn:aws:apigateway:us-east-1::/apis/h1"
    assert edges(rec, "integrates_with") == {(api, FN), (api, listener)}
    unread = api_coll.transform_http_apis(ctx(), [{"ApiId": "h2", "Name": "x", "_stages": None, "_integrations": None}])
    assert unread.nodes[0].props["integrations"] is None, "could not read is not 'no integrations'"


def test_rule_targets_become_triggers_and_input_is_dropped():
    rule = f"arn:aws:events:{REGION}:{ACCT}:rule/nightly"
    rec = coll.transform_rules(ctx(), [{"Name": "nightly", "Arn": rule, "ScheduleExpression": "rate(1 day)",
                                        "State": "ENABLED",
                                        "_targets": [{"Id": "t", "Arn": FN, "Input": "{\"pw\": \"hunter2\"}"}]}])
    assert edges(rec, "triggers") == {(rule, FN)}
    assert "hunter2" not in json.dumps([n.__dict__ for n in rec.nodes], default=str)


def test_queue_transform_dlq_encryption_and_unreadable_attributes():
    rec = coll.transform_queues(ctx(), [
        {"url": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/orders", "attributes": {
            "QueueArn": QUEUE, "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 3}),
            "SqsManagedSseEnabled": "true", "MessageRetentionPeriod": "345600"}},
        {"url": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/hidden", "attributes": None}])
    q, hidden = rec.nodes
    assert (q.props["dlq_arn"], q.props["max_receive_count"], q.props["sse"]) == (DLQ, 3, "sqs")
    assert edges(rec, "publishes_to") == {(QUEUE, DLQ)}
    assert hidden.id == f"arn:aws:sqs:{REGION}:{ACCT}:hidden" and hidden.props["sse"] is None


def test_sns_endpoints_are_masked_and_edges_point_at_queues_and_functions():
    topic = f"arn:aws:sns:{REGION}:{ACCT}:alerts"
    subs = [{"TopicArn": topic, "Protocol": "email", "Endpoint": "jane.doe@corp.example", "SubscriptionArn": "x"},
            {"TopicArn": topic, "Protocol": "sms", "Endpoint": "+15551234567", "SubscriptionArn": "PendingConfirmation"},
            {"TopicArn": topic, "Protocol": "https", "Endpoint": "https://hooks.example.com/T0/B0/secret?k=1",
             "SubscriptionArn": "y"},
            {"TopicArn": topic, "Protocol": "sqs", "Endpoint": QUEUE, "SubscriptionArn": "z"},
            {"TopicArn": topic, "Protocol": "lambda", "Endpoint": FN, "SubscriptionArn": "w"}]
    rec = coll.transform_topics(ctx(), [{"TopicArn": topic, "attributes": {}}], subs)
    text = json.dumps(rec.nodes[0].props)
    for leaked in ("jane.doe", "5551234567", "secret", "T0/B0"):
        assert leaked not in text
    endpoints = [s["endpoint"] for s in rec.nodes[0].props["subscriptions"]]
    assert endpoints[:3] == ["j***@corp.example", "***67", "https://hooks.example.com"]
    assert edges(rec, "integrates_with") == {(topic, QUEUE), (topic, FN)}


def test_state_machine_calls_functions_named_in_definition():
    sm = f"arn:aws:states:{REGION}:{ACCT}:stateMachine:flow"
    definition = json.dumps({"States": {"A": {"Resource": "arn:aws:states:::lambda:invoke",
                                              "Parameters": {"FunctionName": FN + ":$LATEST"}}}})
    rec = coll.transform_state_machines(ctx(), [{"stateMachineArn": sm, "name": "flow", "type": "EXPRESS",
                                                 "definition": definition,
                                                 "loggingConfiguration": {"level": "OFF"}}])
    assert edges(rec, "integrates_with") == {(sm, FN)}
    assert "definition" not in rec.nodes[0].props and rec.nodes[0].props["logging"] == "OFF"


def test_function_row_names_its_triggers():
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge([coll.transform_functions(ctx(), [FUNCTION_RAW]),
               coll.transform_event_source_mappings(ctx(), [{"UUID": "u", "EventSourceArn": QUEUE, "FunctionArn": FN}]),
               coll.transform_queues(ctx(), [{"url": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/orders",
                                              "attributes": {"QueueArn": QUEUE}}])])
    row = facts.function_rows(inv)[0]
    assert row[1] == "orders" and row[2] == "nodejs20.x" and row[3] == "256 MB"
    assert row[8] == "SQS orders"


def test_stream_kafka_and_cognito_sources_are_named_in_the_triggered_by_cell():
    """Kinesis streams (and their fan-out consumers), MSK clusters and Cognito user pool triggers
    read as what they are, scanned or not, never as a raw kind or service name."""
    from scanner.collectors import cognito, streaming

    stream, msk = f"arn:aws:kinesis:{REGION}:{ACCT}:stream/clicks", f"arn:aws:kafka:{REGION}:{ACCT}:cluster/events/ab-1"
    far = "arn:aws:kinesis:eu-west-1:999999999999:stream/far"
    sources = (stream, msk, far, f"{stream}/consumer/fanout:1700000000", "arn:aws:kafka:eu-west-1:999999999999:cluster/x/y",
               f"arn:aws:mq:{REGION}:{ACCT}:broker:jobs:b-1", f"arn:aws:rds:{REGION}:{ACCT}:cluster:docs")
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge([coll.transform_functions(ctx(), [FUNCTION_RAW]),
               coll.transform_event_source_mappings(ctx(), [{"UUID": f"u{i}", "EventSourceArn": src, "FunctionArn": FN}
                                                            for i, src in enumerate(sources)]),
               streaming.transform_streams(ctx(), [{"StreamName": "clicks", "StreamARN": stream}]),
               streaming.transform_msk_clusters(ctx(), [{"ClusterName": "events", "ClusterArn": msk,
                                                         "ClusterType": "PROVISIONED"}]),
               cognito.transform_user_pools(ctx(), [{"Id": f"{REGION}_abc", "Name": "shoppers",
                                                     "LambdaConfig": {"PreSignUp": FN}}])])
    cell = facts.function_rows(inv)[0][8].split("; ")
    assert {"Kinesis stream clicks", "MSK cluster events", "Cognito user pool shoppers",
            "Kinesis stream clicks (consumer fanout)", "Kinesis stream (not scanned) far"} <= set(cell), cell
    assert any(c.startswith("MSK cluster (not scanned) ") for c in cell), cell
    assert any(c.startswith("Amazon MQ broker (not scanned) ") for c in cell), cell
    assert any(c.startswith("DocumentDB change stream (not scanned) ") for c in cell), cell
    assert not [c for c in cell if ":" in c.split(" ", 1)[0] or c.split(" ", 1)[0] in ("kinesis", "kafka", "mq", "rds")]


def test_an_unread_http_api_integration_list_leaves_the_triggers_open():
    """The scan records a denied apigatewayv2 GetIntegrations as IAM action apigateway:GetIntegrations;
    the function's triggers then say others may be unknown, never "none found"."""
    gap = {"service": "apigatewayv2", "action": "apigateway:GetIntegrations", "region": REGION,
           "resource": f"arn:aws:apigateway:{REGION}::/apis/a1", "reason": "access denied"}
    inv = Inventory(meta={"regions": [REGION], "gaps": [gap]})
    inv.merge([coll.transform_functions(ctx(), [FUNCTION_RAW], {FN: {"policy": None}})])
    assert facts.function_rows(inv)[0][8] == "unknown (apigateway:GetIntegrations: access denied)"


# --- the sample account -----------------------------------------------------------------------

def _row(text: str, first_cells: str) -> str:
    return next(line for line in text.replace("\\-", "-").replace("\\_", "_").splitlines()
                if line.startswith(first_cells))


def test_section_3_3_lists_function_runtime_memory_and_triggers(sample):
    s = section(sample.doc, "3.3")
    row = _row(s, "| us-east-1 | order-processor |")
    assert "| python3.12 | 512 MB | 60 s | arm64 |" in row
    for source in ("SQS orders", "EventBridge nightly-reconcile", "HTTP API orders-http",
                   "REST API orders-admin", "Step Functions order-workflow"):
        assert source in row
    assert "| 20 |" in row, "reserved concurrency"


def test_section_3_3_lists_queues_topics_apis_rules_and_state_machines(sample):
    s = section(sample.doc, "3.3").replace("\\-", "-").replace("\\_", "_")
    assert "| orders | standard | orders-dlq after 5 receives | SSE-KMS" in s
    assert "| order-events | none | 2 | sqs: orders; email: o***@example.com |" in s.replace("\\*", "*")
    assert "| orders-http | HTTP | $default | POST /orders (auth NONE) → AWS_PROXY order-processor |" in s
    assert "| orders-admin | REST (REGIONAL) | prod | POST /orders (auth AWS_IAM) → AWS_PROXY order-processor |" in s
    assert "cron(0 2 \\* \\* ? \\*)" in s or "cron(0 2 * * ? *)" in s
    assert "| order-workflow | STANDARD | orders-workflow | ERROR | order-processor |" in s


def test_sample_sqs_trigger_is_a_triggers_edge(sample):
    inv, ids = sample.inv, sample.ids
    assert ids["lambda_arn"] in {n["id"] for n in inv.out(ids["queue_arn"], "triggers")}
    assert ids["queue_arn"] in {n["id"] for n in inv.out(ids["topic_arn"], "integrates_with")}
    assert ids["dlq_arn"] in {n["id"] for n in inv.out(ids["queue_arn"], "publishes_to")}
    assert ids["lambda_role_arn"] in {n["id"] for n in inv.out(ids["lambda_arn"], "uses_role")}


def test_lambda_canary_and_email_appear_in_no_output_but_names_do(sample):
    files = [p for p in Path(sample.out).rglob("*") if p.is_file()]
    assert any(p.name == "inventory.json" for p in files)
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        assert CANARY_LAMBDA not in text, p
        assert ALERT_EMAIL not in text, p
    fn = sample.inv.node(sample.ids["lambda_arn"])
    assert fn["props"]["env_names"] == ["API_KEY", "TABLE_NAME"]
    assert "API_KEY" in Path(sample.files.inventory).read_text()


def test_empty_account_section_3_3_says_nothing_found():
    from tests.test_containers import render_subsection

    text = render_subsection("3.3", Inventory(meta={"regions": ["us-east-1"]}))
    assert "No serverless components (Lambda, API Gateway, EventBridge, SQS, SNS or Step Functions) were found " \
           "in the scanned regions (us-east-1)." in text


def test_unread_subscriptions_say_not_read_rather_than_none():
    from tests.test_containers import render_subsection

    topic = f"arn:aws:sns:{REGION}:{ACCT}:alerts"
    inv = Inventory(meta={"regions": [REGION], "gaps": [
        {"service": "sns", "region": REGION, "action": "sns:ListSubscriptions", "reason": "access denied",
         "resource": ""},
        {"service": "sns", "region": REGION, "action": "sns:GetTopicAttributes", "reason": "access denied",
         "resource": topic}]})  # the gap the collector records when get_topic_attributes is denied
    inv.merge([coll.transform_topics(ctx(), [{"TopicArn": topic, "attributes": None}], None)])
    text = render_subsection("3.3", inv)
    row = next(line for line in text.splitlines() if line.startswith("| us-east-1 | alerts |"))
    assert row.endswith("| unknown | not read |"), "subscriptions not read: unknown, never 0 or none"
    assert "| alerts | unknown (" in row, "encryption not read: unknown with why, never none"
    assert "<code>sns:ListSubscriptions</code>" in text


def test_function_url_without_auth_reads_as_publicly_invocable():
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge([coll.transform_functions(ctx(), [FUNCTION_RAW], {FN: {"policy": None, "url_auth": "NONE"}})])
    assert facts.function_rows(inv)[0][-1] == "yes (function URL without auth)"


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True),
                       st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:/=+", min_size=10, max_size=40),
                       min_size=1, max_size=6))
def test_no_environment_value_survives_the_function_transform(env):
    env = {k: f"zq{v}" for k, v in env.items()}  # "zq" appears nowhere else in the function
    rec = coll.transform_functions(ctx(), [{**FUNCTION_RAW, "Environment": {"Variables": env}}])
    text = json.dumps([n.__dict__ for n in rec.nodes] + [e.__dict__ for e in rec.edges], default=str)
    for value in env.values():
        assert value not in text
    assert rec.nodes[0].props["env_names"] == sorted(env)


def test_rest_api_policy_with_escaped_quotes_is_read_as_public():
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke"}]})
    escaped = policy.replace('"', '\\"')  # how GetRestApis returns it
    rec = api_coll.transform_rest_apis(ctx(), [{"id": "p1", "name": "open", "policy": escaped, "_stages": [],
                                            "_resources": []},
                                           {"id": "p2", "name": "closed", "_stages": None, "_resources": None}])
    open_api, closed = rec.nodes
    assert open_api.props["policy_public"] is True
    assert closed.props["policy_public"] is None and closed.props["integrations"] is None


def test_section_3_3_lead_sentence_counts_in_words(sample):
    s = section(sample.doc, "3.3").split("**Findings")[0]
    assert "hold 1 Lambda function with 1 event source mapping, 1 Lambda layer, 2 API Gateway APIs, 1 EventBridge rule" \
        in s
    assert "(s)" not in s and "None" not in s


def test_lead_sentence_names_only_what_exists():
    from renderers.document import DocHelpers, environment, load_facts
    from scanner.analysis.model import Analysis

    inv = Inventory(meta={"regions": [REGION]})
    inv.merge([coll.transform_queues(ctx(), [{"url": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/orders",
                                              "attributes": {"QueueArn": QUEUE}}])])
    text = environment().get_template("subsections/3.3.md.j2").render(
        inv=inv, meta=inv.meta, facts=load_facts(), h=DocHelpers(inv, Analysis(), {}))
    assert f"The scanned regions ({REGION}) hold 1 SQS queue, and no Lambda functions." in text


def test_sample_function_lists_its_layer_and_failure_destination(sample):
    s = section(sample.doc, "3.3").replace("\\-", "-").replace("\\_", "_")
    assert "| us-east-1 | order-processor | orders-deps v1 | on failure: SQS orders-dlq |" in s
    assert "| us-east-1 | orders-deps | 1 | 1 | python3.12 | order-processor (v1) |" in s
    inv, ids = sample.inv, sample.ids
    assert ids["layer_arn"] in {n["id"] for n in inv.out(ids["lambda_arn"], "uses_layer")}
    api = f"arn:aws:apigateway:us-east-1::/restapis/{ids['rest_api_id']}"
    assert ids["lambda_arn"] in {n["id"] for n in inv.out(api, "triggers")}, "the API's invoke permission"


def test_unauthenticated_routes_name_their_target_and_skip_websocket_data_routes():
    integ = [{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY", "IntegrationUri": FN}]
    routes = [{"RouteKey": "POST /orders", "AuthorizationType": "NONE", "Target": "integrations/i1"},
              {"RouteKey": "GET /admin", "AuthorizationType": "JWT", "AuthorizerId": "a1", "Target": "integrations/i1"},
              {"RouteKey": "$default", "Target": "integrations/i1"}]
    http = api_coll.transform_http_apis(ctx(), [{"ApiId": "h1", "Name": "web", "ProtocolType": "HTTP",
                                                 "_routes": routes, "_integrations": integ}]).nodes[0]
    assert [(r["route"], r["target"]) for r in http.props["unauthenticated_routes"]] == [
        ("$default", FN), ("POST /orders", FN)], "a missing AuthorizationType is NONE"
    ws = api_coll.transform_http_apis(ctx(), [{"ApiId": "w1", "Name": "chat", "ProtocolType": "WEBSOCKET",
                                               "_routes": [{"RouteKey": "$connect", "AuthorizationType": "NONE"},
                                                           {"RouteKey": "sendmessage", "AuthorizationType": "NONE"}],
                                               "_integrations": []}]).nodes[0]
    assert [r["route"] for r in ws.props["unauthenticated_routes"]] == ["$connect"], \
        "WebSocket APIs authorize on $connect only"
    unread = api_coll.transform_http_apis(ctx(), [{"ApiId": "h2", "Name": "x", "_routes": None}]).nodes[0]
    assert unread.props["unauthenticated_routes"] is None



# --- per-resource reads fanned out in their lane (scanner/collectors/_fanout.py) ---------------
def _build_serverless_at_scale() -> None:
    """Four functions (one with a resource policy), queues, topics, rules and state machines."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handle(event, context):\n    return event\n")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = boto3.client("iam").create_role(RoleName="fan", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=REGION)
    for n in range(4):
        lam.create_function(FunctionName=f"fn-{n}", Runtime="python3.12", Role=role, Handler="handler.handle",
                            Code={"ZipFile": buf.getvalue()}, Tags={"n": str(n)})
    lam.add_permission(FunctionName="fn-1", StatementId="anyone", Action="lambda:InvokeFunction", Principal="*")
    lam.put_function_concurrency(FunctionName="fn-2", ReservedConcurrentExecutions=5)
    sqs = boto3.client("sqs", region_name=REGION)
    for n in range(4):
        sqs.create_queue(QueueName=f"q-{n}", tags={"n": str(n)})
    sns = boto3.client("sns", region_name=REGION)
    for n in range(3):
        sns.create_topic(Name=f"t-{n}")
    events = boto3.client("events", region_name=REGION)
    for n in range(3):
        events.put_rule(Name=f"r-{n}", ScheduleExpression="rate(5 minutes)")
        events.put_targets(Rule=f"r-{n}", Targets=[{"Id": "1", "Arn": f"arn:aws:lambda:{REGION}:{ACCT}:function:fn-{n}"}])
    sfn = boto3.client("stepfunctions", region_name=REGION)
    for n in range(2):
        sfn.create_state_machine(name=f"sm-{n}", roleArn=role, definition=json.dumps(
            {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True,
                                              "Resource": f"arn:aws:lambda:{REGION}:{ACCT}:function:fn-{n}"}}}))


def test_serverless_collectors_give_the_same_records_at_any_width():
    """Lambda (five reads per function), SQS, SNS, EventBridge and Step Functions: width 1 and 8
    give the same nodes, edges and gaps in the same order, with and without denied reads."""
    from moto import mock_aws

    from tests.test_loadbalancing import assert_same_at_any_width

    with mock_aws():
        _build_serverless_at_scale()
        functions = assert_same_at_any_width(coll.collect_functions, "lambda")
        denied = assert_same_at_any_width(coll.collect_functions, "lambda", ("lambda:GetPolicy",))
        queues = assert_same_at_any_width(coll.collect_queues, "sqs")
        assert_same_at_any_width(coll.collect_queues, "sqs", ("sqs:ListQueueTags",))
        assert_same_at_any_width(coll.collect_topics, "sns")
        assert_same_at_any_width(coll.collect_topics, "sns", ("sns:ListSubscriptions",))
        rules = assert_same_at_any_width(coll.collect_rules, "events")
        assert_same_at_any_width(coll.collect_state_machines, "stepfunctions")
    assert functions.count('"lambda:function"') == 4 and '"reserved_concurrency": 5' in functions
    assert denied.count('"lambda:GetPolicy"') == 4, "one gap per function, in function order"
    assert queues.count('"sqs:queue"') == 4 and rules.count('"events:rule"') == 3

"""Serverless: Lambda, event source mappings, API Gateway (REST and HTTP), EventBridge,
SQS, SNS and Step Functions.

Get / transform split as everywhere: ``collect_*`` read (paginated, read-only),
``transform_*`` are pure and testable from API-shaped dicts.

Secrets: Lambda environment variables become ``env_names``; EventBridge target
``Input`` and Step Functions definitions are never stored (only the function
ARNs a definition calls); SNS e-mail/SMS endpoints are masked and HTTP(S)
endpoints cut to scheme and host (query strings often carry tokens).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scanner.collectors.containers import (
    DENIED,
    list_or_gap,
    policy_is_public,
    policy_statements,
    read_or_gap,
    statement_principals,
)
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records
from scanner.secrets import secret_names

_LAMBDA_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+")


def function_arn(ref: str | None) -> str | None:
    """The unqualified function ARN inside any reference (alias/version ARN, API integration URI)."""
    m = _LAMBDA_ARN.search(ref or "")
    return m.group(0) if m else None


def pages_by_token(ctx: ScanContext, service: str, op: str, key: str,
                   token_in: str = "NextToken", token_out: str = "NextToken", **kw: Any) -> Iterator[Any]:
    """Items of an operation botocore has no paginator for but AWS pages anyway."""
    token = None
    while True:
        resp = ctx.call(service, op, **({token_in: token} if token else {}), **kw)
        yield from resp.get(key) or []
        token = resp.get(token_out)
        if not token:
            return


# --- Lambda -----------------------------------------------------------------------------------

def invoke_principals(policy: Any) -> list[dict[str, Any]]:
    """Who a function's resource policy lets in: principal, source ARN/account, conditioned or not."""
    out = []
    for s in policy_statements(policy):
        if s.get("Effect") != "Allow":
            continue
        cond = s.get("Condition") or {}
        src = None
        for test in cond.values():
            if isinstance(test, dict):
                src = src or test.get("AWS:SourceArn") or test.get("aws:SourceArn") or \
                    test.get("AWS:SourceAccount") or test.get("aws:SourceAccount")
        for p in statement_principals(s):
            out.append({"principal": p, "source": src if isinstance(src, str) else None,
                        "conditions": bool(cond), "public": p == "*" and not cond})
    return out


def transform_functions(ctx: ScanContext, functions: list[dict[str, Any]],
                        extras: dict[str, dict[str, Any]] | None = None) -> Records:
    """``extras`` maps function ARN to per-function reads: ``policy`` (text, None = no policy),
    ``concurrency`` (int or None), ``url_auth`` (AuthType or None), ``tags`` (dict); a missing key
    means not read."""
    out = ctx.records()
    extras = extras or {}
    for f in functions:
        arn = f["FunctionArn"]
        ex = extras.get(arn, {})
        vpc = f.get("VpcConfig") or {}
        subnets = list(vpc.get("SubnetIds") or [])
        sgs = list(vpc.get("SecurityGroupIds") or [])
        env_vars = (f.get("Environment") or {}).get("Variables") or {}
        env_names = sorted(env_vars.keys())
        secret_env = secret_names(env_vars)  # judged in memory; the values go no further
        principals = invoke_principals(ex.get("policy")) if "policy" in ex else None
        public = None if principals is None else any(p["public"] for p in principals)
        dlq = (f.get("DeadLetterConfig") or {}).get("TargetArn")
        kms = f.get("KMSKeyArn")
        out.node(arn, "lambda:function", f.get("FunctionName"), tags={str(k): str(v) for k, v in (ex.get("tags") or {}).items()},
                 name=f.get("FunctionName"), runtime=f.get("Runtime"), memory=f.get("MemorySize"),
                 timeout=f.get("Timeout"), handler=f.get("Handler"), role_arn=f.get("Role"),
                 vpc_id=vpc.get("VpcId") or None, subnet_ids=subnets, security_group_ids=sgs,
                 env_names=env_names, plaintext_secret_names=secret_env, package_type=f.get("PackageType", "Zip"),
                 architectures=list(f.get("Architectures") or ["x86_64"]),
                 last_modified=iso(f.get("LastModified")), kms_key_arn=kms, dlq_arn=dlq,
                 reserved_concurrency=ex.get("concurrency"), public_policy=public,
                 invoke_principals=principals, url_auth=ex.get("url_auth"),
                 code_size=f.get("CodeSize"), layers=[la.get("Arn") for la in f.get("Layers") or []],
                 tracing=(f.get("TracingConfig") or {}).get("Mode"),
                 log_group=(f.get("LoggingConfig") or {}).get("LogGroup"))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, f.get("Role"), "uses_role")
        for sid in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
        for gid in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", gid), "protected_by")
        out.edge(arn, ctx.kms_key_arn(kms), "encrypted_by")
        out.edge(arn, dlq, "publishes_to", dead_letter=True)
    return out


def _function_extras(ctx: ScanContext, out: Records, f: dict[str, Any]) -> dict[str, Any]:
    """The per-function reads list_functions does not return; each may be denied on its own."""
    name, arn = f["FunctionName"], f["FunctionArn"]
    ex: dict[str, Any] = {}
    pol = read_or_gap(ctx, out, "lambda", "get_policy", arn, ("ResourceNotFoundException",), FunctionName=name)
    if pol is not DENIED:
        ex["policy"] = pol.get("Policy") if pol else None
    conc = read_or_gap(ctx, out, "lambda", "get_function_concurrency", arn, ("ResourceNotFoundException",),
                       FunctionName=name)
    if conc is not DENIED:
        ex["concurrency"] = (conc or {}).get("ReservedConcurrentExecutions")
    tags = read_or_gap(ctx, out, "lambda", "list_tags", arn, ("ResourceNotFoundException",), Resource=arn)
    if tags is not DENIED:
        ex["tags"] = (tags or {}).get("Tags") or {}
    url = read_or_gap(ctx, out, "lambda", "get_function_url_config", arn, ("ResourceNotFoundException",),
                      FunctionName=name)
    if url is not DENIED:
        ex["url_auth"] = (url or {}).get("AuthType")
    return ex


@collector("lambda.functions", "lambda",
           reads="lambda:ListFunctions, lambda:GetPolicy, lambda:GetFunctionConcurrency, "
                 "lambda:ListTags, lambda:GetFunctionUrlConfig")
def collect_functions(ctx: ScanContext) -> Records:
    functions = list(ctx.paginate("lambda", "list_functions", "Functions"))
    out = ctx.records()
    extras = {f["FunctionArn"]: _function_extras(ctx, out, f) for f in functions}
    return out.extend(transform_functions(ctx, functions, extras))


def transform_event_source_mappings(ctx: ScanContext, mappings: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for m in mappings:
        uuid = m["UUID"]
        arn = m.get("EventSourceMappingArn") or ctx.arn("lambda", f"event-source-mapping:{uuid}")
        fn = function_arn(m.get("FunctionArn")) or m.get("FunctionArn")
        src = m.get("EventSourceArn")  # None for self-managed Kafka: nothing in the graph to point at
        out.node(arn, "lambda:event-source-mapping", f"{uuid[:8]} ({(src or 'self-managed').rsplit(':', 1)[-1]})",
                 uuid=uuid, function_arn=fn, source_arn=src, state=m.get("State"),
                 batch_size=m.get("BatchSize"), enabled=m.get("State") in ("Enabled", "Enabling", "Updating"),
                 on_failure=((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"))
        out.edge(src, fn, "triggers", via="event-source-mapping", uuid=uuid, state=m.get("State"),
                 batch_size=m.get("BatchSize"))
    return out


@collector("lambda.event_source_mappings", "lambda", reads="lambda:ListEventSourceMappings")
def collect_event_source_mappings(ctx: ScanContext) -> Records:
    return transform_event_source_mappings(
        ctx, list(ctx.paginate("lambda", "list_event_source_mappings", "EventSourceMappings")))


# --- API Gateway ------------------------------------------------------------------------------

def rest_api_arn(ctx: ScanContext, api_id: str) -> str:
    return f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api_id}"


def http_api_arn(ctx: ScanContext, api_id: str) -> str:
    return f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{api_id}"


def _rest_integrations(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in resources:
        for verb, m in (r.get("resourceMethods") or {}).items():
            integ = (m or {}).get("methodIntegration") or {}
            if not integ:
                continue
            uri = integ.get("uri") or ""
            out.append({"path": r.get("path"), "method": verb, "type": integ.get("type"),
                        "target": function_arn(uri) or _safe_uri(uri),
                        "connection": integ.get("connectionType"),
                        "auth": (m or {}).get("authorizationType"),
                        "api_key": bool((m or {}).get("apiKeyRequired"))})
    return out


def _safe_uri(uri: str | None) -> str | None:
    """An integration/endpoint URL without credentials, path parameters or query string."""
    if not uri:
        return None
    if uri.startswith("arn:"):
        return uri
    parts = urlsplit(uri)
    if parts.scheme and parts.hostname:
        return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"
    return None


def _rest_stage(s: dict[str, Any]) -> dict[str, Any]:
    settings = (s.get("methodSettings") or {}).get("*/*") or {}
    return {"name": s.get("stageName"), "deployment_id": s.get("deploymentId"),
            "logging": settings.get("loggingLevel"), "tracing": bool(s.get("tracingEnabled")),
            "cache": bool(s.get("cacheClusterEnabled")), "web_acl": s.get("webAclArn"),
            "access_logs": (s.get("accessLogSettings") or {}).get("destinationArn"),
            "throttle_rate": settings.get("throttlingRateLimit")}


def _rest_policy_public(policy: str | None) -> bool | None:
    """REST API policies come back as JSON with escaped quotes; None when the API has none."""
    if not policy:
        return None
    return policy_is_public(policy.replace('\\"', '"'))


def transform_rest_apis(ctx: ScanContext, apis: list[dict[str, Any]]) -> Records:
    """Each api dict is get_rest_apis' item plus ``_stages`` and ``_resources`` (None = not read)."""
    out = ctx.records()
    for a in apis:
        api_id = a["id"]
        arn = rest_api_arn(ctx, api_id)
        integrations = _rest_integrations(a.get("_resources") or [])
        policy = a.get("policy")
        out.node(arn, "apigateway:rest-api", a.get("name"), tags=tags_of(a.get("tags")), api_id=api_id,
                 name=a.get("name"), endpoint_types=list((a.get("endpointConfiguration") or {}).get("types") or []),
                 stages=None if a.get("_stages") is None else [_rest_stage(s) for s in a["_stages"]],
                 integrations=None if a.get("_resources") is None else integrations,
                 policy_present=bool(policy), policy_public=_rest_policy_public(policy),
                 api_key_source=a.get("apiKeySource"),
                 execute_api_disabled=bool(a.get("disableExecuteApiEndpoint")), created=iso(a.get("createdDate")))
        out.edge(ctx.region_node, arn, "contains")
        for i in integrations:
            if i["target"] and i["target"].startswith("arn:") and ":lambda:" in i["target"]:
                out.edge(arn, i["target"], "integrates_with", path=i["path"], method=i["method"])
        for s in a.get("_stages") or []:
            out.edge(arn, s.get("webAclArn"), "associated_with")
    return out


@collector("apigateway.rest_apis", "apigateway",
           reads="apigateway:GET (GetRestApis, GetStages, GetResources)")
def collect_rest_apis(ctx: ScanContext) -> Records:
    out = ctx.records()
    apis = list(ctx.paginate("apigateway", "get_rest_apis", "items"))
    for a in apis:
        stages = ctx.optional(out, "apigateway", "get_stages", resource=a["id"], restApiId=a["id"])
        a["_stages"] = None if stages is None else stages.get("item") or []
        a["_resources"] = list_or_gap(ctx, out, "apigateway", "get_resources", "items", a["id"],
                                      restApiId=a["id"], embed=["methods"])
    return out.extend(transform_rest_apis(ctx, apis))


def _http_integration(i: dict[str, Any]) -> dict[str, Any]:
    uri = i.get("IntegrationUri") or ""
    return {"id": i.get("IntegrationId"), "type": i.get("IntegrationType"),
            "target": function_arn(uri) or _safe_uri(uri), "connection": i.get("ConnectionType"),
            "subtype": i.get("IntegrationSubtype")}


def transform_http_apis(ctx: ScanContext, apis: list[dict[str, Any]]) -> Records:
    """Each api dict is get_apis' item plus ``_stages``, ``_integrations`` and ``_routes``
    (None = not read)."""
    out = ctx.records()
    for a in apis:
        api_id = a["ApiId"]
        arn = http_api_arn(ctx, api_id)
        integrations = [_http_integration(i) for i in a.get("_integrations") or []]
        stages = a.get("_stages")
        out.node(arn, "apigateway:http-api", a.get("Name"), tags=tags_of(a.get("Tags")), api_id=api_id,
                 name=a.get("Name"), protocol=a.get("ProtocolType"), endpoint=a.get("ApiEndpoint"),
                 execute_api_disabled=bool(a.get("DisableExecuteApiEndpoint")),
                 stages=None if stages is None else [
                     {"name": s.get("StageName"), "auto_deploy": bool(s.get("AutoDeploy")),
                      "access_logs": (s.get("AccessLogSettings") or {}).get("DestinationArn"),
                      "throttle_rate": (s.get("DefaultRouteSettings") or {}).get("ThrottlingRateLimit")}
                     for s in stages],
                 integrations=None if a.get("_integrations") is None else integrations,
                 routes=None if a.get("_routes") is None else [
                     {"key": r.get("RouteKey"), "auth": r.get("AuthorizationType") or "NONE",
                      "api_key": bool(r.get("ApiKeyRequired")), "target": r.get("Target")}
                     for r in a["_routes"]],
                 cors=bool(a.get("CorsConfiguration")), created=iso(a.get("CreatedDate")))
        out.edge(ctx.region_node, arn, "contains")
        for i in integrations:
            t = i["target"] or ""
            if t.startswith("arn:") and (":lambda:" in t or ":elasticloadbalancing:" in t
                                         or ":servicediscovery:" in t):
                out.edge(arn, t, "integrates_with", integration=i["id"], type=i["type"])
    return out


@collector("apigatewayv2.apis", "apigatewayv2", reads="apigateway:GET (GetApis, GetStages, GetIntegrations, GetRoutes)")
def collect_http_apis(ctx: ScanContext) -> Records:
    out = ctx.records()
    apis = list(pages_by_token(ctx, "apigatewayv2", "get_apis", "Items"))
    for a in apis:
        a["_stages"] = _v2_list(ctx, out, "get_stages", a["ApiId"])
        a["_integrations"] = _v2_list(ctx, out, "get_integrations", a["ApiId"])
        a["_routes"] = _v2_list(ctx, out, "get_routes", a["ApiId"])
    return out.extend(transform_http_apis(ctx, apis))


def _v2_list(ctx: ScanContext, out: Records, op: str, api_id: str) -> list[dict[str, Any]] | None:
    """All pages of a per-API list; None (and a gap) when it could not be read."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        kw = {"ApiId": api_id, **({"NextToken": token} if token else {})}
        resp = ctx.optional(out, "apigatewayv2", op, resource=api_id, **kw)
        if resp is None:
            return None
        items.extend(resp.get("Items") or [])
        token = resp.get("NextToken")
        if not token:
            return items


# --- EventBridge ------------------------------------------------------------------------------

def _target_ref(t: dict[str, Any]) -> dict[str, Any]:
    arn = t.get("Arn") or ""
    return {"id": t.get("Id"), "arn": function_arn(arn) or arn, "role_arn": t.get("RoleArn"),
            "dlq": (t.get("DeadLetterConfig") or {}).get("Arn"),
            "task_definition": (t.get("EcsParameters") or {}).get("TaskDefinitionArn")}


def _pattern_summary(pattern: str | None) -> str | None:
    """The event pattern as compact JSON, bounded (patterns hold filters, not secrets)."""
    if not pattern:
        return None
    try:
        text = json.dumps(json.loads(pattern), separators=(",", ":"), sort_keys=True)
    except ValueError:
        text = pattern
    return text if len(text) <= 400 else text[:399] + "…"


def transform_rules(ctx: ScanContext, rules: list[dict[str, Any]]) -> Records:
    """Each rule dict is list_rules' item plus ``_targets`` (None = not read). Target ``Input``
    is never kept: it is free text and may hold credentials."""
    out = ctx.records()
    for r in rules:
        arn = r["Arn"]
        targets = None if r.get("_targets") is None else [_target_ref(t) for t in r["_targets"]]
        out.node(arn, "events:rule", r.get("Name"), name=r.get("Name"),
                 event_bus=r.get("EventBusName") or "default", schedule=r.get("ScheduleExpression"),
                 pattern=_pattern_summary(r.get("EventPattern")), state=r.get("State"),
                 targets=targets, managed_by=r.get("ManagedBy"), role_arn=r.get("RoleArn"))
        out.edge(ctx.region_node, arn, "contains")
        for t in targets or []:
            out.edge(arn, t["arn"], "triggers", target_id=t["id"])
            out.edge(arn, t["task_definition"], "triggers", target_id=t["id"])
    return out


@collector("events.rules", "events", reads="events:ListEventBuses, events:ListRules, events:ListTargetsByRule")
def collect_rules(ctx: ScanContext) -> Records:
    out = ctx.records()
    buses = [b["Name"] for b in pages_by_token(ctx, "events", "list_event_buses", "EventBuses")] or ["default"]
    rules: list[dict[str, Any]] = []
    for bus in buses:
        for r in ctx.paginate("events", "list_rules", "Rules", EventBusName=bus):
            r["_targets"] = list_or_gap(ctx, out, "events", "list_targets_by_rule", "Targets", r["Arn"],
                                        Rule=r["Name"], EventBusName=bus)
            rules.append(r)
    return out.extend(transform_rules(ctx, rules))


# --- SQS --------------------------------------------------------------------------------------

def queue_arn_from_url(ctx: ScanContext, url: str) -> str:
    """https://sqs.<region>.amazonaws.com/<account>/<name> -> arn:aws:sqs:<region>:<account>:<name>."""
    parts = url.rstrip("/").split("/")
    return ctx.arn("sqs", parts[-1], account=parts[-2] if len(parts) >= 2 else None)


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def transform_queues(ctx: ScanContext, queues: list[dict[str, Any]]) -> Records:
    """Each queue is {"url", "attributes" (None = not read), "tags"}."""
    out = ctx.records()
    for q in queues:
        attrs = q.get("attributes")
        a = attrs or {}
        arn = a.get("QueueArn") or queue_arn_from_url(ctx, q["url"])
        name = arn.rsplit(":", 1)[-1]
        redrive = {}
        if a.get("RedrivePolicy"):
            try:
                redrive = json.loads(a["RedrivePolicy"])
            except ValueError:
                redrive = {}
        kms = a.get("KmsMasterKeyId")
        sse = None if attrs is None else ("kms" if kms else "sqs" if a.get("SqsManagedSseEnabled") == "true"
                                          else "none")
        dlq = redrive.get("deadLetterTargetArn")
        out.node(arn, "sqs:queue", name, tags=q.get("tags") or {}, name=name, url=q["url"],
                 fifo=name.endswith(".fifo"), dlq_arn=dlq, max_receive_count=_int(redrive.get("maxReceiveCount")),
                 kms_key=ctx.kms_key_arn(kms), sse=sse, retention_seconds=_int(a.get("MessageRetentionPeriod")),
                 visibility_timeout=_int(a.get("VisibilityTimeout")),
                 policy_public=bool(policy_is_public(a.get("Policy"))) if attrs is not None else None)
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, dlq, "publishes_to", dead_letter=True, max_receive_count=_int(redrive.get("maxReceiveCount")))
        out.edge(arn, ctx.kms_key_arn(kms), "encrypted_by")
    return out


@collector("sqs.queues", "sqs", reads="sqs:ListQueues, sqs:GetQueueAttributes, sqs:ListQueueTags")
def collect_queues(ctx: ScanContext) -> Records:
    out = ctx.records()
    queues = []
    for url in ctx.paginate("sqs", "list_queues", "QueueUrls", MaxResults=1000):
        res = queue_arn_from_url(ctx, url)  # gaps name the node, so its facts can say why
        got = ctx.optional(out, "sqs", "get_queue_attributes", resource=res,
                           missing=("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"),
                           QueueUrl=url, AttributeNames=["All"])
        tags = ctx.optional(out, "sqs", "list_queue_tags", resource=res,
                            missing=("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"), QueueUrl=url)
        queues.append({"url": url, "attributes": None if got is None else got.get("Attributes") or {},
                       "tags": (tags or {}).get("Tags") or {}})
    return out.extend(transform_queues(ctx, queues))


# --- SNS --------------------------------------------------------------------------------------

def mask_endpoint(protocol: str | None, endpoint: str | None) -> str | None:
    """A subscription endpoint fit for a document: ARNs kept, people's addresses masked."""
    if not endpoint:
        return None
    p = (protocol or "").lower()
    if p in ("email", "email-json"):
        local, _, domain = endpoint.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    if p == "sms":
        digits = re.sub(r"\D", "", endpoint)
        return f"***{digits[-2:]}" if len(digits) >= 2 else "***"
    if p in ("http", "https"):
        return _safe_uri(endpoint) or "***"
    if endpoint.startswith("arn:"):
        return endpoint
    return "***"


def transform_topics(ctx: ScanContext, topics: list[dict[str, Any]],
                     subscriptions: list[dict[str, Any]] | None) -> Records:
    """Each topic is {"TopicArn", "attributes" (None = not read)}; subscriptions as ListSubscriptions
    returns them (account-wide in the region), None when they could not be listed."""
    out = ctx.records()
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for s in subscriptions or []:
        by_topic.setdefault(s.get("TopicArn", ""), []).append(s)
    for t in topics:
        arn = t["TopicArn"]
        attrs = t.get("attributes")
        a = attrs or {}
        kms = a.get("KmsMasterKeyId")
        subs = []
        for s in by_topic.get(arn, []):
            proto = s.get("Protocol")
            endpoint = mask_endpoint(proto, s.get("Endpoint"))
            target = function_arn(endpoint) or (endpoint if endpoint and endpoint.startswith("arn:") else None)
            subs.append({"protocol": proto, "endpoint": endpoint,
                         "confirmed": s.get("SubscriptionArn") not in ("PendingConfirmation", None)})
            out.edge(arn, target, "integrates_with", protocol=proto)
        name = arn.rsplit(":", 1)[-1]
        out.node(arn, "sns:topic", name, name=name, display_name=a.get("DisplayName") or None, kms_key=ctx.kms_key_arn(kms),
                 attributes_read=attrs is not None,
                 subscriptions=None if subscriptions is None else subs, fifo=name.endswith(".fifo"),
                 policy_public=bool(policy_is_public(a.get("Policy"))) if attrs is not None else None)
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, ctx.kms_key_arn(kms), "encrypted_by")
    return out


@collector("sns.topics", "sns", reads="sns:ListTopics, sns:GetTopicAttributes, sns:ListSubscriptions")
def collect_topics(ctx: ScanContext) -> Records:
    out = ctx.records()
    topics = []
    for t in ctx.paginate("sns", "list_topics", "Topics"):
        got = ctx.optional(out, "sns", "get_topic_attributes", resource=t["TopicArn"], missing=("NotFound",),
                           TopicArn=t["TopicArn"])
        topics.append({"TopicArn": t["TopicArn"], "attributes": None if got is None else got.get("Attributes") or {}})
    subs = list_or_gap(ctx, out, "sns", "list_subscriptions", "Subscriptions", "")
    return out.extend(transform_topics(ctx, topics, subs))


# --- Step Functions ---------------------------------------------------------------------------

def definition_functions(definition: str | None) -> list[str]:
    """Lambda functions a state machine definition calls (the definition itself is not kept)."""
    return sorted({m.group(0) for m in _LAMBDA_ARN.finditer(definition or "")})


def transform_state_machines(ctx: ScanContext, machines: list[dict[str, Any]]) -> Records:
    """Each machine is list_state_machines' item merged with describe_state_machine (if read)."""
    out = ctx.records()
    for m in machines:
        arn = m["stateMachineArn"]
        log = m.get("loggingConfiguration")
        dests = [((d.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")) for d in (log or {}).get("destinations") or []]
        calls = definition_functions(m.get("definition"))
        out.node(arn, "states:state-machine", m.get("name"), name=m.get("name"), type=m.get("type"),
                 role_arn=m.get("roleArn"), status=m.get("status"),
                 logging=None if log is None else (log.get("level") or "OFF"),
                 log_destinations=[d for d in dests if d],
                 tracing=(m.get("tracingConfiguration") or {}).get("enabled"),
                 calls_functions=calls, created=iso(m.get("creationDate")))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, m.get("roleArn"), "uses_role")
        for fn in calls:
            out.edge(arn, fn, "integrates_with")
    return out


@collector("stepfunctions.state_machines", "stepfunctions",
           reads="states:ListStateMachines, states:DescribeStateMachine")
def collect_state_machines(ctx: ScanContext) -> Records:
    out = ctx.records()
    machines = []
    for m in ctx.paginate("stepfunctions", "list_state_machines", "stateMachines"):
        got = ctx.optional(out, "stepfunctions", "describe_state_machine", resource=m["stateMachineArn"],
                           missing=("StateMachineDoesNotExist",), stateMachineArn=m["stateMachineArn"])
        machines.append({**m, **(got or {})})
    return out.extend(transform_state_machines(ctx, machines))

"""Serverless: Lambda functions and event source mappings, EventBridge, SQS, SNS and Step
Functions. (API Gateway: apigateway.py and apigateway_extras.py; Lambda layers and
destinations: lambda_extras.py; what a function's resource policy says: lambda_policies.py.)

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
from typing import Any

from scanner.collectors._fanout import Read, gather
from scanner.collectors._shape import ident, is_on
from scanner.collectors.apigateway import pages_by_token, safe_uri
from scanner.collectors.containers import DENIED, list_or_gap, policy_is_public, read_or_gap
from scanner.collectors.lambda_extras import destination_edges, destination_refs, function_layer_edges
from scanner.collectors.lambda_policies import (
    _LAMBDA_ARN,
    anyone_may_invoke,
    function_arn,
    invoke_principals,
    policy_trigger_edges,
)
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso
from scanner.inventory import Records
from scanner.secrets import secret_names

__all__ = ["function_arn", "invoke_principals", "pages_by_token"]


# --- Lambda -----------------------------------------------------------------------------------

def _layers(f: dict[str, Any]) -> list[dict[str, Any]]:
    return [la for la in f.get("Layers") or [] if isinstance(la, dict)]


def transform_functions(ctx: ScanContext, functions: list[dict[str, Any]],
                        extras: dict[str, dict[str, Any]] | None = None) -> Records:
    """``extras`` maps function ARN to per-function reads: ``policy`` (text, None = no policy),
    ``concurrency`` (int or None), ``url_auth`` (AuthType or None), ``tags`` (dict),
    ``invoke_configs`` (ListFunctionEventInvokeConfigs items); a missing key means not read."""
    out = ctx.records()
    extras = extras or {}
    for f in functions:
        arn = ident(out, f, "FunctionArn", "lambda", "lambda:ListFunctions", "a function")
        if not arn:
            continue
        ex = extras.get(arn, {})
        vpc = f.get("VpcConfig") or {}
        subnets = [str(x) for x in vpc.get("SubnetIds") or [] if x]
        sgs = [str(x) for x in vpc.get("SecurityGroupIds") or [] if x]
        env_vars = (f.get("Environment") or {}).get("Variables") or {}
        env_names = sorted(str(k) for k in env_vars)
        secret_env = secret_names(env_vars)  # judged in memory; the values go no further
        principals = invoke_principals(ex.get("policy")) if "policy" in ex else None
        public = None if principals is None else any(p["public"] for p in principals)
        destinations = destination_refs(ex.get("invoke_configs")) if "invoke_configs" in ex else None
        dlq = (f.get("DeadLetterConfig") or {}).get("TargetArn")
        kms = f.get("KMSKeyArn")
        out.node(arn, "lambda:function", f.get("FunctionName"), tags={str(k): str(v) for k, v in (ex.get("tags") or {}).items()},
                 name=f.get("FunctionName"), runtime=f.get("Runtime"), memory=f.get("MemorySize"),
                 timeout=f.get("Timeout"), handler=f.get("Handler"), role_arn=f.get("Role"),
                 vpc_id=vpc.get("VpcId") or None, subnet_ids=subnets, security_group_ids=sgs,
                 env_names=env_names, plaintext_secret_names=secret_env, package_type=f.get("PackageType") or "Zip",
                 architectures=[str(a) for a in f.get("Architectures") or ["x86_64"]],
                 last_modified=iso(f.get("LastModified")), kms_key_arn=kms, dlq_arn=dlq,
                 reserved_concurrency=ex.get("concurrency"), public_policy=public,
                 invoke_principals=principals, invocable_by_anyone=anyone_may_invoke(principals),
                 url_auth=ex.get("url_auth"),
                 code_size=f.get("CodeSize"), layers=[la.get("Arn") for la in _layers(f)],
                 destinations=destinations,
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
        policy_trigger_edges(out, arn, principals)
        function_layer_edges(out, arn, _layers(f))
        destination_edges(out, arn, destinations)
    return out


def _function_reads(ctx: ScanContext, f: dict[str, Any]) -> list[Read[Any]]:
    """The per-function reads list_functions does not return, in the order :func:`_function_extras`
    reads their answers; each may be denied on its own. None for a function without a name."""
    name, arn = f.get("FunctionName"), f.get("FunctionArn")
    if not name or not arn:  # the transform records the item it cannot name
        return []
    gone = ("ResourceNotFoundException",)
    return [
        lambda sub: read_or_gap(ctx, sub, "lambda", "get_policy", arn, gone, FunctionName=name),
        lambda sub: read_or_gap(ctx, sub, "lambda", "get_function_concurrency", arn, gone, FunctionName=name),
        lambda sub: read_or_gap(ctx, sub, "lambda", "list_tags", arn, gone, Resource=arn),
        lambda sub: read_or_gap(ctx, sub, "lambda", "get_function_url_config", arn, gone, FunctionName=name),
        lambda sub: ctx.optional_pages(sub, "lambda", "list_function_event_invoke_configs",
                                       "FunctionEventInvokeConfigs", resource=arn, missing=gone, FunctionName=name),
    ]


def _function_extras(answers: list[Any]) -> dict[str, Any]:
    """What :func:`_function_reads` read, as the transform takes it (a key absent: not readable)."""
    ex: dict[str, Any] = {}
    if not answers:
        return ex
    pol, conc, tags, url, configs = answers
    if pol is not DENIED:
        ex["policy"] = pol.get("Policy") if pol else None
    if conc is not DENIED:
        ex["concurrency"] = (conc or {}).get("ReservedConcurrentExecutions")
    if tags is not DENIED:
        ex["tags"] = (tags or {}).get("Tags") or {}
    if url is not DENIED:
        ex["url_auth"] = (url or {}).get("AuthType")
    if configs is not None:
        ex["invoke_configs"] = configs
    return ex


@collector("lambda.functions", "lambda",
           reads="lambda:ListFunctions, lambda:GetPolicy, lambda:GetFunctionConcurrency, "
                 "lambda:ListTags, lambda:GetFunctionUrlConfig, lambda:ListFunctionEventInvokeConfigs")
def collect_functions(ctx: ScanContext) -> Records:
    """Functions with their five per-function reads, all waiting together in the Lambda lane
    (scanner/collectors/_fanout.py: the records are a sequential run's at any width)."""
    functions = list(ctx.paginate("lambda", "list_functions", "Functions"))
    out = ctx.records()
    reads = [_function_reads(ctx, f) for f in functions]
    answers = iter(gather(ctx, out, [read for per in reads for read in per]))
    extras = {str(f.get("FunctionArn")): _function_extras([next(answers) for _ in per])
              for f, per in zip(functions, reads, strict=True)}
    return out.extend(transform_functions(ctx, functions, extras))


def transform_event_source_mappings(ctx: ScanContext, mappings: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for m in mappings:
        uuid = ident(out, m, "UUID", "lambda", "lambda:ListEventSourceMappings", "an event source mapping")
        if not uuid:
            continue
        arn = m.get("EventSourceMappingArn") or ctx.arn("lambda", f"event-source-mapping:{uuid}")
        fn = function_arn(m.get("FunctionArn")) or m.get("FunctionArn")
        src = m.get("EventSourceArn")  # None for self-managed Kafka: nothing in the graph to point at
        out.node(arn, "lambda:event-source-mapping", f"{uuid[:8]} ({(src or 'self-managed').rsplit(':', 1)[-1]})",
                 uuid=uuid, function_arn=fn, source_arn=src, state=m.get("State"),
                 batch_size=m.get("BatchSize"),
                 enabled=is_on(m.get("State"), ("Enabled", "Enabling", "Updating"), ("Disabled", "Disabling")),
                 on_failure=((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"))
        out.edge(src, fn, "triggers", via="event-source-mapping", uuid=uuid, state=m.get("State"),
                 batch_size=m.get("BatchSize"))
    return out


@collector("lambda.event_source_mappings", "lambda", reads="lambda:ListEventSourceMappings")
def collect_event_source_mappings(ctx: ScanContext) -> Records:
    return transform_event_source_mappings(
        ctx, list(ctx.paginate("lambda", "list_event_source_mappings", "EventSourceMappings")))


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
        arn = ident(out, r, "Arn", "events", "events:ListRules", "a rule")
        if not arn:
            continue
        targets = None if r.get("_targets") is None else [_target_ref(t or {}) for t in r["_targets"]]
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
    """Rules of every event bus, then each rule's targets, the per-rule reads waiting together
    in the EventBridge lane (scanner/collectors/_fanout.py)."""
    out = ctx.records()
    buses = [b["Name"] for b in pages_by_token(ctx, "events", "list_event_buses", "EventBuses")] or ["default"]
    listed = [(bus, r) for bus in buses for r in ctx.paginate("events", "list_rules", "Rules", EventBusName=bus)]
    named = [(bus, r) for bus, r in listed if r.get("Arn") and r.get("Name")]
    targets = gather(ctx, out, [
        lambda sub, bus=bus, r=r: list_or_gap(ctx, sub, "events", "list_targets_by_rule", "Targets", r["Arn"],
                                              Rule=r["Name"], EventBusName=bus) for bus, r in named])
    for (_, r), found in zip(named, targets, strict=True):
        r["_targets"] = found
    return out.extend(transform_rules(ctx, [r for _, r in listed]))


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
        redrive: Any = {}
        if a.get("RedrivePolicy"):
            try:
                redrive = json.loads(a["RedrivePolicy"])
            except (TypeError, ValueError):
                redrive = {}
        redrive = redrive if isinstance(redrive, dict) else {}
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
    """Queues with their attributes and tags, the per-queue reads waiting together in the SQS
    lane (scanner/collectors/_fanout.py)."""
    out = ctx.records()
    urls = list(ctx.paginate("sqs", "list_queues", "QueueUrls", MaxResults=1000))
    gone = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
    answers = gather(ctx, out, [read for url in urls for read in (
        # gaps name the node, so its facts can say why
        lambda sub, url=url: ctx.optional(sub, "sqs", "get_queue_attributes", resource=queue_arn_from_url(ctx, url),
                                          missing=gone, QueueUrl=url, AttributeNames=["All"]),
        lambda sub, url=url: ctx.optional(sub, "sqs", "list_queue_tags", resource=queue_arn_from_url(ctx, url),
                                          missing=gone, QueueUrl=url))])
    queues = [{"url": url, "attributes": None if got is None else got.get("Attributes") or {},
               "tags": (tags or {}).get("Tags") or {}}
              for url, got, tags in zip(urls, answers[0::2], answers[1::2], strict=True)]
    return out.extend(transform_queues(ctx, queues))


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
        return safe_uri(endpoint) or "***"
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
        if isinstance(s, dict):
            by_topic.setdefault(str(s.get("TopicArn") or ""), []).append(s)
    for t in topics:
        arn = ident(out, t, "TopicArn", "sns", "sns:ListTopics", "a topic")
        if not arn:
            continue
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
    """Topics with their attributes, the per-topic reads and the region's subscriptions waiting
    together in the SNS lane (scanner/collectors/_fanout.py)."""
    out = ctx.records()
    listed = list(ctx.paginate("sns", "list_topics", "Topics"))
    arns = [t["TopicArn"] for t in listed if t.get("TopicArn")]
    answers = gather(ctx, out, [
        *[lambda sub, arn=arn: ctx.optional(sub, "sns", "get_topic_attributes", resource=arn, missing=("NotFound",),
                                            TopicArn=arn) for arn in arns],
        lambda sub: list_or_gap(ctx, sub, "sns", "list_subscriptions", "Subscriptions", "")])
    attributes = iter(answers[:-1])
    topics = []
    for t in listed:
        if not t.get("TopicArn"):
            topics.append(t)  # the transform says it could not name it
            continue
        got = next(attributes)
        topics.append({"TopicArn": t["TopicArn"], "attributes": None if got is None else got.get("Attributes") or {}})
    return out.extend(transform_topics(ctx, topics, answers[-1]))


# --- Step Functions ---------------------------------------------------------------------------

def definition_functions(definition: str | None) -> list[str]:
    """Lambda functions a state machine definition calls (the definition itself is not kept)."""
    return sorted({m.group(0) for m in _LAMBDA_ARN.finditer(definition or "")})


def merged(listed: dict[str, Any], described: dict[str, Any] | None) -> dict[str, Any]:
    """A list item with what its describe call added (a null there does not erase a listed value)."""
    return {**listed, **{k: v for k, v in (described or {}).items() if v is not None}}


def transform_state_machines(ctx: ScanContext, machines: list[dict[str, Any]]) -> Records:
    """Each machine is list_state_machines' item merged with describe_state_machine (if read)."""
    out = ctx.records()
    for m in machines:
        arn = ident(out, m, "stateMachineArn", "stepfunctions", "states:ListStateMachines", "a state machine")
        if not arn:
            continue
        log = m.get("loggingConfiguration")
        dests = [((d or {}).get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")
                 for d in (log or {}).get("destinations") or []]
        calls = definition_functions(m.get("definition") if isinstance(m.get("definition"), str) else None)
        out.node(arn, "states:state-machine", m.get("name"), name=m.get("name"), type=m.get("type"),
                 role_arn=m.get("roleArn"), status=m.get("status"),
                 logging=(log or {}).get("level"),
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
    """State machines with their definitions' summary, the per-machine describes waiting together
    in the Step Functions lane (scanner/collectors/_fanout.py)."""
    out = ctx.records()
    listed = list(ctx.paginate("stepfunctions", "list_state_machines", "stateMachines"))
    described = gather(ctx, out, [
        (lambda sub, arn=m["stateMachineArn"]: ctx.optional(sub, "stepfunctions", "describe_state_machine",
                                                            resource=arn, missing=("StateMachineDoesNotExist",),
                                                            stateMachineArn=arn))
        if m.get("stateMachineArn") else (lambda sub: None) for m in listed])
    return out.extend(transform_state_machines(ctx, [merged(m, got) for m, got in zip(listed, described,
                                                                                     strict=True)]))

"""Section 3.3 facts: Lambda, EventBridge, SQS, SNS and Step Functions as table rows (API
Gateway: renderers/facts/apigateway.py).

Pure functions of the Inventory; the graph's ``triggers``/``integrates_with``
edges say what invokes what (event source mappings, rule targets, API integrations and the
function's own resource policy), so each function's row names its event sources.
"""

from __future__ import annotations

from typing import Any

from renderers.facts.containers import encrypted, subnet_tiers
from renderers.facts.storage import read_cell, unread_or, unread_why
from renderers.plural import count_of
from scanner import naming, status
from scanner.fact import Fact
from scanner.inventory import Inventory

SERVERLESS_KINDS = ("lambda:function", "lambda:event-source-mapping", "lambda:layer", "apigateway:rest-api",
                    "apigateway:http-api", "apigateway:authorizer", "apigateway:domain-name",
                    "apigateway:usage-plan", "apigateway:api-key", "events:rule", "sqs:queue", "sns:topic",
                    "states:state-machine")

#: how a source kind reads in a "triggered by" cell
_SOURCE_WORD = {"sqs:queue": "SQS", "sns:topic": "SNS", "events:rule": "EventBridge",
                "apigateway:rest-api": "REST API", "apigateway:http-api": "HTTP API",
                "states:state-machine": "Step Functions", "dynamodb:table": "DynamoDB stream",
                "s3:bucket": "S3", "lambda:function": "Lambda", "apigateway:authorizer": "API authorizer",
                "kinesis:stream": "Kinesis stream", "kafka:cluster": "MSK cluster",
                "elbv2:target-group": "target group", "cognito:user-pool": "Cognito user pool",
                "logs:log-group": "CloudWatch Logs", "rds:cluster": "DocumentDB change stream"}
#: the same words for a source outside the scan, by the service in its ARN (an event source mapping
#: from ``rds`` is a DocumentDB change stream; from ``mq`` an Amazon MQ broker)
_SERVICE_WORD = {"sqs": "SQS", "sns": "SNS", "events": "EventBridge", "execute-api": "API Gateway API",
                 "s3": "S3", "lambda": "Lambda", "states": "Step Functions", "dynamodb": "DynamoDB stream",
                 "kinesis": "Kinesis stream", "kafka": "MSK cluster", "logs": "CloudWatch Logs",
                 "cognito-idp": "Cognito user pool", "iot": "IoT rule", "elasticloadbalancing": "load balancer",
                 "mq": "Amazon MQ broker", "rds": "DocumentDB change stream"}
#: a Kinesis enhanced fan-out consumer's ARN: ``<stream ARN>/consumer/<name>:<creation time>``
_CONSUMER = "/consumer/"


def summary(inv: Inventory) -> dict[str, int]:
    return {k.replace(":", "_").replace("-", "_"): len(inv.nodes(k)) for k in SERVERLESS_KINDS}


def function_triggers(inv: Inventory, fn_id: str) -> list[str]:
    """What invokes a function: event sources, rules, APIs, topics and state machines."""
    found = []
    for rel in ("triggers", "integrates_with"):
        for src in inv.into(fn_id, rel):
            found.append(_source_text(inv, src))
    return sorted(set(found))


def _source_text(inv: Inventory, src: dict[str, Any]) -> str:
    """One source in a "triggered by" cell: its kind's word and name; a Kinesis fan-out consumer
    reads as its stream (which may be scanned although the consumer is no node of its own)."""
    sid = str(src["id"])
    if src.get("external") and ":kinesis:" in sid and _CONSUMER in sid:
        stream_id, consumer = sid.split(_CONSUMER, 1)
        stream = inv.node(stream_id)
        where = "" if stream and not stream.get("external") else " (not scanned)"
        return f"Kinesis stream{where} {naming.name(inv, stream_id)} (consumer {consumer.split(':', 1)[0]})"
    if src.get("external"):
        service = sid.split(":", 3)[2] if sid.startswith("arn:") else ""
        return f"{_SERVICE_WORD.get(service, service or 'external')} (not scanned) {naming.name(inv, sid)}"
    return f"{_SOURCE_WORD.get(src.get('kind', '')) or src.get('kind', '')} {naming.name(inv, sid)}"


#: the collectors and reads whose edges say what invokes a function
_TRIGGER_COLLECTORS = ("lambda.event_source_mappings", "apigateway.rest_apis", "apigatewayv2.apis", "events.rules",
                       "sns.topics", "stepfunctions.state_machines", "s3.buckets")
_TRIGGER_READS = ("apigateway:GetResources", "apigateway:GET", "apigateway:GetIntegrations", "events:ListTargetsByRule",
                  "states:DescribeStateMachine", "s3:GetBucketNotificationConfiguration", "sns:ListSubscriptions")
#: a denied GetPolicy hides the triggers only that function's policy names
_POLICY_READ = "lambda:GetPolicy"


def triggers_unseen(inv: Inventory, region: str) -> str:
    """Why the list of what invokes a region's functions may be incomplete ("" when all was read)."""
    runs = [r for r in status.blocked_runs(inv.meta.get("runs", []), collectors=_TRIGGER_COLLECTORS)
            if r.get("region") == region or r.get("collector") == "s3.buckets"]
    if runs:
        return f"{runs[0].get('action') or runs[0].get('collector')}: {runs[0].get('message') or runs[0].get('status')}"
    return status.unread(inv.meta, region, *_TRIGGER_READS)


def function_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for f in inv.nodes("lambda:function"):
        p = f["props"]
        vpc = subnet_tiers(inv, f["id"]) if p.get("subnet_ids") else "no"
        rows.append([f["region"], f["name"], p.get("runtime") or p.get("package_type"), f"{p.get('memory')} MB",
                     f"{p.get('timeout')} s", ", ".join(p.get("architectures") or []) or "-", vpc,
                     naming.short_id(p.get("role_arn")), _triggers_text(inv, f),
                     _concurrency(p.get("reserved_concurrency")), _public(inv, f)])
    return rows


def _triggers_text(inv: Inventory, fn: dict[str, Any]) -> str:
    found = "; ".join(function_triggers(inv, fn["id"]))
    why = triggers_unseen(inv, fn["region"]) or (unread_why(inv, fn, _POLICY_READ)
                                                 if fn["props"].get("invoke_principals") is None else "")
    if why:
        return f"{found}; others unknown ({why})" if found else f"unknown ({why})"
    return found or "none found"


def _concurrency(v: Any) -> str:
    return "unreserved" if v is None else str(v)


def _public(inv: Inventory, fn: dict[str, Any]) -> str:
    """A function URL without auth, or the judged ``invocable_by_anyone`` fact of its policy (the
    one SRV-101 reads: Principal "*" without a SourceArn/SourceAccount condition)."""
    if fn["props"].get("url_auth") == "NONE":
        return "yes (function URL without auth)"
    f = inv.fact(fn["id"], "invocable_by_anyone") or Fact.from_dict(None)
    return f.text("yes (policy allows any principal)", "no")


def function_env_lines(inv: Inventory) -> list[tuple[str, str]]:
    """(function, variable names): names only, values are never collected."""
    return [(f["name"], ", ".join(f["props"]["env_names"])) for f in inv.nodes("lambda:function")
            if f["props"].get("env_names")]


def rule_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for r in inv.nodes("events:rule"):
        p = r["props"]
        targets = p.get("targets")
        rows.append([r["region"], r["name"], p.get("event_bus"), p.get("schedule") or p.get("pattern") or "-",
                     p.get("state"),
                     "not read" if targets is None else ", ".join(naming.name(inv, t.get("arn")) or "?" for t in targets)
                     or "none"])
    return rows


def queue_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for q in inv.nodes("sqs:queue"):
        p = q["props"]
        dlq = (f"{naming.name(inv, p['dlq_arn'])} after {p.get('max_receive_count')} receives" if p.get("dlq_arn")
               else unread_or(inv, q, "none", "sqs:GetQueueAttributes"))
        rows.append([q["region"], q["name"], "FIFO" if p.get("fifo") else "standard", dlq, _sse(inv, q),
                     _days(p.get("retention_seconds")), _secs(p.get("visibility_timeout"))])
    return rows


def _sse(inv: Inventory, q: dict[str, Any]) -> str:
    """How a queue is encrypted: its judged ``encrypted`` fact, with the kind of key when yes."""
    f = inv.fact(q["id"], "encrypted") or Fact.from_dict(None)
    if not f.yes:
        return encrypted(inv, q["id"], no="none")
    sse = q["props"].get("sse")
    if sse == "kms":
        return f"SSE-KMS ({naming.short_id(q['props'].get('kms_key'))})"
    return "SSE-SQS" if sse == "sqs" else "yes"


def _days(seconds: Any) -> str:
    """A retention period: "1 day", "4 days", "1.5 days", "30 min"."""
    if seconds is None:
        return "unknown"
    d = int(seconds) / 86400
    if d >= 1:
        return count_of(int(d), "day") if d == int(d) else f"{d:g} days"
    return f"{int(seconds) // 60} min"


def _secs(seconds: Any) -> str:
    return "unknown" if seconds is None else f"{seconds} s"


def topic_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for t in inv.nodes("sns:topic"):
        p = t["props"]
        subs = [_subscription_text(inv, s) for s in p.get("subscriptions") or []]
        unread = p.get("subscriptions") is None
        f = inv.fact(t["id"], "encrypted") or Fact.from_dict(None)
        enc = f"SSE-KMS ({naming.short_id(p['kms_key'])})" if f.yes and p.get("kms_key") else \
            encrypted(inv, t["id"], no="none")
        rows.append([t["region"], t["name"], enc,
                     "unknown" if unread else len(subs), "not read" if unread else "; ".join(subs) or "none"])
    return rows


def _subscription_text(inv: Inventory, sub: dict[str, Any]) -> str:
    """"protocol: endpoint" with ARN endpoints named; e-mail/SMS endpoints arrive already masked."""
    ep = sub.get("endpoint")
    shown = naming.name(inv, ep) if str(ep or "").startswith("arn:") else (ep or "?")
    return f"{sub.get('protocol')}: {shown}" + ("" if sub.get("confirmed") else " (pending)")


def state_machine_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for m in inv.nodes("states:state-machine"):
        p = m["props"]
        calls = [naming.name(inv, f) for f in p.get("calls_functions") or []]
        rows.append([m["region"], m["name"], p.get("type"), naming.short_id(p.get("role_arn")),
                     p.get("logging") or "unknown",
                     ", ".join(c for c in calls if c) or unread_or(inv, m, "-", "states:DescribeStateMachine")])
    return rows


# --- layers and destinations --------------------------------------------------------------------

def layer_rows(inv: Inventory) -> list[list[Any]]:
    """The account's own layers: versions published and the functions that run each (with the
    version they pin)."""
    rows = []
    for la in inv.nodes("lambda:layer"):
        p = la["props"]
        users = sorted(f"{naming.node_name(f)} (v{f['edge'].get('version')})" if f["edge"].get("version")
                       else naming.node_name(f) for f in inv.into(la["id"], "uses_layer"))
        versions = p.get("versions")
        rows.append([la["region"], la["name"], p.get("latest_version") or "unknown",
                     read_cell(inv, la, None if versions is None else len(versions), "lambda:ListLayerVersions"),
                     ", ".join(p.get("runtimes") or []) or "-", ", ".join(users) or "no function"])
    return rows


def _layer_text(inv: Inventory, fn: dict[str, Any]) -> str:
    parts = []
    for la in inv.out(fn["id"], "uses_layer"):
        v = la["edge"].get("version")
        parts.append(naming.name(inv, la["id"]) + (f" v{v}" if v else "")
                     + (" (other account)" if la.get("external") and la["id"].split(":")[4:5] != [fn.get("account")]
                        else ""))
    return ", ".join(sorted(parts)) or "none"


def _destination_text(inv: Inventory, fn: dict[str, Any]) -> str:
    dests = fn["props"].get("destinations")
    if dests is None:
        return unread_or(inv, fn, "none", "lambda:ListFunctionEventInvokeConfigs")
    parts = []
    for d in dests:
        arn = str(d.get("destination"))
        node = inv.node(arn)
        service = arn.split(":", 3)[2] if arn.startswith("arn:") else ""
        word = _SOURCE_WORD.get(str((node or {}).get("kind"))) or _SERVICE_WORD.get(service, service)
        if service == "events" and ":event-bus/" in arn:
            word = "EventBridge bus"
        where = f" [{d['qualifier']}]" if d.get("qualifier") else ""
        parts.append(f"on {d.get('on')}{where}: {word} {naming.name(inv, arn)}")
    return "; ".join(parts) or "none"


def function_extra_rows(inv: Inventory) -> list[list[Any]]:
    """Functions with layers or asynchronous-invocation destinations (or whose destinations could
    not be read): the rest have nothing to add to the table above."""
    rows = []
    for f in inv.nodes("lambda:function"):
        layers, dests = _layer_text(inv, f), _destination_text(inv, f)
        if layers != "none" or dests != "none":
            rows.append([f["region"], f["name"], layers, dests])
    return rows

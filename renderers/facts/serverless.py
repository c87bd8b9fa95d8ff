"""Section 3.3 facts: Lambda, API Gateway, EventBridge, SQS, SNS and Step Functions as table rows.

Pure functions of the Inventory; the graph's ``triggers``/``integrates_with``
edges say what invokes what, so each function's row names its event sources.
"""

from __future__ import annotations

from typing import Any

from renderers.facts.containers import encrypted, subnet_tiers
from renderers.facts.storage import unread_or
from renderers.plural import count_of
from scanner import naming, status
from scanner.fact import Fact
from scanner.inventory import Inventory

SERVERLESS_KINDS = ("lambda:function", "lambda:event-source-mapping", "apigateway:rest-api",
                    "apigateway:http-api", "events:rule", "sqs:queue", "sns:topic", "states:state-machine")

#: how a source kind reads in a "triggered by" cell
_SOURCE_WORD = {"sqs:queue": "SQS", "sns:topic": "SNS", "events:rule": "EventBridge",
                "apigateway:rest-api": "REST API", "apigateway:http-api": "HTTP API",
                "states:state-machine": "Step Functions", "dynamodb:table": "DynamoDB stream",
                "s3:bucket": "S3"}


def summary(inv: Inventory) -> dict[str, int]:
    return {k.replace(":", "_").replace("-", "_"): len(inv.nodes(k)) for k in SERVERLESS_KINDS}


def function_triggers(inv: Inventory, fn_id: str) -> list[str]:
    """What invokes a function: event sources, rules, APIs, topics and state machines."""
    found = []
    for rel in ("triggers", "integrates_with"):
        for src in inv.into(fn_id, rel):
            kind = src.get("kind", "")
            word = _SOURCE_WORD.get(kind) or ("external" if src.get("external") else kind)
            found.append(f"{word} {naming.name(inv, src['id'])}")
    return sorted(set(found))


#: the collectors and reads whose edges say what invokes a function
_TRIGGER_COLLECTORS = ("lambda.event_source_mappings", "apigateway.rest_apis", "apigatewayv2.apis", "events.rules",
                       "sns.topics", "stepfunctions.state_machines", "s3.buckets")
_TRIGGER_READS = ("apigateway:GetResources", "apigateway:GET", "apigatewayv2:GetIntegrations", "events:ListTargetsByRule",
                  "states:DescribeStateMachine", "s3:GetBucketNotificationConfiguration", "sns:ListSubscriptions")


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
                     _concurrency(p.get("reserved_concurrency")), _public(p)])
    return rows


def _triggers_text(inv: Inventory, fn: dict[str, Any]) -> str:
    found = "; ".join(function_triggers(inv, fn["id"]))
    why = triggers_unseen(inv, fn["region"])
    if why:
        return f"{found}; others unknown ({why})" if found else f"unknown ({why})"
    return found or "none found"


def _concurrency(v: Any) -> str:
    return "unreserved" if v is None else str(v)


def _public(p: dict[str, Any]) -> str:
    if p.get("url_auth") == "NONE":
        return "yes (function URL without auth)"
    if p.get("public_policy") is None:
        return "unknown"
    return "yes (policy allows anyone)" if p["public_policy"] else "no"


def function_env_lines(inv: Inventory) -> list[tuple[str, str]]:
    """(function, variable names): names only, values are never collected."""
    return [(f["name"], ", ".join(f["props"]["env_names"])) for f in inv.nodes("lambda:function")
            if f["props"].get("env_names")]


def _integration_text(inv: Inventory, integrations: list[dict[str, Any]] | None) -> str:
    if integrations is None:
        return "not read"
    parts = []
    for i in integrations:
        auth = f" (auth {i['auth']})" if i.get("auth") else ""
        where = f"{i.get('method')} {i.get('path')}{auth} → " if i.get("path") else ""
        parts.append(f"{where}{i.get('type')} {naming.name(inv, i.get('target')) or ''}".strip())
    return "; ".join(sorted(set(parts))) or "none"


def _route_text(inv: Inventory, routes: list[dict[str, Any]] | None,
                integrations: list[dict[str, Any]] | None) -> str:
    """HTTP API routes with their authorization and the integration each one reaches."""
    if not routes:
        return _integration_text(inv, integrations)
    by_id = {i.get("id"): i for i in integrations or []}
    parts = []
    for r in routes:
        target = str(r.get("target") or "")
        integ = by_id.get(target.split("/", 1)[-1]) if target.startswith("integrations/") else None
        to = f"{integ.get('type')} {naming.name(inv, integ.get('target')) or ''}".strip() if integ else "no integration"
        parts.append(f"{r.get('key')} (auth {r.get('auth')}) → {to}")
    return "; ".join(sorted(parts))


def api_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for a in inv.nodes("apigateway:rest-api"):
        p = a["props"]
        stages = p.get("stages")
        rows.append([a["region"], a["name"], "REST (" + (", ".join(p.get("endpoint_types") or []) or "?") + ")",
                     "not read" if stages is None else ", ".join(str(s.get("name")) for s in stages) or "none",
                     _integration_text(inv, p.get("integrations"))])
    for a in inv.nodes("apigateway:http-api"):
        p = a["props"]
        stages = p.get("stages")
        rows.append([a["region"], a["name"], p.get("protocol") or "HTTP",
                     "not read" if stages is None else ", ".join(str(s.get("name")) for s in stages) or "none",
                     _route_text(inv, p.get("routes"), p.get("integrations"))])
    return rows


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

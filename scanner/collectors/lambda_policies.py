"""Lambda resource policies: who may invoke a function, and which resources trigger it.

A function's policy (``lambda:GetPolicy``) is where AWS records that an API, a bucket,
a rule or a topic may call it: API Gateway, S3 notifications, EventBridge targets and
SNS subscriptions each add a statement allowing ``lambda:InvokeFunction`` to a service
principal, conditioned on ``AWS:SourceArn``. That statement is often the only trace the
scanner can read of the trigger (the API's integrations may be denied, the bucket in
another region), so each such source ARN becomes a ``triggers`` edge here.

Pure functions only; the read is in ``serverless.collect_functions``. API Gateway source
ARNs (``arn:aws:execute-api:region:account:apiId/stage/METHOD/path``) do not say whether
the API is a REST or an HTTP API, so ``scanner/derive/serverless.py`` maps them to the
API node once every collector's nodes are in the graph.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from scanner.collectors.containers import policy_statements, statement_principals
from scanner.inventory import Records

_LAMBDA_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+")


def function_arn(ref: str | None) -> str | None:
    """The unqualified function ARN inside any reference (alias/version ARN, API integration URI)."""
    m = _LAMBDA_ARN.search(ref or "")
    return m.group(0) if m else None


#: condition keys that restrict which caller (or which caller's resource) the statement admits
SCOPING_KEYS = frozenset({
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalorgid", "aws:principalaccount",
    "aws:principalarn", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourcevpce",
    "aws:sourcevpc",
})


def _values(v: Any) -> list[str]:
    """A condition value or Action as a list of strings (AWS accepts a string or a list)."""
    if isinstance(v, str):
        return [v]
    if isinstance(v, list | tuple):
        return [str(x) for x in v if isinstance(x, str | int)]
    return []


def _condition_values(cond: Any, key: str) -> list[str]:
    """Every value of a condition key (case-insensitive, under any operator)."""
    out: list[str] = []
    if not isinstance(cond, dict):
        return out
    for test in cond.values():
        if isinstance(test, dict):
            for k, v in test.items():
                if str(k).lower() == key:
                    out.extend(_values(v))
    return out


def _condition_keys(cond: Any) -> set[str]:
    if not isinstance(cond, dict):
        return set()
    return {str(k).lower() for test in cond.values() if isinstance(test, dict) for k in test}


def allows_invoke(stmt: dict[str, Any]) -> bool:
    """The statement grants ``lambda:InvokeFunction`` (directly or by a wildcard such as ``lambda:*``)."""
    return any(fnmatch.fnmatchcase("lambda:invokefunction", a.lower()) for a in _values(stmt.get("Action")))


def invoke_principals(policy: Any) -> list[dict[str, Any]]:
    """Who a function's resource policy lets in, one entry per Allow statement and principal.

    ``source`` is the statement's first SourceArn (else SourceAccount), kept for readers of
    older snapshots; ``source_arns`` all of its SourceArn values; ``scoped`` whether a condition
    restricts the caller (SourceArn, SourceAccount, PrincipalOrgID, ...); ``invoke`` whether the
    statement grants lambda:InvokeFunction; ``public`` whether it lets anyone in without any
    condition at all.
    """
    out = []
    for s in policy_statements(policy):
        if s.get("Effect") != "Allow":
            continue
        cond = s.get("Condition") or {}
        arns = _condition_values(cond, "aws:sourcearn")
        accounts = _condition_values(cond, "aws:sourceaccount")
        scoped = bool(_condition_keys(cond) & SCOPING_KEYS)
        for p in statement_principals(s):
            out.append({"principal": p, "source": (arns or accounts or [None])[0],
                        "source_arns": arns, "source_account": accounts[0] if accounts else None,
                        "conditions": bool(cond), "scoped": scoped, "invoke": allows_invoke(s),
                        "public": p == "*" and not cond})
    return out


def anyone_may_invoke(principals: list[dict[str, Any]] | None) -> bool | None:
    """Any principal at all may call lambda:InvokeFunction (Principal "*" and no condition that
    names the caller's source or account); None when the policy was not read."""
    if principals is None:
        return None
    return any(p.get("principal") == "*" and p.get("invoke") and not p.get("scoped") for p in principals)


def _api_id(arn: str) -> str | None:
    """The API id inside an execute-api ARN (``arn:aws:execute-api:r:a:<apiId>/<stage>/...``)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "execute-api":
        return None
    api = parts[5].split("/", 1)[0]
    return api if api and not any(c in api for c in "*?") else None


def execute_api_sources(principals: list[dict[str, Any]] | None) -> list[tuple[str, str, str]]:
    """(region, account, api id) of every API Gateway API the policy lets invoke the function."""
    found = set()
    for p in principals or []:
        if not p.get("invoke"):
            continue
        for arn in p.get("source_arns") or []:
            api = _api_id(arn)
            parts = arn.split(":", 5)
            if api and parts[3] and parts[4] and not any(c in parts[3] + parts[4] for c in "*?"):
                found.add((parts[3], parts[4], api))
    return sorted(found)


def trigger_source(arn: str) -> str | None:
    """The graph id of the resource a SourceArn names, when it names exactly one (no wildcard).

    S3 buckets, EventBridge rules and SNS topics are their own ARNs in the graph; execute-api
    ARNs are left to the derive pass (see the module docstring)."""
    if not arn.startswith("arn:") or any(c in arn for c in "*?"):
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] == "execute-api":
        return None
    return arn


def policy_trigger_edges(out: Records, function_arn: str, principals: list[dict[str, Any]] | None) -> None:
    """source -> function ``triggers`` edges for every invoke statement that names one source."""
    for p in principals or []:
        if not p.get("invoke"):
            continue
        for arn in p.get("source_arns") or []:
            src = trigger_source(arn)
            if src and src != function_arn:
                out.edge(src, function_arn, "triggers", via="resource-policy", principal=p.get("principal"))

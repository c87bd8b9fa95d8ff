"""Who may talk to a resource without proving who they are: API routes without an authorizer,
Redis caches without AUTH, and the in-transit encryption both depend on.

Each fact is ``unknown`` where the setting it rests on was not read (routes or integrations of
an API, a cache's RBAC user groups), so a rule reading it is "not assessed", never a pass.
"""

from __future__ import annotations

from typing import Any

from scanner.fact import Fact, no, unknown, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext

#: route authorization types that make API Gateway check the caller before the integration runs
AUTHORIZED = ("AWS_IAM", "JWT", "CUSTOM")
#: engines that speak the Redis protocol (AUTH / RBAC apply); Memcached has neither
REDIS_ENGINES = ("redis", "valkey")
#: the per-API reads an HTTP API's routes and their Lambda targets come from (IAM action names as the
#: scan records them: the apigatewayv2 operations are IAM ``apigateway:`` actions)
HTTP_API_ROUTE_READS = ("apigateway:GetRoutes", "apigateway:GetIntegrations")


def _dicts(value: Any) -> list[dict[str, Any]] | None:
    return None if value is None else [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def lambda_routes(node: dict[str, Any]) -> list[tuple[dict[str, Any], str]] | None:
    """(route, function ARN) for each route of an HTTP API whose integration invokes a Lambda
    function; None when the routes or the integrations were not read."""
    p = node.get("props") or {}
    routes, integrations = _dicts(p.get("routes")), _dicts(p.get("integrations"))
    if routes is None or integrations is None:
        return None
    targets = {str(i.get("id")): str(i.get("target") or "") for i in integrations}
    out = []
    for r in routes:
        ref = str(r.get("target") or "")
        fn = targets.get(ref.removeprefix("integrations/"), "") if ref.startswith("integrations/") else ""
        if ":lambda:" in fn:
            out.append((r, fn))
    return out


def unauthorized(route: dict[str, Any]) -> bool:
    return str(route.get("auth") or "NONE").upper() not in AUTHORIZED


@judge("apigateway:http-api", "lambda_routes_authorized", *HTTP_API_ROUTE_READS)
def http_api_routes_authorized(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """Every route that invokes a Lambda function names an authorizer (IAM, JWT or Lambda)."""
    pairs = lambda_routes(node)
    if pairs is None:
        return ctx.unknown(node, *HTTP_API_ROUTE_READS)
    if not pairs:
        return None  # no route invokes a function: the question does not apply
    open_ = [r for r, _ in pairs if unauthorized(r)]
    if open_:
        keys = ", ".join(str(r.get("key")) for r in open_[:5])
        return no(f"authorization NONE on {keys}")
    return yes(f"{len(pairs)} function route{'s' if len(pairs) != 1 else ''} with an authorizer")


def _redis(node: dict[str, Any]) -> bool:
    return str((node.get("props") or {}).get("engine") or "redis").lower() in REDIS_ENGINES


@judge(("elasticache:replication-group", "elasticache:cluster"), "transit_encrypted",
       "elasticache:DescribeReplicationGroups")
def cache_transit(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """Clients must connect with TLS (TransitEncryptionEnabled)."""
    p = node.get("props") or {}
    if node["kind"] == "elasticache:cluster" and p.get("replication_group"):
        return None  # a group member: judged on its replication group
    v = p.get("transit_encryption")
    if v is None:
        return ctx.unknown(node, "elasticache:DescribeCacheClusters")
    return yes("TLS required") if v else no("TransitEncryptionEnabled=false")


@judge(("elasticache:replication-group", "elasticache:cluster"), "auth_required",
       "elasticache:DescribeReplicationGroups")
def cache_auth(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """A Redis/Valkey client must authenticate (an AUTH token, or RBAC user groups).

    Either is enough; neither (read as such) is "no". Both need in-transit encryption, so a cache
    without TLS is known to accept anyone who can reach its port. With TLS and no AUTH token,
    RBAC may still be on: that is known only where the group's ``user_group_ids`` were read."""
    p = node.get("props") or {}
    if not _redis(node) or (node["kind"] == "elasticache:cluster" and p.get("replication_group")):
        return None
    if p.get("transit_encryption") is False:
        return no("TransitEncryptionEnabled=false, so neither an AUTH token nor RBAC can be on")
    groups = p.get("user_group_ids")
    if p.get("auth_token_enabled"):
        return yes("AUTH token")
    if isinstance(groups, list) and groups:
        return yes(f"RBAC user group{'s' if len(groups) > 1 else ''} {', '.join(map(str, groups[:3]))}")
    if isinstance(groups, list) and p.get("auth_token_enabled") is False:
        return no("AuthTokenEnabled=false and no RBAC user group (UserGroupIds empty)")
    if p.get("transit_encryption") is None:
        return ctx.unknown(node, "elasticache:DescribeReplicationGroups" if node["kind"].endswith("group")
                           else "elasticache:DescribeCacheClusters")
    if p.get("auth_token_enabled") is None:
        return unknown("TLS on; whether the cluster requires an AUTH token or RBAC was not recorded by this scan")
    return unknown("AuthTokenEnabled=false; " + _user_groups_unread(ctx, node))


def _user_groups_unread(ctx: JudgeContext, node: dict[str, Any]) -> str:
    """Why a group's RBAC user groups are not known: its read failed (the gap's reason), the answer
    left ``UserGroupIds`` out, or the scan that made the snapshot did not record them at all."""
    action = "elasticache:DescribeReplicationGroups"
    why = ctx.why(node, (action,))
    if why != f"{action} not read":
        return f"whether RBAC user groups are attached is unknown ({why})"
    if "user_group_ids" in (node.get("props") or {}):
        return f"UserGroupIds not stated in the {action} answer, so whether RBAC user groups are attached is unknown"
    return "whether RBAC user groups (UserGroupIds) are attached was not recorded by this scan"

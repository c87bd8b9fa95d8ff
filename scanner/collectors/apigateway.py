"""API Gateway APIs: REST APIs (``apigateway``), HTTP and WebSocket APIs (``apigatewayv2``),
with their stages, integrations, routes and authorizers.

Get / transform split as everywhere: ``collect_*`` read (paginated, read-only),
``transform_*`` are pure and testable from API-shaped dicts.

What a reader of the document (and the findings) needs beyond the raw routes is said once
here: ``unauthenticated_routes`` on each API node lists the routes (REST: method and path;
HTTP: route key) whose authorization is NONE, each with the integration it reaches, so
"a route without authorization invokes a Lambda function" is a lookup, not a re-derivation;
``unused_authorizers`` on an HTTP/WebSocket API lists the authorizers no route names.
Integration URLs are cut to scheme and host (they may carry credentials or tokens).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scanner.collectors._shape import ident
from scanner.collectors.containers import list_or_gap, policy_is_public
from scanner.collectors.lambda_policies import function_arn
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records


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


def safe_uri(uri: str | None) -> str | None:
    """An integration/endpoint URL without credentials, path parameters or query string."""
    if not uri:
        return None
    if uri.startswith("arn:"):
        return uri
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:  # a malformed port or bracketed host: nothing safe to keep
        return None
    if parts.scheme and parts.hostname:
        return f"{parts.scheme}://{parts.hostname}{':' + str(port) if port else ''}"
    return None


def rest_api_arn(ctx: ScanContext, api_id: str) -> str:
    return f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{api_id}"


def http_api_arn(ctx: ScanContext, api_id: str) -> str:
    return f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{api_id}"


def is_lambda(target: str | None) -> bool:
    return bool(target) and ":lambda:" in str(target) and ":function:" in str(target)


# --- REST APIs ----------------------------------------------------------------------------------

def _rest_methods(resources: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str, dict[str, Any]]]:
    for r in resources:
        for verb, m in ((r or {}).get("resourceMethods") or {}).items():
            yield r, str(verb), m or {}


def _rest_integrations(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r, verb, m in _rest_methods(resources):
        integ = m.get("methodIntegration") or {}
        if not integ:
            continue
        uri = integ.get("uri") or ""
        out.append({"path": r.get("path"), "method": verb, "type": integ.get("type"),
                    "target": function_arn(uri) or safe_uri(uri),
                    "connection": integ.get("connectionType"),
                    "auth": m.get("authorizationType"), "authorizer": m.get("authorizerId"),
                    "api_key": bool(m.get("apiKeyRequired"))})
    return out


def _rest_open_routes(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Methods whose authorizationType is NONE (a missing type is NONE, as AWS defaults it)."""
    out = []
    for r, verb, m in _rest_methods(resources):
        if str(m.get("authorizationType") or "NONE").upper() != "NONE":
            continue
        integ = m.get("methodIntegration") or {}
        uri = integ.get("uri") or ""
        out.append({"route": f"{verb} {r.get('path')}", "type": integ.get("type"),
                    "target": (function_arn(uri) or safe_uri(uri)) if integ else None,
                    "api_key": bool(m.get("apiKeyRequired"))})
    return sorted(out, key=lambda x: x["route"])


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
    return policy_is_public(str(policy).replace('\\"', '"'))


def _authorizer_node(out: Records, api_node: str, api_id: str, api_type: str | None, a: dict[str, Any],
                     rest: bool) -> None:
    """One authorizer (REST get_authorizers item, or apigatewayv2 GetAuthorizers item)."""
    aid = ident(out, a, "id" if rest else "AuthorizerId", "apigateway" if rest else "apigatewayv2",
                "apigateway:GetAuthorizers", "an authorizer")
    if not aid:
        return
    arn = f"{api_node}/authorizers/{aid}"
    if rest:
        uri, providers = a.get("authorizerUri"), [str(p) for p in a.get("providerARNs") or []]
        source, jwt = a.get("identitySource"), {}
        kind, ttl, role = a.get("type"), a.get("authorizerResultTtlInSeconds"), a.get("authorizerCredentials")
    else:
        uri, providers, jwt = a.get("AuthorizerUri"), [], a.get("JwtConfiguration") or {}
        src = a.get("IdentitySource")
        source = ", ".join(str(x) for x in src) if isinstance(src, list) else src
        kind, ttl, role = a.get("AuthorizerType"), a.get("AuthorizerResultTtlInSeconds"), a.get("AuthorizerCredentialsArn")
    fn = function_arn(uri)
    out.node(arn, "apigateway:authorizer", a.get("name") if rest else a.get("Name"), api_id=api_id,
             api_type=api_type, type=kind, function_arn=fn, provider_arns=providers,
             identity_source=source if isinstance(source, str) else None,
             ttl_seconds=ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None,
             issuer=jwt.get("Issuer"), audience=[str(x) for x in jwt.get("Audience") or []])
    out.edge(api_node, arn, "contains")
    out.edge(arn, fn, "integrates_with", role="authorizer")
    for p in providers:
        out.edge(arn, p, "integrates_with", role="authorizer")
    out.edge(arn, role, "uses_role")


def transform_rest_apis(ctx: ScanContext, apis: list[dict[str, Any]]) -> Records:
    """Each api dict is get_rest_apis' item plus ``_stages``, ``_resources`` and ``_authorizers``
    (None = not read)."""
    out = ctx.records()
    for a in apis:
        api_id = ident(out, a, "id", "apigateway", "apigateway:GetRestApis", "a REST API")
        if not api_id:
            continue
        arn = rest_api_arn(ctx, api_id)
        resources = a.get("_resources")
        integrations = _rest_integrations(resources or [])
        policy = a.get("policy")
        out.node(arn, "apigateway:rest-api", a.get("name"), tags=tags_of(a.get("tags")), api_id=api_id,
                 name=a.get("name"), endpoint_types=list((a.get("endpointConfiguration") or {}).get("types") or []),
                 stages=None if a.get("_stages") is None else [_rest_stage(s or {}) for s in a["_stages"]],
                 integrations=None if resources is None else integrations,
                 unauthenticated_routes=None if resources is None else _rest_open_routes(resources),
                 policy_present=bool(policy), policy_public=_rest_policy_public(policy),
                 api_key_source=a.get("apiKeySource"),
                 execute_api_disabled=bool(a.get("disableExecuteApiEndpoint")), created=iso(a.get("createdDate")))
        out.edge(ctx.region_node, arn, "contains")
        for i in integrations:
            if is_lambda(i["target"]):
                out.edge(arn, i["target"], "integrates_with", path=i["path"], method=i["method"])
        for s in a.get("_stages") or []:
            out.edge(arn, (s or {}).get("webAclArn"), "associated_with")
        for au in a.get("_authorizers") or []:
            _authorizer_node(out, arn, api_id, "REST", au or {}, rest=True)
    return out


@collector("apigateway.rest_apis", "apigateway",
           reads="apigateway:GET (GetRestApis, GetStages, GetResources, GetAuthorizers)")
def collect_rest_apis(ctx: ScanContext) -> Records:
    out = ctx.records()
    apis = list(ctx.paginate("apigateway", "get_rest_apis", "items"))
    for a in (x for x in apis if x.get("id")):
        res = rest_api_arn(ctx, a["id"])  # gaps name the node, so its facts and cells can say why
        stages = ctx.optional(out, "apigateway", "get_stages", resource=res, restApiId=a["id"])
        a["_stages"] = None if stages is None else stages.get("item") or []
        a["_resources"] = list_or_gap(ctx, out, "apigateway", "get_resources", "items", res,
                                      restApiId=a["id"], embed=["methods"])
        a["_authorizers"] = list_or_gap(ctx, out, "apigateway", "get_authorizers", "items", res,
                                        restApiId=a["id"])
    return out.extend(transform_rest_apis(ctx, apis))


# --- HTTP and WebSocket APIs ----------------------------------------------------------------------

def _http_integration(i: dict[str, Any]) -> dict[str, Any]:
    uri = i.get("IntegrationUri") or ""
    return {"id": i.get("IntegrationId"), "type": i.get("IntegrationType"),
            "target": function_arn(uri) or safe_uri(uri), "connection": i.get("ConnectionType"),
            "subtype": i.get("IntegrationSubtype")}


def _http_open_routes(protocol: str | None, routes: list[dict[str, Any]],
                      integrations: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Routes with AuthorizationType NONE and the integration each reaches (None when the
    integrations were not read). A WebSocket API authorizes on ``$connect`` only, so its other
    routes carry NONE by design and are not listed."""
    by_id = {i.get("id"): i for i in integrations or []}
    out = []
    for r in routes:
        key = str(r.get("RouteKey") or "")
        if str(r.get("AuthorizationType") or "NONE").upper() != "NONE":
            continue
        if str(protocol or "").upper() == "WEBSOCKET" and key != "$connect":
            continue
        target = str(r.get("Target") or "")
        integ = by_id.get(target.split("/", 1)[-1]) if target.startswith("integrations/") else None
        out.append({"route": key, "type": (integ or {}).get("type"), "target": (integ or {}).get("target"),
                    "api_key": bool(r.get("ApiKeyRequired"))})
    return sorted(out, key=lambda x: x["route"])


def unused_authorizers(routes: list[dict[str, Any]] | None,
                       authorizers: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The authorizers of an HTTP/WebSocket API that no route names (``AuthorizerId``): configured,
    so they look like protection, but nothing calls them. None when the routes or the authorizers
    were not read (then which ones are in use is not known)."""
    if routes is None or authorizers is None:
        return None
    used = {str(r.get("AuthorizerId")) for r in (x or {} for x in routes) if r.get("AuthorizerId")}
    found = [{"id": str(au["AuthorizerId"]), "name": au.get("Name"), "type": au.get("AuthorizerType")}
             for au in (x or {} for x in authorizers)
             if au.get("AuthorizerId") and str(au["AuthorizerId"]) not in used]
    return sorted(found, key=lambda x: (str(x["name"] or ""), x["id"]))


def transform_http_apis(ctx: ScanContext, apis: list[dict[str, Any]]) -> Records:
    """Each api dict is get_apis' item plus ``_stages``, ``_integrations``, ``_routes`` and
    ``_authorizers`` (None = not read)."""
    out = ctx.records()
    for a in apis:
        api_id = ident(out, a, "ApiId", "apigatewayv2", "apigateway:GetApis", "an HTTP or WebSocket API")
        if not api_id:
            continue
        arn = http_api_arn(ctx, api_id)
        integrations = [_http_integration(i or {}) for i in a.get("_integrations") or []]
        stages, routes = a.get("_stages"), a.get("_routes")
        protocol = a.get("ProtocolType")
        out.node(arn, "apigateway:http-api", a.get("Name"), tags=tags_of(a.get("Tags")), api_id=api_id,
                 name=a.get("Name"), protocol=protocol, endpoint=a.get("ApiEndpoint"),
                 execute_api_disabled=bool(a.get("DisableExecuteApiEndpoint")),
                 stages=None if stages is None else [
                     {"name": s.get("StageName"), "auto_deploy": bool(s.get("AutoDeploy")),
                      "access_logs": (s.get("AccessLogSettings") or {}).get("DestinationArn"),
                      "throttle_rate": (s.get("DefaultRouteSettings") or {}).get("ThrottlingRateLimit")}
                     for s in (x or {} for x in stages)],
                 integrations=None if a.get("_integrations") is None else integrations,
                 routes=None if routes is None else [
                     {"key": r.get("RouteKey"), "auth": r.get("AuthorizationType") or "NONE",
                      "authorizer": r.get("AuthorizerId"),
                      "api_key": bool(r.get("ApiKeyRequired")), "target": r.get("Target")}
                     for r in (x or {} for x in routes)],
                 unauthenticated_routes=None if routes is None else _http_open_routes(
                     protocol, [r or {} for r in routes],
                     None if a.get("_integrations") is None else integrations),
                 unused_authorizers=unused_authorizers(routes, a.get("_authorizers")),
                 cors=bool(a.get("CorsConfiguration")), created=iso(a.get("CreatedDate")))
        out.edge(ctx.region_node, arn, "contains")
        for i in integrations:
            t = i["target"] or ""
            if t.startswith("arn:") and (":lambda:" in t or ":elasticloadbalancing:" in t
                                         or ":servicediscovery:" in t):
                out.edge(arn, t, "integrates_with", integration=i["id"], type=i["type"])
        for au in a.get("_authorizers") or []:
            _authorizer_node(out, arn, api_id, protocol, au or {}, rest=False)
    return out


def _v2_list(ctx: ScanContext, out: Records, op: str, api_id: str) -> list[dict[str, Any]] | None:
    """All pages of a per-API list; None (and a gap naming the API's node) when it could not be read."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        kw = {"ApiId": api_id, **({"NextToken": token} if token else {})}
        resp = ctx.optional(out, "apigatewayv2", op, resource=http_api_arn(ctx, api_id), **kw)
        if resp is None:
            return None
        items.extend(resp.get("Items") or [])
        token = resp.get("NextToken")
        if not token:
            return items


@collector("apigatewayv2.apis", "apigatewayv2",
           reads="apigateway:GET (GetApis, GetStages, GetIntegrations, GetRoutes, GetAuthorizers)")
def collect_http_apis(ctx: ScanContext) -> Records:
    out = ctx.records()
    apis = list(pages_by_token(ctx, "apigatewayv2", "get_apis", "Items"))
    for a in (x for x in apis if x.get("ApiId")):
        a["_stages"] = _v2_list(ctx, out, "get_stages", a["ApiId"])
        a["_integrations"] = _v2_list(ctx, out, "get_integrations", a["ApiId"])
        a["_routes"] = _v2_list(ctx, out, "get_routes", a["ApiId"])
        # every API's authorizers, also where no route names one: an authorizer nothing uses is
        # what the document lists as unused (``unused_authorizers``), and it costs one call per API
        a["_authorizers"] = _v2_list(ctx, out, "get_authorizers", a["ApiId"])
    return out.extend(transform_http_apis(ctx, apis))

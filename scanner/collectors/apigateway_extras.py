"""API Gateway account-level resources: usage plans, API keys and custom domain names.

API keys: only their metadata. ``GetApiKeys`` is called without ``includeValues`` (so AWS
never sends a key's value) and ``GetUsagePlanKeys``, which returns the values, is not called
at all; a key's link to the APIs it opens comes from its ``stageKeys``.

Custom domain names are one set of resources that both APIs list: ``apigateway``
GetDomainNames (with each domain's base path mappings, to REST APIs) and ``apigatewayv2``
GetDomainNames (with API mappings, to any API). Both are read and merged into one node per
domain, so a domain stays in the document when one of the two reads is denied. A mapping
names an API id only; ``scanner/derive/serverless.py`` links the domain to the API node
(``aliases``) once the APIs' collectors have added theirs.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import ident, skipped
from scanner.collectors.apigateway import pages_by_token, rest_api_arn
from scanner.collectors.registry import collector
from scanner.context import ScanContext, guarded, iso, tags_of
from scanner.inventory import Records


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _whole(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


# --- usage plans and API keys ---------------------------------------------------------------------

def transform_usage_plans(ctx: ScanContext, plans: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for p in plans:
        pid = ident(out, p, "id", "apigateway", "apigateway:GetUsagePlans", "a usage plan")
        if not pid:
            continue
        arn = f"arn:{ctx.partition}:apigateway:{ctx.region}::/usageplans/{pid}"
        throttle, quota = p.get("throttle") or {}, p.get("quota") or {}
        stages = [{"api_id": s.get("apiId"), "stage": s.get("stage")} for s in (x or {} for x in p.get("apiStages") or [])]
        out.node(arn, "apigateway:usage-plan", p.get("name"), tags=tags_of(p.get("tags")), name=p.get("name"),
                 stages=stages, throttle_rate=_num(throttle.get("rateLimit")),
                 throttle_burst=_whole(throttle.get("burstLimit")), quota_limit=_whole(quota.get("limit")),
                 quota_period=quota.get("period"))
        out.edge(ctx.region_node, arn, "contains")
        for s in stages:
            if s["api_id"]:
                out.edge(arn, rest_api_arn(ctx, str(s["api_id"])), "associated_with", stage=s["stage"])
    return out


def _stage_key(s: Any) -> str | None:
    """AWS sends "restApiId/stageName"; some emulators send the {restApiId, stageName} it was given."""
    if isinstance(s, dict):
        return f"{s.get('restApiId')}/{s.get('stageName')}" if s.get("restApiId") else None
    return str(s) if s else None


def transform_api_keys(ctx: ScanContext, keys: list[dict[str, Any]]) -> Records:
    """get_api_keys items (read without includeValues): name, state and the stages each key opens."""
    out = ctx.records()
    for k in keys:
        kid = ident(out, k, "id", "apigateway", "apigateway:GetApiKeys", "an API key")
        if not kid:
            continue
        arn = f"arn:{ctx.partition}:apigateway:{ctx.region}::/apikeys/{kid}"
        stage_keys = sorted({sk for sk in (_stage_key(s) for s in k.get("stageKeys") or []) if sk})
        enabled = k.get("enabled")
        out.node(arn, "apigateway:api-key", k.get("name"), tags=tags_of(k.get("tags")), name=k.get("name"),
                 enabled=enabled if isinstance(enabled, bool) else None, stage_keys=stage_keys,
                 created=iso(k.get("createdDate")), last_updated=iso(k.get("lastUpdatedDate")))
        out.edge(ctx.region_node, arn, "contains")
        for sk in stage_keys:
            api, _, stage = sk.partition("/")
            out.edge(arn, rest_api_arn(ctx, api), "associated_with", stage=stage or None)
    return out


@collector("apigateway.usage_plans", "apigateway", reads="apigateway:GET (GetUsagePlans, GetApiKeys)")
def collect_usage_plans(ctx: ScanContext) -> Records:
    out = ctx.records()
    plans = list(ctx.paginate("apigateway", "get_usage_plans", "items"))
    out.extend(transform_usage_plans(ctx, plans))
    keys = ctx.optional_pages(out, "apigateway", "get_api_keys", "items")  # never includeValues=True
    return out.extend(transform_api_keys(ctx, keys or []))


# --- custom domain names ------------------------------------------------------------------------

def domain_arn(ctx: ScanContext, name: str, domain_id: str | None = None) -> str:
    """The id API Gateway gives a custom domain (a private one carries its domain name id)."""
    return f"arn:{ctx.partition}:apigateway:{ctx.region}::/domainnames/{name}" + (f"+{domain_id}" if domain_id else "")


def _path(p: Any) -> str:
    """A mapping's base path: v1 writes "(none)" for the root, v2 an empty key."""
    s = str(p or "")
    return "" if s in ("(none)", "/") else s.strip("/")


def _v1_domain(d: dict[str, Any]) -> dict[str, Any]:
    certs = [c for c in (d.get("certificateArn"), d.get("regionalCertificateArn")) if c]
    mtls = d.get("mutualTlsAuthentication") or {}
    return {"name": d.get("domainName"), "domain_id": d.get("domainNameId"),
            "endpoint_types": list((d.get("endpointConfiguration") or {}).get("types") or []),
            "certificate_arns": certs, "security_policy": d.get("securityPolicy"),
            "status": d.get("domainNameStatus"),
            "target_domain": d.get("regionalDomainName") or d.get("distributionDomainName"),
            "mutual_tls": bool(mtls.get("truststoreUri")), "tags": d.get("tags"),
            "mappings": [{"api_id": m.get("restApiId"), "stage": m.get("stage"), "path": _path(m.get("basePath"))}
                         for m in (x or {} for x in d.get("_mappings") or [])],
            "mappings_read": d.get("_mappings") is not None}


def _v2_domain(d: dict[str, Any]) -> dict[str, Any]:
    configs = [c or {} for c in d.get("DomainNameConfigurations") or []]
    mtls = d.get("MutualTlsAuthentication") or {}
    return {"name": d.get("DomainName"), "domain_id": d.get("DomainNameId"),
            "endpoint_types": [str(c["EndpointType"]) for c in configs if c.get("EndpointType")],
            "certificate_arns": [str(c["CertificateArn"]) for c in configs if c.get("CertificateArn")],
            "security_policy": next((c["SecurityPolicy"] for c in configs if c.get("SecurityPolicy")), None),
            "status": next((c["DomainNameStatus"] for c in configs if c.get("DomainNameStatus")), None),
            "target_domain": next((c["ApiGatewayDomainName"] for c in configs if c.get("ApiGatewayDomainName")), None),
            "mutual_tls": bool(mtls.get("TruststoreUri")), "tags": d.get("Tags"),
            "mappings": [{"api_id": m.get("ApiId"), "stage": m.get("Stage"), "path": _path(m.get("ApiMappingKey"))}
                         for m in (x or {} for x in d.get("_mappings") or [])],
            "mappings_read": d.get("_mappings") is not None}


def _merge(out: Records, found: dict[str, dict[str, Any]], d: dict[str, Any], action: str) -> None:
    """One domain as both APIs see it: lists joined, the first known scalar kept."""
    if not d.get("name"):
        skipped(out, "apigateway", action, "a custom domain", "domain name")
        return
    key = f"{d['name']}+{d.get('domain_id') or ''}"
    cur = found.setdefault(key, {"mappings": [], "certificate_arns": [], "endpoint_types": []})
    for k in ("mappings", "certificate_arns", "endpoint_types"):
        cur[k] += [x for x in d[k] if x not in cur[k]]
    for k, v in d.items():
        if k not in ("mappings", "certificate_arns", "endpoint_types") and cur.get(k) in (None, False, ""):
            cur[k] = v


def transform_domain_names(ctx: ScanContext, v1: list[dict[str, Any]] | None,
                           v2: list[dict[str, Any]] | None) -> Records:
    """Domains from apigateway GetDomainNames (items plus ``_mappings``: base path mappings) and
    apigatewayv2 GetDomainNames (items plus ``_mappings``: API mappings); None = not read."""
    out = ctx.records()
    found: dict[str, dict[str, Any]] = {}
    for d in v1 or []:
        _merge(out, found, _v1_domain(d or {}), "apigateway:GetDomainNames")
    for d in v2 or []:
        _merge(out, found, _v2_domain(d or {}), "apigateway:GetDomainNames")
    for d in sorted(found.values(), key=lambda x: (x["name"], x.get("domain_id") or "")):
        arn = domain_arn(ctx, d["name"], d.get("domain_id"))
        mappings = sorted(d["mappings"], key=lambda m: (m["path"], str(m["api_id"]), str(m["stage"])))
        out.node(arn, "apigateway:domain-name", d["name"], tags=tags_of(d.get("tags")), name=d["name"],
                 endpoint_types=d["endpoint_types"], certificate_arns=d["certificate_arns"],
                 security_policy=d.get("security_policy"), status=d.get("status"),
                 target_domain=d.get("target_domain"), mutual_tls=bool(d.get("mutual_tls")),
                 mappings=mappings if d.get("mappings_read") else None)
        out.edge(ctx.region_node, arn, "contains")
        for cert in d["certificate_arns"]:
            out.edge(arn, cert, "uses_certificate")
    return out


def _api_mappings(ctx: ScanContext, out: Records, domain: str) -> list[dict[str, Any]] | None:
    """A domain's apigatewayv2 API mappings (no paginator in botocore, but AWS pages them)."""
    return guarded(out, "apigatewayv2", "GetApiMappings",
                   lambda: list(pages_by_token(ctx, "apigatewayv2", "get_api_mappings", "Items", DomainName=domain)),
                   resource=domain, missing=("NotFoundException",), region=ctx.region, missing_value=[])


@collector("apigateway.domain_names", "apigateway",
           reads="apigateway:GET (GetDomainNames, GetBasePathMappings, GetApiMappings)")
def collect_domain_names(ctx: ScanContext) -> Records:
    out = ctx.records()
    v1 = ctx.optional_pages(out, "apigateway", "get_domain_names", "items")
    for d in v1 or []:
        d["_mappings"] = ctx.optional_pages(out, "apigateway", "get_base_path_mappings", "items",
                                            resource=str(d.get("domainName")), missing=("NotFoundException",),
                                            domainName=d.get("domainName"))
    v2 = ctx.optional_pages(out, "apigatewayv2", "get_domain_names", "Items")
    for d in v2 or []:
        d["_mappings"] = _api_mappings(ctx, out, str(d.get("DomainName")))
    return out.extend(transform_domain_names(ctx, v1, v2))

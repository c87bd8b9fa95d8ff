"""Section 3.3 facts for API Gateway: APIs, authorizers, custom domains, usage plans and API keys.

Pure functions of the Inventory. An API's mapping to a domain and an authorizer's function are
graph edges (``aliases``, ``integrates_with``); a list that was not read says "unknown (why)",
never "none".
"""

from __future__ import annotations

from typing import Any

from renderers.facts.storage import read_cell, unread_or
from scanner import naming
from scanner.inventory import Inventory

API_KINDS = ("apigateway:rest-api", "apigateway:http-api")


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


def _api_of(inv: Inventory, nid: str) -> dict[str, Any] | None:
    for parent in inv.into(nid, "contains"):
        if parent.get("kind") in API_KINDS:
            return parent
    return None


def _users(api: dict[str, Any] | None, authorizer_id: str) -> str:
    """The routes/methods that name an authorizer (``unknown`` when they were not read)."""
    if api is None:
        return "unknown"
    p = api["props"]
    if api["kind"] == "apigateway:rest-api":
        items = p.get("integrations")
        names = None if items is None else [f"{i.get('method')} {i.get('path')}" for i in items
                                            if i.get("authorizer") == authorizer_id]
    else:
        items = p.get("routes")
        names = None if items is None else [str(r.get("key")) for r in items if r.get("authorizer") == authorizer_id]
    if names is None:
        return "unknown (routes not read)"
    return ", ".join(sorted(names)) or "none"


def authorizer_rows(inv: Inventory) -> list[list[Any]]:
    """Authorizers with what decides (a function, user pools, a JWT issuer) and who uses them."""
    rows = []
    for a in inv.nodes("apigateway:authorizer"):
        p = a["props"]
        api = _api_of(inv, a["id"])
        backed = [f"Lambda {naming.name(inv, p['function_arn'])}"] if p.get("function_arn") else []
        backed += [f"user pool {naming.name(inv, x)}" for x in p.get("provider_arns") or []]
        if p.get("issuer"):
            backed.append(f"JWT issuer {p['issuer']}")
        aid = a["id"].rsplit("/", 1)[-1]
        rows.append([a["region"], naming.node_name(api) if api else p.get("api_id"), a["name"], p.get("type"),
                     "; ".join(backed) or "-", p.get("identity_source") or "-", _users(api, aid)])
    return rows


def _mapping_text(inv: Inventory, domain: dict[str, Any]) -> str:
    maps = domain["props"].get("mappings")
    if maps is None:
        return unread_or(inv, domain, "none", "apigateway:GetBasePathMappings", "apigateway:GetApiMappings")
    linked = {str(t.get("props", {}).get("api_id")): t for t in inv.out(domain["id"], "aliases")}
    parts = []
    for m in maps:
        api = linked.get(str(m.get("api_id")))
        name = naming.node_name(api) if api else f"API {m.get('api_id')} (not scanned)"
        parts.append(f"/{m.get('path') or ''} → {name}" + (f" ({m['stage']})" if m.get("stage") else ""))
    return "; ".join(parts) or "none"


def domain_rows(inv: Inventory) -> list[list[Any]]:
    """Custom domains: endpoint, TLS policy, the ACM certificate by name, and the APIs they serve."""
    rows = []
    for d in inv.nodes("apigateway:domain-name"):
        p = d["props"]
        certs = [naming.name(inv, c) for c in p.get("certificate_arns") or []]
        rows.append([d["region"], d["name"], ", ".join(p.get("endpoint_types") or []) or "-",
                     p.get("security_policy") or "unknown", ", ".join(certs) or "none",
                     _mapping_text(inv, d)])
    return rows


def usage_plan_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for u in inv.nodes("apigateway:usage-plan"):
        p = u["props"]
        apis = {str(t.get("props", {}).get("api_id")): naming.node_name(t) for t in inv.out(u["id"], "associated_with")}
        stages = [f"{apis.get(str(s.get('api_id')), s.get('api_id'))} ({s.get('stage')})" for s in p.get("stages") or []]
        throttle = (f"{p['throttle_rate']:g} req/s, burst {p.get('throttle_burst')}"
                    if p.get("throttle_rate") is not None else "none")
        quota = f"{p['quota_limit']} per {str(p.get('quota_period') or '?').lower()}" if p.get("quota_limit") else "none"
        rows.append([u["region"], u["name"], ", ".join(stages) or "none", throttle, quota])
    return rows


def api_key_rows(inv: Inventory) -> list[list[Any]]:
    """API keys by name and state (their values are never read)."""
    rows = []
    for k in inv.nodes("apigateway:api-key"):
        p = k["props"]
        apis = {str(t.get("props", {}).get("api_id")): naming.node_name(t) for t in inv.out(k["id"], "associated_with")}
        stages = [f"{apis.get(sk.partition('/')[0], sk.partition('/')[0])} ({sk.partition('/')[2]})"
                  for sk in p.get("stage_keys") or []]
        enabled = "unknown" if p.get("enabled") is None else "yes" if p["enabled"] else "no"
        rows.append([k["region"], k["name"], enabled, read_cell(inv, k, stages, "apigateway:GetApiKeys"),
                     (p.get("created") or "")[:10] or "-"])
    return rows

"""Internet entry points that are not in a VPC: CloudFront distributions, API Gateway APIs and
Lambda function URLs. Each has a public endpoint by design, so it is reachable from the internet
whatever the network says; the exposure analysis records it with the way in (``via``):

    cloudfront     internet -> distribution            tcp/443 (and tcp/80 unless HTTPS-only)
    api            internet -> REST or HTTP API         tcp/443 (not for PRIVATE REST APIs, nor an
                                                        HTTP API whose default endpoint is off and
                                                        that no custom domain maps)
    function-url   internet -> Lambda function URL      tcp/443

What sits behind them (an API's Lambda function, a distribution's origin) is not marked exposed:
the entry point is; the findings say what it lets through (e.g. SVC-015 for an unauthorised route).
"""

from __future__ import annotations

from typing import Any

from scanner.analysis.netrules import INTERNET
from scanner.inventory import Inventory

HTTPS, HTTP = "tcp/443", "tcp/80"


def _add(exposure: dict[str, dict[str, Any]], node_id: str, ports: list[str], via: str) -> None:
    path = [INTERNET, node_id]
    e = exposure.setdefault(node_id, {"paths": [], "ports": [], "via": via, "by_via": {}})
    if path not in e["paths"]:
        e["paths"].append(path)
    part = e["by_via"].setdefault(via, {"paths": [], "ports": []})
    if path not in part["paths"]:
        part["paths"].append(path)
    for p in ports:
        if p not in e["ports"]:
            e["ports"].append(p)
        if p not in part["ports"]:
            part["ports"].append(p)
    if not e["via"]:
        e["via"] = via


def _strs(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def cloudfront_ports(props: dict[str, Any]) -> list[str]:
    """CloudFront always answers on 443; on 80 too unless every behaviour is HTTPS-only."""
    policies = _strs(props.get("viewer_protocol_policies")) or _strs([props.get("viewer_protocol_policy")])
    return [HTTPS] if policies and all(p == "https-only" for p in policies) else [HTTP, HTTPS]


def _mapped_by_domain(inv: Inventory, api_id: str) -> bool:
    """A custom domain name maps the API (an edge between the two, whichever way it points)."""
    return any(inv.graph.nodes[n].get("kind") == "apigateway:domain-name"
               for n in (*inv.graph.predecessors(api_id), *inv.graph.successors(api_id)))


def expose_edge(inv: Inventory, exposure: dict[str, dict[str, Any]]) -> None:
    """Add the internet entry points outside VPCs to ``exposure`` (see the module docstring)."""
    for d in inv.nodes("cloudfront:distribution"):
        if d["props"].get("enabled") is not False:
            _add(exposure, d["id"], cloudfront_ports(d["props"]), "cloudfront")
    for api in inv.nodes("apigateway:rest-api"):
        types = _strs(api["props"].get("endpoint_types"))
        if not types or any(t != "PRIVATE" for t in types):
            _add(exposure, api["id"], [HTTPS], "api")
    for api in inv.nodes("apigateway:http-api"):
        if api["props"].get("execute_api_disabled") is not True or _mapped_by_domain(inv, api["id"]):
            _add(exposure, api["id"], [HTTPS], "api")
    for fn in inv.nodes("lambda:function"):
        if fn["props"].get("url_auth"):
            _add(exposure, fn["id"], [HTTPS], "function-url")

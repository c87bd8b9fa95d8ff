"""WAFv2 web ACLs, regional and CloudFront-scoped, with their rules and the resources each
protects (part of the security family).

Get / transform split as in security.py: read-only calls, a pure ``transform_web_acls`` that
tests feed with recorded shapes. CloudFront-scoped ACLs are read once, from us-east-1.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.collectors.security import soft
from scanner.context import (
    ScanContext,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services security`` names it with security.py)
FAMILY = "security"

# --- WAFv2 -------------------------------------------------------------------------

#: resource types a REGIONAL web ACL can protect (ListResourcesForWebACL asks per type)
WAF_RESOURCE_TYPES = ("APPLICATION_LOAD_BALANCER", "API_GATEWAY", "APPSYNC", "COGNITO_USER_POOL",
                      "APP_RUNNER_SERVICE", "VERIFIED_ACCESS_INSTANCE")


def _rule_summary(rule: dict[str, Any]) -> dict[str, Any]:
    stmt = rule.get("Statement") or {}
    managed = (stmt.get("ManagedRuleGroupStatement") or {})
    action = next(iter(rule.get("Action") or rule.get("OverrideAction") or {}), None)
    return {"name": rule.get("Name"), "priority": rule.get("Priority"), "action": action,
            "managed_group": f"{managed.get('VendorName')}/{managed.get('Name')}" if managed else None,
            "type": next(iter(stmt), None)}


def transform_web_acls(ctx: ScanContext, acls: list[dict[str, Any]]) -> Records:
    """``acls``: ``{"summary", "scope", "acl": WebACL|None, "resources": [arn]|None}``."""
    out = ctx.records()
    for a in acls:
        s, acl = a.get("summary") or {}, a.get("acl") or {}
        arn = s.get("ARN") or acl.get("ARN")
        if not arn:
            skipped(out, "wafv2", "wafv2:ListWebACLs", "a web ACL", "ARN")
            continue
        rules = [_rule_summary(r) for r in acl.get("Rules") or []]
        out.node(arn, "wafv2:web-acl", s.get("Name") or acl.get("Name"), name=s.get("Name") or acl.get("Name"),
                 scope=a.get("scope"),
                 default_action=next(iter(acl.get("DefaultAction") or {}), None),
                 rule_count=len(rules) if a.get("acl") else None, rules=rules,
                 associated_arns=a.get("resources"), description=s.get("Description"))
        out.edge(ctx.region_node, arn, "contains")
        for res in a.get("resources") or []:
            out.edge(arn, res, "associated_with")
    return out


def _list_web_acls(ctx: ScanContext, scope: str, region: str) -> list[dict[str, Any]]:
    """ListWebACLs has no botocore paginator: follow NextMarker by hand."""
    found, marker = [], None
    while True:
        kw: dict[str, Any] = {"Scope": scope, "Limit": 100, **({"NextMarker": marker} if marker else {})}
        page = ctx.call("wafv2", "list_web_acls", region=region, **kw)
        found += page.get("WebACLs") or []
        marker = page.get("NextMarker")
        if not marker or not page.get("WebACLs"):
            return found


def _acl_resources(ctx: ScanContext, out: Records, arn: str) -> list[str] | None:
    res: list[str] = []
    before = len(out.gaps)
    for rtype in WAF_RESOURCE_TYPES:
        page = soft(ctx, out, "wafv2", "ListResourcesForWebACL", lambda rtype=rtype: ctx.call(
            "wafv2", "list_resources_for_web_acl", WebACLArn=arn, ResourceType=rtype),
            resource=arn, missing=("WAFInvalidParameterException",))
        if len(out.gaps) > before:
            return None  # denied or unsupported: the list would be incomplete
        res += (page or {}).get("ResourceArns") or []
    return res


def _scopes(ctx: ScanContext) -> list[tuple[str, str]]:
    """(scope, region): CloudFront web ACLs live in us-east-1, read once from there."""
    scopes = [("REGIONAL", ctx.region)]
    if ctx.region == "us-east-1" or (ctx.region == ctx.home_region and "us-east-1" not in ctx.regions):
        scopes.append(("CLOUDFRONT", "us-east-1"))
    return scopes


@collector("wafv2.web_acls", "wafv2", reads="wafv2:ListWebACLs, wafv2:GetWebACL, wafv2:ListResourcesForWebACL")
def collect_web_acls(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    acls = []
    for scope, region in _scopes(ctx):
        for s in _list_web_acls(ctx, scope, region):
            got = soft(ctx, gaps, "wafv2", "GetWebACL", lambda s=s, scope=scope, region=region: ctx.call(
                "wafv2", "get_web_acl", region=region, Name=s["Name"], Scope=scope, Id=s["Id"]), resource=s["ARN"])
            resources = _acl_resources(ctx, gaps, s["ARN"]) if scope == "REGIONAL" else None
            acls.append({"summary": s, "scope": scope, "acl": (got or {}).get("WebACL"), "resources": resources})
    return transform_web_acls(ctx, acls).extend(gaps)



"""RDS Proxy: connection pools in front of RDS instances and Aurora clusters (section 6.1).

Each proxy's targets come from one more call (``describe_db_proxy_targets``); when that
call is denied the proxy keeps ``targets=None`` ("not read") and a gap naming the action,
so the document says "unknown", never "no targets".
"""

from __future__ import annotations

from typing import Any

from scanner.collectors.database import rds_arn
from scanner.collectors.redshift import flag, strs
from scanner.collectors.registry import collector
from scanner.collectors.storage import opt_int
from scanner.context import ScanContext, iso
from scanner.inventory import Records

MISSING = ("DBProxyTargetGroupNotFoundFault", "DBProxyNotFoundFault")


#: target types that name a database of the graph (RDS_SERVERLESS_ENDPOINT is an endpoint)
TARGET_TYPES = ("RDS_INSTANCE", "TRACKED_CLUSTER", "RDS_SERVERLESS_ENDPOINT")


def target_ids(ctx: ScanContext, targets: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(graph id, identifier) of what a proxy forwards to: a tracked Aurora cluster as the
    cluster (its member instances are reached through it), a lone instance as itself."""
    items = [t for t in targets if isinstance(t, dict)]
    clusters = {str(t.get("RdsResourceId") or t.get("TrackedClusterId")) for t in items
                if t.get("Type") == "TRACKED_CLUSTER" and (t.get("RdsResourceId") or t.get("TrackedClusterId"))}
    out: dict[str, str] = {}
    for c in clusters:
        out[rds_arn(ctx, "cluster", c) or c] = c
    for t in items:
        if t.get("Type") != "RDS_INSTANCE" or t.get("TrackedClusterId") in clusters:
            continue
        ident = t.get("RdsResourceId")
        arn = str(t.get("TargetArn") or "")
        gid = arn if arn.startswith("arn:") and ":db:" in arn else rds_arn(ctx, "db", ident)
        if gid:
            out[gid] = str(ident or gid.rsplit(":", 1)[-1])
    return sorted(out.items(), key=lambda kv: kv[1])


def transform_proxies(ctx: ScanContext, proxies: list[dict[str, Any]],
                      targets: dict[str, list[dict[str, Any]] | None]) -> Records:
    """``targets``: proxy name -> describe_db_proxy_targets items (None: not read)."""
    out = ctx.records()
    for p in proxies:
        name = p.get("DBProxyName")
        if not name:
            continue
        arn = p.get("DBProxyArn") or rds_arn(ctx, "db-proxy", name) or name
        subnets = strs(p.get("VpcSubnetIds"))
        sgs = strs(p.get("VpcSecurityGroupIds"))
        raw = targets.get(name)
        found = None if raw is None else target_ids(ctx, raw)
        for t in raw or []:
            if isinstance(t, dict) and t.get("Type") not in TARGET_TYPES:
                out.gap("rds", "rds:DescribeDBProxyTargets", f"target type {t.get('Type')!r} not understood",
                        resource=arn)
        auth = [a for a in p.get("Auth") or [] if isinstance(a, dict)]
        out.node(arn, "rds:proxy", name, engine_family=p.get("EngineFamily"),
                 require_tls=flag(p.get("RequireTLS")), vpc_id=p.get("VpcId"), subnet_ids=subnets,
                 security_group_ids=sgs, targets=None if found is None else [i for _, i in found],
                 status=p.get("Status"), endpoint=p.get("Endpoint"),
                 iam_auth=sorted({str(a["IAMAuth"]) for a in auth if a.get("IAMAuth")}),
                 idle_timeout=opt_int(p.get("IdleClientTimeout")), role_arn=p.get("RoleArn"),
                 debug_logging=flag(p.get("DebugLogging")), created=iso(p.get("CreatedDate")))
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, p.get("RoleArn"), "uses_role")
        for gid, _ in found or []:
            out.edge(arn, gid, "targets")
    return out


@collector("rds.proxies", "rds", reads="rds:DescribeDBProxies, rds:DescribeDBProxyTargets")
def collect_proxies(ctx: ScanContext) -> Records:
    out = ctx.records()
    proxies = [p for p in ctx.paginate("rds", "describe_db_proxies", "DBProxies")
               if isinstance(p, dict) and p.get("DBProxyName")]
    targets: dict[str, list[dict[str, Any]] | None] = {}
    for p in proxies:
        name = p["DBProxyName"]
        # a proxy without a target group (or deleted meanwhile) has no targets: [] , not unknown
        targets[name] = ctx.optional_pages(out, "rds", "describe_db_proxy_targets", "Targets",
                                           resource=p.get("DBProxyArn") or name, missing=MISSING,
                                           DBProxyName=name)
    return out.extend(transform_proxies(ctx, proxies, targets))

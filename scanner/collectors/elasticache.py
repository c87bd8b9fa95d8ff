"""ElastiCache: replication groups (with their RBAC user groups) and cache clusters, placed in
the subnets of their cache subnet group (part of the database family; RDS is in database.py).

Get / transform split as in database.py: paginated read-only calls, a pure
``transform_elasticache`` that tests feed with recorded shapes.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import flag, ident, is_on
from scanner.collectors.database import subnet_az
from scanner.collectors.registry import collector
from scanner.collectors.storage import guarded
from scanner.context import ScanContext
from scanner.inventory import Records

#: the collector family this module belongs to (``--services database`` names it with database.py)
FAMILY = "database"

# --- ElastiCache ---------------------------------------------------------------------------

def transform_elasticache(ctx: ScanContext, groups: list[dict[str, Any]],
                          clusters: list[dict[str, Any]],
                          subnet_groups: dict[str, dict[str, Any]]) -> Records:
    """Replication groups and cache clusters; ``subnet_groups`` maps a cache subnet group name
    to its describe_cache_subnet_groups item so clusters land in their subnets."""
    out = ctx.records()
    rg_arns: dict[str, str] = {}
    for g in groups:
        gid = ident(out, g, "ReplicationGroupId", "elasticache", "elasticache:DescribeReplicationGroups",
                    "a replication group")
        if not gid:
            continue
        arn = g.get("ARN") or ctx.arn("elasticache", f"replicationgroup:{gid}")
        rg_arns[gid] = arn
        kms = ctx.kms_key_arn(g.get("KmsKeyId"))
        out.node(arn, "elasticache:replication-group", gid, id=gid, engine=g.get("Engine") or "redis",
                 description=g.get("Description"), node_type=g.get("CacheNodeType"),
                 members=list(g.get("MemberClusters") or []),
                 multi_az=is_on(g.get("MultiAZ"), ("enabled",), ("disabled",)),
                 automatic_failover=is_on(g.get("AutomaticFailover"), ("enabled", "enabling"), ("disabled", "disabling")),
                 transit_encryption=flag(g.get("TransitEncryptionEnabled")),
                 at_rest_encryption=flag(g.get("AtRestEncryptionEnabled")),
                 num_node_groups=len(g.get("NodeGroups") or []) or None, kms_key=kms,
                 auth_token_enabled=flag(g.get("AuthTokenEnabled")),
                 snapshot_retention=g.get("SnapshotRetentionLimit"),
                 cluster_mode=g.get("ClusterEnabled"), status=g.get("Status"),
                 global_group=(g.get("GlobalReplicationGroupInfo") or {}).get("GlobalReplicationGroupId"),
                 user_group_ids=user_group_ids(g))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms, "encrypted_by")
    for c in clusters:
        _cache_cluster(ctx, out, c, rg_arns, subnet_groups)
    return out


def user_group_ids(group: dict[str, Any]) -> list[str] | None:
    """The RBAC user groups attached to a replication group (``UserGroupIds``). An answer without
    the member says nothing (None: whether RBAC stands in for an AUTH token stays unknown); an
    empty list says "no user group"."""
    ids = group.get("UserGroupIds")
    if not isinstance(ids, list):
        return None
    return [str(x) for x in ids if isinstance(x, str) and x]


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _cache_cluster(ctx: ScanContext, out: Records, c: dict[str, Any], rg_arns: dict[str, str],
                   subnet_groups: dict[str, dict[str, Any]]) -> None:
    cid = ident(out, c, "CacheClusterId", "elasticache", "elasticache:DescribeCacheClusters", "a cache cluster")
    if not cid:
        return
    arn = c.get("ARN") or ctx.arn("elasticache", f"cluster:{cid}")
    sng = subnet_groups.get(c.get("CacheSubnetGroupName") or "") or {}
    az = c.get("PreferredAvailabilityZone")
    subnets = [s for s in sng.get("Subnets") or [] if s.get("SubnetIdentifier")]
    in_az = [s for s in subnets if subnet_az(s) == az]
    placed = [s["SubnetIdentifier"] for s in (in_az or subnets)]
    sgs = [g["SecurityGroupId"] for g in c.get("SecurityGroups") or [] if g.get("SecurityGroupId")]
    rg = c.get("ReplicationGroupId")
    out.node(arn, "elasticache:cluster", cid, id=cid, engine=c.get("Engine"),
             engine_version=c.get("EngineVersion"), node_type=c.get("CacheNodeType"),
             num_nodes=c.get("NumCacheNodes"), az=az, replication_group=rg,
             subnet_group=c.get("CacheSubnetGroupName"), subnet_ids=placed,
             vpc_id=sng.get("VpcId"), security_group_ids=sgs,
             # absent from the answer is "not said", not "off"
             transit_encryption=_flag(c.get("TransitEncryptionEnabled")),
             at_rest_encryption=_flag(c.get("AtRestEncryptionEnabled")),
             snapshot_retention=c.get("SnapshotRetentionLimit"), status=c.get("CacheClusterStatus"))
    if not rg:
        out.edge(ctx.region_node, arn, "contains")
    out.edge(arn, rg_arns.get(rg or "") or (rg and ctx.arn("elasticache", f"replicationgroup:{rg}")),
             "member_of")
    for s in placed:
        out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        if rg:  # the group spans the subnets of its nodes
            out.edge(rg_arns.get(rg) or ctx.arn("elasticache", f"replicationgroup:{rg}"),
                     ctx.ec2_arn("subnet", s), "in_subnet")
    for g in sgs:
        out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        if rg:
            out.edge(rg_arns.get(rg) or ctx.arn("elasticache", f"replicationgroup:{rg}"),
                     ctx.ec2_arn("security-group", g), "protected_by")


@collector("elasticache.clusters", "elasticache",
           reads="elasticache:DescribeReplicationGroups, elasticache:DescribeCacheClusters, "
                 "elasticache:DescribeCacheSubnetGroups")
def collect_elasticache(ctx: ScanContext) -> Records:
    out = ctx.records()
    clusters = list(ctx.paginate("elasticache", "describe_cache_clusters", "CacheClusters",
                                 ShowCacheNodeInfo=True))
    groups = guarded(out, "elasticache", "elasticache:DescribeReplicationGroups", ctx.region, "",
                     lambda: list(ctx.paginate("elasticache", "describe_replication_groups",
                                               "ReplicationGroups"))) or []
    subnet_groups: dict[str, dict[str, Any]] = {}
    if clusters:
        sgs = guarded(out, "elasticache", "elasticache:DescribeCacheSubnetGroups", ctx.region, "",
                      lambda: list(ctx.paginate("elasticache", "describe_cache_subnet_groups",
                                                "CacheSubnetGroups"))) or []
        subnet_groups = {g["CacheSubnetGroupName"]: g for g in sgs if g.get("CacheSubnetGroupName")}
    return out.extend(transform_elasticache(ctx, groups, clusters, subnet_groups))

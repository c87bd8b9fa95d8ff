"""In-memory data stores beyond ElastiCache clusters: MemoryDB clusters and ElastiCache
Serverless caches (section 6.3).

Both always encrypt data at rest (an AWS owned key unless a KMS key is named); MemoryDB
makes TLS a choice at creation, Serverless caches always use it.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors.redshift import flag, strs
from scanner.collectors.registry import collector
from scanner.collectors.storage import guarded, opt_int
from scanner.context import ScanContext, iso
from scanner.inventory import Records


def _replicas(c: dict[str, Any]) -> int | None:
    """Replicas per shard: nodes of the first shard minus its primary (None when shards unread)."""
    shards = [s for s in c.get("Shards") or [] if isinstance(s, dict)]
    if not shards:
        return None
    nodes = opt_int(shards[0].get("NumberOfNodes"))
    if nodes is None:
        nodes = len(shards[0].get("Nodes") or []) or None
    return None if nodes is None else max(0, nodes - 1)


def transform_memorydb(ctx: ScanContext, clusters: list[dict[str, Any]],
                       subnet_groups: dict[str, dict[str, Any]] | None) -> Records:
    """Clusters from describe_clusters (ShowShardDetails); ``subnet_groups`` maps a subnet group
    name to its describe_subnet_groups item (None: the groups could not be read)."""
    out = ctx.records()
    for c in clusters:
        name = c.get("Name")
        if not name:
            continue
        arn = c.get("ARN") or ctx.arn("memorydb", f"cluster/{name}")
        group_name = c.get("SubnetGroupName")
        group = None if subnet_groups is None else subnet_groups.get(group_name or "")
        subnets = None if subnet_groups is None else [
            s["Identifier"] for s in (group or {}).get("Subnets") or []
            if isinstance(s, dict) and s.get("Identifier")]
        sgs = [g["SecurityGroupId"] for g in c.get("SecurityGroups") or []
               if isinstance(g, dict) and g.get("SecurityGroupId")]
        kms = ctx.kms_key_arn(c.get("KmsKeyId"))
        endpoint = c.get("ClusterEndpoint") or {}
        nodes = [n for s in c.get("Shards") or [] if isinstance(s, dict)
                 for n in s.get("Nodes") or [] if isinstance(n, dict)]
        mode = c.get("AvailabilityMode")
        out.node(arn, "memorydb:cluster", name, node_type=c.get("NodeType"),
                 shards=opt_int(c.get("NumberOfShards")) if c.get("NumberOfShards") is not None
                 else (len(c["Shards"]) if c.get("Shards") else None),
                 replicas_per_shard=_replicas(c), tls=flag(c.get("TLSEnabled")), acl=c.get("ACLName"),
                 subnet_group=group_name, security_group_ids=sgs,
                 # MemoryDB always encrypts at rest: with the named key, else an AWS owned key
                 encrypted=True, kms_key=kms, engine=c.get("Engine"), engine_version=c.get("EngineVersion"),
                 multi_az=None if mode is None else str(mode).lower() == "multiaz",
                 snapshot_retention=opt_int(c.get("SnapshotRetentionLimit")), status=c.get("Status"),
                 subnet_ids=subnets, vpc_id=(group or {}).get("VpcId"), endpoint=endpoint.get("Address"),
                 port=opt_int(endpoint.get("Port")), nodes=len(nodes) if nodes else None,
                 azs=sorted({str(n["AvailabilityZone"]) for n in nodes if n.get("AvailabilityZone")}),
                 data_tiering=flag(c.get("DataTiering")))
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets or []:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, kms, "encrypted_by")
    return out


def _subnet_groups(items: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
    if items is None:
        return None
    return {g["Name"]: g for g in items if isinstance(g, dict) and g.get("Name")}


@collector("memorydb.clusters", "memorydb",
           reads="memorydb:DescribeClusters, memorydb:DescribeSubnetGroups")
def collect_memorydb(ctx: ScanContext) -> Records:
    out = ctx.records()
    clusters = list(ctx.paginate("memorydb", "describe_clusters", "Clusters", ShowShardDetails=True))
    groups: dict[str, dict[str, Any]] | None = {}
    if clusters:
        groups = _subnet_groups(guarded(out, "memorydb", "memorydb:DescribeSubnetGroups", ctx.region, "",
                                        lambda: list(ctx.paginate("memorydb", "describe_subnet_groups",
                                                                  "SubnetGroups"))))
    return out.extend(transform_memorydb(ctx, clusters, groups))


# --- ElastiCache Serverless -----------------------------------------------------------------

def transform_serverless_caches(ctx: ScanContext, caches: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for c in caches:
        name = c.get("ServerlessCacheName")
        if not name:
            continue
        arn = c.get("ARN") or ctx.arn("elasticache", f"serverlesscache:{name}")
        limits = c.get("CacheUsageLimits") or {}
        storage = limits.get("DataStorage") or {}
        ecpu = limits.get("ECPUPerSecond") or {}
        kind = str(c.get("StorageEncryptionType") or "").lower()
        kms = ctx.kms_key_arn(c.get("KmsKeyId"))
        subnets = strs(c.get("SubnetIds"))
        sgs = strs(c.get("SecurityGroupIds"))
        endpoint = c.get("Endpoint") or {}
        out.node(arn, "elasticache:serverless-cache", name, engine=c.get("Engine"),
                 max_storage_gb=opt_int(storage.get("Maximum")), max_ecpu=opt_int(ecpu.get("Maximum")),
                 security_group_ids=sgs, subnet_ids=subnets,
                 # always encrypted at rest; only an explicit "none" says otherwise
                 encrypted=kind != "none", kms_key=kms,
                 engine_version=c.get("FullEngineVersion") or c.get("MajorEngineVersion"),
                 status=c.get("Status"), endpoint=endpoint.get("Address"), port=opt_int(endpoint.get("Port")),
                 snapshot_retention=opt_int(c.get("SnapshotRetentionLimit")), user_group=c.get("UserGroupId"),
                 created=iso(c.get("CreateTime")))
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, kms, "encrypted_by")
    return out


@collector("elasticache.serverless", "elasticache", reads="elasticache:DescribeServerlessCaches")
def collect_serverless_caches(ctx: ScanContext) -> Records:
    return transform_serverless_caches(
        ctx, list(ctx.paginate("elasticache", "describe_serverless_caches", "ServerlessCaches")))


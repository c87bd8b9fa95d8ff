"""DynamoDB tables (with point-in-time recovery, tags and autoscaling) and DAX clusters (part of
the database family; RDS is in database.py, ElastiCache in elasticache.py).

Get / transform split as in database.py: paginated read-only calls, pure ``transform_*``
functions that tests feed with recorded shapes.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._fanout import each
from scanner.collectors._shape import flag, ident, is_on
from scanner.collectors.registry import collector
from scanner.collectors.storage import guarded, read_optional
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records

#: the collector family this module belongs to (``--services database`` names it with database.py)
FAMILY = "database"

# --- DynamoDB ------------------------------------------------------------------------------

DIMENSIONS = {"dynamodb:table:ReadCapacityUnits": ("table", "read"),
              "dynamodb:table:WriteCapacityUnits": ("table", "write"),
              "dynamodb:index:ReadCapacityUnits": ("index", "read"),
              "dynamodb:index:WriteCapacityUnits": ("index", "write")}


def autoscaling_by_table(targets: list[dict[str, Any]] | None) -> dict[str, list[dict[str, Any]]] | None:
    """Application Auto Scaling targets grouped by table name (None: could not be read)."""
    if targets is None:
        return None
    out: dict[str, list[dict[str, Any]]] = {}
    for t in targets:
        parts = str(t.get("ResourceId", "")).split("/")
        if len(parts) < 2 or parts[0] != "table":
            continue
        level, dim = DIMENSIONS.get(t.get("ScalableDimension", ""), ("?", "?"))
        out.setdefault(parts[1], []).append({
            "resource": "table" if len(parts) == 2 else "/".join(parts[2:]), "dimension": dim,
            "min": t.get("MinCapacity"), "max": t.get("MaxCapacity"), "level": level})
    return out


def transform_tables(ctx: ScanContext, tables: list[dict[str, Any]],
                     autoscaling: dict[str, list[dict[str, Any]]] | None) -> Records:
    """Tables from describe_table; each item may carry ``ContinuousBackups`` and ``Tags``
    ({} / [] when none, None when unreadable)."""
    out = ctx.records()
    for t in tables:
        name = ident(out, t, "TableName", "dynamodb", "dynamodb:DescribeTable", "a table")
        if not name:
            continue
        arn = t.get("TableArn") or ctx.arn("dynamodb", f"table/{name}")
        # tables that were never switched to on-demand carry no BillingModeSummary: provisioned
        billing = (t.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
        thr = t.get("ProvisionedThroughput") or {}
        sse = t.get("SSEDescription") or {}
        kms = ctx.kms_key_arn(sse.get("KMSMasterKeyArn"))
        stream = t.get("StreamSpecification") or {}
        cb = t.get("ContinuousBackups")
        pitr = None if cb is None else is_on(
            ((cb.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {})
            .get("PointInTimeRecoveryStatus"), ("ENABLED",), ("DISABLED",))
        replicas = sorted(r["RegionName"] for r in t.get("Replicas") or [] if r.get("RegionName"))
        tags = t.get("Tags")
        out.node(arn, "dynamodb:table", name, tags=tags_of(tags or []), name=name,
                 billing_mode=billing,
                 read_capacity=thr.get("ReadCapacityUnits") if billing == "PROVISIONED" else None,
                 write_capacity=thr.get("WriteCapacityUnits") if billing == "PROVISIONED" else None,
                 item_count=t.get("ItemCount"), size_bytes=t.get("TableSizeBytes"),
                 gsis=[_gsi(g) for g in t.get("GlobalSecondaryIndexes") or []],
                 lsis=[g.get("IndexName") for g in t.get("LocalSecondaryIndexes") or []],
                 pitr=pitr,
                 stream=stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
                 stream_arn=t.get("LatestStreamArn") if stream.get("StreamEnabled") else None,
                 global_replicas=replicas,
                 encryption="KMS" if sse.get("SSEType") == "KMS" or kms else "AWS owned key",
                 kms_key=kms, autoscaling=None if autoscaling is None else autoscaling.get(name, []),
                 deletion_protection=flag(t.get("DeletionProtectionEnabled")),
                 table_class=(t.get("TableClassSummary") or {}).get("TableClass") or "STANDARD",
                 status=t.get("TableStatus"), created=iso(t.get("CreationDateTime")))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms, "encrypted_by")
        for r in replicas:
            if r != ctx.region:
                out.edge(arn, ctx.arn("dynamodb", f"table/{name}", region=r), "replicates_to")
    return out


def _gsi(g: dict[str, Any]) -> dict[str, Any]:
    thr = g.get("ProvisionedThroughput") or {}
    return {"name": g.get("IndexName"), "keys": [k.get("AttributeName") for k in g.get("KeySchema") or []],
            "projection": (g.get("Projection") or {}).get("ProjectionType"),
            "read_capacity": thr.get("ReadCapacityUnits") or None,
            "write_capacity": thr.get("WriteCapacityUnits") or None}


def _table(ctx: ScanContext, out: Records, name: str) -> dict[str, Any] | None:
    """One table as DescribeTable gives it, with its continuous backups and tags (None: not described)."""
    desc = read_optional(ctx, out, "dynamodb", "describe_table", resource=name,
                         missing=("ResourceNotFoundException",), TableName=name)
    if not desc:
        return None
    t = dict(desc["Table"])
    t["ContinuousBackups"] = read_optional(ctx, out, "dynamodb", "describe_continuous_backups",
                                           resource=t.get("TableArn", name), TableName=name)
    t["Tags"] = guarded(out, "dynamodb", "dynamodb:ListTagsOfResource", ctx.region,
                        t.get("TableArn", name),
                        lambda arn=t.get("TableArn"): list(ctx.paginate(
                            "dynamodb", "list_tags_of_resource", "Tags", ResourceArn=arn)))
    return t


@collector("dynamodb.tables", "dynamodb",
           reads="dynamodb:ListTables, dynamodb:DescribeTable, dynamodb:DescribeContinuousBackups, "
                 "dynamodb:ListTagsOfResource, application-autoscaling:DescribeScalableTargets")
def collect_tables(ctx: ScanContext) -> Records:
    out = ctx.records()
    names = list(ctx.paginate("dynamodb", "list_tables", "TableNames"))
    # each table's reads (DescribeTable, then its backups and tags) wait together with the other
    # tables' in the DynamoDB lane (scanner/collectors/_fanout.py)
    tables = [t for t in each(ctx, out, names, lambda sub, name: _table(ctx, sub, name)) if t is not None]
    scaling = None
    if tables:
        scaling = guarded(out, "dynamodb", "application-autoscaling:DescribeScalableTargets",
                          ctx.region, "", lambda: list(ctx.paginate(
                              "application-autoscaling", "describe_scalable_targets",
                              "ScalableTargets", ServiceNamespace="dynamodb")))
    return out.extend(transform_tables(ctx, tables, autoscaling_by_table(scaling)))


# --- DAX ----------------------------------------------------------------------------------

def transform_dax(ctx: ScanContext, clusters: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for c in clusters:
        name = ident(out, c, "ClusterName", "dax", "dax:DescribeClusters", "a DAX cluster")
        if not name:
            continue
        arn = c.get("ClusterArn") or ctx.arn("dax", f"cache/{name}")
        sgs = [g["SecurityGroupIdentifier"] for g in c.get("SecurityGroups") or []
               if g.get("SecurityGroupIdentifier")]
        nodes = c.get("Nodes") or []
        out.node(arn, "dax:cluster", name, name=name, node_type=c.get("NodeType"),
                 nodes=c.get("TotalNodes", len(nodes)),
                 encrypted=is_on((c.get("SSEDescription") or {}).get("Status"), ("ENABLED", "ENABLING"),
                                 ("DISABLED", "DISABLING")),
                 subnet_group=c.get("SubnetGroup"), status=c.get("Status"),
                 azs=sorted({n.get("AvailabilityZone") for n in nodes} - {None}),
                 transit_encryption=is_on(c.get("ClusterEndpointEncryptionType"), ("TLS",), ("NONE",)),
                 security_group_ids=sgs, role_arn=c.get("IamRoleArn"))
        out.edge(ctx.region_node, arn, "contains")
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, c.get("IamRoleArn"), "uses_role")
    return out


@collector("dax.clusters", "dax", reads="dax:DescribeClusters")
def collect_dax(ctx: ScanContext) -> Records:
    return transform_dax(ctx, list(ctx.paginate("dax", "describe_clusters", "Clusters")))



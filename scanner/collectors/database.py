"""Databases: RDS instances, Aurora clusters, snapshots, subnet/parameter groups; DynamoDB tables
(with PITR and autoscaling); DAX clusters; ElastiCache replication groups and cache clusters.

Get / transform split as in storage.py: collectors make paginated read-only
calls, pure ``transform_*`` functions turn API shapes into graph records.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import flag, ident, is_on
from scanner.collectors.registry import collector
from scanner.collectors.storage import SNAPSHOT_ATTRIBUTE_LIMIT, guarded, read_optional
from scanner.context import ScanContext, age_days, iso, tags_of
from scanner.inventory import Records

# --- RDS ----------------------------------------------------------------------------------


def _id(out: Records, item: dict[str, Any], key: str, action: str, what: str) -> str | None:
    return ident(out, item, key, "rds", action, what)


def rds_arn(ctx: ScanContext, kind: str, ident: str | None) -> str | None:
    """ARN of an RDS resource from an identifier that may already be an ARN (cross-region)."""
    if not ident:
        return None
    return ident if ident.startswith("arn:") else ctx.arn("rds", f"{kind}:{ident}")


def subnet_az(subnet: dict[str, Any]) -> str | None:
    """The AZ of an RDS/ElastiCache subnet-group subnet ({"Name": az}, or a bare string)."""
    az = subnet.get("SubnetAvailabilityZone")
    return az.get("Name") if isinstance(az, dict) else az


def transform_db_instances(ctx: ScanContext, instances: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for db in instances:
        ident = _id(out, db, "DBInstanceIdentifier", "rds:DescribeDBInstances", "a DB instance")
        if not ident:
            continue
        arn = db.get("DBInstanceArn") or rds_arn(ctx, "db", ident) or ident
        sng = db.get("DBSubnetGroup") or {}
        subnets = [s for s in sng.get("Subnets") or [] if s.get("SubnetIdentifier")]
        sgs = [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups") or []
               if g.get("VpcSecurityGroupId")]
        kms = ctx.kms_key_arn(db.get("KmsKeyId")) if db.get("StorageEncrypted") else None
        endpoint = db.get("Endpoint") or {}
        pgs = [p.get("DBParameterGroupName") for p in db.get("DBParameterGroups") or []]
        out.node(arn, "rds:instance", ident, tags=tags_of(db.get("TagList") or []),
                 identifier=ident, engine=db.get("Engine"), engine_version=db.get("EngineVersion"),
                 instance_class=db.get("DBInstanceClass"), multi_az=flag(db.get("MultiAZ")),
                 storage_gb=db.get("AllocatedStorage"), storage_type=db.get("StorageType"),
                 iops=db.get("Iops"), encrypted=flag(db.get("StorageEncrypted")), kms_key=kms,
                 publicly_accessible=flag(db.get("PubliclyAccessible")),
                 backup_retention=db.get("BackupRetentionPeriod"),
                 deletion_protection=flag(db.get("DeletionProtection")),
                 performance_insights=flag(db.get("PerformanceInsightsEnabled")),
                 cluster_id=db.get("DBClusterIdentifier"), subnet_group=sng.get("DBSubnetGroupName"),
                 subnet_ids=[s["SubnetIdentifier"] for s in subnets], vpc_id=sng.get("VpcId"),
                 az=db.get("AvailabilityZone"), secondary_az=db.get("SecondaryAvailabilityZone"),
                 security_group_ids=sgs, endpoint=endpoint.get("Address"), port=endpoint.get("Port"),
                 read_replica_source=db.get("ReadReplicaSourceDBInstanceIdentifier"),
                 read_replicas=list(db.get("ReadReplicaDBInstanceIdentifiers") or []),
                 iam_auth=flag(db.get("IAMDatabaseAuthenticationEnabled")),
                 auto_minor_upgrade=db.get("AutoMinorVersionUpgrade"),
                 parameter_group=pgs[0] if pgs else None, status=db.get("DBInstanceStatus"),
                 ca_cert=db.get("CACertificateIdentifier"),
                 max_storage_gb=db.get("MaxAllocatedStorage"),
                 storage_throughput=db.get("StorageThroughput"),
                 monitoring_interval=db.get("MonitoringInterval"),
                 log_exports=list(db.get("EnabledCloudwatchLogsExports") or []))
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s["SubnetIdentifier"]), "in_subnet", az=subnet_az(s))
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, kms, "encrypted_by")
        out.edge(arn, rds_arn(ctx, "cluster", db.get("DBClusterIdentifier")), "member_of")
        out.edge(rds_arn(ctx, "db", db.get("ReadReplicaSourceDBInstanceIdentifier")), arn,
                 "replicates_to")
        for rep in db.get("ReadReplicaDBInstanceIdentifiers") or []:
            out.edge(arn, rds_arn(ctx, "db", rep), "replicates_to")
        if sng.get("DBSubnetGroupName"):
            out.edge(arn, rds_arn(ctx, "subgrp", sng["DBSubnetGroupName"]), "associated_with")
    return out


@collector("rds.instances", "rds", reads="rds:DescribeDBInstances")
def collect_db_instances(ctx: ScanContext) -> Records:
    return transform_db_instances(ctx, list(ctx.paginate("rds", "describe_db_instances", "DBInstances")))


def transform_db_clusters(ctx: ScanContext, clusters: list[dict[str, Any]],
                          global_members: dict[str, str]) -> Records:
    """Aurora (and Multi-AZ DB) clusters; ``global_members`` maps a member cluster ARN to the
    id of its global cluster (from describe_global_clusters)."""
    out = ctx.records()
    for c in clusters:
        ident = _id(out, c, "DBClusterIdentifier", "rds:DescribeDBClusters", "a DB cluster")
        if not ident:
            continue
        arn = c.get("DBClusterArn") or rds_arn(ctx, "cluster", ident) or ident
        members = [m for m in c.get("DBClusterMembers") or [] if m.get("DBInstanceIdentifier")]
        writer = [m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter")]
        readers = [m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter") is False]
        sgs = [g["VpcSecurityGroupId"] for g in c.get("VpcSecurityGroups") or []
               if g.get("VpcSecurityGroupId")]
        kms = ctx.kms_key_arn(c.get("KmsKeyId")) if c.get("StorageEncrypted") else None
        azs = sorted(c.get("AvailabilityZones") or [])
        out.node(arn, "rds:cluster", ident, tags=tags_of(c.get("TagList") or []), identifier=ident,
                 engine=c.get("Engine"), engine_version=c.get("EngineVersion"),
                 engine_mode=c.get("EngineMode"),
                 multi_az=True if c.get("MultiAZ") or len(members) > 1 else flag(c.get("MultiAZ")),
                 members=[m["DBInstanceIdentifier"] for m in members],
                 writer=writer[0] if writer else None, readers=readers,
                 encrypted=flag(c.get("StorageEncrypted")), kms_key=kms,
                 backup_retention=c.get("BackupRetentionPeriod"),
                 deletion_protection=flag(c.get("DeletionProtection")),
                 endpoint=c.get("Endpoint"), reader_endpoint=c.get("ReaderEndpoint"),
                 port=c.get("Port"), subnet_group=c.get("DBSubnetGroup"), vpc_id=None,
                 security_group_ids=sgs, azs=azs, global_cluster=global_members.get(arn),
                 replication_source=c.get("ReplicationSourceIdentifier"),
                 storage_gb=c.get("AllocatedStorage"), status=c.get("Status"),
                 db_cluster_instance_class=c.get("DBClusterInstanceClass"),
                 serverless_v2=c.get("ServerlessV2ScalingConfiguration"),
                 iam_auth=flag(c.get("IAMDatabaseAuthenticationEnabled")))
        out.edge(ctx.region_node, arn, "contains")
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, kms, "encrypted_by")
        out.edge(rds_arn(ctx, "cluster", c.get("ReplicationSourceIdentifier")), arn, "replicates_to")
        if c.get("DBSubnetGroup"):
            out.edge(arn, rds_arn(ctx, "subgrp", c["DBSubnetGroup"]), "associated_with")
    return out


def global_cluster_members(globals_: list[dict[str, Any]]) -> dict[str, str]:
    """Member cluster ARN -> global cluster id, from describe_global_clusters."""
    out: dict[str, str] = {}
    for g in globals_:
        for m in g.get("GlobalClusterMembers") or []:
            if m.get("DBClusterArn"):
                out[m["DBClusterArn"]] = g.get("GlobalClusterIdentifier", "")
    return out


@collector("rds.clusters", "rds", reads="rds:DescribeDBClusters, rds:DescribeGlobalClusters")
def collect_db_clusters(ctx: ScanContext) -> Records:
    out = ctx.records()
    clusters = list(ctx.paginate("rds", "describe_db_clusters", "DBClusters"))
    globals_: list[dict[str, Any]] = []
    if clusters:
        globals_ = guarded(out, "rds", "rds:DescribeGlobalClusters", ctx.region, "",
                           lambda: list(ctx.paginate("rds", "describe_global_clusters",
                                                     "GlobalClusters"))) or []
    return out.extend(transform_db_clusters(ctx, clusters, global_cluster_members(globals_)))


def snapshot_public(attrs: dict[str, Any] | None, key: str) -> bool | None:
    """Is a DB (cluster) snapshot restorable by everyone (``restore`` attribute holds "all")?"""
    if attrs is None:
        return None
    result = attrs.get(key) or {}
    list_key = "DBClusterSnapshotAttributes" if "Cluster" in key else "DBSnapshotAttributes"
    for a in result.get(list_key) or []:
        if a.get("AttributeName") == "restore" and "all" in (a.get("AttributeValues") or []):
            return True
    return False


def transform_db_snapshots(ctx: ScanContext, snapshots: list[dict[str, Any]],
                           public: dict[str, bool | None]) -> Records:
    """DB snapshots and DB cluster snapshots (cluster ones carry DBClusterSnapshotIdentifier)."""
    out = ctx.records()
    for s in snapshots:
        cluster = s.get("DBClusterSnapshotIdentifier") is not None or "DBClusterSnapshotArn" in s
        ident = s.get("DBClusterSnapshotIdentifier") or s.get("DBSnapshotIdentifier")
        if not ident:
            _id(out, s, "DBClusterSnapshotIdentifier" if cluster else "DBSnapshotIdentifier",
                "rds:DescribeDBClusterSnapshots" if cluster else "rds:DescribeDBSnapshots", "a DB snapshot")
            continue
        arn = s.get("DBClusterSnapshotArn") or s.get("DBSnapshotArn") or \
            rds_arn(ctx, "cluster-snapshot" if cluster else "snapshot", ident) or ident
        source = s.get("DBClusterIdentifier") if cluster else s.get("DBInstanceIdentifier")
        encrypted = flag(s.get("StorageEncrypted") if s.get("StorageEncrypted") is not None else s.get("Encrypted"))
        kms = ctx.kms_key_arn(s.get("KmsKeyId")) if encrypted else None
        out.node(arn, "rds:snapshot", ident, tags=tags_of(s.get("TagList") or []), identifier=ident,
                 source=source, type=s.get("SnapshotType"),
                 encrypted=encrypted, kms_key=kms,
                 public=public.get(arn), create_time=iso(s.get("SnapshotCreateTime")),
                 age_days=age_days(s.get("SnapshotCreateTime")), storage_gb=s.get("AllocatedStorage"),
                 engine=s.get("Engine"), cluster_snapshot=cluster)
        out.edge(arn, rds_arn(ctx, "cluster" if cluster else "db", source), "snapshot_of")
        out.edge(arn, kms, "encrypted_by")
    return out


@collector("rds.snapshots", "rds",
           reads="rds:DescribeDBSnapshots, rds:DescribeDBClusterSnapshots, "
                 "rds:DescribeDBSnapshotAttributes, rds:DescribeDBClusterSnapshotAttributes")
def collect_db_snapshots(ctx: ScanContext) -> Records:
    out = ctx.records()
    snaps = list(ctx.paginate("rds", "describe_db_snapshots", "DBSnapshots"))
    csnaps = guarded(out, "rds", "rds:DescribeDBClusterSnapshots", ctx.region, "",
                     lambda: list(ctx.paginate("rds", "describe_db_cluster_snapshots",
                                               "DBClusterSnapshots"))) or []
    public: dict[str, bool | None] = {}
    manual = [s for s in snaps + csnaps if s.get("SnapshotType") == "manual"
              and (s.get("DBClusterSnapshotIdentifier") or s.get("DBSnapshotIdentifier"))]
    for s in manual[:SNAPSHOT_ATTRIBUTE_LIMIT]:
        if s.get("DBClusterSnapshotIdentifier"):
            arn, op, key = s.get("DBClusterSnapshotArn"), "describe_db_cluster_snapshot_attributes", \
                "DBClusterSnapshotAttributesResult"
            kw = {"DBClusterSnapshotIdentifier": s["DBClusterSnapshotIdentifier"]}
        else:
            arn, op, key = s.get("DBSnapshotArn"), "describe_db_snapshot_attributes", \
                "DBSnapshotAttributesResult"
            kw = {"DBSnapshotIdentifier": s["DBSnapshotIdentifier"]}
        attrs = read_optional(ctx, out, "rds", op, resource=arn or "", **kw)
        public[arn or ""] = snapshot_public(attrs, key)
    if len(manual) > SNAPSHOT_ATTRIBUTE_LIMIT:
        out.gap("rds", "rds:DescribeDBSnapshotAttributes",
                f"public sharing checked for {SNAPSHOT_ATTRIBUTE_LIMIT} of {len(manual)} manual "
                "snapshots only (bounded to keep the scan fast)")
    return out.extend(transform_db_snapshots(ctx, snaps + csnaps, public))


def transform_db_subnet_groups(ctx: ScanContext, groups: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in groups:
        name = _id(out, g, "DBSubnetGroupName", "rds:DescribeDBSubnetGroups", "a DB subnet group")
        if not name:
            continue
        arn = g.get("DBSubnetGroupArn") or rds_arn(ctx, "subgrp", name) or name
        subnets = [s for s in g.get("Subnets") or [] if s.get("SubnetIdentifier")]
        azs = sorted({subnet_az(s) for s in subnets} - {None})
        out.node(arn, "rds:subnet-group", name, name=name, vpc_id=g.get("VpcId"),
                 subnet_ids=[s["SubnetIdentifier"] for s in subnets], azs=azs,
                 description=g.get("DBSubnetGroupDescription"))
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s["SubnetIdentifier"]), "associated_with")
    return out


@collector("rds.subnet-groups", "rds", reads="rds:DescribeDBSubnetGroups")
def collect_db_subnet_groups(ctx: ScanContext) -> Records:
    return transform_db_subnet_groups(
        ctx, list(ctx.paginate("rds", "describe_db_subnet_groups", "DBSubnetGroups")))


def transform_parameter_groups(ctx: ScanContext, groups: list[dict[str, Any]],
                               cluster_groups: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in groups:
        name = _id(out, g, "DBParameterGroupName", "rds:DescribeDBParameterGroups", "a DB parameter group")
        if not name:
            continue
        arn = g.get("DBParameterGroupArn") or rds_arn(ctx, "pg", name) or name
        out.node(arn, "rds:parameter-group", name, name=name, family=g.get("DBParameterGroupFamily"),
                 description=g.get("Description"), cluster=False,
                 default=name.startswith("default."))
    for g in cluster_groups:
        name = _id(out, g, "DBClusterParameterGroupName", "rds:DescribeDBClusterParameterGroups",
                   "a DB cluster parameter group")
        if not name:
            continue
        arn = g.get("DBClusterParameterGroupArn") or rds_arn(ctx, "cluster-pg", name) or name
        out.node(arn, "rds:parameter-group", name, name=name,
                 family=g.get("DBParameterGroupFamily"), description=g.get("Description"),
                 cluster=True, default=name.startswith("default."))
    return out


@collector("rds.parameter-groups", "rds",
           reads="rds:DescribeDBParameterGroups, rds:DescribeDBClusterParameterGroups")
def collect_parameter_groups(ctx: ScanContext) -> Records:
    out = ctx.records()
    groups = list(ctx.paginate("rds", "describe_db_parameter_groups", "DBParameterGroups"))
    cgroups = guarded(out, "rds", "rds:DescribeDBClusterParameterGroups", ctx.region, "",
                      lambda: list(ctx.paginate("rds", "describe_db_cluster_parameter_groups",
                                                "DBClusterParameterGroups"))) or []
    return out.extend(transform_parameter_groups(ctx, groups, cgroups))


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


@collector("dynamodb.tables", "dynamodb",
           reads="dynamodb:ListTables, dynamodb:DescribeTable, dynamodb:DescribeContinuousBackups, "
                 "dynamodb:ListTagsOfResource, application-autoscaling:DescribeScalableTargets")
def collect_tables(ctx: ScanContext) -> Records:
    out = ctx.records()
    names = list(ctx.paginate("dynamodb", "list_tables", "TableNames"))
    tables = []
    for name in names:
        desc = read_optional(ctx, out, "dynamodb", "describe_table", resource=name,
                             missing=("ResourceNotFoundException",), TableName=name)
        if not desc:
            continue
        t = dict(desc["Table"])
        t["ContinuousBackups"] = read_optional(ctx, out, "dynamodb", "describe_continuous_backups",
                                               resource=t.get("TableArn", name), TableName=name)
        t["Tags"] = guarded(out, "dynamodb", "dynamodb:ListTagsOfResource", ctx.region,
                            t.get("TableArn", name),
                            lambda arn=t.get("TableArn"): list(ctx.paginate(
                                "dynamodb", "list_tags_of_resource", "Tags", ResourceArn=arn)))
        tables.append(t)
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
                 global_group=(g.get("GlobalReplicationGroupInfo") or {}).get("GlobalReplicationGroupId"))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms, "encrypted_by")
    for c in clusters:
        _cache_cluster(ctx, out, c, rg_arns, subnet_groups)
    return out


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

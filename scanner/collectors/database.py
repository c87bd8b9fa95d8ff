"""Databases: RDS instances, Aurora clusters, snapshots, subnet/parameter groups (DynamoDB and DAX,
of the same family, are in dynamodb.py; ElastiCache in elasticache.py).

Get / transform split as in storage.py: collectors make paginated read-only
calls, pure ``transform_*`` functions turn API shapes into graph records.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import flag, ident
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



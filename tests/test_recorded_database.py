"""Recorded shapes for scanner/collectors/database.py, dynamodb.py and elasticache.py (RDS, DynamoDB, DAX,
ElastiCache)."""

from __future__ import annotations

from scanner.collectors import database as d
from scanner.collectors import dynamodb as ddb_coll
from scanner.collectors import elasticache as cache_coll
from tests.test_recorded_shapes import Case, items, one

F = "database"


def _snapshots(ctx, r: dict):
    snaps = items(r, "DescribeDBSnapshots", "DBSnapshots") + items(r, "DescribeDBClusterSnapshots",
                                                                   "DBClusterSnapshots")
    public = {}
    for x in snaps:
        if x.get("DBClusterSnapshotIdentifier"):
            public[x.get("DBClusterSnapshotArn") or ""] = d.snapshot_public(
                one(r, "DescribeDBClusterSnapshotAttributes"), "DBClusterSnapshotAttributesResult")
        else:
            public[x.get("DBSnapshotArn") or ""] = d.snapshot_public(
                one(r, "DescribeDBSnapshotAttributes"), "DBSnapshotAttributesResult")
    return d.transform_db_snapshots(ctx, snaps, public)


def _tables(ctx, r: dict):
    table = dict(one(r, "DescribeTable").get("Table") or {})
    table["ContinuousBackups"] = one(r, "DescribeContinuousBackups")
    table["Tags"] = items(r, "ListTagsOfResource", "Tags")
    scaling = ddb_coll.autoscaling_by_table(items(r, "DescribeScalableTargets", "ScalableTargets"))
    return ddb_coll.transform_tables(ctx, [table], scaling)


def _elasticache(ctx, r: dict):
    subnet_groups = {g.get("CacheSubnetGroupName"): g
                     for g in items(r, "DescribeCacheSubnetGroups", "CacheSubnetGroups")}
    return cache_coll.transform_elasticache(ctx, items(r, "DescribeReplicationGroups", "ReplicationGroups"),
                                   items(r, "DescribeCacheClusters", "CacheClusters"), subnet_groups)


CASES = [
    Case(F, d.transform_db_instances, ("rds:DescribeDBInstances",),
         lambda ctx, r: d.transform_db_instances(ctx, items(r, "DescribeDBInstances", "DBInstances")),
         names=("DescribeDBInstances:DBInstances[].DBInstanceIdentifier",)),
    Case(F, d.transform_db_clusters, ("rds:DescribeDBClusters", "rds:DescribeGlobalClusters"),
         lambda ctx, r: d.transform_db_clusters(
             ctx, items(r, "DescribeDBClusters", "DBClusters"),
             d.global_cluster_members(items(r, "DescribeGlobalClusters", "GlobalClusters"))),
         names=("DescribeDBClusters:DBClusters[].DBClusterIdentifier",)),
    Case(F, d.transform_db_snapshots,
         ("rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots", "rds:DescribeDBSnapshotAttributes",
          "rds:DescribeDBClusterSnapshotAttributes"), _snapshots,
         names=("DescribeDBSnapshots:DBSnapshots[].DBSnapshotIdentifier",
                "DescribeDBClusterSnapshots:DBClusterSnapshots[].DBClusterSnapshotIdentifier")),
    Case(F, d.transform_db_subnet_groups, ("rds:DescribeDBSubnetGroups",),
         lambda ctx, r: d.transform_db_subnet_groups(ctx, items(r, "DescribeDBSubnetGroups", "DBSubnetGroups")),
         names=("DescribeDBSubnetGroups:DBSubnetGroups[].DBSubnetGroupName",)),
    Case(F, d.transform_parameter_groups,
         ("rds:DescribeDBParameterGroups", "rds:DescribeDBClusterParameterGroups"),
         lambda ctx, r: d.transform_parameter_groups(
             ctx, items(r, "DescribeDBParameterGroups", "DBParameterGroups"),
             items(r, "DescribeDBClusterParameterGroups", "DBClusterParameterGroups")),
         names=("DescribeDBParameterGroups:DBParameterGroups[].DBParameterGroupName",
                "DescribeDBClusterParameterGroups:DBClusterParameterGroups[].DBClusterParameterGroupName")),
    Case(F, ddb_coll.transform_tables,
         ("dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:ListTagsOfResource",
          "application-autoscaling:DescribeScalableTargets"), _tables,
         names=("DescribeTable:Table.TableName",),
         allow={"billing_mode": "a table never switched to on-demand carries no BillingModeSummary: provisioned",
                "table_class": "a table without TableClassSummary is of the STANDARD class"}),
    Case(F, ddb_coll.transform_dax, ("dax:DescribeClusters",),
         lambda ctx, r: ddb_coll.transform_dax(ctx, items(r, "DescribeClusters", "Clusters")),
         names=("DescribeClusters:Clusters[].ClusterName",)),
    Case(F, cache_coll.transform_elasticache,
         ("elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters",
          "elasticache:DescribeCacheSubnetGroups"), _elasticache,
         names=("DescribeReplicationGroups:ReplicationGroups[].ReplicationGroupId",
                "DescribeCacheClusters:CacheClusters[].CacheClusterId")),
]


def test_flags_rds_does_not_send_stay_unknown() -> None:
    from tests.test_recorded_shapes import context

    out = d.transform_db_instances(context(), [{"DBInstanceIdentifier": "db1", "StorageEncrypted": None}])
    p = out.nodes[0].props
    assert p["multi_az"] is None and p["encrypted"] is None and p["publicly_accessible"] is None
    rg = cache_coll.transform_elasticache(context(), [{"ReplicationGroupId": "rg", "MultiAZ": "pending-future",
                                              "AutomaticFailover": "enabled"}], [], {})
    assert rg.nodes[0].props["multi_az"] is None and rg.nodes[0].props["automatic_failover"] is True


def test_replication_group_user_groups_present_absent_and_empty() -> None:
    """``UserGroupIds`` (RBAC) is recorded as AWS says it: the ids where the answer lists them,
    None where the answer leaves the member out (unknown, not "no RBAC"), [] where it lists none."""
    from tests.test_recorded_shapes import family_refs, run

    case = next(c for c in CASES if c.transform is cache_coll.transform_elasticache)
    refs = family_refs(CASES, F)

    def groups(kind: str) -> dict[str, object]:
        return {n.name: n.props["user_group_ids"] for n in run(case, kind, refs).nodes
                if n.kind == "elasticache:replication-group"}

    assert groups("full") == {"clustered-redis": ["user-group-0a1b2c3d4e5f67890"], "sessions-redis": None}
    assert groups("minimal+ids") == {"clustered-redis": None, "sessions-redis": None}
    assert groups("nulls+ids") == {"clustered-redis": None, "sessions-redis": None}
    assert groups("empty")["clustered-redis"] == []


def test_replication_group_user_groups_from_moto() -> None:
    """moto answers the ids given to CreateReplicationGroup, and [] for a group created without."""
    import boto3
    from moto import mock_aws

    from tests.test_recorded_shapes import context

    with mock_aws():
        ec = boto3.client("elasticache", region_name="us-east-1")
        ec.create_replication_group(ReplicationGroupId="rbac", ReplicationGroupDescription="x", Engine="redis",
                                    TransitEncryptionEnabled=True, UserGroupIds=["app-users"])
        ec.create_replication_group(ReplicationGroupId="plain", ReplicationGroupDescription="x", Engine="redis")
        groups = ec.describe_replication_groups()["ReplicationGroups"]
    out = cache_coll.transform_elasticache(context(), groups, [], {})
    assert {n.name: n.props["user_group_ids"] for n in out.nodes} == {"rbac": ["app-users"], "plain": []}


#: the modules of the database family (split by what they hold; the sweep in test_recorded_all reads database.py only)
MODULES = ("scanner.collectors.database", "scanner.collectors.dynamodb", "scanner.collectors.elasticache")


def test_every_transform_of_the_family_modules_has_a_case() -> None:
    from tests.test_recorded_serverless import check_coverage

    check_coverage(CASES, MODULES, F)

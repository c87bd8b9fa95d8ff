"""Database family: RDS/Aurora, DynamoDB/DAX, ElastiCache collectors, transforms, sections 4.4 and 6.x.

Transforms are tested from API-shaped dicts (no moto); the collectors end to
end on the shared ``sample`` account.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import boto3
from botocore.stub import Stubber

from renderers.facts import database as facts
from scanner import judge
from scanner.collectors import database as db
from scanner.collectors import dynamodb as ddb_coll
from scanner.collectors import elasticache as cache_coll
from scanner.context import ScanContext
from scanner.inventory import Inventory
from tests.conftest import section

ACCT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/abcd"


def make_ctx(region: str = "us-east-1") -> ScanContext:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=region)
    return ScanContext(session, region, ACCT, home_region="us-east-1", regions=(region,))


def graph(*records: Any) -> Inventory:
    inv = Inventory()
    inv.merge(list(records))
    judge.run(inv)  # the facts a scan stores (scanner/judge/), which the renderers read
    return inv


def rels(inv: Inventory, rel: str) -> set[tuple[str, str]]:
    return {(s, d) for s, d, _ in inv.edges(rel)}


def rds(kind: str, name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:rds:{region}:{ACCT}:{kind}:{name}"


# --- RDS ----------------------------------------------------------------------------------------

def _instance(ident: str, **over: Any) -> dict[str, Any]:
    base = {
        "DBInstanceIdentifier": ident, "DBInstanceArn": rds("db", ident), "Engine": "mysql",
        "EngineVersion": "8.0.35", "DBInstanceClass": "db.r6g.large", "MultiAZ": False,
        "AllocatedStorage": 200, "StorageType": "io1", "Iops": 3000, "StorageEncrypted": True,
        "KmsKeyId": KEY, "PubliclyAccessible": False, "BackupRetentionPeriod": 7,
        "DBSubnetGroup": {"DBSubnetGroupName": "data", "VpcId": "vpc-1", "Subnets": [
            {"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "us-east-1a"}},
            {"SubnetIdentifier": "subnet-b", "SubnetAvailabilityZone": {"Name": "us-east-1b"}}]},
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-db", "Status": "active"}],
        "Endpoint": {"Address": f"{ident}.x.rds.amazonaws.com", "Port": 3306},
        "TagList": [{"Key": "Project", "Value": "shop"}],
    }
    base.update(over)
    return base


def test_transform_db_instances_edges_and_props() -> None:
    ctx = make_ctx()
    primary = _instance("shop", ReadReplicaDBInstanceIdentifiers=["shop-replica"])
    replica = _instance("shop-replica", ReadReplicaSourceDBInstanceIdentifier="shop", StorageEncrypted=False)
    member = _instance("aur-1", Engine="aurora-postgresql", DBClusterIdentifier="aur")
    inv = graph(db.transform_db_instances(ctx, [primary, replica, member]))
    p = inv.node(rds("db", "shop"))["props"]
    assert (p["engine"], p["storage_gb"], p["iops"], p["subnet_ids"]) == ("mysql", 200, 3000, ["subnet-a", "subnet-b"])
    assert inv.node(rds("db", "shop"))["tags"] == {"Project": "shop"}
    assert (rds("db", "shop"), ctx.ec2_arn("subnet", "subnet-a")) in rels(inv, "in_subnet")
    assert (rds("db", "shop"), ctx.ec2_arn("security-group", "sg-db")) in rels(inv, "protected_by")
    assert (rds("db", "shop"), KEY) in rels(inv, "encrypted_by")
    assert inv.node(rds("db", "shop-replica"))["props"]["kms_key"] is None  # unencrypted: no key edge
    assert (rds("db", "shop-replica"), KEY) not in rels(inv, "encrypted_by")
    assert (rds("db", "shop"), rds("db", "shop-replica")) in rels(inv, "replicates_to")
    assert (rds("db", "aur-1"), rds("cluster", "aur")) in rels(inv, "member_of")


def test_cross_region_replica_source_arn_kept() -> None:
    src = rds("db", "shop", "eu-west-1")
    inv = graph(db.transform_db_instances(make_ctx(), [_instance("dr", ReadReplicaSourceDBInstanceIdentifier=src)]))
    assert (src, rds("db", "dr")) in rels(inv, "replicates_to")
    assert inv.node(src)["external"]


def test_transform_clusters_writer_readers_global() -> None:
    ctx = make_ctx()
    cluster = {"DBClusterIdentifier": "aur", "DBClusterArn": rds("cluster", "aur"), "Engine": "aurora-postgresql",
               "EngineVersion": "15.4", "EngineMode": "provisioned", "StorageEncrypted": True, "KmsKeyId": KEY,
               "DBClusterMembers": [{"DBInstanceIdentifier": "aur-1", "IsClusterWriter": True},
                                    {"DBInstanceIdentifier": "aur-2", "IsClusterWriter": False}],
               "AvailabilityZones": ["us-east-1b", "us-east-1a"], "DBSubnetGroup": "data",
               "BackupRetentionPeriod": 35, "DeletionProtection": True}
    glob = [{"GlobalClusterIdentifier": "shop-global",
             "GlobalClusterMembers": [{"DBClusterArn": rds("cluster", "aur"), "IsWriter": True}]}]
    inv = graph(db.transform_db_clusters(ctx, [cluster], db.global_cluster_members(glob)))
    p = inv.node(rds("cluster", "aur"))["props"]
    assert (p["writer"], p["readers"], p["multi_az"]) == ("aur-1", ["aur-2"], True)
    assert p["azs"] == ["us-east-1a", "us-east-1b"] and p["global_cluster"] == "shop-global"
    row = facts.rds_cluster_rows(inv)[0]
    assert "aur-1" in row and "aur-2" in row and "shop-global" in row


def test_db_snapshot_public_attribute() -> None:
    attrs = {"DBSnapshotAttributesResult": {"DBSnapshotAttributes": [
        {"AttributeName": "restore", "AttributeValues": ["all"]}]}}
    assert db.snapshot_public(attrs, "DBSnapshotAttributesResult") is True
    private = {"DBClusterSnapshotAttributesResult": {"DBClusterSnapshotAttributes": [
        {"AttributeName": "restore", "AttributeValues": ["210987654321"]}]}}
    assert db.snapshot_public(private, "DBClusterSnapshotAttributesResult") is False
    assert db.snapshot_public(None, "DBSnapshotAttributesResult") is None


def test_db_snapshots_public_checked_for_manual_only() -> None:
    """moto's snapshot attributes are not needed here: botocore's Stubber answers the calls."""
    ctx = make_ctx()
    manual = {"DBSnapshotIdentifier": "m1", "DBSnapshotArn": rds("snapshot", "m1"), "DBInstanceIdentifier": "shop",
              "SnapshotType": "manual", "Encrypted": False, "AllocatedStorage": 20}
    auto = {"DBSnapshotIdentifier": "rds:a1", "DBSnapshotArn": rds("snapshot", "rds:a1"),
            "DBInstanceIdentifier": "shop", "SnapshotType": "automated", "Encrypted": True, "KmsKeyId": KEY}
    with Stubber(ctx.client("rds")) as stub:
        stub.add_response("describe_db_snapshots", {"DBSnapshots": [manual, auto]})
        stub.add_response("describe_db_cluster_snapshots", {"DBClusterSnapshots": []})
        stub.add_response("describe_db_snapshot_attributes", {"DBSnapshotAttributesResult": {
            "DBSnapshotIdentifier": "m1",
            "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["all"]}]}},
            {"DBSnapshotIdentifier": "m1"})
        inv = graph(db.collect_db_snapshots(ctx))
        stub.assert_no_pending_responses()
    assert inv.node(rds("snapshot", "m1"))["props"]["public"] is True
    assert inv.node(rds("snapshot", "rds:a1"))["props"]["public"] is None
    assert (rds("snapshot", "m1"), rds("db", "shop")) in rels(inv, "snapshot_of")
    assert facts.rds_snapshot_summary(inv)["public"] == 1


# --- DynamoDB / DAX -----------------------------------------------------------------------------

def test_transform_tables_provisioned_with_autoscaling_and_replicas() -> None:
    ctx = make_ctx()
    table = {"TableName": "orders", "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders",
             "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 10},
             "GlobalSecondaryIndexes": [{"IndexName": "by-customer", "KeySchema": [{"AttributeName": "c"}],
                                         "Projection": {"ProjectionType": "ALL"}}],
             "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY},
             "Replicas": [{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}],
             "ContinuousBackups": {"ContinuousBackupsDescription": {
                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}},
             "Tags": None}
    targets = [{"ResourceId": "table/orders", "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
                "MinCapacity": 5, "MaxCapacity": 100},
               {"ResourceId": "table/orders/index/by-customer",
                "ScalableDimension": "dynamodb:index:WriteCapacityUnits", "MinCapacity": 1, "MaxCapacity": 20},
               {"ResourceId": "table/other", "ScalableDimension": "dynamodb:table:ReadCapacityUnits"}]
    inv = graph(ddb_coll.transform_tables(ctx, [table], ddb_coll.autoscaling_by_table(targets)))
    p = inv.node(table["TableArn"])["props"]
    assert (p["billing_mode"], p["read_capacity"], p["write_capacity"], p["pitr"]) == ("PROVISIONED", 5, 10, False)
    assert [t["resource"] for t in p["autoscaling"]] == ["table", "index/by-customer"]
    assert (table["TableArn"], KEY) in rels(inv, "encrypted_by")
    assert (table["TableArn"], f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/orders") in rels(inv, "replicates_to")
    row = facts.dynamodb_rows(inv)[0]
    assert row[2] == "provisioned 5 RCU / 10 WCU; auto scaling: table read 5-100; index/by-customer write 1-20"


def test_unreadable_pitr_and_autoscaling_are_unknown() -> None:
    table = {"TableName": "t", "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}, "ContinuousBackups": None}
    inv = graph(ddb_coll.transform_tables(make_ctx(), [table], None))
    p = inv.nodes("dynamodb:table")[0]["props"]
    assert p["pitr"] is None and p["autoscaling"] is None and p["encryption"] == "AWS owned key"
    assert facts.dynamodb_rows(inv)[0][4] == "unknown (dynamodb:DescribeContinuousBackups not read)"


def test_transform_dax() -> None:
    ctx = make_ctx()
    c = {"ClusterName": "cache", "ClusterArn": f"arn:aws:dax:us-east-1:{ACCT}:cache/cache", "NodeType": "dax.r5.large",
         "TotalNodes": 3, "Nodes": [{"AvailabilityZone": "us-east-1a"}, {"AvailabilityZone": "us-east-1b"}],
         "SSEDescription": {"Status": "ENABLED"}, "SecurityGroups": [{"SecurityGroupIdentifier": "sg-dax"}],
         "IamRoleArn": f"arn:aws:iam::{ACCT}:role/dax", "ClusterEndpointEncryptionType": "TLS"}
    inv = graph(ddb_coll.transform_dax(ctx, [c]))
    p = inv.node(c["ClusterArn"])["props"]
    assert (p["nodes"], p["encrypted"], p["transit_encryption"], p["azs"]) == (3, True, True, ["us-east-1a", "us-east-1b"])
    assert (c["ClusterArn"], ctx.ec2_arn("security-group", "sg-dax")) in rels(inv, "protected_by")


# --- ElastiCache ----------------------------------------------------------------------------------

def test_transform_elasticache_members_land_in_their_az_subnet() -> None:
    ctx = make_ctx()
    group = {"ReplicationGroupId": "redis", "ARN": f"arn:aws:elasticache:us-east-1:{ACCT}:replicationgroup:redis",
             "MemberClusters": ["redis-001", "redis-002"], "MultiAZ": "enabled", "AutomaticFailover": "enabled",
             "TransitEncryptionEnabled": True, "AtRestEncryptionEnabled": False, "CacheNodeType": "cache.t4g.small",
             "NodeGroups": [{"NodeGroupId": "0001"}]}
    clusters = [{"CacheClusterId": f"redis-00{i}", "ReplicationGroupId": "redis", "Engine": "redis",
                 "PreferredAvailabilityZone": az, "CacheSubnetGroupName": "data", "NumCacheNodes": 1,
                 "SecurityGroups": [{"SecurityGroupId": "sg-cache"}]}
                for i, az in ((1, "us-east-1a"), (2, "us-east-1b"))]
    sng = {"data": {"CacheSubnetGroupName": "data", "VpcId": "vpc-1", "Subnets": [
        {"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "us-east-1a"}},
        {"SubnetIdentifier": "subnet-b", "SubnetAvailabilityZone": {"Name": "us-east-1b"}}]}}
    inv = graph(cache_coll.transform_elasticache(ctx, [group], clusters, sng))
    c1 = f"arn:aws:elasticache:us-east-1:{ACCT}:cluster:redis-001"
    assert {d for s, d in rels(inv, "in_subnet") if s == c1} == {ctx.ec2_arn("subnet", "subnet-a")}
    assert (c1, group["ARN"]) in rels(inv, "member_of")
    assert {d for s, d in rels(inv, "in_subnet") if s == group["ARN"]} == {
        ctx.ec2_arn("subnet", "subnet-a"), ctx.ec2_arn("subnet", "subnet-b")}
    row = facts.cache_group_rows(inv)[0]
    assert row[6:10] == ["yes", "yes", "yes", "no"]  # Multi-AZ, failover, in transit, at rest
    assert row[4] == "2 in 1 shard"


# --- the sample account ---------------------------------------------------------------------------

def _row(text: str, first_cells: str) -> str:
    return next(line for line in text.replace("\\", "").splitlines() if line.startswith(first_cells))


def test_sample_rds_postgres_multi_az_in_6_1(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "6.1")
    row = _row(s, f"| us-east-1 | {sample.ids['rds_id']} |")
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2].startswith("postgres") and cells[3] == "db.m6g.large"
    assert cells[4] == "yes"  # Multi-AZ
    assert cells[7] == "14 days" and cells[8] == "yes"  # backups, deletion protection
    assert "data-a" in cells[11] and "data-b" in cells[11] and "subnet-" not in cells[11]
    assert "None" not in s and "[" not in s.replace("\\[", ""), "no Python reprs in 6.1"


def test_sample_rds_in_data_subnets_and_encrypted(sample: SimpleNamespace) -> None:
    inv, ids = sample.inv, sample.ids
    arn = ids["rds_arn"]
    subnets = {d.rsplit("/", 1)[-1] for s, d in rels(inv, "in_subnet") if s == arn}
    assert subnets == set(ids["data_subnet_ids"])
    keys = {d for s, d in rels(inv, "encrypted_by") if s == arn}
    assert keys and all(inv.node(k)["id"].startswith("arn:aws:kms:") for k in keys)
    assert (arn, f"arn:aws:ec2:us-east-1:{ACCT}:security-group/{ids['sg']['db']}") in rels(inv, "protected_by")


def test_sample_dynamodb_table_in_6_2(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "6.2")
    cells = [c.strip() for c in _row(s, f"| us-east-1 | {sample.ids['dynamodb_table']} |").strip("|").split("|")]
    assert cells[2] == "on demand" and len(cells) == 11  # billing and auto scaling folded into capacity
    assert cells[4] == "yes" and cells[5] == "on: new and old images"  # PITR, stream


def test_sample_redis_group_in_6_3(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "6.3")
    cells = [c.strip() for c in _row(s, f"| us-east-1 | {sample.ids['cache_id']} |").strip("|").split("|")]
    assert cells[2].startswith("redis") and cells[6:9] == ["yes", "yes", "yes"]
    assert cells[9].startswith("yes")
    # each single-node cluster names the subnet of its own AZ, not the whole subnet group
    c1 = _row(s, "| us-east-1 | web-platform-redis-001 |")
    assert "data-a" in c1 and "data-b" not in c1
    group = f"arn:aws:elasticache:us-east-1:{ACCT}:replicationgroup:{sample.ids['cache_id']}"
    subnets = {d.rsplit("/", 1)[-1] for s, d in rels(sample.inv, "in_subnet") if s == group}
    assert subnets == set(sample.ids["data_subnet_ids"])


def test_sample_database_storage_summary_in_4_4(sample: SimpleNamespace) -> None:
    s = section(sample.doc, "4.4")
    assert "| RDS postgres | 1 | 100 GiB | 1 of 1 |" in s
    assert "DynamoDB: 1 table holding" in s and "ElastiCache: 1 replication group," in s
    assert "(s)" not in s


# --- empty and denied accounts (subsection templates rendered alone) --------------------------------

def render_sub(inv: Inventory, number: str) -> str:
    from renderers.document import DocHelpers, environment, load_facts
    from scanner.analysis.model import Analysis

    ctx = {"inv": inv, "meta": inv.meta, "facts": load_facts(), "h": DocHelpers(inv, Analysis(), {})}
    return environment().get_template(f"subsections/{number}.md.j2").render(ctx)


def test_empty_account_says_nothing_was_found_and_names_regions() -> None:
    inv = Inventory(meta={"regions": ["us-east-1", "eu-west-1"]})
    for number, what in (("4.1", "S3 buckets"), ("4.2", "EBS volumes"), ("4.3", "EFS or FSx file systems"),
                         ("4.4", "databases"), ("6.1", "RDS instances or Aurora clusters"),
                         ("6.2", "DynamoDB tables or DAX clusters"), ("6.3", "ElastiCache clusters")):
        text = render_sub(inv, number)
        assert f"No {what} were found in the scanned regions (us-east-1, eu-west-1)" in text, number


def test_denied_rds_listing_is_not_an_empty_account() -> None:
    inv = Inventory(meta={"regions": ["us-east-1"], "runs": [
        {"collector": "rds.instances", "service": "rds", "region": "us-east-1", "status": "denied",
         "calls": 1, "action": "rds:DescribeDBInstances", "message": "access denied"}]})
    text = render_sub(inv, "6.1")
    # instances were denied, clusters were read: never "no RDS instances"
    assert "RDS instances could not be read" in text and "No RDS instances" not in text
    assert "No Aurora/RDS clusters were found" in text
    assert "Not seen" in text and "rds:DescribeDBInstances" in text


# --- per-resource reads fanned out in their lane (scanner/collectors/_fanout.py) ---------------
def test_dynamodb_tables_give_the_same_records_at_any_width():
    """Three reads per table at width 1 and 8: the same nodes, edges and gaps in the same order."""
    from moto import mock_aws

    from tests.test_loadbalancing import assert_same_at_any_width

    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        for n in range(4):
            ddb.create_table(TableName=f"t-{n}", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             Tags=[{"Key": "n", "Value": str(n)}])
        ddb.update_continuous_backups(TableName="t-2", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        tables = assert_same_at_any_width(ddb_coll.collect_tables, "dynamodb")
        denied = assert_same_at_any_width(ddb_coll.collect_tables, "dynamodb",
                                          ("dynamodb:DescribeContinuousBackups",))
    assert tables.count('"dynamodb:table"') == 4
    assert denied.count('"dynamodb:DescribeContinuousBackups"') == 4, "one gap per table, in table order"

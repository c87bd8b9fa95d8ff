"""Data services of issue 12: Redshift (provisioned and Serverless), OpenSearch, MemoryDB,
ElastiCache Serverless and RDS Proxy.

What a user checks: the resource is named in its section with its judged settings, the plain
risks become findings, and a read that was denied reads "unknown", never "no". Moto serves
Redshift, OpenSearch, MemoryDB and RDS Proxy; Redshift Serverless and ElastiCache Serverless
are answered through botocore's Stubber. The recorded shapes under tests/data/recorded/data/
(written from the botocore models and AWS documentation examples: fields missing, nulls,
values newer than the model, naive timestamps) go through every transform.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from fixtures.aws import client, tags
from renderers.diagrams import architecture
from renderers.report import write_report
from scanner import judge, kinds
from scanner.analysis import analyze
from scanner.collectors import load_all, memorydb, opensearch, rds_proxy, redshift
from scanner.context import ScanContext
from scanner.inventory import Inventory
from scanner.runner import scan
from scanner.session import make_session, verify_identity
from tests.conftest import section
from tests.support.denials import deny
from tests.support.markdown import table

ACCT = "123456789012"
REGION = "us-east-1"
RECORDED = Path(__file__).parent / "data" / "recorded" / "data"
TIME_KEYS = ("Time", "Date", "date", "creationDate")


# --- helpers ----------------------------------------------------------------------------------

def make_ctx() -> ScanContext:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION)
    return ScanContext(session, REGION, ACCT, home_region=REGION, regions=(REGION,))


def _times(value: Any, key: str = "") -> Any:
    """Timestamps as botocore hands them over: datetimes (naive where the text has no zone)."""
    if isinstance(value, dict):
        return {k: _times(v, k) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_times(v, key) for v in value]
    if isinstance(value, str) and key.endswith(TIME_KEYS):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def recorded(name: str) -> Any:
    return _times(json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8")))


def graph(*records: Any, runs: list[dict[str, Any]] | None = None) -> Inventory:
    inv = Inventory(meta={"regions": [REGION], "runs": runs or []})
    inv.meta.setdefault("gaps", [])
    inv.merge(list(records))
    judge.run(inv)
    return inv


def render_sub(inv: Inventory, number: str) -> str:
    from renderers.document import DocHelpers, environment, load_facts
    from scanner.analysis.model import Analysis

    ctx = {"inv": inv, "meta": inv.meta, "facts": load_facts(), "h": DocHelpers(inv, Analysis(), {})}
    return environment().get_template(f"subsections/{number}.md.j2").render(ctx)


def spec_problems(inv: Inventory) -> dict[str, list[str]]:
    return {n["id"]: p for n in inv.nodes(include_external=False) if (p := kinds.spec(n["kind"]).problems(n["props"]))}


def findings(scan: SimpleNamespace, rule: str) -> list[Any]:
    return [f for f in scan.analysis.findings if f.rule == rule]


# --- a small account with the plain risks, on moto ------------------------------------------

OPEN_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}]}


def build_risky() -> dict[str, Any]:
    ec2 = client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"{REGION}{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab", 1)]
    sg = ec2.create_security_group(GroupName="data", Description="data stores", VpcId=vpc)["GroupId"]
    rs = client("redshift", REGION)
    rs.create_cluster_subnet_group(ClusterSubnetGroupName="dw", Description="dw", SubnetIds=subnets)
    rs.create_cluster(ClusterIdentifier="orders-dw", NodeType="dc2.large", ClusterType="multi-node",
                      NumberOfNodes=2, MasterUsername="admin", MasterUserPassword="Passw0rd-example",
                      ClusterSubnetGroupName="dw", VpcSecurityGroupIds=[sg], AvailabilityZone=f"{REGION}a",
                      PubliclyAccessible=True, Encrypted=False, Tags=tags(Project="orders"))
    es = client("opensearch", REGION)
    es.create_domain(DomainName="orders-search", EngineVersion="OpenSearch_2.11",
                     ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
                     EBSOptions={"EBSEnabled": True, "VolumeSize": 10}, AccessPolicies=json.dumps(OPEN_POLICY),
                     EncryptionAtRestOptions={"Enabled": False}, NodeToNodeEncryptionOptions={"Enabled": False})
    es.create_domain(DomainName="orders-logs", EngineVersion="Elasticsearch_7.10",
                     ClusterConfig={"InstanceType": "m5.large.search", "InstanceCount": 2},
                     AccessPolicies=json.dumps(OPEN_POLICY), VPCOptions={"SubnetIds": subnets, "SecurityGroupIds": [sg]},
                     EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True})
    mem = client("memorydb", REGION)
    mem.create_subnet_group(SubnetGroupName="mem", SubnetIds=subnets)
    mem.create_cluster(ClusterName="orders-mem", NodeType="db.t4g.small", ACLName="open-access", TLSEnabled=False,
                       SubnetGroupName="mem", SecurityGroupIds=[sg], NumShards=1, NumReplicasPerShard=1)
    rds = client("rds", REGION)
    rds.create_db_subnet_group(DBSubnetGroupName="db", SubnetIds=subnets, DBSubnetGroupDescription="db")
    rds.create_db_instance(DBInstanceIdentifier="orders-db", Engine="mysql", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="Passw0rd-example",
                           DBSubnetGroupName="db", StorageEncrypted=True)
    rds.create_db_proxy(DBProxyName="orders-proxy", EngineFamily="MYSQL", RequireTLS=False,
                        Auth=[{"AuthScheme": "SECRETS", "IAMAuth": "DISABLED",
                               "SecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:orders-db"}],
                        RoleArn=f"arn:aws:iam::{ACCT}:role/orders-proxy", VpcSubnetIds=subnets,
                        VpcSecurityGroupIds=[sg])
    rds.register_db_proxy_targets(DBProxyName="orders-proxy", DBInstanceIdentifiers=["orders-db"])
    return {"vpc": vpc, "subnets": subnets, "sg": sg}


#: the collectors these tests need (the network they sit in, the proxied database, the stores):
#: a whole-account scan would only add time
SCANNED = ("ec2.vpcs", "ec2.subnets", "ec2.security_groups", "ec2.route_tables", "rds.instances",
           "rds.clusters", "rds.proxies", "redshift.clusters", "opensearch.domains", "memorydb.clusters")


def scan_some(out: Path, before_scan: Any = None) -> SimpleNamespace:
    """``tests.conftest.scan_account`` for the collectors in SCANNED only, in one region."""
    with mock_aws():
        ids = build_risky()
        session = make_session(None, REGION)
        if before_scan:
            before_scan(session)
        colls = [c for c in load_all() if c.name in SCANNED]
        inv = scan(session, verify_identity(session), [REGION], name="Test Platform", alias="test-alias",
                   collectors=colls)
    analysis = analyze(inv, {})
    files = write_report(inv, analysis, out, project_name="Test Platform")
    return SimpleNamespace(ids=ids, inv=inv, analysis=analysis, doc=files.document.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    return scan_some(tmp_path_factory.mktemp("risky"))


@pytest.fixture(scope="module")
def denied(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    return scan_some(tmp_path_factory.mktemp("denied"),
                     deny("opensearch:DescribeDomains", "rds:DescribeDBProxyTargets", "redshift:DescribeClusters"))


def test_redshift_cluster_named_in_6_1_publicly_accessible_and_unencrypted(risky: SimpleNamespace) -> None:
    rows = table(section(risky.doc, "6.1"), "| Region | Cluster | Nodes |")
    row = next(r for r in rows if r["Cluster"] == "orders-dw")
    assert row["Publicly accessible"] == "yes" and row["Encrypted"] == "no"
    assert row["Nodes"] == "2 x dc2.large" and row["Subnets (AZs)"].endswith(f"({REGION}a)")
    public = findings(risky, "DB-101")
    assert [f.status for f in public] == ["open"] and "PubliclyAccessible=true" in public[0].evidence[0]
    assert [f.status for f in findings(risky, "DB-102")] == ["open"]
    assert findings(risky, "DB-109") == []  # automated snapshots kept 1 day (the default)
    assert "DB-101" in section(risky.doc, "6.1")  # the finding is stated where the cluster is


def test_redshift_cluster_is_placed_in_its_vpc_on_the_architecture_diagram(risky: SimpleNamespace) -> None:
    arn = f"arn:aws:redshift:{REGION}:{ACCT}:cluster:orders-dw"
    model = architecture.build_model(risky.inv, risky.analysis)
    items = [it for it in model.items.values() if arn in it.members]
    assert items and items[0].vpc and items[0].vpc.endswith(risky.ids["vpc"])
    source = "\n".join(d.graph.source for d in architecture.build(risky.inv, risky.analysis))
    assert "orders-dw" in source


def test_open_opensearch_domains_are_findings_by_endpoint(risky: SimpleNamespace) -> None:
    rows = {r["Domain"]: r for r in table(section(risky.doc, "6.2"), "| Region | Domain |")}
    assert rows["orders-search"]["Endpoint"] == "public endpoint"
    assert rows["orders-search"]["Policy open to anyone"] == "yes"
    assert rows["orders-search"]["Encrypted at rest"] == "no" and rows["orders-search"]["Node-to-node encryption"] == "no"
    assert rows["orders-logs"]["Endpoint"].startswith("VPC") and rows["orders-logs"]["Engine"] == "Elasticsearch_7.10"
    critical = findings(risky, "DB-103")
    assert [(f.status, f.severity) for f in critical] == [("open", "critical")]
    assert critical[0].resources == [f"arn:aws:es:{REGION}:{ACCT}:domain/orders-search"]
    in_vpc = findings(risky, "DB-104")
    assert [f.resources for f in in_vpc] == [[f"arn:aws:es:{REGION}:{ACCT}:domain/orders-logs"]]
    assert [f.resources[0].rsplit("/", 1)[-1] for f in findings(risky, "DB-105")] == ["orders-search"]


def test_memorydb_without_tls_and_proxy_without_tls(risky: SimpleNamespace) -> None:
    mem = table(section(risky.doc, "6.3"), "| Region | Cluster | Engine | Node type | Shards |")
    assert mem[0]["Cluster"] == "orders-mem" and mem[0]["TLS"] == "no" and mem[0]["ACL"] == "open-access"
    assert mem[0]["Encrypted at rest"].startswith("yes")
    assert [f.status for f in findings(risky, "DB-106")] == ["open"]
    proxy = table(section(risky.doc, "6.1"), "| Region | Proxy |")[0]
    assert proxy["Proxy"] == "orders-proxy" and proxy["Require TLS"] == "no" and proxy["Targets"] == "orders-db"
    assert [f.status for f in findings(risky, "DB-107")] == ["open"]
    target = f"arn:aws:rds:{REGION}:{ACCT}:db:orders-db"
    assert any(d == target for _, d, _ in risky.inv.edges("targets"))


def test_database_storage_summary_counts_the_new_stores(risky: SimpleNamespace) -> None:
    s = section(risky.doc, "4.4")
    assert "Redshift: 1 cluster with 2 nodes (dc2.large)" in s
    assert "OpenSearch: 2 domains" in s and "MemoryDB: 1 cluster" in s


def test_denied_reads_are_unknown_not_no(denied: SimpleNamespace) -> None:
    rows = {r["Domain"]: r for r in table(section(denied.doc, "6.2"), "| Region | Domain |")}
    assert set(rows) == {"orders-search", "orders-logs"}  # listed, though not described
    for cell in ("Encrypted at rest", "Policy open to anyone", "Node-to-node encryption", "Endpoint"):
        assert rows["orders-search"][cell].startswith("unknown (es:DescribeDomains"), cell
    assert "Partly seen" in section(denied.doc, "6.2") and "es:DescribeDomains" in section(denied.doc, "6.2")
    for rule in ("DB-103", "DB-105"):
        assert findings(denied, rule) and all(f.status == "not_assessed" for f in findings(denied, rule)), rule
    proxy = table(section(denied.doc, "6.1"), "| Region | Proxy |")[0]
    assert proxy["Targets"].startswith("unknown (rds:DescribeDBProxyTargets")
    assert proxy["Require TLS"] == "no"  # the proxy itself was read
    s61 = section(denied.doc, "6.1")
    assert "redshift:DescribeClusters" in s61 and "Redshift clusters: not listed" in s61
    assert "No Redshift clusters" not in s61
    assert all(f.status == "not_assessed" for f in findings(denied, "DB-101"))


# --- the services moto does not serve: Stubber answers ------------------------------------------

def test_redshift_serverless_workgroup_public_in_6_1_and_a_finding() -> None:
    ctx = make_ctx()
    stub = Stubber(ctx.client("redshift-serverless"))
    stub.add_response("list_workgroups", {"workgroups": [{
        "workgroupName": "bi-wg", "workgroupArn": f"arn:aws:redshift-serverless:{REGION}:{ACCT}:workgroup/w-1",
        "workgroupId": "w-1", "namespaceName": "bi-ns", "baseCapacity": 32, "publiclyAccessible": True,
        "subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"], "status": "AVAILABLE"}]})
    stub.add_response("list_namespaces", {"namespaces": [{
        "namespaceName": "bi-ns", "namespaceId": "n-1", "kmsKeyId": "AWS_OWNED_KMS_KEY",
        "namespaceArn": f"arn:aws:redshift-serverless:{REGION}:{ACCT}:namespace/n-1"}]})
    with stub:
        records = redshift.collect_serverless(ctx)
    runs = [{"collector": "redshift-serverless.workgroups", "service": "redshift-serverless", "region": REGION,
             "status": "ok", "calls": 2}]
    inv = graph(records, runs=runs)
    assert spec_problems(inv) == {}
    row = table(render_sub(inv, "6.1"), "| Region | Workgroup |")[0]
    assert row["Workgroup"] == "bi-wg" and row["Publicly accessible"] == "yes"
    assert row["Base capacity"] == "32 RPU" and row["Encrypted (namespace)"] == "yes (AWS owned key)"
    hit = [f for f in analyze(inv, {}).findings if f.rule == "DB-108"]
    assert [f.status for f in hit] == ["open"]


def test_elasticache_serverless_cache_in_6_3() -> None:
    ctx = make_ctx()
    stub = Stubber(ctx.client("elasticache"))
    stub.add_response("describe_serverless_caches", {"ServerlessCaches": [{
        "ServerlessCacheName": "sessions", "Engine": "valkey", "FullEngineVersion": "8.0", "Status": "available",
        "CacheUsageLimits": {"DataStorage": {"Maximum": 10, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 5000}},
        "SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "SnapshotRetentionLimit": 3,
        "ARN": f"arn:aws:elasticache:{REGION}:{ACCT}:serverlesscache:sessions"}]})
    with stub:
        records = memorydb.collect_serverless_caches(ctx)
    inv = graph(records)
    row = table(render_sub(inv, "6.3"), "| Region | Cache |")[0]
    assert (row["Cache"], row["Engine"], row["Max storage"]) == ("sessions", "valkey 8.0", "10 GB")
    assert row["Encrypted at rest"] == "yes (AWS owned key)" and row["Snapshot retention"] == "3 days"


def test_nothing_found_says_so_and_names_the_regions() -> None:
    runs = [{"collector": c, "service": c.split(".")[0], "region": REGION, "status": "ok", "calls": 1}
            for c in ("redshift.clusters", "rds.proxies", "opensearch.domains", "memorydb.clusters")]
    inv = graph(runs=runs)
    assert f"No Redshift clusters, Redshift Serverless workgroups or RDS Proxies in the scanned regions ({REGION})" \
        in render_sub(inv, "6.1")
    assert "No OpenSearch domains in the scanned regions" in render_sub(inv, "6.2")
    assert "No MemoryDB clusters or ElastiCache Serverless caches" in render_sub(inv, "6.3")


# --- transforms: policy, placement, targets -----------------------------------------------------

@pytest.mark.parametrize(("policy", "expected"), [
    (json.dumps(OPEN_POLICY), True),
    ('{"Statement":{"Effect":"Allow","Principal":"*","Action":"es:*"}}', True),
    (json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
                                "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}), False),
    (json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                                "Action": "es:*"}]}), False),
    ("", False),
    (None, None),
    ("{not json", None),
])
def test_domain_policy_open(policy: str | None, expected: bool | None) -> None:
    assert opensearch.policy_open(policy) is expected


def test_fine_grained_access_control_makes_an_open_policy_not_open_to_anyone() -> None:
    ctx = make_ctx()
    base = {"DomainName": "d", "Endpoint": "search-d.example", "AccessPolicies": json.dumps(OPEN_POLICY),
            "EncryptionAtRestOptions": {"Enabled": True}, "NodeToNodeEncryptionOptions": {"Enabled": True}}
    fgac = {**base, "AdvancedSecurityOptions": {"Enabled": True, "AnonymousAuthEnabled": False}}
    for desc, state in ((base, "yes"), (fgac, "no")):
        inv = graph(opensearch.transform_domains(ctx, [{"DomainName": "d"}], {"d": desc}))
        node = inv.nodes("opensearch:domain")[0]
        assert inv.fact(node["id"], "policy_open").state == "yes"
        assert inv.fact(node["id"], "open_to_anyone").state == state


def test_redshift_subnets_follow_the_cluster_az_and_unread_groups_stay_unknown() -> None:
    ctx = make_ctx()
    group = recorded("redshift_describe_cluster_subnet_groups")["ClusterSubnetGroups"][0]
    cluster = {"ClusterIdentifier": "c", "ClusterSubnetGroupName": "analytics", "AvailabilityZone": "us-east-1b",
               "PubliclyAccessible": False, "Encrypted": True}
    inv = graph(redshift.transform_clusters(ctx, [cluster], {"analytics": group}))
    node = inv.nodes("redshift:cluster")[0]
    assert node["props"]["subnet_ids"] == ["subnet-0a1b2c3d"] and node["props"]["vpc_id"] == "vpc-7e3fcd14"
    unread = graph(redshift.transform_clusters(ctx, [cluster], None))
    assert unread.nodes("redshift:cluster")[0]["props"]["subnet_ids"] is None
    row = table(render_sub(unread, "6.1"), "| Region | Cluster |")[0]
    assert row["Subnets (AZs)"].startswith("unknown") and row["Encrypted"].startswith("yes")


def test_proxy_targets_name_the_cluster_not_its_members() -> None:
    ctx = make_ctx()
    got = rds_proxy.target_ids(ctx, recorded("rds_describe_db_proxy_targets")["aurora-proxy"]["Targets"])
    assert got == [(f"arn:aws:rds:{REGION}:{ACCT}:cluster:orders-aurora", "orders-aurora")]


# --- recorded shapes: every transform takes AWS's own answers -----------------------------------

def _all_recorded(ctx: ScanContext) -> Inventory:
    groups = {g["ClusterSubnetGroupName"]: g for g in recorded("redshift_describe_cluster_subnet_groups")
              ["ClusterSubnetGroups"] if g.get("ClusterSubnetGroupName")}
    domains = {d["DomainName"]: d for d in recorded("opensearch_describe_domains")["DomainStatusList"]
               if d.get("DomainName")}
    mem_groups = {g["Name"]: g for g in recorded("memorydb_describe_subnet_groups")["SubnetGroups"] if g.get("Name")}
    targets = {k: (v or {}).get("Targets") if v is not None else None
               for k, v in recorded("rds_describe_db_proxy_targets").items()}
    return graph(
        redshift.transform_clusters(ctx, recorded("redshift_describe_clusters")["Clusters"], groups),
        redshift.transform_serverless(ctx, recorded("redshift_serverless_list_workgroups")["workgroups"],
                                      recorded("redshift_serverless_list_namespaces")["namespaces"]),
        opensearch.transform_domains(ctx, recorded("opensearch_list_domain_names")["DomainNames"], domains,
                                     {"search-vpc": [{"Key": "Project", "Value": "search"}], "legacy-logs": None}),
        memorydb.transform_memorydb(ctx, recorded("memorydb_describe_clusters")["Clusters"], mem_groups),
        memorydb.transform_serverless_caches(ctx, recorded("elasticache_describe_serverless_caches")["ServerlessCaches"]),
        rds_proxy.transform_proxies(ctx, recorded("rds_describe_db_proxies")["DBProxies"], targets),
    )


def test_recorded_shapes_go_through_every_transform_and_the_document() -> None:
    inv = _all_recorded(make_ctx())
    assert spec_problems(inv) == {}
    count = {k: len(inv.nodes(k)) for k in ("redshift:cluster", "redshift-serverless:workgroup",
                                            "redshift-serverless:namespace", "opensearch:domain",
                                            "memorydb:cluster", "elasticache:serverless-cache", "rds:proxy")}
    # items without their name are skipped, every other one is kept
    assert count == {"redshift:cluster": 4, "redshift-serverless:workgroup": 2, "redshift-serverless:namespace": 2,
                     "opensearch:domain": 6, "memorydb:cluster": 3, "elasticache:serverless-cache": 3,
                     "rds:proxy": 3}
    for number in ("4.4", "6.1", "6.2", "6.3"):
        text = render_sub(inv, number)
        assert "None" not in text and "Traceback" not in text, number
    analyze(inv, {})  # the rules take these shapes too


def test_recorded_shapes_keep_unread_settings_unknown_and_say_what_was_not_understood() -> None:
    inv = _all_recorded(make_ctx())

    def fact(kind: str, name: str, f: str) -> str:
        node = next(n for n in inv.nodes(kind) if n["name"] == name)
        return inv.fact(node["id"], f).state

    assert fact("redshift:cluster", "mycluster", "public") == "yes"
    assert fact("redshift:cluster", "mycluster", "encrypted") == "no"
    assert fact("redshift:cluster", "sparse", "public") == "unknown"
    assert fact("redshift:cluster", "odd-values", "encrypted") == "unknown"  # "maybe" is not a yes
    assert fact("redshift:cluster", "encrypted-multiaz", "automated_snapshots") == "no"
    assert fact("redshift:cluster", "sparse", "automated_snapshots") == "unknown"
    assert fact("opensearch:domain", "search-vpc", "policy_open") == "yes"
    assert fact("opensearch:domain", "search-vpc", "open_to_anyone") == "no"  # fine-grained access control
    assert fact("opensearch:domain", "public-open", "open_to_anyone") == "yes"  # anonymous access on
    assert fact("opensearch:domain", "legacy-logs", "policy_open") == "no"  # aws:SourceIp condition
    assert fact("opensearch:domain", "sparse", "encrypted") == "unknown"
    assert fact("opensearch:domain", "not-described", "public") == "unknown"
    assert fact("memorydb:cluster", "sparse", "tls") == "unknown"
    assert fact("rds:proxy", "sparse", "require_tls") == "unknown"
    assert fact("elasticache:serverless-cache", "plain", "encrypted") == "no"
    reasons = {g["reason"] for g in inv.meta["gaps"]}
    assert "the domain access policy could not be parsed" in reasons
    assert "target type 'SOME_FUTURE_TYPE' not understood" in reasons
    timed = next(n for n in inv.nodes("redshift:cluster") if n["name"] == "encrypted-multiaz")
    assert timed["props"]["created"] == "2024-03-01T10:00:00+00:00"  # a naive time read as UTC
    assert timed["props"]["subnet_ids"] == ["subnet-763fdd1c", "subnet-0a1b2c3d"]  # both AZs of Multi-AZ

"""Section 10: estimates from the embedded price table match hand-computed values; savings for planted waste."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.stub import Stubber

from scanner.analysis.cost import estimate
from scanner.analysis.prices import PriceBook, fetch_live, hourly_from_price_list
from scanner.inventory import Inventory, Records
from tests.conftest import scan_account, section

H = 730


@pytest.fixture(scope="module")
def waste(tmp_path_factory) -> SimpleNamespace:
    from fixtures.wasteful import build_wasteful

    return scan_account(build_wasteful, tmp_path_factory.mktemp("waste"), regions=["us-east-1"])


def inv_of(*nodes: tuple[str, str, dict], region: str = "us-east-1") -> Inventory:
    out = Records(region=region, account="123456789012")
    for nid, kind, props in nodes:
        out.node(nid, kind, nid.rsplit("/", 1)[-1], **props)
    inv = Inventory(meta={"regions": [region]})
    inv.merge([out])
    return inv


def test_hand_computed_prices_for_each_priced_kind():
    inv = inv_of(
        ("arn:i/1", "ec2:instance", {"instance_type": "t3.medium", "state": "running"}),
        ("arn:v/1", "ebs:volume", {"volume_type": "gp3", "size_gb": 100, "iops": 4000, "throughput": 125}),
        ("arn:db/1", "rds:instance", {"instance_class": "db.m6g.large", "engine": "postgres", "multi_az": True,
                                      "storage_gb": 100, "storage_type": "gp3"}),
        ("arn:nat/1", "ec2:nat-gateway", {"state": "available"}),
        ("arn:lb/1", "elbv2:load-balancer", {"type": "application"}),
        ("arn:eip/1", "ec2:elastic-ip", {"association_id": None}),
        ("arn:c/1", "elasticache:cluster", {"node_type": "cache.t4g.small", "num_nodes": 2}),
        ("arn:t/1", "dynamodb:table", {"billing_mode": "PROVISIONED", "read_capacity": 10, "write_capacity": 5,
                                       "size_bytes": 2_000_000_000}),
        ("arn:fn/1", "lambda:function", {"memory": 512}),
        ("arn:b/1", "s3:bucket", {"size_bytes": 500_000_000_000}),
    )
    c = estimate(inv, PriceBook())
    got = {i["id"]: i["monthly"] for i in c["items"]}
    assert got["arn:i/1"] == round(0.0416 * H, 2) == 30.37
    assert got["arn:v/1"] == round(100 * 0.08 + 1000 * 0.005, 2) == 13.0
    assert got["arn:db/1"] == round(0.152 * 1.05 * H * 2 + 100 * 0.115 * 2, 2) == 256.02
    assert got["arn:nat/1"] == 32.85
    assert got["arn:lb/1"] == round(0.0225 * H, 2) == 16.43
    assert got["arn:eip/1"] == 3.65
    assert got["arn:c/1"] == round(0.032 * H * 2, 2) == 46.72
    assert got["arn:t/1"] == round((10 * 0.00013 + 5 * 0.00065) * H + 2 * 0.25, 2) == 3.82
    assert got["arn:fn/1"] == round(0.5 * 0.1 * 1e6 * 0.0000166667 + 0.20, 2) == 1.03
    assert got["arn:b/1"] == 11.5
    assert c["total"] == round(sum(got.values()), 2)
    assert c["by_service"]["RDS"] == 256.02


def test_regional_factor_applies_outside_us_east_1():
    c = estimate(inv_of(("arn:i/1", "ec2:instance", {"instance_type": "t3.medium", "state": "running"}),
                        region="eu-west-1"), PriceBook())
    assert c["items"][0]["monthly"] == round(0.0416 * 1.11 * H, 2)


def test_unknown_types_are_listed_not_zero():
    inv = inv_of(("arn:i/x", "ec2:instance", {"instance_type": "x9z.mega", "state": "running"}),
                 ("arn:b/x", "s3:bucket", {"size_bytes": None}),
                 ("arn:i/s", "ec2:instance", {"instance_type": "t3.medium", "state": "stopped"}))
    c = estimate(inv, PriceBook())
    assert c["total"] == 0 and c["items"] == []
    reasons = {u["id"]: u["reason"] for u in c["unpriced"]}
    assert "x9z.mega" in reasons["arn:i/x"]
    assert "size unknown" in reasons["arn:b/x"]
    assert "arn:i/s" not in reasons, "a stopped instance has no compute charge; it is not 'unpriced'"


def test_wasteful_account_estimate_in_10_1(waste):
    s = section(waste.doc, "10.1")
    assert "per month" in s and "2026-11-25" in s and "730 hours" in s
    assert "VPC (NAT gateways)" in s and "$65.70" in s
    assert "m4.large, 730 h at $0.1000/h" in s
    assert "wasteful-no-lifecycle" in s, "the bucket is priced by its size or listed as not priced"


def test_planted_waste_yields_savings_with_dollars(waste):
    by_rule: dict[str, list] = {}
    for f in waste.analysis.open_findings():
        by_rule.setdefault(f.rule, []).append(f)

    def saving(rule: str, needle: str) -> list:
        return [f.savings_monthly for f in by_rule.get(rule, []) if needle in " ".join(f.evidence + f.resources)]

    # problems the rules engine reports carry the savings priced for 10.2 (one finding, not two)
    vol = waste.ids["unattached_volume"]
    assert saving("COST-001", vol) == [10.0] and not saving("SAV-001", vol)
    assert saving("COST-003", vol) == [2.0]
    assert saving("COST-002", waste.ids["idle_eip"]) == [3.65]
    assert saving("SAV-004", waste.ids["running_instance"]) == [round((0.10 - 0.096) * H, 2)]
    assert saving("SAV-005", waste.ids["stopped_instance"])
    assert [f.savings_monthly for f in by_rule["SAV-007"]] == [round((100 * 0.00013 + 100 * 0.00065) * H * 0.5, 2)]
    nat = by_rule["SAV-008"][0]
    assert nat.savings_monthly == 32.85 and any("trade-off" in e for e in nat.evidence)
    assert saving("SAV-009", waste.ids["bucket"])
    s = section(waste.doc, "10.2")
    assert "COST-001" in s and "$10.00" in s and "SAV-008" in s and "$32.85" in s
    assert waste.analysis.cost["savings_total"] >= 10.0 + 2.0 + 3.65 + 32.85


def test_live_prices_with_stubber_and_disk_cache(tmp_path, monkeypatch):
    """moto has no Price List API: botocore Stubber, then the on-disk cache answers the second run."""
    import boto3

    import scanner.session as session_mod

    inv = inv_of(("arn:i/1", "ec2:instance", {"instance_type": "t3.medium", "state": "running"}))
    session = boto3.Session(region_name="us-east-1")
    pricing = session.client("pricing", region_name="us-east-1")
    offer = {"terms": {"OnDemand": {"X": {"priceDimensions": {"Y": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0500"}}}}}}}
    stub = Stubber(pricing)
    stub.add_response("get_products", {"PriceList": [json.dumps(offer)], "FormatVersion": "aws_v1"})
    stub.activate()
    monkeypatch.setattr(session_mod, "client", lambda *a, **k: pricing)
    cache = tmp_path / "cache.json"
    pb = fetch_live(session, inv, cache)
    stub.assert_no_pending_responses()
    assert pb.live == {"ec2|t3.medium|us-east-1": 0.05}
    assert estimate(inv, pb)["items"][0]["monthly"] == 36.5
    # second run: no API call (the stub has no responses left and would raise)
    assert fetch_live(session, inv, cache).live == {"ec2|t3.medium|us-east-1": 0.05}
    assert json.loads(cache.read_text()) == {"ec2|t3.medium|us-east-1": 0.05}


def test_price_list_parsing_ignores_zero_and_non_hourly():
    docs = [json.dumps({"terms": {"OnDemand": {"a": {"priceDimensions": {
        "b": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0000000000"}},
        "c": {"unit": "GB-Mo", "pricePerUnit": {"USD": "0.10"}},
        "d": {"unit": "Hrs", "pricePerUnit": {"USD": "0.1234"}}}}}}})]
    assert hourly_from_price_list(docs) == 0.1234


def test_reserved_instance_saving_discounts_instance_hours_only():
    from scanner.analysis.savings import RDS_RI_DISCOUNT, steady_databases

    inv = inv_of(("arn:db/1", "rds:instance", {"instance_class": "db.m6g.large", "engine": "postgres",
                                               "multi_az": True, "storage_gb": 100, "storage_type": "gp3"}))
    (f,) = list(steady_databases(inv, PriceBook()))
    instance = 0.152 * 1.05 * H * 2
    assert f.savings_monthly == round(instance * RDS_RI_DISCOUNT, 2)   # not the storage too
    assert f"${instance:.2f} instance hours" in f.evidence[0]


def test_10_2_keeps_trade_offs_out_of_the_headline(waste):
    from renderers.facts.cost import savings, savings_totals

    groups = {g["rule"]: g for g in savings(waste.analysis)}
    nat = groups["SAV-008"]
    nat_finding = next(f for f in waste.analysis.open_findings() if f.rule == "SAV-008")
    assert nat["tradeoff"] and nat["count"] == len(nat_finding.resources)   # resources, not findings
    t = savings_totals(waste.analysis)
    assert t["tradeoff"] == 32.85
    s = section(waste.doc, "10.2")
    assert "not counted in that figure" in s and "(trade-off, not counted)" in s
    assert "| Details in |" not in s


def test_10_1_names_each_resource_once(sample):
    rows = [line for line in section(sample.doc, "10.1").splitlines() if line.startswith("| web-app")]
    assert len(rows) == 2 and len(set(r.split("|")[1] for r in rows)) == 2   # web-app (i-...) twice, distinct


# --- issue 13: every kind that bills by the hour or month is priced, or listed as not priced ------
def build(*nodes: tuple, edges: tuple[tuple[str, str, str], ...] = ()) -> Inventory:
    """An inventory of hand-written nodes: (id, kind, props) or (id, kind, props, region)."""
    batches = []
    for spec in nodes:
        nid, kind, props, region = (*spec, "us-east-1") if len(spec) == 3 else spec
        out = Records(region=region, account="123456789012")
        out.node(nid, kind, nid.rsplit("/", 1)[-1], **props)
        batches.append(out)
    rel = Records(region="us-east-1", account="123456789012")
    for src, dst, r in edges:
        rel.edge(src, dst, r)
    inv = Inventory(meta={"regions": ["us-east-1"]})
    inv.merge([*batches, rel])
    return inv


def monthly(c: dict, nid: str, label: str = "") -> float:
    (item,) = [i for i in c["items"] if i["id"] == nid and (label in i["name"] if label else "(" not in i["name"])]
    return item["monthly"]


def test_hand_computed_prices_for_the_kinds_issue_13_adds():
    inv = build(
        ("arn:eks/1", "eks:cluster", {"status": "ACTIVE"}),
        ("arn:ng/1", "eks:nodegroup", {"instance_types": ["m6i.large"], "desired": 2, "asg_names": ["eks-x"],
                                       "capacity_type": "ON_DEMAND"}),
        ("arn:td/1", "ecs:task-definition", {"cpu": 1024, "memory": 2048}),
        ("arn:svc/1", "ecs:service", {"launch_type": "FARGATE", "running": 2, "desired": 3}),
        ("arn:vpn/1", "ec2:vpn-connection", {"state": "available"}),
        ("arn:tgw/1", "ec2:transit-gateway", {"tgw_id": "tgw-1", "state": "available"}),
        ("arn:att/1", "ec2:transit-gateway-attachment", {"tgw_id": "tgw-1", "resource_type": "vpc", "state": "available"}),
        ("arn:vpce/1", "ec2:vpc-endpoint", {"endpoint_type": "Interface", "subnet_ids": ["s-1", "s-2", "s-3"]}),
        ("arn:vpce/2", "ec2:vpc-endpoint", {"endpoint_type": "Gateway", "subnet_ids": []}),
        ("arn:i/1", "ec2:instance", {"instance_type": "t3.micro", "state": "running", "public_ip": "54.1.2.3"}),
        ("arn:alb/1", "elbv2:load-balancer", {"name": "alb", "type": "application", "scheme": "internet-facing",
                                              "azs": ["us-east-1a", "us-east-1b"]}),
        ("arn:waf/1", "wafv2:web-acl", {"rule_count": 3}),
        ("arn:kms/1", "kms:key", {"manager": "CUSTOMER", "state": "Enabled"}),
        ("arn:kms/2", "kms:key", {"manager": "AWS", "state": "Enabled"}),
        ("arn:kms/3", "kms:key", {"manager": "CUSTOMER", "state": "PendingDeletion"}),
        ("arn:sec/1", "secretsmanager:secret", {"deleted": False}),
        ("arn:zone/1", "route53:hosted-zone", {"name": "example.com"}, "global"),
        ("arn:hc/1", "route53:health-check", {"type": "HTTPS", "target": "x.us-east-1.elb.amazonaws.com",
                                              "interval": 30}, "global"),
        ("arn:hc/2", "route53:health-check", {"type": "HTTP", "target": "203.0.113.10", "interval": 30}, "global"),
        ("arn:alarm/1", "cloudwatch:alarm", {"composite": False, "period": 300}),
        ("arn:alarm/2", "cloudwatch:alarm", {"composite": True}),
        ("arn:alarm/3", "cloudwatch:alarm", {"composite": False, "period": 10}),
        ("arn:dash/1", "cloudwatch:dashboard", {"name": "ops"}),
        ("arn:lg/1", "logs:log-group", {"stored_bytes": 10_000_000_000}),
        ("arn:p/1", "ssm:parameter", {"tier": "Advanced"}),
        ("arn:p/2", "ssm:parameter", {"tier": "Standard"}),
        ("arn:snap/1", "rds:snapshot", {"type": "manual", "storage_gb": 50}),
        ("arn:snap/2", "rds:snapshot", {"type": "automated", "storage_gb": 50}),
        ("arn:dax/1", "dax:cluster", {"node_type": "dax.r5.large", "nodes": 3}),
        ("arn:pipe/1", "codepipeline:pipeline", {"name": "release"}),
        edges=(("arn:svc/1", "arn:td/1", "runs"),),
    )
    c = estimate(inv, PriceBook())
    assert monthly(c, "arn:eks/1") == round(0.10 * H, 2) == 73.00
    assert monthly(c, "arn:ng/1") == round(2 * 0.096 * H, 2) == 140.16        # its instances are not in the scan
    assert monthly(c, "arn:svc/1") == round(2 * (1 * 0.04048 + 2 * 0.004445) * H, 2) == 72.08   # 2 running tasks
    assert monthly(c, "arn:vpn/1") == 36.50
    assert monthly(c, "arn:tgw/1") == 0.0 and monthly(c, "arn:att/1") == 36.50   # attachments bill, not the TGW
    assert monthly(c, "arn:vpce/1") == round(3 * 0.01 * H, 2) == 21.90          # per AZ
    assert not [i for i in c["items"] if i["id"] == "arn:vpce/2"], "gateway endpoints are free"
    assert monthly(c, "arn:i/1") == round(0.0104 * H, 2) == 7.59
    assert monthly(c, "arn:i/1", "public IPv4") == 3.65                          # an auto-assigned public IP bills
    assert monthly(c, "arn:alb/1") == 16.43 and monthly(c, "arn:alb/1", "public IPv4") == 7.30   # one per AZ
    assert monthly(c, "arn:waf/1") == 5.00 + 3 * 1.00
    assert monthly(c, "arn:kms/1") == 1.00
    assert not [i for i in c["items"] if i["id"] in ("arn:kms/2", "arn:kms/3", "arn:p/2", "arn:snap/2")]
    assert monthly(c, "arn:sec/1") == 0.40
    assert monthly(c, "arn:zone/1") == 0.50
    assert monthly(c, "arn:hc/1") == 0.50 + 1.00 and monthly(c, "arn:hc/2") == 0.75   # AWS target + HTTPS; outside AWS
    assert (monthly(c, "arn:alarm/1"), monthly(c, "arn:alarm/2"), monthly(c, "arn:alarm/3")) == (0.10, 0.50, 0.30)
    assert monthly(c, "arn:dash/1") == 3.00
    assert monthly(c, "arn:lg/1") == round(10 * 0.03, 2) == 0.30
    assert monthly(c, "arn:p/1") == 0.05
    assert monthly(c, "arn:snap/1") == round(50 * 0.095, 2) == 4.75
    assert monthly(c, "arn:dax/1") == round(3 * 0.273 * H, 2) == 597.87
    assert monthly(c, "arn:pipe/1") == 1.00
    assert c["total"] == round(sum(i["monthly"] for i in c["items"]), 2)
    assert c["covered"] == len({i["id"] for i in c["items"]}) == 24
    assert c["by_service"]["Transit Gateway"] == 36.50 and c["by_service"]["VPC (public IPv4)"] == 3.65 + 7.30
    assert c["region_factors"]["global"] == 1.0 and c["by_region"]["global"] == 0.50 + 1.50 + 0.75
    assert c["unpriced"] == [], c["unpriced"]


def test_fargate_desired_is_stated_and_a_node_group_with_scanned_instances_is_not_priced_twice():
    inv = build(
        ("arn:td/1", "ecs:task-definition", {"cpu": "512", "memory": "1024"}),
        ("arn:svc/1", "ecs:service", {"launch_type": "FARGATE", "running": 0, "desired": 3,
                                      "task_definition": "arn:td/1"}),
        ("arn:svc/2", "ecs:service", {"launch_type": "EC2", "running": 2, "desired": 2}),
        ("arn:ng/1", "eks:nodegroup", {"instance_types": ["m6i.large"], "desired": 2, "asg_names": ["eks-x"]}),
        ("arn:i/1", "ec2:instance", {"instance_type": "m6i.large", "state": "running", "asg_name": "eks-x"}),
    )
    c = estimate(inv, PriceBook())
    (svc,) = [i for i in c["items"] if i["id"] == "arn:svc/1"]
    assert svc["monthly"] == 0.0 and "0 tasks running" in svc["detail"]
    assert f"3 desired would cost ${3 * (0.5 * 0.04048 + 1 * 0.004445) * H:.2f}" in svc["detail"]
    ids = {i["id"] for i in c["items"]}
    assert "arn:svc/2" not in ids and "arn:ng/1" not in ids and "arn:i/1" in ids


def test_elastic_ips_are_priced_once_not_again_on_their_nat_gateway_or_instance():
    inv = build(
        ("arn:eip/1", "ec2:elastic-ip", {"public_ip": "3.3.3.3", "association_id": "a-1"}),
        ("arn:nat/1", "ec2:nat-gateway", {"state": "available", "public_ip": "3.3.3.3", "public_ips": ["3.3.3.3", "4.4.4.4"]}),
        ("arn:i/1", "ec2:instance", {"instance_type": "t3.micro", "state": "running", "public_ip": "3.3.3.3"}),
        ("arn:eni/1", "ec2:network-interface", {"public_ip": "5.5.5.5", "attached_to": "amazon-rds"}),
        ("arn:eni/2", "ec2:network-interface", {"public_ip": "3.3.3.3"}),
    )
    c = estimate(inv, PriceBook())
    ipv4 = {i["id"]: i["monthly"] for i in c["items"] if i["service"] == "VPC (public IPv4)"}
    assert ipv4 == {"arn:eip/1": 3.65, "arn:nat/1": 3.65, "arn:eni/1": 3.65}   # 3.3.3.3 once; 4.4.4.4; 5.5.5.5


def test_data_service_kinds_are_priced_from_their_props():
    """Kinds of the coverage issue: through the estimate when their spec exists, else the pricer alone."""
    from scanner.analysis.pricing import CostContext
    from scanner.analysis.pricing import services as s
    from scanner.vocab import KINDS

    pb = PriceBook()

    def one(fn, props: dict, ctx=None) -> list:
        r = fn({"id": "x", "kind": "k", "name": "x", "region": "us-east-1", "props": props}, pb, ctx or CostContext())
        return [round(x.monthly, 2) for x in (r if isinstance(r, list) else [r])] if not isinstance(r, str) else [r]

    assert one(s.price_redshift, {"node_type": "ra3.xlplus", "node_count": 2, "status": "available"}) == [1585.56]
    assert one(s.price_opensearch, {"instance_type": "r6g.large.search", "instance_count": 3, "dedicated_master": True,
                                    "master_type": "m6g.large.search", "master_count": 3, "storage_gb": 300}) \
        == [round(3 * 0.167 * H, 2), round(3 * 0.128 * H, 2), 36.60] == [365.73, 280.32, 36.60]
    assert one(s.price_kafka, {"instance_type": "kafka.m5.large", "broker_count": 3, "storage_gb": 100}) \
        == [round(3 * 0.21 * H, 2), 30.00] == [459.90, 30.00]
    assert one(s.price_kafka, {"serverless": True}) == [round(0.75 * H, 2)]
    assert one(s.price_stream, {"mode": "PROVISIONED", "shard_count": 4, "retention_hours": 48}) \
        == [round(4 * 0.015 * H, 2), round(4 * 0.02 * H, 2)] == [43.80, 58.40]
    assert one(s.price_stream, {"mode": "ON_DEMAND"}) == [round(0.04 * H, 2)] == [29.20]
    assert one(s.price_memorydb, {"node_type": "db.r6g.large", "shards": 2, "replicas_per_shard": 1}) \
        == [round(4 * 0.309 * H, 2)] == [902.28]
    assert one(s.price_serverless_cache, {"engine": "redis"}) == [round(0.125 * 1 * H, 2)] == [91.25]
    assert one(s.price_serverless_cache, {"engine": "valkey"}) == [round(0.084 * 0.1 * H, 2)] == [6.13]
    assert "not read" in one(s.price_rds_proxy, {"targets": None})[0]
    if "rds:proxy" in KINDS:
        inv = build(("arn:db/1", "rds:instance", {"identifier": "db1", "instance_class": "db.r6g.xlarge", "engine": "postgres"}),
                    ("arn:px/1", "rds:proxy", {"targets": ["db1"]}),
                    ("arn:px/2", "rds:proxy", {"targets": ["elsewhere"]}))
        c = estimate(inv, pb)
        assert monthly(c, "arn:px/1") == round(4 * 0.015 * H, 2) == 43.80
        assert any(u["id"] == "arn:px/2" and "not in the scan" in u["reason"] for u in c["unpriced"])


def test_every_kind_is_classified_and_every_billable_kind_is_priced_or_explained():
    from scanner import kinds
    from scanner.analysis.cost import PRICED_ELSEWHERE, PRICERS

    table = PriceBook().table
    billing, notes = table["kind_billing"], table["billing_notes"]
    assert not [k for k in kinds.SPECS if k not in billing], "classify new kinds in prices.json kind_billing"
    agreed = ("redshift:cluster", "opensearch:domain", "memorydb:cluster", "elasticache:serverless-cache", "rds:proxy",
              "kinesis:stream", "firehose:delivery-stream", "kafka:cluster", "cognito:user-pool", "cognito:identity-pool",
              "redshift-serverless:workgroup", "redshift-serverless:namespace", "lambda:layer", "eks:addon")
    assert all(k in billing for k in agreed)
    assert set(billing.values()) <= {"hourly", "monthly", "use", "none"}
    unexplained = [k for k, how in billing.items() if how in ("hourly", "monthly")
                   and k not in PRICERS and k not in PRICED_ELSEWHERE and k not in notes]
    assert not unexplained, unexplained
    assert {"kinesis:stream", "kafka:cluster", "redshift:cluster", "opensearch:domain"} <= set(PRICERS)
    for key in ("source", "date", "sources"):
        assert table[key]


ANALYZER_PROPS = {"status": "ACTIVE", "findings_active": 0}


def test_access_analyzer_billing_data_external_access_is_free_unused_access_is_billed():
    """IAM Access Analyzer bills only unused-access analysis ($0.20 per IAM role or user analysed per
    month); external-access analyzers (ACCOUNT, ORGANIZATION) are free (prices.json says both)."""
    table = PriceBook().table
    assert table["kind_billing"]["iam:access-analyzer"] == "use"
    assert table["access_analyzer_unused_access_month"] == 0.2
    free = table["free_by_prop"]["iam:access-analyzer"]
    assert free["prop"] == "type" and set(free["values"]) == {"ACCOUNT", "ORGANIZATION"}
    assert not {"ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"} & set(free["values"])
    note = table["billing_notes"]["iam:access-analyzer"]
    assert "unused-access" in note and "external-access analyzers" in note and "free" in note
    assert "access-analyzer" in table["sources"]["access_analyzer"]
    for rule in table["free_by_prop"].values():  # every free rule names a prop of its kind
        assert set(rule) == {"prop", "values", "why"} and rule["values"] and rule["why"]


def test_external_access_analyzers_are_not_listed_as_billed_by_use():
    inv = build(("arn:aa/account", "iam:access-analyzer", {"name": "acct", "type": "ACCOUNT", **ANALYZER_PROPS}),
                ("arn:aa/org", "iam:access-analyzer", {"name": "org", "type": "ORGANIZATION", **ANALYZER_PROPS}))
    assert not [u for u in estimate(inv, PriceBook())["by_use"] if u["kind"] == "iam:access-analyzer"]


def test_unused_access_analyzers_are_listed_as_billed_by_use():
    inv = build(("arn:aa/account", "iam:access-analyzer", {"name": "acct", "type": "ACCOUNT", **ANALYZER_PROPS}),
                ("arn:aa/unused", "iam:access-analyzer", {"name": "unused", "type": "ACCOUNT_UNUSED_ACCESS",
                                                          **ANALYZER_PROPS}))
    (use,) = [u for u in estimate(inv, PriceBook())["by_use"] if u["kind"] == "iam:access-analyzer"]
    assert use["count"] >= 1 and "unused-access" in use["what"]


def test_a_kind_the_table_does_not_classify_is_listed_not_dropped():
    pb = PriceBook(table={**PriceBook().table, "kind_billing": {}})
    inv = build(("arn:ecr/1", "ecr:repository", {"name": "app"}), ("arn:i/1", "ec2:instance",
                                                                    {"instance_type": "t3.micro", "state": "running"}))
    c = estimate(inv, pb)
    assert [(u["id"], "not classified" in u["reason"]) for u in c["unpriced"]] == [("arn:ecr/1", True)]
    assert c["not_priced"][0]["count"] == 1 and c["not_priced"][0]["names"] == ["1"]


def test_the_10_1_of_the_sample_adds_up_and_says_what_it_left_out(sample):
    s = section(sample.doc, "10.1")
    c = sample.analysis.cost
    assert "regional factor below" not in s
    assert "| eu-west-1 | 1.11 |" in s and "| us-east-1 | 1.00 |" in s     # the factor used, per region
    assert f"covering {c['covered']} resources" in s and c["covered"] == len({i["id"] for i in c["items"]})
    by_kind = {i["kind"]: i for i in c["items"]}
    assert by_kind["eks:cluster"]["monthly"] == 73.00
    assert by_kind["ec2:vpn-connection"]["monthly"] == 36.50
    assert by_kind["ec2:transit-gateway-attachment"]["monthly"] == 36.50
    assert by_kind["wafv2:web-acl"]["monthly"] == 5.00 + 1.00
    assert by_kind["kms:key"]["monthly"] == 1.00
    endpoint = next(i for i in c["items"] if i["kind"] == "ec2:vpc-endpoint")
    assert endpoint["monthly"] == 14.60 and "2 AZs" in endpoint["detail"]
    fargate = next(i for i in c["items"] if i["kind"] == "ecs:service")
    assert "0 tasks running" in fargate["detail"] and "3 desired would cost" in fargate["detail"]
    # the service table adds up to the total; the per-resource column too (the rest summed in one row)
    services = [line for line in s.split("By service:")[1].split("**Total**")[0].splitlines()
                if line.startswith("| ") and "$" in line]
    assert round(sum(float(r.split("$")[1].split(" ")[0].replace(",", "")) for r in services), 2) == c["total"]
    per = s.split("Per resource")[1].split("Not priced")[0]
    amounts = [float(line.rsplit("$", 1)[1].split(" ")[0].replace(",", "")) for line in per.splitlines()
               if line.startswith("| ") and "$" in line]
    assert round(sum(amounts), 2) == c["total"]
    # billable kinds present without a price are listed with counts; usage-only kinds are named
    assert "| ECR repositories | 2 |" in s and "repository sizes are not read" in s
    assert "Billed by use only" in s and "3 SQS queues: requests" in s
    assert "Security Hub" not in s.split("Billed by use only")[1], "switched-off hubs bill nothing"


def test_savings_evidence_does_not_say_the_same_thing_twice(sample):
    for f in sample.analysis.open_findings():
        assert len(f.evidence) == len(set(f.evidence)), (f.rule, f.evidence)
    (vol,) = [f for f in sample.analysis.open_findings() if f.rule == "COST-001"]
    assert sum("attached to nothing" in e for e in vol.evidence) == 1 and any("$0.080/GiB-month" in e for e in vol.evidence)


def test_the_region_factor_applies_to_the_new_kinds_and_global_services_have_none():
    inv = build(("arn:vpn/1", "ec2:vpn-connection", {"state": "available"}, "eu-west-1"),
                ("arn:zone/1", "route53:hosted-zone", {"name": "example.com"}, "global"))
    c = estimate(inv, PriceBook())
    assert monthly(c, "arn:vpn/1") == round(0.05 * 1.11 * H, 2)
    assert monthly(c, "arn:zone/1") == 0.50
    assert c["region_factors"]["eu-west-1"] == 1.11 and c["region_factors"]["global"] == 1.0

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

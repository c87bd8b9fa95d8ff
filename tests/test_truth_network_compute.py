"""One truth per fact (issue 10) in sections 2, 3 and 8: a subnet is public or private by its one
judged fact (unknown with why when the route tables were not read), 3.1's statement on public IPs
agrees with the exposure analysis the diagrams draw, and units read as a person writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from renderers.facts import compute as cf
from renderers.facts import containers as kf
from renderers.facts import network as nf
from renderers.facts import serverless as sf
from scanner import judge, naming
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory, Records
from tests.conftest import scan_account, section

ACCT, REGION = "123456789012", "us-east-1"
DENIED = "User is not authorized to perform this action"


def deny(service: str, operation: str) -> Callable[[Any], None]:
    """A ``before_scan`` hook refusing one operation in process, as IAM would."""
    def install(session: Any) -> None:
        def refuse(**_: Any) -> None:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": DENIED}}, operation)
        session.events.register(f"before-call.{service}.{operation}", refuse)
    return install


def rows_of(text: str, header_start: str) -> list[dict[str, str]]:
    """Every row of every Markdown table whose header starts with ``header_start``, as dicts."""
    out, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith(header_start):
            continue
        head = [c.strip() for c in line.strip().strip("|").split("|")]
        for row in lines[i + 2:]:
            if not row.startswith("|"):
                break
            out.append(dict(zip(head, [c.strip() for c in row.strip().strip("|").split("|")], strict=False)))
    return out


@pytest.fixture(scope="module")
def routes_denied(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.sample import build_sample

    return scan_account(build_sample, Path(tmp_path_factory.mktemp("truth-routes")),
                        before_scan=deny("ec2", "DescribeRouteTables"))


# --- 2.2: public / private is the subnet's judged fact -----------------------------------------
def test_routes_denied_every_subnet_is_unknown_with_the_reason_never_private(routes_denied) -> None:
    inv = routes_denied.inv
    subnets = inv.nodes("ec2:subnet")
    assert subnets
    for s in subnets:
        f = inv.fact(s["id"], "public")
        assert f is not None and f.unknown and "DescribeRouteTables" in f.why, (s["name"], f)

    text = section(routes_denied.doc, "2.2")
    rows = rows_of(text, "| Subnet |")
    assert rows, text
    for r in rows:
        tier = r["Tier (by routing)"]
        assert tier.startswith("unknown (") and "DescribeRouteTables" in tier, r
        assert "private" not in tier and tier != "public", r
        assert r["Route table"].startswith("unknown ("), r
    # the count sentence says unknown with its reason, not "N private (isolated)"
    assert re.search(rf"holds? {len(subnets)} subnets: {len(subnets)} unknown \(.*DescribeRouteTables", text), text
    assert "private" not in text.split("A subnet is public")[0], "no subnet is counted as private"
    assert "ec2:DescribeRouteTables" in text, "the missing permission is named in 2.2"


def test_routes_denied_other_sections_never_guess_a_tier_from_routing(routes_denied) -> None:
    inv = routes_denied.inv
    for s in inv.nodes("ec2:subnet"):
        tier = cf.subnet_tier(inv, s["id"])
        tagged = (s.get("tags") or {}).get("Tier")
        if tagged and tagged.lower() not in ("public", "private"):
            assert tier == tagged
        else:
            assert not tier.startswith(("public", "private")), (s["name"], tier)


def test_routes_denied_3_1_does_not_claim_the_instances_are_unreachable(routes_denied) -> None:
    text = section(routes_denied.doc, "3.1")
    assert "none has a public IP address of its own; whether they are reachable from the internet is unknown " \
           "(route tables not read (ec2:DescribeRouteTables" in text


def test_sample_subnets_read_the_same_fact_in_2_2_and_3_x(sample) -> None:
    inv = sample.inv
    rows = {r["Subnet"]: r for r in rows_of(section(sample.doc, "2.2"), "| Subnet |")}
    for s in inv.nodes("ec2:subnet"):
        r = rows.get(naming.node_label(s))
        if r is None:
            continue  # an unused default VPC's subnet, folded
        f = inv.fact(s["id"], "public")
        assert f.known
        assert (r["Tier (by routing)"] == "public") == f.yes, (r, f)


# --- 3.1: a public IP is not the same as being reachable ------------------------------------------
def test_3_1_public_ip_statement_agrees_with_exposure(sample) -> None:
    inv, analysis = sample.inv, sample.analysis
    text = section(sample.doc, "3.1")
    instances = inv.nodes("ec2:instance")
    own = [i for i in instances if inv.fact(i["id"], "public_ip").yes]
    via_lb = [i for i in instances if "load-balancer" in (analysis.exposure.get(i["id"]) or {}).get("by_via", {})]
    assert not own and len(via_lb) == 2, "the sample's instances sit behind its ALB"
    assert "none has a public IP address of its own" in text
    assert "2 are reachable from the internet through load balancer web-platform-alb on tcp/443" in text
    # the same per instance in the table, and the ports are those the exposure analysis (the
    # diagrams' source) found
    behind_alb = {naming.node_label(i) for i in via_lb} | {naming.name(inv, i["id"]) for i in via_lb}
    rows = [r for r in rows_of(text, "| Instance |") if r["Instance"] in behind_alb]
    assert len(rows) == 2, "(another module's moto account may share the backend: only the ALB's instances)"
    for row in rows:
        assert row["Public IP"] == "none (reachable through load balancer web-platform-alb on tcp/443)", row
    for i in via_lb:
        assert analysis.exposure[i["id"]]["ports"] == ["tcp/443"]


def test_3_1_own_public_ip_and_direct_reach_are_stated_separately() -> None:
    from scanner.collectors import compute
    from tests.test_compute import PUBLIC_V1, ctx

    inv = Inventory(meta={"account": ACCT, "regions": [REGION]})
    inv.merge([compute.transform_instances(ctx(), [{"Instances": [PUBLIC_V1]}])])
    judge.run(inv)
    node = inv.nodes("ec2:instance")[0]
    analysis = Analysis()
    analysis.exposure = {node["id"]: {"paths": [["internet", node["id"]]], "ports": ["tcp/22"], "via": "public-ip",
                                      "by_via": {"public-ip": {"paths": [["internet", node["id"]]],
                                                               "ports": ["tcp/22"]}}}}
    text = cf.public_ip_text(inv, analysis)
    assert text == "1 has a public IP address of its own; 1 is reachable from the internet on its public IP on tcp/22"
    cell = cf.instance_rows(inv, analysis=analysis)[0][8]
    assert cell == "54.1.2.3; reachable on its public IP on tcp/22"
    # without an exposure the cell states the address alone, never a reach it did not find
    assert cf.instance_rows(inv)[0][8] == "54.1.2.3"


def test_3_1_unknown_public_ip_is_counted_as_unknown() -> None:
    inv = Inventory(meta={"account": ACCT, "regions": [REGION]})
    rec = Records(REGION, ACCT)
    rec.node(f"arn:aws:ec2:{REGION}:{ACCT}:instance/i-1", "ec2:instance", "web", instance_id="i-1", state="running")
    inv.merge([rec])
    inv.graph.nodes[f"arn:aws:ec2:{REGION}:{ACCT}:instance/i-1"]["facts"] = {
        "public_ip": {"state": "unknown", "why": "ec2:DescribeInstances: access denied"}}
    text = cf.public_ip_text(inv, Analysis())
    assert "none" not in text and "1 unknown (ec2:DescribeInstances: access denied)" in text
    assert cf.instance_rows(inv)[0][8] == "unknown (ec2:DescribeInstances: access denied)"


# --- a subnet named "public-a" is not public because of its name ---------------------------------
def _subnet_inventory(fact: dict[str, str] | None, tags: dict[str, str] | None = None) -> tuple[Inventory, str]:
    inv = Inventory(meta={"account": ACCT, "regions": [REGION]})
    rec = Records(REGION, ACCT)
    sid = f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-1"
    rec.node(sid, "ec2:subnet", "public-a", tags=tags or {}, subnet_id="subnet-1", vpc_id="vpc-1")
    svc = f"arn:aws:ecs:{REGION}:{ACCT}:service/c/web"
    rec.node(svc, "ecs:service", "web")
    rec.edge(svc, sid, "in_subnet")
    inv.merge([rec])
    if fact:
        inv.graph.nodes[sid]["facts"] = {"public": fact}
    return inv, sid


def test_tier_never_comes_from_a_name_or_tag_saying_public() -> None:
    unknown = {"state": "unknown", "why": "route tables not read (ec2:DescribeRouteTables: access denied)"}
    inv, sid = _subnet_inventory(unknown)
    assert cf.subnet_tier(inv, sid) == f"unknown ({unknown['why']})"
    assert kf.subnet_tiers(inv, f"arn:aws:ecs:{REGION}:{ACCT}:service/c/web") == f"unknown ({unknown['why']}): public-a"
    inv, sid = _subnet_inventory({"state": "no", "why": "no route to an internet gateway"}, tags={"Tier": "public"})
    assert cf.subnet_tier(inv, sid) == "private", "the fact decides, not the Tier tag"
    inv, sid = _subnet_inventory({"state": "yes", "why": "default route to an internet gateway"})
    assert cf.subnet_tier(inv, sid) == "public"
    inv, sid = _subnet_inventory(None)
    assert cf.subnet_tier(inv, sid).startswith("unknown ("), "an unjudged subnet is unknown, never private"


# --- gaps and "nothing found" are routed by the kind specs ----------------------------------------
def _runs(*runs: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"collector": c, "service": c.split(".")[0], "region": REGION, "status": st, "action": a,
             "message": "access denied"} for c, st, a in runs]


def test_partial_reads_reach_every_subsection_stating_the_kind() -> None:
    inv = Inventory(meta={"account": ACCT, "regions": [REGION], "runs": [], "gaps": [
        {"service": "ec2", "region": REGION, "action": "ec2:DescribeNetworkAcls", "reason": "denied", "resource": ""},
        {"service": "ec2", "region": REGION, "action": "ec2:SearchTransitGatewayRoutes", "reason": "truncated",
         "resource": "tgw-rtb-1"}]})
    acts = {sub: [g["action"] for g in nf.gaps(inv, sub)] for sub in ("2.1", "2.2", "2.3", "5.2")}
    assert acts == {"2.1": [], "2.2": ["ec2:DescribeNetworkAcls"], "2.3": ["ec2:SearchTransitGatewayRoutes"],
                    "5.2": ["ec2:DescribeNetworkAcls"]}


def test_nothing_found_is_only_unreadable_when_its_own_read_failed() -> None:
    from tests.test_compute import render

    flow_denied = Inventory(meta={"account": ACCT, "regions": [REGION], "runs": _runs(
        ("ec2.flow_logs", "denied", "ec2:DescribeFlowLogs"))})
    assert "No EC2 instances were found" in render(flow_denied, "3.1")
    inst_denied = Inventory(meta={"account": ACCT, "regions": [REGION], "runs": _runs(
        ("ec2.instances", "denied", "ec2:DescribeInstances"))})
    text = render(inst_denied, "3.1")
    assert "No EC2 instances could be listed" in text and "ec2:DescribeInstances" in text
    assert nf.blocked_services(inst_denied, "3.1") == ["ec2"] and nf.blocked_services(flow_denied, "3.1") == []


def test_template_service_lists_come_from_the_kind_specs() -> None:
    # the streams (Kinesis, Firehose, MSK) are stated in 3.3 too, from their kind specs
    assert nf.services("3.3") == ['apigateway', 'apigatewayv2', 'events', 'firehose', 'kafka', 'kinesis', 'lambda', 'sns', 'sqs', 'stepfunctions']
    assert nf.services("3.2") == ['ecr', 'ecs', 'eks']
    assert nf.services(of_kinds=cf.SIZED_KINDS) == ["autoscaling", "ec2", "elasticache", "rds"]


# --- units ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("seconds", "text"), [
    (86400, "1 day"), (4 * 86400, "4 days"), (129600, "1.5 days"), (1209600, "14 days"), (600, "10 min"),
    (None, "unknown"),
])
def test_sqs_retention_reads_as_written(seconds: int | None, text: str) -> None:
    inv = Inventory(meta={"account": ACCT, "regions": [REGION]})
    rec = Records(REGION, ACCT)
    rec.node(f"arn:aws:sqs:{REGION}:{ACCT}:q", "sqs:queue", "q", retention_seconds=seconds, sse="sqs",
             visibility_timeout=30)
    inv.merge([rec])
    judge.run(inv)
    row = sf.queue_rows(inv)[0]
    assert row[5] == text


def test_no_hand_made_plurals_in_sections_2_3_and_8(sample) -> None:
    for number in ("2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "8.1", "8.2", "8.3"):
        s = section(sample.doc, number).split("**Findings")[0]
        assert "(s)" not in s and " 1 days" not in s and " 1 AZs" not in s and "| 1 variables" not in s, number


def test_naming_copies_are_gone() -> None:
    for mod in (nf, cf, kf, sf):
        for name in ("label", "short", "vpc_names", "_vpc", "instance_label", "SUBSECTION_COLLECTORS", "_gap_matches"):
            assert not hasattr(mod, name), f"{mod.__name__}.{name}"

"""Internet exposure as reachability, mostly on small graphs built from records (no AWS, no moto).

Each test builds the network chain Internet -> IGW -> route table -> subnet -> NACL
-> SG -> resource and breaks or changes one link, so a wrong reachability rule fails
exactly one test. The entry points outside VPCs (CloudFront, API Gateway, function URLs) are
built from records too; the 5.2 table ("reachable from the internet") is checked on a part of the
insecure fixture scanned in moto, against findings.json, 3.1 and the security diagram's reading.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderers.facts import exposure_table
from scanner.analysis import analyze
from scanner.analysis.exposure import compute, compute_all, nacl_allows, port_label
from scanner.inventory import Inventory, Records
from tests.conftest import section
from tests.support.markdown import table

ACCT, REG = "123456789012", "us-east-1"


def arn(kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{REG}:{ACCT}:{kind}/{rid}"


ALLOW_ALL = [{"rule": 100, "egress": False, "action": "allow", "protocol": "-1", "cidr": "0.0.0.0/0"},
             {"rule": 101, "egress": False, "action": "allow", "protocol": "-1", "ipv6_cidr": "::/0"}]


def network(rec: Records, *, routes: list[dict[str, Any]] | None = None,
            nacl: list[dict[str, Any]] | None = None, ingress: list[dict[str, Any]] | None = None) -> None:
    """One VPC, one subnet, a route table (to an IGW by default), a NACL and security group sg-1."""
    rec.node(arn("vpc", "vpc-1"), "ec2:vpc", "vpc", vpc_id="vpc-1", cidr="10.0.0.0/16")
    rec.node(arn("subnet", "subnet-1"), "ec2:subnet", "public-a", subnet_id="subnet-1", vpc_id="vpc-1",
             az="us-east-1a", cidr="10.0.0.0/24")
    rec.node(arn("internet-gateway", "igw-1"), "ec2:internet-gateway", "igw", igw_id="igw-1", vpc_ids=["vpc-1"])
    rec.node(arn("route-table", "rtb-1"), "ec2:route-table", "rt", route_table_id="rtb-1", vpc_id="vpc-1",
             main=False, subnet_ids=["subnet-1"],
             routes=routes if routes is not None else [
                 {"dest": "10.0.0.0/16", "target": "local", "target_type": "local", "state": "active"},
                 {"dest": "0.0.0.0/0", "target": "igw-1", "target_type": "igw", "state": "active"}])
    rec.edge(arn("route-table", "rtb-1"), arn("subnet", "subnet-1"), "associated_with")
    rec.node(arn("network-acl", "acl-1"), "ec2:network-acl", "acl", nacl_id="acl-1", vpc_id="vpc-1",
             subnet_ids=["subnet-1"], entries=nacl if nacl is not None else ALLOW_ALL)
    rec.node(arn("security-group", "sg-1"), "ec2:security-group", "web", group_id="sg-1", vpc_id="vpc-1",
             ingress=ingress if ingress is not None else
             [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}], egress=[])


def instance(rec: Records, iid: str = "i-1", public_ip: str | None = "54.1.2.3",
             ipv6: list[str] | None = None) -> str:
    nid = arn("instance", iid)
    rec.node(nid, "ec2:instance", iid, instance_id=iid, state="running", subnet_id="subnet-1", vpc_id="vpc-1",
             public_ip=public_ip, ipv6_ips=ipv6 or [], security_group_ids=["sg-1"], az="us-east-1a")
    rec.edge(nid, arn("subnet", "subnet-1"), "in_subnet")
    rec.edge(nid, arn("security-group", "sg-1"), "protected_by")
    return nid


def inv_of(rec: Records) -> Inventory:
    inv = Inventory(meta={"account": ACCT, "regions": [REG]})
    base = Records(account=ACCT)
    base.node("internet", "internet", "Internet")
    inv.merge([base, rec])
    return inv


def test_public_instance_with_open_ssh_is_exposed_with_the_full_path():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    iid = instance(rec)
    exp = compute(inv_of(rec))
    assert exp[iid]["ports"] == ["tcp/22"]
    assert exp[iid]["via"] == "public-ip"
    assert exp[iid]["paths"] == [["internet", arn("internet-gateway", "igw-1"), arn("route-table", "rtb-1"),
                                  arn("subnet", "subnet-1"), arn("network-acl", "acl-1"),
                                  arn("security-group", "sg-1"), iid]]


def test_instance_without_public_ip_is_not_exposed():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    iid = instance(rec, public_ip=None)
    assert iid not in compute(inv_of(rec))


def test_subnet_routed_to_nat_only_is_private():
    rec = Records(region=REG, account=ACCT)
    network(rec, routes=[{"dest": "0.0.0.0/0", "target": "nat-1", "target_type": "nat", "state": "active"}])
    iid = instance(rec)
    assert iid not in compute(inv_of(rec))


def test_blackhole_igw_route_does_not_count():
    rec = Records(region=REG, account=ACCT)
    network(rec, routes=[{"dest": "0.0.0.0/0", "target": "igw-1", "target_type": "igw", "state": "blackhole"}])
    assert instance(rec) not in compute(inv_of(rec))


def test_lower_numbered_nacl_deny_shadows_the_allow():
    rec = Records(region=REG, account=ACCT)
    network(rec, nacl=[
        {"rule": 50, "egress": False, "action": "deny", "protocol": "6", "from_port": 22, "to_port": 22,
         "cidr": "0.0.0.0/0"},
        *ALLOW_ALL])
    assert instance(rec) not in compute(inv_of(rec))


def test_higher_numbered_nacl_deny_does_not_shadow_the_allow():
    rec = Records(region=REG, account=ACCT)
    network(rec, nacl=[
        *ALLOW_ALL,
        {"rule": 200, "egress": False, "action": "deny", "protocol": "6", "from_port": 22, "to_port": 22,
         "cidr": "0.0.0.0/0"}])
    assert instance(rec) in compute(inv_of(rec))


def test_outbound_nacl_entries_do_not_admit_inbound_traffic():
    rec = Records(region=REG, account=ACCT)
    network(rec, nacl=[{"rule": 100, "egress": True, "action": "allow", "protocol": "-1", "cidr": "0.0.0.0/0"}])
    assert instance(rec) not in compute(inv_of(rec))


def test_ipv6_only_instance_is_exposed_through_an_ipv6_default_route():
    rec = Records(region=REG, account=ACCT)
    network(rec, routes=[{"dest": "::/0", "target": "igw-1", "target_type": "igw", "state": "active"}],
            ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr": "::/0"}])
    iid = instance(rec, public_ip=None, ipv6=["2600:1f18::10"])
    assert compute(inv_of(rec))[iid]["ports"] == ["tcp/443"]


def test_ipv6_rule_without_an_ipv6_route_is_not_exposure():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr": "::/0"}])
    assert instance(rec) not in compute(inv_of(rec))


def test_prefix_list_source_counts_as_internet():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "tcp", "from_port": 8443, "to_port": 8443, "prefix_list": "pl-123"}])
    iid = instance(rec)
    assert compute(inv_of(rec))[iid]["ports"] == ["tcp/8443"]


def test_sg_from_office_range_is_not_internet_exposure():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "203.0.113.0/24"}])
    assert instance(rec) not in compute(inv_of(rec))


def test_main_route_table_applies_to_unassociated_subnet():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    rec.nodes = [n for n in rec.nodes if n.kind != "ec2:route-table"]
    rec.edges = [e for e in rec.edges if e.rel != "associated_with"]
    rec.node(arn("route-table", "rtb-main"), "ec2:route-table", "main", route_table_id="rtb-main",
             vpc_id="vpc-1", main=True, subnet_ids=[],
             routes=[{"dest": "0.0.0.0/0", "target": "igw-1", "target_type": "igw", "state": "active"}])
    iid = instance(rec)
    assert arn("route-table", "rtb-main") in compute(inv_of(rec))[iid]["paths"][0]


def load_balancer(rec: Records, scheme: str = "internet-facing", lb_ingress_port: int = 443) -> dict[str, str]:
    """ALB (sg-lb) -> listener 443 -> target group -> ASG -> instance i-9 (no public IP)."""
    lb = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/app/web/1"
    li = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:listener/app/web/1/2"
    tg = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:targetgroup/web/3"
    asg = f"arn:aws:autoscaling:{REG}:{ACCT}:autoScalingGroup:x:autoScalingGroupName/web"
    rec.node(arn("security-group", "sg-lb"), "ec2:security-group", "lb", group_id="sg-lb", vpc_id="vpc-1",
             ingress=[{"protocol": "tcp", "from_port": lb_ingress_port, "to_port": lb_ingress_port,
                       "cidr": "0.0.0.0/0"}])
    rec.node(lb, "elbv2:load-balancer", "web", type="application", scheme=scheme, subnet_ids=["subnet-1"],
             security_group_ids=["sg-lb"], azs=["us-east-1a"])
    rec.node(li, "elbv2:listener", "443", port=443, protocol="HTTPS", lb_arn=lb)
    rec.node(tg, "elbv2:target-group", "web", port=8080, protocol="HTTP", target_type="instance")
    rec.node(asg, "autoscaling:group", "web", name="web", azs=["us-east-1a"], min=1, max=2, desired=1)
    inst = instance(rec, "i-9", public_ip=None)
    rec.edge(lb, arn("subnet", "subnet-1"), "in_subnet")
    rec.edge(lb, arn("security-group", "sg-lb"), "protected_by")
    rec.edge(lb, li, "listens_on")
    rec.edge(li, tg, "targets")
    rec.edge(asg, tg, "targets")
    rec.edge(inst, asg, "member_of")
    return {"lb": lb, "li": li, "tg": tg, "asg": asg, "inst": inst}


def test_asg_instance_behind_internet_facing_alb_is_exposed_via_the_load_balancer():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    ids = load_balancer(rec)
    exp = compute(inv_of(rec))
    e = exp[ids["inst"]]
    assert e["via"] == "load-balancer" and e["ports"] == ["tcp/443"]
    path = e["paths"][0]
    assert path[0] == "internet" and path[-4:] == [ids["li"], ids["tg"], ids["asg"], ids["inst"]]
    assert ids["lb"] in path and exp[ids["lb"]]["ports"] == ["tcp/443"]


def test_internal_load_balancer_exposes_nothing():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    ids = load_balancer(rec, scheme="internal")
    exp = compute(inv_of(rec))
    assert ids["lb"] not in exp and ids["inst"] not in exp


def test_lb_security_group_closed_on_listener_port_exposes_nothing():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    ids = load_balancer(rec, lb_ingress_port=80)
    assert ids["inst"] not in compute(inv_of(rec))


def test_publicly_accessible_rds_in_public_subnet_is_exposed_on_its_port_only():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "-1", "cidr": "0.0.0.0/0"}])
    db = f"arn:aws:rds:{REG}:{ACCT}:db:orders"
    rec.node(db, "rds:instance", "orders", identifier="orders", publicly_accessible=True, port=5432,
             subnet_ids=["subnet-1"], security_group_ids=["sg-1"])
    assert compute(inv_of(rec))[db]["ports"] == ["tcp/5432"]
    rec.nodes[-1].props["publicly_accessible"] = False
    assert db not in compute(inv_of(rec))


def test_port_labels():
    assert port_label({"protocol": "-1"}) == "all"
    assert port_label({"protocol": "6", "from_port": 80, "to_port": 90}) == "tcp/80-90"
    assert port_label({"protocol": "tcp", "from_port": 0, "to_port": 65535}) == "tcp/all"


@given(st.integers(min_value=1, max_value=32766), st.integers(min_value=0, max_value=65535))
def test_nacl_first_matching_rule_wins(deny_rule, port):
    """A whole-internet deny numbered below the allow always wins; numbered above, never."""
    entries = [{"rule": deny_rule, "egress": False, "action": "deny", "protocol": "-1", "cidr": "0.0.0.0/0"},
               {"rule": 32766 if deny_rule < 32766 else 1, "egress": False, "action": "allow", "protocol": "-1",
                "cidr": "0.0.0.0/0"}]
    assert nacl_allows(entries, "tcp", port, port, False) is (deny_rule == 32766)


# --- any account: odd values must not break exposure or availability ---------------------------
ODD = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=8),
                st.lists(st.one_of(st.none(), st.text(max_size=6), st.integers(-1, 5),
                                   st.dictionaries(st.sampled_from(["cidr", "protocol", "from_port", "rule",
                                                                    "action", "dest", "target", "az"]),
                                                   st.one_of(st.none(), st.text(max_size=6),
                                                             st.integers(-1, 70000)), max_size=4)),
                         max_size=3),
                st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
KINDS_UNDER_TEST = ("ec2:subnet", "ec2:route-table", "ec2:network-acl", "ec2:security-group", "ec2:instance",
                    "rds:instance", "elbv2:load-balancer", "elbv2:listener", "autoscaling:group",
                    "ec2:nat-gateway", "elasticache:replication-group", "elasticache:cluster", "rds:cluster",
                    "efs:mount-target", "ecs:service")


@given(st.lists(st.tuples(st.sampled_from(KINDS_UNDER_TEST),
                          st.dictionaries(st.sampled_from(
                              ["subnet_id", "subnet_ids", "vpc_id", "routes", "entries", "ingress", "public_ip",
                               "ipv6_ips", "security_group_ids", "scheme", "port", "protocol", "azs", "az",
                               "state", "publicly_accessible", "main", "automatic_failover", "readers",
                               "multi_az", "desired", "max", "fs_id", "replication_group", "num_nodes"]),
                              ODD, max_size=8)), max_size=8))
def test_exposure_and_ha_survive_any_prop_values(nodes):
    """Props of any kind on any kind (so the kind-spec check is off for these records)."""
    import scanner.inventory
    from scanner.analysis.ha import compute as ha

    rec = Records(region=REG, account=ACCT)
    network(rec)
    strict, scanner.inventory.STRICT_PROPS = scanner.inventory.STRICT_PROPS, False
    try:
        for i, (kind, props) in enumerate(nodes):
            nid = arn("thing", f"x-{i}")
            rec.node(nid, kind, f"x{i}", **props)
    finally:
        scanner.inventory.STRICT_PROPS = strict
    for i in range(len(nodes)):
        nid = arn("thing", f"x-{i}")
        rec.edge(nid, arn("subnet", "subnet-1"), "in_subnet")
        rec.edge(nid, arn("security-group", "sg-1"), "protected_by")
    inv = inv_of(rec)
    assert isinstance(compute(inv), dict)
    assert isinstance(ha(inv)["vpcs"], list)


def test_classic_elb_exposes_the_instances_of_its_asg():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr": "0.0.0.0/0"}])
    clb = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/legacy"
    asg = f"arn:aws:autoscaling:{REG}:{ACCT}:autoScalingGroup:x:autoScalingGroupName/legacy"
    rec.node(clb, "elb:load-balancer", "legacy", name="legacy", scheme="internet-facing",
             listeners=[{"lb_port": 80, "protocol": "HTTP", "instance_port": 8080}, {"lb_port": 8443}],
             security_group_ids=["sg-1"], instance_ids=[])
    rec.node(asg, "autoscaling:group", "legacy", name="legacy")
    inst = instance(rec, "i-7", public_ip=None)
    rec.edge(asg, clb, "targets")
    rec.edge(inst, asg, "member_of")
    exp = compute(inv_of(rec))
    assert exp[clb]["ports"] == ["tcp/80"]  # 8443 is not admitted by the security group
    assert exp[inst]["via"] == "load-balancer" and exp[inst]["paths"][0][-2:] == [asg, inst]


def test_allows_edges_count_when_the_group_props_do_not_list_the_rule():
    """A graph may state a rule only as an ``allows`` edge (internet -> SG); it must still count."""
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[])
    rec.edge("internet", arn("security-group", "sg-1"), "allows", protocol="tcp", from_port=3389, to_port=3389,
             direction="ingress", cidr="0.0.0.0/0")
    iid = instance(rec)
    assert compute(inv_of(rec))[iid]["ports"] == ["tcp/3389"]


def test_many_single_points_of_failure_are_grouped_by_reason():
    from renderers.facts.analysis import spof_lines

    vpc = {"spofs": [{"name": f"worker-{i}", "tier": "app", "reason": "standalone instance"} for i in range(50)]
           + [{"name": "nat-a", "tier": "network", "reason": "one NAT for three AZs"}]}
    lines = spof_lines(vpc)
    assert lines == ["50 resources (app tier: worker-0, worker-1, worker-2 and 47 more): standalone instance",
                     "nat-a (network tier): one NAT for three AZs"]


def test_customer_prefix_list_of_office_ranges_is_not_the_internet():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list": "pl-office"},
                          {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list": "pl-cf"}])
    rec.node(arn("prefix-list", "pl-office"), "ec2:prefix-list", "office", prefix_list_id="pl-office",
             name="office-ranges", cidrs=["198.51.100.0/24"], aws_managed=False)
    rec.node(arn("prefix-list", "pl-cf"), "ec2:prefix-list", "cf", prefix_list_id="pl-cf",
             name="com.amazonaws.global.cloudfront.origin-facing", cidrs=["13.32.0.0/15"], aws_managed=True)
    iid = instance(rec)
    assert compute(inv_of(rec))[iid]["ports"] == ["tcp/443"]


# --- the 5.2 exposure table (issue 13): what a reader sees, and that it agrees everywhere -----------


@pytest.fixture(scope="module")
def reachable(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The insecure fixture's network, open groups, instance and ALB, scanned in moto (EC2/ELB only)."""
    from fixtures.insecure import build_insecure
    from tests.test_new_findings import scan_some

    parts = ("network", "security_groups", "compute", "load_balancer")
    return scan_some(lambda: build_insecure(parts), tmp_path_factory.mktemp("reach"), [REG],
                     {"ec2", "elbv2", "autoscaling"})


def exposure_rows(doc: str) -> list[dict[str, str]]:
    return table(section(doc, "5.2"), "| Region | Resource | Ports | Path from the internet |")


def test_5_2_opens_with_the_instance_its_ports_and_the_internet_gateway_path(reachable):
    ids = reachable.ids
    s52 = section(reachable.doc, "5.2")
    assert s52.index("Reachable from the internet") < s52.index("Network access is controlled by")
    (row,) = [r for r in exposure_rows(reachable.doc)
              if ids["instance_id"] in r["Resource"] and "own public address" in r["Path from the internet"]]
    assert row["Resource"].startswith("EC2 instance legacy-admin-box")
    assert "tcp/22" in row["Ports"].split(", ") and "tcp/3389" in row["Ports"].split(", ")
    path = row["Path from the internet"]
    assert f"internet gateway {ids['igw_id']}" in path and "(0.0.0.0/0)" in path
    assert "security group legacy-admin" in path and "network ACL" in path
    assert "NET-010" in row["Findings"].split(", ")
    (via_lb,) = [r for r in exposure_rows(reachable.doc)
                 if ids["instance_id"] in r["Resource"] and "load balancer" in r["Path from the internet"]]
    assert via_lb["Ports"] == "tcp/80" and "load balancer legacy-alb → listener HTTP:80 → target group legacy-tg" \
        in via_lb["Path from the internet"]


def test_every_resource_in_the_table_is_the_one_findings_json_names_as_exposed(reachable):
    data = json.loads(reachable.files.findings.read_text())
    named = {r["Resource"] for r in exposure_rows(reachable.doc)}
    expected = {exposure_table._subject(reachable.inv, nid)[1]
                for nid in [*data["exposure"], *data["exposure_unknown"]]}
    assert named == expected and named
    assert exposure_table.exposed_ids(reachable.analysis) == sorted(data["exposure"])


def test_3_1_and_the_security_diagram_agree_with_the_table(reachable):
    from renderers.diagrams import style as st

    inst = reachable.ids["instance_arn"]
    row = next(r for r in table(section(reachable.doc, "3.1"), "| Instance |") if reachable.ids["instance_id"] in r["Instance"])
    assert "reachable" in row["Public IP"] and "tcp/22" in row["Public IP"]
    ex = st.exposure_of(reachable.inv, reachable.analysis.exposure, [inst])
    assert ex.direct_reached and "tcp/22" in ex.direct
    for nid in reachable.analysis.exposure:  # everything the table lists, the diagrams mark as reached
        e = st.exposure_of(reachable.inv, reachable.analysis.exposure, [nid])
        assert e.direct_reached or e.lb_reached, nid


def test_a_resource_behind_an_unread_route_is_listed_as_unknown_with_why():
    rec = Records(region=REG, account=ACCT)
    network(rec, routes=None)
    rec.node(arn("subnet", "subnet-1"), "ec2:subnet", "public-a", subnet_id="subnet-1", vpc_id="vpc-1",
             az="us-east-1a", cidr="10.0.0.0/24")
    inst = instance(rec)
    inv = inv_of(rec)
    rt = inv.node(arn("route-table", "rtb-1"))
    rt["props"]["routes"] = None
    inv.meta["runs"] = [{"collector": "ec2.route_tables", "service": "ec2", "region": REG, "status": "denied",
                         "action": "ec2:DescribeRouteTables", "message": "not authorized"}]
    from scanner import judge

    judge.run(inv)
    analysis = analyze(inv)
    assert inst in analysis.exposure_unknown and inst not in analysis.exposure
    (row,) = exposure_table.rows(inv, analysis)
    assert row[2] == "tcp/22" and str(row[3]).startswith("unknown (route tables not read")
    assert "may be, over routes that could not be read" in exposure_table.summary(inv, analysis)


def edge_records() -> tuple[Records, dict[str, str]]:
    rec = Records(region=REG, account=ACCT)
    ids = {"cdn": "arn:aws:cloudfront::123456789012:distribution/E1", "tls": "arn:aws:cloudfront::123456789012:distribution/E2",
           "off": "arn:aws:cloudfront::123456789012:distribution/E3", "rest": f"arn:aws:apigateway:{REG}::/restapis/r1",
           "private": f"arn:aws:apigateway:{REG}::/restapis/r2", "http": f"arn:aws:apigateway:{REG}::/apis/h1",
           "closed": f"arn:aws:apigateway:{REG}::/apis/h2", "url": f"arn:aws:lambda:{REG}:{ACCT}:function:u",
           "fn": f"arn:aws:lambda:{REG}:{ACCT}:function:f"}
    for key, enabled, policies in (("cdn", True, ["redirect-to-https"]), ("tls", True, ["https-only"]),
                                   ("off", False, ["allow-all"])):
        rec.node(ids[key], "cloudfront:distribution", key, region="global", distribution_id=key, domain=f"{key}.net",
                 aliases=[], origins=[], viewer_protocol_policy=policies[0], viewer_protocol_policies=policies,
                 min_tls="TLSv1.2_2021", web_acl=None, enabled=enabled, price_class="PriceClass_100", logging=False)
    for key, types in (("rest", ["REGIONAL"]), ("private", ["PRIVATE"])):
        rec.node(ids[key], "apigateway:rest-api", key, api_id=key, name=key, endpoint_types=types, stages=[],
                 integrations=[])
    for key, disabled in (("http", False), ("closed", True)):
        rec.node(ids[key], "apigateway:http-api", key, api_id=key, name=key, protocol="HTTP", endpoint="https://x",
                 stages=[], integrations=[], execute_api_disabled=disabled)
    for key, url in (("url", "NONE"), ("fn", None)):
        rec.node(ids[key], "lambda:function", key, name=key, runtime="python3.12", memory=128, timeout=3,
                 handler="h", role_arn="r", vpc_id=None, subnet_ids=[], security_group_ids=[], env_names=[],
                 package_type="Zip", architectures=["x86_64"], last_modified="2024-01-01", kms_key_arn=None,
                 dlq_arn=None, reserved_concurrency=None, public_policy=False, code_size=1, url_auth=url)
    return rec, ids


def test_cloudfront_apis_and_function_urls_are_entry_points_by_design():
    rec, ids = edge_records()
    exposed, _ = compute_all(inv_of(rec))
    assert exposed[ids["cdn"]]["ports"] == ["tcp/443", "tcp/80"] and exposed[ids["cdn"]]["via"] == "cloudfront"
    assert exposed[ids["tls"]]["ports"] == ["tcp/443"]
    assert exposed[ids["rest"]]["via"] == exposed[ids["http"]]["via"] == "api"
    assert exposed[ids["url"]]["via"] == "function-url"
    for key in ("off", "private", "closed", "fn"):
        assert ids[key] not in exposed, key


def test_unread_security_groups_make_a_public_resource_possibly_exposed_not_safe():
    rec = Records(region=REG, account=ACCT)
    network(rec)
    inst = instance(rec)
    inv = inv_of(rec)
    inv.graph.remove_node(arn("security-group", "sg-1"))  # as when DescribeSecurityGroups was denied
    exposed, possibly = compute_all(inv)
    assert inst not in exposed
    assert possibly[inst]["why"] == "its security groups (sg-1) were not read" and possibly[inst]["ports"] == []


def test_an_alb_whose_groups_were_not_read_is_not_taken_for_an_open_nlb():
    rec = Records(region=REG, account=ACCT)
    network(rec, ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"}])
    lb = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:loadbalancer/app/web/1"
    li = f"arn:aws:elasticloadbalancing:{REG}:{ACCT}:listener/app/web/1/2"
    rec.node(lb, "elbv2:load-balancer", "web", name="web", type="application", scheme="internet-facing",
             dns_name="web.example", vpc_id="vpc-1", subnet_ids=["subnet-1"], security_group_ids=["sg-1"])
    rec.edge(lb, arn("subnet", "subnet-1"), "in_subnet")
    rec.node(li, "elbv2:listener", "HTTPS:443", port=443, protocol="HTTPS", lb_arn=lb)
    rec.edge(lb, li, "listens_on")
    inv = inv_of(rec)
    inv.graph.remove_node(arn("security-group", "sg-1"))
    exposed, possibly = compute_all(inv)
    assert lb not in exposed and possibly[lb]["ports"] == ["tcp/443"]

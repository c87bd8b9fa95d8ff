"""The three diagrams: structure of the DOT, scale rules, determinism, escaping, self-contained SVG.

Most tests read a graph built from Records shaped like the collectors' output
(fixtures/large.py), so they are fast and do not depend on every collector; the
last ones check the real sample account scanned in moto (``sample`` fixture).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter

import pytest

from fixtures.large import PRESETS, build_inventory
from renderers.diagrams import Diagram, architecture, build, cicd, collapse, security
from renderers.diagrams import style as st
from renderers.escape import dot_id
from scanner.analysis.model import Analysis
from scanner.context import ScanContext
from scanner.inventory import Inventory
from scanner.vocab import KINDS

DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz dot is not installed")
ACCOUNT = "123456789012"


def render(source: str, fmt: str = "svg") -> str:
    proc = subprocess.run(["dot", f"-T{fmt}"], input=source.encode(), capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()[:500]
    return proc.stdout.decode()


def clusters(source: str) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Walk the DOT body: each cluster's parent cluster, and the cluster each node is declared in."""
    parent: dict[str, str | None] = {}
    node_in: dict[str, str | None] = {}
    stack: list[str] = []
    for line in source.splitlines():
        s = line.strip()
        m = re.match(r"subgraph (\w+) \{", s)
        if m:
            parent[m.group(1)] = stack[-1] if stack else None
            stack.append(m.group(1))
        elif s == "}":
            if stack:
                stack.pop()
        else:
            m = re.match(r"(\w+) \[", s)
            if m and m.group(1) not in ("graph", "node", "edge"):
                node_in[m.group(1)] = stack[-1] if stack else None
    return parent, node_in


def cluster_names(source: str) -> list[str]:
    return re.findall(r"subgraph (\w+) \{", source)


@pytest.fixture(scope="module")
def small() -> tuple[Inventory, Analysis]:
    return build_inventory("small")


@pytest.fixture(scope="module")
def large() -> tuple[Inventory, Analysis, list[Diagram]]:
    inv, analysis = build_inventory("large")
    return inv, analysis, build(inv, analysis)


@pytest.fixture(scope="module")
def small_diagrams(small) -> list[Diagram]:
    return build(*small)


# --- architecture structure ---------------------------------------------------------

def test_subnet_clusters_nest_inside_their_az_inside_their_vpc(small, small_diagrams):
    inv, _ = small
    arch = next(d for d in small_diagrams if d.filename == "aws_architecture")
    parent, node_in = clusters(arch.graph.source)
    vpc = inv.nodes("ec2:vpc")[0]
    checked = 0
    for inst in inv.nodes("ec2:instance"):
        subnet = inv.out(inst["id"], "in_subnet", "ec2:subnet")[0]
        az = subnet["props"]["az"]
        sub_c = "cluster_" + dot_id(subnet["id"])
        az_c = "cluster_" + dot_id(f"{vpc['id']}/az/{az}")
        assert parent[sub_c] == az_c
        assert parent[az_c] == "cluster_" + dot_id(vpc["id"])
        assert parent["cluster_" + dot_id(vpc["id"])] == "cluster_" + dot_id(f"region/{vpc['region']}")
        if dot_id(inst["id"]) in node_in:          # drawn individually (not collapsed)
            assert node_in[dot_id(inst["id"])] == sub_c
            checked += 1
    assert checked >= 2


def test_az_box_is_shared_by_all_subnets_of_that_az(small, small_diagrams):
    inv, _ = small
    parent, _ = clusters(small_diagrams[0].graph.source)
    by_az = Counter(parent["cluster_" + dot_id(s["id"])] for s in inv.nodes("ec2:subnet")
                    if "cluster_" + dot_id(s["id"]) in parent)
    # public, app and data subnet of each AZ share one AZ box
    assert sorted(by_az.values()) == [3, 3]


def test_public_and_private_subnets_are_styled_and_labelled_apart(small_diagrams):
    src = small_diagrams[0].graph.source
    assert "Public subnet: public-a" in src and "Private subnet: app-a" in src
    public_colour, private_colour = st.BOXES["subnet_public"][0], st.BOXES["subnet_private"][0]
    assert public_colour != private_colour
    assert f'color="{public_colour}"' in src and f'color="{private_colour}"' in src


def test_load_balancer_is_drawn_inside_each_public_subnet_it_spans(small, small_diagrams):
    inv, _ = small
    lb = inv.nodes("elbv2:load-balancer")[0]
    src = small_diagrams[0].graph.source
    parent, node_in = clusters(src)
    spans = inv.out(lb["id"], "in_subnet", "ec2:subnet") or [
        s for s in inv.nodes("ec2:subnet") if s["props"]["subnet_id"] in lb["props"].get("subnet_ids", [])]
    assert len(spans) >= 2
    for subnet in spans:
        node = dot_id(f"{lb['id']}#{subnet['id']}")
        assert node_in[node] == "cluster_" + dot_id(subnet["id"])           # in the subnet's own box
        assert inv.fact(subnet["id"], "public").yes
    assert f"node 1 of {len(spans)}" in src and f"node {len(spans)} of {len(spans)}" in src


def test_traffic_edges_run_internet_igw_lb_compute_data(small, small_diagrams):
    inv, _ = small
    src = small_diagrams[0].graph.source
    igw = dot_id(inv.nodes("ec2:internet-gateway")[0]["id"])
    lb = inv.nodes("elbv2:load-balancer")[0]["id"]
    lb_nodes = sorted({m for m in re.findall(rf"^\s*({dot_id(lb)}\w*) \[", src, flags=re.M)})
    assert re.search(rf"^\s*internet -> {igw}\b", src, flags=re.M)
    assert all(re.search(rf"^\s*{igw} -> {n}\b", src, flags=re.M) for n in lb_nodes)
    asg_instance = next(n for n in inv.nodes("ec2:instance") if n["props"]["asg_name"])
    assert any(re.search(rf"^\s*{n} -> {dot_id(asg_instance['id'])}\b", src, flags=re.M) for n in lb_nodes)
    db = dot_id(inv.nodes("rds:instance")[0]["id"])
    assert re.search(rf"-> {db} \[.*ltail=cluster_", src)                # the app tier reaches the database


def test_architecture_draws_traffic_paths_not_security_group_rules(small, small_diagrams):
    """Security-group flows (with their ports) live in the security diagram only."""
    inv, analysis = small
    src = small_diagrams[0].graph.source
    assert not re.search(r'label="(tcp|udp|icmp|all traffic)', src)
    assert "allowed by security groups" not in src
    assert st.EDGES["allows"]["color"] != st.EDGES["data"]["color"] or "allows" not in src
    sec = security.build(inv, analysis)[0].graph.source
    assert 'label="tcp/5432"' in sec


def test_edge_labels_are_attached_not_floating():
    """A label on a compound edge (clipped at a box) is a label node the line runs through."""
    inv, analysis = build_inventory("medium")
    part = architecture.build(inv, analysis)[1].graph.source          # one VPC: TGW attachment, peering
    compound = [line for line in part.splitlines() if " -> " in line and ("ltail=" in line or "lhead=" in line)]
    assert compound and not [line for line in compound if re.search(r"\blabel=", line)]
    assert re.search(r'^\s*lbl_\w+ \[label="TGW attachment"', part, flags=re.M)      # on its line
    assert re.search(r"^\s*(\w+ -> lbl_\w+ .*ltail|lbl_\w+ -> \w+ .*lhead)=cluster_", part, flags=re.M)


def test_gateways_endpoints_peering_and_tgw_are_drawn_with_edges():
    inv, analysis = build_inventory("medium")
    parts = architecture.build(inv, analysis)
    overview = parts[0].graph.source
    assert "Transit gateway" in overview and "TGW attachment" in overview
    assert re.search(r'label="pcx-[0-9a-f]+"', overview)                 # peering between two VPCs
    part = parts[1].graph.source
    assert "NAT gateway" in part and "s3 endpoint" in part and "Internet gateway" in part
    assert "egress via nat-" in part                        # private subnets name their NAT


def test_cluster_ids_are_unique_and_come_from_resource_ids(large):
    inv, _, diagrams = large
    for d in diagrams:
        names = cluster_names(d.graph.source)
        assert len(names) == len(set(names)), d.filename
    vpc = inv.nodes("ec2:vpc")[0]
    part = next(d for d in diagrams if d.filename.endswith(vpc["props"]["vpc_id"]))
    assert "cluster_" + dot_id(vpc["id"]) in cluster_names(part.graph.source)


def test_scene_keeps_box_ids_unique_when_dot_ids_collide():
    scene = st.Scene()
    a = scene.box(None, "vpc-a_b", "vpc", "<a>")
    b = scene.box(None, "vpc-a-b", "vpc", "<b>")         # same dot_id, other resource
    assert a.id != b.id


# --- scale rules -------------------------------------------------------------------

def test_large_account_stays_within_bounds_with_counts_in_labels(large):
    inv, _, diagrams = large
    assert len(inv.nodes("ec2:instance")) > 700
    for d in diagrams:
        assert d.nodes <= collapse.MAX_NODES and d.edges <= collapse.MAX_EDGES, d.filename
        src = d.graph.source
        drawn = re.findall(r"^\s*(?!lbl_|layout_)\w+ \[label=", src, flags=re.M)     # label / layout nodes aside
        assert len(drawn) == d.nodes, d.filename
        # an edge drawn through its label node counts once
        assert len(re.findall(r"^\s*(?!lbl_)\w+ -> (?!.*style=invis)", src, flags=re.M)) == d.edges, d.filename
    arch = [d for d in diagrams if d.marker == "AWS_ARCHITECTURE"]
    sources = "\n".join(d.graph.source for d in arch)
    size = PRESETS["large"]
    assert f"{size.workers} EC2 instances · c5.xlarge" in sources       # identical workers collapse
    assert f"{size.asg_size // size.azs} EC2 instances of this Auto Scaling group" in sources  # ASG members per subnet
    assert all(d.omitted for d in arch)


def test_architecture_splits_into_overview_and_one_diagram_per_vpc(large):
    inv, _, diagrams = large
    arch = [d for d in diagrams if d.marker == "AWS_ARCHITECTURE"]
    vpcs = inv.nodes("ec2:vpc")
    assert arch[0].filename == "aws_architecture" and "overview" in arch[0].title
    assert sorted(d.filename for d in arch[1:]) == sorted(f"aws_architecture_{v['props']['vpc_id']}" for v in vpcs)
    assert "drawn in their own diagrams" in arch[0].omitted[0]
    for v in vpcs:        # the overview names every VPC
        assert v["name"] in arch[0].graph.source
    sec = [d.filename for d in diagrams if d.marker == "AWS_SECURITY"]
    assert sec[0] == "aws_security"                                   # security splits per VPC too,
    for v in vpcs:                                                      # and by tier where too wide
        stem = f"aws_security_{v['props']['vpc_id']}"
        assert [stem] == [f for f in sec if f == stem] or {f"{stem}_{t}" for t in ("public", "app", "data")} <= set(sec)


def test_identical_siblings_collapse_only_beyond_three(small):
    inv, _ = small
    ctx = ScanContext(None, "us-east-1", ACCOUNT)
    base = inv.nodes("ec2:instance")[0]

    def clone(i: int) -> dict:
        props = dict(base["props"], asg_name=None, instance_type="t3.small", image_id="ami-1",
                     security_group_ids=["sg-1"])
        return {**base, "id": ctx.ec2_arn("instance", f"i-{i}"), "props": props}

    assert [len(g.members) for g in collapse.group_siblings(Inventory(), [clone(i) for i in range(3)])] == [1, 1, 1]
    groups = collapse.group_siblings(Inventory(), [clone(i) for i in range(4)])
    assert len(groups) == 1 and groups[0].title == "4 EC2 instances · t3.small"


def test_every_diagram_says_what_it_leaves_out(small_diagrams):
    arch = small_diagrams[0]
    assert any("security groups" in n and "AWS_SECURITY" in n for n in arch.omitted)
    assert any(re.match(r"\d+ resources are drawn as \d+ grouped nodes? ", n) for n in arch.omitted)


# --- determinism, escaping, self-contained output ----------------------------------

def test_same_inventory_gives_the_same_dot_bytes():
    first = [d.graph.source for d in build(*build_inventory("medium"))]
    second = [d.graph.source for d in build(*build_inventory("medium"))]
    assert first == second


HOSTILE = '"]; evil [label="pwned"]; x -> y //'
SCRIPT = "<script>alert(1)</script>"
LONG = "Ω≈ç√∫漢字🙂" * 32            # 256 characters of unicode


def hostile_inventory() -> Inventory:
    ctx = ScanContext(None, "us-east-1", ACCOUNT)
    out = ctx.records()
    vpc = ctx.ec2_arn("vpc", "vpc-1")
    out.node(vpc, "ec2:vpc", HOSTILE, vpc_id="vpc-1", cidr="10.0.0.0/16", is_default=False)
    out.edge(ctx.region_node, vpc, "contains")
    subnet = ctx.ec2_arn("subnet", "subnet-1")
    out.node(subnet, "ec2:subnet", SCRIPT, subnet_id="subnet-1", vpc_id="vpc-1", cidr="10.0.0.0/24",
             az="us-east-1a", public=True)
    out.edge(vpc, subnet, "contains")
    inst = ctx.ec2_arn("instance", "i-1")
    out.node(inst, "ec2:instance", LONG, instance_id="i-1", instance_type='t3"]', subnet_id="subnet-1",
             vpc_id="vpc-1", security_group_ids=["sg-1"])
    out.edge(inst, subnet, "in_subnet")
    sg = ctx.ec2_arn("security-group", "sg-1")
    out.node(sg, "ec2:security-group", SCRIPT, group_id="sg-1", group_name=HOSTILE, vpc_id="vpc-1")
    out.edge(inst, sg, "protected_by")
    out.edge("internet", sg, "allows", protocol="tcp", from_port=22, to_port=22, direction="ingress")
    stages = [{"name": HOSTILE, "actions": [{"name": SCRIPT, "category": "Source", "provider": LONG,
                                             "run_order": 1, "configuration": {"RepositoryName": HOSTILE}}]}]
    out.node("arn:aws:codepipeline:us-east-1:123456789012:p", "codepipeline:pipeline", SCRIPT, name=SCRIPT,
             stages=stages, artifact_bucket=HOSTILE)
    inv = Inventory(meta={"regions": ["us-east-1"]})
    inv.merge([out])
    return inv


@needs_dot
def test_hostile_names_cannot_break_the_dot_and_are_escaped():
    inv = hostile_inventory()
    for d in build(inv, Analysis()):
        svg = render(d.graph.source)
        titles = re.findall(r"<title>(.*?)</title>", svg)
        assert "evil" not in titles and "x" not in titles, d.filename
        assert "<script>" not in svg, d.filename
        assert "pwned" not in d.graph.source.replace("pwned&quot;", ""), d.filename
    arch = build(inv, Analysis())[0].graph.source
    assert "&lt;script&gt;" in arch
    assert "Ω≈ç√∫漢字🙂" in arch and LONG not in arch        # unicode kept, length bounded


@needs_dot
def test_svg_files_reference_nothing_outside_themselves(small_diagrams):
    from renderers.diagrams.render import dot_output

    for d in small_diagrams:
        svg = render(d.graph.source)                  # the icon-free .dot renders anywhere
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
        assert 'xlink:href="file:' not in svg and 'href="/' not in svg and "<image" not in svg, d.filename
        with_icons = dot_output(d, "svg").stdout.decode()
        assert "<image" in with_icons and "<use" in with_icons, d.filename      # icons, embedded as data
        hrefs = re.findall(r'href="([^"]*)"', with_icons)
        assert hrefs and all(h.startswith(("#", "data:image/png;base64,")) for h in hrefs), d.filename
        assert "icons/" not in with_icons and "file:" not in with_icons


@needs_dot
def test_icons_come_from_the_kind_and_the_legend_shows_them(small_diagrams):
    from renderers import icons
    from renderers.icons.catalog import KIND_ICONS, SOURCES

    assert set(KIND_ICONS.values()) <= set(SOURCES) and set(icons.keys()) <= set(SOURCES)
    assert icons.icon_key("ec2:instance") == "ec2" and icons.icon_key("no:such-kind") is None
    assert icons.icon_key("elbv2:load-balancer", {"type": "network"}) == "nlb"
    assert icons.png("ec2").startswith(b"\x89PNG")
    arch = small_diagrams[0]
    legend = arch.icon_source().split("Legend", 1)[1].split("</TABLE>>", 1)[0]
    assert 'IMG SRC="icons/ec2.png"' in legend and 'IMG SRC="icons/alb.png"' in legend
    assert "IMG SRC" not in arch.graph.source                               # the .dot needs no files


@needs_dot
def test_diagrams_read_at_page_width(small_diagrams):
    """Shown 1400 px wide, the smallest text (MIN_FONT points) is still 8 px or more."""
    for d in small_diagrams:
        width, _ = collapse.layout_size(d.graph.source)
        assert d.readable and width <= collapse.max_width_in(), (d.filename, width)
    assert collapse.max_width_in(9) == pytest.approx(21.875)


def test_collapsed_group_keeps_its_members_relationships():
    """5 S3 buckets collapse into one node, but the one that replicates keeps its edge, counted."""
    inv, analysis = build_inventory("medium")
    buckets = [b for b in inv.nodes("s3:bucket") if b.get("region") == "us-east-1"]
    assert len(buckets) > collapse.REGIONAL_LIMIT
    dr = next(b for b in inv.nodes("s3:bucket") if b.get("region") != "us-east-1")
    inv.graph.add_edge(buckets[0]["id"], dr["id"], key="replicates_to", rel="replicates_to", props={})
    m = architecture.build_model(inv, analysis)
    [link] = [x for x in m.links if x.role == "replication"]
    group = m.items[link.src]
    assert group.collapsed and buckets[0]["id"] in group.members
    from renderers.diagrams.architecture_scene import link_label
    assert link_label(link, m).startswith(f"replicates to · 1 of {len(group.members)}")


@needs_dot
def test_layout_aspect_ratio_stays_within_one_to_four(small_diagrams):
    for d in small_diagrams:
        plain = render(d.graph.source, "plain").split("\n", 1)[0].split()
        width, height = float(plain[2]), float(plain[3])
        assert max(width / height, height / width) <= 4.5, (d.filename, width, height)


# --- security ----------------------------------------------------------------------

def test_security_groups_are_the_unit_with_rules_aggregated_on_edges(small):
    inv, analysis = small
    src = security.build(inv, analysis)[0].graph.source
    alb_sg = next(s for s in inv.nodes("ec2:security-group") if s["name"] == "alb-sg")
    edges = re.findall(rf"^\s*internet -> {dot_id(alb_sg['id'])} \[(.*)\]$", src, flags=re.M)
    assert len(edges) == 1 and 'label="tcp/80, tcp/443"' in edges[0]     # 0.0.0.0/0 and ::/0 merged
    assert len(re.findall(r"^\s*internet \[", src, flags=re.M)) == 1
    assert "203.0.113.0/24" in src and 'label="tcp/22"' in src


def test_security_highlights_exposed_and_findings_and_links_roles_and_keys(small):
    inv, analysis = small
    d = security.build(inv, analysis)[0]
    src = d.graph.source
    lb = inv.nodes("elbv2:load-balancer")[0]
    lb_line = next(line for line in src.splitlines() if line.strip().startswith(st.stable_id(
        "workload", "elbv2:load-balancer", *sorted(s["id"] for s in inv.out(lb["id"], "protected_by")), "")))
    assert f'fillcolor="{st.EXPOSED[1]}"' in lb_line and "exposed to the internet" in lb_line
    assert f'color="{st.FINDING}"' in src                               # the Redis cluster has a finding
    assert "app-instance-role" in src and 'label="runs as"' in src
    volumes = len(inv.nodes("ebs:volume"))
    assert f"{volumes} EBS volumes" in src                               # aggregated, not one edge each
    assert src.count('label="encrypted by"') < volumes
    assert "Legend" in src


def test_account_guards_show_present_missing_and_not_assessed(small):
    inv, analysis = small
    src = security.build(inv, analysis)[0].graph.source
    assert "CloudTrail" in src and "present: 1 logging" in src
    assert "AWS Config" in src and "MISSING: not set up" in src
    empty = security.build(Inventory(meta={"regions": ["us-east-1"]}), Analysis())[0].graph.source
    assert "not assessed: not scanned" in empty


def test_port_text_reads_all_rule_shapes():
    assert security.port_text({"protocol": "-1"}) == "all traffic"
    assert security.port_text({"protocol": "tcp", "from_port": 0, "to_port": 65535}) == "tcp/all"
    assert security.port_text({"protocol": "6", "from_port": 8000, "to_port": 8080}) == "tcp/8000-8080"
    assert security.port_text({"protocol": "icmp", "from_port": -1, "to_port": -1}) == "icmp"
    assert security.port_text({}) == "?"


# --- CI/CD -------------------------------------------------------------------------

def test_pipeline_stages_and_actions_in_order(small):
    inv, analysis = small
    src = cicd.build(inv, analysis)[0].graph.source
    positions = [src.index(f"{i}. {name}") for i, name in enumerate(["Source", "Build", "Approve", "Deploy"], 1)]
    assert positions == sorted(positions)
    p = inv.nodes("codepipeline:pipeline")[0]["id"]
    unit, package = dot_id(f"{p}/action/1/0/0"), dot_id(f"{p}/action/1/1/0")
    approve, deploy = dot_id(f"{p}/action/2/0/0"), dot_id(f"{p}/action/3/0/0")
    for a, b in ((unit, package), (package, approve), (approve, deploy)):
        assert re.search(rf"^\s*{a} -> {b} ", src, flags=re.M), (a, b)
    assert "image aws/codebuild/standard:7.0" in src and "deploys to" in src and "artifact bucket" in src


def test_several_pipelines_are_separate_rows():
    inv, analysis = build_inventory("medium")
    src = cicd.build(inv, analysis)[0].graph.source
    names = re.findall(r"Pipeline: (service-\d+)", src)
    assert names == ["service-0", "service-1"]
    assert "style=invis" in src                                   # rows stacked


def test_empty_account_gets_small_diagrams_that_say_so():
    inv = Inventory(meta={"regions": ["us-east-1"]})
    diagrams = build(inv, Analysis())
    assert [d.marker for d in diagrams] == ["AWS_ARCHITECTURE", "AWS_SECURITY", "CICD"]
    assert "No pipelines found" in diagrams[2].graph.source
    assert "No VPCs or regional services found" in diagrams[0].graph.source
    assert all(d.nodes <= 10 for d in diagrams)


def test_without_pipelines_loose_build_projects_are_still_drawn():
    inv, analysis = build_inventory("tiny")
    inv.graph.remove_nodes_from([n["id"] for n in inv.nodes("codepipeline:pipeline")])
    src = cicd.build(inv, analysis)[0].graph.source
    assert "No pipelines found" in src and "Not used by any pipeline" in src and "service-0-build" in src


def test_records_fixture_is_shaped_like_the_collectors():
    """The large fixture fills every prop the vocabulary promises for its kinds, with no placeholders."""
    inv, _ = build_inventory("tiny")
    missing = {n["kind"]: sorted(set(KINDS[n["kind"]]) - set(n["props"])) for n in inv.nodes()
               if set(KINDS[n["kind"]]) - set(n["props"])}
    assert missing == {}
    assert not [n for n in inv.nodes(include_external=True) if n.get("external")]


# --- the real sample account -------------------------------------------------------

@needs_dot
def test_sample_account_diagrams_show_the_vpc_subnets_and_pipeline(sample):
    files = {p.name for p in sample.files.diagrams}
    assert {"aws_architecture.svg", "aws_security.svg", "cicd.svg"} <= files
    folder = sample.out / "diagrams"
    arch = html.unescape((folder / "aws_architecture.svg").read_text())     # dot writes "-" as &#45;
    assert "10.0.0.0/16" in arch and "public-a" in arch and "app-b" in arch
    cicd_svg = html.unescape((folder / "cicd.svg").read_text())
    pipeline = sample.inv.nodes("codepipeline:pipeline")
    if pipeline:
        for stage in pipeline[0]["props"]["stages"]:
            assert stage["name"] in cicd_svg
    for name in files:
        if name.endswith(".svg"):
            assert 'href="/' not in (folder / name).read_text()


def sparse_inventory() -> Inventory:
    """Every drawable kind with props the account did not reveal (None / missing / odd shapes)."""
    ctx = ScanContext(None, "eu-central-1", ACCOUNT)
    out = ctx.records()
    for kind in architecture.VPC_KINDS + architecture.REGIONAL_KINDS + architecture.GLOBAL_KINDS + (
            "ec2:vpc", "ec2:subnet", "ec2:security-group", "kms:key", "iam:role", "ec2:vpc-peering",
            "ec2:transit-gateway-attachment", "ec2:vpn-connection", "ec2:customer-gateway", "ebs:volume",
            "cloudtrail:trail", "guardduty:detector", "config:recorder", "securityhub:hub",
            "codebuild:project", "codedeploy:deployment-group"):
        out.node(f"arn:aws:x:eu-central-1:{ACCOUNT}:{kind}/only", kind, None)
    vpc = f"arn:aws:x:eu-central-1:{ACCOUNT}:ec2:vpc/only"
    subnet = f"arn:aws:x:eu-central-1:{ACCOUNT}:ec2:subnet/only"
    out.edge(vpc, subnet, "contains")
    out.edge(f"arn:aws:x:eu-central-1:{ACCOUNT}:ec2:instance/only", subnet, "in_subnet")
    out.edge(f"arn:aws:x:eu-central-1:{ACCOUNT}:ec2:instance/only",
             f"arn:aws:x:eu-central-1:{ACCOUNT}:ec2:security-group/only", "protected_by")
    out.edge("internet", f"arn:aws:x:eu-central-1:{ACCOUNT}:ec2:security-group/only", "allows")
    out.edge(f"arn:aws:x:eu-central-1:{ACCOUNT}:ebs:volume/only", "arn:aws:kms:eu-central-1:1:key/gone",
             "encrypted_by")
    out.node(f"arn:aws:codepipeline:eu-central-1:{ACCOUNT}:odd", "codepipeline:pipeline", "odd",
             stages=["not a dict", {"name": None, "actions": None},
                     {"name": "Build", "actions": [{"run_order": "x", "provider": None}, "junk"]}])
    inv = Inventory(meta={"regions": ["eu-central-1"]})
    inv.merge([out])
    return inv


@needs_dot
def test_unrevealed_props_and_odd_shapes_still_draw():
    inv = sparse_inventory()
    diagrams = build(inv, Analysis())
    assert [d.marker for d in diagrams] == ["AWS_ARCHITECTURE", "AWS_SECURITY", "CICD"]
    for d in diagrams:
        render(d.graph.source)
    assert "2. Build" in diagrams[2].graph.source


def test_collapse_on_what_the_real_collectors_emit_from_moto():
    """The moto variant of the large account, scanned by the EC2 and Auto Scaling collectors only."""
    from moto import mock_aws

    from fixtures.large import build_moto
    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, verify_identity

    size = PRESETS["small"]
    wanted = {"ec2.vpcs", "ec2.subnets", "ec2.instances", "ec2.security_groups", "ec2.route_tables",
              "ec2.internet_gateways", "autoscaling.groups"}
    with mock_aws():
        ids = build_moto(size)
        session = make_session(None, "us-east-1")
        inv = scan(session, verify_identity(session), ["us-east-1"],
                   collectors=[c for c in load_all() if c.name in wanted])
    d = architecture.build(inv, Analysis())[0]
    src = d.graph.source
    assert d.nodes <= collapse.MAX_NODES
    # 5 identical workers per app subnet collapse; the ASG's 2 per subnet stay single
    assert src.count(f"{size.workers} EC2 instances · c5.large") == size.azs
    parent, node_in = clusters(src)
    for sid in ids["app_subnets"]:
        assert ("cluster_" + dot_id(f"arn:aws:ec2:us-east-1:123456789012:subnet/{sid}")) in parent
    assert "Public subnet: public-a" in src and "Private subnet: app-a" in src


def test_many_pipelines_stay_within_budget_and_say_how_many_are_left_out():
    from fixtures.large import Size

    inv, analysis = build_inventory(Size(regions=("us-east-1",), vpcs_per_region=1, azs=2, asg_size=2, workers=1,
                                         bastions=0, extra_sgs=0, buckets=1, pipelines=30))
    parts = cicd.build(inv, analysis)
    for d in parts:
        assert d.nodes <= collapse.MAX_NODES and d.edges <= collapse.MAX_EDGES
        assert "Not used by any pipeline" not in d.graph.source     # their projects are used, just not drawn
    if len(parts) == 1:                                   # stacked (reads at page width): budget-bound
        drawn = len(re.findall(r"Pipeline: service-\d+", parts[0].graph.source))
        assert parts[0].omitted == [f"{30 - drawn} more pipelines (over the diagram budget; listed in section 7)"]
        return
    # stacked they would not read at 1400 px: one diagram per pipeline, the rest counted
    assert len(parts) == cicd.MAX_PARTS
    assert [d.title for d in parts[:2]] == ["CI/CD pipeline 1 of 30: service-0", "CI/CD pipeline 2 of 30: service-1"]
    assert f"{30 - cicd.MAX_PARTS} more pipelines (more than {cicd.MAX_PARTS} pipeline diagrams; listed in section 7)" \
        in parts[0].omitted


def test_document_shows_every_part_with_what_it_leaves_out(large):
    from renderers.document import render_document

    inv, analysis, diagrams = large
    doc = render_document(inv, analysis, diagrams, project_name="Large")
    for d in diagrams:
        assert f"(diagrams/{d.filename}.svg)" in doc
    assert "*Not drawn: the inside of each VPC" in doc

"""AWS_ARCHITECTURE: account > region > VPC > AZ > subnet, with the traffic paths through it.

What is drawn, and why:

- Boxes nest account > region > VPC > availability zone > subnet. An AZ box is
  shared by all subnets of that VPC in that AZ; public and private subnets are
  styled apart (colour and title), from the judged ``public`` fact of each subnet;
  a subnet whose routes could not be read is drawn "public/private unknown". A box with nothing in it is not drawn; an
  empty subnet is a small subnet-styled node, so the layout still shows it.
- Gateways (IGW, egress-only IGW, VPN gateway) and things spanning several
  subnets (load balancers, multi-subnet ASGs/ECS/Lambda/EKS, endpoints) are drawn
  once inside their VPC, outside the AZ boxes. NAT gateways, instances and data
  stores sit in their subnet.
- Regional services (S3, DynamoDB, Lambda outside VPCs, API Gateway, SQS, SNS,
  Step Functions) sit in the region outside the VPCs; CloudFront and Route 53 in
  a global box.
- Edges: Internet -> IGW -> load balancer -> compute -> data (data edges come
  from security-group rules that let the compute's group reach the data
  store's group), private subnet -> NAT -> IGW (egress), peering and transit
  gateway attachments between VPC boxes, endpoints to the services they reach.

Scale (see :mod:`renderers.diagrams.collapse`): identical siblings beyond three
collapse into one node labelled with the count; above the node/edge budget the
diagram splits into an overview of VPCs and their connections plus one diagram
per VPC. Every diagram lists what it leaves out in ``Diagram.omitted``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from renderers.diagrams import Diagram, file_stem
from renderers.diagrams import collapse as cl
from renderers.diagrams import style as st
from renderers.plural import count_of
from scanner import naming, status
from scanner.analysis.model import Analysis
from scanner.fact import Fact
from scanner.inventory import Inventory

MARKER = "AWS_ARCHITECTURE"
FILENAME = "aws_architecture"

#: present in the account but deliberately not drawn here: (kind, how the reader finds them).
#: The diagram's own choice; the words are the kind's spec names.
NOT_DRAWN = (
    ("ec2:route-table", "their internet and NAT routes appear as edges"),
    ("ec2:network-acl", "listed in section 5.2"),
    ("ec2:security-group", "drawn in the AWS_SECURITY diagram"),
    ("ec2:network-interface", "each belongs to a drawn instance, NAT gateway, endpoint or service"),
    ("ec2:elastic-ip", "shown on their NAT gateway or instance"),
    ("ebs:volume", "listed in section 4.2"),
    ("elbv2:target-group", "drawn as edges from each load balancer to its targets"),
)
#: this diagram's own choices among the kinds the specs place in a VPC or subnet: subnets are
#: the boxes themselves, CodeBuild projects are drawn in the CICD diagram
_NOT_IN_VPC_BOXES = ("ec2:subnet", "codebuild:project") + tuple(k for k, _ in NOT_DRAWN)
#: kinds drawn inside a VPC (in a subnet, or at VPC level when they span subnets): the specs'
#: zone "vpc"/"subnet"
VPC_KINDS = st.drawn_kinds(("vpc", "subnet"), without=_NOT_IN_VPC_BOXES)
#: colour families (spec looks) of the services drawn in the region outside the VPCs
REGIONAL_FAMILIES = ("edge", "database", "storage", "serverless", "integration")
#: this diagram's own choices: EFS file systems and ElastiCache replication groups are drawn as
#: their mount targets / member clusters in the subnets; EventBridge rules are wiring, and
#: snapshots and backup vaults are copies (section 9), not services on a traffic path
_NOT_REGIONAL = ("efs:file-system", "elasticache:replication-group", "events:rule", "ebs:snapshot",
                 "rds:snapshot", "backup:vault") + tuple(k for k, _ in NOT_DRAWN)
#: kinds that run in a VPC when attached to one, else sit with the regional services (Lambda)
OPTIONAL_VPC = tuple(k for k in VPC_KINDS if st.family_of(k) == "serverless")
#: kinds drawn in the region, outside the VPCs: the specs' zone "region" of those families, the
#: transit gateway (it joins VPCs, so it sits between them) and VPC-optional kinds outside a VPC
REGIONAL_KINDS = (st.drawn_kinds(("region",), REGIONAL_FAMILIES, without=_NOT_REGIONAL)
                  + OPTIONAL_VPC + ("ec2:transit-gateway",))
#: the specs' zone "global" of the edge family (CloudFront, Route 53)
GLOBAL_KINDS = st.drawn_kinds(("global",), ("edge",))
#: in-VPC kinds that run code (the source end of data edges): spec families
COMPUTE_KINDS = frozenset(k for k in VPC_KINDS if st.family_of(k) in ("compute", "container", "serverless"))
#: in-VPC data stores (the target end of data edges): spec families
DATA_KINDS = frozenset(k for k in VPC_KINDS if st.family_of(k) in ("database", "storage"))


@dataclass
class Item:
    """One drawable thing (a resource, or a collapsed group of identical ones)."""

    key: str
    kind: str
    title: str
    lines: list[str]
    members: tuple[str, ...]
    region: str
    zone: str                   # subnet | vpc | regional | global | outside
    vpc: str | None = None
    subnet: str | None = None
    #: reachable from the internet on its own address / only through a load balancer
    exposed: bool = False
    reached: bool = False
    finding: bool = False
    collapsed: bool = False


@dataclass
class Link:
    """An edge between items (``key``) or boxes (``box:<resource id>``)."""

    src: str
    dst: str
    role: str
    label: str = ""


@dataclass
class Model:
    items: dict[str, Item] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    rep: dict[str, list[str]] = field(default_factory=dict)   # inventory id -> item keys
    vpcs: list[dict[str, Any]] = field(default_factory=list)
    subnets: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: subnet -> the judged ``public`` fact as True (public), False (private), None (unknown)
    public: dict[str, bool | None] = field(default_factory=dict)
    #: subnet -> why its public/private classification is unknown
    public_why: dict[str, str] = field(default_factory=dict)
    #: private subnet -> NAT gateways its default route uses (shown in the subnet's label)
    egress: dict[str, list[str]] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        self.items[item.key] = item
        for m in item.members:
            self.rep.setdefault(m, []).append(item.key)

    def link(self, src: str, dst: str, role: str, label: str = "") -> None:
        self.links.append(Link(src, dst, role, label))

    def keys(self, inv_id: str) -> list[str]:
        return self.rep.get(inv_id, [])


# --- entry point ---------------------------------------------------------------

def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    """The architecture diagram, or an overview plus one diagram per VPC when too large."""
    model = build_model(inv, analysis, level=0)
    if not model.items and not model.vpcs:
        return [_empty(inv)]
    scene = render_scene(inv, model)
    drawn_vpcs = [v for v in model.vpcs if any(it.vpc == v["id"] for it in model.items.values())]
    if len(drawn_vpcs) > cl.MAX_VPCS_INLINE and len(model.vpcs) > 1:
        return split(inv, analysis, model)
    if cl.fits(scene) or len(model.vpcs) <= 1:
        if not cl.fits(scene):
            return [_degraded_single(inv, analysis, model)]
        return [_diagram(FILENAME, "AWS architecture", scene, _omitted(inv, model))]
    return split(inv, analysis, model)


def split(inv: Inventory, analysis: Analysis, model: Model) -> list[Diagram]:
    """Overview of VPCs and their connections, then one diagram per VPC (collapsing harder if needed)."""
    parts: list[Diagram] = []
    vpc_ids = [v["id"] for v in model.vpcs]
    overview = overview_scene(inv, model)
    omitted = [f"the inside of each VPC: the {st.count_words('ec2:vpc', len(vpc_ids))} are drawn in their own diagrams below "
               f"(one picture of the whole account would exceed {cl.MAX_VPCS_INLINE} VPCs, "
               f"{cl.MAX_NODES} nodes or {cl.MAX_EDGES} edges)"]
    omitted += cl.truncate(overview, "VPCs and regional services")
    parts.append(_diagram(FILENAME, "AWS architecture: overview of VPCs and their connections",
                          overview, omitted))
    for vpc in model.vpcs:
        scene, m = None, model
        for level in cl.LEVELS:
            m = model if level == 0 else build_model(inv, analysis, level=level)
            scene = render_scene(inv, m, only_vpc=vpc["id"])
            if cl.fits(scene):
                break
        assert scene is not None
        notes = _omitted(inv, m, only_vpc=vpc["id"]) + cl.truncate(scene, "resources in subnets")
        name = naming.node_name(vpc)
        parts.append(_diagram(f"{FILENAME}_{_file_safe(vpc['props'].get('vpc_id') or vpc['id'])}",
                              f"AWS architecture: VPC {name}", scene, notes))
    return parts


def _degraded_single(inv: Inventory, analysis: Analysis, model: Model) -> Diagram:
    scene, m = None, model
    for level in cl.LEVELS[1:]:
        m = build_model(inv, analysis, level=level)
        scene = render_scene(inv, m)
        if cl.fits(scene):
            break
    assert scene is not None
    notes = _omitted(inv, m) + cl.truncate(scene, "resources in subnets")
    return _diagram(FILENAME, "AWS architecture", scene, notes)


def _diagram(filename: str, title: str, scene: st.Scene, omitted: list[str]) -> Diagram:
    rankdir = cl.choose_rankdir(scene, filename, preferred="TB")
    graph = scene.to_graph(filename, rankdir, title=title)
    return Diagram(MARKER, filename, title, graph, omitted=omitted, nodes=scene.node_count,
                   edges=scene.edge_count)


def _empty(inv: Inventory) -> Diagram:
    scene = st.Scene()
    regions = ", ".join(inv.regions) or "no region"
    blocked = status.blocked_runs(inv.runs("ec2"))
    text = ("VPCs could not be read (see section 2 for the missing permission)" if blocked
            else "No VPCs or regional services found")
    scene.node(None, "empty", st.html_label(text, f"scanned regions: {regions}"), st.node_attrs("note"),
               kind="note")
    return _diagram(FILENAME, "AWS architecture", scene, [])


def _file_safe(text: str) -> str:
    return file_stem(str(text).rsplit("/", 1)[-1])  # unique and deterministic (renderers/diagrams)


# --- the model: what is drawn where ----------------------------------------------

def build_model(inv: Inventory, analysis: Analysis, level: int = 0) -> Model:
    """Place every drawable resource and compute the edges; ``level`` sets how hard to collapse."""
    m = Model()
    m.vpcs = inv.nodes("ec2:vpc")
    m.subnets = {s["id"]: s for s in inv.nodes("ec2:subnet")}
    st.ensure_judged(inv)
    for sid in m.subnets:
        m.public[sid], why = _public(inv.fact(sid, "public"))
        if why:
            m.public_why[sid] = why
    idx = _Index(inv, m)
    _place_vpc_resources(inv, analysis, m, idx, level)
    _place_regional(inv, analysis, m)
    _link_internet(inv, m)
    _link_load_balancers(inv, m)
    _link_data(inv, m)
    _link_egress(inv, m, idx)
    _link_connectivity(inv, m, idx)
    _link_services(inv, m)
    return m


class _Index:
    """Lookups from raw AWS ids to graph ids, built once per model."""

    def __init__(self, inv: Inventory, m: Model) -> None:
        self.subnet_by_raw = {s["props"].get("subnet_id"): sid for sid, s in m.subnets.items()
                              if s["props"].get("subnet_id")}
        self.vpc_by_raw = {v["props"].get("vpc_id"): v["id"] for v in m.vpcs if v["props"].get("vpc_id")}
        self.vpc_ids = {v["id"] for v in m.vpcs}
        self.subnet_vpc: dict[str, str] = {}
        for sid, s in m.subnets.items():
            parents = inv.into(sid, "contains", "ec2:vpc")
            vpc = parents[0]["id"] if parents else self.vpc_by_raw.get(s["props"].get("vpc_id"))
            if vpc:
                self.subnet_vpc[sid] = vpc

    def subnets_of(self, inv: Inventory, node: dict[str, Any]) -> list[str]:
        found = {n["id"] for n in inv.out(node["id"], "in_subnet", "ec2:subnet")}
        props = node.get("props") or {}
        raw = [props.get("subnet_id")] + list(props.get("subnet_ids") or [])
        found.update(self.subnet_by_raw[r] for r in raw if r in self.subnet_by_raw)
        return sorted(found)

    def vpc_of(self, inv: Inventory, node: dict[str, Any], subnets: list[str]) -> str | None:
        for s in subnets:
            if s in self.subnet_vpc:
                return self.subnet_vpc[s]
        for rel in ("in_vpc", "attached_to"):
            for n in inv.out(node["id"], rel, "ec2:vpc"):
                return n["id"]
        raw = (node.get("props") or {}).get("vpc_id")
        if raw in self.vpc_by_raw:
            return self.vpc_by_raw[raw]
        for raw in (node.get("props") or {}).get("vpc_ids") or []:
            if raw in self.vpc_by_raw:
                return self.vpc_by_raw[raw]
        return None


def _public(f: Fact | None) -> tuple[bool | None, str]:
    """The subnet's judged ``public`` fact (scanner/judge/exposure.py) as True / False / None, and
    why it is unknown. The one classification: the document and the exposure analysis read it too."""
    if f is None or f.unknown:
        return None, (f.why if f else "not judged")
    return f.yes, ""


def _flags(inv: Inventory, analysis: Analysis, members: Iterable[str]) -> tuple[st.Exposure, bool]:
    members = list(members)
    exposure = st.exposure_of(inv, analysis.exposure, members)
    finding = any(analysis.for_resource(mid) for mid in members)
    return exposure, finding


def _describe(n: dict[str, Any]) -> tuple[str, list[str]]:
    """Title and detail lines of one resource, by kind."""
    p = n.get("props") or {}
    kind = n["kind"]
    name = naming.node_name(n)
    title = st.title_of(kind)
    if kind == "ec2:instance":
        ip = p.get("public_ip") and f"public {p['public_ip']}"
        state = f" · {p['state']}" if p.get("state") not in (None, "running") else ""
        return name, [f"EC2 {p.get('instance_type') or ''}".strip() + state, ip or p.get("private_ip")]
    if kind == "elbv2:load-balancer":
        kind_name = {"application": "ALB", "network": "NLB", "gateway": "GWLB"}.get(p.get("type"), "Load balancer")
        return name, [f"{kind_name} · {p.get('scheme') or '?'}", count_of(p.get("azs") or [], "AZ", zero="0")]
    if kind == "elb:load-balancer":
        return name, [f"Classic LB · {p.get('scheme') or '?'}"]
    if kind == "ec2:nat-gateway":
        return name, ["NAT gateway", p.get("public_ip") or p.get("connectivity")]
    if kind == "rds:instance":
        az = "Multi-AZ" + (f" (standby {p['secondary_az']})" if p.get("secondary_az") else "") if p.get("multi_az") else "Single-AZ"
        return name, [f"RDS {p.get('engine') or ''} {p.get('engine_version') or ''}".strip(), p.get("instance_class"), az]
    if kind == "rds:cluster":
        return name, [f"Aurora {p.get('engine') or ''}".strip(), count_of(p.get("members") or [], "member", zero="0")]
    if kind == "elasticache:cluster":
        return name, [f"ElastiCache {p.get('engine') or ''}".strip(), p.get("node_type")]
    if kind == "efs:mount-target":
        return p.get("fs_name") or p.get("fs_id") or name, ["EFS mount target", p.get("ip")]
    if kind == "autoscaling:group":
        return name, [f"Auto Scaling group · desired {p.get('desired')}",
                      ", ".join(p.get("instance_types") or [])]
    if kind == "ecs:service":
        return name, [f"ECS service · {p.get('launch_type') or ''}".strip(), f"desired {p.get('desired')}"]
    if kind == "lambda:function":
        return name, ["Lambda", p.get("runtime")]
    if kind == "ec2:vpc-endpoint":
        svc = str(p.get("service_name") or "").rsplit(".", 1)[-1]
        return name, [f"{svc or '?'} endpoint · {p.get('endpoint_type') or ''}".strip(" ·")]
    if kind in ("ec2:internet-gateway", "ec2:egress-only-internet-gateway", "ec2:vpn-gateway"):
        return name, [title, p.get("igw_id") or p.get("eigw_id") or p.get("vgw_id")]
    if kind == "ec2:transit-gateway":
        return name, ["Transit gateway", p.get("tgw_id")]
    if kind == "cloudfront:distribution":
        return name, ["CloudFront", p.get("domain")]
    if kind == "route53:hosted-zone":
        return name, ["Route 53 " + ("private zone" if p.get("private") else "public zone")]
    return name, [title]


def _item_for(inv: Inventory, n: dict[str, Any], analysis: Analysis, zone: str, vpc: str | None = None,
              subnet: str | None = None) -> Item:
    title, lines = _describe(n)
    ex, finding = _flags(inv, analysis, [n["id"]])
    return Item(key=n["id"], kind=n["kind"], title=title, lines=lines + ex.lines(), members=(n["id"],),
                region=n.get("region") or "global", zone=zone, vpc=vpc, subnet=subnet,
                exposed=ex.direct_reached, reached=ex.lb_reached, finding=finding)


def _place_vpc_resources(inv: Inventory, analysis: Analysis, m: Model, idx: _Index, level: int) -> None:
    """Put each in-VPC resource in its subnet (one subnet) or at VPC level (several)."""
    asg_members: dict[str, list[str]] = defaultdict(list)
    for inst in inv.nodes("ec2:instance"):
        for asg in inv.out(inst["id"], "member_of", "autoscaling:group"):
            asg_members[asg["id"]].append(inst["id"])
    instances_by_subnet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    clusters_with_members = {c["id"] for c in inv.nodes("rds:cluster") if inv.into(c["id"], "member_of", "rds:instance")}
    fs_names = {fs["props"].get("fs_id"): naming.node_name(fs) for fs in inv.nodes("efs:file-system")}
    for kind in VPC_KINDS:
        for n in inv.nodes(kind):
            if n["props"].get("state") in ("terminated", "deleted"):
                continue
            subnets = idx.subnets_of(inv, n)
            vpc = idx.vpc_of(inv, n, subnets)
            if kind == "lambda:function" and not vpc:
                continue          # regional
            if kind == "autoscaling:group" and asg_members.get(n["id"]):
                continue          # drawn through its instances
            if kind == "rds:cluster" and (n["props"].get("members") or n["id"] in clusters_with_members):
                continue          # drawn through its member instances
            if vpc is None:
                if kind == "ec2:instance":
                    m.add(_item_for(inv, n, analysis, "regional"))
                continue
            if kind == "efs:mount-target":
                n = {**n, "props": {**n["props"], "fs_name": fs_names.get(n["props"].get("fs_id"))}}
            subnet = _home_subnet(n, subnets, m)
            if kind == "ec2:instance" and subnet:
                instances_by_subnet[subnet].append(n)
                continue
            zone = "subnet" if subnet else "vpc"
            m.add(_item_for(inv, n, analysis, zone, vpc=vpc, subnet=subnet))
    for subnet, instances in sorted(instances_by_subnet.items()):
        vpc = idx.subnet_vpc.get(subnet)
        for group in cl.group_siblings(inv, instances, level):
            m.add(_group_item(inv, group, analysis, subnet, vpc))


def _home_subnet(n: dict[str, Any], subnets: list[str], m: Model) -> str | None:
    """The one subnet a resource is drawn in, or None when it spans several (drawn at VPC level).

    RDS and ElastiCache name a subnet group but run in one AZ: the group's
    subnet in that AZ is their home.
    """
    if len(subnets) == 1:
        return subnets[0]
    az = (n.get("props") or {}).get("az")
    if n["kind"] in ("rds:instance", "elasticache:cluster") and az:
        in_az = [s for s in subnets if m.subnets.get(s, {}).get("props", {}).get("az") == az]
        if in_az:
            return in_az[0]
    return None


def _group_item(inv: Inventory, group: cl.Group, analysis: Analysis, subnet: str, vpc: str | None) -> Item:
    if len(group.members) == 1:
        return _item_for(inv, group.members[0], analysis, "subnet", vpc=vpc, subnet=subnet)
    ids = tuple(n["id"] for n in group.members)
    ex, finding = _flags(inv, analysis, ids)
    return Item(key=st.stable_id("group", subnet, *ids), kind="ec2:instance", title=group.title,
                lines=group.lines + ex.lines(), members=ids, region=group.members[0].get("region") or "global",
                zone="subnet", vpc=vpc, subnet=subnet, exposed=ex.direct_reached, reached=ex.lb_reached,
                finding=finding, collapsed=True)


def _place_regional(inv: Inventory, analysis: Analysis, m: Model) -> None:
    """Regional and global services, collapsed per kind and region beyond a few."""
    by_region_kind: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for kind in REGIONAL_KINDS + GLOBAL_KINDS:
        for n in inv.nodes(kind):
            if n["id"] in m.rep:
                continue
            zone = "global" if kind in GLOBAL_KINDS else "regional"
            by_region_kind[(n.get("region") or "global" if zone == "regional" else "global", kind)].append(n)
    for (region, kind), nodes in sorted(by_region_kind.items()):
        zone = "global" if kind in GLOBAL_KINDS else "regional"
        if len(nodes) <= cl.REGIONAL_LIMIT or kind == "ec2:transit-gateway":
            for n in nodes:
                item = _item_for(inv, n, analysis, zone)
                item.region = region
                m.add(item)
            continue
        ids = tuple(n["id"] for n in nodes)
        ex, finding = _flags(inv, analysis, ids)
        names = [naming.node_name(n) for n in nodes[:3]]
        m.add(Item(key=st.stable_id("regional", region, kind), kind=kind,
                   title=st.count_words(kind, len(nodes)), lines=[", ".join(names) + ", …", *ex.lines()],
                   members=ids, region=region, zone=zone, exposed=ex.direct_reached, reached=ex.lb_reached,
                   finding=finding, collapsed=True))


# --- edges ------------------------------------------------------------------------

def _link_internet(inv: Inventory, m: Model) -> None:
    """Internet -> IGW -> internet-facing load balancers and public-IP instances; Internet -> edge services."""
    igw_by_vpc: dict[str, str] = {}
    for key, it in sorted(m.items.items()):
        if it.kind == "ec2:internet-gateway" and it.vpc:
            igw_by_vpc.setdefault(it.vpc, key)
    for igw in sorted(igw_by_vpc.values()):
        m.link("internet", igw, "public")
    for key, it in sorted(m.items.items()):
        igw = igw_by_vpc.get(it.vpc or "")
        if it.kind in ("elbv2:load-balancer", "elb:load-balancer"):
            n = inv.node(it.members[0]) or {}
            if (n.get("props") or {}).get("scheme") == "internet-facing" and igw:
                m.link(igw, key, "public")
        elif it.kind == "ec2:instance" and igw and it.subnet and m.public.get(it.subnet):
            if any((f := inv.fact(mid, "public_ip")) is not None and f.yes for mid in it.members):
                m.link(igw, key, "public", "public IP")
        elif it.kind in ("cloudfront:distribution", "apigateway:rest-api", "apigateway:http-api"):
            m.link("internet", key, "public")
        elif it.kind == "route53:hosted-zone" and not any(
                ((inv.node(mid) or {}).get("props") or {}).get("private") for mid in it.members):
            m.link("internet", key, "public", "DNS")
    for key, it in sorted(m.items.items()):
        if it.kind == "ec2:nat-gateway" and it.vpc in igw_by_vpc:
            m.link(key, igw_by_vpc[it.vpc], "egress")
        if it.kind == "ec2:egress-only-internet-gateway":
            m.link(key, "internet", "egress", "IPv6 egress")


def _link_load_balancers(inv: Inventory, m: Model) -> None:
    """Load balancer -> listener -> target group -> instances / IPs / Lambda / ASGs, drawn LB -> target."""
    for key, it in sorted(m.items.items()):
        if it.kind not in ("elbv2:load-balancer", "elb:load-balancer"):
            continue
        lb = it.members[0]
        targets: set[str] = set()
        groups = {tg["id"] for ls in inv.out(lb, "listens_on") for tg in inv.out(ls["id"], "targets")}
        groups.update(n["id"] for n in inv.out(lb, "targets"))
        for tg in sorted(groups):
            targets.add(tg)
            targets.update(n["id"] for n in inv.out(tg, "targets"))
            targets.update(n["id"] for n in inv.into(tg, "targets", "autoscaling:group"))
            targets.update(n["id"] for n in inv.into(tg, "targets", "ecs:service"))
        lbn = inv.node(lb) or {}
        for raw in (lbn.get("props") or {}).get("instance_ids") or []:
            targets.update(n["id"] for n in inv.by_prop("ec2:instance", "instance_id", raw))
        for t in sorted(targets):
            for dst in _compute_keys(inv, m, t):
                m.link(key, dst, "traffic")


def _compute_keys(inv: Inventory, m: Model, inv_id: str) -> list[str]:
    """Items standing for a resource; an ASG stands for the items of its instances."""
    keys = list(m.keys(inv_id))
    n = inv.node(inv_id)
    if n and n.get("kind") == "autoscaling:group" and not keys:
        for inst in inv.into(inv_id, "member_of", "ec2:instance"):
            keys.extend(m.keys(inst["id"]))
    return sorted(set(keys))


def _link_data(inv: Inventory, m: Model) -> None:
    """compute -> data store where the store's security group allows the compute's group."""
    for key, it in sorted(m.items.items()):
        if it.kind not in DATA_KINDS:
            continue
        for member in it.members:
            for sg in inv.out(member, "protected_by", "ec2:security-group"):
                for src in inv.into(sg["id"], "allows", "ec2:security-group"):
                    port = _port_text(src["edge"])
                    for user in inv.into(src["id"], "protected_by"):
                        for ck in m.keys(user["id"]):
                            source = m.items[ck]
                            if source.kind not in COMPUTE_KINDS:
                                continue
                            # one edge per source subnet (a tier), not one per instance
                            if source.subnet and source.subnet == it.subnet:
                                continue      # same subnet: the box already says they sit together
                            origin = f"box:{source.subnet}" if source.subnet else ck
                            m.link(origin, key, "data", port)


def _port_text(e: dict[str, Any]) -> str:
    proto = str(e.get("protocol") or "")
    lo, hi = e.get("from_port"), e.get("to_port")
    if proto in ("-1", "all"):
        return "all traffic"
    if lo is None or lo == -1:
        return proto
    return f"{proto}/{lo}" if lo == hi or hi is None else f"{proto}/{lo}-{hi}"


def _link_egress(inv: Inventory, m: Model, idx: _Index) -> None:
    """Private subnet -> its NAT gateway (from the subnet's route table)."""
    nat_keys = {it.members[0]: k for k, it in m.items.items() if it.kind == "ec2:nat-gateway"}
    nat_by_raw = {(inv.node(n) or {}).get("props", {}).get("nat_id"): k for n, k in nat_keys.items()}
    for t in inv.nodes("ec2:route-table"):
        nats = {nat_keys[n["id"]] for n in inv.out(t["id"], "routes_to", "ec2:nat-gateway") if n["id"] in nat_keys}
        for r in t["props"].get("routes") or []:
            if r.get("target_type") == "nat" and r.get("target") in nat_by_raw:
                nats.add(nat_by_raw[r["target"]])
        if not nats:
            continue
        subnets = {s["id"] for s in inv.out(t["id"], "associated_with", "ec2:subnet")}
        subnets.update(idx.subnet_by_raw[r] for r in t["props"].get("subnet_ids") or [] if r in idx.subnet_by_raw)
        for s in sorted(subnets):
            if not m.public.get(s):
                m.egress.setdefault(s, []).extend(m.items[n].title for n in sorted(nats))


def _link_connectivity(inv: Inventory, m: Model, idx: _Index) -> None:
    """Peering between VPC boxes, transit gateway attachments, VPN to customer gateways."""
    pairs: dict[tuple[str, str], str] = {}
    for p in inv.nodes("ec2:vpc-peering"):
        a = idx.vpc_by_raw.get(p["props"].get("requester_vpc"))
        b = idx.vpc_by_raw.get(p["props"].get("accepter_vpc"))
        a = a or _outside_vpc(m, p["props"].get("requester_vpc"), p["props"].get("requester_owner"))
        b = b or _outside_vpc(m, p["props"].get("accepter_vpc"), p["props"].get("accepter_owner"))
        if a and b:
            pairs[tuple(sorted((a, b)))] = p["props"].get("peering_id") or naming.node_name(p)
    for src, dst, _ in inv.edges("peers_with"):
        if src in idx.vpc_ids and dst in idx.vpc_ids:
            pairs.setdefault(tuple(sorted((src, dst))), "peering")
    for (a, b), label in sorted(pairs.items()):
        m.link(_vpc_end(a, idx), _vpc_end(b, idx), "peering", label)
    tgw_keys = {it.members[0]: k for k, it in m.items.items() if it.kind == "ec2:transit-gateway"}
    tgw_by_raw = {(inv.node(t) or {}).get("props", {}).get("tgw_id"): k for t, k in tgw_keys.items()}
    for att in inv.nodes("ec2:transit-gateway-attachment"):
        p = att["props"]
        tgw = tgw_by_raw.get(p.get("tgw_id"))
        tgw = tgw or next((tgw_keys[n["id"]] for n in inv.out(att["id"], "peers_with") if n["id"] in tgw_keys), None)
        vpc = idx.vpc_by_raw.get(p.get("resource_id")) if p.get("resource_type") in (None, "vpc") else None
        vpc = vpc or next((n["id"] for n in inv.into(att["id"], "peers_with", "ec2:vpc")), None)
        if tgw and vpc:
            m.link(f"box:{vpc}", tgw, "attach", "TGW attachment")
    cgws = {c["props"].get("cgw_id"): c for c in inv.nodes("ec2:customer-gateway")}
    vgw_keys = {(inv.node(it.members[0]) or {}).get("props", {}).get("vgw_id"): k
                for k, it in m.items.items() if it.kind == "ec2:vpn-gateway"}
    for vpn in inv.nodes("ec2:vpn-connection"):
        p = vpn["props"]
        cgw = cgws.get(p.get("cgw_id"))
        if not cgw:
            continue
        if cgw["id"] not in m.items:
            m.add(Item(key=cgw["id"], kind="ec2:customer-gateway", title=naming.node_name(cgw),
                       lines=["Customer gateway", cgw["props"].get("ip_address")], members=(cgw["id"],),
                       region=cgw.get("region") or "global", zone="outside"))
        src = vgw_keys.get(p.get("vgw_id")) or tgw_by_raw.get(p.get("tgw_id"))
        if src:
            m.link(src, cgw["id"], "attach", f"VPN {p.get('vpn_id') or ''}".strip())


def _vpc_end(vpc: str, idx: _Index) -> str:
    return f"box:{vpc}" if vpc in idx.vpc_ids else vpc


def _outside_vpc(m: Model, raw: str | None, owner: str | None) -> str | None:
    if not raw:
        return None
    key = f"outside-vpc:{raw}"
    if key not in m.items:
        m.add(Item(key=key, kind="external", title=raw, lines=[f"VPC in account {owner or '?'}"],
                   members=(key,), region="global", zone="outside"))
    return key


def _link_services(inv: Inventory, m: Model) -> None:
    """Edges between drawn services: API -> function, queue -> function, DNS alias -> target, endpoints."""
    record_zone = {}
    for z in inv.nodes("route53:hosted-zone"):
        for rec in inv.out(z["id"], "contains", "route53:record"):
            record_zone[rec["id"]] = z["id"]
    for rel in ("integrates_with", "triggers", "aliases", "targets"):
        for src, dst, _data in sorted(inv.edges(rel), key=lambda e: (e[0], e[1])):
            src_keys = m.keys(record_zone.get(src, src))
            if not src_keys:
                continue
            src_kind = m.items[src_keys[0]].kind
            if rel == "targets" and src_kind not in ("cloudfront:distribution",):
                continue
            for s in src_keys:
                for d in _compute_keys(inv, m, dst):
                    if s != d:
                        m.link(s, d, "integration" if rel != "aliases" else "traffic")
    _link_cloudfront_origins(inv, m)
    _link_endpoints(inv, m)


def _link_cloudfront_origins(inv: Inventory, m: Model) -> None:
    by_domain: dict[str, str] = {}
    for key, it in m.items.items():
        for mid in it.members:
            p = (inv.node(mid) or {}).get("props") or {}
            if it.kind == "s3:bucket" and p.get("name"):
                by_domain[f"{p['name']}.s3"] = key
            if p.get("dns_name"):
                by_domain[str(p["dns_name"]).lower()] = key
    for key, it in sorted(m.items.items()):
        if it.kind != "cloudfront:distribution":
            continue
        for o in (inv.node(it.members[0]) or {}).get("props", {}).get("origins") or []:
            domain = str(o.get("domain") if isinstance(o, dict) else o).lower()
            for cand, dst in sorted(by_domain.items()):
                if domain == cand or domain.startswith(cand + "."):
                    m.link(key, dst, "traffic", "origin")


def _link_endpoints(inv: Inventory, m: Model) -> None:
    """Gateway/interface endpoints to the regional service they reach (S3, DynamoDB, SQS, ...)."""
    svc_kind = {"s3": "s3:bucket", "dynamodb": "dynamodb:table", "sqs": "sqs:queue", "sns": "sns:topic",
                "lambda": "lambda:function", "execute-api": "apigateway:rest-api"}
    for key, it in sorted(m.items.items()):
        if it.kind != "ec2:vpc-endpoint":
            continue
        p = (inv.node(it.members[0]) or {}).get("props") or {}
        kind = svc_kind.get(str(p.get("service_name") or "").rsplit(".", 1)[-1])
        for dst, other in sorted(m.items.items()):
            if other.kind == kind and other.region == it.region and other.zone == "regional":
                m.link(key, dst, "private", "private route")


# --- scenes -----------------------------------------------------------------------

def _account_box(inv: Inventory, scene: st.Scene) -> st.Box:
    accounts = inv.nodes("aws:account")
    if accounts:
        a = accounts[0]
        label = st.box_title("account", naming.node_name(a), a["props"].get("account_id"))
        return scene.box(None, a["id"], "account", label)
    acct = inv.meta.get("account") or ""
    return scene.box(None, f"account/{acct}", "account", st.box_title("account", acct or "(unknown)"))


def _region_box(scene: st.Scene, parent: st.Box, region: str) -> st.Box:
    if region == "global":
        return scene.box(parent, "global-services", "services", st.html_label("Global services"), sort_key="~")
    return scene.box(parent, f"region/{region}", "region", st.box_title("region", region), sort_key=region)


def _empty_vpc_node(scene: st.Scene, region: st.Box, vpc: dict[str, Any], m: Model) -> None:
    """A VPC with no drawable resources is one node (its subnets counted), not a box of empty boxes."""
    raw = vpc["props"].get("vpc_id")
    subnets = [s for s in m.subnets.values() if s["props"].get("vpc_id") == raw]
    azs = {s["props"].get("az") for s in subnets if s["props"].get("az")}
    extra = "default VPC · " if vpc["props"].get("is_default") else ""
    label = st.html_label(f"VPC {naming.node_name(vpc)}", f"{raw or ''} · {vpc['props'].get('cidr') or ''}",
                          f"{extra}{st.count_words('ec2:subnet', len(subnets))} · {count_of(azs, 'AZ', zero='0')} · empty")
    attrs = st.node_attrs("ec2:vpc")
    attrs["style"] = "filled,dashed"
    scene.node(region, vpc["id"], label, attrs, members=(vpc["id"],), kind="ec2:vpc")


def _subnet_style(public: bool | None) -> str:
    return {True: "subnet_public", False: "subnet_private"}.get(public, "subnet_unknown")


def _vpc_box(scene: st.Scene, region_box: st.Box, vpc: dict[str, Any]) -> st.Box:
    p = vpc["props"]
    extra = " · default VPC" if p.get("is_default") else ""
    label = st.box_title("vpc", naming.node_name(vpc), f"{p.get('vpc_id') or ''} · {p.get('cidr') or ''}{extra}")
    return scene.box(region_box, vpc["id"], "vpc", label)


def _subnet_label(s: dict[str, Any], public: bool | None, egress: list[str] | None = None,
                  why: str = "") -> str:
    p = s["props"]
    route = "default route: internet gateway" if public else (
        f"egress via {', '.join(sorted(set(egress)))}" if egress else "")
    if public is None:
        route = f"not known: {why}" if why else "not known"
    return st.box_title(_subnet_style(public), naming.node_name(s), f"{p.get('cidr') or ''} · {p.get('subnet_id') or ''}",
                        route)


def render_scene(inv: Inventory, m: Model, only_vpc: str | None = None) -> st.Scene:
    """The scene of the model; with ``only_vpc``, one VPC plus what its edges reach."""
    scene = st.Scene()
    account = _account_box(inv, scene)
    vpc_by_id = {v["id"]: v for v in m.vpcs}
    vpc_boxes: dict[str, st.Box] = {}
    subnet_boxes: dict[str, st.Box] = {}
    wanted = _wanted_items(m, only_vpc)
    occupied_vpcs = {it.vpc for it in m.items.values() if it.vpc}
    for vpc in m.vpcs:
        if only_vpc and vpc["id"] != only_vpc:
            continue
        region = _region_box(scene, account, vpc.get("region") or "global")
        if vpc["id"] in occupied_vpcs or only_vpc:
            vpc_boxes[vpc["id"]] = _vpc_box(scene, region, vpc)
        else:
            _empty_vpc_node(scene, region, vpc, m)
    # subnets: a box when something is in them, a subnet-styled node when empty
    occupied = {it.subnet for it in m.items.values() if it.subnet}
    for sid, s in sorted(m.subnets.items()):
        vpc = _subnet_vpc(inv, s, vpc_by_id)
        if vpc not in vpc_boxes:
            continue
        az = s["props"].get("az") or "unknown AZ"
        az_box = scene.box(vpc_boxes[vpc], f"{vpc}/az/{az}", "az", st.box_title("az", az), sort_key=az)
        public = m.public.get(sid)
        if sid in occupied:
            subnet_boxes[sid] = scene.box(az_box, sid, _subnet_style(public), _subnet_label(s, public, m.egress.get(sid), m.public_why.get(sid, "")),
                                          sort_key=_tier_order(public, s))
        else:
            attrs = st.box_attrs(_subnet_style(public), "")
            for k in ("label", "margin", "labeljust"):
                attrs.pop(k, None)
            attrs.update(shape="box", style="filled,dashed", fontsize="9")
            scene.node(az_box, sid, _subnet_label(s, public, m.egress.get(sid), m.public_why.get(sid, "")), attrs, members=(sid,), kind="ec2:subnet")
    node_of: dict[str, str] = {}
    for key in sorted(wanted):
        it = m.items[key]
        box = _item_box(scene, account, it, vpc_boxes, subnet_boxes)
        attrs = st.node_attrs(it.kind, exposed=it.exposed, reached=it.reached, finding=it.finding,
                              collapsed=it.collapsed)
        node_of[key] = scene.node(box, key, st.html_label(it.title, *it.lines), attrs,
                                  members=it.members, kind=it.kind)
    if any(link.src == "internet" or link.dst == "internet" for link in m.links):
        node_of["internet"] = scene.node(None, "internet", st.html_label("Internet"), st.node_attrs("internet"),
                                         members=("internet",), kind="internet")
    _stack_tiers(scene, m, subnet_boxes)
    mine = _own_ends(m, only_vpc) if only_vpc else None
    for link in m.links:
        if mine is None or link.src in mine or link.dst in mine:
            _draw_link(scene, link, node_of, subnet_boxes, vpc_boxes, m, only_vpc)
    _legend(scene, m)
    return scene


def _subnet_tier(m: Model, sid: str) -> int:
    """0 public, 1 compute, 2 data, 3 other: the order subnets stack in inside an AZ box."""
    if m.public.get(sid):
        return 0
    kinds = {it.kind for it in m.items.values() if it.subnet == sid}
    if kinds & COMPUTE_KINDS:
        return 1
    return 2 if kinds & DATA_KINDS else 3


def _stack_tiers(scene: st.Scene, m: Model, subnet_boxes: dict[str, st.Box]) -> None:
    """Invisible edges public -> compute -> data inside each AZ, so tiers stack along the rank
    direction and AZs sit side by side (the usual way AWS diagrams are drawn)."""
    by_az: dict[tuple[str, str], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for sid, box in sorted(subnet_boxes.items()):
        s = m.subnets[sid]["props"]
        by_az[(str(s.get("vpc_id")), str(s.get("az")))][_subnet_tier(m, sid)].extend(sorted(box.nodes))
    for sid, sub in sorted(m.subnets.items()):
        nid = st.dot_id(sid)
        if sid not in subnet_boxes and nid in scene.nodes:     # an empty subnet drawn as a node
            s = sub["props"]
            by_az[(str(s.get("vpc_id")), str(s.get("az")))][0 if m.public.get(sid) else 3].append(nid)
    for _, tiers in sorted(by_az.items()):
        levels = [tiers[t] for t in sorted(tiers) if tiers[t]]
        for upper, lower in zip(levels, levels[1:], strict=False):
            for b in lower:          # every node of the lower tier below one node of the upper
                scene.edge(upper[0], b, "invisible")


def _tier_order(public: bool | None, s: dict[str, Any]) -> str:
    return f"{0 if public else 1 if public is False else 2}-{naming.node_name(s)}-{s['id']}"


def _subnet_vpc(inv: Inventory, s: dict[str, Any], vpc_by_id: dict[str, dict[str, Any]]) -> str | None:
    parents = inv.into(s["id"], "contains", "ec2:vpc")
    if parents:
        return parents[0]["id"]
    raw = s["props"].get("vpc_id")
    for vid, v in vpc_by_id.items():
        if v["props"].get("vpc_id") == raw:
            return vid
    return None


def _own_ends(m: Model, vpc: str) -> set[str]:
    """Link ends that belong to one VPC: its box, its subnets' boxes, its items."""
    raw = next((v["props"].get("vpc_id") for v in m.vpcs if v["id"] == vpc), None)
    ends = {f"box:{vpc}"} | {k for k, it in m.items.items() if it.vpc == vpc}
    ends |= {f"box:{sid}" for sid, s in m.subnets.items() if s["props"].get("vpc_id") == raw}
    return ends


def _wanted_items(m: Model, only_vpc: str | None) -> set[str]:
    """Items of the diagram: all of them, or one VPC's plus the outside things linked to it."""
    if not only_vpc:
        return set(m.items)
    mine = _own_ends(m, only_vpc)
    inside = {k for k, it in m.items.items() if it.vpc == only_vpc}
    extra = set()
    for link in m.links:
        for a, b in ((link.src, link.dst), (link.dst, link.src)):
            if a in mine and b in m.items and m.items[b].vpc in (None, only_vpc):
                extra.add(b)
    return inside | extra


def _item_box(scene: st.Scene, account: st.Box, it: Item, vpc_boxes: dict[str, st.Box],
              subnet_boxes: dict[str, st.Box]) -> st.Box | None:
    if it.zone == "subnet" and it.subnet in subnet_boxes:
        return subnet_boxes[it.subnet]
    if it.zone in ("subnet", "vpc") and it.vpc in vpc_boxes:
        return vpc_boxes[it.vpc]
    if it.zone == "outside":
        return None
    region = _region_box(scene, account, "global" if it.zone == "global" else it.region)
    if it.zone == "regional" and it.kind != "ec2:transit-gateway":
        return scene.box(region, f"region/{it.region}/services", "services",
                         st.html_label("Regional services", "outside the VPCs"), sort_key="~")
    return region


def _draw_link(scene: st.Scene, link: Link, node_of: dict[str, str], subnet_boxes: dict[str, st.Box],
               vpc_boxes: dict[str, st.Box], m: Model, only_vpc: str | None) -> None:
    """Draw one model link; a ``box:`` end becomes a compound edge clipped at that box."""
    attrs: dict[str, str] = {}
    ends: list[str] = []
    vpc_ids = {v["id"] for v in m.vpcs}
    for end, side in ((link.src, "ltail"), (link.dst, "lhead")):
        rid = end[4:] if end.startswith("box:") else end
        box = subnet_boxes.get(rid) or vpc_boxes.get(rid) if end.startswith("box:") else None
        if box is not None:
            anchor = scene.first_node(box)
            if anchor is None:
                return
            attrs[side] = box.id
            ends.append(anchor)
            continue
        nid = node_of.get(end) or (st.dot_id(rid) if st.dot_id(rid) in scene.nodes else None)
        if nid is None and only_vpc and rid in vpc_ids:
            nid = _stub_vpc(scene, rid, m)
        if nid is None:
            return
        ends.append(nid)
    if attrs.get("ltail") and attrs.get("ltail") == attrs.get("lhead"):
        return
    scene.edge(ends[0], ends[1], link.role, link.label, **attrs)


def _stub_vpc(scene: st.Scene, vpc_id: str, m: Model) -> str:
    vpc = next(v for v in m.vpcs if v["id"] == vpc_id)
    label = st.html_label(f"VPC {naming.node_name(vpc)}", f"{vpc['props'].get('cidr') or ''} · see its own diagram")
    return scene.node(None, vpc_id, label, st.node_attrs("ec2:vpc"), members=(vpc_id,), kind="ec2:vpc")


def overview_scene(inv: Inventory, m: Model) -> st.Scene:
    """One node per VPC (with counts), gateways to the internet, peering/TGW, regional services."""
    scene = st.Scene()
    account = _account_box(inv, scene)
    node_of: dict[str, str] = {}
    with_igw = {it.vpc for it in m.items.values() if it.kind == "ec2:internet-gateway"}
    # beyond a few, one edge per VPC from the internet only adds clutter: the label says it instead
    igw_edges = len(with_igw) <= cl.OVERVIEW_INTERNET_EDGES
    for vpc in m.vpcs:
        region = _region_box(scene, account, vpc.get("region") or "global")
        inside = [it for it in m.items.values() if it.vpc == vpc["id"]]
        subnets = [s for s in m.subnets.values() if s["props"].get("vpc_id") == vpc["props"].get("vpc_id")]
        azs = sorted({s["props"].get("az") for s in subnets if s["props"].get("az")})
        public = sum(1 for s in subnets if m.public.get(s["id"]))
        unknown = sum(1 for s in subnets if m.public.get(s["id"]) is None)
        split = f"{public} public" + (f", {unknown} not known" if unknown else "")
        counts = _kind_counts(inside)
        label = st.html_label(f"VPC {naming.node_name(vpc)}", f"{vpc['props'].get('vpc_id') or ''} · {vpc['props'].get('cidr') or ''}",
                              f"{st.count_words('ec2:subnet', len(subnets))} ({split}) · {count_of(azs, 'AZ', zero='0')}"
                              + (" · internet gateway" if vpc["id"] in with_igw else ""), *counts)
        exposed = any(it.exposed or it.reached for it in inside)
        node_of[f"box:{vpc['id']}"] = scene.node(region, vpc["id"], label,
                                                  st.node_attrs("ec2:vpc", exposed=exposed),
                                                  members=(vpc["id"],), kind="ec2:vpc")
        if igw_edges and vpc["id"] in with_igw:
            node_of.setdefault("internet", scene.node(None, "internet", st.html_label("Internet"),
                                                      st.node_attrs("internet"), ("internet",), "internet"))
            scene.edge(node_of["internet"], node_of[f"box:{vpc['id']}"], "public", "IGW")
    for key, it in sorted(m.items.items()):
        if it.zone in ("regional", "global", "outside"):
            box = None if it.zone == "outside" else _region_box(scene, account, "global" if it.zone == "global" else it.region)
            if it.zone == "regional" and it.kind != "ec2:transit-gateway":
                box = scene.box(box, f"region/{it.region}/services", "services",
                                st.html_label("Regional services", "outside the VPCs"), sort_key="~")
            node_of[key] = scene.node(box, key, st.html_label(it.title, *it.lines),
                                      st.node_attrs(it.kind, exposed=it.exposed, reached=it.reached,
                                                    finding=it.finding,
                                                    collapsed=it.collapsed), members=it.members, kind=it.kind)
    if any(link.src == "internet" for link in m.links) and "internet" not in node_of:
        node_of["internet"] = scene.node(None, "internet", st.html_label("Internet"), st.node_attrs("internet"),
                                         ("internet",), "internet")
    for link in m.links:
        into_vpc = link.dst in m.items and m.items[link.dst].vpc is not None
        if link.src == "internet" and into_vpc and not igw_edges:
            continue
        src, dst = _overview_end(link.src, m, node_of), _overview_end(link.dst, m, node_of)
        if src and dst and src != dst and link.role != "egress":
            scene.edge(src, dst, link.role, link.label if link.role in ("peering", "attach") else "")
    _legend(scene, m)
    return scene


def _overview_end(end: str, m: Model, node_of: dict[str, str]) -> str | None:
    if end in node_of:
        return node_of[end]
    if end.startswith("box:"):
        rid = end[4:]
        sub = m.subnets.get(rid)
        if sub:
            for v in m.vpcs:
                if v["props"].get("vpc_id") == sub["props"].get("vpc_id"):
                    return node_of.get(f"box:{v['id']}")
        return node_of.get(end)
    it = m.items.get(end)
    if it and it.vpc:
        return node_of.get(f"box:{it.vpc}")
    return None


def _kind_counts(items: list[Item]) -> list[str]:
    """The four most frequent kinds in a VPC, counted in their spec words, two per line."""
    counts: dict[str, int] = defaultdict(int)
    for it in items:
        if it.kind in ("ec2:internet-gateway", "ec2:vpc-endpoint", "ec2:egress-only-internet-gateway"):
            continue
        counts[it.kind] += len(it.members)
    words = [st.count_words(k, n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]]
    return [" · ".join(words[i:i + 2]) for i in range(0, len(words), 2)]


def _legend(scene: st.Scene, m: Model) -> None:
    entries = [st.box_entry("vpc"), st.box_entry("az")]
    # only the subnet styles drawn: a scan that could not read routes shows no "Private subnet"
    states = set(m.public.values()) or {True, False}
    entries += [st.box_entry(_subnet_style(v)) for v in (True, False, None) if v in states]
    kinds = {it.kind for it in m.items.values()}
    for kind, text in (("ec2:internet-gateway", "Gateway / endpoint"), ("elbv2:load-balancer", "Load balancer / edge"),
                       ("ec2:instance", "Compute"), ("rds:instance", "Database"), ("s3:bucket", "Storage"),
                       ("sqs:queue", "Messaging")):
        family = st.kind_look(kind)[0]
        if any(st.kind_look(k)[0] == family for k in kinds):
            entries.append(st.family_entry(kind, text))
    entries.append((st.EXPOSED[0], st.EXPOSED[1], "Reachable from the internet on its own address"))
    if any(it.reached and not it.exposed for it in m.items.values()):
        entries.append((st.REACHED[0], st.REACHED[1], "Reachable only through a load balancer (dashed)"))
    entries.append((st.FINDING, "#FFFFFF", "Has open findings (thick border)"))
    entries.append((st.INK, "#FFFFFF", "Double border: N identical resources collapsed"))
    entries.append((st.EDGES["public"]["color"], "#FFFFFF", "Red edge: internet traffic"))
    entries.append((st.EDGES["data"]["color"], "#FFFFFF", "Blue edge: allowed by security groups"))
    entries.append((st.EDGES["egress"]["color"], "#FFFFFF", "Dashed: egress (NAT, endpoints)"))
    scene.node(None, "legend", st.legend_label(entries), {"shape": "plain"}, kind="legend")


def _omitted(inv: Inventory, m: Model, only_vpc: str | None = None) -> list[str]:
    """What the diagram leaves out, with counts, in words a reader can act on."""
    notes = []
    vpc_raw = None
    if only_vpc:
        vpc_raw = next((v["props"].get("vpc_id") for v in m.vpcs if v["id"] == only_vpc), None)
    for kind, where in NOT_DRAWN:
        nodes = inv.nodes(kind)
        if vpc_raw:
            nodes = [n for n in nodes if n["props"].get("vpc_id") == vpc_raw]
        if nodes:
            notes.append(f"{st.count_words(kind, len(nodes))} ({where})")
    items = [it for it in m.items.values() if not only_vpc or it.vpc == only_vpc]
    collapsed = [it for it in items if it.collapsed]
    if collapsed:
        hidden = sum(len(it.members) for it in collapsed)
        nodes = "1 grouped node" if len(collapsed) == 1 else f"{len(collapsed)} grouped nodes"
        notes.append(f"{hidden} resources are drawn as {nodes} (identical siblings collapse; the count is in "
                     f"each label)")
    return notes

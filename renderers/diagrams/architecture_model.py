"""AWS_ARCHITECTURE, part 1: what is drawn where (the model of items, boxes and links).

The kinds drawn, read from the kind specs; :class:`Item` (a resource, or a collapsed group of
identical ones) placed in a zone: a subnet, a VPC (things spanning subnets), the region
outside the VPCs, the global services, or outside the account. Load balancers are drawn in
the subnets they span: one node per subnet, each standing for the same balancer, so the
picture shows where it lives. Links between items are added by architecture_edges.py and
drawn by architecture_scene.py; architecture.py decides how many diagrams there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from renderers.diagrams import collapse as cl
from renderers.diagrams import style as st
from renderers.plural import count_of
from scanner import naming
from scanner.analysis.model import Analysis
from scanner.fact import Fact
from scanner.inventory import Inventory

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
#: load balancers: drawn in each subnet they span
BALANCER_KINDS = frozenset({"elbv2:load-balancer", "elb:load-balancer"})
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
    """An edge between items (``key``) or boxes (``box:<resource id>``).

    ``src_members``/``dst_members`` are the resources at each end that have the relationship:
    a collapsed group whose members do not all have it says how many do ("1 of 5").
    """

    src: str
    dst: str
    role: str
    label: str = ""
    at: str = "mid"
    src_members: set[str] = field(default_factory=set)
    dst_members: set[str] = field(default_factory=set)


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
    _links: dict[tuple[str, str, str, str], Link] = field(default_factory=dict, repr=False)
    #: what drawing reads of the finished model, computed once per model (architecture_scene.py):
    #: each VPC's part reads its own subnets instead of every subnet of the account
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def add(self, item: Item) -> None:
        self.items[item.key] = item
        for m in item.members:
            self.rep.setdefault(m, []).append(item.key)

    def link(self, src: str, dst: str, role: str, label: str = "", at: str = "mid",
             src_member: str | None = None, dst_member: str | None = None) -> None:
        """Add a link once per (src, dst, role, label); repeated calls add the members they name."""
        key = (src, dst, role, label)
        found = self._links.get(key)
        if found is None:
            found = self._links[key] = Link(src, dst, role, label, at)
            self.links.append(found)
        if src_member:
            found.src_members.add(src_member)
        if dst_member:
            found.dst_members.add(dst_member)

    def keys(self, inv_id: str) -> list[str]:
        return self.rep.get(inv_id, [])

    def primary(self, inv_id: str) -> list[str]:
        """The one item an inbound service link points at (a balancer drawn in each of its
        subnets is reached from CloudFront or DNS once, at its first node)."""
        return self.rep.get(inv_id, [])[:1]


# --- the model: what is drawn where ----------------------------------------------

def place(inv: Inventory, analysis: Analysis, level: int = 0) -> tuple[Model, _Index]:
    """Place every drawable resource; ``level`` sets how hard to collapse. Links come after."""
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
    return m, idx


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
    finding = any(st.findings_count(analysis, mid) for mid in members)
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
            if kind in BALANCER_KINDS and len(subnets) > 1:
                _place_balancer(inv, analysis, m, n, subnets, vpc)
                continue
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


def _place_balancer(inv: Inventory, analysis: Analysis, m: Model, n: dict[str, Any], subnets: list[str],
                    vpc: str) -> None:
    """A balancer spanning several subnets: one node in each, all standing for the one balancer
    ("node 1 of 2 · us-east-1a"), so it is drawn inside the public subnets it lives in."""
    title, lines = _describe(n)
    ex, finding = _flags(inv, analysis, [n["id"]])
    spans = sorted(subnets, key=lambda s: (str(m.subnets.get(s, {}).get("props", {}).get("az")), s))
    for i, sid in enumerate(spans, 1):
        az = m.subnets.get(sid, {}).get("props", {}).get("az") or "AZ not known"
        # the first node carries the exposure lines; the others say where they are
        more = ex.lines() if i == 1 else []
        m.add(Item(key=f"{n['id']}#{sid}", kind=n["kind"], title=title,
                   lines=[lines[0], f"node {i} of {len(spans)} · {az}", *more], members=(n["id"],),
                   region=n.get("region") or "global", zone="subnet", vpc=vpc, subnet=sid,
                   exposed=ex.direct_reached, reached=ex.lb_reached, finding=finding))


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


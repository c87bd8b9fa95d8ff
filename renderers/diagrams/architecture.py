"""AWS_ARCHITECTURE: account > region > VPC > AZ > subnet, with the traffic paths through it.

What is drawn, and why:

- Boxes nest account > region > VPC > availability zone > subnet. An AZ box is
  shared by all subnets of that VPC in that AZ; public and private subnets are
  styled apart (colour and title), from the judged ``public`` fact of each subnet;
  a subnet whose routes could not be read is drawn "public/private unknown". A box with
  nothing in it is not drawn; an empty subnet is a small subnet-styled node.
- Load balancers sit inside the subnets they span (one node per subnet, "node 1 of 2").
  Gateways and other things spanning several subnets (multi-subnet ECS/Lambda/EKS,
  endpoints) are drawn once inside their VPC, at the tier they serve. NAT gateways,
  instances and data stores sit in their subnet.
- Regional services (S3, DynamoDB, Lambda outside VPCs, API Gateway, SQS, SNS,
  Step Functions) sit in the region outside the VPCs; CloudFront and Route 53 in
  a global box.
- Edges are traffic paths only: Internet -> IGW -> load balancer -> compute -> data,
  private subnet -> NAT -> IGW (egress), peering and transit gateway attachments between
  VPC boxes, endpoints to the services they reach, replication between stores.
  Security-group rules and their ports are drawn in the AWS_SECURITY diagram.

The work is split by what it draws: architecture_model.py (what goes where),
architecture_edges.py (the links), architecture_scene.py (boxes, nodes, legend); this
module decides how many diagrams there are.

Scale (see :mod:`renderers.diagrams.collapse`): identical siblings beyond three
collapse into one node labelled with the count, keeping their edges ("1 of 5"); above the
node/edge budget, or when the picture would be too wide to read at page width, the
diagram splits into an overview of VPCs and their connections plus one diagram per VPC.
Every diagram lists what it leaves out in ``Diagram.omitted``.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from typing import Any

from renderers.diagrams import Diagram, file_stem
from renderers.diagrams import collapse as cl
from renderers.diagrams import style as st
from renderers.diagrams.architecture_edges import link_all
from renderers.diagrams.architecture_model import (  # noqa: F401  (the kind lists are read by tests and docs)
    BALANCER_KINDS,
    COMPUTE_KINDS,
    DATA_KINDS,
    GLOBAL_KINDS,
    NOT_DRAWN,
    OPTIONAL_VPC,
    REGIONAL_KINDS,
    VPC_KINDS,
    Item,
    Link,
    Model,
    place,
)
from renderers.diagrams.architecture_scene import overview_scene, render_scene
from scanner import naming, status
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory

MARKER = "AWS_ARCHITECTURE"
FILENAME = "aws_architecture"
TITLE = "AWS architecture"


def build_model(inv: Inventory, analysis: Analysis, level: int = 0) -> Model:
    """Place every drawable resource and compute the links; ``level`` sets how hard to collapse."""
    m, idx = place(inv, analysis, level)
    link_all(inv, m, idx)
    return m


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    """The architecture diagram, or an overview plus one diagram per VPC when too large."""
    model = build_model(inv, analysis, level=0)
    if not model.items and not model.vpcs:
        return [_empty(inv)]
    occupied = {it.vpc for it in model.items.values()}
    drawn_vpcs = [v for v in model.vpcs if v["id"] in occupied]
    if len(drawn_vpcs) > cl.MAX_VPCS_INLINE and len(model.vpcs) > 1:
        # decided from the model alone: the whole account's scene (every VPC's AZ stacks) is not
        # built just to be thrown away, which grew with the square of the account
        return split(inv, analysis, model)
    scene = render_scene(inv, model)
    if cl.fits(scene) or len(model.vpcs) <= 1:
        if not cl.fits(scene):
            return [_degraded_single(inv, analysis, model)]
        single = _diagram(FILENAME, TITLE, scene, _omitted(inv, model))
        if single.readable or len(drawn_vpcs) <= 1:
            return [single]
    return split(inv, analysis, model)


def split(inv: Inventory, analysis: Analysis, model: Model) -> list[Diagram]:
    """Overview of VPCs and their connections, then one diagram per VPC (collapsing harder if needed)."""
    parts: list[Future[Diagram]] = []       # each laid out while the next VPC's scene is built
    vpc_ids = [v["id"] for v in model.vpcs]
    overview = overview_scene(inv, model)
    omitted = [f"the inside of each VPC: the {st.count_words('ec2:vpc', len(vpc_ids))} are drawn in their own diagrams below "
               f"(one picture of the whole account would exceed {cl.MAX_VPCS_INLINE} VPCs, "
               f"{cl.MAX_NODES} nodes or {cl.MAX_EDGES} edges)"]
    omitted += cl.truncate(overview, "VPCs and regional services")
    parts.append(Diagram.later(MARKER, FILENAME, "AWS architecture: overview of VPCs and their connections",
                               overview, omitted, preferred="TB"))
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
        parts.append(Diagram.later(MARKER, f"{FILENAME}_{_file_safe(vpc['props'].get('vpc_id') or vpc['id'])}",
                                   f"AWS architecture: VPC {name}", scene, notes, preferred="TB"))
    return [f.result() for f in parts]


def _degraded_single(inv: Inventory, analysis: Analysis, model: Model) -> Diagram:
    scene, m = None, model
    for level in cl.LEVELS[1:]:
        m = build_model(inv, analysis, level=level)
        scene = render_scene(inv, m)
        if cl.fits(scene):
            break
    assert scene is not None
    notes = _omitted(inv, m) + cl.truncate(scene, "resources in subnets")
    return _diagram(FILENAME, TITLE, scene, notes)


def _diagram(filename: str, title: str, scene: st.Scene, omitted: list[str]) -> Diagram:
    return Diagram.drawn(MARKER, filename, title, scene, omitted, preferred="TB")


def _empty(inv: Inventory) -> Diagram:
    scene = st.Scene()
    regions = ", ".join(inv.regions) or "no region"
    blocked = status.blocked_runs(inv.runs("ec2"))
    text = ("VPCs could not be read (see section 2 for the missing permission)" if blocked
            else "No VPCs or regional services found")
    scene.node(None, "empty", st.html_label(text, f"scanned regions: {regions}"), st.node_attrs("note"),
               kind="note")
    return _diagram(FILENAME, TITLE, scene, [])


def _file_safe(text: str) -> str:
    return file_stem(str(text).rsplit("/", 1)[-1])  # unique and deterministic (renderers/diagrams)


def _not_drawn(inv: Inventory) -> dict[str, Counter[Any]]:
    """Kind -> how many of the kinds this diagram does not draw are in each VPC (by raw id),
    counted once per render (every VPC's part asks)."""
    def count() -> dict[str, Counter[Any]]:
        return {kind: Counter(n["props"].get("vpc_id") for n in inv.nodes(kind)) for kind, _ in NOT_DRAWN}
    return inv.memo("diagrams.architecture.not_drawn", count)


def _omitted(inv: Inventory, m: Model, only_vpc: str | None = None) -> list[str]:
    """What the diagram leaves out, with counts, in words a reader can act on."""
    notes = []
    vpc_raw = None
    if only_vpc:
        vpc_raw = next((v["props"].get("vpc_id") for v in m.vpcs if v["id"] == only_vpc), None)
    by_vpc = _not_drawn(inv)
    for kind, where in NOT_DRAWN:
        count = sum(by_vpc[kind].values()) if not vpc_raw else by_vpc[kind].get(vpc_raw, 0)
        if count:
            notes.append(f"{st.count_words(kind, count)} ({where})")
    items = [it for it in m.items.values() if not only_vpc or it.vpc == only_vpc]
    collapsed = [it for it in items if it.collapsed]
    if collapsed:
        hidden = sum(len(it.members) for it in collapsed)
        nodes = "1 grouped node" if len(collapsed) == 1 else f"{len(collapsed)} grouped nodes"
        notes.append(f"{hidden} resources are drawn as {nodes} (identical siblings collapse; the count is in "
                     f"each label)")
    return notes

"""Scale rules shared by the diagrams: collapsing siblings, the node/edge budget, layout direction.

Auto-layout maps become unreadable past a few hundred nodes, so every diagram
keeps within :data:`MAX_NODES` nodes and :data:`MAX_EDGES` edges:

1. identical siblings (instances of the same ASG, or the same type, AMI and
   security groups in one subnet) beyond :data:`COLLAPSE_AT` become one node
   labelled with the count (level 0);
2. a diagram still over budget is split (architecture: one per VPC) or
   collapsed harder: level 1 collapses any two or more identical siblings,
   level 2 draws all instances of a subnet as one node;
3. as a last resort, the lowest-priority nodes are dropped and the diagram says
   so (``truncate`` returns the sentence for ``Diagram.omitted``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from renderers.diagrams import layout
from renderers.diagrams import style as st
from renderers.plural import count_of
from scanner import kinds, naming
from scanner.inventory import Inventory

MAX_NODES = 150
MAX_EDGES = 300
COLLAPSE_AT = 3          # more than this many identical siblings collapse
REGIONAL_LIMIT = 4       # more than this many services of one kind in a region collapse
LEVELS = (0, 1, 2)
#: more VPCs with resources than this and the architecture splits even within budget:
#: several full VPCs in one picture lay out far wider or taller than 1:4
MAX_VPCS_INLINE = 2
#: the overview draws Internet -> VPC edges only up to this many VPCs with an internet gateway
OVERVIEW_INTERNET_EDGES = 4
MAX_ASPECT = 4.0

#: which nodes go first when a diagram must shed nodes (lower = dropped first)
DROP_PRIORITY = {"ec2:instance": 0, "lambda:function": 1, "efs:mount-target": 1, "ecs:service": 2,
                 "elasticache:cluster": 2, "ec2:subnet": 3, "rds:instance": 3, "ec2:vpc-endpoint": 3}


#: never dropped: without them the diagram loses its frame of reference
KEEP = frozenset({"legend", "internet", "ec2:vpc", "note"})


@dataclass
class Group:
    """Identical siblings drawn as one node (or a single resource when ``len(members) == 1``)."""

    members: list[dict[str, Any]]
    title: str
    lines: list[str]


def sibling_key(inv: Inventory, inst: dict[str, Any], level: int) -> tuple[str, ...]:
    """What makes two instances in one subnet "identical" for drawing purposes."""
    if level >= 2:
        return ("subnet",)
    p = inst.get("props") or {}
    asgs = [a["id"] for a in inv.out(inst["id"], "member_of", "autoscaling:group")]
    if asgs:
        return ("asg", asgs[0])
    if p.get("asg_name"):
        return ("asg-name", str(p["asg_name"]))
    sgs = sorted(str(s) for s in p.get("security_group_ids") or [])
    return ("same", str(p.get("instance_type")), str(p.get("image_id")), ",".join(sgs))


def group_siblings(inv: Inventory, instances: list[dict[str, Any]], level: int = 0) -> list[Group]:
    """Instances of one subnet as groups: singles, or collapsed groups with a count."""
    threshold = COLLAPSE_AT if level == 0 else 1
    buckets: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for inst in sorted(instances, key=lambda n: n["id"]):
        buckets.setdefault(sibling_key(inv, inst, level), []).append(inst)
    groups: list[Group] = []
    for key, members in sorted(buckets.items()):
        if len(members) <= threshold:
            groups.extend(Group([m], "", []) for m in members)
            continue
        groups.append(_describe_group(inv, key, members))
    return groups


def _describe_group(inv: Inventory, key: tuple[str, ...], members: list[dict[str, Any]]) -> Group:
    n = len(members)
    types = Counter(str((m.get("props") or {}).get("instance_type") or "?") for m in members)
    type_text = ", ".join(f"{c}× {t}" if len(types) > 1 else t for t, c in sorted(types.items()))
    # counts in the kind's own words ("5 EC2 instances"), as the document says them
    instances = kinds.count("ec2:instance", n)
    if key[0] == "asg":
        return Group(members, naming.name(inv, key[1]), [f"{instances} of this Auto Scaling group", type_text])
    if key[0] == "asg-name":
        return Group(members, key[1], [f"{instances} of this Auto Scaling group", type_text])
    if key[0] == "same":
        sgs = key[3].replace(",", ", ") or "no security group"
        return Group(members, f"{instances} · {key[1]}", [f"identical: AMI {key[2]}", f"SG {sgs}"])
    return Group(members, instances, [type_text])


def fits(scene: st.Scene) -> bool:
    return scene.node_count <= MAX_NODES and scene.edge_count <= MAX_EDGES


def truncate(scene: st.Scene, what: str) -> list[str]:
    """Drop the lowest-priority nodes (then edges) until the scene fits; say what was dropped."""
    notes: list[str] = []
    if scene.node_count > MAX_NODES:
        candidates = sorted((n for n in scene.nodes.values() if n.kind not in KEEP),
                            key=lambda n: (DROP_PRIORITY.get(n.kind, 5), n.id))
        excess = scene.node_count - MAX_NODES
        drop = {n.id for n in candidates[:excess]}
        hidden = sum(max(1, len(scene.nodes[i].members)) for i in drop)
        scene.remove_nodes(drop)
        if drop:
            notes.append(f"{hidden} {what} in {count_of(drop, 'node')} (over the {MAX_NODES}-node budget of one diagram)")
    if scene.edge_count > MAX_EDGES:
        order = sorted(scene.edges, key=lambda k: (k[2] != "egress", k[2] != "uses", k))
        drop_edges = order[: scene.edge_count - MAX_EDGES]
        for k in drop_edges:
            del scene.edges[k]
        notes.append(f"{count_of(drop_edges, 'edge')} (over the {MAX_EDGES}-edge budget; egress edges first)")
    return notes


def layout_size(source: str) -> tuple[float, float] | None:
    """(width, height) in inches of the laid-out graph, or None when dot is missing or fails.
    One layout per source (renderers/diagrams/layout.py caches it with its SVG)."""
    found = layout.probe(source)
    return None if found is None else (found.width, found.height)


def aspect(source: str) -> float | None:
    """Width/height of the laid-out graph, or None when dot is missing."""
    size = layout_size(source)
    if size is None:
        return None
    width, height = size
    return width / height if height > 0 else None


#: the page width a diagram must read at, and the smallest text size there (issue 15)
PAGE_PX = 1400
MIN_TEXT_PX = 8.0


def max_width_in(min_font_pt: float | None = None) -> float:
    """The widest layout (inches) whose smallest text is still MIN_TEXT_PX at PAGE_PX wide.

    A layout W inches wide is W * 72 points; shown PAGE_PX wide, text of f points is
    f * PAGE_PX / (W * 72) pixels high.
    """
    font = min_font_pt if min_font_pt is not None else st.MIN_FONT
    return font * PAGE_PX / (MIN_TEXT_PX * 72)


def readable(source: str) -> bool:
    """True when the diagram, shown PAGE_PX wide, has no text under MIN_TEXT_PX (True without dot)."""
    size = layout_size(source)
    return size is None or size[0] <= max_width_in()


def _badness(ratio: float | None) -> float:
    if ratio is None:
        return 0.0
    return max(ratio, 1 / ratio) if ratio > 0 else float("inf")


def _score(source: str) -> tuple[bool, bool, float]:
    """How a layout reads, smaller is better: too wide for the page first, then off 1:4, then how far."""
    size = layout_size(source)
    if size is None:
        return (False, False, 0.0)
    bad = _badness(size[0] / size[1] if size[1] > 0 else None)
    return (size[0] > max_width_in(), bad > MAX_ASPECT, bad)


def choose(scene: st.Scene, name: str, preferred: str = "LR", title: str | None = None,
           other_if_wide: bool = True) -> tuple[str, str]:
    """(rank direction, the DOT with icons) of a scene: ``preferred`` unless it lays out too wide
    to read at page width or off 1:4 and the other direction does better. The DOT probed is the
    one the report renders (title and icons included), so its layout serves the report too.
    ``other_if_wide=False``: a caller that splits a scene too wide in ``preferred`` (by tier)
    does not lay it out the other way first."""
    first = scene.to_graph(name, preferred, title=title, icons=True).source
    score = _score(first)
    if (not score[0] and not score[1]) or (score[0] and not other_if_wide):
        return preferred, first
    other = "TB" if preferred == "LR" else "LR"
    second = scene.to_graph(name, other, title=title, icons=True).source
    return (other, second) if _score(second) < score else (preferred, first)


def choose_rankdir(scene: st.Scene, name: str, preferred: str = "LR", title: str | None = None) -> str:
    """The rank direction :func:`choose` picks."""
    return choose(scene, name, preferred, title)[0]

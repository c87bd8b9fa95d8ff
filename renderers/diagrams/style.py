"""The shared look of the three diagrams, and the small scene model they are drawn from.

Colours, fonts, shapes and the legend live here (after mingrammer/diagrams: the
diagram modules decide *what* is drawn and nested, never how it looks), so the
three diagrams speak one visual language: one colour per resource family, one
shape per role. No icons: every shape is drawn by Graphviz, so the SVG is
self-contained (it references no file, image or font outside itself).

A diagram is first described as a :class:`Scene` (boxes, nodes, edges), then
emitted as DOT. The scene is what the scale rules count and split, and emitting
from sorted structures keeps the DOT deterministic: same inventory, same bytes.
All account text passes through :func:`renderers.escape.dot_label`; cluster and
node ids come from resource ids through :func:`renderers.escape.dot_id`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import graphviz

from renderers.escape import dot_id, dot_label
from scanner import kinds, naming
from scanner.fact import Fact
from scanner.kinds import Look

if TYPE_CHECKING:
    from scanner.inventory import Inventory

FONT = "Helvetica,Arial,sans-serif"
INK = "#232F3E"        # AWS squid ink: text and the account frame
MUTED = "#5F6B7A"      # secondary text
EDGE = "#545B64"

#: resource family -> (line colour, fill colour)
FAMILIES: dict[str, tuple[str, str]] = {
    "network": ("#8C4FFF", "#F3EEFF"),
    "edge": ("#6A3FD0", "#EEE7FF"),
    "compute": ("#D45B07", "#FFF1E5"),
    "container": ("#C7511F", "#FFEDE3"),
    "serverless": ("#E07B00", "#FFF6E0"),
    "database": ("#3B48CC", "#ECEEFD"),
    "storage": ("#3F8624", "#EDF7E8"),
    "integration": ("#B0084D", "#FCEAF1"),
    "security": ("#DD344C", "#FFF8F8"),
    "identity": ("#BF0816", "#FFF0F0"),
    "management": ("#7D5C00", "#FFF8E1"),
    "devtools": ("#1F6FB2", "#E8F1FA"),
    "internet": (INK, "#FFFFFF"),
    "external": ("#8D99A8", "#F4F5F7"),
}

#: looks of the diagram-only pseudo kinds (every real node kind's look is in its spec,
#: ``scanner/kinds/<family>.py``: ``kinds.spec(kind).look``)
LOCAL_LOOKS: dict[str, Look] = {
    "action": Look("devtools", "box", "Action"),      # a pipeline action (cicd.py)
    "note": Look("external", "note", ""),            # a text note ("No pipelines found")
}

#: box (cluster) styles: (line colour, fill, line style, title prefix)
BOXES: dict[str, tuple[str, str, str, str]] = {
    "account": (INK, "#FFFFFF", "solid", "AWS account"),
    "region": ("#00A4A6", "#FFFFFF", "dashed", "Region"),
    "vpc": ("#8C4FFF", "#FBF9FF", "solid", "VPC"),
    "az": ("#007D7F", "#FFFFFF", "dashed", "Availability zone"),
    "subnet_public": ("#7AA116", "#F2F8E6", "solid", "Public subnet"),
    "subnet_private": ("#00A4A6", "#E6F6F6", "solid", "Private subnet"),
    "subnet_unknown": ("#8D99A8", "#F4F5F7", "dashed", "Subnet (public/private unknown)"),
    "services": ("#8D99A8", "#FAFAFA", "rounded", ""),
    "pipeline": ("#1F6FB2", "#FAFCFF", "solid", "Pipeline"),
    "stage": ("#8AB4DD", "#F0F6FC", "rounded", "Stage"),
    "guards": ("#7D5C00", "#FFFDF5", "rounded", ""),
    "legend": ("#B8C0CA", "#FFFFFF", "rounded", ""),
}

#: edge styles by role
EDGES: dict[str, dict[str, str]] = {
    "traffic": {"color": INK, "penwidth": "1.6"},
    "public": {"color": "#D13212", "penwidth": "1.8"},
    "data": {"color": "#3B48CC", "penwidth": "1.3"},
    # egress is drawn reversed (head first, dir=back) so that the gateway ranks above
    # the subnets it serves; constraint=false would be simpler but crashes dot's router
    "egress": {"color": "#8D99A8", "style": "dashed", "dir": "back"},
    "private": {"color": "#8D99A8", "style": "dashed"},
    "peering": {"color": "#8C4FFF", "style": "bold", "dir": "both"},
    "attach": {"color": "#8C4FFF", "style": "dashed", "arrowhead": "none"},
    "integration": {"color": "#B0084D"},
    "uses": {"color": "#8D99A8", "style": "dotted", "arrowhead": "odot"},
    "role": {"color": "#BF0816", "style": "dashed"},
    "encrypts": {"color": "#DD344C", "style": "dotted"},
    "allows": {"color": INK, "penwidth": "1.2"},
    "allows_internet": {"color": "#D13212", "penwidth": "2"},
    "sequence": {"color": "#1F6FB2", "penwidth": "1.4"},
    "deploy": {"color": "#D45B07", "penwidth": "1.3"},
    "artifact": {"color": "#3F8624", "style": "dashed"},
    "invisible": {"style": "invis"},
}

EXPOSED = ("#D13212", "#F9C4B8")     # reachable from the internet on its own address
REACHED = ("#D13212", "#FDECE7")     # reachable from the internet only through a load balancer
FINDING = "#F89C1C"                  # carries open findings
MISSING = ("#D13212", "#FFFFFF")    # an account guard that is not there
PRESENT = ("#3F8624", "#EDF7E8")
UNKNOWN = ("#8D99A8", "#F4F5F7")


def kind_look(kind: str) -> tuple[str, str, str]:
    """(family, shape, title) of a node kind, from its spec; a kind without a look is drawn like
    an external thing, titled with its spec name."""
    spec = kinds.get(kind)
    look = spec.look if spec and spec.look else LOCAL_LOOKS.get(kind)
    if look is None:
        return "external", "box", kinds.singular(kind)
    return look.family, look.shape, look.title


def title_of(kind: str) -> str:
    return kind_look(kind)[2]


def family_of(kind: str) -> str:
    return kind_look(kind)[0]


def drawn_kinds(zones: Iterable[str], families: Iterable[str] | None = None,
                without: Iterable[str] = ()) -> tuple[str, ...]:
    """Kinds with a look whose spec places them in one of ``zones`` (and, if given, one of the
    colour ``families``), in spec order, minus the diagram's own exclusions ``without``."""
    zones, skip = set(zones), set(without)
    fams = set(families) if families is not None else None
    return tuple(k for k, s in kinds.SPECS.items()
                 if s.look and s.zone in zones and (fams is None or s.look.family in fams) and k not in skip)


def count_words(kind: str, n: int) -> str:
    """"1 EBS volume", "5 S3 buckets": a count in the kind's own words (as the document says it)."""
    return kinds.count(kind, n)


# --- judged facts -----------------------------------------------------------------

def ensure_judged(inv: Inventory) -> None:
    """Diagrams of a graph never judged (built by hand) read the same facts a scan stores."""
    from scanner import judge

    judge.ensure(inv)


def fact_state(f: Fact | None) -> str:
    """present / missing / unknown for a guard-like fact (None reads as unknown)."""
    if f is None or f.unknown:
        return "unknown"
    return "present" if f.yes else "missing"


# --- labels# --- exposure (scanner/analysis/exposure.py) ------------------------------------------

@dataclass(frozen=True)
class Exposure:
    """How the internet reaches some resources: on their own address (``direct``), and through
    which load balancers (``through``: the balancers' names), with the ports of each way in."""

    direct: tuple[str, ...] = ()
    through: tuple[str, ...] = ()
    through_ports: tuple[str, ...] = ()
    direct_reached: bool = False
    lb_reached: bool = False

    @property
    def any(self) -> bool:
        return self.direct_reached or self.lb_reached

    def lines(self) -> list[str]:
        """Label lines in the words of section 3.1: a resource reached through a load balancer
        is said to be reached through it, never "exposed" as if it had a public address."""
        out = []
        if self.direct_reached:
            out.append("exposed to the internet" + (f": {', '.join(self.direct[:4])}" if self.direct else ""))
        if self.lb_reached:
            names = ", ".join(self.through[:2]) + (", …" if len(self.through) > 2 else "")
            out.append(f"reachable through {names or 'a load balancer'}")
            if self.through_ports:
                out.append(f"from the internet: {', '.join(self.through_ports[:4])}")
        return out


def _is_balancer(inv: Inventory, nid: str) -> bool:
    n = inv.node(nid)
    return bool(n) and str(n.get("kind", "")).endswith(":load-balancer")


def exposure_of(inv: Inventory, exposure: dict[str, dict[str, Any]], ids: Iterable[str]) -> Exposure:
    """Read ``analysis.exposure`` for some resources: direct ports, and the balancers (named with
    scanner.naming) whose listeners forward internet traffic to them."""
    direct: set[str] = set()
    lb_ports: set[str] = set()
    lbs: dict[str, str] = {}
    direct_reached = lb_reached = False
    for i in ids:
        e = exposure.get(i)
        if not e or not e.get("paths"):
            continue
        by_via = e.get("by_via") or {e.get("via") or "public-ip": {"paths": e.get("paths") or [],
                                                                   "ports": e.get("ports") or []}}
        for via, part in by_via.items():
            # a path through a balancer other than the resource itself; a balancer's own
            # listeners are its own address, however the path is tagged
            through = {hop for path in part.get("paths") or [] for hop in path
                       if hop != i and _is_balancer(inv, hop)}
            if via == "load-balancer" and (through or not _is_balancer(inv, i)):
                lb_reached = True
                lb_ports.update(part.get("ports") or [])
                for hop in through:
                    lbs.setdefault(hop, naming.name(inv, hop))
            else:
                direct_reached = True
                direct.update(part.get("ports") or [])
    return Exposure(tuple(sorted(direct, key=_port_key)), tuple(sorted(set(lbs.values()))),
                    tuple(sorted(lb_ports, key=_port_key)), direct_reached, lb_reached)


def _port_key(text: str) -> tuple[int, str]:
    digits = "".join(ch for ch in text.split("/")[-1].split("-")[0] if ch.isdigit())
    return (int(digits) if digits else -1, text)


# --- labels -------------------------------------------------------------------

def html_label(title: Any, *lines: Any, bold: bool = True, limit: int = 48) -> str:
    """An HTML-like Graphviz label; every piece is untrusted text and escaped here.

    The title is bold, further lines smaller and muted. Empty lines are dropped.
    """
    head = dot_label(title, limit)
    parts = [f"<B>{head}</B>" if bold and head else head]
    for line in lines:
        if line in (None, ""):
            continue
        parts.append(f'<FONT POINT-SIZE="9" COLOR="{MUTED}">{dot_label(line, limit)}</FONT>')
    return "<" + "<BR/>".join(p for p in parts if p) + ">"


def text_label(text: Any, limit: int = 40) -> str:
    """A short edge label (ports, counts): escaped, one line."""
    return dot_label(text, limit)


def stable_id(*parts: Any) -> str:
    """A node id for something that is not one resource (a collapsed group, an AZ)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"g_{digest}"


# --- attributes -----------------------------------------------------------------

def graph_attrs(rankdir: str = "LR", **extra: str) -> dict[str, str]:
    attrs = {"rankdir": rankdir, "fontname": FONT, "fontsize": "12", "fontcolor": INK,
             "bgcolor": "white", "pad": "0.3", "nodesep": "0.25", "ranksep": "0.5",
             "compound": "true", "newrank": "true", "labelloc": "t", "labeljust": "l",
             "splines": "spline", "outputorder": "edgesfirst"}
    attrs.update(extra)
    return attrs


NODE_DEFAULTS = {"fontname": FONT, "fontsize": "10", "fontcolor": INK, "margin": "0.12,0.05",
                 "penwidth": "1.2"}
EDGE_DEFAULTS = {"fontname": FONT, "fontsize": "9", "fontcolor": MUTED, "arrowsize": "0.7",
                 "color": EDGE}


def node_attrs(kind: str, *, exposed: bool = False, finding: bool = False,
               collapsed: bool = False, state: str | None = None, reached: bool = False) -> dict[str, str]:
    """Attributes for a node of ``kind``; highlights override the family colours.

    ``exposed``: reachable from the internet on its own address; ``reached``: only through a
    load balancer. ``state`` is ``present``/``missing``/``unknown`` for account guards (and
    encryption: encrypted / not encrypted / not known).
    """
    family, shape, _ = kind_look(kind)
    line, fill = FAMILIES[family]
    style = ["filled"]
    if shape == "box":
        style.append("rounded")
    if state == "missing":
        line, fill = MISSING
        style.append("dashed")
    elif state == "present":
        line, fill = PRESENT
    elif state == "unknown":
        line, fill = UNKNOWN
        style.append("dashed")
    if exposed:
        line, fill = EXPOSED
    elif reached:
        line, fill = REACHED
        style.append("dashed")
    attrs = {"shape": shape, "style": ",".join(style), "color": line, "fillcolor": fill}
    if collapsed:
        attrs["peripheries"] = "2"
    if finding:
        attrs["color"] = FINDING if not (exposed or reached) else EXPOSED[0]
        attrs["penwidth"] = "3"
    return attrs


def box_attrs(style: str, label: str) -> dict[str, str]:
    line, fill, line_style, _ = BOXES[style]
    styles = ["filled"]
    if line_style == "rounded":
        styles.append("rounded")
    elif line_style != "solid":
        styles.append(line_style)
    return {"label": label, "color": line, "fillcolor": fill, "style": ",".join(styles),
            "fontname": FONT, "fontcolor": INK, "fontsize": "11", "penwidth": "1.4",
            "labeljust": "l", "margin": "10"}


def box_title(style: str, name: Any, *lines: Any) -> str:
    """A cluster label: the box type prefix then the (escaped) name and detail lines."""
    prefix = BOXES[style][3]
    head = f"{prefix}: {name}" if prefix and name else (name or prefix)
    return html_label(head, *lines, limit=60)


def legend_label(entries: list[tuple[str, str, str]]) -> str:
    """An HTML table for the legend; entries are (line colour, fill colour, text)."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for line, fill, text in entries:
        rows.append(f'<TR><TD WIDTH="18" HEIGHT="12" BGCOLOR="{fill}" COLOR="{line}" BORDER="2"></TD>'
                    f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{dot_label(text, 70)}</FONT></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def family_entry(kind: str, text: str | None = None) -> tuple[str, str, str]:
    line, fill = FAMILIES[kind_look(kind)[0]]
    return line, fill, text or title_of(kind)


def box_entry(style: str, text: str | None = None) -> tuple[str, str, str]:
    line, fill, _, prefix = BOXES[style]
    return line, fill, text or prefix


# --- scene ------------------------------------------------------------------------

@dataclass
class SNode:
    id: str
    label: str
    attrs: dict[str, str]
    #: what the node stands for: inventory node ids (several when collapsed)
    members: tuple[str, ...] = ()
    kind: str = ""


@dataclass
class SEdge:
    src: str
    dst: str
    role: str
    label: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Box:
    id: str
    style: str
    label: str
    children: dict[str, Box] = field(default_factory=dict)
    nodes: list[str] = field(default_factory=list)
    sort_key: str = ""

    def is_empty(self) -> bool:
        return not self.nodes and all(c.is_empty() for c in self.children.values())


class Scene:
    """Boxes, nodes and edges of one diagram, before they become DOT.

    Node and box ids are unique (a collision of two ``dot_id`` results gets a
    deterministic suffix); an edge is drawn once per (src, dst, role, label).
    """

    def __init__(self) -> None:
        self.root = Box(id="", style="", label="")
        self.nodes: dict[str, SNode] = {}
        self.edges: dict[tuple[str, str, str, str], SEdge] = {}
        self._box_ids: set[str] = set()
        self._boxes: dict[str, Box] = {}

    # -- building ----------------------------------------------------------
    def box(self, parent: Box | None, key: Any, style: str, label: str, sort_key: str = "") -> Box:
        """The box for ``key`` under ``parent``, created once; its id comes from the key."""
        parent = parent or self.root
        base = "cluster_" + dot_id(key)
        if str(key) in parent.children:
            return parent.children[str(key)]
        bid = base
        n = 2
        while bid in self._box_ids:
            bid = f"{base}_{n}"
            n += 1
        self._box_ids.add(bid)
        b = Box(id=bid, style=style, label=label, sort_key=sort_key or str(key))
        parent.children[str(key)] = b
        self._boxes[bid] = b
        return b

    def node(self, box: Box | None, key: Any, label: str, attrs: dict[str, str],
             members: tuple[str, ...] = (), kind: str = "") -> str:
        """Add a node once (by key) into ``box``; returns its DOT id."""
        nid = dot_id(key)
        if nid in self.nodes:
            if self.nodes[nid].members == members or not members:
                return nid
            n = 2
            while f"{nid}_{n}" in self.nodes:
                n += 1
            nid = f"{nid}_{n}"
        self.nodes[nid] = SNode(nid, label, attrs, members, kind)
        (box or self.root).nodes.append(nid)
        return nid

    def edge(self, src: str | None, dst: str | None, role: str, label: str = "", **attrs: str) -> None:
        if not src or not dst or src == dst or src not in self.nodes or dst not in self.nodes:
            return
        key = (src, dst, role, label)
        if key not in self.edges:
            self.edges[key] = SEdge(src, dst, role, label, dict(attrs))

    def remove_nodes(self, ids: set[str]) -> None:
        """Drop nodes (and their edges) from the scene, e.g. when a budget is exceeded."""
        for nid in ids:
            self.nodes.pop(nid, None)
        self.edges = {k: e for k, e in self.edges.items() if e.src not in ids and e.dst not in ids}

        def walk(b: Box) -> None:
            b.nodes = [n for n in b.nodes if n not in ids]
            for c in b.children.values():
                walk(c)
        walk(self.root)

    # -- reading -----------------------------------------------------------
    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def edge_count(self) -> int:
        """Drawn edges; invisible layout edges do not count."""
        return sum(1 for e in self.edges.values() if e.role != "invisible")

    def first_node(self, box: Box) -> str | None:
        """A node inside ``box`` (depth-first, sorted) to anchor a compound edge on."""
        for nid in sorted(box.nodes):
            return nid
        for key in sorted(box.children):
            found = self.first_node(box.children[key])
            if found:
                return found
        return None

    # -- emitting ----------------------------------------------------------
    def to_graph(self, name: str, rankdir: str, title: str | None = None) -> graphviz.Digraph:
        g = graphviz.Digraph(dot_id(name), graph_attr=graph_attrs(rankdir), node_attr=NODE_DEFAULTS,
                             edge_attr=EDGE_DEFAULTS)
        if title:
            g.attr(label=html_label(title, limit=90), fontsize="14")
        self._emit_box(g, self.root)
        for key in sorted(self.edges):
            e = self.edges[key]
            attrs = dict(EDGES.get(e.role, {}))
            attrs.update(e.attrs)
            if e.label:
                attrs["label"] = text_label(e.label)
            src, dst = e.src, e.dst
            if attrs.get("dir") == "back":
                src, dst = dst, src
                tail, head = attrs.pop("ltail", None), attrs.pop("lhead", None)
                if tail:
                    attrs["lhead"] = tail
                if head:
                    attrs["ltail"] = head
            g.edge(src, dst, **attrs)
        return g

    def _emit_box(self, g: graphviz.Digraph, box: Box) -> None:
        for nid in sorted(box.nodes):
            n = self.nodes[nid]
            g.node(nid, n.label, **n.attrs)
        for key in sorted(box.children, key=lambda k: (box.children[k].sort_key, k)):
            child = box.children[key]
            if child.is_empty():
                continue
            with g.subgraph(name=child.id) as sub:
                sub.attr(**box_attrs(child.style, child.label))
                self._emit_box(sub, child)

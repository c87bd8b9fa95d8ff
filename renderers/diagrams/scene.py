"""The small scene model every diagram is drawn from (boxes, nodes, edges), and its DOT emitter.

A diagram is first described as a :class:`Scene`, then emitted as DOT. The scene is what
the scale rules count and split, and emitting from sorted structures keeps the DOT
deterministic: same inventory, same bytes. How things look comes from
:mod:`renderers.diagrams.style`; this module only decides how the scene becomes DOT:

- a node whose kind has an AWS icon gets it beside its text (``style.with_icon``); the
  icon-free variant of the same DOT keeps the icon's cell empty, so both lay out alike;
- the legend is not a node: it goes with the title into the graph's label, above the
  drawing, so it never widens the layout or floats beside it;
- an edge label is attached to its edge. Graphviz floats a ``label`` away from a compound
  edge (one clipped at a box with ``ltail``/``lhead``): such an edge is drawn through a small
  label node placed in the innermost box holding both ends, so the text sits on the line.
  A label may also sit at an end (``at="head"``/``"tail"``); every label is the edge's
  tooltip as well.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import graphviz

from renderers.diagrams import style as st
from renderers.escape import dot_id

_ICON_IMG = re.compile(r'<IMG SRC="icons/[a-z0-9-]{1,40}\.png" SCALE="TRUE"/>')


@dataclass
class SNode:
    id: str
    label: str
    attrs: dict[str, str]
    #: what the node stands for: inventory node ids (several when collapsed)
    members: tuple[str, ...] = ()
    kind: str = ""
    #: icon key ("" = the kind's icon, None = no icon)
    icon: str | None = ""


@dataclass
class SEdge:
    src: str
    dst: str
    role: str
    label: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    #: where the label sits: "mid" (on the line), "head" or "tail" (beside that end), "node"
    #: (a small text node the line runs through, as on compound edges)
    at: str = "mid"


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
        #: HTML tables shown with the title and legend above the drawing (take no part in layout)
        self.panels: list[str] = []
        self._waists: list[str] = []

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
             members: tuple[str, ...] = (), kind: str = "", icon: str | None = "") -> str:
        """Add a node once (by key) into ``box``; returns its DOT id."""
        nid = dot_id(key)
        if nid in self.nodes:
            if self.nodes[nid].members == members or not members:
                return nid
            n = 2
            while f"{nid}_{n}" in self.nodes:
                n += 1
            nid = f"{nid}_{n}"
        self.nodes[nid] = SNode(nid, label, attrs, members, kind, icon)
        (box or self.root).nodes.append(nid)
        return nid

    def edge(self, src: str | None, dst: str | None, role: str, label: str = "", at: str = "mid",
             **attrs: str) -> None:
        if not src or not dst or src == dst or src not in self.nodes or dst not in self.nodes:
            return
        key = (src, dst, role, label)
        if key not in self.edges:
            self.edges[key] = SEdge(src, dst, role, label, dict(attrs), at)

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

    # -- layout helpers ----------------------------------------------------
    def column(self, nodes: list[str], per_column: int) -> None:
        """Chain ``nodes`` with invisible edges into columns of ``per_column`` (rows in LR), so a
        set of unrelated nodes lays out as a compact grid instead of one long row."""
        per_column = max(1, per_column)
        for i in range(0, len(nodes), per_column):
            chunk = nodes[i:i + per_column]
            for a, b in zip(chunk, chunk[1:], strict=False):
                self.edge(a, b, "invisible")

    def stack(self, bands: list[list[str]]) -> None:
        """Lay bands of nodes out one after the other along the rank direction.

        Between two bands a hidden waist node (in the innermost box holding both) takes an
        invisible edge from every node of the upper band that leads nowhere inside it, and
        gives one to every node of the lower band that nothing inside it leads to: the lower
        band starts where the upper one ends. Drawn edges that would run back up are drawn
        reversed (``dir=back``), so the layout has no cycle to break.
        """
        bands = [[n for n in b if n in self.nodes and self.nodes[n].kind != "legend"] for b in bands]
        bands = [b for b in bands if b]
        band_of = {n: i for i, b in enumerate(bands) for n in b}
        for e in self.edges.values():
            back = (e.attrs.get("dir") or st.EDGES.get(e.role, {}).get("dir")) == "back"
            top, bottom = (e.dst, e.src) if back else (e.src, e.dst)
            if band_of.get(top, -1) > band_of.get(bottom, len(bands)) and e.role != "invisible":
                if back:
                    e.attrs["dir"] = "forward"
                else:
                    e.attrs["dir"] = "back"
                    head = e.attrs.get("arrowhead") or st.EDGES.get(e.role, {}).get("arrowhead")
                    if head:
                        e.attrs["arrowtail"] = head
        self._paths()
        flows = [self._flow(e) for e in self.edges.values()]
        for upper, lower in zip(bands, bands[1:], strict=False):
            up, low = set(upper), set(lower)
            leads_up = {a for a, b in flows if b in up}          # has an edge to the upper band
            led_low = {b for a, b in flows if a in low}          # has an edge from the lower band
            sinks = [n for n in upper if n not in leads_up]
            roots = [n for n in lower if n not in led_low]
            box = self._label_box(upper[0], lower[0], None, None)
            waist = self.node(box, f"layout/waist/{len(self._waists)}", "", dict(st.WAIST), kind="layout")
            self._waists.append(waist)
            for n in sinks:
                self.edge(n, waist, "invisible")
                flows.append((n, waist))
            for n in roots:
                self.edge(waist, n, "invisible")
                flows.append((waist, n))

    def _flow(self, e: SEdge) -> tuple[str, str]:
        """(upper, lower) end of an edge as dot ranks it."""
        back = (e.attrs.get("dir") or st.EDGES.get(e.role, {}).get("dir")) == "back"
        return (e.dst, e.src) if back else (e.src, e.dst)

    # -- reading -----------------------------------------------------------
    @property
    def node_count(self) -> int:
        """Drawn resource nodes; hidden layout nodes and the legend do not count."""
        return sum(1 for n in self.nodes.values() if n.kind not in ("layout", "legend"))

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

    def _paths(self) -> None:
        """Index node -> box path (root first) for the emitter; rebuilt on every emit."""
        self._node_path: dict[str, list[Box]] = {}

        def walk(b: Box, path: list[Box]) -> None:
            for nid in b.nodes:
                self._node_path[nid] = path
            for c in b.children.values():
                walk(c, [*path, c])
        walk(self.root, [])

    # -- emitting ----------------------------------------------------------
    def to_graph(self, name: str, rankdir: str, title: str | None = None,
                 icons: bool = False) -> graphviz.Digraph:
        """The DOT graph; ``icons`` names the icon files (``icons/<key>.png``) that
        renderers/diagrams/render.py provides, else the icon cells stay empty."""
        self._paths()
        g = graphviz.Digraph(dot_id(name), graph_attr=st.graph_attrs(rankdir), node_attr=st.NODE_DEFAULTS,
                             edge_attr=st.EDGE_DEFAULTS)
        legend = next((n.label for n in self.nodes.values() if n.kind == "legend"), None)
        if title or legend or self.panels:
            label = st.graph_label(title, legend, self.panels)
            g.attr(label=label if icons else _ICON_IMG.sub("", label), fontsize="14")
        label_nodes: dict[str, list[tuple[str, str]]] = {}
        edges: list[tuple[str, str, dict[str, str]]] = []
        for key in sorted(self.edges):
            edges.extend(self._edge_parts(key, self.edges[key], label_nodes))
        self._emit_box(g, self.root, icons, label_nodes)
        for src, dst, attrs in edges:
            g.edge(src, dst, **attrs)
        return g

    def _edge_parts(self, key: tuple[str, str, str, str], e: SEdge,
                    label_nodes: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str, dict[str, str]]]:
        attrs = dict(st.EDGES.get(e.role, {}))
        attrs.update(e.attrs)
        src, dst = e.src, e.dst
        if attrs.get("dir") == "back":
            src, dst = dst, src
            tail, head = attrs.pop("ltail", None), attrs.pop("lhead", None)
            if tail:
                attrs["lhead"] = tail
            if head:
                attrs["ltail"] = head
        if not e.label:
            return [(src, dst, attrs)]
        text = st.text_label(e.label)
        attrs.setdefault("tooltip", text)
        if e.at in ("head", "tail"):
            # the end that is drawn (not clipped at a box) holds the text
            at = e.at if not attrs.get("lhead" if e.at == "head" else "ltail") else (
                "tail" if e.at == "head" else "head")
            if attrs.get("dir") == "back":
                at = "tail" if at == "head" else "head"
            attrs[f"{at}label"] = text
            attrs.update(st.END_LABEL)
            return [(src, dst, attrs)]
        if not (attrs.get("ltail") or attrs.get("lhead")) and e.at != "node":
            attrs["label"] = text
            return [(src, dst, attrs)]
        # a compound edge (or one asked to, at="node": a long line whose label dot would set
        # beside it, between other lines): through a label node in the innermost box that holds both ends
        lid = "lbl_" + hashlib.sha1("\x1f".join(key).encode("utf-8")).hexdigest()[:12]
        box = self._label_box(src, dst, attrs.get("ltail"), attrs.get("lhead"))
        label_nodes.setdefault(box.id if box else "", []).append((lid, text))
        direction = attrs.pop("dir", "forward")
        first = {k: v for k, v in attrs.items() if k not in ("lhead", "arrowhead")}
        second = {k: v for k, v in attrs.items() if k not in ("ltail", "arrowtail")}
        first["dir"] = "back" if direction in ("back", "both") else "none"
        second["dir"] = "forward" if direction in ("forward", "both") else "none"
        if attrs.get("arrowhead") == "none":
            second["dir"] = "none"
        return [(src, lid, first), (lid, dst, second)]

    def _label_box(self, src: str, dst: str, ltail: str | None, lhead: str | None) -> Box | None:
        def path(nid: str, clip: str | None) -> list[Box]:
            p = self._node_path.get(nid, [])
            if clip:
                ids = [b.id for b in p]
                if clip in ids:
                    p = p[:ids.index(clip)]
            return p
        a, b = path(src, ltail), path(dst, lhead)
        common: Box | None = None
        for x, y in zip(a, b, strict=False):
            if x is not y:
                break
            common = x
        return common

    def _emit_box(self, g: graphviz.Digraph, box: Box, icons: bool,
                  label_nodes: dict[str, list[tuple[str, str]]]) -> None:
        for nid in sorted(box.nodes):
            n = self.nodes[nid]
            if n.kind != "legend":          # the legend is part of the graph's label (to_graph)
                g.node(nid, self._label(n, icons), **n.attrs)
        for lid, text in sorted(label_nodes.get(box.id, [])):
            g.node(lid, text, **st.LABEL_NODE)
        for key in sorted(box.children, key=lambda k: (box.children[k].sort_key, k)):
            child = box.children[key]
            if child.is_empty():
                continue
            with g.subgraph(name=child.id) as sub:
                sub.attr(**st.box_attrs(child.style, child.label))
                self._emit_box(sub, child, icons, label_nodes)

    @staticmethod
    def _label(n: SNode, icons: bool) -> str:
        key = n.icon if n.icon != "" else st.icon_of(n.kind)
        label = st.with_icon(n.label, key) if key and n.attrs.get("shape") != "plain" else n.label
        return label if icons else _ICON_IMG.sub("", label)

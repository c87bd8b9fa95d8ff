"""The shared look of the three diagrams, and the small scene model they are drawn from.

Colours, fonts, shapes, icons and the legend live here (after mingrammer/diagrams: the
diagram modules decide *what* is drawn and nested, never how it looks), so the
three diagrams speak one visual language: one colour per resource family, one
shape per role, and the official AWS Architecture Icon of each service beside its
name (renderers/icons; embedded as data by renderers/diagrams/render.py, so every
SVG stays self-contained: it references no file, image or font outside itself).

A diagram is first described as a :class:`Scene` (renderers/diagrams/scene.py:
boxes, nodes, edges), then emitted as DOT. All account text passes through
:func:`renderers.escape.dot_label`; cluster and node ids come from resource ids
through :func:`renderers.escape.dot_id`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    "replication": {"color": "#3F8624", "style": "dashed", "penwidth": "1.3"},
    "trust": {"color": "#BF0816", "style": "dashed", "penwidth": "1.3"},
    "admin": {"color": "#BF0816", "penwidth": "1.6"},
    "invisible": {"style": "invis"},
}

EXPOSED = ("#D13212", "#F9C4B8")     # reachable from the internet on its own address
REACHED = ("#D13212", "#FDECE7")     # reachable from the internet only through a load balancer
FINDING = "#F89C1C"                  # carries open findings
MISSING = ("#D13212", "#FFFFFF")    # an account guard that is not there
#: a table cell (security panels) that says MISSING / NOT encrypted / admin rights
ALERT_FILL = "#FDE2DD"
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


#: open findings per resource id, for the analysis a build is drawing (:func:`indexed_findings`)
_FINDINGS: dict[int, dict[str, int]] = {}


@contextlib.contextmanager
def indexed_findings(analysis: Any) -> Iterator[None]:
    """While diagrams are built, count open findings per resource once: ``analysis.for_resource``
    walks every finding, and a large account's security diagrams ask it some 20,000 times."""
    counts: dict[str, int] = {}
    for f in analysis.open_findings():
        for rid in dict.fromkeys(f.resources):
            counts[rid] = counts.get(rid, 0) + 1
    _FINDINGS[id(analysis)] = counts
    try:
        yield
    finally:
        _FINDINGS.pop(id(analysis), None)


def findings_count(analysis: Any, nid: str) -> int:
    """How many open findings name ``nid`` (indexed inside :func:`indexed_findings`)."""
    counts = _FINDINGS.get(id(analysis))
    return len(analysis.for_resource(nid)) if counts is None else counts.get(nid, 0)


def _is_balancer(inv: Inventory, nid: str) -> bool:
    # read in place: asked for every hop of every exposure path, a copy of the node each time
    # (inv.node) was most of what drawing the exposure cost
    data = inv.graph.nodes[nid] if nid in inv.graph else None
    return data is not None and str(data.get("kind", "")).endswith(":load-balancer")


def exposure_of(inv: Inventory, exposure: dict[str, dict[str, Any]], ids: Iterable[str]) -> Exposure:
    """Read ``analysis.exposure`` for some resources: direct ports, and the balancers (named with
    scanner.naming) whose listeners forward internet traffic to them."""
    direct: set[str] = set()
    lb_ports: set[str] = set()
    lbs: dict[str, str] = {}
    direct_reached = lb_reached = False
    known: dict[str, bool] = {}        # hop -> is a balancer: the same few balancers recur on every path

    def balancer(nid: str) -> bool:
        found = known.get(nid)
        if found is None:
            found = known[nid] = _is_balancer(inv, nid)
        return found

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
                       if hop != i and balancer(hop)}
            if via == "load-balancer" and (through or not balancer(i)):
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

def html_label(title: Any, *lines: Any, bold: bool = True, limit: int = 46) -> str:
    """An HTML-like Graphviz label; every piece is untrusted text and escaped here.

    The title is bold, further lines smaller and muted. Empty lines are dropped.
    """
    head = dot_label(title, limit)
    parts = [f"<B>{head}</B>" if bold and head else head]
    for line in lines:
        if line in (None, ""):
            continue
        parts.append(f'<FONT POINT-SIZE="{MIN_FONT}" COLOR="{MUTED}">{dot_label(line, limit)}</FONT>')
    return "<" + "<BR/>".join(p for p in parts if p) + ">"


def graph_label(title: Any, legend: str | None, panels: Iterable[str] = ()) -> str:
    """The graph's label: the (escaped) title, the legend table (an HTML label), then the
    panels (HTML tables), one below the other."""
    rows = []
    if title:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="14"><B>{dot_label(title, 90)}</B></FONT></TD></TR>')
    if legend and legend.startswith("<") and legend.endswith(">"):
        rows.append(f'<TR><TD ALIGN="LEFT">{legend[1:-1]}</TD></TR>')
    # one panel per row: Graphviz stretches a nested table to its cell, so side by side they
    # would all take the tallest one's height
    rows += [f'<TR><TD ALIGN="LEFT" CELLPADDING="6">{p}</TD></TR>' for p in panels]
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


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
             "bgcolor": "white", "pad": "0.2", "nodesep": "0.2", "ranksep": "0.45",
             "compound": "true", "newrank": "true", "labelloc": "t", "labeljust": "l",
             "splines": "spline", "outputorder": "edgesfirst"}
    attrs.update(extra)
    return attrs


#: the smallest text any diagram uses, in points: the size budget (collapse.readable) keeps it
#: at 8 px or more when a diagram is shown 1400 px wide
MIN_FONT = 9

NODE_DEFAULTS = {"fontname": FONT, "fontsize": "10", "fontcolor": INK, "margin": "0.12,0.05",
                 "penwidth": "1.2"}
EDGE_DEFAULTS = {"fontname": FONT, "fontsize": str(MIN_FONT), "fontcolor": MUTED, "arrowsize": "0.7",
                 "color": EDGE}


#: a label node on a compound edge (scene.py): plain text the line runs through
LABEL_NODE = {"shape": "plaintext", "fontsize": str(MIN_FONT), "fontcolor": MUTED, "margin": "0.02",
              "width": "0", "height": "0"}
#: a hidden node that orders two bands of a diagram (scene.Scene.stack)
WAIST = {"shape": "point", "style": "invis", "width": "0", "height": "0"}
#: a label beside one end of an edge
END_LABEL = {"labeldistance": "2.2", "labelangle": "25", "labelfontsize": str(MIN_FONT),
             "labelfontcolor": MUTED}


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
            "labeljust": "l", "margin": "8"}


def box_title(style: str, name: Any, *lines: Any) -> str:
    """A cluster label: the box type prefix then the (escaped) name and detail lines."""
    prefix = BOXES[style][3]
    head = f"{prefix}: {name}" if prefix and name else (name or prefix)
    inner = html_label(head, *lines, limit=60)[1:-1]
    # every line left-aligned under the title (a cell's BALIGN), as box titles read
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{inner}</TD></TR></TABLE>>')


def legend_label(entries: list[tuple[str, str, str]], icon_entries: Iterable[tuple[str, str]] = (),
                 columns: int = 3) -> str:
    """An HTML table for the legend, laid out in ``columns`` so it is wide rather than tall.

    ``entries`` are (line colour, fill colour, text) swatches; ``icon_entries`` are
    (icon key, text): the AWS icons the diagram shows and what they stand for.
    """
    cells = [f'<TD WIDTH="18" HEIGHT="12" BGCOLOR="{fill}" COLOR="{line}" BORDER="2"></TD>'
             f'<TD ALIGN="LEFT"><FONT POINT-SIZE="{MIN_FONT}">{dot_label(text, 70)}</FONT></TD>'
             for line, fill, text in entries]
    cells += [f'<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18">{icon_img(key)}</TD>'
              f'<TD ALIGN="LEFT"><FONT POINT-SIZE="{MIN_FONT}">{dot_label(text, 70)}</FONT></TD>'
              for key, text in icon_entries]
    rows = [f'<TR><TD COLSPAN="{2 * columns}" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for i in range(0, len(cells), columns):
        row = cells[i:i + columns]
        row += ['<TD></TD><TD></TD>'] * (columns - len(row))
        rows.append("<TR>" + "".join(row) + "</TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def icon_entries(kinds_drawn: Iterable[str], limit: int = 18) -> list[tuple[str, str]]:
    """(icon, title) for the kinds a diagram draws, one per icon, for its legend."""
    seen: dict[str, str] = {}
    for kind in sorted(set(kinds_drawn)):
        key = icon_of(kind)
        if key and key not in seen:
            seen[key] = title_of(kind) if kind != "internet" else "Internet"
    return sorted(((k, t) for k, t in seen.items()), key=lambda kt: kt[1].lower())[:limit]


# --- icons ------------------------------------------------------------------------

#: the icon beside a node's text, in points (the PNGs are 48 px: sharp at twice this)
ICON_PT = 24


def icon_of(kind: str, props: dict[str, Any] | None = None) -> str | None:
    """The AWS icon key of a kind (renderers/icons/catalog.py), or None: drawn by shape alone."""
    from renderers import icons

    return icons.icon_key(kind, props)


def icon_img(key: str) -> str:
    """The HTML-label image of an icon; scene.py removes it from the icon-free DOT."""
    return f'<IMG SRC="icons/{key}.png" SCALE="TRUE"/>'


def with_icon(label: str, key: str) -> str:
    """An HTML-like label with the icon on the left and the text beside it, left-aligned."""
    if not (label.startswith("<") and label.endswith(">")):
        return label
    inner = label[1:-1]
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            f'<TD FIXEDSIZE="TRUE" WIDTH="{ICON_PT}" HEIGHT="{ICON_PT}" VALIGN="MIDDLE">{icon_img(key)}</TD>'
            '<TD WIDTH="6"></TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT">{inner}</TD></TR></TABLE>>')


def family_entry(kind: str, text: str | None = None) -> tuple[str, str, str]:
    line, fill = FAMILIES[kind_look(kind)[0]]
    return line, fill, text or title_of(kind)


def box_entry(style: str, text: str | None = None) -> tuple[str, str, str]:
    line, fill, _, prefix = BOXES[style]
    return line, fill, text or prefix


# --- the scene model (renderers/diagrams/scene.py), re-exported: the diagram modules say st.Scene

from renderers.diagrams.scene import Box, Scene, SEdge, SNode  # noqa: E402  (scene.py reads this module)

__all__ = ["Box", "Scene", "SEdge", "SNode", "dot_id"]

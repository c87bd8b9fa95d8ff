"""Issue 15, done when: the demo's three diagrams, viewed as PNG at 1400 px wide, have no
overlapping or detached labels and show icons.

Checked from Graphviz's own layout (``dot -Tjson`` of the DOT the report renders, icons
included), not from pixels: every drawn node's box and every edge label's box, in points.

- no two node boxes overlap; no edge label overlaps a node it does not belong to, or another
  edge label;
- every edge label sits on its edge: the label box is within a few points of the edge's
  spline (a "detached" label floats in empty space, far from its line); a label drawn as a
  small node on a compound edge (scene.py) is where its two halves meet;
- the diagram is no wider than the page budget (shown 1400 px wide, 9 pt text is 8 px or more);
- the SVG carries an AWS icon for every node whose kind has one, embedded as data.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from typing import Any

import pytest

from fixtures.large import build_inventory
from renderers import icons
from renderers.diagrams import Diagram, build, collapse, layout
from renderers.diagrams.render import dot_output

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

Box = tuple[float, float, float, float]      # x0, y0, x1, y1 in points
#: how far (points) a label box may sit from its line and still read as that line's label: about
#: one line of 9 pt text (dot sets a mid-edge label beside its line, a few points off it; a
#: detached label floats tens or hundreds of points away, in another box)
NEAR = 10.0
#: overlap smaller than this (points) is a touching border, not an overlap
TOUCH = 1.0


def laid_out(d: Diagram) -> dict[str, Any]:
    """``dot -Tjson`` of the DOT the report renders (icons named as files in dot's folder)."""
    proc = subprocess.run(["dot", "-Tjson"], input=d.icon_source().encode(), capture_output=True, timeout=120,
                          check=False, cwd=layout.icon_folder())
    assert proc.returncode == 0, proc.stderr.decode()[:500]
    return json.loads(proc.stdout)


def _pt(text: str) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def node_box(obj: dict[str, Any]) -> Box:
    x, y = _pt(obj["pos"])
    w, h = float(obj["width"]) * 72 / 2, float(obj["height"]) * 72 / 2
    return (x - w, y - h, x + w, y + h)


def text_boxes(draw: list[dict[str, Any]]) -> list[Box]:
    """The boxes of the text operations of an ``_ldraw_`` list (baseline anchor, width, font size)."""
    size = 14.0
    out = []
    for op in draw:
        if op.get("op") == "F":
            size = float(op["size"])
        elif op.get("op") == "T":
            x, y = op["pt"]
            w = float(op["width"])
            x0 = x - w / 2 if op.get("align") == "c" else x - w if op.get("align") == "r" else x
            out.append((x0, y - size * 0.25, x0 + w, y + size * 0.8))
    return out


def spline_points(edge: dict[str, Any]) -> list[tuple[float, float]]:
    """Points along an edge's drawn B-splines (each cubic segment sampled)."""
    pts: list[tuple[float, float]] = []
    for op in edge.get("_draw_", []):
        if op.get("op") not in ("b", "B"):
            continue
        ctrl = [tuple(p) for p in op["points"]]
        for i in range(0, len(ctrl) - 3, 3):
            p0, p1, p2, p3 = ctrl[i:i + 4]
            for k in range(11):
                t = k / 10
                a, b, c, e = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
                pts.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
    return pts


def overlap(a: Box, b: Box) -> float:
    """How far two boxes overlap (points; 0 or less: they do not)."""
    return min(a[2], b[2]) - max(a[0], b[0]) if min(a[3], b[3]) - max(a[1], b[1]) > TOUCH else 0.0


def distance(box: Box, pts: list[tuple[float, float]]) -> float:
    """Distance from a box to the nearest of some points (0 when one is inside)."""
    best = math.inf
    for x, y in pts:
        dx = max(box[0] - x, 0.0, x - box[2])
        dy = max(box[1] - y, 0.0, y - box[3])
        best = min(best, math.hypot(dx, dy))
    return best


def drawn_nodes(graph: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Nodes that are drawn (not clusters, not invisible layout points)."""
    out = {}
    for obj in graph.get("objects", []):
        if "nodes" in obj or "pos" not in obj or obj.get("style") == "invis":
            continue
        out[obj["_gvid"]] = obj
    return out


def problems(d: Diagram) -> list[str]:
    """What a reader of the PNG would see wrong: overlaps, detached labels, too wide, no icons."""
    return layout_problems(laid_out(d)) + icon_problems(d)


def layout_problems(g: dict[str, Any]) -> list[str]:
    """Overlaps, detached labels and width, from one ``dot -Tjson`` layout."""
    nodes = drawn_nodes(g)
    boxes = {i: node_box(n) for i, n in nodes.items()}
    found: list[str] = []
    ids = sorted(boxes)
    for x, i in enumerate(ids):
        for j in ids[x + 1:]:
            if overlap(boxes[i], boxes[j]) > TOUCH:
                found.append(f"nodes overlap: {nodes[i]['name']} / {nodes[j]['name']}")
    labels: list[tuple[str, Box]] = []
    for e in g.get("edges", []):
        pts = spline_points(e)
        for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
            for box in text_boxes(e.get(key, [])):
                text = e.get({"_ldraw_": "label", "_hldraw_": "headlabel", "_tldraw_": "taillabel"}[key], "?")
                what = f"label {text!r} of edge {e['tail']}->{e['head']}"
                if pts and distance(box, pts) > NEAR + (0 if key == "_ldraw_" else 30):
                    found.append(f"{what} is {distance(box, pts):.0f} pt from its line")
                for i, b in boxes.items():
                    if overlap(box, b) > TOUCH:
                        found.append(f"{what} overlaps node {nodes[i]['name']}")
                labels.append((what, box))
    for x, (a, box_a) in enumerate(labels):
        for b, box_b in labels[x + 1:]:
            if overlap(box_a, box_b) > TOUCH:
                found.append(f"{a} overlaps {b}")
    # a label drawn as a node on a compound edge: both halves of the line meet at it
    ends: dict[int, list[tuple[float, float]]] = {}
    for e in g.get("edges", []):
        pts = spline_points(e)
        if pts:
            ends.setdefault(e["head"], []).append(pts[-1])
            ends.setdefault(e["tail"], []).append(pts[0])
    for i, n in nodes.items():
        if n["name"].startswith("lbl_") and distance(boxes[i], ends.get(i, [])) > NEAR:
            found.append(f"edge label node {n.get('label')!r} is away from its line")
    width = float(g["bb"].split(",")[2]) / 72
    if width > collapse.max_width_in():
        found.append(f"{width:.1f} in wide: its 9 pt text is under 8 px at {collapse.PAGE_PX} px")
    return found


def icon_problems(d: Diagram) -> list[str]:
    """Every icon the DOT names is embedded in the SVG the report writes (as a data symbol)."""
    found = []
    svg = dot_output(d, "svg").stdout.decode()
    wanted = {k for k in icons.FILE_RE.findall(d.icon_source()) if icons.has(k)}
    shown = set(re.findall(r'<symbol id="awsscan-icon-([a-z0-9-]+)"', svg))
    if not wanted or wanted - shown or "<use " not in svg:
        found.append(f"icons missing from the SVG: {sorted(wanted - shown) or 'none named'}")
    return found


def test_the_demo_diagrams_read_as_png_at_page_width(sample):
    """The sample account is what ``awsscan demo`` draws: its three diagrams, checked as laid out.
    moto draws new resource ids every scan, so label widths and the layout vary run to run."""
    diagrams = build(sample.inv, sample.analysis)
    assert {d.marker for d in diagrams} == {"AWS_ARCHITECTURE", "AWS_SECURITY", "CICD"}
    report = {d.filename: problems(d) for d in diagrams}
    assert not {k: v for k, v in report.items() if v}, report
    files = {p.name for p in sample.files.diagrams}
    assert {f"{d.filename}.png" for d in diagrams} <= files         # the PNGs the done-when looks at


@pytest.mark.parametrize("size", ["tiny", "small"])
def test_small_fixture_diagrams_read_as_png_at_page_width(size):
    inv, analysis = build_inventory(size)
    report = {d.filename: problems(d) for d in build(inv, analysis)}
    assert not {k: v for k, v in report.items() if v}, report


def test_the_checks_see_a_detached_label_an_overlap_and_missing_icons():
    """The checks are not vacuous: the same layout with a label moved off its line, or one node
    moved onto another, fails; so does a diagram whose icons are not in its SVG."""
    import copy

    from renderers.diagrams import style as st

    scene = st.Scene()
    a = scene.node(None, "a", st.html_label("web-1", "EC2 instance"), st.node_attrs("ec2:instance"), kind="ec2:instance")
    b = scene.node(None, "b", st.html_label("db-1", "RDS"), st.node_attrs("rds:instance"), kind="rds:instance")
    scene.edge(a, b, "data", "tcp/5432")
    d = Diagram.of("AWS_SECURITY", "probe", "probe", scene, "LR")
    g = laid_out(d)
    assert not layout_problems(g) and not icon_problems(d)
    detached = copy.deepcopy(g)
    [edge] = detached["edges"]
    for op in edge["_ldraw_"]:
        if op.get("op") == "T":
            op["pt"] = [op["pt"][0] + 200, op["pt"][1] + 200]
    assert any("from its line" in p for p in layout_problems(detached))
    stacked = copy.deepcopy(g)
    first, second = drawn_nodes(stacked).values()
    second["pos"] = first["pos"]
    assert any(p.startswith("nodes overlap") for p in layout_problems(stacked))
    plain = Diagram.of("AWS_SECURITY", "probe", "probe", scene, "LR", icon_dot=d.graph.source)
    assert icon_problems(plain)

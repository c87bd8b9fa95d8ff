"""The change report of ``awsscan diff``: diff.md, diff.html, diff.json and diagrams/diff_architecture.svg.

Built from :func:`scanner.analysis.changes.diff` only. Everything from the account is escaped
for its output (Markdown, HTML via the document's own renderer, DOT), as in the design document.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import graphviz

from renderers.diagrams import Diagram
from renderers.escape import code, dot_label, md
from renderers.html import render_html
from renderers.report import render_diagram
from scanner.inventory import atomic_write
from scanner.plural import count_of

#: the most resources the diagram draws (the Markdown lists every one)
DIAGRAM_LIMIT = 150
LOOK = {"added": ("#2e7d32", "#e8f5e9", "solid"), "removed": ("#c62828", "#ffebee", "dashed"),
        "changed": ("#ef6c00", "#fff3e0", "solid")}


def _value(v: Any) -> str:
    if v is None:
        return "(none)"
    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def markdown(d: dict[str, Any]) -> str:
    r, e, f, c = d["resources"], d["edges"], d["findings"], d["cost"]
    lines = [f"# Changes in account {md(d['new']['account'])}", "",
             f"From the scan of {md(d['old']['scanned_at'])} to the scan of {md(d['new']['scanned_at'])}.", ""]
    if d["empty"]:
        lines += ["No change: the same resources, relations and open findings in both scans "
                  "(values that move on their own, such as ages and sizes, are not changes).", ""]
    lines += ["## Summary", "",
              "| What | Count |", "|---|---|",
              f"| Resources added | {len(r['added'])} |", f"| Resources removed | {len(r['removed'])} |",
              f"| Resources changed | {len(r['changed'])} |",
              f"| Relations added | {len(e['added'])} |", f"| Relations removed | {len(e['removed'])} |",
              f"| Findings opened | {len(f['opened'])} |", f"| Findings closed | {len(f['closed'])} |"]
    if c.get("change") is not None:
        lines.append(f"| Estimated monthly cost | ${c['old']:,.2f} -> ${c['new']:,.2f} ({c['change']:+,.2f}) |")
    lines.append("")
    if not d["empty"]:
        lines += ["![Changed resources](diagrams/diff_architecture.svg)", ""]
    if d["by_section"]:
        lines += ["## Resources by document section", ""]
        for sec in d["by_section"]:
            lines.append(f"### Section {md(sec)}")
            lines.append("")
            for what in ("added", "removed", "changed"):
                items = [it for it in r[what] if it["section"] == sec]
                for it in items:
                    where = f" in {md(it['region'])}" if it["region"] else ""
                    lines.append(f"- **{what}:** {md(it['kind_name'])} {md(it['name'])}{where}")
                    for ch in it.get("changes", []):
                        lines.append(f"  - {code(ch['prop'])}: {md(_value(ch['old']))} -> {md(_value(ch['new']))}")
            lines.append("")
    for title, key in (("Relations added", "added"), ("Relations removed", "removed")):
        if e[key]:
            lines += [f"## {title}", ""]
            lines += [f"- {md(x['src_name'])} {code(x['rel'])} {md(x['dst_name'])}" for x in e[key]]
            lines.append("")
    for title, key in (("Findings opened", "opened"), ("Findings closed", "closed")):
        if f[key]:
            lines += [f"## {title}", "", "| Severity | Rule | Finding | Resource | Section |", "|---|---|---|---|---|"]
            lines += [f"| {x['severity'].upper()} | {md(x['rule'])} | {md(x['title'])} | {md(x['resource_name'])} "
                      f"| {md(x['section'])} |" for x in f[key]]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _nid(rid: str) -> str:
    """A DOT node id from a resource id: stable across runs, never account text."""
    return "n" + hashlib.sha256(rid.encode()).hexdigest()[:16]


def diagram(d: dict[str, Any]) -> Diagram:
    """Changed resources grouped by region, colour-coded: added, removed (dashed), changed."""
    g = graphviz.Digraph("diff_architecture", graph_attr={"rankdir": "LR", "fontname": "Helvetica",
                                                          "label": "Changes: green added, red removed, orange changed",
                                                          "labelloc": "t", "fontsize": "14"},
                         node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                    "fontsize": "11"})
    items = [(what, it) for what in ("added", "removed", "changed") for it in d["resources"][what]]
    shown = items[:DIAGRAM_LIMIT]
    by_region: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for what, it in shown:
        by_region.setdefault(it["region"] or "global", []).append((what, it))
    ids = {it["id"] for _, it in shown}
    for n, (region, members) in enumerate(sorted(by_region.items())):
        with g.subgraph(name=f"cluster_{n}") as sub:
            sub.attr(label=dot_label(region), style="rounded", color="#90a4ae")
            for what, it in members:
                colour, fill, style = LOOK[what]
                sub.node(_nid(it["id"]),
                         label=dot_label(f"{it['kind_name']}\n{it['name']}"),
                         color=colour, fillcolor=fill, style=f"rounded,filled,{style}",
                         tooltip=dot_label(f"{what}: {it['id']}", 200))
    node_of = {it["id"]: _nid(it["id"]) for _, it in shown}
    for what, colour in (("added", "#2e7d32"), ("removed", "#c62828")):
        for x in d["edges"][what]:
            if x["src"] in ids and x["dst"] in ids:
                g.edge(node_of[x["src"]], node_of[x["dst"]], label=dot_label(x["rel"], 30), color=colour,
                       fontcolor=colour, style="dashed" if what == "removed" else "solid", fontsize="9")
    omitted = [f"{count_of(len(items) - len(shown), 'more changed resource')} (listed below)"] \
        if len(items) > len(shown) else []
    return Diagram(marker="DIFF", filename="diff_architecture", title="Changed resources", graph=g,
                   omitted=omitted, nodes=len(shown), edges=0)


def write_diff(d: dict[str, Any], out: Path) -> tuple[list[Path], list[str]]:
    """Write the change report into ``out``; returns the files and any warnings (no dot)."""
    out = Path(out)
    warnings: list[str] = []
    files = []
    text = markdown(d)
    diagrams = out / "diagrams"
    if not d["empty"]:
        diagrams.mkdir(parents=True, exist_ok=True)
        files += render_diagram(diagram(d), diagrams, warnings)
    files.append(atomic_write(out / "diff.md", text))
    files.append(atomic_write(out / "diff.html", render_html(text, diagrams, f"Changes in {d['new']['account']}")))
    files.append(atomic_write(out / "diff.json", json.dumps(d, indent=2, sort_keys=True, default=str) + "\n"))
    return files, warnings

"""Benchmark: diagram build and Graphviz render time at several account sizes (``make bench``).

Accounts come from :mod:`fixtures.large` (built from Records, so building the
inventory is not what is measured). For each size: how many resources, how many
diagram parts (and how many still too wide to read at 1400 px), the largest part's
nodes/edges, the time to build the diagrams (including the layout probes that pick the rank
direction and the splits: renderers/diagrams/layout.py lays each source out once), the CPU
seconds that took (this process and its ``dot`` children: a fairer figure than wall time on a
shared machine), and the time to render every part as the report does
(renderers/diagrams/render.py ``render_many``: a thread pool; an SVG whose source a probe laid
out is that probe's). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from dataclasses import dataclass

from fixtures.large import PRESETS, build_inventory
from renderers.diagrams import build
from renderers.diagrams.render import render_many

DEFAULT_SIZES = ("tiny", "small", "medium", "large", "huge")


@dataclass
class Row:
    size: str
    resources: int
    instances: int
    parts: int
    too_wide: int
    max_nodes: int
    max_edges: int
    build_s: float
    build_cpu_s: float
    svg_s: float | None
    png_s: float | None


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(size: str, render: bool = True) -> Row:
    inv, analysis = build_inventory(size)
    inv.index()
    started, cpu = time.perf_counter(), _cpu()
    diagrams = build(inv, analysis)
    built, built_cpu = time.perf_counter() - started, _cpu() - cpu
    svg_s = png_s = None
    if render and shutil.which("dot"):
        started = time.perf_counter()
        render_many(diagrams, ("svg",))
        svg_s = time.perf_counter() - started
        started = time.perf_counter()
        render_many(diagrams, ("png",))
        png_s = time.perf_counter() - started
    return Row(size, len(inv.graph), len(inv.nodes("ec2:instance")), len(diagrams),
               sum(1 for d in diagrams if not d.readable), max(d.nodes for d in diagrams),
               max(d.edges for d in diagrams), built, built_cpu, svg_s, png_s)


def table(rows: list[Row]) -> str:
    head = ("size", "resources", "instances", "diagrams", "too wide", "max nodes", "max edges", "build s",
            "build cpu s", "svg s", "png s")
    lines = [" | ".join(f"{h:>11}" for h in head), "-" * (14 * len(head))]
    for r in rows:
        svg = f"{r.svg_s:.2f}" if r.svg_s is not None else "no dot"
        png = f"{r.png_s:.2f}" if r.png_s is not None else "no dot"
        cells = (r.size, r.resources, r.instances, r.parts, r.too_wide, r.max_nodes, r.max_edges, f"{r.build_s:.2f}",
                 f"{r.build_cpu_s:.2f}", svg, png)
        lines.append(" | ".join(f"{c:>11}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=list(DEFAULT_SIZES), choices=sorted(PRESETS))
    parser.add_argument("--no-render", action="store_true", help="only build the DOT, do not run dot")
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes:
        rows.append(measure(size, render=not args.no_render))
        print(f"  measured {size}", flush=True)
    print("\nDiagrams: build + render time by account size (svg/png: every part, in a thread pool)\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

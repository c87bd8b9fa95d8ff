"""Benchmark: diagram build and Graphviz render time at several account sizes (``make bench``).

Accounts come from :mod:`fixtures.large` (built from Records, so building the
inventory is not what is measured). For each size: how many resources, how many
diagram parts, the largest part's nodes/edges, the time to build the diagrams
(including the layout probe that picks the rank direction) and the time for
``dot`` to render every part to SVG. Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from dataclasses import dataclass

from fixtures.large import PRESETS, build_inventory
from renderers.diagrams import build

DEFAULT_SIZES = ("tiny", "small", "medium", "large", "huge")


@dataclass
class Row:
    size: str
    resources: int
    instances: int
    parts: int
    max_nodes: int
    max_edges: int
    build_s: float
    render_s: float | None


def measure(size: str, render: bool = True) -> Row:
    inv, analysis = build_inventory(size)
    started = time.perf_counter()
    diagrams = build(inv, analysis)
    built = time.perf_counter() - started
    render_s: float | None = None
    if render and shutil.which("dot"):
        started = time.perf_counter()
        for d in diagrams:
            subprocess.run(["dot", "-Tsvg"], input=d.graph.source.encode("utf-8"), capture_output=True,
                           check=True, timeout=600)
        render_s = time.perf_counter() - started
    return Row(size, len(inv.graph), len(inv.nodes("ec2:instance")), len(diagrams),
               max(d.nodes for d in diagrams), max(d.edges for d in diagrams), built, render_s)


def table(rows: list[Row]) -> str:
    head = ("size", "resources", "instances", "diagrams", "max nodes", "max edges", "build s", "dot svg s")
    lines = [" | ".join(f"{h:>10}" for h in head), "-" * (13 * len(head))]
    for r in rows:
        render = f"{r.render_s:.2f}" if r.render_s is not None else "no dot"
        cells = (r.size, r.resources, r.instances, r.parts, r.max_nodes, r.max_edges, f"{r.build_s:.2f}", render)
        lines.append(" | ".join(f"{c:>10}" for c in cells))
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
    print("\nDiagrams: build + render time by account size\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

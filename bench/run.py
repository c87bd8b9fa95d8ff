"""Run the benchmarks (``make bench``): each bench module's ``main()`` in turn, tables on stdout.

bench.diagrams: diagram build and Graphviz time by account size; bench.render: rendering a
snapshot stage by stage at scale; bench.scan: a whole scan of a moto server through a latency
proxy and directly, with the sequential floor; bench.peer: awsscan beside ScoutSuite on the same
services, server and proxy (skipped with a message when ScoutSuite is not installed). See
bench/README.md for the figures.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: bench modules in the order they run
BENCHES = ("bench.diagrams", "bench.render", "bench.scan", "bench.peer")


def main() -> int:
    status = 0
    for name in BENCHES:
        print(f"== {name}", flush=True)
        status |= importlib.import_module(name).main([])
    return status


if __name__ == "__main__":
    raise SystemExit(main())

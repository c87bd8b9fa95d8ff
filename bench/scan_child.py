"""One measured scan, in its own process (the scan benchmark runs it once per row).

It does what ``awsscan`` does up to the snapshot, with the same session code (so
AWS_ENDPOINT_URL points it at the latency proxy or straight at moto): identity, regions,
the scan, inventory.json. Rendering is left out: it has its own benchmark (bench/render.py).
A process of its own gives an honest peak RSS. Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", action="append", required=True)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--max-rate", type=float, default=None)
    parser.add_argument("--services", default=None, help="comma-separated, as awsscan --services")
    parser.add_argument("--save", type=Path, default=None, help="also keep inventory.json at this path")
    args = parser.parse_args(argv)

    from scanner.collectors import load_all
    from scanner.lanes import Lanes
    from scanner.runner import DEFAULT_WORKERS, scan
    from scanner.session import identify, make_session

    colls = load_all()
    excluded = []
    if args.services:
        from scanner.selection import select

        chosen = select(colls, [args.services], None)
        colls, excluded = chosen.run, chosen.excluded
    started = time.monotonic()
    session = make_session(None, args.region[0])
    identity, regions, _alias = identify(session, args.region)  # as awsscan does
    lanes = Lanes(session, max_rate=args.max_rate)
    inv = scan(session, identity, regions, workers=args.workers or DEFAULT_WORKERS, collectors=colls,
               excluded=excluded, lanes=lanes)
    with tempfile.TemporaryDirectory() as tmp:
        inv.save(args.save or Path(tmp) / "inventory.json")
    wall = time.monotonic() - started
    runs = inv.meta.get("runs", [])
    timing = inv.meta.get("timing", {})
    slowest = max(timing.items(), key=lambda kv: kv[1], default=("-", 0.0))
    kinds = inv.kind_counts()
    out = {
        "wall_s": round(wall, 2),
        "resources": sum(kinds.values()),
        "instances": kinds.get("ec2:instance", 0),
        "runs": len(runs),
        "calls": sum(int(r.get("calls") or 0) for r in runs),
        "statuses": _count(r.get("status") for r in runs),
        "slowest_run": {"run": slowest[0], "seconds": slowest[1]},
        "lanes": [s.as_dict() for s in lanes.stats()],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu_s": round(time.process_time(), 2),
    }
    json.dump(out, sys.stdout)
    return 0


def _count(values: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:  # type: ignore[attr-defined]
        counts[str(v)] = counts.get(str(v), 0) + 1
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    raise SystemExit(main())

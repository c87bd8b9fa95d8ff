"""Benchmark: awsscan beside a peer (ScoutSuite) on the same moto server, through the same latency proxy.

Issue 16 asks that awsscan, restricted to the peer's services (``--services``), finish in
half the peer's time or less at 100 ms per request. This runs both on one account: a moto
server (127.0.0.1) loaded as bench/scan.py loads it, one unmeasured awsscan scan of every
service to warm moto's backends, then ScoutSuite and awsscan one after the other, each in a
process of its own, both pointed at bench/proxy.py (``--latency``, 100 ms by default) through
AWS_ENDPOINT_URL with fake credentials, AWS_EC2_METADATA_DISABLED=true and no AWS config
files, so neither can reach real AWS. Prints wall time, CPU, moto's CPU, requests the proxy
saw, peak RSS and the EC2 instances each found (both read the same account), then the ratio.

The peer is not a dependency of awsscan. Install it in a venv of its own, outside the
repository, and point ``--scout`` (or AWSSCAN_PEER_SCOUT) at its ``scout`` script::

    python3 -m venv ../peers/scout && ../peers/scout/bin/pip install scoutsuite

Without it the peer row is skipped with a message and awsscan's row is still measured.

One harness fix is made for the peer only, in its own process (a sitecustomize on its
PYTHONPATH, written to a temporary directory): moto ignores DescribeRegions' ``opt-in-status``
filter and lists every region, which ScoutSuite reads as "no region is opted in" and so
scans no regional service at all; the fix applies the filter to moto's answer, as AWS would.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.proxy import LatencyProxy  # noqa: E402
from bench.scan import ALL_REGIONS, Row, bench_size, child_env, cpu_seconds, load, moto_server, run_row  # noqa: E402

#: the peer's services (``scout aws --services``) and awsscan's equivalent (``--services``);
#: ScoutSuite's "vpc" is part of awsscan's "ec2", its "awslambda" is boto3's "lambda"
SCOUT_SERVICES = ("ec2", "vpc", "s3", "iam", "rds", "elb", "elbv2", "awslambda", "kms")
AWSSCAN_SERVICES = "ec2,s3,iam,rds,elb,elbv2,lambda,kms"

#: imported by the peer's Python at start-up (PYTHONPATH): moto answers DescribeRegions with every
#: region whatever its opt-in-status filter says; apply the filter to the answer, as AWS does
PEER_SITECUSTOMIZE = '''"""bench/peer.py: apply DescribeRegions' opt-in-status filter, which moto ignores."""
import botocore.session


def _stash(params=None, context=None, **_):
    if isinstance(context, dict) and isinstance(params, dict):
        context["bench_opt_in"] = [v for f in params.get("Filters") or [] if f.get("Name") == "opt-in-status"
                                   for v in f.get("Values") or []]


def _apply(parsed=None, context=None, **_):
    wanted = (context or {}).get("bench_opt_in")
    if wanted and isinstance(parsed, dict) and "Regions" in parsed:
        parsed["Regions"] = [r for r in parsed["Regions"] if r.get("OptInStatus") in wanted]


_init = botocore.session.Session.__init__


def _session_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.register("before-parameter-build.ec2.DescribeRegions", _stash, unique_id="bench-opt-in-stash")
    self.register("after-call.ec2.DescribeRegions", _apply, unique_id="bench-opt-in-apply")


botocore.session.Session.__init__ = _session_init
'''


def find_scout(given: str | None) -> Path | None:
    """The peer's ``scout`` script: --scout, AWSSCAN_PEER_SCOUT, ../peers/scout/bin/scout, or on PATH."""
    for cand in (given, os.environ.get("AWSSCAN_PEER_SCOUT"), str(ROOT.parent / "peers" / "scout" / "bin" / "scout"),
                 shutil.which("scout")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return Path(cand)
    return None


def scout_version(scout: Path) -> str:
    """ScoutSuite's version, from the venv the script belongs to (``scout --version`` needs credentials)."""
    python = scout.parent / "python"
    try:
        out = subprocess.run([str(python), "-c", "from ScoutSuite import __version__; print(__version__)"],
                             capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.stdout.strip() or "?"


def _instances_in_scout_results(report: Path) -> int | None:
    """EC2 instances in ScoutSuite's results file (``scoutsuite_results = {json}``)."""
    files = sorted(report.glob("scoutsuite-results/scoutsuite_results_aws-*.js"))
    if not files:
        return None
    text = files[0].read_text()
    try:
        data = json.loads(text[text.index("{"):])
    except ValueError:
        return None
    regions = (((data.get("services") or {}).get("ec2") or {}).get("regions") or {})
    return sum(len(vpc.get("instances") or {}) for reg in regions.values()
               for vpc in (reg.get("vpcs") or {}).values())


def run_scout(scout: Path, endpoint: str, regions: tuple[str, ...], tmp: Path) -> dict[str, Any]:
    """One ScoutSuite run in its own process: wall, CPU and peak RSS of that process (os.wait4)."""
    site = tmp / "peer-site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(PEER_SITECUSTOMIZE)
    report = tmp / "scout-report"
    env = child_env(endpoint, tmp)
    env.pop("PYTHONPATH", None)
    env.update({"PYTHONPATH": str(site), "HOME": str(tmp)})
    cmd = [str(scout), "aws", "--no-browser", "--force", "--report-dir", str(report),
           "--services", *SCOUT_SERVICES, "--regions", *regions]
    log = tmp / "scout.log"
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=tmp)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    text = log.read_text(errors="replace")
    # ScoutSuite exits 200 when it met errors it handled (an API moto lacks): it still ran
    if proc.returncode not in (0, 200):
        raise RuntimeError(f"ScoutSuite failed (exit {proc.returncode}): {text[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "instances": _instances_in_scout_results(report), "errors": text.count(" ERROR "),
            "exit": proc.returncode}


def table(rows: list[tuple[str, dict[str, Any] | None, int | None, float | None]]) -> str:
    head = ("scan", "wall s", "CPU s", "moto CPU s", "requests", "peak RSS MB", "EC2 instances found")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for label, res, requests, moto in rows:
        if res is None:
            lines.append(f"| {label} | " + " | ".join("-" for _ in head[1:]) + " |")
            continue
        lines.append(f"| {label} | {res['wall_s']:.1f} | {res['cpu_s']:.1f} | "
                     f"{'-' if moto is None else f'{moto:.1f}'} | {requests if requests is not None else '-'} | "
                     f"{res['peak_rss_mb']:.0f} | {res.get('instances') if res.get('instances') is not None else '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scout", default=None, help="the peer's scout script (default: AWSSCAN_PEER_SCOUT, "
                                                      "../peers/scout/bin/scout, or scout on PATH)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the proxy adds per request")
    parser.add_argument("--regions", type=int, default=2, help="regions both tools scan")
    parser.add_argument("--vpcs", type=int, default=9)
    parser.add_argument("--workers-per-subnet", type=int, default=15, help="worker instances per app subnet")
    parser.add_argument("--asg", type=int, default=9, help="instances per Auto Scaling group")
    parser.add_argument("--quick", action="store_true", help="a small account, for development")
    args = parser.parse_args(argv)
    if args.quick:
        args.vpcs, args.workers_per_subnet, args.asg = 2, 2, 2

    scout = find_scout(args.scout)
    if scout is None:
        print("  peer skipped: ScoutSuite is not installed. Install it outside the repository, e.g.\n"
              "    python3 -m venv ../peers/scout && ../peers/scout/bin/pip install scoutsuite\n"
              "  then run again (or pass --scout PATH / set AWSSCAN_PEER_SCOUT).", flush=True)
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")
    regions = ALL_REGIONS[:max(1, args.regions)]
    ms = f"+{args.latency * 1000:.0f} ms"
    rows: list[tuple[str, dict[str, Any] | None, int | None, float | None]] = []
    with tempfile.TemporaryDirectory() as tmpdir, moto_server() as (url, pid):
        tmp = Path(tmpdir)
        built = load(url, bench_size(args.vpcs, args.workers_per_subnet, args.asg), True)
        print(f"  account built in moto in {built:.0f} s", flush=True)
        with LatencyProxy(url, args.latency) as proxy:
            run_row(Row("warm-up", False, regions), url, proxy, tmp, pid)  # moto loads its backends once
            print("  warmed up moto", flush=True)
            peer_label = f"ScoutSuite {scout_version(scout) if scout else ''} --services {' '.join(SCOUT_SERVICES)}, {ms}"
            if scout is not None:
                proxy.seen.reset()
                before = cpu_seconds(pid)
                peer = run_scout(scout, proxy.url, regions, tmp)
                after = cpu_seconds(pid)
                rows.append((peer_label, peer, proxy.seen.total,
                             None if before is None or after is None else after - before))
                print(f"  measured: ScoutSuite ({peer['errors']} errors it handled, exit {peer['exit']})", flush=True)
            else:
                rows.append((peer_label + " (not installed)", None, None, None))
            ours = run_row(Row(f"awsscan --services {AWSSCAN_SERVICES}, {ms}", True, regions,
                               services=AWSSCAN_SERVICES), url, proxy, tmp, pid)
            rows.append((ours.label, ours.result, ours.proxy_requests, ours.moto_cpu_s))
            print(f"  measured: {ours.label}", flush=True)
    print(f"\nPeer: the same account ({len(regions)} regions), proxy ({ms} per request) and machine\n")
    print(table(rows))
    peer_res, our_res = rows[0][1], rows[1][1]
    if peer_res is not None and our_res is not None:
        ratio = our_res["wall_s"] / max(peer_res["wall_s"], 1e-9)
        print(f"\nawsscan vs ScoutSuite on the same services at {ms}: {ratio:.2f}x its time "
              f"(issue 16 asks for 0.5x or less)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

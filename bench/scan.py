"""Benchmark: a whole scan against a moto server, through a latency proxy and directly (``make bench``).

A moto server (127.0.0.1) is loaded with the large fixture's account (fixtures/large.py
``build_moto``: VPCs, subnets, security groups, worker instances and Auto Scaling groups;
about 490 instances in 9 VPCs by default) and, unless ``--no-sample``, the sample account's
other services (fixtures/sample), so the per-resource collectors have something to read.
Each row is one scan in a process of its own (bench/scan_child.py) pointed at the server
through AWS_ENDPOINT_URL, either straight or through bench/proxy.py, which adds
``--latency`` seconds (100 ms by default) to every request as a real AWS round trip would.

Rows: the scan as shipped (lanes, default workers) through the proxy and directly; the
same account scanned in ``--many-regions`` regions (many more calls, same resources: peak
RSS must not follow the calls); and ``--workers 1`` through the proxy, the sequential floor
(one request at a time: no lane and no collector's fan-out goes wider than ``--workers``). For each: wall time, requests, lanes, the critical path (the lane
whose first request to last answer took longest), peak RSS. Then the requests per lane of
the first row. The last two rows repeat the first and the sequential floor with every answer
replayed by the proxy from its recording of the warm-up scan (bench/proxy.py): moto, one
Python process on the same two cores, then costs the scan nothing, as AWS's servers do, so
those rows measure the scanner alone. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.proxy import LatencyProxy

ROOT = Path(__file__).resolve().parent.parent
ALL_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2",
               "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
               "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1")
SAMPLE_PARTS = ("network", "identity", "storage", "compute", "loadbalancing", "database")  # as tests/test_server_mode.py: built over HTTP


@dataclass
class Row:
    label: str
    proxy: bool
    regions: tuple[str, ...]
    workers: int | None = None
    max_rate: float | None = None
    services: str | None = None
    result: dict[str, Any] | None = None
    proxy_requests: int | None = None
    moto_cpu_s: float | None = None
    replay: bool = False  # answers from the proxy's recording (bench/proxy.py), not from moto
    misses: int | None = None


def bench_size(vpcs: int, workers: int, asg: int) -> Any:
    from fixtures.large import Size

    return Size(regions=("us-east-1",), vpcs_per_region=vpcs, azs=3, asg_size=asg, workers=workers, bastions=0,
                extra_sgs=0, buckets=0, pipelines=0)


@contextmanager
def moto_server() -> Iterator[tuple[str, int]]:
    """``python -m moto.server`` on 127.0.0.1 (as tests/support/servers.py), with its pid."""
    from tests.support.servers import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds a process has used (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def env(**values: str) -> Any:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load(url: str, size: Any, sample: bool) -> float:
    """Build the account in the moto server at ``url`` over HTTP, as a real account is."""
    from fixtures.large import build_moto

    started = time.monotonic()
    with env(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
             AWS_DEFAULT_REGION="us-east-1"):
        build_moto(size)
        if sample:
            from fixtures.sample import build_sample

            build_sample(parts=SAMPLE_PARTS)
    return time.monotonic() - started


def child_env(endpoint: str, tmp: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    out.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint,
                "AWS_CONFIG_FILE": str(tmp / "no-config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-credentials"),
                "PYTHONPATH": str(ROOT)})
    return out


def run_row(row: Row, moto_url: str, proxy: LatencyProxy, tmp: Path, moto_pid: int | None = None) -> Row:
    cmd = [sys.executable, "-m", "bench.scan_child"]
    for r in row.regions:
        cmd += ["--region", r]
    if row.workers:
        cmd += ["--workers", str(row.workers)]
    if row.max_rate:
        cmd += ["--max-rate", str(row.max_rate)]
    if row.services:
        cmd += ["--services", row.services]
    proxy.seen.reset()
    proxy.replay, proxy.misses = row.replay, 0
    before = cpu_seconds(moto_pid) if moto_pid else None
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600,
                          env=child_env(proxy.url if row.proxy else moto_url, tmp), stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"{row.label}: scan failed: {proc.stderr[-2000:]}")
    row.result = json.loads(proc.stdout)
    row.proxy_requests = proxy.seen.total if row.proxy else None
    row.misses = proxy.misses if row.replay else None
    proxy.replay = False
    after = cpu_seconds(moto_pid) if moto_pid else None
    row.moto_cpu_s = None if before is None or after is None else after - before
    return row


def critical(result: dict[str, Any]) -> dict[str, Any]:
    return max(result["lanes"], key=lambda lane: lane["span_s"], default={"lane": "-", "span_s": 0.0})


def table(rows: list[Row]) -> str:
    head = ("scan", "wall s", "CPU s", "moto CPU s", "requests", "lanes", "critical path (slowest lane)",
            "throttled", "peak RSS MB", "resources")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        res = r.result or {}
        lanes = res.get("lanes", [])
        requests = sum(lane["requests"] for lane in lanes)
        crit = critical(res)
        moto = "-" if r.moto_cpu_s is None else f"{r.moto_cpu_s:.1f}"
        cells = (r.label, f"{res.get('wall_s', 0):.1f}", f"{res.get('cpu_s', 0):.1f}", moto, f"{requests}", f"{len(lanes)}",
                 f"{crit['lane']} {crit['span_s']:.1f} s", f"{sum(lane['throttled'] for lane in lanes)}",
                 f"{res.get('peak_rss_mb', 0):.0f}", f"{res.get('resources', 0)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def lane_table(row: Row, top: int) -> str:
    lanes = sorted((row.result or {}).get("lanes", []), key=lambda lane: (-lane["span_s"], lane["lane"]))
    lines = [f"Requests per lane ({row.label}; slowest first):", "",
             "| lane | requests | runs | retries | gave up | first request to last answer s |",
             "|---|---|---|---|---|---|"]
    for lane in lanes[:top]:
        lines.append(f"| {lane['lane']} | {lane['requests']} | {lane['runs']} | {lane['retries']} | "
                     f"{lane['gave_up']} | {lane['span_s']:.2f} |")
    if len(lanes) > top:
        rest = lanes[top:]
        lines.append(f"| ({len(rest)} more lanes) | {sum(x['requests'] for x in rest)} | "
                     f"{sum(x['runs'] for x in rest)} | {sum(x['retries'] for x in rest)} | "
                     f"{sum(x['gave_up'] for x in rest)} | <= {rest[0]['span_s']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the proxy adds per request")
    parser.add_argument("--vpcs", type=int, default=9)
    parser.add_argument("--workers-per-subnet", type=int, default=15, help="worker instances per app subnet")
    parser.add_argument("--asg", type=int, default=9, help="instances per Auto Scaling group")
    parser.add_argument("--regions", type=int, default=2, help="regions scanned in the main rows")
    parser.add_argument("--many-regions", type=int, default=17, help="regions of the 'many regions' row (0: skip)")
    parser.add_argument("--no-sample", action="store_true", help="only the large fixture's EC2 account")
    parser.add_argument("--no-sequential", action="store_true", help="skip the --workers 1 row (the slowest)")
    parser.add_argument("--services", default=None, help="also a row restricted to these services (as --services)")
    parser.add_argument("--no-replay", action="store_true",
                        help="skip the rows answered from the proxy's recording instead of by moto")
    parser.add_argument("--quick", action="store_true", help="a small account and fewer rows, for development")
    args = parser.parse_args(argv)
    if args.quick:
        args.vpcs, args.workers_per_subnet, args.asg, args.many_regions = 2, 2, 2, 0
        args.no_sample = True

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")
    regions = ALL_REGIONS[:max(1, args.regions)]
    rows = [Row(f"lanes, {len(regions)} regions, +{args.latency * 1000:.0f} ms", True, regions),
            Row(f"lanes, {len(regions)} regions, direct", False, regions)]
    if args.services:
        rows.append(Row(f"--services {args.services}, +{args.latency * 1000:.0f} ms", True, regions,
                        services=args.services))
    if args.many_regions:
        many = ALL_REGIONS[:args.many_regions]
        rows.append(Row(f"lanes, {len(many)} regions, +{args.latency * 1000:.0f} ms", True, many))
    if not args.no_sequential:
        rows.append(Row(f"--workers 1, {len(regions)} regions, +{args.latency * 1000:.0f} ms", True, regions,
                        workers=1))
    if not args.no_replay:
        rows.append(Row(f"lanes, {len(regions)} regions, +{args.latency * 1000:.0f} ms, replayed", True, regions,
                        replay=True))
        if not args.no_sequential:
            rows.append(Row(f"--workers 1, {len(regions)} regions, +{args.latency * 1000:.0f} ms, replayed", True,
                            regions, workers=1, replay=True))
    import tempfile

    with tempfile.TemporaryDirectory() as tmpdir, moto_server() as (url, pid):
        tmp = Path(tmpdir)
        size = bench_size(args.vpcs, args.workers_per_subnet, args.asg)
        built = load(url, size, not args.no_sample)
        instances = args.vpcs * (size.azs * size.workers + size.asg_size)
        print(f"  account built in moto in {built:.0f} s: {args.vpcs} VPCs, {instances} instances"
              f"{'' if args.no_sample else ' + the sample account (' + ', '.join(SAMPLE_PARTS) + ')'}", flush=True)
        with LatencyProxy(url, args.latency) as proxy:
            # moto loads a service's backend on its first request (seconds each, on one core):
            # one unmeasured scan of every region first, so no row pays for it; it goes through
            # the proxy without latency, which records every answer for the replayed rows
            warm = max((r.regions for r in rows), key=len)
            proxy.latency, proxy.record = 0.0, True
            run_row(Row("warm-up", True, warm), url, proxy, tmp, pid)
            proxy.latency, proxy.record = args.latency, False
            print(f"  warmed up moto ({len(warm)} regions)", flush=True)
            for row in rows:
                run_row(row, url, proxy, tmp, pid)
                print(f"  measured: {row.label}", flush=True)
    print("\nScan: wall time, requests and the critical path (one scan per row, its own process)\n")
    print(table(rows))
    print()
    print(lane_table(rows[0], 15))
    print()
    for replay in (False, True):
        lanes = next((r for r in rows if r.proxy and r.replay == replay and not r.workers and not r.services
                      and r.regions == regions), None)
        seq = next((r for r in rows if r.workers == 1 and r.replay == replay), None)
        if lanes is not None and seq is not None and lanes.result and seq.result:
            ratio = lanes.result["wall_s"] / max(seq.result["wall_s"], 1e-9)
            server = "answers replayed by the proxy" if replay else "moto answering"
            print(f"lanes vs sequential floor at +{args.latency * 1000:.0f} ms, {server}: {ratio:.2f}x its time")
    missed = [r for r in rows if r.replay and r.misses]
    for r in missed:
        print(f"  ({r.label}: {r.misses} requests were not in the recording and went to moto)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

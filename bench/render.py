"""Benchmark: rendering at scale, from a snapshot as ``awsscan render`` does (``make bench``).

Accounts: the large fixture's presets (fixtures/large.py ``build_inventory``; ``huge`` is
about 7,900 resources), ``huge`` with four times its regions (4x the resources), and a
synthetic account of many S3 buckets (25,000 and 100,000), the shape that made rendering
quadratic (every bucket is a data store judged against every backup plan). Each is saved as
inventory.json and rendered in a process of its own (so peak RSS is honest), stage by stage:
load (parse, check, judge), analyze, diagrams (DOT), dot (Graphviz SVG of every diagram, when
installed and asked for), document (Markdown), HTML, each as wall time and (in the JSON, and
in total) this process's CPU time, which a machine shared with other jobs disturbs less.
Not a test: it prints figures.

The targets (issue 16): the large fixture in under 10 s and 500 MB, 4x the resources in
under 5x the time.
"""

from __future__ import annotations

import argparse
import json
import resource
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

ACCOUNT = "123456789012"
BUCKET_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
STAGES = ("load", "analyze", "diagrams", "dot", "document", "html")


def bucket_account(n: int) -> Any:
    """An account of ``n`` S3 buckets over four regions, a KMS key and three backup plans per
    region (one selecting by tag, one by explicit ARNs, one by ARN pattern), judged."""
    from scanner import judge
    from scanner.context import ScanContext, account_id_node
    from scanner.inventory import Inventory, Records

    batches = []
    acct = Records("global", ACCOUNT)
    acct.node(account_id_node(ACCOUNT), "aws:account", "buckets", account_id=ACCOUNT, alias="buckets",
              partition="aws")
    acct.node("internet", "internet", "Internet")
    batches.append(acct)
    runs = []
    for r_index, region in enumerate(BUCKET_REGIONS):
        ctx = ScanContext(None, region, ACCOUNT)
        out = ctx.records()
        out.node(ctx.region_node, "aws:region", region, enabled=True)
        out.edge(account_id_node(ACCOUNT), ctx.region_node, "contains")
        key = ctx.kms_key_arn(f"key-{r_index:04d}")
        out.node(key, "kms:key", f"data-key-{region}", key_id=f"key-{r_index:04d}", manager="CUSTOMER",
                 rotation_enabled=True, state="Enabled")
        names = [f"bucket-{r_index}-{i:06d}" for i in range(r_index, n, len(BUCKET_REGIONS))]
        for i, name in enumerate(names):
            arn = f"arn:aws:s3:::{name}"
            tags = {"Team": f"team-{i % 40}", "Backup": "daily" if i % 3 == 0 else "none"}
            out.node(arn, "s3:bucket", name, region=region, tags=tags, name=name, versioning="Enabled" if i % 2 else
                     "Suspended", encryption="aws:kms" if i % 4 else "AES256", kms_key=key if i % 4 else None,
                     policy_public=(i % 997 == 0), acl_public=False, tls_only=bool(i % 5), logging_target=None,
                     lifecycle_rules=[], replication=None, object_lock=False, size_bytes=float(i * 1024),
                     website=False, mfa_delete=False, public_access_block=None, account_public_access_block=None)
            out.edge(ctx.region_node, arn, "contains")
            if i % 4:
                out.edge(arn, key, "encrypted_by")
        explicit = [f"arn:aws:s3:::{name}" for name in names[:200]]
        plans = [("by-tag", {"tag_conditions": [{"key": "Backup", "value": "daily", "type": "STRINGEQUALS"}]}),
                 ("by-arn", {"resources": explicit}),
                 ("by-pattern", {"patterns": [f"arn:aws:s3:::bucket-{r_index}-0000*"]})]
        for pname, sel in plans:
            plan = out.node(ctx.arn("backup", f"backup-plan:{pname}-{region}"), "backup:plan", f"{pname}-{region}",
                            name=f"{pname}-{region}", plan_id=f"{pname}-{region}",
                            rules=[{"name": "daily", "schedule": "cron(0 3 * * ? *)", "retention_days": 35,
                                    "vault": "Default"}],
                            selections=[{"name": pname, "role": None, "excluded": [], "resources": [],
                                         "patterns": [], "tag_conditions": [], **sel}])
            out.edge(ctx.region_node, plan, "contains")
        batches.append(out)
        runs += [{"collector": c, "service": c.split(".")[0], "region": region, "status": "ok"}
                 for c in ("s3.buckets", "backup.plans", "kms.keys")]
    inv = Inventory(meta={"regions": list(BUCKET_REGIONS), "account": ACCOUNT, "name": f"{n} buckets"})
    inv.merge(batches)
    inv.meta["runs"] = runs
    judge.run(inv)
    return inv


def build(name: str) -> Any:
    from fixtures.large import PRESETS, build_inventory

    if name.endswith("buckets"):
        return bucket_account(int(name.split()[0].replace(",", "")))
    if name == "huge x4":
        from dataclasses import replace

        huge = PRESETS["huge"]
        more = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1",
                "sa-east-1", "ca-central-1", "eu-north-1", "ap-south-1", "us-east-2", "eu-west-2")
        return build_inventory(replace(huge, regions=more[:4 * len(huge.regions)]))[0]
    return build_inventory(name)[0]


def child(snapshot: str, dot: bool) -> dict[str, Any]:
    """Render one snapshot stage by stage; seconds per stage and the peak RSS."""
    from renderers.diagrams import build as build_diagrams
    from renderers.document import render_document
    from renderers.html import render_html
    from scanner import inventory
    from scanner.analysis import analyze
    from scanner.inventory import Inventory

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t, c = time.perf_counter(), time.process_time()

    def lap(stage: str) -> None:
        nonlocal t, c
        now, now_c = time.perf_counter(), time.process_time()
        times[stage] = round(now - t, 2)
        cpu[stage] = round(now_c - c, 2)  # this process's CPU: steadier than wall time on a shared machine
        t, c = now, now_c

    inv = Inventory.load(snapshot)
    lap("load")
    analysis = analyze(inv, {})
    lap("analyze")
    diagrams = build_diagrams(inv, analysis)
    lap("diagrams")
    folder = Path(tempfile.mkdtemp(prefix="awsscan-bench-"))
    if dot and shutil.which("dot"):
        from renderers.diagrams.render import render_many

        for d, out in zip(diagrams, render_many(diagrams, ("svg",)), strict=True):  # as the report does
            (folder / f"{d.filename}.svg").write_bytes(out["svg"].stdout)
        lap("dot")
    builds = inventory.INDEX_BUILDS[0]
    text = render_document(inv, analysis, diagrams)
    lap("document")
    render_html(text, folder, None)
    lap("html")
    shutil.rmtree(folder, ignore_errors=True)
    return {"resources": sum(inv.kind_counts().values()), "edges": inv.graph.number_of_edges(), "times": times,
            "cpu": cpu, "total_s": round(sum(times.values()), 2), "total_cpu_s": round(sum(cpu.values()), 2), "index_builds_in_document": inventory.INDEX_BUILDS[0] - builds,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    head = ("account", "resources", *(f"{s} s" for s in STAGES), "total s", "total CPU s", "peak RSS MB")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for name, r in rows:
        cells = [name, f"{r['resources']:,}", *(f"{r['times'][s]:.2f}" if s in r["times"] else "-" for s in STAGES),
                 f"{r['total_s']:.1f}", f"{r.get('total_cpu_s', 0):.1f}", f"{r['peak_rss_mb']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: 100,000 buckets is one --accounts away ("100,000 buckets"): it renders completely (about 4x the
#: CPU of 25,000 buckets per stage) but takes a few minutes and over 1 GB, too long for every make bench
DEFAULT_ACCOUNTS = ("large", "huge", "huge x4", "25,000 buckets")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", nargs="*", default=list(DEFAULT_ACCOUNTS),
                        help="fixture presets (tiny ... huge), 'huge x4', or 'N buckets'")
    parser.add_argument("--no-dot", action="store_true", help="do not time Graphviz")
    parser.add_argument("--child", metavar="SNAPSHOT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        json.dump(child(args.child, not args.no_dot), sys.stdout)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.accounts:
            snap = Path(tmp) / "inventory.json"
            build(name).save(snap)
            cmd = [sys.executable, "-m", "bench.render", "--child", str(snap)] + (["--no-dot"] if args.no_dot else [])
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
            if proc.returncode != 0:
                raise RuntimeError(f"rendering {name} failed: {proc.stderr[-2000:]}")
            rows.append((name, json.loads(proc.stdout)))
            print(f"  rendered {name}", flush=True)
    print("\nRendering from a snapshot, by stage (each account in its own process)\n")
    print(table(rows))
    base = dict(rows).get("huge")
    four = dict(rows).get("huge x4")
    if base and four:
        print(f"\n4x the resources ({four['resources']:,} vs {base['resources']:,}): "
              f"{four['total_s'] / max(base['total_s'], 1e-9):.2f}x the time, "
              f"{four['total_cpu_s'] / max(base['total_cpu_s'], 1e-9):.2f}x the CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fan collectors out over regions in a thread pool and merge their records.

Collectors run in parallel and only return records; the graph is built here,
in one thread, after they finish. Every run is recorded with its status, API
call count and seconds, and a failing collector never stops the scan.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions as bexc

from scanner import __version__, derive
from scanner.collectors import Collector, load_all
from scanner.context import (
    DENIED_CODES,
    UNAVAILABLE_CODES,
    ScanContext,
    account_id_node,
    denied_reason,
    error_message,
    iam_action,
    region_id_node,
)
from scanner.inventory import Inventory, Records
from scanner.session import Identity

DEFAULT_WORKERS = 8
REGION_DISABLED_CODES = frozenset({"AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId"})

STATUS_OK = "ok"
STATUS_DENIED = "denied"
STATUS_UNAVAILABLE = "unavailable"
STATUS_REGION_DISABLED = "region_disabled"
STATUS_FAILED = "failed"


@dataclass
class RunResult:
    collector: str
    service: str
    region: str
    status: str
    calls: int
    seconds: float
    records: Records | None = None
    action: str = ""
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def meta(self) -> dict[str, Any]:
        out = {"collector": self.collector, "service": self.service, "region": self.region,
               "status": self.status, "calls": self.calls}
        if self.action:
            out["action"] = self.action
        if self.message:
            out["message"] = self.message
        return out


ProgressFn = Callable[[str, Any], None]


def plan(collectors: Sequence[Collector], regions: Sequence[str], home: str) -> list[tuple[Collector, str]]:
    jobs: list[tuple[Collector, str]] = []
    for c in collectors:
        if c.scope == "global":
            jobs.append((c, home))
        else:
            jobs.extend((c, r) for r in regions)
    return jobs


def run_one(coll: Collector, ctx: ScanContext) -> RunResult:
    """Run one collector and classify how it ended."""
    start = time.monotonic()
    status, action, message, records = STATUS_OK, "", "", None
    try:
        records = coll.fn(ctx)
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        op = exc.operation_name or ""
        if code in DENIED_CODES:
            status, action, message = STATUS_DENIED, iam_action(coll.service, op), denied_reason(exc)
        elif code in UNAVAILABLE_CODES:
            status, message = STATUS_UNAVAILABLE, f"{code}: not offered or not subscribed here"
        elif code == "404" and "not yet implemented" in error_message(exc).lower():  # moto: service absent
            status, message = STATUS_UNAVAILABLE, "not implemented by this endpoint"
        elif code in REGION_DISABLED_CODES and ctx.region != ctx.home_region:
            status, message = STATUS_REGION_DISABLED, f"{code}: region not enabled for this account"
        else:
            status, action, message = STATUS_FAILED, iam_action(coll.service, op), f"{code}: {error_message(exc)}"
    except bexc.EndpointConnectionError as exc:
        status, message = STATUS_UNAVAILABLE, f"no endpoint: {exc}"
    except bexc.UnknownServiceError as exc:
        status, message = STATUS_UNAVAILABLE, f"service not known to this botocore: {exc}"
    except NotImplementedError as exc:  # an emulator (moto) without this API; real AWS never raises it
        status, message = STATUS_UNAVAILABLE, f"not implemented by this endpoint: {str(exc)[:200]}"
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a collector bug or an unexpected API shape must not stop the scan
        status, message = STATUS_FAILED, f"{type(exc).__name__}: {str(exc)[:300]}"
    return RunResult(collector=coll.name, service=coll.service, region=ctx.region, status=status,
                     calls=ctx.calls, seconds=round(time.monotonic() - start, 3), records=records,
                     action=action, message=message)


def scan(session: Any, identity: Identity, regions: Sequence[str], *, name: str | None = None,
         alias: str | None = None, workers: int = DEFAULT_WORKERS,
         collectors: Sequence[Collector] | None = None, progress: ProgressFn | None = None) -> Inventory:
    """Scan the account into an Inventory. Ctrl-C returns what was collected, marked partial."""
    colls = list(collectors) if collectors is not None else load_all()
    home = regions[0] if regions else "us-east-1"
    if "us-east-1" in regions:
        home = "us-east-1"
    jobs = plan(colls, regions, home)
    started = datetime.now(UTC)
    meta: dict[str, Any] = {
        "tool": "awsscan", "tool_version": __version__, "account": identity.account,
        "caller_arn": identity.arn, "partition": identity.partition, "alias": alias,
        "name": name or alias or identity.account, "regions": list(regions), "home_region": home,
        "scanned_at": started.isoformat(timespec="seconds"), "partial": False,
    }
    if progress:
        progress("start", len(jobs))
    results: list[RunResult] = []
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="awsscan")
    futures: dict[Future[RunResult], tuple[Collector, str]] = {}
    try:
        for coll, region in jobs:
            ctx = ScanContext(session, region, identity.account, identity.partition, coll.service,
                              home_region=home, regions=tuple(regions))
            futures[pool.submit(run_one, coll, ctx)] = (coll, region)
            if progress:
                progress("queued", (coll, region))
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                results.append(res)
                if progress:
                    progress("done", res)
    except KeyboardInterrupt:
        meta["partial"] = True
        meta["interrupted"] = "scan interrupted (Ctrl-C): only the collectors that finished are included"
        for fut in futures:
            fut.cancel()
        for fut in futures:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                res = fut.result()
                if res not in results:
                    results.append(res)
    finally:
        pool.shutdown(wait=not meta["partial"], cancel_futures=True)
    meta["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return build_inventory(meta, results, identity)


def build_inventory(meta: dict[str, Any], results: list[RunResult], identity: Identity) -> Inventory:
    inv = Inventory(meta=meta)
    acct = account_id_node(identity.account)
    base = Records(account=identity.account)
    base.node(acct, "aws:account", meta.get("alias") or identity.account, account_id=identity.account,
              alias=meta.get("alias"), partition=identity.partition)
    for r in meta.get("regions", []):
        rid = base.node(region_id_node(identity.account, r), "aws:region", r, region=r, enabled=True)
        base.edge(acct, rid, "contains")
    base.node("internet", "internet", "Internet")
    batches = [base] + [r.records for r in sorted(results, key=lambda x: (x.collector, x.region))
                        if r.records is not None]
    inv.merge(batches)
    derive.run(inv)
    inv.meta["runs"] = [r.meta() for r in sorted(results, key=lambda x: (x.collector, x.region))]
    inv.meta["timing"] = {f"{r.collector}@{r.region}": r.seconds for r in sorted(results, key=lambda x: (x.collector, x.region))}
    return inv

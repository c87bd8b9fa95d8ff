"""Run collectors over regions in lanes and merge their records.

Every (collector, region) run belongs to the lane of its (service, region)
(scanner/lanes.py). Runs are started round-robin over the lanes, at most
``workers`` at once and at most a lane's concurrency per lane, so every region and
service progresses at once and a slow or failing lane holds only its own places.
Collectors only return records; the graph is built here, in one thread, after they
finish. Every run is recorded with its status, API call count and seconds, and a
failing collector never stops the scan.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions as bexc
from botocore.parsers import ResponseParserError

from scanner import __version__, derive, status
from scanner.collectors import Collector, load_all
from scanner.context import (
    DENIED_CODES,
    UNAVAILABLE_CODES,
    ScanContext,
    _camel,
    account_id_node,
    denied_reason,
    error_message,
    iam_action,
    not_implemented,
    region_id_node,
)
from scanner.errors import CredentialsExpired
from scanner.gc_policy import fewer_passes
from scanner.inventory import Inventory, Records
from scanner.lanes import LaneClosed, Lanes
from scanner.session import CREDENTIAL_ERRORS, CredentialWatch, Identity, credential_failure

#: collector runs at once over every lane: the calls are network-bound (a 100 ms round trip
#: each), so many more than the CPU count, while each lane keeps to its own concurrency. A two-region
#: scan has some 200 runs in 113 lanes: 32 left one-run lanes waiting for a place behind runs that
#: only waited on the network; 128 starts nearly every lane at once (bench/scan.py: 7.5 s -> 7.1 s
#: at +100 ms; 256 was no faster), and a run waiting on the network costs a thread, not CPU
DEFAULT_WORKERS = 128
REGION_DISABLED_CODES = frozenset({"AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId"})

STATUS_OK = status.OK
STATUS_DENIED = status.DENIED
STATUS_UNAVAILABLE = status.UNAVAILABLE
STATUS_REGION_DISABLED = status.REGION_DISABLED
STATUS_FAILED = status.FAILED


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
        if self.status == status.EXCLUDED:  # what a left-out collector would have read
            out["actions"] = list(self.extra.get("actions") or ())
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
    except (CredentialsExpired, LaneClosed):
        raise  # stops the whole scan: every later call would fail the same way
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        op = exc.operation_name or ""
        expired = credential_failure(code, iam_action(coll.service, op), ctx.region, ctx.home_region)
        if expired is not None:  # a session without the CredentialWatch hook (tests, other callers)
            raise expired from None
        if code in DENIED_CODES:
            status, action, message = STATUS_DENIED, iam_action(coll.service, op), denied_reason(exc)
        elif code in UNAVAILABLE_CODES:
            status, message = STATUS_UNAVAILABLE, f"{code}: not offered or not subscribed here"
        elif not_implemented(exc):  # HTTP 501, moto's 404 "not yet implemented": the API is not there
            status, message = STATUS_UNAVAILABLE, "not implemented by this endpoint"
        elif code in REGION_DISABLED_CODES and ctx.region != ctx.home_region:
            status, message = STATUS_REGION_DISABLED, f"{code}: region not enabled for this account"
        else:
            status, action, message = STATUS_FAILED, iam_action(coll.service, op), f"{code}: {error_message(exc)}"
    except CREDENTIAL_ERRORS as exc:  # the SDK could not refresh the credentials (SSO token, role chain)
        raise CredentialsExpired(type(exc).__name__, coll.service, ctx.region, str(exc)[:200]) from None
    except bexc.EndpointConnectionError as exc:
        status, message = STATUS_UNAVAILABLE, f"no endpoint: {exc}"
    except bexc.UnknownServiceError as exc:
        status, message = STATUS_UNAVAILABLE, f"service not known to this botocore: {exc}"
    except NotImplementedError as exc:  # an emulator (moto) without this API; real AWS never raises it
        status, message = STATUS_UNAVAILABLE, f"not implemented by this endpoint: {str(exc)[:200]}"
    except KeyboardInterrupt:
        raise
    except ResponseParserError as exc:  # an answer that is not AWS's (a proxy's or emulator's page)
        last = getattr(ctx, "last_call", None)
        action = iam_action(last[0], _camel(last[1])) if last else ""
        html = any(m in str(exc).lower() for m in ("<!doctype", "<html"))
        status, message = STATUS_FAILED, ("the endpoint answered with an HTML error page, not an AWS answer"
                                          if html else "the endpoint's answer could not be parsed")
    except Exception as exc:  # a collector bug or an unexpected API shape must not stop the scan
        status, message = STATUS_FAILED, f"{type(exc).__name__}: {str(exc)[:300]}"
    return RunResult(collector=coll.name, service=coll.service, region=ctx.region, status=status,
                     calls=ctx.calls, seconds=round(time.monotonic() - start, 3), records=records,
                     action=action, message=message)


@fewer_passes()
def scan(session: Any, identity: Identity, regions: Sequence[str], *, name: str | None = None,
         alias: str | None = None, workers: int = DEFAULT_WORKERS,
         collectors: Sequence[Collector] | None = None, progress: ProgressFn | None = None,
         excluded: Sequence[Collector] = (), excluded_why: str = "excluded by choice",
         max_rate: float | None = None, lanes: Lanes | None = None) -> Inventory:
    """Scan the account into an Inventory.

    ``workers`` caps the collector runs at once, and every lane's and collector fan-out's
    requests at once (1: one request after another, the sequential floor);
    ``max_rate`` caps the requests per second of the whole scan (retries included). ``lanes``
    may be given to read their counters afterwards (the benchmark does).

    Ctrl-C (or SIGTERM, which the CLI turns into KeyboardInterrupt) and credentials that
    expire mid-scan both stop it at once: runs not started are dropped, requests waiting in a
    lane are woken and not sent, running collectors are not waited for, and what finished is
    returned marked ``partial``, with the reason in ``meta["interrupted"]`` (and
    ``meta["credentials_expired"]`` for an expiry).

    ``excluded`` collectors (left out with --services / --exclude-services) do not run; each
    of their planned runs is recorded as ``excluded`` with ``excluded_why``, so the document
    says what was not scanned by choice instead of "none found".
    """
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
    watch = CredentialWatch(home)
    watch.install(session)  # before the scan's clients are created: they copy the session's hooks
    workers = max(1, workers)
    lanes = lanes if lanes is not None else Lanes(session, max_rate=max_rate)
    # no lane, and no collector's fan-out, goes wider than the scan: --workers 1 is one request
    # after another, the sequential floor (set before the queue makes the lanes)
    lanes.concurrency_cap = min(lanes.concurrency_cap, workers)
    lanes.stop_check = lambda: watch.tripped.again() if watch.tripped is not None else None
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="awsscan")
    queue = LaneQueue(jobs, lanes)
    futures: dict[Future[RunResult], tuple[str, str]] = {}
    try:
        if progress:
            for job in jobs:
                progress("queued", job)
        running: set[Future[RunResult]] = set()
        while True:
            for coll, region in queue.take(workers - len(running)):
                ctx = ScanContext(session, region, identity.account, identity.partition, coll.service,
                                  home_region=home, regions=tuple(regions), lanes=lanes)
                fut = pool.submit(run_one, coll, ctx)
                futures[fut] = (coll.service, region)
                running.add(fut)
            if not running:
                break
            done, running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                queue.finished(*futures[fut])
                res = fut.result()
                results.append(res)
                if progress:
                    progress("done", res)
            if watch.tripped is not None:  # met inside a collector that carried on regardless
                raise watch.tripped.again()
    except KeyboardInterrupt:
        meta["partial"] = True
        meta["interrupted"] = "scan interrupted (Ctrl-C): only the collectors that finished are included"
        lanes.close()
        _keep_finished(futures, results)
    except CredentialsExpired as exc:
        first = watch.trip(exc)
        meta["partial"] = True
        meta["interrupted"] = f"scan stopped: {first}; only the collectors that finished before are included"
        meta["credentials_expired"] = first.as_meta()
        lanes.close()
        _keep_finished(futures, results)
    finally:
        # after a stop, running collectors (a stalled call) are not waited for
        pool.shutdown(wait=not meta["partial"], cancel_futures=True)
        lanes.close()
        watch.uninstall(session)
    meta["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results.extend(RunResult(collector=c.name, service=c.service, region=r, status=status.EXCLUDED, calls=0,
                             seconds=0.0, message=excluded_why, extra={"actions": c.actions})
                   for c, r in plan(excluded, regions, home))
    return build_inventory(meta, results, identity)


class LaneQueue:
    """The runs not started yet, by lane, handed out so the scan ends as early as it can.

    Every free worker goes to the lane with the most work left for its places (runs waiting
    divided by the lane's concurrency: the rounds it still needs), never beyond a lane's
    concurrency, so a lane with many runs (ec2 in each region) starts at once and keeps its
    places full while one-run lanes fill the rest; equal lanes take turns. Global collectors
    (IAM, S3: long per-resource reads) go before all: started last, they would end the scan.
    A lane that stalls holds only its own places, whatever its rank.

    The lanes that may start a run wait in a heap (a 17-region scan has some 900 lanes and
    1,500 runs): a lane is in it at most once, and its rank only changes when a run is taken
    from it, when it is out of the heap.
    """

    def __init__(self, jobs: Sequence[tuple[Collector, str]], lanes: Lanes) -> None:
        self.lanes = lanes
        self.waiting: dict[tuple[str, str], deque[tuple[Collector, str]]] = {}
        glob: set[tuple[str, str]] = set()
        for coll, region in jobs:
            key = (coll.service, region)
            self.waiting.setdefault(key, deque()).append((coll, region))
            if coll.scope == "global":
                glob.add(key)
        self.is_global = glob
        self.lane_of = {key: lanes.lane(*key) for key in self.waiting}
        self.running: dict[tuple[str, str], int] = dict.fromkeys(self.waiting, 0)
        # ties go in this order: one service after another, each in every region
        regions = {r: i for i, r in enumerate(dict.fromkeys(r for _, r in jobs))}
        order = {s: i for i, s in enumerate(dict.fromkeys(c.service for c, _ in jobs))}
        self._seq = itertools.count()
        self._heap: list[tuple[bool, float, bool, int, tuple[str, str]]] = []
        self._queued: set[tuple[str, str]] = set()
        for key in sorted(self.waiting, key=lambda k: (order[k[0]], regions[k[1]])):
            self._push(key)

    def _push(self, key: tuple[str, str]) -> None:
        """Queue a lane that has runs waiting and a free place. Ranked: global first, then the
        rounds left (runs waiting per place: the longest work first, as LPT scheduling does);
        of equal lanes, one already started first (its client exists: finishing it lets the
        client go before another lane makes one), then in turn."""
        lane = self.lane_of[key]
        if key in self._queued or key not in self.waiting or self.running[key] >= lane.concurrency:
            return
        rounds = len(self.waiting[key]) / lane.concurrency
        heapq.heappush(self._heap, (key not in self.is_global, -rounds, not lane.stats.runs, next(self._seq), key))
        self._queued.add(key)

    def take(self, room: int) -> list[tuple[Collector, str]]:
        """Up to ``room`` runs that may start now, most urgent lane first."""
        out: list[tuple[Collector, str]] = []
        while len(out) < room and self._heap:
            key = heapq.heappop(self._heap)[-1]
            self._queued.discard(key)
            out.append(self.waiting[key].popleft())
            self.running[key] += 1
            self.lane_of[key].stats.runs += 1
            if not self.waiting[key]:
                del self.waiting[key]
            else:
                self._push(key)  # behind the lanes of equal rank: they take turns
        return out

    def finished(self, service: str, region: str) -> None:
        key = (service, region)
        self.running[key] -= 1
        if key in self.waiting:
            self._push(key)
        elif not self.running[key]:
            self.lanes.release(service, region)

    def __len__(self) -> int:
        return sum(len(q) for q in self.waiting.values())


def _keep_finished(futures: dict[Future[RunResult], tuple[str, str]], results: list[RunResult]) -> None:
    """Cancel what has not started; keep every run that finished cleanly and is not kept yet."""
    for fut in futures:
        fut.cancel()
    kept = {id(r) for r in results}
    for fut in futures:
        if fut.done() and not fut.cancelled() and fut.exception() is None:
            res = fut.result()
            if id(res) not in kept:
                results.append(res)
                kept.add(id(res))


def _registry_of(results: list[RunResult]) -> list[Collector]:
    from scanner.collectors.registry import REGISTRY

    return [REGISTRY[r.collector] for r in results if r.collector in REGISTRY]


def build_inventory(meta: dict[str, Any], results: list[RunResult], identity: Identity) -> Inventory:
    inv = Inventory(meta=meta)
    # what this scan could know: the collectors that ran and what they read, so a snapshot is
    # later judged against its own scan, not against the registry of a newer awsscan
    ran = {r.collector for r in results}
    inv.meta["collectors"] = {c.name: {"service": c.service, "scope": c.scope, "reads": c.reads}
                              for c in sorted(_registry_of(results), key=lambda c: c.name) if c.name in ran}
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
    del batches
    for r in results:  # the graph holds them now: the records need not live as long as the scan's metadata
        r.records = None
    # runs first: the judged facts of the derive pass say "unknown" where a run could not read
    inv.meta["runs"] = [r.meta() for r in sorted(results, key=lambda x: (x.collector, x.region))]
    derive.run(inv)
    inv.meta["timing"] = {f"{r.collector}@{r.region}": r.seconds for r in sorted(results, key=lambda x: (x.collector, x.region))}
    return inv

"""The per-account scans: ``--jobs`` accounts at once, each one the scan ``awsscan`` itself runs.

Each account gets the ordinary scan (scanner.runner.scan with the chosen collectors, its own
region discovery and ``--workers`` collector parallelism) and its ordinary report
(renderers.report.write_report) in ``OUT/accounts/<id>/``. An account that cannot be reached or
whose scan fails is recorded with the reason and the others go on: one account's problem
never ends the organization's run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scanner.errors import UserError
from scanner.org.assume import Access, AccessFailed, Opener
from scanner.org.model import FAILED, INTERRUPTED, NOT_ASSUMED, SCANNED, Account

DEFAULT_JOBS = 4
#: collector runs at once inside one account: --jobs 4 x 8 = the 32 of a single-account scan
DEFAULT_ORG_WORKERS = 8

#: called with each account once its outcome is known (the CLI prints a line)
Done = Callable[[Account], None]


@dataclass(frozen=True)
class Settings:
    """What every account's scan uses; plain values, so a Dask task can carry it."""

    regions: tuple[str, ...] = ()          # empty: every region enabled for that account
    workers: int = DEFAULT_ORG_WORKERS
    services: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_rate: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        return cls(regions=tuple(data.get("regions") or ()), workers=int(data.get("workers") or DEFAULT_ORG_WORKERS),
                   services=tuple(data.get("services") or ()), exclude=tuple(data.get("exclude") or ()),
                   max_rate=data.get("max_rate"))


def account_dir(out: Path, account_id: str) -> Path:
    return Path(out) / "accounts" / account_id


def scan_snapshot(session: Any, name: str, settings: Settings) -> Any:
    """Scan one account (its session already checked to be that account) into an Inventory.

    Raises UserError for what is wrong with this account only (a region it has not enabled,
    credentials that stop working); the caller records it as the account's reason.
    """
    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.selection import select
    from scanner.session import account_alias, discover_regions, verify_identity

    chosen = select(load_all(), list(settings.services) or None, list(settings.exclude) or None)
    identity = verify_identity(session)
    regions = discover_regions(session, list(settings.regions) or None, identity.partition)
    alias = account_alias(session)
    extra: dict[str, Any] = {}
    if chosen.excluded:
        extra = {"collectors": chosen.run, "excluded": chosen.excluded, "excluded_why": chosen.why}
    inv = scan(session, identity, regions, name=name, alias=alias, workers=settings.workers,
               max_rate=settings.max_rate, **extra)
    if chosen.excluded:
        inv.meta["excluded_services"] = chosen.excluded_services
        inv.meta["selection"] = chosen.why
    return inv


#: analysis and rendering are pure Python (no speed-up from threads under the GIL): one at a
#: time keeps memory flat while the scans, which wait on the network, overlap
_RENDER = threading.Lock()


def write_account(inv: Any, account: Account, out: Path) -> None:
    """Save the snapshot first, then the account's full report; set the account's outcome."""
    from renderers.report import prepare_out, write_report
    from scanner.analysis import analyze

    folder = prepare_out(account_dir(out, account.id))
    inv.save(folder / "inventory.json")
    account.regions = list(inv.meta.get("regions") or [])
    with _RENDER:
        analysis = analyze(inv, {"pricing": "embedded"})
        write_report(inv, analysis, folder, project_name=inv.meta.get("name"), write_inventory=False)
    if inv.meta.get("partial"):
        account.outcome = FAILED
        account.reason = (f"{inv.meta.get('interrupted') or 'the scan stopped early'}; a partial report is in "
                          f"accounts/{account.id}/")
    else:
        account.outcome = SCANNED
        account.reason = ""


def scan_account(opener: Opener, account: Account, access: Access, settings: Settings, out: Path) -> Account:
    """Reach, scan and report one account; never raises for a problem of that account."""
    start = time.monotonic()
    account.access = access.describe()
    try:
        session = opener.session(access)
    except AccessFailed as exc:
        account.outcome, account.reason = NOT_ASSUMED, str(exc)
        return account
    try:
        inv = scan_snapshot(session, account.name, settings)
        write_account(inv, account, out)
    except UserError as exc:
        account.outcome, account.reason = FAILED, str(exc)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug or an odd answer in one account must not stop the others
        account.outcome, account.reason = FAILED, f"{type(exc).__name__}: {str(exc)[:300]}"
    if account.outcome == SCANNED:
        account.reason = f"in {time.monotonic() - start:.1f} s"
    return account


def run_local(work: Sequence[tuple[Account, Access]], opener: Opener, settings: Settings, out: Path,
              jobs: int = DEFAULT_JOBS, done: Done | None = None) -> None:
    """Scan the accounts, ``jobs`` at once, in this process; each Account gets its outcome.

    On Ctrl-C the accounts not finished are marked interrupted and the interrupt is raised
    again (the running scans are not waited for: a stalled call would hold the exit).
    """
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="awsscan-org")
    futures: dict[Future[Account], Account] = {
        pool.submit(scan_account, opener, acct, access, settings, out): acct for acct, access in work}
    pending = set(futures)
    stopped = False
    try:
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                acct = futures[fut]
                exc = fut.exception()
                if exc is not None:
                    acct.outcome, acct.reason = FAILED, f"{type(exc).__name__}: {str(exc)[:300]}"
                if done:
                    done(acct)
    except KeyboardInterrupt:
        stopped = True
        for fut in pending:
            fut.cancel()
            acct = futures[fut]
            if acct.outcome not in (SCANNED, FAILED, NOT_ASSUMED):
                acct.outcome, acct.reason = INTERRUPTED, "the run was interrupted before this account's scan ended"
        raise
    finally:
        pool.shutdown(wait=not stopped, cancel_futures=True)

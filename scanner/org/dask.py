"""``--scheduler tcp://HOST:PORT``: the account scans as tasks on an existing Dask cluster.

Optional (``pip install 'awsscan[dask]'``): dask is imported only when --scheduler is given,
and its absence is one line. Each task scans one account and returns its snapshot (the
inventory JSON); the reports and the roll-up are written here from those snapshots, exactly
as the local run writes them, so both give the same results.

What a task carries: the account's temporary credentials (assumed just before the task is
submitted, at most ``--jobs`` tasks in flight so none waits long with ageing credentials) and
the scan settings. Long-lived access keys are never sent to a worker: an account reached with
them (the caller's own, a profile with static keys) is scanned in this process instead. Use a
``tls://`` scheduler (with Dask's TLS configuration) when the cluster's network is not trusted.
Workers need awsscan installed, at the same version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.errors import UserError
from scanner.org.assume import Access, AccessFailed, Opener, guarded_session, shippable
from scanner.org.model import FAILED, INTERRUPTED, NOT_ASSUMED, SCANNED, Account
from scanner.org.scan import DEFAULT_JOBS, Done, Settings, run_local, scan_snapshot, write_account

_URL = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$")
#: seconds to wait for the scheduler to answer before giving up with one line
CONNECT_TIMEOUT = 30


def check_scheduler(url: str) -> str:
    """``tcp://HOST:PORT`` or ``tls://HOST:PORT``, else a one-line error."""
    m = _URL.match(url or "")
    if not m or not 0 < int(m.group(3)) < 65536:
        raise UserError(f"--scheduler {url!r} is not a Dask scheduler address: expected tcp://HOST:PORT "
                        "(or tls://HOST:PORT), e.g. tcp://10.0.0.5:8786")
    return url


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UserError("--scheduler needs Dask: pip install 'awsscan[dask]' (dask[distributed])") from None
    return distributed


def scan_task(account_id: str, name: str, credentials: dict[str, Any], settings: dict[str, Any],
              home_region: str) -> dict[str, Any]:
    """What runs on a worker: one account's scan; returns its snapshot JSON, or why there is none.

    Never raises for a problem of the account (a raised exception would travel back as a
    pickled traceback); the result is a plain dict.
    """
    from scanner.session import verify_identity

    try:
        session = guarded_session(credentials, home_region)
        ident = verify_identity(session)
        if ident.account != account_id:
            return {"account": account_id, "outcome": NOT_ASSUMED,
                    "reason": f"the credentials answer for account {ident.account}, not {account_id}"}
        inv = scan_snapshot(session, name, Settings.from_dict(settings))
        return {"account": account_id, "outcome": SCANNED, "snapshot": inv.to_json()}
    except UserError as exc:
        return {"account": account_id, "outcome": FAILED, "reason": str(exc)}
    except Exception as exc:
        return {"account": account_id, "outcome": FAILED, "reason": f"{type(exc).__name__}: {str(exc)[:300]}"}


def _finish(result: dict[str, Any], account: Account, out: Path) -> None:
    """Write the account's report from the snapshot a task returned."""
    from scanner.inventory import Inventory

    if result.get("outcome") != SCANNED or not isinstance(result.get("snapshot"), str):
        account.outcome = result.get("outcome") or FAILED
        account.reason = str(result.get("reason") or "the task returned no snapshot")
        return
    try:
        inv = Inventory.from_dict(json.loads(result["snapshot"]))
        write_account(inv, account, out)
        if account.outcome == SCANNED:
            account.reason = "on the Dask cluster"
    except UserError as exc:
        account.outcome, account.reason = FAILED, str(exc)
    except Exception as exc:
        account.outcome, account.reason = FAILED, f"{type(exc).__name__}: {str(exc)[:300]}"


def run_dask(url: str, work: Sequence[tuple[Account, Access]], opener: Opener, settings: Settings, out: Path,
             jobs: int = DEFAULT_JOBS, done: Done | None = None) -> None:
    """Scan the accounts on the cluster at ``url``, ``jobs`` tasks in flight; each Account gets its outcome."""
    distributed = _distributed()
    try:
        client = distributed.Client(check_scheduler(url), timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"cannot reach the Dask scheduler at {url}: {str(exc)[:200]}") from None
    local: list[tuple[Account, Access]] = []
    queue = list(work)
    running: dict[Any, Account] = {}
    futures = distributed.as_completed(loop=client.loop)  # this client's loop: it is not the default client

    def submit_next() -> bool:
        while queue:
            account, access = queue.pop(0)
            account.access = access.describe()
            try:
                creds = opener.credentials(access)
            except AccessFailed as exc:
                account.outcome, account.reason = NOT_ASSUMED, str(exc)
                if done:
                    done(account)
                continue
            if not shippable(creds):
                local.append((account, access))
                continue
            fut = client.submit(scan_task, account.id, account.name, creds, settings.to_dict(), opener.region,
                                pure=False, key=f"awsscan-account-{account.id}-{id(account):x}")
            running[fut] = account
            futures.add(fut)
            return True
        return False

    try:
        for _ in range(max(1, jobs)):
            if not submit_next():
                break
        for fut in futures:
            account = running.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # the worker died, or the task could not be run there
                result = {"outcome": FAILED, "reason": f"the Dask task failed: {type(exc).__name__}: {str(exc)[:200]}"}
            _finish(result, account, out)
            if done:
                done(account)
            submit_next()
    except KeyboardInterrupt:
        for fut, account in running.items():
            fut.cancel()
            account.outcome, account.reason = INTERRUPTED, "the run was interrupted before this account's scan ended"
        for account, _access in queue + local:
            account.outcome, account.reason = INTERRUPTED, "the run was interrupted before this account's scan began"
        raise
    finally:
        client.close()
    if local:  # reached with long-lived keys: scanned here, never sent to a worker
        run_local(local, opener, settings, out, jobs=jobs, done=_noting_local(done))


def _noting_local(done: Done | None) -> Done:
    def note(account: Account) -> None:
        if account.outcome == SCANNED:
            account.reason = "in this process: long-lived keys are not sent to the Dask cluster"
        if done:
            done(account)
    return note

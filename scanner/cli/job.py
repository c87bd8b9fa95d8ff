"""The job every scan command runs: scan, save the snapshot, analyse, write, and the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner import status as run_status
from scanner.cli.console import (
    EXIT_FINDINGS,
    EXIT_STRICT,
    EXIT_USAGE,
    STATE,
    interrupt_code,
    interrupt_name,
    say,
)
from scanner.cli.progress import ScanProgress
from scanner.cli.summary import print_summary, unseen


def run_job(session: Any, identity: Any, regions: list[str], *, out: Path, name: str | None,
            alias: str | None, workers: int, options: dict[str, Any], strict: bool = False,
            quiet: bool = False, selection: Any = None, verbose: bool = False,
            max_rate: float | None = None) -> int:
    """Scan, save the snapshot, analyse, write the report; print the summary. Returns the exit code.

    inventory.json is written the moment the scan returns, before analysis and rendering,
    so an interrupt or a failure later still leaves the scan's result on disk (and
    ``awsscan render`` can finish the job offline).
    """
    from renderers.report import write_report
    from scanner.analysis import analyze
    from scanner.runner import scan

    chosen: dict[str, Any] = {}
    if selection is not None and selection.excluded:
        chosen = {"collectors": selection.run, "excluded": selection.excluded, "excluded_why": selection.why}
    with ScanProgress(quiet=quiet) as progress:
        inv = scan(session, identity, regions, name=name, alias=alias, workers=workers, max_rate=max_rate,
                   progress=progress, **chosen)
    if chosen:
        inv.meta["excluded_services"] = selection.excluded_services
        inv.meta["selection"] = selection.why
    snapshot = inv.save(Path(out) / "inventory.json")
    STATE.saved = snapshot
    partial = bool(inv.meta.get("partial"))
    try:
        if options.get("pricing") == "live" and options.get("pricing_session") is not None:
            session_for_prices = options.pop("pricing_session")
            if not partial:
                options["pricebook"] = live_prices(session_for_prices, inv)
        analysis = analyze(inv, options)
        files = write_report(inv, analysis, out, project_name=name or inv.meta.get("name"), write_inventory=False)
    except KeyboardInterrupt:
        say(f"awsscan: interrupted ({interrupt_name()}) while writing the report: the scan was saved to {snapshot}"
            f"{' (marked partial)' if partial else ''}; `awsscan render {snapshot} --out {out}` writes the report")
        return interrupt_code()
    if not quiet:
        print_summary(inv, analysis, files, inventory=snapshot, verbose=verbose)
    expired = inv.meta.get("credentials_expired")
    if expired:
        say(f"awsscan: error: {expired.get('message')}; the collectors that finished before were saved to "
            f"{snapshot} (marked partial) with a partial report in {files.out}")
        return EXIT_USAGE
    if partial:
        say(f"awsscan: interrupted ({interrupt_name()}): the collectors that finished were saved to {snapshot} "
            f"(marked partial) with a partial report in {files.out}")
        return interrupt_code()
    return exit_code(inv, analysis, options, strict)


def live_prices(session: Any, inv: Any) -> Any:
    """Live Price List prices for what the account uses; the embedded table if they cannot be read."""
    import botocore.exceptions as bexc

    from scanner.analysis.prices import PriceBook, fetch_live

    try:
        return fetch_live(session, inv)
    except (bexc.ClientError, bexc.BotoCoreError) as exc:
        say(f"awsscan: warning: live prices unavailable ({exc}); using the embedded price table")
        return PriceBook()


def exit_code(inv: Any, analysis: Any, options: dict[str, Any], strict: bool) -> int:
    from scanner.analysis.model import SEVERITY_RANK

    fail_on = options.get("fail_on")
    if fail_on:
        worst = [f for f in analysis.open_findings() if SEVERITY_RANK[f.severity] <= SEVERITY_RANK[fail_on]]
        if worst:
            say(f"awsscan: {len(worst)} open {'finding' if len(worst) == 1 else 'findings'} at or above {fail_on} (--fail-on {fail_on})")
            return EXIT_FINDINGS
        blind = unreadable(inv)
        if blind:
            say(f"awsscan: error: --fail-on {fail_on} cannot pass: {blind}, so no finding does not mean a clean account")
            return EXIT_STRICT
    if strict and unseen(inv):
        say("awsscan: part of the account could not be read (--strict)")
        return EXIT_STRICT
    return 0


def unreadable(inv: Any) -> str | None:
    """Why a report cannot back a --fail-on pass, or None when it can.

    A CI gate must not pass on a report that could not read the account: a scan that
    stopped early (interrupted, credentials expired), no collector run that read anything,
    or more denied/failed runs than good ones. Runs "unavailable" (service not offered) and
    "region disabled" are not reads that failed, so they do not count either way.
    """
    meta = inv.meta
    if meta.get("partial"):
        return "the scan did not finish (" + str(meta.get("interrupted") or "partial snapshot") + ")"
    runs = [r for r in meta.get("runs", []) if r.get("status") in (run_status.OK, *run_status.BLOCKED)
            and not run_status.is_excluded(r)]
    bad = run_status.failed_reads(runs)
    if not runs:
        return "no collector run read the account"
    if len(bad) * 2 > len(runs):
        return f"{len(bad)} of {len(runs)} collector runs were denied or failed"
    return None

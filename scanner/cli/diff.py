"""``awsscan diff OLD.json NEW.json``: what changed between two scans, for reviews and drift gates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scanner.cli.app import app
from scanner.cli.console import EXIT_FINDINGS, one_line_errors, out_console, printable, say
from scanner.cli.options import FAIL_ON, SuppressOpt, analysis_options
from scanner.errors import UserError


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier inventory.json.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later inventory.json (same account).")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for diff.md, diff.html, diff.json and diagrams/diff_architecture.svg.")] = Path("awsscan-diff"),
    fail_on_change: Annotated[bool, typer.Option("--fail-on-change", help="Exit 1 when anything changed (a drift gate).")] = False,
    fail_on_new: Annotated[str | None, typer.Option("--fail-on-new", metavar="SEVERITY", help="Exit 1 when a finding at or above this severity (critical, high, medium, low, info) opened.", show_default=False)] = None,
    suppress: SuppressOpt = None,
) -> None:
    """Compare two snapshots: resources added, removed and changed, relations, findings, cost (offline).

    Examples:

      awsscan diff monday/inventory.json friday/inventory.json --out changes/

      awsscan diff base.json head.json --fail-on-new high
    """
    raise typer.Exit(_diff(old, new, out, fail_on_change, fail_on_new, suppress))


@one_line_errors
def _diff(old: Path, new: Path, out: Path, fail_on_change: bool, fail_on_new: str | None,
          suppress: Path | None) -> int:
    from renderers.diff_report import write_diff
    from renderers.report import prepare_out
    from scanner.analysis import analyze
    from scanner.analysis.changes import diff, worst_new
    from scanner.analysis.model import SEVERITY_RANK
    from scanner.inventory import Inventory, SnapshotError

    if fail_on_new is not None and fail_on_new.lower() not in FAIL_ON:
        raise UserError(f"--fail-on-new must be one of {', '.join(FAIL_ON)} (got {fail_on_new!r})")
    options = analysis_options(None, suppress, "embedded")
    try:
        before, after = Inventory.load(old), Inventory.load(new)
    except SnapshotError as exc:
        raise UserError(str(exc)) from None
    if before.meta.get("account") != after.meta.get("account"):
        raise UserError(f"the snapshots are of different accounts ({before.meta.get('account')} and "
                        f"{after.meta.get('account')}); diff compares two scans of one account")
    prepare_out(out)
    d = diff(before, after, analyze(before, dict(options)), analyze(after, dict(options)))
    files, warnings = write_diff(d, out)
    for w in warnings:
        say(f"awsscan: warning: {w}")
    r, f = d["resources"], d["findings"]
    out_console.print(printable(
        f"Changes: {len(r['added'])} added, {len(r['removed'])} removed, {len(r['changed'])} changed; "
        f"findings {len(f['opened'])} opened, {len(f['closed'])} closed"), markup=False, highlight=False)
    out_console.print(printable(f"Report written to {out}/ (diff.md, diff.html, diff.json)"), markup=False,
                      highlight=False)
    if fail_on_change and not d["empty"]:
        say("awsscan: the account changed (--fail-on-change)")
        return EXIT_FINDINGS
    worst = worst_new(d)
    if fail_on_new and worst and SEVERITY_RANK[worst] <= SEVERITY_RANK[fail_on_new.lower()]:
        say(f"awsscan: a {worst} finding opened (--fail-on-new {fail_on_new.lower()})")
        return EXIT_FINDINGS
    return 0

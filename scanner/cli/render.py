"""``awsscan render``: the report again, offline, from a snapshot (no AWS calls)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scanner.cli.app import app
from scanner.cli.console import one_line_errors
from scanner.cli.job import exit_code
from scanner.cli.options import (
    DEFAULT_OUT,
    ComplianceOpt,
    FailOnOpt,
    NameOpt,
    OutOpt,
    SuppressOpt,
    VerboseOpt,
    analysis_options,
    with_compliance,
)
from scanner.cli.summary import print_summary
from scanner.errors import UserError


@app.command()
def render(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="An inventory.json written by a scan.")],
    out: OutOpt = DEFAULT_OUT,
    name: NameOpt = None,
    fail_on: FailOnOpt = None,
    compliance: ComplianceOpt = None,
    suppress: SuppressOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Re-render the report offline from a snapshot (no AWS calls)."""
    raise typer.Exit(_render(snapshot, out, name, fail_on, suppress, verbose, compliance))


@one_line_errors
def _render(snapshot: Path, out: Path, name: str | None, fail_on: str | None, suppress: Path | None,
            verbose: bool = False, compliance: str | None = None) -> int:
    from renderers.report import prepare_out, write_report
    from scanner.analysis import analyze
    from scanner.inventory import Inventory, SnapshotError

    options = with_compliance(analysis_options(fail_on, suppress, "embedded"), compliance)
    try:
        inv = Inventory.load(snapshot)
    except SnapshotError as exc:
        raise UserError(str(exc)) from None
    prepare_out(out)
    analysis = analyze(inv, options)
    files = write_report(inv, analysis, out, project_name=name or inv.meta.get("name"))
    print_summary(inv, analysis, files, verbose=verbose)
    return exit_code(inv, analysis, options, strict=False)

"""``awsscan export``: a snapshot's findings and graph in formats other tools read (offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scanner.cli.app import app
from scanner.cli.console import one_line_errors, out_console, printable
from scanner.cli.options import SuppressOpt, analysis_options
from scanner.errors import UserError

_FORMATS = "sarif, ocsf, csv, graphml or neo4j"


@app.command("export")
def export_command(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="An inventory.json written by a scan.")],
    to: Annotated[str, typer.Option("--to", "-t", metavar="FORMAT", help=f"Output format: {_FORMATS}. sarif: SARIF 2.1.0 for code-scanning dashboards; ocsf: OCSF 1.2.0 Detection Findings as JSON lines; csv: findings.csv + resources.csv; graphml: the resource graph; neo4j: nodes.csv + relationships.csv for neo4j-admin import, plus load.cypher.")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="PATH", help="The file to write (sarif, ocsf, graphml) or the folder (csv, neo4j).")],
    suppress: SuppressOpt = None,
) -> None:
    """Export a snapshot's findings and resource graph (no AWS calls).

    Examples:

      awsscan export report/inventory.json --to sarif --out awsscan.sarif

      awsscan export report/inventory.json --to csv --out report/csv/
    """
    raise typer.Exit(_export(snapshot, to, out, suppress))


@one_line_errors
def _export(snapshot: Path, fmt: str, out: Path, suppress: Path | None) -> int:
    from renderers import exports
    from renderers.report import prepare_out
    from scanner.analysis import analyze
    from scanner.inventory import Inventory, SnapshotError

    fmt = fmt.lower()
    if fmt not in exports.FORMATS:
        raise UserError(f"--to must be one of {_FORMATS} (got {fmt!r})")
    options = analysis_options(None, suppress, "embedded")
    try:
        inv = Inventory.load(snapshot)
    except SnapshotError as exc:
        raise UserError(str(exc)) from None
    if exports.writes_folder(fmt):
        prepare_out(out)
    else:
        if out.is_dir():
            raise UserError(f"--out {out} is a folder; {fmt} writes one file (e.g. --out {out / ('awsscan.' + fmt)})")
        if out.is_symlink():
            raise UserError(f"--out {out} is a symbolic link; refusing to write through it")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create {out.parent}: {exc.strerror or exc}") from None
    analysis = analyze(inv, options)
    try:
        files = exports.write(fmt, inv, analysis, out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    for f in files:
        out_console.print(printable(f"wrote {f}"), markup=False, highlight=False)
    return 0

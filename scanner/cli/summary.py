"""What a finished job prints: what was found and where it was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from scanner import status as run_status
from scanner.cli.console import out_console, printable, say

NOT_RESOURCES = ("aws:account", "aws:region", "internet", "external")


def print_summary(inv: Any, analysis: Any, files: Any, inventory: Path | None = None,
                  verbose: bool = False) -> None:
    """What was found and where it was written; every value from the account is made printable.

    One line of counts by default (the document holds the detail); ``--verbose`` adds the
    table of every resource kind.
    """
    from rich.markup import escape

    from scanner import kinds

    counts = {k: n for k, n in inv.kind_counts().items() if k not in NOT_RESOURCES}
    title = f"awsscan: {printable(inv.meta.get('name'))} ({printable(inv.meta.get('account'))})"
    if verbose:
        table = Table(title=escape(title), show_lines=False)
        table.add_column("Resource kind")
        table.add_column("Count", justify="right")
        for kind, n in counts.items():
            table.add_row(escape(printable(kind)), str(n))
        out_console.print(table)
    else:
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
        most = ", ".join(kinds.count(k, n) for k, n in top)
        out_console.print(printable(f"{title}: {sum(counts.values())} resources of {len(counts)} kinds"
                                    + (f" (most: {most})" if most else "")
                                    + "; --verbose lists every kind"), markup=False, highlight=False,
                          soft_wrap=True)
    sev = analysis.counts()
    out_console.print(printable("Findings: " + ", ".join(f"{k} {v}" for k, v in sev.items())), markup=False)
    problems = unseen(inv)
    if problems:
        say(f"awsscan: warning: {len(problems)} {'part' if len(problems) == 1 else 'parts'} of the account could not be read; "
            "the document lists them in each section")
    excluded = inv.meta.get("excluded_services") or []
    if excluded:
        say(f"awsscan: note: not scanned by choice: {', '.join(excluded)}")
    for w in files.warnings:
        say(f"awsscan: warning: {w}")
    inventory = inventory or files.inventory
    lines = [f"Report written to {files.out}/", f"  document:  {files.document}"]
    if files.html:
        lines.append(f"  html:      {files.html}")
    lines.append(f"  diagrams:  {files.out / 'diagrams'}/")
    if inventory:
        lines.append(f"  inventory: {inventory}")
    lines.append(f"  findings:  {files.findings}")
    if getattr(files, "csv", None):
        lines.append(f"  csv:       {files.csv}")
    for line in lines:
        out_console.print(printable(line), markup=False, highlight=False)


def unseen(inv: Any) -> list[dict[str, Any]]:
    """Every collector run and call that could not read its part of the account."""
    return list(run_status.failed_reads(inv.meta.get("runs", []))) + list(inv.meta.get("gaps", []))

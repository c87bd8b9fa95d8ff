"""The typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="awsscan",
    help="Audit a live AWS account (read-only) and write its infrastructure design document:\n\n"
         "design.md and design.html (twelve sections), diagrams/ (architecture, security, CI/CD as\n"
         "SVG, PNG and DOT), inventory.json (the graph snapshot) and findings.json.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    rich_markup_mode=None,
)

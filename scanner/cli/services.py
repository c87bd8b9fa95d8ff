"""``awsscan services``: the names --services and --exclude-services accept."""

from __future__ import annotations

from scanner.cli.app import app
from scanner.cli.console import out_console, printable


@app.command("services")
def services_command() -> None:
    """List the AWS services, collector families and collectors a scan can be limited to."""
    from scanner.collectors import load_all
    from scanner.selection import names

    groups = names(load_all())
    for title, key in (("AWS services", "services"), ("Collector families", "families"),
                       ("Collectors", "collectors")):
        out_console.print(printable(f"{title}: {', '.join(groups[key])}"), markup=False, highlight=False,
                          soft_wrap=True)

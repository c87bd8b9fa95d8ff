"""The scan's progress bar (a terminal) or its log lines (CI, a pipe)."""

from __future__ import annotations

import os
from typing import Any

from scanner import status as run_status
from scanner.cli.console import err, printable, say


class ScanProgress:
    """rich progress: one bar for the whole scan, the description naming the current region · service."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet or not err.is_terminal and os.environ.get("AWSSCAN_PROGRESS") != "1"
        self._progress: Any = None
        self._task: Any = None
        self._done = 0

    def __enter__(self) -> ScanProgress:
        if not self.quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            from rich.table import Column

            # the counter and the time come first and the bar is short, so at 80 columns only the
            # description (region · service · collector) is cut, never the count
            self._progress = Progress(TextColumn("[bold]scanning[/]"), MofNCompleteColumn(),
                                      BarColumn(bar_width=16), TimeElapsedColumn(),
                                      TextColumn("{task.description}", table_column=Column(
                                          no_wrap=True, overflow="ellipsis", min_width=0, ratio=1)),
                                      console=err, transient=True, expand=True)
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, event: str, payload: Any) -> None:
        if event == "start":
            if self._progress is not None:
                self._task = self._progress.add_task("", total=payload)
            else:
                say(f"awsscan: scanning ({payload} collector runs)")
        elif event == "done":
            self._done += 1
            note = "" if payload.status == "ok" else f" [{payload.status}]"
            if self._progress is not None:
                from rich.markup import escape

                self._progress.update(self._task, advance=1, description=escape(printable(
                    f"{payload.region} · {payload.service} · {payload.collector}{note}")))
            elif payload.status in run_status.BLOCKED:
                say(f"awsscan: warning: {payload.collector} in {payload.region}: {payload.status}"
                    f" {payload.action} {payload.message}".rstrip())

"""The awsscan command line: scan (default), demo, render, services; one module per command.

Every failure ends with one line on stderr and a non-zero exit, never a traceback
(``--debug`` shows it). Exit codes:

- 0 done;
- 1 an open finding at or above ``--fail-on``;
- 2 bad input or environment: credentials, profile, region, endpoint, snapshot,
  output folder, and credentials that expire during the scan (the collectors that
  finished are saved to inventory.json, marked partial, with a partial report);
- 3 part of the account could not be read: with ``--strict`` anything denied or
  failed; with ``--fail-on`` a report that cannot back a pass (the scan stopped
  early, or most collector runs were denied or failed);
- 4 an internal error, a bug in awsscan (one line; ``--debug`` for the traceback);
- 130 interrupted by Ctrl-C (SIGINT), 143 by SIGTERM: inventory.json is written as soon
  as the scan returns, marked partial when the scan itself was cut short.

A command module registers itself on :data:`app` when imported below; a new command is a
new module and one import line.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from scanner.cli import demo, diff, export, org, render, scan, services  # noqa: F401  (register the commands)
from scanner.cli.app import app
from scanner.cli.console import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_STRICT,
    EXIT_TERMINATED,
    EXIT_USAGE,
    _hard_exit,
    interrupt_code,
    interrupt_name,
    say,
)
from scanner.cli.job import exit_code, run_job, unreadable
from scanner.cli.summary import unseen

__all__ = ["app", "main", "exit_code", "run_job", "unreadable", "unseen", "EXIT_FINDINGS", "EXIT_INTERNAL",
           "EXIT_INTERRUPTED", "EXIT_STRICT", "EXIT_TERMINATED", "EXIT_USAGE"]


def main() -> None:
    """Console-script entry point.

    After an interrupt or an expiry, worker threads may still sit in a stalled AWS call;
    Python would join them at exit (minutes, and a traceback on a second Ctrl-C), so the
    process ends with ``os._exit`` once its output is flushed whenever such threads remain.
    """
    try:
        app()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # outside a command (argument parsing, imports)
        say(f"awsscan: interrupted ({interrupt_name()})")
        code = interrupt_code()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        say(str(code))
        code = 1
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):  # a late Ctrl-C during interpreter teardown
            signal.signal(sig, lambda *_: _hard_exit(code))
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        _hard_exit(code)
    sys.exit(code)


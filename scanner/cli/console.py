"""What the CLI prints and how it stops: printable text, one-line errors, exit codes, signals.

Every failure ends with one line on stderr and a non-zero exit, never a traceback
(``--debug`` shows it). Everything printed is stripped of control characters, so
account text (names, tags, error messages) cannot drive the terminal.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import click
import typer
from rich.console import Console

from scanner.errors import UserError

err = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_STRICT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


#: escape sequences (CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL|ST``, DCS/SOS/PM/APC ``... ST``,
#: two-byte ``ESC x``), then any C0 control but newline and tab, DEL and the C1 range
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -~])?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: Any) -> str:
    """Text safe for a terminal: escape sequences and control characters removed.

    Account text (a VPC's Name tag, an alias, an AWS error message) reaches what the CLI
    prints; rich's ``escape`` only neutralises its markup, not ``ESC ] 0 ; title BEL`` or
    colour codes, which a hostile name could use to rewrite the terminal or hide a line.
    """
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", str(text)))


def say(message: str) -> None:
    """One line on stderr, never wrapped (scripts and CI logs read it), control characters removed."""
    print(" ".join(printable(message).splitlines()), file=sys.stderr, flush=True)


@dataclass
class RunState:
    """Process-wide facts of this run that the error and signal handling need."""

    debug: bool = False
    signum: int | None = None       # the first SIGINT/SIGTERM received, if any
    saved: Path | None = None       # inventory.json once written


STATE = RunState(debug=os.environ.get("AWSSCAN_DEBUG") == "1")


def interrupt_code() -> int:
    """130 for Ctrl-C (SIGINT), 143 for SIGTERM: 128 + the signal, as shells report it."""
    return EXIT_TERMINATED if STATE.signum == signal.SIGTERM else EXIT_INTERRUPTED


def interrupt_name() -> str:
    return "SIGTERM" if STATE.signum == signal.SIGTERM else "Ctrl-C"


def _hard_exit(code: int) -> None:
    """Exit now, without joining threads: a stalled AWS call would keep the process for minutes."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


@contextmanager
def stop_signals() -> Iterator[None]:
    """While a scan runs from the CLI: SIGINT and SIGTERM raise KeyboardInterrupt in the main thread.

    So SIGTERM (a CI timeout, ``kill``, a container stop) saves what was collected exactly as
    Ctrl-C does. A second signal while that is being saved exits at once, with one line
    saying whether the snapshot was already written, instead of a threading traceback.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    STATE.signum, STATE.saved = None, None

    def handler(signum: int, _frame: Any) -> None:
        if STATE.signum is None:
            STATE.signum = signum
            raise KeyboardInterrupt
        kept = f"the snapshot was saved to {STATE.saved}" if STATE.saved else "nothing was saved"
        say(f"awsscan: interrupted again: stopping now ({kept})")
        _hard_exit(interrupt_code())

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def one_line_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The command boundary: every error is one line and an exit code; a bug is exit 4, not a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            if STATE.debug:
                traceback.print_exc()
            say(f"awsscan: error: {exc}")
            raise typer.Exit(exc.code) from None
        except KeyboardInterrupt:
            kept = f"; the snapshot was saved to {STATE.saved}" if STATE.saved else ""
            say(f"awsscan: interrupted ({interrupt_name()}){kept}")
            raise typer.Exit(interrupt_code()) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            if STATE.debug:
                traceback.print_exc()
            say(f"awsscan: internal error: {type(exc).__name__}: {exc}{_where(exc)} "
                "(a bug in awsscan; rerun with --debug for the traceback)")
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def _where(exc: BaseException) -> str:
    """`` at scanner/x.py:12 in fn``: the innermost frame of our own code, for a bug report."""
    root = Path(__file__).resolve().parent.parent.parent
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts:
            return f" at {path.relative_to(root)}:{frame.lineno} in {frame.name}"
    return ""

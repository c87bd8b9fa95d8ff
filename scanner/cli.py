"""The awsscan command line: scan (default), demo, render.

Every failure ends with one line on stderr and a non-zero exit, never a traceback
(``--debug`` shows it). Everything printed is stripped of control characters, so
account text (names, tags, error messages) cannot drive the terminal.

Exit codes:

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
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.table import Table

from scanner import __version__
from scanner import status as run_status
from scanner.errors import UserError

err = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_STRICT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
FAIL_ON = ("critical", "high", "medium", "low", "info")
DEFAULT_OUT = Path("awsscan-report")
DEMO_REGIONS = ["us-east-1", "eu-west-1"]

app = typer.Typer(
    name="awsscan",
    help="Audit a live AWS account (read-only) and write its infrastructure design document:\n\n"
         "design.md (twelve sections), diagrams/ (architecture, security, CI/CD as SVG, PNG and DOT),\n"
         "inventory.json (the graph snapshot) and findings.json.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    rich_markup_mode=None,
)


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
    root = Path(__file__).resolve().parent.parent
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts:
            return f" at {path.relative_to(root)}:{frame.lineno} in {frame.name}"
    return ""


def _version(value: bool) -> None:
    if value:
        out_console.print(f"awsscan {__version__}")
        raise typer.Exit()


ProfileOpt = Annotated[str | None, typer.Option("--profile", "-p", help="AWS profile to use (as the AWS CLI; default: AWS_PROFILE or the default chain).", show_default=False)]
RegionOpt = Annotated[list[str] | None, typer.Option("--region", "-r", help="Region to scan; repeat for several. Default: every region enabled for the account (ec2:DescribeRegions).", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder for design.md, diagrams/, inventory.json and findings.json.")]
NameOpt = Annotated[str | None, typer.Option("--name", "-n", help="Project name in the document title. Default: the account alias, else the account id.", show_default=False)]
WorkersOpt = Annotated[int, typer.Option("--workers", "-w", min=1, max=64, help="Parallel collector threads.")]
FailOnOpt = Annotated[str | None, typer.Option("--fail-on", help="Exit 1 when an open finding at or above this severity exists: critical, high, medium, low or info. Exit 3 when the report cannot back a pass (most collector runs denied or failed, or the scan stopped early).", show_default=False)]
SuppressOpt = Annotated[Path | None, typer.Option("--suppress", help="YAML or TOML file of accepted risks (rule ids and resource patterns, each with a reason).", show_default=False)]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 3 when any service or call was denied or failed (default: warn and exit 0).")]
PricingOpt = Annotated[str, typer.Option("--pricing", help="Price source for section 10: 'embedded' (shipped table) or 'live' (AWS Price List API, cached).")]


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    out: OutOpt = DEFAULT_OUT,
    name: NameOpt = None,
    workers: WorkersOpt = 8,
    fail_on: FailOnOpt = None,
    suppress: SuppressOpt = None,
    strict: StrictOpt = False,
    pricing: PricingOpt = "embedded",
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On an unexpected error, print the Python traceback (for a bug report) before the one-line message.")] = False,
) -> None:
    """Scan the account behind --profile (read-only) and write the report to --out.

    Examples:

      awsscan --profile prod

      awsscan --profile prod --region us-east-1 --region eu-west-1 --out report/ --name "Payments Platform"

      awsscan render report/inventory.json --out report2/

      awsscan demo --out demo-report/
    """
    STATE.debug = debug or os.environ.get("AWSSCAN_DEBUG") == "1"
    if ctx.invoked_subcommand is not None:
        return
    code = _scan_command(profile, region, out, name, workers, fail_on, suppress, strict, pricing)
    raise typer.Exit(code)


@one_line_errors
def _scan_command(profile: str | None, region: list[str] | None, out: Path, name: str | None,
                  workers: int, fail_on: str | None, suppress: Path | None, strict: bool,
                  pricing: str) -> int:
    from renderers.report import prepare_out
    from scanner.session import (
        account_alias,
        discover_regions,
        make_session,
        validate_regions,
        verify_identity,
    )

    options = _options(fail_on, suppress, pricing)
    validate_regions(region or [])
    prepare_out(out)
    with stop_signals():
        session = make_session(profile, region[0] if region else None)
        identity = verify_identity(session)
        regions = discover_regions(session, region, identity.partition)
        alias = account_alias(session)
        if options.get("pricing") == "live":
            options["pricing_session"] = session
        return run_job(session, identity, regions, out=out, name=name, alias=alias, workers=workers,
                       options=options, strict=strict)


def _options(fail_on: str | None, suppress: Path | None, pricing: str) -> dict[str, Any]:
    if fail_on is not None and fail_on.lower() not in FAIL_ON:
        raise UserError(f"--fail-on must be one of {', '.join(FAIL_ON)} (got {fail_on!r})")
    if pricing not in ("embedded", "live"):
        raise UserError(f"--pricing must be 'embedded' or 'live' (got {pricing!r})")
    opts: dict[str, Any] = {"fail_on": fail_on.lower() if fail_on else None, "pricing": pricing}
    if suppress is not None:
        if not suppress.is_file():
            raise UserError(f"suppressions file not found: {suppress}")
        opts["suppress_file"] = suppress
    return opts


def run_job(session: Any, identity: Any, regions: list[str], *, out: Path, name: str | None,
            alias: str | None, workers: int, options: dict[str, Any], strict: bool = False,
            quiet: bool = False) -> int:
    """Scan, save the snapshot, analyse, write the report; print the summary. Returns the exit code.

    inventory.json is written the moment the scan returns, before analysis and rendering,
    so an interrupt or a failure later still leaves the scan's result on disk (and
    ``awsscan render`` can finish the job offline).
    """
    from renderers.report import write_report
    from scanner.analysis import analyze
    from scanner.runner import scan

    with ScanProgress(quiet=quiet) as progress:
        inv = scan(session, identity, regions, name=name, alias=alias, workers=workers, progress=progress)
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
        print_summary(inv, analysis, files, inventory=snapshot)
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
    runs = [r for r in meta.get("runs", []) if r.get("status") in (run_status.OK, *run_status.BLOCKED)]
    bad = run_status.blocked_runs(runs)
    if not runs:
        return "no collector run read the account"
    if len(bad) * 2 > len(runs):
        return f"{len(bad)} of {len(runs)} collector runs were denied or failed"
    return None


def unseen(inv: Any) -> list[dict[str, Any]]:
    return list(run_status.blocked_runs(inv.meta.get("runs", []))) + list(inv.meta.get("gaps", []))


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

            self._progress = Progress(TextColumn("[bold]scanning[/]"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), TextColumn("{task.description}"),
                                      console=err, transient=True)
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


def print_summary(inv: Any, analysis: Any, files: Any, inventory: Path | None = None) -> None:
    """What was found and where it was written; every value from the account is made printable."""
    from rich.markup import escape

    def safe(value: Any) -> str:
        return escape(printable(value))

    counts = inv.kind_counts()
    table = Table(title=f"awsscan: {safe(inv.meta.get('name'))} ({safe(inv.meta.get('account'))})",
                  show_lines=False)
    table.add_column("Resource kind")
    table.add_column("Count", justify="right")
    for kind, n in counts.items():
        if kind not in ("aws:account", "aws:region", "internet"):
            table.add_row(safe(kind), str(n))
    out_console.print(table)
    sev = analysis.counts()
    out_console.print(printable("Findings: " + ", ".join(f"{k} {v}" for k, v in sev.items())), markup=False)
    problems = unseen(inv)
    if problems:
        say(f"awsscan: warning: {len(problems)} {'part' if len(problems) == 1 else 'parts'} of the account could not be read; "
                  "the document lists them in each section")
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
    for line in lines:
        out_console.print(printable(line), markup=False, highlight=False)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("demo-report"),
    name: Annotated[str, typer.Option("--name", "-n", help="Project name in the document title.")] = "Sample Web Platform",
    workers: WorkersOpt = 8,
    fail_on: FailOnOpt = None,
    suppress: SuppressOpt = None,
) -> None:
    """Scan the built-in sample account (built inside moto, offline) and write its report."""
    raise typer.Exit(_demo(out, name, workers, fail_on, suppress))


@one_line_errors
def _demo(out: Path, name: str, workers: int, fail_on: str | None, suppress: Path | None) -> int:
    from renderers.report import prepare_out

    options = _options(fail_on, suppress, "embedded")
    prepare_out(out)
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    os.environ["MOTO_ACM_VALIDATION_WAIT"] = "0"  # the sample's certificates are issued, as in a real account
    try:
        from moto import mock_aws
    except ImportError:
        raise UserError("the demo needs moto: pip install 'awsscan[demo]'") from None
    from fixtures.sample import build_sample
    from scanner.session import make_session, verify_identity

    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    with stop_signals(), mock_aws():
        say("awsscan: building the sample account inside moto (offline)")
        build_sample()
        session = make_session(None, DEMO_REGIONS[0])
        identity = verify_identity(session)
        return run_job(session, identity, DEMO_REGIONS, out=out, name=name, alias="sample-web-platform",
                       workers=workers, options=options)


@app.command()
def render(
    snapshot: Annotated[Path, typer.Argument(help="An inventory.json written by a scan.")],
    out: OutOpt = DEFAULT_OUT,
    name: NameOpt = None,
    fail_on: FailOnOpt = None,
    suppress: SuppressOpt = None,
) -> None:
    """Re-render the report offline from a snapshot (no AWS calls)."""
    raise typer.Exit(_render(snapshot, out, name, fail_on, suppress))


@one_line_errors
def _render(snapshot: Path, out: Path, name: str | None, fail_on: str | None, suppress: Path | None) -> int:
    from renderers.report import prepare_out, write_report
    from scanner.analysis import analyze
    from scanner.inventory import Inventory, SnapshotError

    options = _options(fail_on, suppress, "embedded")
    try:
        inv = Inventory.load(snapshot)
    except SnapshotError as exc:
        raise UserError(str(exc)) from None
    prepare_out(out)
    analysis = analyze(inv, options)
    files = write_report(inv, analysis, out, project_name=name or inv.meta.get("name"))
    print_summary(inv, analysis, files)
    return exit_code(inv, analysis, options, strict=False)


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


if __name__ == "__main__":
    main()

"""The awsscan command line: scan (default), demo, render.

Every failure the user can cause (credentials, profile, region, snapshot,
output folder) ends with one line on stderr and a non-zero exit; no traceback.
Exit codes: 0 done, 1 a finding at or above --fail-on, 2 bad input,
3 with --strict when part of the account could not be read, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from scanner import __version__
from scanner.errors import UserError

err = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_STRICT = 3
EXIT_INTERRUPTED = 130
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


def say(message: str) -> None:
    """One line on stderr, never wrapped (scripts and CI logs read it)."""
    print(message, file=sys.stderr, flush=True)


def one_line_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            say(f"awsscan: error: {exc}")
            raise typer.Exit(exc.code) from None
        except KeyboardInterrupt:
            say("awsscan: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        out_console.print(f"awsscan {__version__}")
        raise typer.Exit()


ProfileOpt = Annotated[str | None, typer.Option("--profile", "-p", help="AWS profile to use (as the AWS CLI; default: AWS_PROFILE or the default chain).", show_default=False)]
RegionOpt = Annotated[list[str] | None, typer.Option("--region", "-r", help="Region to scan; repeat for several. Default: every region enabled for the account (ec2:DescribeRegions).", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder for design.md, diagrams/, inventory.json and findings.json.")]
NameOpt = Annotated[str | None, typer.Option("--name", "-n", help="Project name in the document title. Default: the account alias, else the account id.", show_default=False)]
WorkersOpt = Annotated[int, typer.Option("--workers", "-w", min=1, max=64, help="Parallel collector threads.")]
FailOnOpt = Annotated[str | None, typer.Option("--fail-on", help="Exit 1 when an open finding at or above this severity exists: critical, high, medium, low or info.", show_default=False)]
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
) -> None:
    """Scan the account behind --profile (read-only) and write the report to --out.

    Examples:

      awsscan --profile prod

      awsscan --profile prod --region us-east-1 --region eu-west-1 --out report/ --name "Payments Platform"

      awsscan render report/inventory.json --out report2/

      awsscan demo --out demo-report/
    """
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
    """Scan, analyse, write; print the summary. Returns the exit code."""
    from renderers.report import write_report
    from scanner.analysis import analyze
    from scanner.runner import scan

    with ScanProgress(quiet=quiet) as progress:
        inv = scan(session, identity, regions, name=name, alias=alias, workers=workers, progress=progress)
    if options.get("pricing") == "live" and options.get("pricing_session") is not None:
        options["pricebook"] = live_prices(options.pop("pricing_session"), inv)
    analysis = analyze(inv, options)
    files = write_report(inv, analysis, out, project_name=name or inv.meta.get("name"))
    if not quiet:
        print_summary(inv, analysis, files)
    if inv.meta.get("partial"):
        say(f"awsscan: scan interrupted: a partial report was written to {files.out}")
        return EXIT_INTERRUPTED
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
    if strict and unseen(inv):
        say("awsscan: part of the account could not be read (--strict)")
        return EXIT_STRICT
    return 0


def unseen(inv: Any) -> list[dict[str, Any]]:
    return [r for r in inv.meta.get("runs", []) if r.get("status") in ("denied", "failed")] + list(inv.meta.get("gaps", []))


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
                self._progress.update(self._task, advance=1,
                                      description=f"{payload.region} · {payload.service} · {payload.collector}{note}")
            elif payload.status in ("denied", "failed"):
                say(f"awsscan: warning: {payload.collector} in {payload.region}: {payload.status}"
                    f" {payload.action} {payload.message}".rstrip())


def print_summary(inv: Any, analysis: Any, files: Any) -> None:
    from rich.markup import escape

    counts = inv.kind_counts()
    table = Table(title=f"awsscan: {escape(str(inv.meta.get('name')))} ({escape(str(inv.meta.get('account')))})",
                  show_lines=False)
    table.add_column("Resource kind")
    table.add_column("Count", justify="right")
    for kind, n in counts.items():
        if kind not in ("aws:account", "aws:region", "internet"):
            table.add_row(escape(kind), str(n))
    out_console.print(table)
    sev = analysis.counts()
    out_console.print("Findings: " + ", ".join(f"{k} {v}" for k, v in sev.items()), markup=False)
    problems = unseen(inv)
    if problems:
        say(f"awsscan: warning: {len(problems)} {'part' if len(problems) == 1 else 'parts'} of the account could not be read; "
                  "the document lists them in each section")
    for w in files.warnings:
        say(f"awsscan: warning: {w}")
    out_console.print(f"Report written to {files.out}/", markup=False)
    out_console.print(f"  document:  {files.document}", markup=False)
    if files.html:
        out_console.print(f"  html:      {files.html}", markup=False)
    out_console.print(f"  diagrams:  {files.out / 'diagrams'}/", markup=False)
    if files.inventory:
        out_console.print(f"  inventory: {files.inventory}", markup=False)
    out_console.print(f"  findings:  {files.findings}", markup=False)


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
    with mock_aws():
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
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        say("awsscan: interrupted")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()

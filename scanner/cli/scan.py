"""The scan: ``awsscan --profile prod`` (the default command)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from scanner import __version__
from scanner.cli.app import app
from scanner.cli.console import STATE, one_line_errors, out_console, stop_signals
from scanner.cli.job import run_job
from scanner.cli.options import (
    DEFAULT_OUT,
    DEFAULT_WORKERS,
    ComplianceOpt,
    ExcludeOpt,
    FailOnOpt,
    MaxRateOpt,
    NameOpt,
    OutOpt,
    PricingOpt,
    ProfileOpt,
    RegionOpt,
    ServicesOpt,
    StrictOpt,
    SuppressOpt,
    VerboseOpt,
    WorkersOpt,
    analysis_options,
    with_compliance,
)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"awsscan {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    out: OutOpt = DEFAULT_OUT,
    name: NameOpt = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    max_rate: MaxRateOpt = None,
    services: ServicesOpt = None,
    exclude_services: ExcludeOpt = None,
    fail_on: FailOnOpt = None,
    compliance: ComplianceOpt = None,
    suppress: SuppressOpt = None,
    strict: StrictOpt = False,
    pricing: PricingOpt = "embedded",
    verbose: VerboseOpt = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On an unexpected error, print the Python traceback (for a bug report) before the one-line message.")] = False,
) -> None:
    """Scan the account behind --profile (read-only) and write the report to --out.

    Examples:

      awsscan --profile prod

      awsscan --profile prod --region us-east-1 --region eu-west-1 --out report/ --name "Payments Platform"

      awsscan --profile prod --services ec2,s3,rds

      awsscan render report/inventory.json --out report2/

      awsscan demo --out demo-report/
    """
    STATE.debug = debug or os.environ.get("AWSSCAN_DEBUG") == "1"
    if ctx.invoked_subcommand is not None:
        return
    code = _scan_command(profile, region, out, name, workers, fail_on, suppress, strict, pricing,
                         services, exclude_services, verbose, compliance, max_rate=max_rate)
    raise typer.Exit(code)


@one_line_errors
def _scan_command(profile: str | None, region: list[str] | None, out: Path, name: str | None,
                  workers: int, fail_on: str | None, suppress: Path | None, strict: bool,
                  pricing: str, services: list[str] | None = None, exclude: list[str] | None = None,
                  verbose: bool = False, compliance: str | None = None, max_rate: float | None = None) -> int:
    from renderers.report import prepare_out
    from scanner.collectors import load_all
    from scanner.selection import select
    from scanner.session import identify, make_session, validate_regions

    options = with_compliance(analysis_options(fail_on, suppress, pricing), compliance)
    chosen = select(load_all(), services, exclude)
    validate_regions(region or [])
    prepare_out(out)
    with stop_signals():
        session = make_session(profile, region[0] if region else None)
        identity, regions, alias = identify(session, region)
        if options.get("pricing") == "live":
            options["pricing_session"] = session
        return run_job(session, identity, regions, out=out, name=name, alias=alias, workers=workers,
                       options=options, strict=strict, selection=chosen, verbose=verbose, max_rate=max_rate)

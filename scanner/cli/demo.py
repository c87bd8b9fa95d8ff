"""``awsscan demo``: the same job on the built-in sample account, built inside moto (offline)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from scanner.cli.app import app
from scanner.cli.console import one_line_errors, say, stop_signals
from scanner.cli.job import run_job
from scanner.cli.options import (
    DEFAULT_WORKERS,
    ComplianceOpt,
    ExcludeOpt,
    FailOnOpt,
    MaxRateOpt,
    ServicesOpt,
    SuppressOpt,
    VerboseOpt,
    WorkersOpt,
    analysis_options,
    with_compliance,
)
from scanner.errors import UserError

DEMO_REGIONS = ["us-east-1", "eu-west-1"]


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output folder.")] = Path("demo-report"),
    name: Annotated[str, typer.Option("--name", "-n", metavar="NAME", help="Project name in the document title.")] = "Sample Web Platform",
    workers: WorkersOpt = DEFAULT_WORKERS,
    max_rate: MaxRateOpt = None,
    fail_on: FailOnOpt = None,
    compliance: ComplianceOpt = None,
    suppress: SuppressOpt = None,
    services: ServicesOpt = None,
    exclude_services: ExcludeOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Scan the built-in sample account (built inside moto, offline) and write its report."""
    raise typer.Exit(_demo(out, name, workers, fail_on, suppress, services, exclude_services, verbose, compliance,
                           max_rate=max_rate))


@one_line_errors
def _demo(out: Path, name: str, workers: int, fail_on: str | None, suppress: Path | None,
          services: list[str] | None = None, exclude: list[str] | None = None, verbose: bool = False,
          compliance: str | None = None, max_rate: float | None = None) -> int:
    from renderers.report import prepare_out
    from scanner.collectors import load_all
    from scanner.selection import select

    options = with_compliance(analysis_options(fail_on, suppress, "embedded"), compliance)
    chosen = select(load_all(), services, exclude)
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
                       workers=workers, options=options, selection=chosen, verbose=verbose, max_rate=max_rate)

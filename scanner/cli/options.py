"""The options the commands share, each defined once with its help text and metavar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from scanner.errors import UserError

FAIL_ON = ("critical", "high", "medium", "low", "info")
DEFAULT_OUT = Path("awsscan-report")

ProfileOpt = Annotated[str | None, typer.Option("--profile", "-p", metavar="PROFILE", help="AWS profile to use (as the AWS CLI; default: AWS_PROFILE or the default chain).", show_default=False)]
RegionOpt = Annotated[list[str] | None, typer.Option("--region", "-r", metavar="REGION", help="Region to scan; repeat for several. Default: every region enabled for the account (ec2:DescribeRegions).", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output folder for design.md, design.html, diagrams/, inventory.json and findings.json.")]
NameOpt = Annotated[str | None, typer.Option("--name", "-n", metavar="NAME", help="Project name in the document title. Default: the account alias, else the account id.", show_default=False)]
#: collector runs at once (scanner.runner.DEFAULT_WORKERS; each service and region lane keeps to its own share)
DEFAULT_WORKERS = 128
WorkersOpt = Annotated[int, typer.Option("--workers", "-w", metavar="N", min=1, max=512, help="Collector runs at once, over every service and region (each lane of one service in one region also keeps to its own concurrency). 1 runs them one after another.")]
MaxRateOpt = Annotated[float | None, typer.Option("--max-rate", metavar="N", min=0.1, help="At most N requests per second for the whole scan, retries included, for accounts where scanning must stay gentle. Default: each service's documented rate in each region, halved while AWS throttles.", show_default=False)]
FailOnOpt = Annotated[str | None, typer.Option("--fail-on", metavar="SEVERITY", help="Exit 1 when an open finding at or above this severity exists: critical, high, medium, low or info. Exit 3 when the report cannot back a pass (most collector runs denied or failed, or the scan stopped early).", show_default=False)]
SuppressOpt = Annotated[Path | None, typer.Option("--suppress", metavar="FILE", help="YAML or TOML file of accepted risks: a top-level 'suppressions' list of {rule, resource (glob), reason} (see the README).", show_default=False)]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 3 when any service or call was denied or failed (default: warn and exit 0).")]
PricingOpt = Annotated[str, typer.Option("--pricing", metavar="SOURCE", help="Price source for section 10: 'embedded' (shipped table) or 'live' (AWS Price List API, cached).")]
ServicesOpt = Annotated[list[str] | None, typer.Option("--services", metavar="NAMES", help="Scan only these, comma-separated or repeated: AWS services (ec2, s3, rds, lambda, ...), collector families (network, storage, database, ...) or collectors (ec2.vpcs); `awsscan services` lists them. The document says what was left out.", show_default=False)]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude-services", metavar="NAMES", help="Leave these out (same names as --services); the document says they were not scanned by choice.", show_default=False)]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Print the count of every resource kind found, not only the summary line.")]
ComplianceOpt = Annotated[str | None, typer.Option("--compliance", metavar="FRAMEWORK", help="Limit the compliance summary (section 5.4 and findings.json) to one framework: 'cis' (CIS AWS Foundations Benchmark v3.0.0) or 'fsbp' (AWS Foundational Security Best Practices). Default: both.", show_default=False)]


def analysis_options(fail_on: str | None, suppress: Path | None, pricing: str) -> dict[str, Any]:
    """The options analysis and rendering read, validated: a bad value is a one-line error."""
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


def with_compliance(opts: dict[str, Any], framework: str | None) -> dict[str, Any]:
    """``opts`` with the --compliance choice (validated: a bad value is a one-line error)."""
    from scanner.analysis.compliance import FRAMEWORKS

    if framework is not None:
        if framework.lower() not in FRAMEWORKS:
            raise UserError(f"--compliance must be one of {', '.join(FRAMEWORKS)} (got {framework!r})")
        opts["compliance"] = framework.lower()
    return opts

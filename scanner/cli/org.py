"""``awsscan org``: every account of an AWS Organization, and ``awsscan org-render`` (offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scanner.cli.app import app
from scanner.cli.console import EXIT_STRICT, one_line_errors, out_console, printable, say, stop_signals
from scanner.cli.options import ExcludeOpt, MaxRateOpt, ProfileOpt, RegionOpt, ServicesOpt, StrictOpt
from scanner.errors import UserError
from scanner.org.model import Organization

_DEFAULT_OUT = Path("awsscan-org")


def _print(text: str) -> None:
    out_console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


@app.command("org")
def org_command(
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output folder: org.md, org.html, organization.json, diagrams/org_overview.svg, and one full report per account in accounts/<account-id>/.")] = _DEFAULT_OUT,
    role_name: Annotated[str, typer.Option("--role-name", metavar="ROLE", help="Role assumed in each member account (sts:AssumeRole, session name 'awsscan'). The caller's own account is read with the caller's credentials.")] = "OrganizationAccountAccessRole",
    accounts: Annotated[list[str] | None, typer.Option("--accounts", metavar="IDS", help="Scan only these account ids (comma-separated or repeated); the others are listed as excluded.", show_default=False)] = None,
    exclude_accounts: Annotated[list[str] | None, typer.Option("--exclude-accounts", metavar="IDS", help="Leave these account ids out (comma-separated or repeated).", show_default=False)] = None,
    from_profiles: Annotated[list[str] | None, typer.Option("--accounts-from-profiles", metavar="PROFILES", help="Reach the accounts through these AWS profiles (comma-separated) instead of assuming --role-name; the organization is still read with --profile when allowed.", show_default=False)] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", min=1, max=64, help="Accounts scanned at once (with --scheduler: tasks in flight on the cluster).")] = 4,
    workers: Annotated[int, typer.Option("--workers", "-w", metavar="N", min=1, max=64, help="Collector runs at once inside each account.")] = 8,
    services: ServicesOpt = None,
    exclude_services: ExcludeOpt = None,
    max_rate: MaxRateOpt = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="URL", help="Run the account scans as tasks on an existing Dask distributed cluster (tcp://HOST:PORT or tls://HOST:PORT; needs pip install 'awsscan[dask]' here and awsscan on the workers).", show_default=False)] = None,
    strict: StrictOpt = False,
) -> None:
    """Scan every account of the AWS Organization (read-only) and write the organization document.

    Run with the management account's credentials (or a delegated administrator's). Suspended
    accounts are skipped; an account that cannot be assumed or whose scan fails is listed with
    the reason, and the others complete (exit 0; with --strict, exit 3).

    Examples:

      awsscan org --profile management --out org-report/

      awsscan org --profile management --accounts 111111111111,222222222222 --services ec2,s3,iam

      awsscan org --accounts-from-profiles dev,prod --region eu-west-1

      awsscan org --profile management --scheduler tcp://10.0.0.5:8786 --jobs 32

      awsscan org-render org-report/
    """
    raise typer.Exit(_org(profile, region, out, role_name, accounts, exclude_accounts, from_profiles, jobs, workers,
                          services, exclude_services, max_rate, scheduler, strict))


@app.command("org-render")
def org_render_command(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The folder an `awsscan org` run wrote (organization.json and accounts/*/inventory.json).")],
) -> None:
    """Rebuild org.md, org.html and the overview diagram offline from a run's saved files (no AWS calls)."""
    raise typer.Exit(_org_render(folder))


@one_line_errors
def _org(profile: str | None, region: list[str] | None, out: Path, role_name: str, only: list[str] | None,
         exclude: list[str] | None, from_profiles: list[str] | None, jobs: int, workers: int,
         services: list[str] | None, exclude_services: list[str] | None, max_rate: float | None,
         scheduler: str | None, strict: bool) -> int:
    from scanner.collectors import load_all
    from scanner.org import model, run
    from scanner.org.assume import Opener, check_role_name
    from scanner.org.scan import Settings, run_local
    from scanner.selection import select
    from scanner.session import DEFAULT_REGION, make_session, validate_regions, verify_identity

    check_role_name(role_name)
    only_ids, exclude_ids = run.parse_ids(only, "--accounts"), run.parse_ids(exclude, "--exclude-accounts")
    profiles = run.parse_profiles(from_profiles)
    if from_profiles is not None and not profiles:
        raise UserError("--accounts-from-profiles needs at least one profile name")
    select(load_all(), services, exclude_services)  # bad names are one line before anything is read
    regions = validate_regions(region or [])
    if scheduler is not None:
        from scanner.org.dask import _distributed, check_scheduler

        check_scheduler(scheduler)
        _distributed()
    run.check_out(out)
    settings = Settings(regions=tuple(region or ()), workers=workers, services=tuple(services or ()),
                        exclude=tuple(exclude_services or ()), max_rate=max_rate)
    with stop_signals():
        session = make_session(profile, region[0] if region else None)
        identity = verify_identity(session)
        opener = Opener(session, identity, region[0] if region else (session.region_name or DEFAULT_REGION))
        org, by_profile = run.read(session, identity, opener, profiles)
        org.settings = {"role_name": None if by_profile is not None else role_name, "regions": regions,
                        "services": list(settings.services), "exclude": list(settings.exclude)}
        work = run.plan(org, role_name=role_name, only=only_ids, exclude=exclude_ids, profiles=by_profile)
        for acct in org.accounts:
            if acct.outcome:
                _print(f"{acct.id} {acct.name}: {acct.outcome} ({acct.reason})")
        _print(f"Scanning {len(work)} of {len(org.accounts)} accounts, {jobs} at once"
               + (f" on {scheduler}" if scheduler else ""))

        def done(acct: model.Account) -> None:
            _print(f"{acct.id} {acct.name}: {acct.outcome}" + (f" ({acct.reason})" if acct.reason else ""))

        try:
            if scheduler is not None:
                from scanner.org.dask import run_dask

                run_dask(scheduler, work, opener, settings, out, jobs=jobs, done=done)
            else:
                run_local(work, opener, settings, out, jobs=jobs, done=done)
        except BaseException:  # an interrupt still leaves organization.json and a roll-up of what finished
            _keep_what_finished(org, out)
            raise
        run.save(org, out)
        _files, warnings, _ = run.render(out)
    for w in warnings:
        say(f"awsscan: warning: {w}")
    scanned = sum(1 for a in org.accounts if a.outcome == model.SCANNED)
    missed = [a for a in org.accounts if a.outcome in (model.NOT_ASSUMED, model.FAILED)]
    _print(f"Organization report written to {out}/ (org.md, org.html, organization.json): "
           f"{scanned} of {len(org.accounts)} accounts scanned")
    for a in missed:
        say(f"awsscan: warning: account {a.id} ({a.name}) {a.outcome}: {a.reason}")
    if strict and missed:
        say(f"awsscan: {len(missed)} {'account' if len(missed) == 1 else 'accounts'} could not be scanned (--strict)")
        return EXIT_STRICT
    return 0


def _keep_what_finished(org: Organization, out: Path) -> None:
    """After an interrupt or an error: save and roll up what finished, without hiding the cause."""
    from scanner.org import model, run

    try:
        run.save(org, out)
        run.render(out)
        if any(a.outcome == model.SCANNED for a in org.accounts):
            say(f"awsscan: the accounts that finished are in {out}/ (organization.json, org.md); "
                f"`awsscan org-render {out}` rebuilds the roll-up")
    except Exception as exc:  # the original error is what the user must see
        say(f"awsscan: warning: could not save what finished: {type(exc).__name__}: {str(exc)[:200]}")


@one_line_errors
def _org_render(folder: Path) -> int:
    from scanner.org import run

    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder: org-render needs the folder an `awsscan org` run wrote")
    run.check_out(folder)
    files, warnings, data = run.render(folder)
    for w in warnings:
        say(f"awsscan: warning: {w}")
    _print(f"Organization report written to {folder}/ (org.md, org.html) from "
           f"{len(data['kinds']['accounts'])} account snapshots")
    return 0


"""The org command's job: decide what happens to each account, run the scans, save, roll up.

Kept apart from the CLI module so the plan (which account is skipped, excluded, reached how)
is plain code with one-line errors for bad input, and the roll-up is always written from the
saved files (:func:`render`), the same path ``awsscan org-render`` takes.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.errors import UserError
from scanner.inventory import atomic_write
from scanner.org import model
from scanner.org.assume import Access, Opener, role_arn
from scanner.org.model import Account, Organization

ACCOUNT_ID = re.compile(r"^\d{12}$")
#: the files the organization run writes at the top of --out (accounts/<id>/ are ordinary reports)
TOP_FILES = ("org.md", "org.html", model.FILENAME)


def parse_ids(values: Sequence[str] | None, flag: str) -> list[str]:
    """``--accounts 111111111111,222222222222 --accounts 333333333333`` -> ids; a bad id is one line."""
    out: list[str] = []
    for v in values or ():
        for token in (t.strip() for t in v.split(",")):
            if not token:
                continue
            if not ACCOUNT_ID.match(token):
                raise UserError(f"{flag}: {token!r} is not an AWS account id (12 digits)")
            out.append(token)
    return list(dict.fromkeys(out))


def parse_profiles(values: Sequence[str] | None) -> list[str]:
    return list(dict.fromkeys(t.strip() for v in values or () for t in v.split(",") if t.strip()))


def check_out(out: Path) -> None:
    """--out is usable before anything is read: a folder, and our top files regular files or absent."""
    from renderers.report import prepare_out

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"output path {out} exists and is not a folder")
    for name in (*TOP_FILES, "accounts"):
        path = out / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise UserError(f"refusing to write through a symlink in the output folder: {path}")
        if name == "accounts" and not stat.S_ISDIR(st.st_mode):
            raise UserError(f"a file is in the way of the output folder: {path}")
        if name != "accounts" and not stat.S_ISREG(st.st_mode):
            raise UserError(f"something that is not a regular file is in the way of {path}")
    prepare_out(out)


def plan(org: Organization, *, role_name: str, only: list[str], exclude: list[str],
         profiles: dict[str, str] | None) -> list[tuple[Account, Access]]:
    """Each account's fate before any scan: suspended and excluded accounts get their outcome
    here; the rest are returned with how they will be reached.

    ``profiles`` maps account id -> profile (--accounts-from-profiles); without it, the
    caller's own account is read with the caller's credentials and every other one through
    ``role_name``.
    """
    known = {a.id for a in org.accounts}
    for flag, ids in (("--accounts", only), ("--exclude-accounts", exclude)):
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UserError(f"{flag}: unknown account id {unknown[0]}: not one of the organization's "
                            f"{len(known)} accounts{' (nor a profile account)' if profiles else ''}")
    work: list[tuple[Account, Access]] = []
    for a in sorted(org.accounts, key=lambda a: a.id):
        if a.status != "ACTIVE":
            a.outcome, a.reason = model.SUSPENDED, f"status {a.status} in the organization: skipped"
        elif only and a.id not in only:
            a.outcome, a.reason = model.EXCLUDED, "not named in --accounts"
        elif a.id in exclude:
            a.outcome, a.reason = model.EXCLUDED, "named in --exclude-accounts"
        elif profiles is not None:
            if a.id in profiles:
                work.append((a, Access(a.id, "profile", profile=profiles[a.id])))
            else:
                a.outcome, a.reason = model.EXCLUDED, "no profile for it in --accounts-from-profiles"
        elif a.id == org.caller_account:
            work.append((a, Access(a.id, "caller")))
        else:
            work.append((a, Access(a.id, "role", role_arn=role_arn(org.partition, a.id, role_name))))
    return work


def read(session: Any, identity: Any, opener: Opener, profile_names: list[str]) -> tuple[Organization, dict[str, str] | None]:
    """The organization, and the account -> profile map of --accounts-from-profiles.

    With profiles, an organization that cannot be read (not the management account) is not an
    error: the profiles' accounts are the list, and the document says the structure was not read.
    """
    from scanner.org.accounts import from_profiles, read_organization

    if not profile_names:
        return read_organization(session, identity), None
    idents = [(p, opener.profile_identity(p)) for p in profile_names]
    profiles: dict[str, str] = {}
    for p, ident in idents:
        profiles.setdefault(ident.account, p)
    try:
        org = read_organization(session, identity)
    except UserError as exc:
        org = from_profiles(idents, identity)
        org.unread["organization"] = f"not read ({exc}); the accounts come from --accounts-from-profiles"
        return org, profiles
    for aid, p in sorted(profiles.items()):
        if org.account(aid) is None:
            org.accounts.append(Account(id=aid, name=aid, access=f"profile {p}"))
    return org, profiles


def save(org: Organization, out: Path) -> Path:
    return atomic_write(Path(out) / model.FILENAME, org.to_json())


def render(out: Path) -> tuple[list[Path], list[str], dict[str, Any]]:
    """org.md, org.html and the overview from OUT/organization.json and the accounts' snapshots."""
    from renderers.org_report import write_org
    from scanner.org.rollup import build, load_snapshots

    org = model.load(out)
    snapshots, warnings = load_snapshots(out, org)
    data = build(org, snapshots)
    files, more = write_org(data, out)
    return files, warnings + more, data

"""The organization as awsscan saves it (``OUT/organization.json``) and what happened to each account.

One small, JSON-shaped model shared by the reader (accounts.py), the scans (scan.py, dask.py)
and the roll-up (rollup.py), so the roll-up can be rebuilt from the file alone. No email
address or other personal detail of an account is kept: the document needs ids, names, OUs.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.errors import UserError

SCHEMA = 1
FILENAME = "organization.json"
#: the largest organization.json org-render reads (an organization of 10,000 accounts is far below)
MAX_BYTES = 64 * 1024 * 1024

# what happened to an account: every account listed says one of these, with a reason where not scanned
SCANNED = "scanned"
SUSPENDED = "suspended"            # not ACTIVE in the organization: skipped, never assumed
EXCLUDED = "excluded"              # left out by --accounts / --exclude-accounts
NOT_ASSUMED = "not assumed"        # sts:AssumeRole (or the profile) gave no credentials
FAILED = "failed"                  # credentials worked, the scan itself did not finish
INTERRUPTED = "interrupted"        # Ctrl-C / SIGTERM before its scan ended
OUTCOMES = (SCANNED, SUSPENDED, EXCLUDED, NOT_ASSUMED, FAILED, INTERRUPTED)


@dataclass
class Account:
    id: str
    name: str
    status: str = "ACTIVE"                 # the organization's own status (ACTIVE, SUSPENDED, PENDING_CLOSURE)
    ou: str = ""                           # the parent's id ("" when the OUs could not be read)
    ou_path: str = ""                      # "Root / Prod / Web"
    joined: str = ""                       # CREATED | INVITED
    outcome: str = ""                      # one of OUTCOMES once the run decided
    reason: str = ""                       # why not scanned, or how the scan ended
    access: str = ""                       # how it was read: "role X", "caller's credentials", "profile p"
    regions: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Account:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Organization:
    """What was read of the organization, and the run's outcome for each account."""

    id: str | None = None
    arn: str | None = None
    management_account: str | None = None
    feature_set: str | None = None
    caller_account: str = ""
    caller_arn: str = ""
    partition: str = "aws"
    #: "organizations" (read through the Organizations API) or "profiles" (--accounts-from-profiles only)
    source: str = "organizations"
    ous: list[dict[str, Any]] = field(default_factory=list)         # {id, name, path, parent}
    accounts: list[Account] = field(default_factory=list)
    policies: list[dict[str, Any]] | None = None                    # SCPs {id, name, aws_managed, targets}
    delegated: list[dict[str, Any]] | None = None                   # {account, name, services: [principal]}
    #: what could not be read, by part ("ous", "policies", "delegated", "organization"): the reason
    unread: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)          # role, regions, services, jobs, scheduler
    read_at: str = ""

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["accounts"] = [asdict(a) for a in sorted(self.accounts, key=lambda a: a.id)]
        return {"schema": SCHEMA, "tool": "awsscan", "tool_version": __version__, **data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Organization:
        if not isinstance(data, dict) or data.get("tool") != "awsscan" or not isinstance(data.get("accounts"), list):
            raise ValueError("not an awsscan organization.json")
        if data.get("schema") != SCHEMA:
            raise ValueError(f"organization.json schema {data.get('schema')!r} is not {SCHEMA} (written by "
                             f"awsscan {data.get('tool_version')!r})")
        known = {f for f in cls.__dataclass_fields__}
        org = cls(**{k: v for k, v in data.items() if k in known and k != "accounts"})
        org.accounts = [Account.from_dict(a) for a in data["accounts"] if isinstance(a, dict) and a.get("id")]
        return org


def load(out: Path) -> Organization:
    """``OUT/organization.json``, read as a snapshot is: a bounded regular file; one-line errors."""
    path = Path(out) / FILENAME
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(f"{path} not found: org-render needs the folder an `awsscan org` run wrote") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{path} is not a regular file")
    if st.st_size > MAX_BYTES:
        raise UserError(f"{path} is {st.st_size:,} bytes, over the {MAX_BYTES:,}-byte limit")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Organization.from_dict(data)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise UserError(f"{path} is not a readable awsscan organization file: {str(exc)[:200]}") from None

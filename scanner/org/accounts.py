"""Read the organization: accounts, OUs, SCPs and their targets, delegated administrators.

Only ``organizations:ListAccounts`` is essential: without it there is no list of accounts to
scan, which is a one-line error saying to run with the management account's (or a delegated
administrator's) credentials. Everything else is read if allowed, and recorded in
``Organization.unread`` with the reason when not, so the document says "could not be read"
instead of "none" (an SCP list that was denied is not an organization without SCPs).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions as bexc

from scanner.context import DENIED_CODES
from scanner.errors import EXPIRED_CODES, UserError
from scanner.org.model import Account, Organization
from scanner.session import Identity, client

#: the organization's own "you are not in one / not allowed" answers to ListAccounts
NOT_IN_ORG = frozenset({"AWSOrganizationsNotInUseException"})
NOT_MANAGEMENT = frozenset({"AccessDeniedException", "AccessDenied", "AccessDeniedForDependencyException"})


def _code(exc: bexc.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _why(exc: bexc.ClientError, action: str) -> str:
    code = _code(exc)
    if code in DENIED_CODES or code in NOT_MANAGEMENT:
        return f"{action}: access denied"
    return f"{action}: {code}: {str(exc.response.get('Error', {}).get('Message', ''))[:160]}"


def _pages(org: Any, op: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a paginated Organizations list (the paginator follows NextToken)."""
    for page in org.get_paginator(op).paginate(**kwargs):
        yield from page.get(key) or []


def list_accounts(org: Any) -> list[Account]:
    """organizations:ListAccounts, or a one-line error that says whose credentials are needed."""
    try:
        raw = list(_pages(org, "list_accounts", "Accounts"))
    except bexc.ClientError as exc:
        code = _code(exc)
        if code in EXPIRED_CODES:
            raise UserError("the AWS credentials have expired: refresh them (aws sso login, or new keys)") from None
        if code in NOT_IN_ORG:
            raise UserError("this account is not in an AWS Organization (organizations:ListAccounts: "
                            "AWSOrganizationsNotInUseException): scan it with `awsscan`, or list accounts "
                            "with --accounts-from-profiles") from None
        if code in NOT_MANAGEMENT or code in DENIED_CODES:
            raise UserError("organizations:ListAccounts was denied: run `awsscan org` with the management "
                            "account's credentials (or a delegated administrator's), or pass "
                            "--accounts-from-profiles") from None
        raise UserError(f"organizations:ListAccounts failed ({code}): "
                        f"{str(exc.response.get('Error', {}).get('Message', ''))[:200]}") from None
    except bexc.BotoCoreError as exc:
        raise UserError(f"cannot list the organization's accounts: {exc}") from None
    out = []
    for a in raw:
        if not a.get("Id"):
            continue
        out.append(Account(id=str(a["Id"]), name=str(a.get("Name") or a["Id"]),
                           status=str(a.get("State") or a.get("Status") or "ACTIVE").upper(),
                           joined=str(a.get("JoinedMethod") or "")))
    if not out:  # an organization always holds its management account; an emulator may answer empty
        raise UserError("this account is not in an AWS Organization (organizations:ListAccounts listed no "
                        "account): scan it with `awsscan`, or list accounts with --accounts-from-profiles")
    return sorted(out, key=lambda a: a.id)


def walk_ous(org: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every root and OU (breadth first, with its path from the root) and each account's parent.

    Two calls per OU (ListOrganizationalUnitsForParent, ListAccountsForParent): an
    organization has tens of OUs, not thousands, so this stays a few seconds.
    """
    ous: list[dict[str, Any]] = []
    parent_of: dict[str, str] = {}
    queue: deque[tuple[str, str, str | None]] = deque()
    for root in _pages(org, "list_roots", "Roots"):
        queue.append((root["Id"], str(root.get("Name") or "Root"), None))
    seen: set[str] = set()
    while queue:
        oid, path, parent = queue.popleft()
        if oid in seen:
            continue
        seen.add(oid)
        ous.append({"id": oid, "name": path.rsplit(" / ", 1)[-1], "path": path, "parent": parent})
        for acct in _pages(org, "list_accounts_for_parent", "Accounts", ParentId=oid):
            if acct.get("Id"):
                parent_of[str(acct["Id"])] = oid
        for child in _pages(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=oid):
            queue.append((child["Id"], f"{path} / {child.get('Name') or child['Id']}", oid))
    return ous, parent_of


def service_control_policies(org: Any) -> list[dict[str, Any]]:
    """SCPs and the roots, OUs and accounts each is attached to."""
    out = []
    for p in _pages(org, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
        targets = [{"id": t.get("TargetId"), "name": t.get("Name"), "type": t.get("Type")}
                   for t in _pages(org, "list_targets_for_policy", "Targets", PolicyId=p["Id"])]
        out.append({"id": p["Id"], "name": p.get("Name") or p["Id"], "aws_managed": bool(p.get("AwsManaged")),
                    "description": (p.get("Description") or "")[:200],
                    "targets": sorted(targets, key=lambda t: (str(t["type"]), str(t["id"])))})
    return sorted(out, key=lambda p: (p["name"], p["id"]))


def delegated_administrators(org: Any) -> list[dict[str, Any]]:
    """Each delegated administrator account and the service principals it administers.

    One unfiltered ListDelegatedAdministrators, then ListDelegatedServicesForAccount per
    administrator (a handful), rather than one filtered call per service principal: that
    finds every delegation, including services awsscan does not name.
    """
    out = []
    for admin in _pages(org, "list_delegated_administrators", "DelegatedAdministrators"):
        aid = str(admin.get("Id") or "")
        if not aid:
            continue
        services = [str(s.get("ServicePrincipal")) for s in
                    _pages(org, "list_delegated_services_for_account", "DelegatedServices", AccountId=aid)
                    if s.get("ServicePrincipal")]
        out.append({"account": aid, "name": admin.get("Name") or aid, "services": sorted(services)})
    return sorted(out, key=lambda d: d["account"])


def read_organization(session: Any, identity: Identity) -> Organization:
    """The organization as the caller may see it; only ListAccounts is required."""
    org = client(session, "organizations")
    result = Organization(caller_account=identity.account, caller_arn=identity.arn, partition=identity.partition,
                          read_at=datetime.now(UTC).isoformat(timespec="seconds"))
    result.accounts = list_accounts(org)
    try:
        desc = org.describe_organization().get("Organization") or {}
        result.id, result.arn = desc.get("Id"), desc.get("Arn")
        result.management_account = desc.get("MasterAccountId")
        result.feature_set = desc.get("FeatureSet")
    except bexc.ClientError as exc:
        result.unread["organization"] = _why(exc, "organizations:DescribeOrganization")
    try:
        result.ous, parent_of = walk_ous(org)
        paths = {o["id"]: o["path"] for o in result.ous}
        for a in result.accounts:
            a.ou = parent_of.get(a.id, "")
            a.ou_path = paths.get(a.ou, "")
    except bexc.ClientError as exc:
        result.unread["ous"] = _why(exc, f"organizations:{exc.operation_name or 'ListRoots'}")
    for part, read in (("policies", service_control_policies), ("delegated", delegated_administrators)):
        try:
            setattr(result, part, read(org))
        except bexc.ClientError as exc:
            result.unread[part] = _why(exc, f"organizations:{exc.operation_name or part}")
    return result


def from_profiles(identities: list[tuple[str, Identity]], caller: Identity) -> Organization:
    """An organization of the --accounts-from-profiles accounts only (ListAccounts not readable)."""
    result = Organization(caller_account=caller.account, caller_arn=caller.arn, partition=caller.partition,
                          source="profiles", read_at=datetime.now(UTC).isoformat(timespec="seconds"))
    seen: dict[str, Account] = {}
    for profile, ident in identities:
        seen.setdefault(ident.account, Account(id=ident.account, name=ident.account, access=f"profile {profile}"))
    result.accounts = sorted(seen.values(), key=lambda a: a.id)
    result.unread["organization"] = "not read: the accounts come from --accounts-from-profiles"
    return result

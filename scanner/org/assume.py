"""One guarded session per account: the assumed --role-name, a profile, or the caller's own.

Why the credentials are handled this way:

- ``sts:AssumeRole`` is the org command's own call, made on one STS client of the caller's
  (guarded) session, where the read-only guard allows it by its (service, operation) pair
  (``scanner.guard.SDK_CALLS``). It is never a collector's call: collectors name no STS
  operation but GetCallerIdentity (checked statically by tests/test_org.py), and every member
  account's session carries :func:`refuse_credential_calls`, so nothing running inside a member
  account's scan can mint further credentials (a member session has fixed, refreshed-by-us
  credentials and never needs the SDK to fetch any).
- Locally, a member session's credentials are refreshable: botocore calls back here to assume
  the role again before they expire, so a scan longer than the role's session (one hour when
  chained) keeps working. Tasks on a Dask cluster get frozen temporary credentials instead.
- Long-lived access keys never leave this process (see :func:`shippable`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions as bexc
import botocore.session
from botocore.credentials import RefreshableCredentials

from scanner.errors import UserError
from scanner.guard import WriteRefused, install_guard
from scanner.session import Identity, client, strip_s3control_account_prefix, verify_identity

DEFAULT_ROLE = "OrganizationAccountAccessRole"
SESSION_NAME = "awsscan"
#: an IAM role name, optionally with its path (``path/to/Role``)
ROLE_NAME_RE = re.compile(r"^(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
#: the calls that hand out credentials, allowed by the guard for SDK credential resolution and
#: refused outright in a member account's session (it never needs them)
CREDENTIAL_CALLS = frozenset({
    "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:AssumeRoot",
    "sts:GetSessionToken", "sts:GetFederationToken", "sso:GetRoleCredentials", "sso-oidc:CreateToken",
    "signin:CreateOAuth2Token",
})


class AccessFailed(Exception):
    """No credentials for one account: it is listed as "not assumed" with this reason; the others go on."""


def check_role_name(name: str) -> str:
    if not ROLE_NAME_RE.match(name or ""):
        raise UserError(f"--role-name {name!r} is not an IAM role name (letters, digits and +=,.@_- ; "
                        "at most 64 characters, optionally after a path/)")
    return name


def role_arn(partition: str, account: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


@dataclass(frozen=True)
class Access:
    """How one account is reached; ``describe()`` is what the document's account list says."""

    account: str
    how: str                  # "role" | "caller" | "profile"
    role_arn: str = ""
    profile: str = ""

    def describe(self) -> str:
        if self.how == "role":
            return f"assumed role {self.role_arn.rsplit('/', 1)[-1]}"
        if self.how == "profile":
            return f"profile {self.profile}"
        return "the caller's own credentials"


def refuse_credential_calls(model: Any = None, **_: Any) -> None:
    """before-call hook of member sessions: no credential-minting call, whatever the guard allows."""
    call = f"{model.service_model.service_name}:{model.name}"
    if call in CREDENTIAL_CALLS:
        raise WriteRefused(f"awsscan org: refused {call} inside a member account's scan "
                           "(only the org command itself assumes roles, from the caller's session)")


def guarded_session(credentials: Any, region: str) -> boto3.Session:
    """A boto3 Session on given credentials with the read-only guard and the member-session hook.

    ``credentials`` is a botocore Credentials object (refreshable) or a dict of frozen
    ``access_key``/``secret_key``/``token``.
    """
    core = botocore.session.get_session()
    if isinstance(credentials, dict):
        core.set_credentials(credentials["access_key"], credentials["secret_key"], credentials.get("token"))
    else:
        core._credentials = credentials  # botocore's documented way to give a session refreshable credentials
    session = boto3.Session(botocore_session=core, region_name=region)
    install_guard(session.events)
    session.events.register("before-call", refuse_credential_calls, unique_id="awsscan-org-member-session")
    session.events.register("before-call.s3-control", strip_s3control_account_prefix,
                            unique_id="awsscan-s3control-custom-endpoint")
    return session


def _reason(exc: Exception, what: str) -> str:
    if isinstance(exc, bexc.ClientError):
        err = exc.response.get("Error", {})
        return f"{what}: {err.get('Code', '')}: {str(err.get('Message', ''))[:200]}".rstrip(": ")
    if isinstance(exc, UserError):
        return f"{what}: {exc}"
    return f"{what}: {type(exc).__name__}: {str(exc)[:200]}"


class Opener:
    """Opens each account's session: the caller's own, a profile's, or the assumed role's.

    One STS client is made up front from the caller's session (botocore clients are safe to
    share between threads; sessions are not), and each assumption is made just before that
    account's scan, so queued accounts do not hold credentials that age while they wait.
    """

    def __init__(self, caller: Any, identity: Identity, home_region: str) -> None:
        self.caller = caller
        self.identity = identity
        self.region = home_region
        self.sts = client(caller, "sts", home_region)
        self._lock = threading.Lock()
        self._profiles: dict[str, Any] = {}

    def credentials(self, access: Access) -> dict[str, Any]:
        """Frozen credentials for ``access`` (for a Dask task); AccessFailed when there are none."""
        if access.how == "role":
            return self._assume(access)
        session = self.caller if access.how == "caller" else self._profile(access.profile)
        creds = session.get_credentials()
        if creds is None:
            raise AccessFailed(f"no credentials for {access.describe()}")
        frozen = creds.get_frozen_credentials()
        return {"access_key": frozen.access_key, "secret_key": frozen.secret_key, "token": frozen.token}

    def session(self, access: Access) -> Any:
        """A session in the account, checked with sts:GetCallerIdentity to be the account asked for."""
        if access.how == "caller":
            session = self.caller
        elif access.how == "profile":
            session = self._profile(access.profile)
        else:
            creds = RefreshableCredentials.create_from_metadata(self._assume(access), lambda: self._refresh(access),
                                                                "sts-assume-role")
            session = guarded_session(creds, self.region)
        try:
            ident = verify_identity(session)
        except UserError as exc:
            raise AccessFailed(_reason(exc, f"sts:GetCallerIdentity with {access.describe()}")) from None
        if ident.account != access.account:
            raise AccessFailed(f"{access.describe()} answers for account {ident.account}, not {access.account}")
        return session

    def _assume(self, access: Access) -> dict[str, Any]:
        try:
            c = self.sts.assume_role(RoleArn=access.role_arn, RoleSessionName=SESSION_NAME)["Credentials"]
        except (bexc.ClientError, bexc.BotoCoreError) as exc:
            raise AccessFailed(_reason(exc, f"sts:AssumeRole {access.role_arn}")) from None
        expiry = c.get("Expiration")
        return {"access_key": c["AccessKeyId"], "secret_key": c["SecretAccessKey"], "token": c["SessionToken"],
                "expiry_time": expiry.isoformat() if hasattr(expiry, "isoformat") else str(expiry)}

    def _refresh(self, access: Access) -> dict[str, Any]:
        """botocore's refresh callback: a failure is an SDK credential error, so the runner stops the
        account's scan as "credentials expired" (partial, saved) instead of failing every collector."""
        try:
            return self._assume(access)
        except AccessFailed as exc:
            raise bexc.CredentialRetrievalError(provider="awsscan org", error_msg=str(exc)) from None

    def _profile(self, profile: str) -> Any:
        from scanner.session import make_session

        with self._lock:  # a profile's session is made once, and boto3 sessions are made one at a time
            if profile not in self._profiles:
                self._profiles[profile] = make_session(profile, self.region)
            return self._profiles[profile]

    def profile_identity(self, profile: str) -> Identity:
        """The account behind a --accounts-from-profiles profile (a one-line error when it has none)."""
        return verify_identity(self._profile(profile))


def shippable(creds: dict[str, Any]) -> bool:
    """Whether credentials may be sent to a Dask worker: temporary ones only (they carry a session
    token and expire); long-lived access keys stay here and that account is scanned locally."""
    return bool(creds.get("token"))

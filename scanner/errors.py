"""Errors that end a run with one clear line (never a traceback)."""

from __future__ import annotations

from typing import Any

#: AWS error codes that say the request's credentials have expired, in any region.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})


class UserError(Exception):
    """Bad input or environment: printed as one line, exit code ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class CredentialsExpired(UserError):
    """The credentials stopped working after sts:GetCallerIdentity succeeded.

    Raised from the botocore hook (or the runner) in a worker thread so the scan
    stops at once instead of recording every later collector as "failed".
    ``error`` is the AWS error code (or SDK exception name), ``operation`` the
    ``service:Operation`` that met it.
    """

    def __init__(self, error: str, operation: str, region: str = "", detail: str = "") -> None:
        where = f"{error} from {operation}" + (f" in {region}" if region else "")
        if error in EXPIRED_CODES:
            what = "expired"
        elif error.endswith(("Error", "Required")):  # an SDK refresh failure (SSO token, role chain)
            what = "expired and could not be refreshed"
        else:
            what = "expired or were revoked"
        message = f"the credentials {what} during the scan ({where})"
        if detail:
            message += f": {detail}"
        super().__init__(message, code=2)
        self.error = error
        self.operation = operation
        self.region = region
        self.detail = detail

    def again(self) -> CredentialsExpired:
        """A fresh copy for another thread (one exception object must not be raised in two threads)."""
        return CredentialsExpired(self.error, self.operation, self.region, self.detail)

    def as_meta(self) -> dict[str, Any]:
        """What the snapshot records about why the scan stopped."""
        return {"error": self.error, "operation": self.operation, "region": self.region, "message": str(self)}

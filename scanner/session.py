"""Credentials, identity, regions and the one botocore Config for every client.

The session behaves like the AWS CLI: boto3 resolves AWS_PROFILE, AWS_REGION,
SSO and role_arn profiles and AWS_ENDPOINT_URL itself; we only add the read-only
guard, bounded retries and timeouts, an S3 Control fix for custom endpoints, the
watch that stops a scan when its credentials expire, and turn credential and
environment failures into one line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.exceptions as bexc
import botocore.utils
from botocore.config import Config
from botocore.parsers import ResponseParserError
from dateutil.tz import tzutc

from scanner.errors import EXPIRED_CODES, CredentialsExpired, UserError
from scanner.guard import install_guard


def _seconds(var: str, default: int) -> int:
    """A timeout from the environment (AWSSCAN_CONNECT_TIMEOUT / AWSSCAN_READ_TIMEOUT), else the default."""
    try:
        value = int(os.environ.get(var, default))
    except ValueError:
        return default
    return value if value > 0 else default


#: one Config for every client: adaptive client-side rate limiting, bounded attempts, timeouts.
BOTO_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=_seconds("AWSSCAN_CONNECT_TIMEOUT", 10),
    read_timeout=_seconds("AWSSCAN_READ_TIMEOUT", 30),
    max_pool_connections=32,
    user_agent_extra="awsscan",
)
#: the clients of a scan's lanes (scanner/lanes.py): botocore sends each attempt once and the lane
#: decides (its token buckets pace every attempt, its policy retries what may change and gives up
#: at once on what will not), so botocore's own retries and rate limiter are off.
LANE_CONFIG = BOTO_CONFIG.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))

REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    user_id: str

    @property
    def partition(self) -> str:
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"


#: error codes that, in the home region and after sts:GetCallerIdentity succeeded, mean the
#: credentials stopped working. In another region the runner reads the first three as
#: "region not enabled for this account" (an opt-in region answers that way).
REJECTED_CODES = frozenset({"InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure",
                            "SignatureDoesNotMatch", "InvalidAccessKeyId"})
#: SDK errors raised while refreshing credentials mid-scan (SSO token gone, role chain broken).
CREDENTIAL_ERRORS: tuple[type[Exception], ...] = (
    bexc.NoCredentialsError, bexc.PartialCredentialsError, bexc.CredentialRetrievalError,
    bexc.TokenRetrievalError, bexc.SSOError, bexc.RefreshWithMFAUnsupportedError, bexc.LoginError,
)
#: hosts of AWS's own endpoints: S3 Control there really is {AccountId}.s3-control.<region>...
AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov",
                     ".cloud.adc-e.uk", ".csp.hci.ic.gov", ".api.amazonwebservices.com.cn")


def make_session(profile: str | None = None, region: str | None = None,
                 recorder: Any = None) -> boto3.Session:
    """A boto3 Session with the read-only guard installed on all its clients."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except bexc.ProfileNotFound:
        name = profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        raise UserError(f"unknown AWS profile {name!r}: not found in ~/.aws/config or ~/.aws/credentials "
                        "(AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)") from None
    except bexc.BotoCoreError as exc:
        raise UserError(f"cannot set up AWS session: {exc}") from None
    except ValueError as exc:  # a config file botocore cannot parse
        raise UserError(f"cannot read the AWS config: {exc}") from None
    install_guard(session.events, recorder)
    session.events.register("before-call.s3-control", strip_s3control_account_prefix,
                            unique_id="awsscan-s3control-custom-endpoint")
    with contextlib.suppress(Exception):  # a botocore without the component parses as it always did
        session._session.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=parse_timestamp)
    return session


#: the timestamps AWS's XML and JSON answers carry: ISO 8601 in UTC, with or without a fraction
_ISO_UTC = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|\+00:00)\Z")
_UTC = tzutc()


def parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, without dateutil's general parser for the common shape.

    botocore hands every timestamp string of every answer to ``dateutil.parser.parse``
    (tens of microseconds each; a scan of 500 instances parses thousands). AWS almost always
    sends ``2024-05-14T09:30:00.123Z``: that shape is read here into a datetime equal to
    botocore's, with the same text (UTC, a fraction truncated to microseconds as dateutil
    does; dateutil names UTC ``tzlocal()`` on a machine whose zone is UTC, ``tzutc()`` here);
    anything else (epoch numbers, RFC 822 dates, other offsets) goes to botocore's own parser.
    Installed by :func:`make_session`; tests/test_lanes.py checks both agree.
    """
    if isinstance(value, str):
        m = _ISO_UTC.match(value)
        if m is not None:
            year, month, day, hour, minute, second, frac = m.groups()
            with contextlib.suppress(ValueError):  # out of range: botocore's parser says why
                return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                int((frac or "0")[:6].ljust(6, "0")), tzinfo=_UTC)
    return botocore.utils.parse_timestamp(value)


def strip_s3control_account_prefix(params: dict[str, Any] | None = None, **_: Any) -> None:
    """Keep a custom endpoint's host as given for S3 Control (AWS_ENDPOINT_URL, endpoint_url).

    botocore's endpoint rules prefix the host with ``{AccountId}.``, right for AWS
    (123456789012.s3-control.us-east-1.amazonaws.com) but a host that does not exist on
    an emulator, proxy or 127.0.0.1, so s3:GetAccountPublicAccessBlock was never
    readable there. ``Config(inject_host_prefix=False)`` does not help: the prefix comes
    from the endpoint ruleset, not the model's hostPrefix. Runs before signing.
    """
    if not params or not params.get("url"):
        return
    parts = urlsplit(params["url"])
    account = str((params.get("headers") or {}).get("x-amz-account-id", ""))
    host = parts.hostname or ""
    if not account or not host.startswith(account + "."):
        return
    rest = parts.netloc[len(account) + 1:]
    if (rest.split(":", 1)[0]).endswith(AWS_HOST_SUFFIXES):
        return
    params["url"] = urlunsplit(parts._replace(netloc=rest))


def credential_failure(code: str, operation: str, region: str | None, home: str) -> CredentialsExpired | None:
    """The credentials stopped working (an error code met after identity was verified), else None.

    Expired-token codes count in every region; "rejected" codes only in the home
    region, because another region answers so when it is not enabled for the account.
    """
    if code in EXPIRED_CODES or (code in REJECTED_CODES and (region or home) == home):
        return CredentialsExpired(code, operation, region or "")
    return None


class CredentialWatch:
    """Stops a scan at the first sign of expired credentials, in every worker thread.

    ``after-call`` turns an expired/rejected answer into :class:`CredentialsExpired`
    (not a ClientError, so no ``ctx.optional`` turns it into a gap); once tripped,
    ``before-call`` refuses every further call so the other collectors end at once
    instead of each meeting the same error. Install before the scan's clients exist
    (botocore copies a session's handlers into each client when it is created).
    """

    def __init__(self, home: str) -> None:
        self.home = home
        self.tripped: CredentialsExpired | None = None
        self._lock = threading.Lock()
        self._uid = f"awsscan-credential-watch-{id(self)}"

    def install(self, session: Any) -> None:
        events = getattr(session, "events", None)
        if events is None:
            return
        events.register("before-call", self._before_call, unique_id=self._uid + "-before")
        events.register("after-call", self._after_call, unique_id=self._uid + "-after")

    def uninstall(self, session: Any) -> None:
        events = getattr(session, "events", None)
        if events is None:
            return
        events.unregister("before-call", unique_id=self._uid + "-before")
        events.unregister("after-call", unique_id=self._uid + "-after")

    def trip(self, exc: CredentialsExpired) -> CredentialsExpired:
        """Record the first credential failure (later ones are the same story)."""
        with self._lock:
            if self.tripped is None:
                self.tripped = exc
            return self.tripped

    def _before_call(self, **_: Any) -> None:
        if self.tripped is not None:
            raise self.tripped.again()

    def _after_call(self, http_response: Any = None, parsed: Any = None, model: Any = None,
                    context: Any = None, **_: Any) -> None:
        if http_response is None or http_response.status_code < 300 or not isinstance(parsed, dict):
            return
        code = str(parsed.get("Error", {}).get("Code", ""))
        operation = f"{model.service_model.service_name}:{model.name}" if model is not None else "?"
        region = (context or {}).get("client_region") or ""
        failure = credential_failure(code, operation, region, self.home)
        if failure is not None:
            self.trip(failure)
            raise failure


#: Session.client() is not thread-safe: every client of a shared session is made under this lock
SESSION_LOCK = threading.Lock()


def client(session: boto3.Session, service: str, region: str | None = None) -> Any:
    with SESSION_LOCK:
        return session.client(service, region_name=region or session.region_name or DEFAULT_REGION,
                              config=BOTO_CONFIG)


def environment_error(exc: Exception, call: str, session: Any = None) -> UserError | None:
    """A one-line error for what a bad environment makes botocore raise outside its own exceptions.

    Those escape as ValueError, OSError or JSONDecodeError from the credential chain and
    client creation (credential_process printing non-JSON, a missing web-identity token
    file, an endpoint URL that is not a URL), or as ResponseParserError from an endpoint
    that answers something other than AWS (an HTML page with 200).
    """
    if isinstance(exc, json.JSONDecodeError):
        source = (f"credential_process of profile {getattr(session, 'profile_name', None)!r}"
                  if _profile_value(session, "credential_process") else "a credential source")
        return UserError(f"cannot get AWS credentials: {source} did not print valid JSON ({exc})")
    if isinstance(exc, ValueError) and str(exc).startswith("Invalid endpoint"):
        url = str(exc).split(":", 1)[1].strip()
        return UserError(f"invalid endpoint URL {url!r} (AWS_ENDPOINT_URL or endpoint_url in the profile): "
                         "expected something like https://host:port")
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        what = "web identity token file" if _is_token_file(exc.filename) else "file"
        return UserError(f"cannot get AWS credentials: cannot read the {what} {exc.filename}: "
                         f"{exc.strerror or exc}")
    if isinstance(exc, ResponseParserError):
        why = str(exc).splitlines()[0].split(". Further retries", 1)[0].rstrip(":. ")[:160]
        return UserError(f"the endpoint's answer to {call} is not an AWS response (check AWS_ENDPOINT_URL): {why}")
    return None


def _profile_value(session: Any, key: str) -> str | None:
    try:
        return session._session.get_scoped_config().get(key) if session is not None else None
    except Exception:  # the profile itself is the problem; the caller's message says enough
        return None


def _is_token_file(path: str) -> bool:
    return path == os.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE") or "token" in os.path.basename(path).lower()


def verify_identity(session: boto3.Session) -> Identity:
    """sts:GetCallerIdentity first, so a bad credential is one clear line, exit 2."""
    try:
        resp = client(session, "sts").get_caller_identity()
    except bexc.NoCredentialsError:
        raise UserError("no AWS credentials found: set AWS_PROFILE or pass --profile, or configure "
                        "credentials (aws configure / aws sso login)") from None
    except bexc.ProfileNotFound as exc:
        raise UserError(f"unknown AWS profile: {exc}") from None
    except (bexc.SSOTokenLoadError, bexc.UnauthorizedSSOTokenError, bexc.TokenRetrievalError):
        raise UserError("the SSO session has expired or was never started: run `aws sso login`") from None
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        msg = exc.response.get("Error", {}).get("Message", "")
        if code in {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}:
            raise UserError("the AWS credentials have expired: refresh them (aws sso login, or new keys)") from None
        if code in {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
                    "AuthFailure", "InvalidAccessKeyId"}:
            raise UserError(f"the AWS credentials were rejected ({code}): check the access key and secret") from None
        raise UserError(f"sts:GetCallerIdentity failed ({code}): {msg}") from None
    except (bexc.EndpointConnectionError, bexc.ConnectTimeoutError, bexc.ReadTimeoutError) as exc:
        raise UserError(f"cannot reach AWS STS: {exc}") from None
    except bexc.BotoCoreError as exc:
        raise UserError(f"cannot authenticate to AWS: {exc}") from None
    except Exception as exc:  # the credential chain and client creation raise plain Python errors too
        known = environment_error(exc, "sts:GetCallerIdentity", session)
        if known is not None:
            raise known from None
        raise UserError(f"cannot authenticate to AWS (sts:GetCallerIdentity): {type(exc).__name__}: {exc}") from None
    if not isinstance(resp, dict) or not resp.get("Account") or not resp.get("Arn"):
        raise UserError("the endpoint's answer to sts:GetCallerIdentity has no account (check AWS_ENDPOINT_URL)")
    return Identity(account=resp["Account"], arn=resp["Arn"], user_id=resp.get("UserId", ""))


def validate_regions(regions: list[str]) -> list[str]:
    for r in regions:
        if not REGION_RE.match(r):
            raise UserError(f"invalid region name {r!r} (expected something like us-east-1)")
    return sorted(dict.fromkeys(regions))


def region_partition(region: str) -> str:
    """The partition a region belongs to, from its name (cn-*, us-gov-*, us-iso*-*, else aws)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


def discover_regions(session: boto3.Session, wanted: list[str] | None, partition: str = "aws") -> list[str]:
    """The regions to scan: the ones asked for (checked against the account), else all enabled.

    Only regions of the caller's partition are scanned: credentials of the aws partition
    do not work in China or GovCloud, whatever a DescribeRegions answer lists.
    """
    wanted = validate_regions(wanted or [])
    return _pick_regions(_region_status(session, wanted), wanted, partition)


def _region_status(session: boto3.Session, wanted: list[str]) -> dict[str, str] | None:
    """ec2:DescribeRegions: region -> opt-in status (None: denied, but the regions were given)."""
    home = wanted[0] if wanted else (session.region_name or DEFAULT_REGION)
    try:
        resp = client(session, "ec2", home).describe_regions(AllRegions=True)
        status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in resp["Regions"]}
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in EXPIRED_CODES:
            raise UserError("the AWS credentials have expired: refresh them (aws sso login, or new keys)") from None
        if wanted:
            return None
        what = "denied" if not code or "Denied" in code or "Unauthorized" in code else f"failed: {code}"
        raise UserError(f"cannot list the account's regions (ec2:DescribeRegions {what}): pass --region") from None
    except bexc.BotoCoreError as exc:
        raise UserError(f"cannot list regions: {exc}") from None
    except (KeyError, TypeError, AttributeError):
        raise UserError("the endpoint's answer to ec2:DescribeRegions has no regions (check AWS_ENDPOINT_URL)") from None
    except Exception as exc:
        known = environment_error(exc, "ec2:DescribeRegions", session)
        if known is not None:
            raise known from None
        raise
    return status


def _pick_regions(status: dict[str, str] | None, wanted: list[str], partition: str) -> list[str]:
    if status is None:
        return wanted
    enabled = sorted(r for r, s in status.items()
                     if s in {"opt-in-not-required", "opted-in"} and region_partition(r) == partition)
    if not wanted:
        return enabled
    for r in wanted:
        if r not in status:
            raise UserError(f"unknown region {r!r}: not offered to this account")
        if region_partition(r) != partition:
            raise UserError(f"region {r!r} is in the {region_partition(r)} partition; these credentials are for {partition}")
        if r not in enabled:
            raise UserError(f"region {r!r} is not enabled for this account (opt-in region)")
    return wanted


def account_alias(session: boto3.Session) -> str | None:
    try:
        aliases = client(session, "iam").list_account_aliases().get("AccountAliases", [])
    except (bexc.ClientError, bexc.BotoCoreError, ResponseParserError, ValueError):
        return None  # the alias is a nicety: the account id names the document instead
    return str(aliases[0]) if aliases else None


def identify(session: boto3.Session, wanted: list[str] | None) -> tuple[Identity, list[str], str | None]:
    """Who the caller is, the regions to scan and the account's alias, asked at once.

    Three round trips before the first collector runs (0.1-0.3 s each against AWS) become
    one. The identity's answer is waited for first and its error wins: a bad credential is
    still one line about the credential, whatever DescribeRegions met meanwhile.
    """
    wanted = validate_regions(wanted or [])
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="awsscan-identify") as pool:
        regions = pool.submit(_region_status, session, wanted)
        alias = pool.submit(account_alias, session)
        try:
            identity = verify_identity(session)
        except BaseException:
            regions.cancel()
            alias.cancel()
            raise
        status = regions.result()
        return identity, _pick_regions(status, wanted, identity.partition), alias.result()


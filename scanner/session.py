"""Credentials, identity, regions and the one botocore Config for every client.

The session behaves like the AWS CLI: boto3 resolves AWS_PROFILE, AWS_REGION,
SSO and role_arn profiles and AWS_ENDPOINT_URL itself; we only add the read-only
guard, bounded retries and timeouts, and turn credential failures into one line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions as bexc
from botocore.config import Config

from scanner.errors import UserError
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


def make_session(profile: str | None = None, region: str | None = None,
                 recorder: Any = None) -> boto3.Session:
    """A boto3 Session with the read-only guard installed on all its clients."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except bexc.ProfileNotFound:
        raise UserError(f"unknown AWS profile {profile!r}: not found in ~/.aws/config or ~/.aws/credentials") from None
    except bexc.BotoCoreError as exc:
        raise UserError(f"cannot set up AWS session: {exc}") from None
    install_guard(session.events, recorder)
    return session


def client(session: boto3.Session, service: str, region: str | None = None) -> Any:
    return session.client(service, region_name=region or session.region_name or DEFAULT_REGION,
                          config=BOTO_CONFIG)


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
    home = wanted[0] if wanted else (session.region_name or DEFAULT_REGION)
    try:
        resp = client(session, "ec2", home).describe_regions(AllRegions=True)
        status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in resp["Regions"]}
    except bexc.ClientError:
        if wanted:
            return wanted
        raise UserError("cannot list the account's regions (ec2:DescribeRegions denied): pass --region") from None
    except bexc.BotoCoreError as exc:
        raise UserError(f"cannot list regions: {exc}") from None
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
    except (bexc.ClientError, bexc.BotoCoreError):
        return None
    return aliases[0] if aliases else None

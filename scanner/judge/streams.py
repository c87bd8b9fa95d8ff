"""Streams (Kinesis, Firehose, MSK) and Cognito pools, judged once: encrypted, plaintext allowed,
public, MFA, guest access.

A setting that was not read is unknown with the failed read's reason; one the answer did not
state, or stated with a value this code does not know (a new enum), is unknown saying so.
Neither ever becomes "no". (Cognito lives here with the streams because both came with the
same issue; the judges are independent of each other.)
"""

from __future__ import annotations

from typing import Any

from scanner import naming
from scanner.fact import Fact, no, unknown, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext

KINESIS = "kinesis:DescribeStreamSummary"
FIREHOSE = "firehose:DescribeDeliveryStream"
MSK = "kafka:ListClustersV2"
USER_POOL = "cognito-idp:DescribeUserPool"
IDENTITY_POOL = "cognito-identity:DescribeIdentityPool"
POOL_ROLES = "cognito-identity:GetIdentityPoolRoles"


def _key_words(ctx: JudgeContext, key: Any) -> str:
    return f"KMS key {naming.label(ctx.inv, key)}" if key else "an AWS managed key"


# --- Kinesis Data Streams ------------------------------------------------------------------------

@judge("kinesis:stream", "encrypted", KINESIS)
def stream_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Server-side encryption with KMS (EncryptionType KMS) protects the stream's records at rest."""
    p = node.get("props") or {}
    enc = p.get("encryption")
    if enc == "KMS":
        return yes(f"EncryptionType KMS, {_key_words(ctx, p.get('kms_key'))}")
    if enc == "NONE":
        return no("EncryptionType NONE")
    return ctx.not_stated(node, KINESIS, "EncryptionType", enc)


# --- Data Firehose -------------------------------------------------------------------------------

def _source_fact(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """A Kinesis- or MSK-fed delivery stream cannot use its own SSE: its records are as encrypted as
    its source keeps them (None: not fed by a stream or cluster)."""
    p = node.get("props") or {}
    src = p.get("source_arn")
    if not src or p.get("source") not in ("Kinesis stream", "MSK"):
        return None
    other = ctx.inv.node(str(src))
    what = "source stream" if p.get("source") == "Kinesis stream" else "source MSK cluster"
    if not other or other.get("external"):
        return unknown(f"{what} {naming.short_id(src)} was not scanned (another account or region)")
    judged = (stream_encrypted if other.get("kind") == "kinesis:stream" else msk_encrypted)(ctx, {"id": src, **other})
    name = naming.label(ctx.inv, src)
    if judged.yes:
        return yes(f"encrypted at rest by its {what} {name}")
    if judged.no:
        return no(f"its {what} {name} is not encrypted (Firehose server-side encryption applies to Direct PUT only)")
    return unknown(f"{what} {name}: {judged.why}")


@judge("firehose:delivery-stream", "encrypted", FIREHOSE)
def delivery_stream_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Records held by the delivery stream are encrypted at rest: its own server-side encryption
    (Direct PUT), else the Kinesis stream or MSK cluster that feeds it."""
    p = node.get("props") or {}
    on = p.get("encrypted")
    if on is True:
        key = p.get("kms_key")
        kind = "customer managed KMS key " + naming.label(ctx.inv, key) if key else "an AWS owned key"
        return yes(f"server-side encryption with {kind}")
    from_source = _source_fact(ctx, node)
    if from_source is not None:
        return from_source
    if on is None:
        return ctx.not_stated(node, FIREHOSE, "DeliveryStreamEncryptionConfiguration.Status",
                              p.get("encryption_status"))
    return no(f"server-side encryption {str(p.get('encryption_status') or 'off').lower()}")


# --- MSK ---------------------------------------------------------------------------------------

@judge("kafka:cluster", "encrypted", MSK)
def msk_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """MSK always encrypts broker storage at rest (with the named KMS key, else an AWS managed one)."""
    key = (node.get("props") or {}).get("kms_key")
    return ctx.flag(node, "encrypted", f"always encrypted at rest by MSK, with {_key_words(ctx, key)}",
                    "encryption at rest is off", MSK, field="ClusterType")


@judge("kafka:cluster", "plaintext", MSK)
def msk_plaintext(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Clients may talk to the brokers without TLS (ClientBroker PLAINTEXT or TLS_PLAINTEXT)."""
    cb = (node.get("props") or {}).get("encryption_in_transit")
    if cb == "TLS":
        return no("ClientBroker TLS: clients must use TLS")
    if cb in ("TLS_PLAINTEXT", "PLAINTEXT"):
        return yes(f"ClientBroker {cb}: clients may connect without TLS")
    return ctx.not_stated(node, MSK, "EncryptionInTransit.ClientBroker", cb)


@judge("kafka:cluster", "public", MSK)
def msk_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The brokers have public addresses (ConnectivityInfo.PublicAccess SERVICE_PROVIDED_EIPS)."""
    p = node.get("props") or {}
    if p.get("public_access") is True:
        return yes("public access on (SERVICE_PROVIDED_EIPS): brokers reachable from the internet")
    if p.get("public_access") is False:
        return no("serverless: no public access" if p.get("serverless") else "public access DISABLED")
    return ctx.not_stated(node, MSK, "ConnectivityInfo.PublicAccess.Type", p.get("public_access_type"))


# --- Cognito -----------------------------------------------------------------------------------

#: MfaConfiguration -> (MFA in use, why)
MFA = {"ON": (True, "MFA required for every user"), "OPTIONAL": (True, "MFA optional: each user may turn it on"),
       "OFF": (False, "MfaConfiguration OFF")}


@judge("cognito:user-pool", "mfa", USER_POOL)
def user_pool_mfa(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The user pool offers or requires multi-factor authentication (MfaConfiguration ON or OPTIONAL)."""
    mfa = (node.get("props") or {}).get("mfa")
    if mfa in MFA:
        on, why = MFA[mfa]
        return yes(why) if on else no(why)
    return ctx.not_stated(node, USER_POOL, "MfaConfiguration", mfa)


@judge("cognito:identity-pool", "unauthenticated", IDENTITY_POOL)
def identity_pool_guests(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Anyone may obtain an identity (and the unauthenticated role's credentials) without signing in."""
    return ctx.flag(node, "allow_unauthenticated", f"AllowUnauthenticatedIdentities true; {guest_role_text(ctx, node)}",
                    "AllowUnauthenticatedIdentities false", IDENTITY_POOL, field="AllowUnauthenticatedIdentities")


def guest_role_text(ctx: JudgeContext, node: dict[str, Any]) -> str:
    """Which role guests receive: its name, "no unauthenticated role set", or why that is unknown."""
    p = node.get("props") or {}
    if p.get("unauth_role"):
        return f"guests receive role {naming.label(ctx.inv, p['unauth_role'])}"
    if p.get("roles_read"):
        return "no unauthenticated role set"
    why = ctx.why(node, (POOL_ROLES,))
    return f"guest role unknown ({why})"

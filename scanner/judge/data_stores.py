"""Warehouses, search domains, in-memory stores and proxies (issue 12): public, encrypted,
TLS and open-policy facts for Redshift, OpenSearch, MemoryDB, ElastiCache Serverless and
RDS Proxy.

Each fact reads one normalised prop; ``None`` (the setting was not in the answer, or the
call was denied) becomes ``unknown`` with the gap's reason, so an unread setting is never a
pass and never a finding.
"""

from __future__ import annotations

from typing import Any

from scanner.fact import Fact, no, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext
from scanner.judge.exposure import db_public

DESCRIBE_DOMAINS = "es:DescribeDomains"


def _key_text(node: dict[str, Any], default: str) -> str:
    key = (node.get("props") or {}).get("kms_key")
    return f"KMS key {key}" if key else default


@judge("redshift:cluster", "public", "redshift:DescribeClusters")
def redshift_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The cluster has a publicly accessible endpoint (PubliclyAccessible)."""
    return db_public(ctx, node)  # the same PubliclyAccessible reading as an RDS instance


@judge("redshift-serverless:workgroup", "public", "redshift-serverless:ListWorkgroups")
def workgroup_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The workgroup has a publicly accessible endpoint."""
    return db_public(ctx, node)  # the same PubliclyAccessible reading as an RDS instance


@judge("redshift:cluster", "encrypted", "redshift:DescribeClusters")
def redshift_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The cluster's data is encrypted at rest (with which key)."""
    return ctx.flag(node, "encrypted", _key_text(node, "service-managed key"), "encryption at rest is off")


@judge(("redshift-serverless:namespace", "memorydb:cluster"), "encrypted",
       "redshift-serverless:ListNamespaces", "memorydb:DescribeClusters")
def always_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Always encrypted at rest by the service; a KMS key is the only choice."""
    if node["props"].get("encrypted") is None:
        return ctx.unknown(node)
    return yes("always encrypted by the service" + (f" ({_key_text(node, '')})" if node["props"].get("kms_key")
                                                    else " (AWS owned key)"))


@judge("elasticache:serverless-cache", "encrypted", "elasticache:DescribeServerlessCaches")
def serverless_cache_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Encrypted at rest (Serverless caches always are, unless the answer says "none")."""
    return ctx.flag(node, "encrypted", _key_text(node, "AWS owned key"), "storage encryption type none")


# --- OpenSearch -------------------------------------------------------------------------------

@judge("opensearch:domain", "encrypted", DESCRIBE_DOMAINS)
def domain_encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Encryption at rest is on for the domain's data, logs and snapshots."""
    return ctx.flag(node, "encrypted_at_rest", _key_text(node, "AWS owned key"), "encryption at rest is off")


@judge("opensearch:domain", "node_to_node", DESCRIBE_DOMAINS)
def domain_node_to_node(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Traffic between the domain's nodes is encrypted (TLS)."""
    return ctx.flag(node, "node_to_node", "node-to-node encryption on", "node-to-node encryption off")


@judge("opensearch:domain", "public", DESCRIBE_DOMAINS)
def domain_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The domain has a public endpoint (it is not placed in a VPC)."""
    return ctx.flag(node, "public_endpoint", "public endpoint (not in a VPC)",
                    f"VPC endpoint in {node['props'].get('vpc_id') or 'a VPC'}")


@judge("opensearch:domain", "policy_open", DESCRIBE_DOMAINS)
def domain_policy_open(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The access policy allows any principal ("*") with no condition that narrows who."""
    return ctx.flag(node, "policy_open", 'access policy allows "*" without a condition', "access policy names who may call")


@judge("opensearch:domain", "open_to_anyone", DESCRIBE_DOMAINS)
def domain_open_to_anyone(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Anyone who reaches the endpoint may use the domain: an open policy, and no fine-grained
    access control asking for a user (AWS's own pattern is an open policy *with* it)."""
    p = node["props"]
    if p.get("policy_open") is None:
        return ctx.unknown(node)
    if not p["policy_open"]:
        return no("access policy names who may call")
    if p.get("fine_grained_access") and not p.get("anonymous_auth"):
        return no("open access policy, but fine-grained access control authenticates every request")
    return yes('access policy allows "*" without a condition'
               + ("; anonymous access is on" if p.get("anonymous_auth") else ""))


# --- TLS --------------------------------------------------------------------------------------

@judge("memorydb:cluster", "tls", "memorydb:DescribeClusters")
def memorydb_tls(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Clients must connect with TLS (in-transit encryption)."""
    return ctx.flag(node, "tls", "TLS enabled", "TLS disabled")


@judge("rds:proxy", "require_tls", "rds:DescribeDBProxies")
def proxy_require_tls(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The proxy refuses connections that do not use TLS."""
    return ctx.flag(node, "require_tls", "RequireTLS=true", "RequireTLS=false")


@judge("redshift:cluster", "automated_snapshots", "redshift:DescribeClusters")
def redshift_snapshots(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Redshift takes automated snapshots (retention of at least one day)."""
    days = node["props"].get("snapshot_retention")
    if days is None:
        return ctx.unknown(node)
    return yes(f"automated snapshots kept {days} day{'s' if days != 1 else ''}") if days > 0 \
        else no("AutomatedSnapshotRetentionPeriod=0")

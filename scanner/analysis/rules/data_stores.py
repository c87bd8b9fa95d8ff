"""Data store rules (issue 12): Redshift, OpenSearch, MemoryDB and RDS Proxy.

Every rule judges one stored fact (scanner/judge/data_stores.py) through ``ctx.judged``:
it fires on a known "yes"/"no", is "not assessed" (with the fact's reason) where the
setting was not read, and passes otherwise, so a denied read is never a pass nor a finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner import naming
from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import judged_each

CLUSTERS = ("redshift:DescribeClusters",)
WORKGROUPS = ("redshift-serverless:ListWorkgroups",)
DOMAINS = ("es:DescribeDomains",)


def _endpoint(p: dict[str, Any]) -> str:
    if not p.get("endpoint"):
        return ""
    return f" (endpoint {p['endpoint']}" + (f":{p['port']}" if p.get("port") else "") + ")"


@rule("DB-101", "Redshift cluster is publicly accessible", severity="high", section="6.1",
      category="security", needs=CLUSTERS,
      remediation="Modify the cluster with --no-publicly-accessible (and release its Elastic IP); reach it "
                  "from the VPC, through a VPN or Redshift-managed VPC endpoints instead.")
def redshift_public(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("redshift:cluster"), "public", "yes",
                           lambda c: f"Redshift cluster {naming.node_label(c)} PubliclyAccessible=true"
                                     f"{_endpoint(c['props'])}")


@rule("DB-102", "Redshift cluster not encrypted", severity="high", section="5.3", category="security",
      needs=CLUSTERS,
      remediation="Modify the cluster to use encryption (modify-cluster --encrypted --kms-key-id ...); "
                  "Redshift migrates the data to an encrypted cluster in place, with a short read-only window.")
def redshift_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("redshift:cluster"), "encrypted", "no",
                           lambda c: f"Redshift cluster {naming.node_label(c)} Encrypted=false")


def _open_domains(ctx: RuleContext, public: bool) -> Iterator[Hit]:
    """Domains whose policy lets anyone in: those with a public endpoint (or where placement is
    not known) for the critical rule, those in a VPC for the high one."""
    for d in ctx.nodes("opensearch:domain"):
        placed = ctx.fact(d, "public")
        in_vpc = placed is not None and placed.no
        if in_vpc == public:
            continue
        vpc = d["props"].get("vpc_id")
        where = (f"VPC {vpc}" if vpc else "a VPC endpoint") if in_vpc else "a public endpoint"
        hit = ctx.judged(d, "open_to_anyone", "yes",
                         f"OpenSearch domain {naming.node_label(d)} access policy allows Principal \"*\" "
                         f"with no restricting condition, on {where}{_endpoint(d['props'])}")
        if hit:
            yield hit


_POLICY_FIX = ("Replace Principal \"*\" in the domain access policy with the IAM roles that need the domain "
               "(or add an aws:SourceIp / aws:SourceVpce condition), or turn on fine-grained access control; ")


@rule("DB-103", "OpenSearch domain on a public endpoint open to anyone", severity="critical", section="6.2",
      category="security", needs=DOMAINS,
      remediation=_POLICY_FIX + "move the domain into a VPC (a new domain, restored from a snapshot).")
def opensearch_public_open(ctx: RuleContext) -> Iterator[Hit]:
    yield from _open_domains(ctx, public=True)


@rule("DB-104", "OpenSearch domain in a VPC with an access policy open to anyone", severity="high",
      section="6.2", category="security", needs=DOMAINS,
      remediation=_POLICY_FIX + "and allow only the application's security groups in the domain's security group.")
def opensearch_vpc_open(ctx: RuleContext) -> Iterator[Hit]:
    yield from _open_domains(ctx, public=False)


@rule("DB-105", "OpenSearch domain not encrypted at rest or between nodes", severity="medium", section="5.3",
      category="security", needs=DOMAINS,
      remediation="Enable encryption at rest and node-to-node encryption (update-domain-config; both are "
                  "available on OpenSearch and on Elasticsearch 6.7 and later, and cannot be turned off again).")
def opensearch_encryption(ctx: RuleContext) -> Iterator[Hit]:
    for d in ctx.nodes("opensearch:domain"):
        rest, n2n = ctx.fact(d, "encrypted"), ctx.fact(d, "node_to_node")
        off = (["at rest"] if rest is not None and rest.no else []) + \
              (["node-to-node"] if n2n is not None and n2n.no else [])
        if off:
            yield Hit([d["id"]], [f"OpenSearch domain {naming.node_label(d)} not encrypted {' or '.join(off)}"])
            continue
        unread = [f.why for f in (rest, n2n) if f is not None and f.unknown]
        if unread:
            yield Hit([d["id"]], [], unknown=unread[0] or "encryption settings not read")


@rule("DB-106", "MemoryDB cluster without TLS", severity="medium", section="5.3", category="security",
      needs=("memorydb:DescribeClusters",),
      remediation="TLS is set at creation: create a new cluster with TLS enabled from a snapshot of this one "
                  "and move the clients to it (with an ACL that requires a user, not open-access).")
def memorydb_tls(ctx: RuleContext) -> Iterator[Hit]:
    for c in ctx.nodes("memorydb:cluster"):
        acl = c["props"].get("acl")
        hit = ctx.judged(c, "tls", "no", f"MemoryDB cluster {naming.node_label(c)} TLSEnabled=false"
                                         + (f", ACL {acl}" if acl else ""))
        if hit:
            yield hit


@rule("DB-107", "RDS Proxy does not require TLS", severity="low", section="5.3", category="security",
      needs=("rds:DescribeDBProxies",),
      remediation="Modify the proxy with --require-tls so clients cannot connect in clear text (the proxy "
                  "to database leg already uses TLS when the database supports it).")
def proxy_tls(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("rds:proxy"), "require_tls", "no",
                           lambda p: f"RDS Proxy {naming.node_label(p)} "
                                     f"({p['props'].get('engine_family') or 'engine unknown'}) "
                                     "RequireTLS=false")


@rule("DB-108", "Redshift Serverless workgroup is publicly accessible", severity="high", section="6.1",
      category="security", needs=WORKGROUPS,
      remediation="Update the workgroup with --no-publicly-accessible and reach it from the VPC or through "
                  "Redshift-managed VPC endpoints.")
def workgroup_public(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("redshift-serverless:workgroup"), "public", "yes",
                           lambda w: f"Redshift Serverless workgroup {naming.node_label(w)} "
                                     f"publiclyAccessible=true{_endpoint(w['props'])}")


@rule("DB-109", "Redshift cluster without automated snapshots", severity="medium", section="9.2",
      category="resilience", needs=CLUSTERS,
      remediation="Set the automated snapshot retention period to at least 7 days (modify-cluster "
                  "--automated-snapshot-retention-period 7) so the warehouse can be restored to a recent point.")
def redshift_snapshots(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("redshift:cluster"), "automated_snapshots", "no",
                           lambda c: f"Redshift cluster {naming.node_label(c)} AutomatedSnapshotRetentionPeriod=0")

"""Database rules: RDS/Aurora exposure, encryption, availability and backups; DynamoDB; ElastiCache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner import naming
from scanner.analysis.exposure import as_strs
from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import count_of, judged_each

RDS = ("rds:DescribeDBInstances",)
CLUSTERS = ("rds:DescribeDBClusters",)
MIN_RETENTION_DAYS = 7


def _standalone(ctx: RuleContext) -> Iterator[dict[str, Any]]:
    """RDS instances that are not Aurora cluster members (those are judged at cluster level)."""
    for db in ctx.nodes("rds:instance"):
        if not db["props"].get("cluster_id"):
            yield db


@rule("DB-001", "RDS instance is publicly accessible", severity="high", section="6.1", category="security",
      needs=RDS,
      remediation="Modify the instance with --no-publicly-accessible and reach it from the application "
                  "subnets only; use a bastion or SSM port forwarding for administration.")
def rds_public(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("rds:instance"), "public", "yes",
                           lambda db: f"{naming.node_label(db)} PubliclyAccessible=true (endpoint "
                                      f"{db['props'].get('endpoint')}:{db['props'].get('port')})")


@rule("DB-002", "Database storage not encrypted", severity="high", section="5.3", category="security",
      needs=RDS,
      remediation="Encryption is set at creation: snapshot the database, copy the snapshot with a KMS "
                  "key, restore from the encrypted copy and switch the application over.")
def rds_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, [*_standalone(ctx), *ctx.nodes("rds:cluster")], "encrypted", "no",
                           lambda db: f"{naming.node_label(db)} ({db['props'].get('engine')}) "
                                      "StorageEncrypted=false")


@rule("DB-003", "RDS instance is not Multi-AZ", severity="medium", section="9.1", category="resilience",
      needs=RDS,
      remediation="Enable Multi-AZ (modify-db-instance --multi-az) so a standby in another AZ takes over "
                  "automatically when the primary or its AZ fails.")
def rds_multi_az(ctx: RuleContext) -> Iterator[Hit]:
    for db in _standalone(ctx):
        p = db["props"]
        if p.get("multi_az") is False and not p.get("read_replica_source"):
            yield Hit([db["id"]], [f"{naming.node_label(db)} MultiAZ=false, single AZ {p.get('az')}"])


@rule("DB-004", "Database backup retention under 7 days", severity="medium", section="9.2",
      category="resilience", needs=RDS,
      remediation="Set the backup retention period to at least 7 days (35 for production data) so "
                  "point-in-time recovery reaches back far enough to notice a problem.")
def rds_retention(ctx: RuleContext) -> Iterator[Hit]:
    for db in [*_standalone(ctx), *ctx.nodes("rds:cluster")]:
        r = db["props"].get("backup_retention")
        if not isinstance(r, int) or r >= MIN_RETENTION_DAYS or db["props"].get("read_replica_source"):
            continue
        what = "automated backups disabled" if r == 0 else f"BackupRetentionPeriod={r} ({count_of(r, 'day')})"
        yield Hit([db["id"]], [f"{naming.node_label(db)} {what}"])


@rule("DB-005", "Database without deletion protection", severity="low", section="6.1",
      category="resilience", needs=RDS,
      remediation="Enable deletion protection (modify-db-instance / modify-db-cluster "
                  "--deletion-protection) on production databases.")
def rds_deletion_protection(ctx: RuleContext) -> Iterator[Hit]:
    for db in [*_standalone(ctx), *ctx.nodes("rds:cluster")]:
        if db["props"].get("deletion_protection") is False:
            yield Hit([db["id"]], [f"{naming.node_label(db)} DeletionProtection=false"])


@rule("DB-006", "Aurora cluster has no reader in another AZ", severity="medium", section="9.1",
      category="resilience", needs=CLUSTERS,
      remediation="Add a reader instance in a second AZ; Aurora promotes it in about 30 seconds when the "
                  "writer fails, instead of creating a new instance.")
def aurora_readers(ctx: RuleContext) -> Iterator[Hit]:
    for c in ctx.nodes("rds:cluster"):
        p = c["props"]
        if str(p.get("engine_mode") or "provisioned") != "provisioned" or p.get("readers") is None:
            continue
        if not p.get("readers") and p.get("multi_az") is not True:
            yield Hit([c["id"]], [f"{naming.node_label(c)} has writer {p.get('writer')} and no readers"])


@rule("DB-007", "RDS snapshot is public", severity="critical", section="5.3", category="security",
      needs=("rds:DescribeDBSnapshots",),
      remediation="Remove 'all' from the snapshot's restore attribute (modify-db-snapshot-attribute "
                  "--values-to-remove all).")
def rds_snapshot_public(ctx: RuleContext) -> Iterator[Hit]:
    # only manual snapshots can be shared (automated ones cannot be made public)
    manual = (s for s in ctx.nodes("rds:snapshot") if s["props"].get("type") in (None, "manual"))
    yield from judged_each(ctx, manual, "public", "yes", lambda s: f"{naming.node_label(s)} restorable by any AWS account")


@rule("DB-008", "DynamoDB table not encrypted with a KMS key", severity="low", section="5.3",
      category="security", needs=("dynamodb:DescribeTable",),
      remediation="Switch the table to an AWS managed or customer managed KMS key (update-table "
                  "--sse-specification) where key usage must be audited in CloudTrail or revocable.")
def dynamodb_kms(ctx: RuleContext) -> Iterator[Hit]:
    for t in ctx.nodes("dynamodb:table"):
        enc = t["props"].get("encryption")
        if enc is not None and "kms" not in str(enc).lower():
            yield Hit([t["id"]], [f"table {naming.node_label(t)} encryption: {enc}"])


@rule("DB-009", "DynamoDB table without point-in-time recovery", severity="medium", section="9.2",
      category="resilience", needs=("dynamodb:DescribeContinuousBackups",),
      remediation="Enable point-in-time recovery (update-continuous-backups) to restore the table to any "
                  "second of the last 35 days.")
def dynamodb_pitr(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("dynamodb:table"), "pitr", "no",
                           lambda t: f"table {naming.node_label(t)} PointInTimeRecovery=DISABLED")


@rule("DB-010", "ElastiCache replication group without automatic failover", severity="medium",
      section="9.1", category="resilience", needs=("elasticache:DescribeReplicationGroups",),
      remediation="Add a replica in another AZ and enable automatic failover and Multi-AZ on the "
                  "replication group.")
def cache_failover(ctx: RuleContext) -> Iterator[Hit]:
    for g in ctx.nodes("elasticache:replication-group"):
        if g["props"].get("automatic_failover") is False:
            yield Hit([g["id"]], [f"{naming.node_label(g)} AutomaticFailover=disabled, "
                                  f"{count_of(len(as_strs(g['props'].get('members'))), 'member')}"])


@rule("DB-011", "ElastiCache without encryption in transit or at rest", severity="medium", section="5.3",
      category="security", needs=("elasticache:DescribeReplicationGroups",),
      remediation="Create a replacement replication group with TransitEncryptionEnabled and "
                  "AtRestEncryptionEnabled (and an AUTH token or RBAC), then migrate clients.")
def cache_encryption(ctx: RuleContext) -> Iterator[Hit]:
    for g in ctx.nodes("elasticache:replication-group"):
        at_rest, transit = ctx.fact(g, "encrypted"), ctx.fact(g, "transit_encrypted")
        off = ["in transit"] if transit is not None and transit.no else []
        off += ["at rest"] if at_rest is not None and at_rest.no else []
        unread = [f for f in (transit, at_rest) if f is not None and f.unknown]
        if off:
            yield Hit([g["id"]], [f"{naming.node_label(g)} not encrypted {' or '.join(off)}"])
        elif unread:
            yield Hit([g["id"]], [], unknown=unread[0].why or "encryption not read")


@rule("DB-012", "Redis cache accepts connections without authentication", severity="medium", section="6.3",
      category="security", needs=("elasticache:DescribeReplicationGroups",),
      remediation="Require authentication: turn on in-transit encryption and an AUTH token (modify-replication-"
                  "group --auth-token --auth-token-update-strategy ROTATE), or, on Redis 6+/Valkey, attach an "
                  "RBAC user group whose default user is disabled; keep the security group limited to the "
                  "application tier.")
def cache_auth(ctx: RuleContext) -> Iterator[Hit]:
    def said(c: dict[str, Any]) -> str:
        f = ctx.fact(c, "auth_required")
        return (f"{naming.node_label(c)} ({c['props'].get('engine') or 'redis'}): {f.why if f else 'no AUTH'}; "
                "anyone who reaches its port can read and write it")

    caches = [*ctx.nodes("elasticache:replication-group"), *ctx.nodes("elasticache:cluster")]
    yield from judged_each(ctx, caches, "auth_required", "no", said)

"""Storage rules: encryption at rest, public data, S3 protections, EFS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner import naming
from scanner.analysis.exposure import as_id
from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import judged_each

S3 = ("s3:ListAllMyBuckets",)
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@rule("STO-001", "EBS volume not encrypted", severity="medium", section="5.3", category="security",
      needs=("ec2:DescribeVolumes",),
      remediation="Snapshot the volume, copy the snapshot with encryption (KMS key), create an encrypted "
                  "volume from it and swap it in; turn on EBS encryption by default for new volumes.")
def ebs_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("ebs:volume"), "encrypted", "no",
                           lambda v: f"{naming.node_label(v)} ({v['props'].get('size_gb')} GiB) "
                                     "Encrypted=false")


@rule("STO-002", "EBS snapshot not encrypted", severity="medium", section="5.3", category="security",
      needs=("ec2:DescribeSnapshots",),
      remediation="Copy the snapshot with --encrypted and a KMS key, then delete the unencrypted copy.")
def snapshot_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("ebs:snapshot"), "encrypted", "no",
                           lambda s: f"{naming.node_label(s)} of {s['props'].get('volume_id')} "
                                     "Encrypted=false")


@rule("STO-003", "EBS snapshot is public", severity="critical", section="5.3", category="security",
      needs=("ec2:DescribeSnapshotAttribute",),
      remediation="Remove the public permission (modify-snapshot-attribute --create-volume-permission "
                  "'Remove=[{Group=all}]'); share with specific accounts only; enable 'block public access "
                  "for EBS snapshots'.")
def snapshot_public(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("ebs:snapshot"), "public", "yes",
                           lambda s: f"{naming.node_label(s)} createVolumePermission: group all "
                                     "(anyone can copy it)")


@rule("STO-004", "EBS encryption by default is off", severity="medium", section="5.3", category="security",
      needs=("ec2:GetEbsEncryptionByDefault",),
      remediation="Enable EBS encryption by default in every region (enable-ebs-encryption-by-default); "
                  "it applies to every new volume and snapshot copy.")
def ebs_default_encryption(ctx: RuleContext) -> Iterator[Hit]:
    for n in ctx.nodes("ebs:encryption-default"):
        if n["props"].get("enabled") is False:
            yield Hit([n["id"]], [f"EBS encryption by default disabled in {n.get('region')}"])


def _pab_missing(pab: Any) -> list[str]:
    if not isinstance(pab, dict):
        return list(PAB_FLAGS)
    return [f for f in PAB_FLAGS if not pab.get(f)]


@rule("STO-005", "S3 bucket without Block Public Access", severity="medium", section="4.1",
      category="security", needs=(*S3, "s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
      remediation="Turn on all four Block Public Access settings on the bucket (put-public-access-block), "
                  "or once for the whole account (s3control put-public-access-block).")
def s3_bpa(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("s3:bucket"):
        p = b["props"]
        if "public_access_block" not in p:
            continue
        # None means "not configured" here; an unreadable setting is a gap and the engine drops the hit
        missing = [f for f in _pab_missing(p.get("public_access_block"))
                   if f in _pab_missing(p.get("account_public_access_block"))]
        if missing:
            yield Hit([b["id"]], [f"bucket {naming.node_name(b)} Block Public Access off: "
                                  f"{', '.join(missing)} (bucket and account level)"])


@rule("STO-006", "S3 bucket policy makes it public", severity="critical", section="4.1",
      category="security", needs=(*S3, "s3:GetBucketPolicy"),
      remediation="Remove the Principal \"*\" statements (or add conditions such as aws:SourceVpce / "
                  "aws:PrincipalOrgID) and turn on Block Public Access; serve public content through "
                  "CloudFront with origin access control.")
def s3_public_policy(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("s3:bucket"):
        p = b["props"]
        if p.get("policy_public"):
            blocked = any(x.get("RestrictPublicBuckets") for x in (
                p.get("public_access_block"), p.get("account_public_access_block")) if isinstance(x, dict))
            if not blocked:
                yield Hit([b["id"]], [f"bucket {naming.node_name(b)} policy grants access to "
                                      "Principal * without a restricting condition"])


@rule("STO-007", "S3 bucket ACL grants public access", severity="high", section="4.1", category="security",
      needs=(*S3, "s3:GetBucketAcl"),
      remediation="Remove the AllUsers/AuthenticatedUsers grants, set Object Ownership to 'bucket owner "
                  "enforced' (ACLs disabled) and turn on Block Public Access.")
def s3_public_acl(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("s3:bucket"):
        p = b["props"]
        if p.get("acl_public") and not any(x.get("IgnorePublicAcls") for x in (
                p.get("public_access_block"), p.get("account_public_access_block")) if isinstance(x, dict)):
            grants = p.get("acl_public_grants") or []
            yield Hit([b["id"]], [f"bucket {naming.node_name(b)} ACL grants "
                                  f"{', '.join(map(str, grants)) or 'public access'}"])


@rule("STO-008", "S3 bucket does not require TLS", severity="medium", section="5.3", category="security",
      needs=(*S3, "s3:GetBucketPolicy"),
      remediation="Add a bucket policy statement that denies s3:* when aws:SecureTransport is false.")
def s3_tls(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("s3:bucket"):
        if b["props"].get("tls_only") is False:
            yield Hit([b["id"]], [f"bucket {naming.node_name(b)} has no "
                                  "Deny aws:SecureTransport=false statement"])


@rule("STO-009", "S3 bucket versioning is off", severity="low", section="4.1", category="resilience",
      needs=(*S3, "s3:GetBucketVersioning"),
      remediation="Enable versioning (put-bucket-versioning Status=Enabled) with a lifecycle rule that "
                  "expires noncurrent versions, so deleted or overwritten objects can be recovered.")
def s3_versioning(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("s3:bucket"):
        v = b["props"].get("versioning")
        hit = ctx.judged(b, "versioned", "no", f"bucket {naming.node_name(b)} versioning {v or 'off'}")
        if hit:
            yield hit


@rule("STO-010", "S3 bucket server access logging is off", severity="low", section="12.2",
      category="operations", needs=(*S3, "s3:GetBucketLogging"),
      remediation="Enable server access logging to a dedicated log bucket (or CloudTrail S3 data events) "
                  "so access to the data can be audited.")
def s3_logging(ctx: RuleContext) -> Iterator[Hit]:
    targets = {str(b["props"].get("logging_target")) for b in ctx.nodes("s3:bucket")}
    for b in ctx.nodes("s3:bucket"):
        p = b["props"]
        if p.get("logging_target") == "" and as_id(p.get("name")) not in targets:  # log buckets are exempt
            yield Hit([b["id"]], [f"bucket {naming.node_name(b)} has no access logging"])


@rule("STO-011", "S3 bucket without default encryption", severity="medium", section="5.3",
      category="security", needs=(*S3, "s3:GetEncryptionConfiguration"),
      remediation="Set default encryption (SSE-S3 at least, SSE-KMS for sensitive data) with "
                  "put-bucket-encryption.")
def s3_encryption(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("s3:bucket"), "encrypted", "no",
                           lambda b: f"bucket {naming.node_name(b)} default encryption: none")


@rule("STO-012", "EFS file system not encrypted", severity="medium", section="4.3", category="security",
      needs=("elasticfilesystem:DescribeFileSystems",),
      remediation="EFS encryption is set at creation: create an encrypted file system, copy the data "
                  "(AWS DataSync) and switch the mount targets.")
def efs_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("efs:file-system"), "encrypted", "no",
                           lambda f: f"{naming.node_label(f)} Encrypted=false")


@rule("STO-013", "FSx file system not encrypted with a customer key", severity="info", section="4.3",
      category="security", needs=("fsx:DescribeFileSystems",),
      remediation="Create FSx file systems with a customer-managed KMS key where key control is required.")
def fsx_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("fsx:file-system"), "encrypted", "no",
                           lambda f: f"{naming.node_label(f)} not encrypted")

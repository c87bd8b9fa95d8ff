"""Public by configuration: subnets with an internet route, public buckets, snapshots, images,
databases and addresses. (Reachability through security groups and listeners is the analysis'
exposure engine; these are the settings it starts from.)"""

from __future__ import annotations

from typing import Any

from scanner.fact import Fact, no, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext


@judge("ec2:subnet", "public", "ec2:DescribeRouteTables")
def subnet_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The subnet's route table sends 0.0.0.0/0 (or ::/0) to an internet gateway."""
    v = node["props"].get("public")
    if v is None:
        state, why = ctx.run_state((), node["region"], ("ec2.route_tables",))
        return ctx.unknown(node) if state != "blocked" else Fact("unknown", f"route tables not read ({why})")
    return yes("default route to an internet gateway") if v else no("no route to an internet gateway")


@judge("s3:bucket", "public", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketPublicAccessBlock")
def bucket_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The bucket policy or ACL grants public access that no public access block stops."""
    return ctx.flag(node, "public", "public by policy or ACL", "not public")


def _shared(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    return ctx.flag(node, "public", "shared with everyone", "not public")


@judge("ebs:snapshot", "public", "ec2:DescribeSnapshotAttribute")
def ebs_snapshot_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Anyone may copy the snapshot (createVolumePermission for all)."""
    return _shared(ctx, node)


@judge("rds:snapshot", "public", "rds:DescribeDBSnapshotAttributes")
def rds_snapshot_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """Anyone may restore the snapshot (restore attribute "all"); only manual snapshots can be shared."""
    if str(node["props"].get("type") or "manual").lower() not in ("manual", "shared", "public"):
        return None
    return _shared(ctx, node)


@judge("ec2:image", "public", "ec2:DescribeImages")
def image_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Anyone may launch the AMI."""
    return _shared(ctx, node)


@judge("rds:instance", "public", "rds:DescribeDBInstances")
def db_public(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The database has a publicly accessible endpoint."""
    return ctx.flag(node, "publicly_accessible", "publicly accessible", "private endpoint")


@judge("ec2:instance", "public_ip", "ec2:DescribeInstances")
def instance_public_ip(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The instance has a public IPv4 address (reachability is judged by the exposure analysis)."""
    p = node["props"]
    if p.get("public_ip"):
        return yes(f"public IP {p['public_ip']}")
    return no("no public IP")

"""EKS: clusters, managed node groups and Fargate profiles (section 3.2).

Get / transform split: ``collect_eks`` makes the (paginated, read-only) calls and hands the
describe results to pure ``transform_*`` functions, tested from recorded shapes without moto.
Add-ons and access entries (who may use the cluster's Kubernetes API) are in eks_access.py.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._fanout import each, gather
from scanner.collectors._shape import ident
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records


def _eks_logging(cluster: dict[str, Any]) -> list[str]:
    types: set[str] = set()
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            types.update(entry.get("types") or [])
    return sorted(types)


def transform_eks_clusters(ctx: ScanContext, clusters: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for c in clusters:
        arn = ident(out, c, "arn", "eks", "eks:DescribeCluster", "a cluster")
        if not arn:
            continue
        vpc = c.get("resourcesVpcConfig") or {}
        subnets = list(vpc.get("subnetIds") or [])
        sgs = list(vpc.get("securityGroupIds") or [])
        if vpc.get("clusterSecurityGroupId"):
            sgs.append(vpc["clusterSecurityGroupId"])
        secrets_keys = [k for e in c.get("encryptionConfig") or [] if isinstance(e, dict)
                        and "secrets" in (e.get("resources") or []) if (k := (e.get("provider") or {}).get("keyArn"))]
        public = vpc.get("endpointPublicAccess")
        out.node(arn, "eks:cluster", c.get("name"), tags=tags_of(c.get("tags")), name=c.get("name"),
                 version=c.get("version"), platform_version=c.get("platformVersion"),
                 status=c.get("status"), endpoint_public=public,
                 endpoint_private=vpc.get("endpointPrivateAccess"),
                 public_cidrs=list(vpc.get("publicAccessCidrs") or []) if public else [],
                 logging=_eks_logging(c), vpc_id=vpc.get("vpcId"), subnet_ids=subnets,
                 security_group_ids=sgs, role_arn=c.get("roleArn"),
                 secrets_encrypted=bool(secrets_keys), kms_key=secrets_keys[0] if secrets_keys else None,
                 authentication_mode=(c.get("accessConfig") or {}).get("authenticationMode"),
                 created=iso(c.get("createdAt")))
        out.edge(ctx.region_node, arn, "contains")
        for sid in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
        for gid in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", gid), "protected_by")
        out.edge(arn, c.get("roleArn"), "uses_role", role="cluster")
        for key in secrets_keys:
            out.edge(arn, ctx.kms_key_arn(key), "encrypted_by")
    return out


def transform_eks_nodegroups(ctx: ScanContext, groups: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in groups:
        arn = ident(out, g, "nodegroupArn", "eks", "eks:DescribeNodegroup", "a node group")
        if not arn:
            continue
        scaling = g.get("scalingConfig") or {}
        subnets = list(g.get("subnets") or [])
        cluster_arn = _eks_cluster_arn(arn)
        out.node(arn, "eks:nodegroup", g.get("nodegroupName"), tags=tags_of(g.get("tags")),
                 name=g.get("nodegroupName"), cluster=g.get("clusterName"),
                 instance_types=list(g.get("instanceTypes") or []), min=scaling.get("minSize"),
                 max=scaling.get("maxSize"), desired=scaling.get("desiredSize"), subnet_ids=subnets,
                 ami_type=g.get("amiType"), capacity_type=g.get("capacityType"),
                 role_arn=g.get("nodeRole"), version=g.get("version"), status=g.get("status"),
                 remote_access=bool(g.get("remoteAccess")),
                 asg_names=[a.get("name") for a in (g.get("resources") or {}).get("autoScalingGroups") or []])
        out.edge(arn, cluster_arn, "member_of")
        for sid in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
        out.edge(arn, g.get("nodeRole"), "uses_role", role="node")
    return out


def transform_eks_fargate_profiles(ctx: ScanContext, profiles: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for p in profiles:
        arn = ident(out, p, "fargateProfileArn", "eks", "eks:DescribeFargateProfile", "a Fargate profile")
        if not arn:
            continue
        subnets = list(p.get("subnets") or [])
        out.node(arn, "eks:fargate-profile", p.get("fargateProfileName"), tags=tags_of(p.get("tags")),
                 name=p.get("fargateProfileName"), cluster=p.get("clusterName"), subnet_ids=subnets,
                 selectors=[{"namespace": s.get("namespace"), "labels": dict(s.get("labels") or {})}
                            for s in p.get("selectors") or []],
                 role_arn=p.get("podExecutionRoleArn"), status=p.get("status"))
        out.edge(arn, _eks_cluster_arn(arn), "member_of")
        for sid in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
        out.edge(arn, p.get("podExecutionRoleArn"), "uses_role", role="pod-execution")
    return out


def _eks_cluster_arn(child_arn: str) -> str | None:
    """arn:...:nodegroup/<cluster>/<name>/<uuid> -> arn:...:cluster/<cluster>."""
    head, _, rest = child_arn.partition(":nodegroup/") if ":nodegroup/" in child_arn else \
        child_arn.partition(":fargateprofile/")
    if not rest:
        return None
    return f"{head}:cluster/{rest.split('/', 1)[0]}"


@collector("eks.clusters", "eks",
           reads="eks:ListClusters, eks:DescribeCluster, eks:ListNodegroups, eks:DescribeNodegroup, "
                 "eks:ListFargateProfiles, eks:DescribeFargateProfile")
def collect_eks(ctx: ScanContext) -> Records:
    """Clusters with their node groups and Fargate profiles. Every cluster's describe and
    listings wait together in the EKS lane, and so do the describes of each listing
    (scanner/collectors/_fanout.py: the records are a sequential run's at any width)."""
    out = ctx.records()
    names = list(ctx.paginate("eks", "list_clusters", "clusters"))
    found = gather(ctx, out, [read for name in names for read in (
        lambda sub, name=name: _found(ctx.optional(sub, "eks", "describe_cluster", resource=name,
                                                   missing=("ResourceNotFoundException",), name=name), "cluster"),
        lambda sub, name=name: _described(ctx, sub, name, "list_nodegroups", "nodegroups", "describe_nodegroup",
                                          "nodegroupName", "nodegroup"),
        lambda sub, name=name: _described(ctx, sub, name, "list_fargate_profiles", "fargateProfileNames",
                                          "describe_fargate_profile", "fargateProfileName", "fargateProfile"))])
    clusters = [c for per in found[0::3] for c in per]
    groups = [g for per in found[1::3] for g in per]
    profiles = [p for per in found[2::3] for p in per]
    out.extend(transform_eks_clusters(ctx, clusters))
    out.extend(transform_eks_nodegroups(ctx, groups))
    return out.extend(transform_eks_fargate_profiles(ctx, profiles))


def _found(resp: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    return [resp[key]] if resp else []


def _described(ctx: ScanContext, out: Records, cluster: str, list_op: str, list_key: str, describe_op: str,
               param: str, key: str) -> list[dict[str, Any]]:
    """Every node group (or Fargate profile) of a cluster as its describe call gives it, in listing order."""
    listed = list(ctx.paginate("eks", list_op, list_key, clusterName=cluster))
    return [d for per in each(ctx, out, listed, lambda sub, item: _found(ctx.optional(
        sub, "eks", describe_op, resource=f"{cluster}/{item}", missing=("ResourceNotFoundException",),
        clusterName=cluster, **{param: item}), key)) for d in per]

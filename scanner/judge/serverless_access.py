"""Who may call serverless and container resources: Lambda resource policies and EKS access
entries with cluster admin. (API routes without authorization: scanner/judge/access.py, which
may read the APIs' ``unauthenticated_routes`` prop.)

Each fact rests on one read (its IAM action below); a read that was denied or failed makes
the fact unknown with that gap's reason, so a rule built on it says "not assessed".
"""

from __future__ import annotations

from typing import Any

from scanner import naming
from scanner.fact import Fact, no, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext


@judge("lambda:function", "invocable_by_anyone", "lambda:GetPolicy")
def function_invocable_by_anyone(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The resource policy lets Principal "*" invoke the function with no SourceArn, SourceAccount
    or organization condition (any AWS account, or anyone, may call it)."""
    p = node["props"]
    v = p.get("invocable_by_anyone")
    if v is None:
        return ctx.unknown(node)
    if v:
        return yes('Principal "*" may call lambda:InvokeFunction without a SourceArn/SourceAccount condition')
    return no("no resource policy" if not p.get("invoke_principals") else "policy names its principals or sources")


@judge("eks:access-entry", "cluster_admin", "eks:ListAssociatedAccessPolicies")
def access_entry_cluster_admin(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The entry's principal is Kubernetes cluster admin (AmazonEKSClusterAdminPolicy on the cluster
    scope, or the system:masters group)."""
    p = node["props"]
    v = p.get("cluster_admin")
    if v is None:
        return ctx.unknown(node)
    if v:
        return yes(f"{naming.short_id(p.get('principal_arn'))} holds cluster admin on {p.get('cluster')}")
    return no("no cluster-admin access policy")

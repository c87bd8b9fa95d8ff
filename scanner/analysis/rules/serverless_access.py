"""Serverless and container access rules (SRV-1xx): who may invoke a function, who administers
a Kubernetes cluster. Each rule reads one judged fact (scanner/judge/serverless_access.py), so a
policy that could not be read makes the rule "not assessed", never a pass.

SRV-101 is the one rule on a function's resource policy: it replaced EC2-006 ("policy allows any
principal", which read the raw ``public_policy`` prop and caught only statements with no condition
at all), so a policy is judged, and reported, once."""

from __future__ import annotations

from collections.abc import Iterator

from scanner import naming
from scanner.analysis.findings import Hit, RuleContext, rule


@rule("SRV-101", "Lambda function invocable by any principal (Principal * without SourceArn/SourceAccount "
      "condition)", severity="high", section="3.3", category="security", needs=("lambda:GetPolicy",),
      remediation="Remove the statement or name the caller: a specific account or role as Principal, or a "
                  "service principal with an AWS:SourceArn (and AWS:SourceAccount) condition "
                  "(aws lambda remove-permission / add-permission --source-arn ... --source-account ...).")
def lambda_invocable_by_anyone(ctx: RuleContext) -> Iterator[Hit]:
    for f in ctx.nodes("lambda:function"):
        hit = ctx.judged(f, "invocable_by_anyone", "yes",
                         f"{naming.node_label(f)} resource policy lets Principal * call lambda:InvokeFunction "
                         "without a SourceArn/SourceAccount condition")
        if hit:
            yield hit


@rule("SRV-102", "EKS access entry grants cluster admin to a principal outside the account", severity="high",
      section="3.2", category="security",
      needs=("eks:ListAccessEntries", "eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies"),
      remediation="Disassociate AmazonEKSClusterAdminPolicy from the entry (aws eks "
                  "disassociate-access-policy) or delete the entry; grant another account's role a "
                  "namespace-scoped policy such as AmazonEKSEditPolicy only where it is needed.")
def eks_external_cluster_admin(ctx: RuleContext) -> Iterator[Hit]:
    for e in ctx.nodes("eks:access-entry"):
        p = e["props"]
        if p.get("external_principal") is not True:
            continue
        hit = ctx.judged(e, "cluster_admin", "yes",
                         f"{p.get('principal_arn')} (account {p.get('principal_account')}) is cluster admin "
                         f"on {p.get('cluster')}")
        if hit:
            yield hit

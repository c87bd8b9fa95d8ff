"""Compute rules: instance metadata, images, serverless runtimes, instance generations."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner import naming
from scanner.analysis.findings import Hit, RuleContext, rule

#: Lambda runtimes past AWS's deprecation date (no security patches); see the Lambda runtimes page
DEPRECATED_RUNTIMES = frozenset({
    "python2.7", "python3.6", "python3.7", "python3.8", "nodejs", "nodejs4.3", "nodejs4.3-edge",
    "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
    "java8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet5.0", "dotnet6",
    "ruby2.5", "ruby2.7", "go1.x", "provided",
})

#: instance families AWS calls previous generation (current ones are cheaper per unit of work)
PREVIOUS_GENERATION = re.compile(
    r"^(t1|m1|m2|m3|m4|c1|c3|c4|cc2|cg1|cr1|hi1|hs1|g2|i2|r3|r4|x1|x1e|d2|p2|f1|g3|g3s|h1|a1)\.")


@rule("EC2-001", "Instance allows IMDSv1 (metadata tokens optional)", severity="medium", section="3.1",
      category="security", needs=("ec2:DescribeInstances",),
      remediation="Require IMDSv2: modify-instance-metadata-options --http-tokens required (and set it in "
                  "launch templates) so SSRF bugs cannot read the instance role's credentials.")
def imdsv1(ctx: RuleContext) -> Iterator[Hit]:
    for i in ctx.nodes("ec2:instance"):
        p = i["props"]
        if p.get("state") == "terminated":
            continue
        if p.get("imds_v2_required") is False and p.get("imds_enabled") is not False:
            yield Hit([i["id"]], [f"{naming.node_label(i)} HttpTokens=optional (IMDSv1 allowed)"])


@rule("EC2-002", "Launch template allows IMDSv1", severity="low", section="3.1", category="security",
      needs=("ec2:DescribeLaunchTemplateVersions",),
      remediation="Set MetadataOptions HttpTokens=required in a new launch template version and make it "
                  "the default, so every new instance requires IMDSv2.")
def lt_imdsv1(ctx: RuleContext) -> Iterator[Hit]:
    for t in ctx.nodes("ec2:launch-template"):
        if t["props"].get("imds_v2_required") is False:
            yield Hit([t["id"]], [f"{naming.node_label(t)} default version does not require IMDSv2"])


@rule("EC2-003", "AMI owned by this account is public", severity="high", section="5.3", category="security",
      needs=("ec2:DescribeImages",),
      remediation="Make the image private (modify-image-attribute --launch-permission "
                  "'Remove=[{Group=all}]') and share it with specific accounts instead.")
def public_ami(ctx: RuleContext) -> Iterator[Hit]:
    acct = str(ctx.inv.meta.get("account", ""))
    for img in ctx.nodes("ec2:image"):
        p = img["props"]
        if p.get("owner_id") and str(p.get("owner_id")) != acct:
            continue
        hit = ctx.judged(img, "public", "yes", f"{naming.node_label(img)} launch permission: all (public)")
        if hit:
            yield hit


@rule("EC2-004", "Lambda function on a deprecated runtime", severity="medium", section="3.3",
      category="security", needs=("lambda:ListFunctions",),
      remediation="Upgrade the function to a supported runtime (e.g. python3.12, nodejs20.x, java21) and "
                  "redeploy; deprecated runtimes receive no security patches.")
def lambda_runtime(ctx: RuleContext) -> Iterator[Hit]:
    for f in ctx.nodes("lambda:function"):
        rt = str(f["props"].get("runtime") or "")
        if rt.lower() in DEPRECATED_RUNTIMES:
            yield Hit([f["id"]], [f"{naming.node_label(f)} runtime {rt} is deprecated"])


@rule("EC2-005", "Previous-generation instance type", severity="low", section="8.2", category="cost",
      needs=("ec2:DescribeInstances",),
      remediation="Move to the current generation of the family (e.g. m4 -> m7g/m7i, t2 -> t3/t4g, "
                  "c4 -> c7g): better price-performance, and Nitro features such as EBS encryption speed.")
def previous_generation(ctx: RuleContext) -> Iterator[Hit]:
    for i in ctx.nodes("ec2:instance"):
        t = str(i["props"].get("instance_type") or "")
        if i["props"].get("state") != "terminated" and (PREVIOUS_GENERATION.match(t) or t.startswith("t2.")):
            yield Hit([i["id"]], [f"{naming.node_label(i)} is {t} (previous generation)"], savings_monthly=None)

"""CloudFormation stacks and the resources they manage (part of the delivery family).

Get / transform split as in delivery.py. Parameters keep their *names* only (a value may be
a secret; a NoEcho one is listed by name); a stack's resources are linked to the graph's nodes by the
ARN or id their physical id names (``resource_id``).
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import skipped
from scanner.collectors.delivery import bucket_arn, resolve_asg_arns, soft_pages
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    iso,
    tags_of,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services delivery`` names it with delivery.py)
FAMILY = "delivery"

# --- CloudFormation --------------------------------------------------------------------
#: resource type -> how its PhysicalResourceId becomes our graph id (None: the id is already an ARN)
EC2_TYPES = {
    "AWS::EC2::VPC": "vpc", "AWS::EC2::Subnet": "subnet", "AWS::EC2::SecurityGroup": "security-group",
    "AWS::EC2::Instance": "instance", "AWS::EC2::InternetGateway": "internet-gateway",
    "AWS::EC2::NatGateway": "natgateway", "AWS::EC2::RouteTable": "route-table",
    "AWS::EC2::NetworkAcl": "network-acl", "AWS::EC2::VPCEndpoint": "vpc-endpoint",
    "AWS::EC2::Volume": "volume", "AWS::EC2::LaunchTemplate": "launch-template",
    "AWS::EC2::TransitGateway": "transit-gateway", "AWS::EC2::VPCPeeringConnection": "vpc-peering-connection",
    "AWS::EC2::EgressOnlyInternetGateway": "egress-only-internet-gateway",
}
NAME_PATTERNS = {
    "AWS::Lambda::Function": ("lambda", "function:{}"),
    "AWS::DynamoDB::Table": ("dynamodb", "table/{}"),
    "AWS::RDS::DBInstance": ("rds", "db:{}"),
    "AWS::RDS::DBCluster": ("rds", "cluster:{}"),
    "AWS::ECS::Cluster": ("ecs", "cluster/{}"),
    "AWS::ECR::Repository": ("ecr", "repository/{}"),
    "AWS::CodeBuild::Project": ("codebuild", "project/{}"),
    "AWS::CodePipeline::Pipeline": ("codepipeline", "{}"),
    "AWS::CodeCommit::Repository": ("codecommit", "{}"),
    "AWS::CodeDeploy::Application": ("codedeploy", "application:{}"),
    "AWS::Logs::LogGroup": ("logs", "log-group:{}"),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache", "replicationgroup:{}"),
    "AWS::EFS::FileSystem": ("elasticfilesystem", "file-system/{}"),
    "AWS::CloudWatch::Alarm": ("cloudwatch", "alarm:{}"),
    "AWS::Events::Rule": ("events", "rule/{}"),
}


def resource_id(ctx: ScanContext, rtype: str, pid: str | None, asg_arns: dict[str, str]) -> str | None:
    """Our graph id for a stack resource, or None when its type is not mapped."""
    if not pid:
        return None
    if rtype in EC2_TYPES:
        return ctx.ec2_arn(EC2_TYPES[rtype], pid)
    if rtype == "AWS::S3::Bucket":
        return bucket_arn(pid)
    if rtype == "AWS::IAM::Role":
        return pid if pid.startswith("arn:") else ctx.arn("iam", f"role/{pid}", global_=True)
    if rtype == "AWS::AutoScaling::AutoScalingGroup":
        return asg_arns.get(pid)
    if rtype == "AWS::SQS::Queue" and pid.startswith("https://"):
        parts = pid.rstrip("/").split("/")
        return ctx.arn("sqs", parts[-1], account=parts[-2]) if len(parts) >= 2 else None
    if rtype == "AWS::KMS::Key":
        return ctx.kms_key_arn(pid)
    if rtype in NAME_PATTERNS:
        svc, pattern = NAME_PATTERNS[rtype]
        return pid if pid.startswith("arn:") else ctx.arn(svc, pattern.format(pid.lower() if svc == "rds" else pid))
    if pid.startswith("arn:"):
        return pid   # ELBv2, SNS, ECS services, nested stacks, secrets, state machines, ...
    return None


def transform_stack(ctx: ScanContext, stack: dict[str, Any], resources: list[dict[str, Any]] | None,
                    asg_arns: dict[str, str] | None = None) -> Records:
    """One describe_stacks item (+ its resources) -> the stack node and ``contains`` edges.

    Parameters keep names only; a NoEcho parameter (shown as ``****``) is listed by name.
    """
    out = ctx.records()
    asg_arns = asg_arns or {}
    arn = stack.get("StackId") or (stack.get("StackName") and ctx.arn("cloudformation", f"stack/{stack['StackName']}"))
    if not arn:
        skipped(out, "cloudformation", "cloudformation:DescribeStacks", "a stack", "StackId")
        return out
    params = stack.get("Parameters") or []
    drift = stack.get("DriftInformation") or {}
    mapped, unmapped, types = 0, 0, {}
    for r in resources or []:
        rtype = r.get("ResourceType", "?")
        types[rtype] = types.get(rtype, 0) + 1
        target = resource_id(ctx, rtype, r.get("PhysicalResourceId"), asg_arns)
        if target and target != arn:
            out.edge(arn, target, "contains")
            mapped += 1
        else:
            unmapped += 1
    out.node(arn, "cloudformation:stack", stack.get("StackName") or arn, tags=tags_of(stack), name=stack.get("StackName"),
             status=stack.get("StackStatus"), created=iso(stack.get("CreationTime")),
             updated=iso(stack.get("LastUpdatedTime")), drift_status=drift.get("StackDriftStatus"),
             drift_checked=iso(drift.get("LastCheckTimestamp")),
             termination_protection=stack.get("EnableTerminationProtection"),
             role_arn=stack.get("RoleARN"),
             parameters_names=[p["ParameterKey"] for p in params if p.get("ParameterKey")],
             noecho_parameter_names=[p["ParameterKey"] for p in params
                                     if p.get("ParameterKey") and p.get("ParameterValue") == "****"],
             outputs_names=[o["OutputKey"] for o in stack.get("Outputs") or [] if o.get("OutputKey")],
             resource_count=None if resources is None else len(resources),
             mapped_resources=mapped, unmapped_resources=unmapped, resource_types=dict(sorted(types.items())),
             parent_id=stack.get("ParentId"), root_id=stack.get("RootId"),
             rollback_on_failure=None if stack.get("DisableRollback") is None else not stack["DisableRollback"],
             rollback_alarms=[t.get("Arn") for t in (stack.get("RollbackConfiguration") or {}).get("RollbackTriggers") or []],
             notification_arns=list(stack.get("NotificationARNs") or []))
    out.edge(ctx.region_node, arn, "contains")
    out.edge(arn, stack.get("RoleARN"), "uses_role")
    for t in (stack.get("RollbackConfiguration") or {}).get("RollbackTriggers") or []:
        out.edge(t.get("Arn"), arn, "monitors")
    for topic in stack.get("NotificationARNs") or []:
        out.edge(arn, topic, "publishes_to", events=["stack events"])
    return out


@collector("cloudformation.stacks", "cloudformation",
           reads="cloudformation:DescribeStacks, cloudformation:ListStackResources, "
                 "autoscaling:DescribeAutoScalingGroups")
def collect_stacks(ctx: ScanContext) -> Records:
    out = ctx.records()
    stacks = list(ctx.paginate("cloudformation", "describe_stacks", "Stacks"))
    resources: dict[str, list[dict[str, Any]] | None] = {}
    for s in stacks:
        if s.get("StackId"):
            resources[s["StackId"]] = soft_pages(ctx, out, "cloudformation", "list_stack_resources",
                                                 "StackResourceSummaries", resource=s.get("StackName") or "",
                                                 StackName=s["StackId"])
    asgs = resolve_asg_arns(ctx, (r.get("PhysicalResourceId") for rs in resources.values() for r in rs or []
                                  if r.get("ResourceType") == "AWS::AutoScaling::AutoScalingGroup"), out)
    for s in stacks:
        out.extend(transform_stack(ctx, s, resources.get(s.get("StackId") or ""), asgs))
    return out




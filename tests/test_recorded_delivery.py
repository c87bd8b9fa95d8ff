"""Recorded shapes for scanner/collectors/delivery.py (CodePipeline, CodeBuild, CodeDeploy, CloudFormation, ...)."""

from __future__ import annotations

from scanner.collectors import cloudformation as cfn
from scanner.collectors import codebuild as cbuild
from scanner.collectors import codedeploy as cdeploy
from scanner.collectors import delivery as d
from tests.test_recorded_shapes import Case, items, one

F = "delivery"


def _pipeline(ctx, r: dict):
    got = one(r, "GetPipeline")
    runs = items(r, "ListPipelineExecutions", "pipelineExecutionSummaries")
    return d.transform_pipeline(ctx, got.get("pipeline") or {}, got.get("metadata"), {},
                                one(r, "GetPipelineState"), runs[0] if runs else None)


def _stack(ctx, r: dict):
    out = ctx.records()
    resources = items(r, "ListStackResources", "StackResourceSummaries")
    for s in items(r, "DescribeStacks", "Stacks"):
        out.extend(cfn.transform_stack(ctx, s, resources, {}))
    return out


def _rules(ctx, r: dict):
    return d.transform_notification_rules(ctx, [one(r, "DescribeNotificationRule")])


CASES = [
    Case(F, d.transform_pipeline, ("codepipeline:GetPipeline", "codepipeline:GetPipelineState",
                                   "codepipeline:ListPipelineExecutions"), _pipeline,
         names=("GetPipeline:pipeline.name",)),
    Case(F, cbuild.transform_projects, ("codebuild:BatchGetProjects", "codebuild:BatchGetBuilds"),
         lambda ctx, r: cbuild.transform_projects(ctx, items(r, "BatchGetProjects", "projects"),
                                             items(r, "BatchGetBuilds", "builds")),
         names=("BatchGetProjects:projects[].name",),
         allow={"webhook": "AWS omits webhook when a project has none"}),
    Case(F, cdeploy.transform_deployment_configs, ("codedeploy:GetDeploymentConfig",),
         lambda ctx, r: cdeploy.transform_deployment_configs(
             ctx, [one(r, "GetDeploymentConfig").get("deploymentConfigInfo") or {}]),
         names=("GetDeploymentConfig:deploymentConfigInfo.deploymentConfigName",)),
    Case(F, cdeploy.transform_applications, ("codedeploy:BatchGetApplications",),
         lambda ctx, r: cdeploy.transform_applications(ctx, items(r, "BatchGetApplications", "applicationsInfo")),
         names=("BatchGetApplications:applicationsInfo[].applicationName",)),
    Case(F, cdeploy.transform_deployment_groups, ("codedeploy:BatchGetDeploymentGroups",),
         lambda ctx, r: cdeploy.transform_deployment_groups(
             ctx, items(r, "BatchGetDeploymentGroups", "deploymentGroupsInfo"), {}),
         names=("BatchGetDeploymentGroups:deploymentGroupsInfo[].deploymentGroupName",), ids=("applicationName",),
         allow={"auto_rollback": "no autoRollbackConfiguration: rollback was never configured",
                "blue_green": "no deploymentStyle: AWS's default, an in-place deployment"}),
    Case(F, d.transform_repositories, ("codecommit:BatchGetRepositories",),
         lambda ctx, r: d.transform_repositories(ctx, items(r, "BatchGetRepositories", "repositories")),
         names=("BatchGetRepositories:repositories[].repositoryName",)),
    Case(F, d.transform_connections, ("codestar-connections:ListConnections",),
         lambda ctx, r: d.transform_connections(ctx, items(r, "ListConnections", "Connections")),
         names=("ListConnections:Connections[].ConnectionName",), ids=("ConnectionArn",)),
    Case(F, cfn.transform_stack, ("cloudformation:DescribeStacks", "cloudformation:ListStackResources"), _stack,
         names=("DescribeStacks:Stacks[].StackName",)),
    Case(F, d.transform_notification_rules, ("codestar-notifications:DescribeNotificationRule",), _rules,
         edges=("DescribeNotificationRule:Resource", "DescribeNotificationRule:Targets[].TargetAddress")),
]


#: the modules of the delivery family (split by what they hold; the sweep in test_recorded_all reads delivery.py only)
MODULES = ("scanner.collectors.delivery", "scanner.collectors.codebuild", "scanner.collectors.codedeploy", "scanner.collectors.cloudformation")


def test_every_transform_of_the_family_modules_has_a_case() -> None:
    from tests.test_recorded_serverless import check_coverage

    check_coverage(CASES, MODULES, F)

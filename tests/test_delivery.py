"""Delivery family: CodePipeline, CodeBuild, CodeDeploy, CodeCommit, CodeStar connections, CloudFormation.

Transforms are tested from recorded API shapes; the calls moto 5.2 lacks
(GetPipelineState, ListRepositories, ListConnections, BatchGetDeploymentGroups,
ListDeploymentConfigs/GetDeploymentConfig) are tested with botocore's Stubber on
the client the collector itself uses (``ctx.client``); the sample account shows
the whole path into the document.
"""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from botocore.stub import Stubber

from renderers.facts import delivery as facts
from scanner.collectors import cloudformation as cfn
from scanner.collectors import codebuild as cbuild
from scanner.collectors import codedeploy as cdeploy
from scanner.collectors import delivery as d
from scanner.context import ScanContext
from scanner.inventory import Inventory
from tests.conftest import section

ACCT = "123456789012"
REGION = "us-east-1"
CONN = f"arn:aws:codestar-connections:{REGION}:{ACCT}:connection/abc"


@pytest.fixture()
def ctx() -> ScanContext:
    return ScanContext(boto3.Session(region_name=REGION), REGION, ACCT)


def graph(*records) -> Inventory:
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge(records)
    return inv


def edges(rec, rel):
    return {(e.src, e.dst) for e in rec.edges if e.rel == rel}


def action(name, category, provider, run_order=1, **config):
    return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
            "runOrder": run_order, "configuration": config}


PIPELINE = {
    "name": "web", "roleArn": f"arn:aws:iam::{ACCT}:role/pipe", "version": 3,
    "artifactStore": {"type": "S3", "location": "artifacts-bkt"},
    "stages": [
        {"name": "Source", "actions": [action("Src", "Source", "CodeStarSourceConnection", ConnectionArn=CONN,
                                              FullRepositoryId="acme/web", BranchName="main")]},
        {"name": "Build", "actions": [action("Build", "Build", "CodeBuild", ProjectName="web-build")]},
        {"name": "Deploy", "actions": [
            action("Infra", "Deploy", "CloudFormation", 2, StackName="web-stack", ActionMode="CREATE_UPDATE",
                   ParameterOverrides='{"DbPassword": "hunter2-secret"}'),
            action("App", "Deploy", "CodeDeploy", 1, ApplicationName="web", DeploymentGroupName="prod"),
        ]},
    ],
}


# --- CodePipeline -----------------------------------------------------------------------
def test_pipeline_keeps_stage_and_action_order_and_links_every_target(ctx):
    stack = f"arn:aws:cloudformation:{REGION}:{ACCT}:stack/web-stack/uuid-1"
    rec = d.transform_pipeline(ctx, PIPELINE, {"pipelineArn": f"arn:aws:codepipeline:{REGION}:{ACCT}:web"},
                               {(REGION, "web-stack"): stack})
    node = rec.nodes[0]
    assert [s["name"] for s in node.props["stages"]] == ["Source", "Build", "Deploy"]
    assert [a["name"] for a in node.props["stages"][2]["actions"]] == ["App", "Infra"]  # run order 1 before 2
    arn = node.id
    assert (CONN, arn) in edges(rec, "source_of")
    assert (arn, f"arn:aws:codebuild:{REGION}:{ACCT}:project/web-build") in edges(rec, "builds")
    assert edges(rec, "deploys") == {(arn, stack), (arn, f"arn:aws:codedeploy:{REGION}:{ACCT}:deploymentgroup:web/prod")}
    assert (arn, "arn:aws:s3:::artifacts-bkt") in edges(rec, "integrates_with")
    assert node.props["artifact_bucket"] == "artifacts-bkt"
    assert node.props["source"]["repository"] == "acme/web" and node.props["source"]["branch"] == "main"


def test_pipeline_configuration_never_keeps_tokens_or_parameter_values(ctx):
    decl = json.loads(json.dumps(PIPELINE))
    decl["stages"][0]["actions"].append(action("V1", "Source", "GitHub", Owner="acme", Repo="web", Branch="main",
                                               OAuthToken="ghp_SECRET_TOKEN_VALUE"))
    rec = d.transform_pipeline(ctx, decl, None)
    text = json.dumps(rec.nodes[0].props)
    assert "ghp_SECRET_TOKEN_VALUE" not in text and "hunter2-secret" not in text
    assert "OAuthToken" not in text and "ParameterOverrides" not in text
    assert '"Repo": "web"' in text  # the harmless names stay


def test_pipeline_trigger_reads_v2_git_triggers_and_polling(ctx):
    v2 = {**PIPELINE, "triggers": [{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
        "sourceActionName": "Src", "push": [{"branches": {"includes": ["main", "release/*"]}}]}}]}
    assert d.transform_pipeline(ctx, v2, None).nodes[0].props["trigger"] == "git trigger: push to main, release/*"
    poll = json.loads(json.dumps(PIPELINE))
    poll["stages"][0]["actions"] = [action("S3", "Source", "S3", S3Bucket="drop", S3ObjectKey="app.zip",
                                           PollForSourceChanges="true")]
    rec = d.transform_pipeline(ctx, poll, None)
    assert rec.nodes[0].props["trigger"] == "polling"
    assert ("arn:aws:s3:::drop", rec.nodes[0].id) in edges(rec, "source_of")


def test_pipeline_state_is_read_with_get_pipeline_state(ctx):
    """moto lacks GetPipelineState: Stubber on the collector's own client."""
    c = ctx.client("codepipeline")
    decl = {**PIPELINE, "stages": PIPELINE["stages"][:2]}
    with Stubber(c) as st:
        st.add_response("list_pipelines", {"pipelines": [{"name": "web"}]})
        st.add_response("get_pipeline", {"pipeline": decl, "metadata": {"pipelineArn": "arn:aws:codepipeline:us-east-1:123456789012:web"}},
                        {"name": "web"})
        st.add_response("get_pipeline_state", {"pipelineName": "web", "stageStates": [
            {"stageName": "Source", "latestExecution": {"pipelineExecutionId": "e1", "status": "Succeeded"}},
            {"stageName": "Build", "latestExecution": {"pipelineExecutionId": "e1", "status": "Failed"}}]},
            {"name": "web"})
        st.add_response("list_pipeline_executions", {"pipelineExecutionSummaries": []},
                        {"pipelineName": "web", "maxResults": 1})
        rec = d.collect_pipelines(ctx)
    assert rec.nodes[0].props["stage_states"] == {"Source": "Succeeded", "Build": "Failed"}
    rows = facts.pipeline_state_rows(graph(rec))
    assert rows == [[REGION, "web", "none recorded", "Source: Succeeded, Build: Failed"]]


def test_denied_pipeline_state_is_a_gap_not_a_failure(ctx):
    c = ctx.client("codepipeline")
    decl = {**PIPELINE, "stages": PIPELINE["stages"][:2]}
    with Stubber(c) as st:
        st.add_response("list_pipelines", {"pipelines": [{"name": "web"}]})
        st.add_response("get_pipeline", {"pipeline": decl}, {"name": "web"})
        st.add_client_error("get_pipeline_state", "AccessDeniedException", "no", expected_params={"name": "web"})
        st.add_client_error("list_pipeline_executions", "AccessDeniedException", "no")
        rec = d.collect_pipelines(ctx)
    assert rec.nodes[0].props["stage_states"] is None
    assert [g.action for g in rec.gaps] == ["codepipeline:GetPipelineState", "codepipeline:ListPipelineExecutions"]


def test_last_execution_and_notification_rules_reach_7_4(ctx):
    """moto lacks CodeStar Notifications: Stubber; the last run comes from ListPipelineExecutions."""
    topic = f"arn:aws:sns:{REGION}:{ACCT}:releases"
    pipe = f"arn:aws:codepipeline:{REGION}:{ACCT}:web"
    with Stubber(ctx.client("codestar-notifications")) as st:
        st.add_response("list_notification_rules", {"NotificationRules": [{"Id": "r1", "Arn": "arn:rule/r1"}]})
        st.add_response("describe_notification_rule", {
            "Arn": "arn:rule/r1", "Name": "pipeline-failures", "Resource": pipe, "Status": "ENABLED",
            "EventTypes": [{"EventTypeId": "codepipeline-pipeline-pipeline-execution-failed",
                            "EventTypeName": "Pipeline execution: Failed"}],
            "Targets": [{"TargetAddress": topic, "TargetType": "SNS", "TargetStatus": "ACTIVE"}]},
            {"Arn": "arn:rule/r1"})
        rules = d.collect_notification_rules(ctx)
    last = {"pipelineExecutionId": "e9", "status": "Failed", "startTime": dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC),
            "trigger": {"triggerType": "Webhook"}}
    inv = graph(d.transform_pipeline(ctx, PIPELINE, {"pipelineArn": pipe}, last_execution=last), rules)
    assert facts.pipeline_state_rows(inv) == [[REGION, "web", "Failed 2026-03-01T08:00:00+00:00 (Webhook)", "not read"]]
    assert facts.notification_rows(inv) == [[REGION, "pipeline web", "releases", "Pipeline execution: Failed"]]


# --- CodeBuild -----------------------------------------------------------------------
PROJECT = {
    "name": "web-build", "arn": f"arn:aws:codebuild:{REGION}:{ACCT}:project/web-build",
    "source": {"type": "GITHUB", "location": "https://user:ghp_TOKEN123@github.com/acme/web.git",
               "buildspec": "version: 0.2\nphases:\n  build:\n    commands: [echo $SECRET]"},
    "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
                    "privilegedMode": False, "environmentVariables": [
                        {"name": "STAGE", "value": "prod"},
                        {"name": "API_KEY", "value": "sk-live-VALUE", "type": "PLAINTEXT"},
                        {"name": "DB_PASS", "value": "/ssm/db", "type": "PARAMETER_STORE"}]},
    "serviceRole": f"arn:aws:iam::{ACCT}:role/build",
    "vpcConfig": {"vpcId": "vpc-1", "subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "logsConfig": {"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "ENABLED", "location": "logs-bkt/build"}},
    "timeoutInMinutes": 60, "tags": [{"key": "team", "value": "web"}],
}


def test_codebuild_keeps_variable_names_only_and_strips_url_credentials(ctx):
    rec = cbuild.transform_projects(ctx, [PROJECT])
    p = rec.nodes[0].props
    text = json.dumps(p)
    assert "sk-live-VALUE" not in text and "ghp_TOKEN123" not in text and "echo $SECRET" not in text
    assert p["env_names"] == ["STAGE", "API_KEY", "DB_PASS"]
    assert p["plaintext_env_names"] == ["STAGE", "API_KEY"]  # type defaults to PLAINTEXT
    assert p["secret_like_plaintext_names"] == ["API_KEY"]
    assert p["source_location"] == "https://github.com/acme/web.git"
    assert p["buildspec_inline"] is True and p["buildspec"] == "inline in the project"
    assert p["logs"] == {"cloudwatch": None, "s3": "logs-bkt/build"}
    arn = PROJECT["arn"]
    assert (arn, f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-1") in edges(rec, "in_subnet")
    assert (arn, "arn:aws:s3:::logs-bkt") in edges(rec, "logs_to")
    assert (arn, PROJECT["serviceRole"]) in edges(rec, "uses_role")


def test_source_url_query_tokens_are_dropped():
    assert d.strip_credentials("https://example.com/src.zip?X-Amz-Signature=abc&token=t") == "https://example.com/src.zip"
    assert d.strip_credentials("bucket/key.zip") == "bucket/key.zip"
    assert d.strip_credentials("https://git.example.com:8443/x.git") == "https://git.example.com:8443/x.git"


def test_codebuild_minimal_project_and_codecommit_source(ctx):
    rec = cbuild.transform_projects(ctx, [{"name": "tiny", "source": {
        "type": "CODECOMMIT", "location": f"https://git-codecommit.{REGION}.amazonaws.com/v1/repos/app"}}])
    p = rec.nodes[0].props
    assert p["env_names"] == [] and p["image"] is None and p["logs"]["cloudwatch"] == "/aws/codebuild/tiny"
    assert (f"arn:aws:codecommit:{REGION}:{ACCT}:app", rec.nodes[0].id) in edges(rec, "source_of")


def test_codebuild_batches_of_100(ctx):
    c = ctx.client("codebuild")
    names = [f"p{i}" for i in range(150)]
    with Stubber(c) as st:
        st.add_response("list_projects", {"projects": names})
        st.add_response("batch_get_projects", {"projects": [{"name": n} for n in names[:100]]}, {"names": names[:100]})
        st.add_response("batch_get_projects", {"projects": [{"name": n} for n in names[100:]]}, {"names": names[100:]})
        for n in names:
            st.add_response("list_builds_for_project", {}, {"projectName": n, "sortOrder": "DESCENDING"})
        rec = cbuild.collect_projects(ctx)
    assert len([n for n in rec.nodes if n.kind == "codebuild:project"]) == 150


def test_last_build_is_read_but_its_environment_is_not_kept(ctx):
    with Stubber(ctx.client("codebuild")) as st:
        st.add_response("list_projects", {"projects": ["web-build"]})
        st.add_response("batch_get_projects", {"projects": [PROJECT]}, {"names": ["web-build"]})
        st.add_response("list_builds_for_project", {"ids": ["web-build:b2", "web-build:b1"]},
                        {"projectName": "web-build", "sortOrder": "DESCENDING"})
        st.add_response("batch_get_builds", {"builds": [{
            "id": "web-build:b2", "projectName": "web-build", "buildStatus": "FAILED", "currentPhase": "COMPLETED",
            "startTime": dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.UTC), "endTime": dt.datetime(2026, 2, 1, 10, 4, 5, tzinfo=dt.UTC),
            "environment": {"type": "LINUX_CONTAINER", "image": "i", "computeType": "BUILD_GENERAL1_SMALL",
                            "environmentVariables": [{"name": "API_KEY", "value": "sk-live-BUILDVALUE"}]},
            "exportedEnvironmentVariables": [{"name": "OUT", "value": "exported-BUILDVALUE"}]}]},
            {"ids": ["web-build:b2"]})
        rec = cbuild.collect_projects(ctx)
    assert "BUILDVALUE" not in json.dumps([n.props for n in rec.nodes], default=str)
    assert rec.nodes[0].props["last_build"]["status"] == "FAILED"
    assert facts.build_rows(graph(rec))[0][-1] == "FAILED 2026-02-01T10:00:00+00:00, 4 min 5 s"


# --- CodeDeploy -----------------------------------------------------------------------
GROUP = {
    "applicationName": "web", "deploymentGroupName": "prod", "deploymentConfigName": "web-canary",
    "serviceRoleArn": f"arn:aws:iam::{ACCT}:role/cd",
    "autoScalingGroups": [{"name": "web-asg", "hook": "h"}],
    "ec2TagFilters": [{"Key": "Role", "Value": "web", "Type": "KEY_AND_VALUE"}],
    "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
    "alarmConfiguration": {"enabled": True, "alarms": [{"name": "5xx"}]},
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "blueGreenDeploymentConfiguration": {"terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE"}},
    "loadBalancerInfo": {"targetGroupInfoList": [{"name": "web-tg"}]},
    "lastAttemptedDeployment": {"deploymentId": "d-1", "status": "Failed", "endTime": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)},
    "computePlatform": "Server",
}
ASG_ARN = f"arn:aws:autoscaling:{REGION}:{ACCT}:autoScalingGroup:uuid:autoScalingGroupName/web-asg"


def test_deployment_group_targets_rollback_and_alarms(ctx):
    topic = f"arn:aws:sns:{REGION}:{ACCT}:deploys"
    group = {**GROUP, "triggerConfigurations": [{"triggerName": "t", "triggerTargetArn": topic,
                                                 "triggerEvents": ["DeploymentFailure"]}]}
    rec = cdeploy.transform_deployment_groups(ctx, [group], {"web-asg": ASG_ARN})
    g = rec.nodes[0]
    assert (g.id, topic) in edges(rec, "publishes_to")
    assert (g.id, ASG_ARN) in edges(rec, "deploys")
    assert (f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:5xx", g.id) in edges(rec, "monitors")
    assert g.props["blue_green"] is True and g.props["rollback_events"] == ["DEPLOYMENT_FAILURE"]
    inv = graph(rec)
    rows = facts.rollback_rows(inv)
    assert rows[0][2:] == [True, "on failure", "5xx", "blue/green, old fleet terminate", "Failed 2026-01-02T00:00:00+00:00"]


def test_rollback_alarm_that_no_longer_exists_is_called_out(ctx):
    alarm = alarm_records(ctx, "5xx", "ALARM")
    inv = graph(cdeploy.transform_deployment_groups(ctx, [GROUP, {**GROUP, "deploymentGroupName": "stage",
                                                            "alarmConfiguration": {"enabled": True, "alarms": [{"name": "gone"}]}}]),
                alarm)
    inv.meta["runs"] = [{"collector": "cloudwatch.alarms", "service": "cloudwatch", "region": REGION, "status": "ok"}]
    rows = {row[1]: row[4] for row in facts.rollback_rows(inv)}
    assert rows == {"web/prod": "5xx (ALARM)", "web/stage": "gone (not found)"}


def alarm_records(ctx, name, state):
    out = ctx.records()
    out.node(f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:{name}", "cloudwatch:alarm", name, name=name, state=state)
    return out


def test_failed_stacks_are_listed_for_7_4(ctx):
    inv = graph(cfn.transform_stack(ctx, STACK, []), cfn.transform_stack(ctx, {**STACK, "StackId": "arn:x:stack/ok/1",
                                                                           "StackName": "ok", "StackStatus": "CREATE_COMPLETE"}, []))
    assert [row[1:3] for row in facts.failed_stacks(inv)] == [["app", "UPDATE_ROLLBACK_COMPLETE"]]


def test_deployment_group_without_rollback_or_resolvable_asg(ctx):
    group = {"applicationName": "a", "deploymentGroupName": "g", "autoScalingGroups": [{"name": "gone"}]}
    rec = cdeploy.transform_deployment_groups(ctx, [group], {})
    assert not edges(rec, "deploys") and rec.nodes[0].props["asg_names"] == ["gone"]
    assert facts.no_rollback(graph(rec)) == ["a/g"]


def test_codedeploy_collector_batches_groups_and_reads_configs(ctx):
    """moto lacks BatchGetDeploymentGroups and the deployment-config reads: Stubber."""
    cd, asg = ctx.client("codedeploy"), ctx.client("autoscaling")
    with Stubber(cd) as st, Stubber(asg) as sa:
        st.add_response("list_applications", {"applications": ["web"]})
        st.add_response("batch_get_applications", {"applicationsInfo": [{"applicationName": "web", "computePlatform": "Server"}]})
        st.add_response("list_deployment_groups", {"applicationName": "web", "deploymentGroups": ["prod"]})
        st.add_response("batch_get_deployment_groups", {"deploymentGroupsInfo": [GROUP]},
                        {"applicationName": "web", "deploymentGroupNames": ["prod"]})
        sa.add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [{
            "AutoScalingGroupName": "web-asg", "AutoScalingGroupARN": ASG_ARN, "MinSize": 1, "MaxSize": 2,
            "DesiredCapacity": 1, "DefaultCooldown": 1, "AvailabilityZones": ["a"], "HealthCheckType": "EC2",
            "CreatedTime": dt.datetime(2026, 1, 1)}]}, {"AutoScalingGroupNames": ["web-asg"]})
        st.add_response("list_deployment_configs", {"deploymentConfigsList": ["CodeDeployDefault.AllAtOnce", "web-canary"]})
        st.add_response("get_deployment_config", {"deploymentConfigInfo": {
            "deploymentConfigName": "web-canary", "computePlatform": "Server",
            "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 75}}}, {"deploymentConfigName": "web-canary"})
        rec = cdeploy.collect_codedeploy(ctx)
    inv = graph(rec)
    assert ASG_ARN in {n["id"] for n in inv.out(d.deployment_group_arn(ctx, "web", "prod"), "deploys")}
    assert facts.custom_config_rows(inv) == [[REGION, "web-canary", "Server", "75 % healthy"]]
    assert "web-canary (75 % healthy)" in facts.deployment_group_rows(inv)[0][5]


# --- CodeCommit, connections ---------------------------------------------------------
def test_codecommit_repositories_listed_and_batched(ctx):
    """moto lacks ListRepositories: Stubber."""
    with Stubber(ctx.client("codecommit")) as st:
        st.add_response("list_repositories", {"repositories": [{"repositoryName": "app", "repositoryId": "1"}]})
        st.add_response("batch_get_repositories", {"repositories": [{
            "repositoryName": "app", "Arn": f"arn:aws:codecommit:{REGION}:{ACCT}:app", "defaultBranch": "main",
            "cloneUrlHttp": "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app"}]},
            {"repositoryNames": ["app"]})
        rec = d.collect_repositories(ctx)
    assert rec.nodes[0].props["default_branch"] == "main"
    assert facts.repository_rows(graph(rec))[0][:4] == [REGION, "CodeCommit repository", "app", "default branch main"]


def test_connections_follow_next_token_and_show_status_in_7_1(ctx):
    """moto lacks CodeStar connections, and botocore has no paginator for it: Stubber, two pages."""
    with Stubber(ctx.client("codestar-connections")) as st:
        st.add_response("list_connections", {"Connections": [{"ConnectionArn": CONN, "ConnectionName": "gh",
                                                              "ProviderType": "GitHub", "ConnectionStatus": "PENDING",
                                                              "OwnerAccountId": ACCT}], "NextToken": "t"})
        st.add_response("list_connections", {"Connections": [{"ConnectionArn": CONN + "2", "ConnectionName": "bb",
                                                              "ProviderType": "Bitbucket", "ConnectionStatus": "AVAILABLE"}]},
                        {"NextToken": "t"})
        rec = d.collect_connections(ctx)
    assert [n.props["status"] for n in rec.nodes] == ["PENDING", "AVAILABLE"]
    inv = graph(rec, d.transform_pipeline(ctx, PIPELINE, None))
    assert facts.source_rows(inv)[0][-1] == "PENDING"
    assert ["us-east-1", "GitHub connection", "gh", "PENDING", "web"] in facts.repository_rows(inv)


# --- CloudFormation --------------------------------------------------------------------
STACK = {
    "StackId": f"arn:aws:cloudformation:{REGION}:{ACCT}:stack/app/uuid-9", "StackName": "app",
    "StackStatus": "UPDATE_ROLLBACK_COMPLETE", "EnableTerminationProtection": False,
    "Parameters": [{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "DbPassword", "ParameterValue": "****"}],
    "Outputs": [{"OutputKey": "Url", "OutputValue": "https://x"}],
    "DriftInformation": {"StackDriftStatus": "DRIFTED"}, "RoleARN": f"arn:aws:iam::{ACCT}:role/cfn",
}
RESOURCES = [
    {"ResourceType": "AWS::EC2::VPC", "PhysicalResourceId": "vpc-1"},
    {"ResourceType": "AWS::SQS::Queue", "PhysicalResourceId": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/jobs"},
    {"ResourceType": "AWS::RDS::DBInstance", "PhysicalResourceId": "MyDb"},
    {"ResourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "PhysicalResourceId": f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/app/x/1"},
    {"ResourceType": "AWS::AutoScaling::AutoScalingGroup", "PhysicalResourceId": "web-asg"},
    {"ResourceType": "AWS::EC2::EIP", "PhysicalResourceId": "1.2.3.4"},
    {"ResourceType": "Custom::Thing", "PhysicalResourceId": "whatever"},
]


def test_stack_names_only_and_resources_become_contains_edges(ctx):
    rec = cfn.transform_stack(ctx, STACK, RESOURCES, {"web-asg": ASG_ARN})
    p = rec.nodes[0].props
    assert p["parameters_names"] == ["Env", "DbPassword"] and p["noecho_parameter_names"] == ["DbPassword"]
    assert "prod" not in json.dumps(p)  # values are never kept, NoEcho or not
    assert p["outputs_names"] == ["Url"] and p["drift_status"] == "DRIFTED"
    assert (p["resource_count"], p["mapped_resources"], p["unmapped_resources"]) == (7, 5, 2)
    assert edges(rec, "contains") >= {
        (STACK["StackId"], f"arn:aws:ec2:{REGION}:{ACCT}:vpc/vpc-1"),
        (STACK["StackId"], f"arn:aws:sqs:{REGION}:{ACCT}:jobs"),
        (STACK["StackId"], f"arn:aws:rds:{REGION}:{ACCT}:db:mydb"),
        (STACK["StackId"], ASG_ARN)}
    row = facts.stack_rows(graph(rec))[0]
    assert row[2:6] == ["UPDATE_ROLLBACK_COMPLETE", "DRIFTED", False, "7 (2 not linked)"]


def test_stack_whose_resources_cannot_be_listed_is_still_described(ctx):
    with Stubber(ctx.client("cloudformation")) as st:
        st.add_response("describe_stacks", {"Stacks": [{**STACK, "CreationTime": dt.datetime(2026, 1, 1)}]})
        st.add_client_error("list_stack_resources", "AccessDenied", "no")
        rec = cfn.collect_stacks(ctx)
    assert rec.nodes[0].props["resource_count"] is None
    assert [g.action for g in rec.gaps] == ["cloudformation:ListStackResources"]


# --- the sample account, end to end ----------------------------------------------------
def test_pipeline_stages_in_order_in_7_3(sample):
    s = section(sample.doc, "7.3")
    assert "Source → Build → Deploy" in s
    assert s.index("UnitTestAndPackage") < s.index("DeployToASG") < s.index("ReleaseStack")
    assert "web-platform-release" in s and "CREATE\\_COMPLETE" in s


def test_build_image_in_7_2_and_source_in_7_1(sample):
    assert "aws/codebuild/standard:7.0" in section(sample.doc, "7.2")
    s71 = section(sample.doc, "7.1")
    assert "acme/web-platform" in s71 and "main" in s71


def test_deployment_group_deploys_to_the_asg(sample):
    dg = f"arn:aws:codedeploy:{REGION}:{ACCT}:deploymentgroup:web-platform/web-platform-prod"
    targets = sample.inv.out(dg, "deploys")
    assert [t["kind"] for t in targets] == ["autoscaling:group"]
    assert targets[0]["name"] == sample.ids["asg_name"]
    s = section(sample.doc, "7.4")
    assert "web-deploy-5xx" in s and "on failure, on alarm" in s
    assert "deployment group web-platform-prod | web-platform-deployments | DeploymentFailure" in s


def test_no_canary_value_in_any_output_file(sample):
    canaries = sample.ids["delivery_canaries"]
    assert canaries
    files = [p for p in sample.out.rglob("*") if p.is_file()]
    assert any(p.name == "inventory.json" for p in files)
    for p in files:
        data = p.read_bytes()
        for c in canaries:
            assert c.encode() not in data, f"{c} leaked into {p}"
    props = json.dumps(sample.inv.node(sample.ids["codebuild_project_arn"])["props"])
    assert "DB_PASSWORD" in props  # the name is kept, the value is not


# --- properties ---------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402

TEXT = hs.text(alphabet=hs.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(user=hs.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True),
       secret=hs.from_regex(r"[A-Za-z0-9_-]{8,24}", fullmatch=True),
       path=hs.from_regex(r"(/[a-z0-9-]{1,10}){0,3}(\.git)?", fullmatch=True))
def test_url_credentials_never_survive(user, secret, path):
    url = f"https://{user}:{secret}@github.com{path}"
    cleaned = d.strip_credentials(url)
    assert "@" not in cleaned and f":{secret}" not in cleaned
    assert cleaned == f"https://github.com{path}"


@settings(max_examples=200, deadline=None)
@given(rtype=hs.sampled_from([*cfn.EC2_TYPES, *cfn.NAME_PATTERNS, "AWS::S3::Bucket", "AWS::IAM::Role",
                               "AWS::SQS::Queue", "AWS::KMS::Key", "AWS::AutoScaling::AutoScalingGroup", "Custom::X"]),
       pid=hs.one_of(hs.none(), TEXT))
def test_any_stack_resource_maps_to_an_id_or_none(rtype, pid):
    ctx = ScanContext(None, REGION, ACCT)
    out = cfn.resource_id(ctx, rtype, pid, {})
    assert out is None or isinstance(out, str)


@settings(max_examples=100, deadline=None)
@given(config=hs.dictionaries(TEXT, TEXT, max_size=8))
def test_safe_config_only_keeps_allow_listed_keys(config):
    assert set(d.safe_config(config)) <= set(d.SAFE_ACTION_CONFIG)


# --- per-resource reads fanned out in their lane (scanner/collectors/_fanout.py) ---------------
def test_codebuild_and_codedeploy_give_the_same_records_at_any_width():
    """Width 1 and 8: the same nodes, edges and gaps in the same order, with and without denials."""
    from moto import mock_aws

    from tests.test_loadbalancing import assert_same_at_any_width

    region = "us-east-1"
    role = "arn:aws:iam::123456789012:role/ci"
    with mock_aws():
        cb = boto3.client("codebuild", region_name=region)
        for n in range(3):
            cb.create_project(name=f"build-{n}", source={"type": "S3", "location": "ci-bucket/source.zip"},
                              artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
                              environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                                           "computeType": "BUILD_GENERAL1_SMALL"})
        # no build started: moto's build advances with the clock, so two runs would differ
        cd = boto3.client("codedeploy", region_name=region)
        for n in range(3):
            cd.create_application(applicationName=f"app-{n}", computePlatform="Server")
            cd.create_deployment_group(applicationName=f"app-{n}", deploymentGroupName=f"dg-{n}",
                                       serviceRoleArn=role, deploymentConfigName="CodeDeployDefault.OneAtATime")
        builds = assert_same_at_any_width(cbuild.collect_projects, "codebuild")
        denied = assert_same_at_any_width(cbuild.collect_projects, "codebuild", ("codebuild:ListBuildsForProject",))
        deploys = assert_same_at_any_width(cdeploy.collect_codedeploy, "codedeploy")
        assert_same_at_any_width(cdeploy.collect_codedeploy, "codedeploy", ("codedeploy:GetDeploymentConfig",))
    assert builds.count('"codebuild:project"') == 3
    assert denied.count('"codebuild:ListBuildsForProject"') == 3, "one gap per project, in project order"
    assert deploys.count('"codedeploy:deployment-group"') == 3

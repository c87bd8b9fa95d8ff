"""EC2 compute, Auto Scaling, Application Auto Scaling and load balancing: collectors, facts, document.

Transforms are tested from API-shaped dicts (no AWS at all); the collectors against moto
(the ``sample`` account and a small module-scoped account with a classic ELB, an NLB and
Application Auto Scaling targets); DescribePlacementGroups, which moto does not implement,
and denied calls, which moto never returns, with botocore's Stubber on ctx's own client.
"""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from fixtures.sample.compute import USER_DATA_CANARY
from renderers.facts import compute as facts
from scanner import judge
from scanner.collectors import autoscaling, compute, loadbalancing, scaling
from scanner.context import ScanContext
from scanner.inventory import Inventory, Records
from tests.conftest import section

ACCT = "123456789012"
REGION = "us-east-1"


def ctx(session: Any = None) -> ScanContext:
    return ScanContext(session, REGION, ACCT)


def arn(kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCT}:{kind}/{rid}"


def edges(rec: Records, rel: str) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in rec.edges if e.rel == rel}


def node(rec: Records, nid: str) -> Any:
    return next(n for n in rec.nodes if n.id == nid)


def inventory(*recs: Records, meta: dict[str, Any] | None = None) -> Inventory:
    inv = Inventory(meta={"account": ACCT, "regions": [REGION], **(meta or {})})
    inv.merge(recs)
    judge.run(inv)  # the judged facts a scan stores, which the sections read
    return inv


# -- EC2 instances ---------------------------------------------------------------------------------------
PUBLIC_V1 = {
    "InstanceId": "i-pub", "InstanceType": "m5.large", "State": {"Name": "running"}, "ImageId": "ami-1",
    "SubnetId": "subnet-p", "VpcId": "vpc-1", "PublicIpAddress": "54.1.2.3", "PrivateIpAddress": "10.0.0.5",
    "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "dedicated", "GroupName": "pg-1", "HostId": "h-1"},
    "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCT}:instance-profile/ops/app-profile", "Id": "AIPA"},
    "SecurityGroups": [{"GroupId": "sg-1"}],
    "NetworkInterfaces": [{"Groups": [{"GroupId": "sg-2"}], "Ipv6Addresses": [{"Ipv6Address": "2600::1"}]}],
    "Tags": [{"Key": "Name", "Value": "bastion"}, {"Key": "aws:autoscaling:groupName", "Value": "asg-1"}],
    "Platform": "windows", "Monitoring": {"State": "enabled"},
}


def test_instance_transform_props_and_edges():
    rec = compute.transform_instances(ctx(), [{"Instances": [PUBLIC_V1]}])
    n = node(rec, arn("instance", "i-pub"))
    p = n.props
    assert (n.name, p["public_ip"], p["ipv6_ips"]) == ("bastion", "54.1.2.3", ["2600::1"])
    assert p["imds_v2_required"] is False and p["imds_enabled"] is True
    assert p["security_group_ids"] == ["sg-1", "sg-2"] and p["asg_name"] == "asg-1"
    assert (p["tenancy"], p["placement_group"], p["host_id"], p["platform"]) == ("dedicated", "pg-1", "h-1", "Windows")
    assert p["monitoring"] is True
    iid = n.id
    assert (iid, arn("subnet", "subnet-p")) in edges(rec, "in_subnet")
    assert {(iid, arn("security-group", "sg-1")), (iid, arn("security-group", "sg-2"))} <= edges(rec, "protected_by")
    assert (iid, f"arn:aws:iam::{ACCT}:instance-profile/ops/app-profile") in edges(rec, "attached_to")
    assert (iid, arn("image", "ami-1")) in edges(rec, "uses_image")
    assert (iid, arn("placement-group", "pg-1")) in edges(rec, "member_of")
    assert (arn("dedicated-host", "h-1"), iid) in edges(rec, "contains")


def test_instance_transform_survives_a_minimal_instance():
    """An instance with nothing but an id (odd API shapes, stopped EC2-Classic leftovers)."""
    rec = compute.transform_instances(ctx(), [{"Instances": [{"InstanceId": "i-bare"}]}, {}])
    p = node(rec, arn("instance", "i-bare")).props
    assert p["imds_v2_required"] is None and p["state"] is None and p["security_group_ids"] == []
    assert edges(rec, "in_subnet") == set() and edges(rec, "attached_to") == set()


def test_images_age_owner_and_public_flag():
    created = "2020-01-31T12:00:00.000Z"
    rec = compute.transform_images(ctx(), [{"ImageId": "ami-1", "Name": "golden", "OwnerId": "137112412989",
                                            "ImageOwnerAlias": "amazon", "CreationDate": created, "Public": True,
                                            "BlockDeviceMappings": [{"Ebs": {"Encrypted": False}}]}])
    p = node(rec, arn("image", "ami-1")).props
    assert p["creation_date"] == "2020-01-31T12:00:00+00:00"
    assert p["age_days"] > 365 * 5 and p["public"] is True and p["encrypted"] is False
    assert p["owned_by_account"] is False


# -- launch templates: user data never kept ---------------------------------------------------------------
def _lt_versions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    templates = [{"LaunchTemplateId": "lt-1", "LaunchTemplateName": "web", "DefaultVersionNumber": 1,
                  "LatestVersionNumber": 2}]
    ud = base64.b64encode(USER_DATA_CANARY.encode()).decode()
    versions = [
        {"LaunchTemplateId": "lt-1", "VersionNumber": 1, "LaunchTemplateData": {
            "InstanceType": "t3.small", "ImageId": "ami-1", "UserData": ud,
            "MetadataOptions": {"HttpTokens": "required"},
            "NetworkInterfaces": [{"Groups": ["sg-9"], "AssociatePublicIpAddress": True}],
            "IamInstanceProfile": {"Name": "app-profile"}}},
        {"LaunchTemplateId": "lt-1", "VersionNumber": 2, "LaunchTemplateData": {"InstanceType": "t3.large"}},
    ]
    return templates, versions


def test_launch_template_uses_default_version_and_drops_user_data():
    templates, versions = _lt_versions()
    rec = compute.transform_launch_templates(ctx(), templates, versions)
    p = node(rec, arn("launch-template", "lt-1")).props
    assert (p["instance_type"], p["latest_instance_type"]) == ("t3.small", "t3.large")
    assert p["imds_v2_required"] is True and p["user_data_present"] is True
    assert p["security_group_ids"] == ["sg-9"] and p["public_ip_on_eni"] is True
    assert p["instance_profile_arn"] == f"arn:aws:iam::{ACCT}:instance-profile/app-profile"
    dumped = json.dumps([n.__dict__ for n in rec.nodes], default=str)
    assert USER_DATA_CANARY not in dumped and base64.b64encode(USER_DATA_CANARY.encode()).decode() not in dumped


def test_denied_template_versions_keep_templates_and_record_a_gap():
    """Stubber: moto never denies; DescribeLaunchTemplateVersions is denied on ctx's own client."""
    c = ctx(boto3.Session(region_name=REGION))
    ec2 = c.client("ec2")
    with Stubber(ec2) as st:
        st.add_response("describe_launch_templates", {"LaunchTemplates": _lt_versions()[0]})
        st.add_client_error("describe_launch_template_versions", "UnauthorizedOperation", "not allowed")
        rec = compute.collect_launch_templates(c)
    p = node(rec, arn("launch-template", "lt-1")).props
    assert p["versions_read"] is False and p["instance_type"] is None
    assert [g.action for g in rec.gaps] == ["ec2:DescribeLaunchTemplateVersions"]


def test_placement_groups_read_only_when_in_use():
    """Stubber: moto does not implement DescribePlacementGroups."""
    c = ctx(boto3.Session(region_name=REGION))
    ec2 = c.client("ec2")
    with Stubber(ec2) as st:
        st.add_response("describe_instances", {"Reservations": [{"Instances": [PUBLIC_V1]}]})
        st.add_response("describe_images", {"Images": []},
                        {"Filters": [{"Name": "image-id", "Values": ["ami-1"]}], "IncludeDeprecated": True})
        st.add_response("describe_placement_groups",
                        {"PlacementGroups": [{"GroupName": "pg-1", "Strategy": "cluster", "State": "available"}]},
                        {"GroupNames": ["pg-1"]})
        rec = compute.collect_instances(c)
        st.assert_no_pending_responses()
    assert node(rec, arn("placement-group", "pg-1")).props["strategy"] == "cluster"


# -- Auto Scaling ----------------------------------------------------------------------------------------
ASG_ARN = f"arn:aws:autoscaling:{REGION}:{ACCT}:autoScalingGroup:u-1:autoScalingGroupName/web"
MIXED = {
    "AutoScalingGroupName": "web", "AutoScalingGroupARN": ASG_ARN, "MinSize": 1, "MaxSize": 4,
    "DesiredCapacity": 2, "AvailabilityZones": ["us-east-1a"], "VPCZoneIdentifier": "subnet-a, subnet-b",
    "TargetGroupARNs": ["arn:tg"], "LoadBalancerNames": ["old-elb"], "HealthCheckType": "EC2",
    "Instances": [{"InstanceId": "i-1", "InstanceType": "m5.large", "HealthStatus": "Healthy"}],
    "MixedInstancesPolicy": {"LaunchTemplate": {
        "LaunchTemplateSpecification": {"LaunchTemplateId": "lt-1", "Version": "$Latest"},
        "Overrides": [{"InstanceType": "m5a.large"}]},
        "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 0}},
}


def test_asg_transform_mixed_instances_and_edges():
    rec = autoscaling.transform_asgs(ctx(), [MIXED])
    p = node(rec, ASG_ARN).props
    assert p["launch_template_id"] == "lt-1" and p["instance_types"] == ["m5.large", "m5a.large"]
    assert p["subnet_ids"] == ["subnet-a", "subnet-b"] and p["on_demand_percent"] == 0
    assert (ASG_ARN, arn("subnet", "subnet-b")) in edges(rec, "in_subnet")
    assert {(ASG_ARN, "arn:tg"), (ASG_ARN, f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/old-elb")} \
        <= edges(rec, "targets")
    assert (arn("instance", "i-1"), ASG_ARN) in edges(rec, "member_of")


def test_policies_and_scheduled_actions_scale_their_group():
    pols = [{"AutoScalingGroupName": "web", "PolicyName": "step", "PolicyType": "StepScaling",
             "AdjustmentType": "ChangeInCapacity", "StepAdjustments": [{"ScalingAdjustment": 2}],
             "Alarms": [{"AlarmName": "cpu-high"}]},
            {"AutoScalingGroupName": "gone", "PolicyName": "orphan", "PolicyType": "SimpleScaling",
             "ScalingAdjustment": -1}]
    rec = autoscaling.transform_policies(ctx(), pols, {"web": ASG_ARN})
    step = next(n for n in rec.nodes if n.name == "step").props
    assert step["adjustment"] == "1 step: +2 (ChangeInCapacity)" and step["metric"] == "alarm cpu-high"
    assert {dst for _, dst in edges(rec, "scales")} == {ASG_ARN}  # no edge for an unknown group
    sched = autoscaling.transform_scheduled_actions(ctx(), [{"AutoScalingGroupName": "web", "ScheduledActionName": "night",
                                                          "Recurrence": "0 22 * * *", "DesiredCapacity": 1}],
                                                {"web": ASG_ARN})
    assert node(sched, next(iter(edges(sched, "scales")))[0]).props["recurrence"] == "0 22 * * *"


# -- Application Auto Scaling ------------------------------------------------------------------------------
@pytest.mark.parametrize(("ns", "rid", "expected"), [
    ("dynamodb", "table/orders", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/orders"),
    ("dynamodb", "table/orders/index/by-user", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/orders"),
    ("ecs", "service/prod/web", f"arn:aws:ecs:{REGION}:{ACCT}:service/prod/web"),
    ("rds", "cluster:aurora-1", f"arn:aws:rds:{REGION}:{ACCT}:cluster:aurora-1"),
    ("ecs", "service/odd", None),
    ("lambda", "function:f:live", None),
])
def test_scalable_target_resource_arn(ns, rid, expected):
    assert scaling.resource_arn(ctx(), ns, rid) == expected


# -- ELBv2 ----------------------------------------------------------------------------------------------
LB = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/app/web/abc"
TG1 = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:targetgroup/blue/1"
TG2 = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:targetgroup/green/2"


def test_actions_summarised_without_secrets():
    oidc = {"Type": "authenticate-oidc", "Order": 1,
            "AuthenticateOidcConfig": {"ClientId": "abc", "ClientSecret": "s3cr3t-oidc"}}
    fwd = {"Type": "forward", "Order": 2, "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": TG1, "Weight": 90}, {"TargetGroupArn": TG2, "Weight": 10}]}}
    text = loadbalancing.describe_actions([fwd, oidc])
    assert text == "authenticate with OIDC; then forward to blue, green"
    redirect = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    assert loadbalancing.describe_action(redirect) == "redirect to HTTPS:443 (HTTP_301)"
    assert loadbalancing.redirects_to_https([redirect]) and not loadbalancing.redirects_to_https([fwd])
    rec = loadbalancing.transform_listeners(ctx(), [{"ListenerArn": "arn:l", "LoadBalancerArn": LB, "Port": 443,
                                                     "Protocol": "HTTPS", "DefaultActions": [oidc, fwd]}], {}, {})
    assert "s3cr3t-oidc" not in json.dumps([n.__dict__ for n in rec.nodes], default=str)
    assert edges(rec, "targets") == {("arn:l", TG1), ("arn:l", TG2)}


def test_listener_rules_certificates_and_edges():
    li = {"ListenerArn": "arn:l", "LoadBalancerArn": LB, "Port": 443, "Protocol": "HTTPS",
          "SslPolicy": "ELBSecurityPolicy-2016-08", "Certificates": [{"CertificateArn": "arn:acm:default"}],
          "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}
    rules = {"arn:l": [
        {"Priority": "10", "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
         "Actions": [{"Type": "forward", "TargetGroupArn": TG1}]},
        {"Priority": "default", "IsDefault": True, "Actions": []}]}
    rec = loadbalancing.transform_listeners(ctx(), [li], rules, {"arn:l": ["arn:acm:sni"]})
    p = node(rec, "arn:l").props
    assert p["default_action"] == "fixed response 404" and p["redirect_to_https"] is False
    assert p["rules"] == [{"priority": "10", "conditions": "path-pattern /api/*", "action": "forward to blue"}]
    assert edges(rec, "uses_certificate") == {("arn:l", "arn:acm:default"), ("arn:l", "arn:acm:sni")}
    assert (LB, "arn:l") in edges(rec, "listens_on") and ("arn:l", TG1) in edges(rec, "targets")


def test_load_balancer_attributes_and_log_bucket():
    lb = {"LoadBalancerArn": LB, "LoadBalancerName": "web", "Type": "application", "Scheme": "internal",
          "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-a"}], "SecurityGroups": ["sg-1"]}
    attrs = {LB: {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": "lb-logs",
                  "deletion_protection.enabled": "false"}}
    rec = loadbalancing.transform_load_balancers(ctx(), [lb], attrs, {})
    p = node(rec, LB).props
    assert p["access_logs"] == {"enabled": True, "bucket": "lb-logs", "prefix": None}
    assert p["deletion_protection"] is False and p["drop_invalid_headers"] is None
    assert (LB, "arn:aws:s3:::lb-logs") in edges(rec, "logs_to")
    unread = node(loadbalancing.transform_load_balancers(ctx(), [lb], {}, {}), LB).props
    assert unread["access_logs"] is None and unread["deletion_protection"] is None


def test_target_group_targets_and_unreadable_health():
    tgs = [{"TargetGroupArn": TG1, "TargetGroupName": "blue", "TargetType": "lambda"},
           {"TargetGroupArn": TG2, "TargetGroupName": "green", "TargetType": "ip", "Port": 80}]
    health = {TG1: [{"Target": {"Id": "arn:aws:lambda:us-east-1:1:function:f"}, "TargetHealth": {"State": "healthy"}}],
              TG2: None}
    rec = loadbalancing.transform_target_groups(ctx(), tgs, health, {})
    assert node(rec, TG1).props["healthy_count"] == 1
    assert node(rec, TG2).props["targets"] is None
    assert edges(rec, "targets") == {(TG1, "arn:aws:lambda:us-east-1:1:function:f")}


# -- facts: instance types --------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "family", "proc", "gen_status", "upgrade"), [
    ("t3.medium", "t3", "Intel", "current generation", "t3a.medium / t4g.medium"),
    ("m5.large", "m5", "Intel", "current, but two or more generations old", "m7i.large / m7a.large / m7g.large"),
    ("m4.xlarge", "m4", "Intel", "previous generation", "m7i.xlarge / m7a.xlarge / m7g.xlarge"),
    ("c6gn.2xlarge", "c6gn", "AWS Graviton (arm64)", "current generation", "c7i.2xlarge / c7a.2xlarge / c7g.2xlarge"),
    ("db.r6g.large", "r6g", "AWS Graviton (arm64)", "current generation", "db.r7i.large / db.r7g.large"),
    ("m7g.medium", "m7g", "AWS Graviton (arm64)", "current generation", "m7i.medium / m7a.medium"),
])
def test_instance_type_reasoning(raw, family, proc, gen_status, upgrade):
    t = facts.parse_type(raw)
    assert (t.family, t.processor, facts.generation_status(t), facts.upgrade_path(t)) == (family, proc, gen_status,
                                                                                          upgrade)


def test_sizes_and_unknown_forms():
    t = facts.parse_type("cache.t3.micro")
    assert (facts.next_size(t, -1), facts.next_size(t, 1)) == ("cache.t3.nano", "cache.t3.small")
    # RDS/ElastiCache memory and general families start at large; EC2 Graviton has medium, Intel does not
    assert facts.next_size(facts.parse_type("cache.r6g.large"), -1) is None
    assert facts.next_size(facts.parse_type("db.m6g.large"), -1) is None
    assert facts.next_size(facts.parse_type("m6g.large"), -1) == "m6g.medium"
    assert facts.next_size(facts.parse_type("m5.large"), -1) is None
    # ElastiCache offers only Graviton in its newest generation, RDS no AMD classes
    assert facts.upgrade_path(facts.parse_type("cache.r6g.large")) == "cache.r7g.large"
    assert facts.upgrade_path(facts.parse_type("db.t3.medium")) == "db.t4g.medium"
    assert facts.next_size(facts.parse_type("t3.nano"), -1) is None
    assert facts.parse_type("u-6tb1.metal") is None and facts.parse_type(None) is None


def test_facts_on_an_empty_inventory():
    inv = inventory()
    assert facts.instance_rows(inv) == [] and facts.sizing_rows(inv) == [] and facts.lb_rows(inv) == []
    assert facts.instance_counts(inv)["total"] == 0 and facts.asg_summary(inv)["count"] == 0


def test_asg_rows_show_policy_schedule_and_single_az():
    recs = [autoscaling.transform_asgs(ctx(), [MIXED]),
            autoscaling.transform_policies(ctx(), [{"AutoScalingGroupName": "web", "PolicyName": "cpu",
                                                "PolicyType": "TargetTrackingScaling",
                                                "TargetTrackingConfiguration": {"TargetValue": 60.0,
                                                    "PredefinedMetricSpecification": {
                                                        "PredefinedMetricType": "ASGAverageCPUUtilization"}}}],
                                       {"web": ASG_ARN})]
    inv = inventory(*recs)
    row = facts.asg_rows(inv)[0]
    assert row[1] == "1 / 2 / 4" and "cpu: target tracking ASGAverageCPUUtilization at 60" in row[7]
    assert facts.asg_summary(inv)["single_az"] == ["web"]


# -- collectors against moto: classic ELB, NLB, Application Auto Scaling ---------------------------------------
@pytest.fixture(scope="module")
def extra() -> Any:
    """A small account: classic ELB with an instance, a TCP NLB, DynamoDB + ECS scalable targets."""
    with mock_aws():
        ec2 = boto3.client("ec2", REGION)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        ami = ec2.register_image(Name="legacy", RootDeviceName="/dev/xvda")["ImageId"]
        iid = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="m4.large",
                                SubnetId=sub)["Instances"][0]["InstanceId"]
        elb = boto3.client("elb", REGION)
        elb.create_load_balancer(LoadBalancerName="legacy-elb", Subnets=[sub], Listeners=[
            {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8080}])
        elb.register_instances_with_load_balancer(LoadBalancerName="legacy-elb", Instances=[{"InstanceId": iid}])
        elbv2 = boto3.client("elbv2", REGION)
        nlb = elbv2.create_load_balancer(Name="tcp-nlb", Subnets=[sub], Type="network",
                                         Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]
        tg = elbv2.create_target_group(Name="tcp-tg", Protocol="TCP", Port=5000, VpcId=vpc,
                                       TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(LoadBalancerArn=nlb, Protocol="TCP", Port=5000,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        boto3.client("dynamodb", REGION).create_table(
            TableName="orders", BillingMode="PROVISIONED", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
        aas = boto3.client("application-autoscaling", REGION)
        aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/orders",
                                     ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=5,
                                     MaxCapacity=100)
        aas.put_scaling_policy(PolicyName="orders-read", ServiceNamespace="dynamodb", ResourceId="table/orders",
                               ScalableDimension="dynamodb:table:ReadCapacityUnits",
                               PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0,
                                   "PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})
        aas.put_scheduled_action(ServiceNamespace="dynamodb", ScheduledActionName="month-end",
                                 ResourceId="table/orders", ScalableDimension="dynamodb:table:ReadCapacityUnits",
                                 Schedule="cron(0 0 28 * ? *)",
                                 ScalableTargetAction={"MinCapacity": 50, "MaxCapacity": 200})
        c = ctx(boto3.Session(region_name=REGION))
        recs = Records(region=REGION, account=ACCT)
        for fn in (compute.collect_instances, loadbalancing.collect_classic, loadbalancing.collect_load_balancers,
                   loadbalancing.collect_target_groups, scaling.collect_app_autoscaling):
            recs.extend(fn(c))
        built = SimpleNamespace(recs=recs, inv=inventory(recs), iid=iid, nlb=nlb, tg=tg)
    # the mock ends before the tests run: a session fixture built meanwhile (the sample account)
    # must not land in this account's moto backend
    yield built


def test_classic_elb_collected_with_instance_target(extra):
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/legacy-elb"
    p = extra.inv.node(lb_arn)["props"]
    assert p["listeners"][0]["instance_port"] == 8080 and p["instance_ids"] == [extra.iid]
    assert (lb_arn, arn("instance", extra.iid)) in edges(extra.recs, "targets")
    row = facts.classic_rows(extra.inv)[0]
    assert row[0] == "legacy-elb" and "HTTP:80 → HTTP:8080" in row[4]


def test_nlb_listener_has_no_rules_call_and_targets_its_group(extra):
    p = extra.inv.node(extra.nlb)["props"]
    assert p["type"] == "network" and p["scheme"] == "internal"
    li = extra.inv.out(extra.nlb, "listens_on")[0]
    assert li["props"]["protocol"] == "TCP" and li["props"]["ssl_policy"] is None
    assert [t["id"] for t in extra.inv.out(li["id"], "targets")] == [extra.tg]


def test_app_autoscaling_target_scales_the_table(extra):
    target = extra.inv.nodes("application-autoscaling:target")[0]
    assert (target["props"]["min"], target["props"]["max"]) == (5, 100)
    assert [n["id"] for n in extra.inv.out(target["id"], "scales")] == [f"arn:aws:dynamodb:{REGION}:{ACCT}:table/orders"]
    row = facts.app_scaling_rows(extra.inv)[0]
    assert row[0] == "dynamodb" and "DynamoDBReadCapacityUtilization at 70" in row[4]
    assert row[5] == "month-end: cron(0 0 28 * ? *) → 50 - 200"


def test_previous_generation_instance_reported_in_sizing(extra):
    row = next(r for r in facts.sizing_rows(extra.inv) if r[0] == "m4.large")
    assert row[4] == "previous generation" and "m7g.large" in row[7]


# -- the sample account, end to end ---------------------------------------------------------------------------
def test_alb_dns_and_https_listener_in_8_3(sample):
    s = section(sample.doc, "8.3")
    assert sample.ids["alb_dns"] in s
    assert "HTTPS:443" in s and "ELBSecurityPolicy-TLS13-1-2-2021-06" in s
    assert "redirect to HTTPS:443" in s and "2 healthy of 2" in s


def test_asg_min_max_and_policies_in_8_1(sample):
    s = section(sample.doc, "8.1")
    row = next(line for line in s.splitlines() if line.startswith("| web-app-asg"))
    assert "2 / 2 / 6" in row and "2 AZs (us-east-1a, us-east-1b)" in row
    assert "ASGAverageCPUUtilization at 50" in row and "business-hours-scale-up" in row
    assert "→ min 3/desired 3/max 6" in row and "&gt;" not in s, "no HTML entity in the Markdown"


def test_unscaled_services_and_tables_are_named_in_8_1():
    rec = ctx().records()
    rec.node(f"arn:aws:ecs:{REGION}:{ACCT}:service/c/web-api", "ecs:service", "web-api")
    rec.node(f"arn:aws:dynamodb:{REGION}:{ACCT}:table/t", "dynamodb:table", "t", billing_mode="PROVISIONED")
    rec.node(f"arn:aws:dynamodb:{REGION}:{ACCT}:table/od", "dynamodb:table", "od", billing_mode="PAY_PER_REQUEST")
    text = render(inventory(rec), "8.1")
    assert ("these keep a fixed capacity unless changed by hand: ECS service web-api, "
            "DynamoDB table t (provisioned).") in text and "od" not in text


@pytest.mark.parametrize("number", ["3.1", "8.1", "8.2", "8.3"])
def test_sample_sections_have_no_reprs_or_placeholder_plurals(sample, number):
    s = section(sample.doc, number).split("**Findings")[0]
    assert "None" not in s and "['" not in s and "{'" not in s and "True" not in s and "False" not in s
    assert "(s)" not in s and "(ies)" not in s and "&gt;" not in s


def test_sample_3_1_instance_column_and_ami_age_once(sample):
    s = section(sample.doc, "3.1")
    row = next(line for line in s.splitlines() if line.startswith("| web-app (i-"))
    assert row.count(" | ") == 9 and "days old" not in row, "name and id in one cell; age only in the AMI table"
    assert "1 Auto Scaling group manages 2 instances" in s


def test_sample_8_2_sizes_exist_for_the_service(sample):
    s = section(sample.doc, "8.2")
    row = next(line for line in s.splitlines() if line.startswith("| cache.r6g.large"))
    assert "cache.r6g.medium" not in row and "cache.r7i" not in row and "cache.r7a" not in row
    assert "| smallest size | cache.r6g.xlarge | cache.r7g.large |" in row
    assert "2 ElastiCache clusters" in row and "t3: 2 instances" in s and "famil(ies)" not in s


def test_sample_8_3_target_group_without_listener_is_named(sample):
    s = section(sample.doc, "8.3")
    row = next(line for line in s.splitlines() if line.startswith("| web-api-tg"))
    assert "ECS service web-api; no listener forwards to it" in row and "every 30 s" in row
    assert "and none serves plain HTTP" in s


def test_empty_account_3_1_does_not_describe_instances():
    text = render(inventory(), "3.1")
    assert "no EC2 Auto Scaling groups." in text and "managed individually" not in text


def test_instance_type_in_3_1_and_8_2(sample):
    s31 = section(sample.doc, "3.1")
    assert "2 x t3.medium" in s31 and "required (v2)" in s31 and "web-app-lt" in s31
    assert "web-app-al2023-2026-09-01" in s31
    s82 = section(sample.doc, "8.2")
    assert "t3.medium" in s82 and "t4g.medium" in s82


def test_graph_edges_listener_to_instances(sample):
    inv, ids = sample.inv, sample.ids
    https = inv.node(ids["https_listener_arn"])
    assert https["props"]["certificate_arns"] == [ids["certificate_arn"]]
    assert [t["id"] for t in inv.out(ids["https_listener_arn"], "targets")] == [ids["target_group_arn"]]
    targets = {t["id"] for t in inv.out(ids["target_group_arn"], "targets", kind="ec2:instance")}
    assert targets == {arn("instance", i) for i in ids["instance_ids"]}
    asg = inv.out(targets.pop(), "member_of", kind="autoscaling:group")
    assert [a["id"] for a in asg] == [ids["asg_arn"]]
    assert ids["target_group_arn"] in {t["id"] for t in inv.out(ids["asg_arn"], "targets")}


def test_instances_in_app_subnets_behind_app_sg(sample):
    inv, ids = sample.inv, sample.ids
    for iid in ids["instance_ids"]:
        nid = arn("instance", iid)
        subnets = {s["props"]["subnet_id"] for s in inv.out(nid, "in_subnet")}
        assert subnets <= set(ids["app_subnet_ids"]) and len(subnets) == 1
        assert {g["props"]["group_id"] for g in inv.out(nid, "protected_by")} == {ids["sg"]["app"]}
        assert inv.node(nid)["props"]["public_ip"] is None


def test_user_data_never_reaches_any_output(sample):
    assert sample.inv.node(arn("launch-template", sample.ids["launch_template_id"]))["props"]["user_data_present"]
    encoded = base64.b64encode(f"#!/bin/bash\nexport {USER_DATA_CANARY}\n".encode()).decode()
    files = [p for p in sample.out.rglob("*") if p.is_file()]
    assert any(p.name == "inventory.json" for p in files)
    for p in files:
        text = p.read_bytes().decode("utf-8", errors="replace")
        assert USER_DATA_CANARY not in text and encoded not in text, p



# -- the subsection templates on small inventories --------------------------------------------------------
def render(inv: Inventory, number: str) -> str:
    """One of this family's subsection templates, rendered as render_document would."""
    from renderers.document import DocHelpers, environment, load_facts
    from scanner.analysis.model import Analysis

    env = environment()
    return env.get_template(f"subsections/{number}.md.j2").render(
        inv=inv, meta=inv.meta, facts=load_facts(), h=DocHelpers(inv, Analysis(), {}))


@pytest.mark.parametrize("number", ["3.1", "8.1", "8.2", "8.3"])
def test_empty_account_says_nothing_was_found(number):
    text = render(inventory(), number)
    assert "were found in the scanned regions (us-east-1)" in text
    assert "|" not in text  # no empty tables


def test_denied_listing_is_reported_not_hidden():
    inv = inventory(meta={"runs": [{"collector": "elbv2.load_balancers", "service": "elbv2", "region": REGION,
                                    "status": "denied", "action": "elasticloadbalancing:DescribeLoadBalancers",
                                    "message": "access denied"}]})
    text = render(inv, "8.3")
    assert "No load balancers could be listed" in text
    assert "elasticloadbalancing:DescribeLoadBalancers" in text


def test_hostile_names_are_escaped_in_3_1():
    evil = dict(PUBLIC_V1, Tags=[{"Key": "Name", "Value": "<script>x</script>|[link](http://e)"}])
    text = render(inventory(compute.transform_instances(ctx(), [{"Instances": [evil]}])), "3.1")
    row = next(line for line in text.splitlines() if "i-pub" in line)
    assert "<script>" not in row and "\\[link\\]" in row and row.count(" | ") == 9
    assert "1 has a public IP address" in text and "1 still allow IMDSv1" in text


def test_long_name_does_not_push_the_instance_id_out_of_its_cell():
    long = dict(PUBLIC_V1, Tags=[{"Key": "Name", "Value": "n" * 256}])
    text = render(inventory(compute.transform_instances(ctx(), [{"Instances": [long]}])), "3.1")
    row = next(line for line in text.splitlines() if line.startswith("| nnn"))
    assert f"… ({PUBLIC_V1['InstanceId']}) |" in row


def test_predictive_and_malformed_policies():
    pols = [{"AutoScalingGroupName": "web", "PolicyName": "predict", "PolicyType": "PredictiveScaling",
             "PredictiveScalingConfiguration": {"MetricSpecifications": [{"TargetValue": 40.0,
                 "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ASGCPUUtilization"}}]}},
            {"AutoScalingGroupName": "web", "PolicyName": "odd", "PredictiveScalingConfiguration": None,
             "TargetTrackingConfiguration": None}]
    rec = autoscaling.transform_policies(ctx(), pols, {"web": ASG_ARN})
    metrics = {n.name: n.props["metric"] for n in rec.nodes}
    assert metrics == {"predict": "ASGCPUUtilization", "odd": None}


def test_transforms_accept_minimal_api_shapes():
    """Only the identifying keys present (other keys absent or null), as odd accounts return."""
    c = ctx()
    assert compute.transform_images(c, [{"ImageId": "ami-x"}]).nodes[0].props["encrypted"] is None
    assert compute.transform_key_pairs(c, [{"KeyName": "k"}]).nodes[0].name == "k"
    assert compute.transform_hosts(c, [{"HostId": "h-x", "Instances": None}]).nodes[0].props["instance_ids"] == []
    lt = compute.transform_launch_templates(c, [{"LaunchTemplateId": "lt-x"}], [])
    # no version read: whether it has user data is unknown, not "no"
    assert lt.nodes[0].props["user_data_present"] is None and lt.nodes[0].props["versions_read"] is False
    asg = autoscaling.transform_asgs(c, [{"AutoScalingGroupName": "g", "AutoScalingGroupARN": "arn:g",
                                      "VPCZoneIdentifier": None, "Instances": None}])
    assert asg.nodes[0].props["subnet_ids"] == [] and asg.nodes[0].props["instance_ids"] == []
    lc = autoscaling.transform_launch_configurations(c, [{"LaunchConfigurationName": "lc", "UserData": "c2VjcmV0"}])
    assert lc.nodes[0].props["user_data_present"] is True and "c2VjcmV0" not in repr(lc.nodes)
    lb = loadbalancing.transform_load_balancers(c, [{"LoadBalancerArn": "arn:lb"}], {}, {})
    assert lb.nodes[0].props["subnet_ids"] == []
    li = loadbalancing.transform_listeners(c, [{"ListenerArn": "arn:li"}], {}, {})
    assert li.nodes[0].props["default_action"] == "none"
    tg = loadbalancing.transform_target_groups(c, [{"TargetGroupArn": "arn:tg"}], {}, {})
    assert tg.nodes[0].props["targets"] is None
    elb = loadbalancing.transform_classic(c, [{"LoadBalancerName": "e"}], {}, {}, {})
    assert elb.nodes[0].props["listeners"] == [] and elb.nodes[0].props["cross_zone"] is None
    tgt = scaling.transform_targets(c, [{"ServiceNamespace": "ecs", "ResourceId": "service/c/s"}])
    assert tgt.nodes[0].props["resource_arn"] == f"arn:aws:ecs:{REGION}:{ACCT}:service/c/s"

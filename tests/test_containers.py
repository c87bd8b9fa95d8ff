"""Containers (section 3.2): ECS, ECR and EKS collectors, their facts, and the sample account.

Transforms are tested from recorded API-shaped dicts (no moto). The per-repository
denial path of the ECR collector is tested with botocore's Stubber, because moto
never denies a call. The rest runs on the shared ``sample`` account.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.sample.containers import CANARY_ECS
from renderers.facts import containers as facts
from scanner.collectors import containers as coll
from scanner.collectors import eks, eks_access
from scanner.context import ScanContext
from scanner.inventory import Inventory
from tests.conftest import section

ACCT = "123456789012"
REGION = "us-east-1"
TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:targetgroup/api-tg/0123456789abcdef"
TD = f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/api:7"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCT}:cluster/prod"
SERVICE = f"arn:aws:ecs:{REGION}:{ACCT}:service/prod/api"


def ctx() -> ScanContext:
    return ScanContext(session=None, region=REGION, account=ACCT)


def inventory(*records) -> Inventory:
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge(records)
    return inv


def edges(records, rel: str) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in records.edges if e.rel == rel}


SERVICE_RAW = {
    "serviceArn": SERVICE, "serviceName": "api", "clusterArn": CLUSTER, "desiredCount": 4, "runningCount": 3,
    "launchType": "FARGATE", "taskDefinition": TD, "roleArn": None,
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"],
                                                     "securityGroups": ["sg-1"], "assignPublicIp": "ENABLED"}},
    "loadBalancers": [{"targetGroupArn": TG, "containerName": "api", "containerPort": 8080}],
    "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
}

TASK_DEF_RAW = {"taskDefinition": {
    "taskDefinitionArn": TD, "family": "api", "revision": 7, "networkMode": "bridge",
    "taskRoleArn": f"arn:aws:iam::{ACCT}:role/api-task", "executionRoleArn": f"arn:aws:iam::{ACCT}:role/api-exec",
    "containerDefinitions": [
        {"name": "api", "image": f"{ACCT}.dkr.ecr.{REGION}.amazonaws.com/team/api:2", "cpu": 256, "memory": 512,
         "environment": [{"name": "DB_HOST", "value": "s3cr3t-value-1"}],
         "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:x"}]},
        {"name": "sidecar", "image": "public.ecr.aws/nginx/nginx:1", "cpu": 128, "memoryReservation": 128,
         "privileged": True, "environment": [{"name": "MODE", "value": "s3cr3t-value-2"}]},
    ]}}


def test_service_transform_links_subnets_groups_target_group_and_task_definition():
    rec = coll.transform_ecs_services(ctx(), [SERVICE_RAW])
    p = rec.nodes[0].props
    assert (p["desired"], p["running"], p["launch_type"], p["assign_public_ip"]) == (4, 3, "FARGATE", True)
    assert p["deployment_circuit_breaker"] is True
    assert edges(rec, "in_subnet") == {(SERVICE, f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-a"),
                                       (SERVICE, f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-b")}
    assert edges(rec, "protected_by") == {(SERVICE, f"arn:aws:ec2:{REGION}:{ACCT}:security-group/sg-1")}
    assert edges(rec, "targets") == {(TG, SERVICE)}, "target group -> service, as for instances"
    assert edges(rec, "runs") == {(SERVICE, TD)}
    assert edges(rec, "contains") == {(CLUSTER, SERVICE)}


def test_service_without_network_or_load_balancer_uses_capacity_provider_name():
    raw = {"serviceArn": SERVICE, "serviceName": "api", "clusterArn": CLUSTER, "desiredCount": 1,
           "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
    rec = coll.transform_ecs_services(ctx(), [raw])
    p = rec.nodes[0].props
    assert p["launch_type"] == "capacity provider: FARGATE_SPOT"
    assert p["assign_public_ip"] is None and p["subnet_ids"] == [] and p["target_group_arns"] == []
    assert not edges(rec, "in_subnet") and not edges(rec, "targets")


def test_task_definition_keeps_variable_names_never_values():
    rec = coll.transform_task_definitions(ctx(), [TASK_DEF_RAW])
    node = rec.nodes[0]
    assert node.props["env_names"] == ["DB_HOST", "MODE"]
    assert node.props["secret_names"] == ["DB_PASSWORD"]
    assert "s3cr3t-value" not in json.dumps(node.__dict__, default=str)
    assert node.props["privileged"] is True
    assert (node.props["cpu"], node.props["memory"]) == (384, 640), "no task-level size: containers summed"
    assert edges(rec, "uses_role") == {(TD, f"arn:aws:iam::{ACCT}:role/api-task"),
                                      (TD, f"arn:aws:iam::{ACCT}:role/api-exec")}
    assert edges(rec, "uses_image") == {(TD, f"arn:aws:ecr:{REGION}:{ACCT}:repository/team/api")}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True),
                          st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:/=+", min_size=10, max_size=40)),
                min_size=1, max_size=8))
def test_no_container_environment_or_secret_value_survives(pairs):
    env = [{"name": n, "value": f"zq{v}"} for n, v in pairs]  # "zq" appears nowhere else
    secrets = [{"name": f"S_{n}", "valueFrom": f"zq{v}"} for n, v in pairs]
    raw = {"taskDefinition": {"taskDefinitionArn": TD, "family": "api", "revision": 7, "containerDefinitions": [
        {"name": "c", "image": "nginx", "environment": env, "secrets": secrets}]}}
    rec = coll.transform_task_definitions(ctx(), [raw])
    text = json.dumps([n.__dict__ for n in rec.nodes] + [e.__dict__ for e in rec.edges], default=str)
    assert "zq" not in text
    assert rec.nodes[0].props["env_names"] == sorted({n for n, _ in pairs})


def test_cluster_transform_reads_insights_and_providers():
    raw = {"clusterArn": CLUSTER, "clusterName": "prod", "status": "ACTIVE", "activeServicesCount": 2,
           "runningTasksCount": 5, "capacityProviders": ["FARGATE"],
           "settings": [{"name": "containerInsights", "value": "disabled"}]}
    p = coll.transform_ecs_clusters(ctx(), [raw]).nodes[0].props
    assert p["container_insights"] is False and p["capacity_providers"] == ["FARGATE"]
    no_settings = coll.transform_ecs_clusters(ctx(), [{"clusterArn": CLUSTER, "clusterName": "prod"}]).nodes[0]
    assert no_settings.props["container_insights"] is None, "not reported is not the same as disabled"


def test_ec2_capacity_provider_links_its_auto_scaling_group_to_the_cluster():
    asg = f"arn:aws:autoscaling:{REGION}:{ACCT}:autoScalingGroup:uuid:autoScalingGroupName/ecs-asg"
    raw = {"clusterArn": CLUSTER, "clusterName": "prod", "capacityProviders": ["FARGATE", "ec2-cp"]}
    rec = coll.transform_ecs_clusters(ctx(), [raw], [{"name": "ec2-cp", "autoScalingGroupProvider": {
        "autoScalingGroupArn": asg}}])
    assert edges(rec, "member_of") == {(asg, CLUSTER)}


def test_eks_transforms():
    cluster = {"arn": f"arn:aws:eks:{REGION}:{ACCT}:cluster/k", "name": "k", "version": "1.30",
               "roleArn": f"arn:aws:iam::{ACCT}:role/eks",
               "resourcesVpcConfig": {"subnetIds": ["subnet-a"], "securityGroupIds": ["sg-1"],
                                      "clusterSecurityGroupId": "sg-2", "vpcId": "vpc-1",
                                      "endpointPublicAccess": True, "endpointPrivateAccess": False,
                                      "publicAccessCidrs": ["0.0.0.0/0"]},
               "logging": {"clusterLogging": [{"types": ["api"], "enabled": True},
                                              {"types": ["audit"], "enabled": False}]},
               "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:x:1:key/k"}}]}
    rec = eks.transform_eks_clusters(ctx(), [cluster])
    p = rec.nodes[0].props
    assert p["endpoint_public"] is True and p["public_cidrs"] == ["0.0.0.0/0"] and p["logging"] == ["api"]
    assert p["secrets_encrypted"] is True and p["security_group_ids"] == ["sg-1", "sg-2"]
    assert ("arn:aws:eks:us-east-1:123456789012:cluster/k", "arn:aws:kms:x:1:key/k") in edges(rec, "encrypted_by")
    ng = {"nodegroupArn": f"arn:aws:eks:{REGION}:{ACCT}:nodegroup/k/general/uuid", "nodegroupName": "general",
          "clusterName": "k", "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2},
          "instanceTypes": ["t3.large"], "subnets": ["subnet-a"], "nodeRole": f"arn:aws:iam::{ACCT}:role/n"}
    rec = eks.transform_eks_nodegroups(ctx(), [ng])
    assert (rec.nodes[0].props["min"], rec.nodes[0].props["desired"], rec.nodes[0].props["max"]) == (1, 2, 3)
    assert edges(rec, "member_of") == {(ng["nodegroupArn"], f"arn:aws:eks:{REGION}:{ACCT}:cluster/k")}


def test_ecr_transform_tells_no_policy_from_unread():
    repos = [{"repositoryArn": f"arn:aws:ecr:{REGION}:{ACCT}:repository/{n}", "repositoryName": n,
              "imageTagMutability": m, "imageScanningConfiguration": {"scanOnPush": s}}
             for n, m, s in (("a", "IMMUTABLE", True), ("b", "MUTABLE", False))]
    arn_a, arn_b = (r["repositoryArn"] for r in repos)
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]})
    rec = coll.transform_ecr_repositories(ctx(), repos, lifecycle={arn_a: True}, policies={arn_a: policy})
    a, b = rec.nodes
    assert (a.props["scan_on_push"], a.props["tag_immutable"], a.props["lifecycle_policy"]) == (True, True, True)
    assert a.props["policy_public"] is True
    assert b.props["lifecycle_policy"] is None and b.props["policy_public"] is None, "not read: unknown"


def test_policy_is_public_needs_star_without_condition():
    star = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "x"}
    assert coll.policy_is_public({"Statement": [star]}) is True
    assert coll.policy_is_public({"Statement": [{**star, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o"}}}]}) is False
    assert coll.policy_is_public({"Statement": [{**star, "Effect": "Deny"}]}) is False
    assert coll.policy_is_public("not json") is False
    assert coll.policy_is_public(None) is None


def test_ecr_collector_records_denied_lifecycle_read_as_gap():
    """Stubber: moto never denies, so a denied GetLifecyclePolicy is stubbed on ctx's own client."""
    c = ScanContext(boto3.Session(region_name=REGION), REGION, ACCT)
    ecr = c.client("ecr")
    arn = f"arn:aws:ecr:{REGION}:{ACCT}:repository/app"
    with Stubber(ecr) as st:
        st.add_response("describe_repositories", {"repositories": [
            {"repositoryArn": arn, "repositoryName": "app", "imageTagMutability": "MUTABLE"}]})
        st.add_client_error("get_lifecycle_policy", "AccessDeniedException", "not allowed")
        st.add_client_error("get_repository_policy", "RepositoryPolicyNotFoundException", "none")
        rec = coll.collect_ecr(c)
    node = next(n for n in rec.nodes if n.id == arn)
    assert node.props["lifecycle_policy"] is None and node.props["policy_public"] is False
    assert [(g.action, g.resource) for g in rec.gaps] == [("ecr:GetLifecyclePolicy", arn)]


def test_ecs_collector_keeps_cluster_when_its_services_are_denied():
    """Stubber: ListServices denied on one cluster leaves the cluster and records a gap."""
    c = ScanContext(boto3.Session(region_name=REGION), REGION, ACCT)
    with Stubber(c.client("ecs")) as st:
        st.add_response("list_clusters", {"clusterArns": [CLUSTER]})
        st.add_response("describe_clusters", {"clusters": [
            {"clusterArn": CLUSTER, "clusterName": "prod", "capacityProviders": ["FARGATE"]}]})
        st.add_client_error("list_services", "AccessDeniedException", "no", expected_params={"cluster": CLUSTER})
        st.add_response("list_task_definition_families", {"families": []}, {"status": "ACTIVE"})
        rec = coll.collect_ecs(c)
    assert [n.id for n in rec.nodes] == [CLUSTER]
    assert [(g.action, g.resource, g.reason) for g in rec.gaps] == [("ecs:ListServices", CLUSTER, "access denied")]


def test_facts_rows_name_tiers_groups_and_load_balancer():
    subnet = coll.ScanContext(None, REGION, ACCT).records()
    sub_id = f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-a"
    subnet.node(sub_id, "ec2:subnet", "app-a", tags={"Tier": "app"})
    subnet.node(TG, "elbv2:target-group", "api-tg")
    inv = inventory(subnet, coll.transform_ecs_services(ctx(), [SERVICE_RAW]),
                    coll.transform_task_definitions(ctx(), [TASK_DEF_RAW]))
    row = facts.ecs_service_rows(inv)[0]
    assert row[1] == "api" and row[3] == "4 / 3"
    assert "app: app-a" in row[4] and "sg-1" in row[5] and row[7] == "api-tg" and row[8] == "api:7"
    td = facts.task_definition_rows(inv)[0]
    assert td[4] == "api-task" and td[6] == "2 variables, 1 secret" and td[7] == "yes"


# --- the sample account -----------------------------------------------------------------------

def test_section_3_2_shows_ecs_service_with_desired_count(sample):
    s = section(sample.doc, "3.2").replace("\\_", "_")
    row = next(line for line in s.splitlines() if line.startswith("| web-platform | web-api |"))
    assert "| FARGATE | 3 / " in row, "desired count"
    assert "| app: app-a, app-b | app-sg | no | web-api-tg |" in row, "subnet tier, SG, public IP, target group"


def test_section_3_2_shows_ecr_eks_and_task_definition(sample):
    s = section(sample.doc, "3.2").replace("\\-", "-").replace("\\_", "_")
    assert "| web-platform/api | yes | yes | yes |" in s, "scan on push, immutable tags, lifecycle policy"
    assert "| legacy-worker | no | no | no |" in s
    assert "web-platform-eks" in s and "public (203.0.113.0/24); private" in s and "api, audit" in s
    assert "| general | m6i.large | 2 / 3 / 6 |" in s
    assert "web-api:1" in s and "512 / 1024" in s and "DB_HOST" in s
    assert "| ECR us-east-1: web-platform/api:1.4.2 |" in s, "this account's registry host shortened"
    assert "**EKS managed node groups**" in s and "**EKS Fargate profiles**" in s
    own = s.split("**Findings")[0]
    assert "3 variables, 1 secret |" in own and "(s)" not in own and "None" not in own


def test_section_3_2_cluster_counts_the_services_it_lists(sample):
    """moto leaves activeServicesCount at 0; the cluster row must not contradict the services table."""
    s = section(sample.doc, "3.2").replace("\\_", "_")
    assert "| us-east-1 | web-platform | ACTIVE | 1 |" in s


def test_image_text_shortens_only_this_accounts_ecr():
    assert facts.image_text("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1", "123456789012") == \
        "ECR eu-west-1: api:1"
    assert facts.image_text("999999999999.dkr.ecr.eu-west-1.amazonaws.com/api:1", "123456789012").startswith("999")
    assert facts.image_text("nginx:1.25", "123456789012") == "nginx:1.25"


def test_sample_graph_links_service_to_target_group_and_roles(sample):
    inv, ids = sample.inv, sample.ids
    assert ids["ecs_service_arn"] in {n["id"] for n in inv.out(ids["ecs_target_group_arn"], "targets")}
    roles = {n["id"] for n in inv.out(ids["task_definition_arn"], "uses_role")}
    assert roles == {ids["ecs_task_role_arn"], ids["ecs_execution_role_arn"]}


def test_ecs_canary_values_appear_in_no_output_but_names_do(sample):
    files = [p for p in Path(sample.out).rglob("*") if p.is_file()]
    assert any(p.name == "inventory.json" for p in files) and any(p.suffix == ".md" for p in files)
    for p in files:
        assert CANARY_ECS not in p.read_text(encoding="utf-8", errors="replace"), p
    td = sample.inv.node(sample.ids["task_definition_arn"])
    assert td["props"]["env_names"] == ["API_TOKEN", "DB_HOST", "LOG_LEVEL"]
    assert "DB_HOST" in Path(sample.files.inventory).read_text()


@pytest.mark.parametrize("kind", ["ecs:cluster", "ecr:repository", "eks:nodegroup", "eks:fargate-profile"])
def test_sample_collects_every_container_kind(sample, kind):
    assert sample.inv.nodes(kind), kind


def render_subsection(number: str, inv: Inventory) -> str:
    """One subsection template rendered alone, as the document renders it."""
    from renderers.document import DocHelpers, environment, load_facts
    from scanner import judge
    from scanner.analysis.model import Analysis

    judge.run(inv)  # the judged facts a scan stores, which the sections read
    return environment().get_template(f"subsections/{number}.md.j2").render(
        inv=inv, facts=load_facts(), h=DocHelpers(inv, Analysis(), {}))


def test_empty_account_says_nothing_found_and_names_regions():
    text = render_subsection("3.2", Inventory(meta={"regions": ["us-east-1", "eu-west-1"]}))
    assert "No container services (ECS, ECR or EKS) were found in the scanned regions (us-east-1, eu-west-1)." in text
    assert "|" not in text, "no empty tables"


def test_denied_listing_and_partial_gap_are_reported_in_3_2():
    inv = Inventory(meta={"regions": [REGION],
                          "runs": [{"collector": "eks.clusters", "service": "eks", "region": REGION,
                                    "status": "denied", "action": "eks:ListClusters", "message": "access denied"}],
                          "gaps": [{"service": "ecr", "region": REGION, "action": "ecr:GetLifecyclePolicy",
                                    "reason": "access denied", "resource": "arn:aws:ecr:us-east-1:1:repository/app"}]})
    text = render_subsection("3.2", inv)
    # only EKS could not be read: ECS and ECR were, and are empty
    assert "EKS clusters could not be read" in text
    assert "No ECS clusters or ECR repositories were found" in text
    assert "<code>eks:ListClusters</code>" in text and "<code>ecr:GetLifecyclePolicy</code>" in text


# --- EKS add-ons and access entries (moto has no such API: Stubber on AWS-shaped answers) --------

EKS = f"arn:aws:eks:{REGION}:{ACCT}:cluster/web"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
PARTNER = "arn:aws:iam::999999999999:role/partner-ops"
OWN = f"arn:aws:iam::{ACCT}:role/platform-admins"


def _eks_ctx() -> ScanContext:
    return ScanContext(boto3.Session(region_name=REGION), REGION, ACCT)


def _entry(principal: str) -> dict:
    return {"accessEntry": {"clusterName": "web", "principalArn": principal, "kubernetesGroups": [],
                            "accessEntryArn": f"arn:aws:eks:{REGION}:{ACCT}:access-entry/web/role/{principal[-4:]}/x",
                            "type": "STANDARD", "username": principal, "createdAt": "2024-05-14T09:30:00"}}


def _access_entries(deny_policies_of: str | None = None):
    c = _eks_ctx()
    with Stubber(c.client("eks")) as st:
        st.add_response("list_clusters", {"clusters": ["web"]})
        st.add_response("list_access_entries", {"accessEntries": [PARTNER, OWN]}, {"clusterName": "web"})
        for principal, policy in ((PARTNER, ADMIN), (OWN, VIEW)):
            st.add_response("describe_access_entry", _entry(principal), {"clusterName": "web", "principalArn": principal})
            if principal == deny_policies_of:
                st.add_client_error("list_associated_access_policies", "AccessDeniedException", "no",
                                    expected_params={"clusterName": "web", "principalArn": principal})
            else:
                st.add_response("list_associated_access_policies", {
                    "clusterName": "web", "principalArn": principal, "associatedAccessPolicies": [
                        {"policyArn": policy, "accessScope": {"type": "cluster"}}]},
                    {"clusterName": "web", "principalArn": principal})
        return eks_access.collect_access_entries(c)


def _eks_inventory(*records) -> Inventory:
    cluster = eks.transform_eks_clusters(ctx(), [{"arn": EKS, "name": "web", "version": "1.30",
                                                  "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}])
    inv = Inventory(meta={"regions": [REGION], "account": ACCT, "runs": [
        {"collector": n, "service": "eks", "region": REGION, "status": "ok"}
        for n in ("eks.clusters", "eks.addons", "eks.access_entries")]})
    inv.merge([cluster, *records])
    return inv


def test_access_entries_say_who_is_cluster_admin_and_from_which_account():
    rec = _access_entries()
    by_principal = {n.props["principal_arn"]: n for n in rec.nodes}
    partner, own = by_principal[PARTNER], by_principal[OWN]
    assert (partner.props["cluster_admin"], partner.props["external_principal"]) == (True, True)
    assert (own.props["cluster_admin"], own.props["external_principal"]) == (False, False)
    assert partner.props["access_policies"] == [{"policy": "AmazonEKSClusterAdminPolicy", "scope": "cluster",
                                                 "namespaces": []}]
    assert (EKS, partner.id) in edges(rec, "contains") and (partner.id, PARTNER) in edges(rec, "associated_with")
    inv = _eks_inventory(rec)
    assert inv.fact(partner.id, "cluster_admin") is None  # not judged yet: judged by the render below
    text = render_subsection("3.2", inv)
    assert "**EKS access entries**" in text
    row = next(line for line in text.splitlines() if "partner-ops" in line)
    assert "outside this account" in row and "AmazonEKSClusterAdminPolicy (cluster)" in row and row.endswith("| yes |")
    from scanner.analysis import analyze

    hits = [f for f in analyze(inv).findings if f.rule == "SRV-102"]
    assert [(f.status, len(f.resources)) for f in hits] == [("open", 1)]
    assert PARTNER in " ".join(hits[0].evidence)


def test_denied_access_policies_make_cluster_admin_unknown_and_srv_102_not_assessed():
    rec = _access_entries(deny_policies_of=PARTNER)
    partner = next(n for n in rec.nodes if n.props["principal_arn"] == PARTNER)
    assert partner.props["cluster_admin"] is None and partner.props["access_policies"] is None
    assert [(g.action, g.resource) for g in rec.gaps] == [("eks:ListAssociatedAccessPolicies", partner.id)]
    inv = _eks_inventory(rec)
    inv.meta["gaps"] = [g.__dict__ for g in rec.gaps]
    text = render_subsection("3.2", inv)
    row = next(line for line in text.splitlines() if "partner-ops" in line)
    assert "| unknown (eks:ListAssociatedAccessPolicies: access denied) |" in row
    from scanner.analysis import analyze

    assert {f.status for f in analyze(inv).findings if f.rule == "SRV-102"} == {"not_assessed"}


def test_addons_with_version_health_and_service_account_role():
    c = _eks_ctx()
    role = f"arn:aws:iam::{ACCT}:role/ebs-csi"
    with Stubber(c.client("eks")) as st:
        st.add_response("list_clusters", {"clusters": ["web"]})
        st.add_response("list_addons", {"addons": ["aws-ebs-csi-driver", "coredns"]}, {"clusterName": "web"})
        st.add_response("describe_addon", {"addon": {
            "addonName": "aws-ebs-csi-driver", "clusterName": "web", "status": "DEGRADED",
            "addonVersion": "v1.30.0-eksbuild.1", "serviceAccountRoleArn": role,
            "health": {"issues": [{"code": "InsufficientNumberOfReplicas", "message": "x"}]},
            "configurationValues": '{"secret": "must-not-be-kept"}'}},
            {"clusterName": "web", "addonName": "aws-ebs-csi-driver"})
        st.add_client_error("describe_addon", "AccessDeniedException", "no",
                            expected_params={"clusterName": "web", "addonName": "coredns"})
        rec = eks_access.collect_addons(c)
    assert "must-not-be-kept" not in json.dumps([n.__dict__ for n in rec.nodes], default=str)
    inv = _eks_inventory(rec)
    rows = {r[1]: r for r in facts.eks_addon_rows(inv)}
    assert rows["aws-ebs-csi-driver"] == ["web", "aws-ebs-csi-driver", "v1.30.0-eksbuild.1", "DEGRADED",
                                          "InsufficientNumberOfReplicas", "ebs-csi"]
    assert rows["coredns"][2:5] == ["unknown", "unknown", "unknown (not described)"]
    assert [g.action for g in rec.gaps] == ["eks:DescribeAddon"]


def test_missing_eks_api_is_a_gap_not_an_empty_list():
    """An endpoint without ListAddons (moto answers 404 "not yet implemented") leaves a gap per cluster."""
    c = _eks_ctx()
    with Stubber(c.client("eks")) as st:
        st.add_response("list_clusters", {"clusters": ["web"]})
        st.add_client_error("list_addons", "404", "Not yet implemented", http_status_code=404,
                            expected_params={"clusterName": "web"})
        rec = eks_access.collect_addons(c)
    assert rec.nodes == []
    assert [(g.action, g.resource, g.reason) for g in rec.gaps] == [
        ("eks:ListAddons", EKS, "not implemented by this endpoint")]
    inv = _eks_inventory(rec)
    inv.meta["gaps"] = [g.__dict__ for g in rec.gaps]
    text = render_subsection("3.2", inv)
    assert "run no EKS-managed add-ons" not in text and "<code>eks:ListAddons</code>" in text


# --- per-resource reads fanned out in their lane (scanner/collectors/_fanout.py) ---------------
def test_ecr_ecs_and_eks_give_the_same_records_at_any_width():
    """Width 1 and 8: the same nodes, edges and gaps in the same order, with and without denials."""
    from moto import mock_aws

    from tests.test_loadbalancing import assert_same_at_any_width

    region = "us-east-1"
    with mock_aws():
        ecr = boto3.client("ecr", region_name=region)
        for n in range(3):
            ecr.create_repository(repositoryName=f"repo-{n}")
        ecr.put_lifecycle_policy(repositoryName="repo-1", lifecyclePolicyText=json.dumps({"rules": [{
            "rulePriority": 1, "description": "expire untagged images after a week",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                          "countNumber": 7}, "action": {"type": "expire"}}]}))
        ecs = boto3.client("ecs", region_name=region)
        for n in range(2):
            ecs.create_cluster(clusterName=f"c-{n}")
            ecs.register_task_definition(family=f"app-{n}", containerDefinitions=[
                {"name": "app", "image": "nginx", "memory": 128}])
            ecs.create_service(cluster=f"c-{n}", serviceName=f"svc-{n}", taskDefinition=f"app-{n}", desiredCount=1)
        ec2 = boto3.client("ec2", region_name=region)
        vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)]
        eks_client = boto3.client("eks", region_name=region)
        role = f"arn:aws:iam::{ACCT}:role/eks"
        for n in range(2):
            eks_client.create_cluster(name=f"k-{n}", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
            for g in range(2):
                eks_client.create_nodegroup(clusterName=f"k-{n}", nodegroupName=f"ng-{g}", subnets=subnets,
                                            nodeRole=role)
            eks_client.create_fargate_profile(clusterName=f"k-{n}", fargateProfileName="fp", podExecutionRoleArn=role,
                                              subnets=subnets, selectors=[{"namespace": "default"}])
        repos = assert_same_at_any_width(coll.collect_ecr, "ecr")
        assert_same_at_any_width(coll.collect_ecr, "ecr", ("ecr:GetRepositoryPolicy",))
        clusters = assert_same_at_any_width(coll.collect_ecs, "ecs")
        assert_same_at_any_width(coll.collect_ecs, "ecs", ("ecs:DescribeTaskDefinition",))
        kube = assert_same_at_any_width(eks.collect_eks, "eks")
        denied = assert_same_at_any_width(eks.collect_eks, "eks", ("eks:DescribeNodegroup",))
    assert repos.count('"ecr:repository"') == 3
    assert clusters.count('"ecs:service"') == 2 and clusters.count('"ecs:task-definition"') == 2
    assert kube.count('"eks:nodegroup"') == 4 and kube.count('"eks:fargate-profile"') == 2
    assert denied.count('"eks:DescribeNodegroup"') == 4

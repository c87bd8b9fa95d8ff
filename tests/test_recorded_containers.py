"""Recorded shapes for the container collectors (containers.py, eks.py, eks_access.py): every
transform fed AWS-shaped responses and their variants (see tests/test_recorded_shapes.py), with
the sweep of tests/test_recorded_serverless.py (this family is not in tests/test_recorded_all.py)."""

from __future__ import annotations

import pytest

from scanner.collectors import containers as c
from scanner.collectors import eks
from scanner.collectors import eks_access as ea
from tests.test_recorded_serverless import (
    check_coverage,
    check_missing_field,
    check_timestamps,
    check_unknown_enum,
    check_variant,
    write_missing,
)
from tests.test_recorded_shapes import VARIANTS, Case, items, one

F = "containers"


def _repos(ctx, r: dict):
    repos = items(r, "DescribeRepositories", "repositories")
    arns = [x.get("repositoryArn") for x in repos]
    return c.transform_ecr_repositories(ctx, repos, lifecycle={a: bool(one(r, "GetLifecyclePolicy")) for a in arns},
                                        policies={a: one(r, "GetRepositoryPolicy").get("policyText") for a in arns})


def _entries(ctx, r: dict):
    e = one(r, "DescribeAccessEntry").get("accessEntry")
    return ea.transform_access_entries(ctx, [{
        "clusterName": (e or {}).get("clusterName"), "principalArn": (e or {}).get("principalArn"), "_entry": e,
        "_policies": items(r, "ListAssociatedAccessPolicies", "associatedAccessPolicies")}])


CASES = [
    Case(F, c.transform_ecs_clusters, ("ecs:DescribeClusters", "ecs:DescribeCapacityProviders"),
         lambda ctx, r: c.transform_ecs_clusters(ctx, items(r, "DescribeClusters", "clusters"),
                                                 items(r, "DescribeCapacityProviders", "capacityProviders")),
         names=("DescribeClusters:clusters[].clusterArn",)),
    Case(F, c.transform_ecs_services, ("ecs:DescribeServices",),
         lambda ctx, r: c.transform_ecs_services(ctx, items(r, "DescribeServices", "services")),
         names=("DescribeServices:services[].serviceArn",)),
    Case(F, c.transform_task_definitions, ("ecs:DescribeTaskDefinition",),
         lambda ctx, r: c.transform_task_definitions(ctx, [one(r, "DescribeTaskDefinition")]),
         names=("DescribeTaskDefinition:taskDefinition.taskDefinitionArn",)),
    Case(F, c.transform_ecr_repositories, ("ecr:DescribeRepositories", "ecr:GetLifecyclePolicy",
                                           "ecr:GetRepositoryPolicy"), _repos,
         names=("DescribeRepositories:repositories[].repositoryArn",)),
    Case(F, eks.transform_eks_clusters, ("eks:DescribeCluster",),
         lambda ctx, r: eks.transform_eks_clusters(ctx, [one(r, "DescribeCluster").get("cluster") or {}]),
         names=("DescribeCluster:cluster.arn",)),
    Case(F, eks.transform_eks_nodegroups, ("eks:DescribeNodegroup",),
         lambda ctx, r: eks.transform_eks_nodegroups(ctx, [one(r, "DescribeNodegroup").get("nodegroup") or {}]),
         names=("DescribeNodegroup:nodegroup.nodegroupArn",)),
    Case(F, eks.transform_eks_fargate_profiles, ("eks:DescribeFargateProfile",),
         lambda ctx, r: eks.transform_eks_fargate_profiles(
             ctx, [one(r, "DescribeFargateProfile").get("fargateProfile") or {}]),
         names=("DescribeFargateProfile:fargateProfile.fargateProfileArn",)),
    Case(F, ea.transform_addons, ("eks:DescribeAddon",),
         lambda ctx, r: ea.transform_addons(ctx, [one(r, "DescribeAddon").get("addon") or {}]),
         names=("DescribeAddon:addon.addonName",)),
    Case(F, ea.transform_access_entries, ("eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies"), _entries,
         names=("DescribeAccessEntry:accessEntry.principalArn",)),
]

MODULES = ("scanner.collectors.containers", "scanner.collectors.eks", "scanner.collectors.eks_access")


def test_addon_configuration_values_are_never_kept():
    from tests.test_recorded_shapes import context, responses

    case = next(x for x in CASES if x.transform is ea.transform_addons)
    resp = responses(case, "full", ("eks:DescribeAddon",))
    resp["DescribeAddon"]["addon"]["configurationValues"] = '{"token": "zq-must-not-be-kept"}'
    out = case.feed(context(), resp)
    assert out.nodes and "zq-must-not-be-kept" not in repr([n.__dict__ for n in out.nodes])


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize("case", CASES, ids=lambda x: x.id)
def test_variant_is_read(case: Case, kind: str) -> None:
    check_variant(CASES, case, kind)


@pytest.mark.parametrize("case", CASES, ids=lambda x: x.id)
def test_unknown_enum_stays_raw(case: Case) -> None:
    check_unknown_enum(CASES, case)


@pytest.mark.parametrize("case", CASES, ids=lambda x: x.id)
def test_missing_field_stays_unknown(case: Case) -> None:
    check_missing_field(CASES, case)


@pytest.mark.parametrize("case", CASES, ids=lambda x: x.id)
def test_timestamps_in_any_form(case: Case) -> None:
    check_timestamps(CASES, case)


def test_every_transform_and_fixture_is_covered() -> None:
    check_coverage(CASES, MODULES, F)


if __name__ == "__main__":
    import sys

    if "--write" in sys.argv:
        for p in write_missing(CASES):
            print("wrote", p)

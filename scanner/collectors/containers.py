"""Containers: ECS clusters, services and task definitions, ECR repositories (EKS: eks.py and
eks_access.py). Also the small helpers other collector modules share: resource-policy parsing
and the per-resource reads that tell "has none" from "could not read".

Get / transform split: ``collect_*`` functions make the (paginated, read-only)
calls and hand raw API-shaped dicts to pure ``transform_*`` functions, which
are tested from recorded shapes without moto.

Secrets: container environment variables and ``secrets`` are reduced to their
NAMES here, before anything reaches a Records object; values never leave this
module's local variables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import botocore.exceptions as bexc

from scanner.collectors._fanout import Read, each, gather, kept
from scanner.collectors._shape import ident, is_on
from scanner.collectors.registry import collector
from scanner.context import DENIED_CODES, ScanContext, denied_reason, error_message, iam_action, iso, tags_of
from scanner.inventory import Records
from scanner.secrets import secret_names

#: DescribeClusters / DescribeServices take at most this many names per call
ECS_CLUSTER_BATCH = 100
ECS_SERVICE_BATCH = 10

_ECR_IMAGE = re.compile(r"^(?P<acct>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                        r"(?P<repo>[^:@]+)")


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """Split a list for APIs that accept a bounded number of names per call."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def policy_statements(policy: Any) -> list[dict[str, Any]]:
    """The statements of a resource policy given as JSON text or a parsed dict."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return []
    if not isinstance(policy, dict):
        return []
    stmts = policy.get("Statement") or []
    return [s for s in (stmts if isinstance(stmts, list) else [stmts]) if isinstance(s, dict)]


def statement_principals(stmt: dict[str, Any]) -> list[str]:
    """Every principal a statement names ("*" for anyone), whatever the shape."""
    p = stmt.get("Principal")
    if p is None:
        return []
    if isinstance(p, str):
        return [p]
    out: list[str] = []
    if isinstance(p, dict):
        for v in p.values():
            out.extend([v] if isinstance(v, str) else [str(x) for x in v or []])
    return out


def policy_is_public(policy: Any) -> bool | None:
    """True when an Allow statement lets anyone ("*") in without any condition.

    None when there is no policy text at all (not the same as "not public").
    """
    if policy is None:
        return None
    for s in policy_statements(policy):
        if s.get("Effect") == "Allow" and "*" in statement_principals(s) and not s.get("Condition"):
            return True
    return False


def ecr_repo_arn(image: str) -> str | None:
    """The ECR repository ARN an image URI points at, or None for other registries."""
    m = _ECR_IMAGE.match(image or "")
    if not m:
        return None
    part = "aws-cn" if ".amazonaws.com.cn/" in image else "aws"
    return f"arn:{part}:ecr:{m['region']}:{m['acct']}:repository/{m['repo']}"


# --- ECS ------------------------------------------------------------------------------------

def _ecs_setting(settings: list[dict[str, Any]] | None, name: str) -> str | None:
    for s in settings or []:
        if s.get("name") == name:
            return s.get("value")
    return None


def transform_ecs_clusters(ctx: ScanContext, clusters: list[dict[str, Any]],
                           providers: list[dict[str, Any]] | None = None) -> Records:
    """``providers`` are DescribeCapacityProviders items; an EC2 provider's Auto Scaling group
    becomes a ``member_of`` edge to every cluster that lists the provider."""
    out = ctx.records()
    asg_of = {p.get("name"): (p.get("autoScalingGroupProvider") or {}).get("autoScalingGroupArn")
              for p in providers or []}
    for c in clusters:
        arn = ident(out, c, "clusterArn", "ecs", "ecs:DescribeClusters", "a cluster")
        if not arn:
            continue
        insights = _ecs_setting(c.get("settings"), "containerInsights")
        out.node(arn, "ecs:cluster", c.get("clusterName"), tags=tags_of(c.get("tags")),
                 name=c.get("clusterName"), status=c.get("status"),
                 active_services=c.get("activeServicesCount"),
                 running_tasks=c.get("runningTasksCount"),
                 pending_tasks=c.get("pendingTasksCount"),
                 container_instances=c.get("registeredContainerInstancesCount"),
                 container_insights=None if insights is None else insights in ("enabled", "enhanced"),
                 capacity_providers=list(c.get("capacityProviders") or []),
                 default_capacity_provider_strategy=[
                     {"provider": s.get("capacityProvider"), "weight": s.get("weight"), "base": s.get("base")}
                     for s in c.get("defaultCapacityProviderStrategy") or []])
        out.edge(ctx.region_node, arn, "contains")
        for name in c.get("capacityProviders") or []:
            out.edge(asg_of.get(name), arn, "member_of", capacity_provider=name)
    return out


def _service_network(svc: dict[str, Any]) -> dict[str, Any]:
    net = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    if not net:  # a service mid-deployment may only show it on its primary deployment
        for d in svc.get("deployments") or []:
            net = (d.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
            if net:
                break
    return net


def _launch_type(svc: dict[str, Any]) -> str | None:
    if svc.get("launchType"):
        return svc["launchType"]
    providers = [s.get("capacityProvider") for s in svc.get("capacityProviderStrategy") or []]
    return "capacity provider: " + ", ".join(p for p in providers if p) if providers else None


def transform_ecs_services(ctx: ScanContext, services: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for s in services:
        arn = ident(out, s, "serviceArn", "ecs", "ecs:DescribeServices", "a service")
        if not arn:
            continue
        net = _service_network(s)
        subnets = list(net.get("subnets") or [])
        sgs = list(net.get("securityGroups") or [])
        lbs = s.get("loadBalancers") or []
        cb = (s.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}
        out.node(arn, "ecs:service", s.get("serviceName"), tags=tags_of(s.get("tags")),
                 name=s.get("serviceName"), cluster=s.get("clusterArn"),
                 desired=s.get("desiredCount"), running=s.get("runningCount"),
                 pending=s.get("pendingCount"), status=s.get("status"),
                 launch_type=_launch_type(s), platform_version=s.get("platformVersion"),
                 scheduling_strategy=s.get("schedulingStrategy"),
                 subnet_ids=subnets, security_group_ids=sgs,
                 assign_public_ip=is_on(net.get("assignPublicIp"), ("ENABLED",), ("DISABLED",)),
                 target_group_arns=[lb["targetGroupArn"] for lb in lbs if lb.get("targetGroupArn")],
                 load_balancer_names=[lb["loadBalancerName"] for lb in lbs if lb.get("loadBalancerName")],
                 task_definition=s.get("taskDefinition"),
                 deployment_circuit_breaker=bool(cb.get("enable")) if cb else None,
                 rollback=bool(cb.get("rollback")) if cb else None,
                 created=iso(s.get("createdAt")))
        out.edge(s.get("clusterArn"), arn, "contains")
        for sid in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", sid), "in_subnet")
        for gid in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", gid), "protected_by")
        for lb in lbs:
            if lb.get("targetGroupArn"):
                out.edge(lb["targetGroupArn"], arn, "targets", container=lb.get("containerName"),
                         port=lb.get("containerPort"))
        out.edge(arn, s.get("taskDefinition"), "runs")
        out.edge(arn, s.get("roleArn"), "uses_role", role="service")
    return out


def _container_names(defs: Iterable[dict[str, Any]], key: str) -> list[str]:
    """Names (only) of container environment entries or secrets."""
    names = {e.get("name") for d in defs for e in d.get(key) or [] if e.get("name")}
    return sorted(names)


def _task_size(td: dict[str, Any], containers: list[dict[str, Any]], key: str) -> int | None:
    """Task-level cpu/memory, else the sum of the containers' own reservations."""
    v = td.get(key)
    if v not in (None, ""):
        try:
            return int(v)
        except (TypeError, ValueError):
            return None
    parts = [c.get(key) or (c.get("memoryReservation") if key == "memory" else None) for c in containers]
    known = [int(p) for p in parts if p]
    return sum(known) if known else None


def transform_task_definitions(ctx: ScanContext, tds: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for item in tds:
        td = item.get("taskDefinition", item) or {}
        arn = ident(out, td, "taskDefinitionArn", "ecs", "ecs:DescribeTaskDefinition", "a task definition")
        if not arn:
            continue
        containers = [x for x in td.get("containerDefinitions") or [] if isinstance(x, dict)]
        images = [c.get("image") for c in containers if c.get("image")]
        log_groups = sorted({((c.get("logConfiguration") or {}).get("options") or {}).get("awslogs-group")
                             for c in containers} - {None})
        out.node(arn, "ecs:task-definition", f"{td.get('family')}:{td.get('revision')}",
                 tags=tags_of(item.get("tags")), family=td.get("family"), revision=td.get("revision"),
                 status=td.get("status"), images=images,
                 containers=[c.get("name") for c in containers],
                 cpu=_task_size(td, containers, "cpu"), memory=_task_size(td, containers, "memory"),
                 network_mode=td.get("networkMode"), task_role_arn=td.get("taskRoleArn"),
                 execution_role_arn=td.get("executionRoleArn"),
                 env_names=_container_names(containers, "environment"),
                 secret_names=_container_names(containers, "secrets"),
                 plaintext_secret_names=secret_names([(e.get("name") or "", e.get("value"))
                                                for c in containers for e in c.get("environment") or []
                                                if isinstance(e, dict)]),
                 privileged=any(bool(c.get("privileged")) for c in containers),
                 readonly_root=all(bool(c.get("readonlyRootFilesystem")) for c in containers) if containers else None,
                 requires_compatibilities=list(td.get("requiresCompatibilities") or []),
                 log_groups=log_groups)
        out.edge(arn, td.get("taskRoleArn"), "uses_role", role="task")
        out.edge(arn, td.get("executionRoleArn"), "uses_role", role="execution")
        for image in images:
            out.edge(arn, ecr_repo_arn(image), "uses_image", image=image)
    return out


def _describe_clusters(ctx: ScanContext, arns: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for batch in chunks(arns, ECS_CLUSTER_BATCH):
        resp = ctx.call("ecs", "describe_clusters", clusters=batch, include=["SETTINGS", "TAGS"])
        found.extend(resp.get("clusters") or [])
    return found


def _capacity_providers(ctx: ScanContext, out: Records, clusters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The EC2 (Auto Scaling group) capacity providers the clusters use; Fargate ones are built in."""
    names = sorted({n for c in clusters for n in c.get("capacityProviders") or []}
                   - {"FARGATE", "FARGATE_SPOT"})
    found: list[dict[str, Any]] = []
    for batch in chunks(names, ECS_CLUSTER_BATCH):
        resp = ctx.optional(out, "ecs", "describe_capacity_providers", resource=", ".join(batch),
                            capacityProviders=batch)
        found.extend((resp or {}).get("capacityProviders") or [])
    return found


def _describe_services(ctx: ScanContext, out: Records, cluster: str) -> list[dict[str, Any]]:
    """A cluster's services; a denial on one cluster becomes a gap, not a lost collector."""
    arns = list_or_gap(ctx, out, "ecs", "list_services", "serviceArns", cluster, cluster=cluster) or []
    found: list[dict[str, Any]] = []
    for batch in chunks(arns, ECS_SERVICE_BATCH):
        resp = ctx.optional(out, "ecs", "describe_services", resource=cluster, cluster=cluster, services=batch,
                            include=["TAGS"])
        found.extend((resp or {}).get("services") or [])
    return found


def _task_definitions(ctx: ScanContext, out: Records, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest ACTIVE revision of every family, plus any older revision a service still runs.

    Listing every revision ever registered can mean thousands of calls; the ones
    in use and the newest of each family are what the design is made of.
    """
    families = list_or_gap(ctx, out, "ecs", "list_task_definition_families", "families", "", status="ACTIVE") or []
    found: list[dict[str, Any]] = []
    seen: set[str] = set()

    def keep(done: list[tuple[dict[str, Any] | None, Records]], refs: list[str]) -> None:
        # as a sequential run: a ref already seen (asked for, or the ARN an earlier answer named)
        # is not kept, nor its gap
        for ref, (resp, sub) in zip(refs, done, strict=True):
            if ref in seen:
                continue
            out.extend(sub)
            if resp and resp.get("taskDefinition"):
                seen.update({ref, str(resp["taskDefinition"].get("taskDefinitionArn"))})
                found.append(resp)

    # the families' latest revisions, then the revisions services run that those were not,
    # each round waiting together in the ECS lane (scanner/collectors/_fanout.py)
    keep(kept(ctx, [_describe_task_definition(ctx, ref) for ref in families]), families)
    running = [ref for ref in sorted({s["taskDefinition"] for s in services if s.get("taskDefinition")})
               if ref not in seen]
    keep(kept(ctx, [_describe_task_definition(ctx, ref) for ref in running]), running)
    return found


def _describe_task_definition(ctx: ScanContext, ref: str) -> Read[dict[str, Any] | None]:
    return lambda sub: ctx.optional(sub, "ecs", "describe_task_definition", resource=ref, taskDefinition=ref,
                                    include=["TAGS"])


@collector("ecs.clusters", "ecs",
           reads="ecs:ListClusters, ecs:DescribeClusters, ecs:DescribeCapacityProviders, ecs:ListServices, "
                 "ecs:DescribeServices, "
                 "ecs:ListTaskDefinitionFamilies, ecs:DescribeTaskDefinition")
def collect_ecs(ctx: ScanContext) -> Records:
    cluster_arns = list(ctx.paginate("ecs", "list_clusters", "clusterArns"))
    clusters = _describe_clusters(ctx, cluster_arns)
    out = ctx.records()
    out.extend(transform_ecs_clusters(ctx, clusters, _capacity_providers(ctx, out, clusters)))
    # every cluster's services wait together in the ECS lane (scanner/collectors/_fanout.py)
    services = [s for per in each(ctx, out, cluster_arns, lambda sub, arn: _describe_services(ctx, sub, arn))
                for s in per]
    out.extend(transform_ecs_services(ctx, services))
    out.extend(transform_task_definitions(ctx, _task_definitions(ctx, out, services)))
    return out


# --- ECR ------------------------------------------------------------------------------------

def _immutable(mutability: Any) -> bool | None:
    """IMMUTABLE (and IMMUTABLE_WITH_EXCLUSION) tags cannot be overwritten; absent or unknown: not said."""
    if not isinstance(mutability, str):
        return None
    if mutability.startswith("IMMUTABLE"):
        return True
    return False if mutability.startswith("MUTABLE") else None


def transform_ecr_repositories(ctx: ScanContext, repos: list[dict[str, Any]],
                               lifecycle: dict[str, bool | None] | None = None,
                               policies: dict[str, str | None] | None = None) -> Records:
    """``lifecycle``/``policies`` map repository ARN to what the per-repository reads found
    (missing key: not read; None for a policy: no policy)."""
    out = ctx.records()
    lifecycle = lifecycle or {}
    policies = policies or {}
    for r in repos:
        arn = ident(out, r, "repositoryArn", "ecr", "ecr:DescribeRepositories", "a repository")
        if not arn:
            continue
        enc = r.get("encryptionConfiguration") or {}
        kms = enc.get("kmsKey")
        policy = policies.get(arn)
        out.node(arn, "ecr:repository", r.get("repositoryName"), name=r.get("repositoryName"),
                 uri=r.get("repositoryUri"),
                 scan_on_push=bool((r.get("imageScanningConfiguration") or {}).get("scanOnPush")),
                 tag_immutable=_immutable(r.get("imageTagMutability")),
                 lifecycle_policy=lifecycle.get(arn),
                 encryption=enc.get("encryptionType", "AES256"),
                 kms_key=ctx.kms_key_arn(kms),
                 policy_public=None if arn not in policies else bool(policy and policy_is_public(policy)),
                 created=iso(r.get("createdAt")))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, ctx.kms_key_arn(kms), "encrypted_by")
    return out


@collector("ecr.repositories", "ecr",
           reads="ecr:DescribeRepositories, ecr:GetLifecyclePolicy, ecr:GetRepositoryPolicy")
def collect_ecr(ctx: ScanContext) -> Records:
    repos = list(ctx.paginate("ecr", "describe_repositories", "repositories"))
    out = ctx.records()
    named = [r for r in repos if r.get("repositoryArn") and r.get("repositoryName")]

    def kw(r: dict[str, Any]) -> dict[str, Any]:
        return {"repositoryName": r["repositoryName"], **({"registryId": r["registryId"]} if r.get("registryId") else {})}

    # both reads of every repository wait together in the ECR lane (scanner/collectors/_fanout.py)
    answers = gather(ctx, out, [read for r in named for read in (
        lambda sub, r=r: read_or_gap(ctx, sub, "ecr", "get_lifecycle_policy", r["repositoryArn"],
                                     ("LifecyclePolicyNotFoundException",), **kw(r)),
        lambda sub, r=r: read_or_gap(ctx, sub, "ecr", "get_repository_policy", r["repositoryArn"],
                                     ("RepositoryPolicyNotFoundException",), **kw(r)))])
    lifecycle: dict[str, bool | None] = {}
    policies: dict[str, str | None] = {}
    for r, got, pol in zip(named, answers[0::2], answers[1::2], strict=True):
        if got is not DENIED:
            lifecycle[r["repositoryArn"]] = got is not None
        if pol is not DENIED:
            policies[r["repositoryArn"]] = pol.get("policyText") if pol else None
    return out.extend(transform_ecr_repositories(ctx, repos, lifecycle, policies))


DENIED: Any = object()


def read_or_gap(ctx: ScanContext, out: Records, service: str, op: str, resource: str,
                absent: tuple[str, ...], **kw: Any) -> Any:
    """Like ``ctx.optional`` but tells "has none" (None) apart from "could not read" (DENIED).

    A repository without a lifecycle policy and one whose policy we may not read
    must not look the same in the document.
    """
    try:
        return ctx.call(service, op, **kw)
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in absent:
            return None
        reason = denied_reason(exc) if code in DENIED_CODES else f"error {code}: {error_message(exc)}"
        out.gap(service, iam_action(service, exc.operation_name or op), reason, resource=resource)
        return DENIED


def list_or_gap(ctx: ScanContext, out: Records, service: str, op: str, key: str, resource: str,
                **kw: Any) -> list[dict[str, Any]] | None:
    """Every item of a per-resource list, or None (and a gap) when it may not be read.

    The parent resource was seen, so one denied child listing must not lose it.
    """
    try:
        return list(ctx.paginate(service, op, key, **kw))
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        reason = denied_reason(exc) if code in DENIED_CODES else f"error {code}: {error_message(exc)}"
        out.gap(service, iam_action(service, exc.operation_name or op), reason, resource=resource)
        return None

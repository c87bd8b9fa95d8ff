"""Delivery: CodePipeline, CodeCommit, CodeStar connections and notification rules, plus the
helpers the delivery family shares (CodeBuild, CodeDeploy and CloudFormation live in
codebuild.py, codedeploy.py and cloudformation.py, beside this module).

Get / transform split: ``collect_*`` functions only call AWS (read-only,
paginated) and hand API-shaped dicts to the pure ``transform_*`` functions,
which tests feed with recorded shapes.

Secrets never enter the graph: pipeline action configuration is reduced to an
allow-listed subset (no OAuthToken, no ParameterOverrides), CodeBuild
environment variables and CloudFormation parameters keep their *names* only,
and URLs lose any embedded credentials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scanner.collectors._shape import ident, skipped
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    iso,
)
from scanner.inventory import Records

#: pipeline action configuration keys that name things and never hold secrets
SAFE_ACTION_CONFIG = (
    "RepositoryName", "BranchName", "FullRepositoryId", "ConnectionArn", "ProjectName",
    "ApplicationName", "DeploymentGroupName", "StackName", "ActionMode", "FunctionName",
    "ClusterName", "ServiceName", "BucketName", "S3Bucket", "S3ObjectKey", "Owner", "Repo",
    "Branch", "ImageTag", "DetectChanges", "PollForSourceChanges", "Extract", "TemplatePath",
    "ChangeSetName", "Capabilities", "OutputFileName", "FileName", "PrimarySource",
    "EnvironmentName",
)
#: names of plaintext variables that probably should have been a secret reference
SECRET_LIKE = re.compile(r"PASS|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY", re.I)


# --- small shared helpers -------------------------------------------------------
def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """Batch APIs take at most ``size`` names per call."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def op_name(operation: str) -> str:
    """``get_pipeline_state`` -> ``GetPipelineState`` (for gap reports)."""
    return "".join(p.title() for p in operation.split("_"))


def soft(ctx: ScanContext, out: Records, service: str, operation: str, *, resource: str = "",
         missing: tuple[str, ...] = (), region: str | None = None, **kw: Any) -> dict | None:
    """One per-resource read that leaves a gap (never an exception) when it cannot be read."""
    return ctx.optional(out, service, operation, resource=resource, missing=missing, region=region, **kw)


def soft_pages(ctx: ScanContext, out: Records, service: str, operation: str, key: str, *,
               resource: str = "", missing: tuple[str, ...] = (), **kw: Any) -> list[Any] | None:
    """All items of a per-resource paginated call, or None (gap recorded) if it cannot be read."""
    return ctx.optional_pages(out, service, operation, key, resource=resource, missing=missing, **kw)


def token_pages(ctx: ScanContext, service: str, operation: str, key: str, **kw: Any) -> Iterator[Any]:
    """Items of a NextToken-paginated call that botocore has no paginator for."""
    token: str | None = None
    while True:
        page = ctx.call(service, operation, **({**kw, "NextToken": token} if token else kw))
        yield from page.get(key) or []
        token = page.get("NextToken")
        if not token:
            return


def strip_credentials(url: str | None) -> str | None:
    """A source URL without any user:password@ part or query (both can carry tokens)."""
    if not url or "://" not in url or ("@" not in url and "?" not in url and "#" not in url):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def bucket_arn(name: str | None) -> str | None:
    return f"arn:aws:s3:::{name}" if name else None


def codebuild_arn(ctx: ScanContext, name: str, region: str | None = None) -> str:
    return ctx.arn("codebuild", f"project/{name}", region=region)


def deployment_group_arn(ctx: ScanContext, app: str, group: str, region: str | None = None) -> str:
    return ctx.arn("codedeploy", f"deploymentgroup:{app}/{group}", region=region)


def log_group_arn(ctx: ScanContext, name: str, region: str | None = None) -> str:
    return ctx.arn("logs", f"log-group:{name}", region=region)


def alarm_arn(ctx: ScanContext, name: str, region: str | None = None) -> str:
    return ctx.arn("cloudwatch", f"alarm:{name}", region=region)


def resolve_asg_arns(ctx: ScanContext, names: Iterable[str], out: Records | None = None) -> dict[str, str]:
    """ASG name -> ARN (the ARN holds a UUID, so it must be read); batched lookups in this region.

    A failed lookup leaves the names unresolved (the caller keeps them as props) and is a gap.
    """
    wanted = sorted({n for n in names if n})
    found: dict[str, str] = {}
    for batch in chunks(wanted, 50):
        items = soft_pages(ctx, out if out is not None else ctx.records(), "autoscaling",
                           "describe_auto_scaling_groups", "AutoScalingGroups", resource=", ".join(batch),
                           AutoScalingGroupNames=batch)
        for g in items or []:
            found[g["AutoScalingGroupName"]] = g["AutoScalingGroupARN"]
    return found


# --- CodePipeline ---------------------------------------------------------------------
def safe_config(config: dict[str, Any] | None) -> dict[str, str]:
    """The allow-listed, secret-free part of an action's configuration."""
    return {k: str(v) for k, v in (config or {}).items() if k in SAFE_ACTION_CONFIG and v is not None}


def action_target(ctx: ScanContext, action: dict[str, Any], stack_arns: dict[tuple[str, str], str]) -> str | None:
    """The graph id of what an action reads from, builds or deploys to (None if not known)."""
    at = action.get("actionTypeId") or {}
    provider, category = at.get("provider", ""), at.get("category", "")
    cfg = action.get("configuration") or {}
    region = action.get("region") or ctx.region
    if provider in ("CodeStarSourceConnection",) and cfg.get("ConnectionArn"):
        return cfg["ConnectionArn"]
    if provider == "CodeCommit" and cfg.get("RepositoryName"):
        return ctx.arn("codecommit", cfg["RepositoryName"], region=region)
    if provider == "S3" and category == "Source":
        return bucket_arn(cfg.get("S3Bucket"))
    if provider == "S3" and category == "Deploy":
        return bucket_arn(cfg.get("BucketName"))
    if provider == "ECR" and cfg.get("RepositoryName"):
        return ctx.arn("ecr", f"repository/{cfg['RepositoryName']}", region=region)
    if provider == "CodeBuild" and cfg.get("ProjectName"):
        return codebuild_arn(ctx, cfg["ProjectName"], region)
    if provider in ("CodeDeploy", "CodeDeployToECS") and cfg.get("ApplicationName") and cfg.get("DeploymentGroupName"):
        return deployment_group_arn(ctx, cfg["ApplicationName"], cfg["DeploymentGroupName"], region)
    if provider == "CloudFormation" and cfg.get("StackName"):
        return stack_arns.get((region, cfg["StackName"]))
    if provider == "ECS" and cfg.get("ClusterName") and cfg.get("ServiceName"):
        return ctx.arn("ecs", f"service/{cfg['ClusterName']}/{cfg['ServiceName']}", region=region)
    if provider == "Lambda" and cfg.get("FunctionName"):
        fn = cfg["FunctionName"]
        return fn if fn.startswith("arn:") else ctx.arn("lambda", f"function:{fn}", region=region)
    return None


ACTION_REL = {"Source": "source_of", "Build": "builds", "Test": "builds", "Deploy": "deploys",
              "Invoke": "deploys"}


def source_summary(stages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Provider, repository, branch of the first source action (what a reader asks first)."""
    for st in stages:
        for a in st["actions"]:
            if a["category"] != "Source":
                continue
            c = a["configuration"]
            repo = c.get("FullRepositoryId") or c.get("RepositoryName") or (
                f"{c['Owner']}/{c['Repo']}" if c.get("Owner") and c.get("Repo") else None) or c.get("S3Bucket")
            owner = repo.split("/", 1)[0] if repo and "/" in repo else None
            return {"provider": a["provider"], "repository": repo, "owner": owner,
                    "branch": c.get("BranchName") or c.get("Branch") or c.get("ImageTag"),
                    "object_key": c.get("S3ObjectKey"), "connection": c.get("ConnectionArn")}
    return None


def trigger_of(decl: dict[str, Any], stages: list[dict[str, Any]]) -> str:
    """How a pipeline starts: V2 git triggers, change detection, polling, or by hand."""
    triggers = decl.get("triggers") or []
    if triggers:
        kinds = []
        for t in triggers:
            git = t.get("gitConfiguration") or {}
            branches = [b for p in git.get("push") or [] for b in (p.get("branches") or {}).get("includes") or []]
            prs = git.get("pullRequest") or []
            what = "push" + (f" to {', '.join(branches)}" if branches else "")
            kinds.append(what + (" and pull requests" if prs else ""))
        return "git trigger: " + "; ".join(kinds)
    for st in stages:
        for a in st["actions"]:
            if a["category"] != "Source":
                continue
            c, p = a["configuration"], a["provider"]
            if c.get("PollForSourceChanges", "").lower() == "true":
                return "polling"
            if p == "CodeStarSourceConnection":
                return "manual" if c.get("DetectChanges", "true").lower() == "false" else "on push (connection events)"
            if p in ("CodeCommit", "S3", "ECR"):
                return "change events (EventBridge rule, inferred)"
            if p == "GitHub":
                return "webhook (inferred)"
            return "on source change"
    return "manual"


def transform_pipeline(ctx: ScanContext, decl: dict[str, Any], metadata: dict[str, Any] | None,
                       stack_arns: dict[tuple[str, str], str] | None = None,
                       state: dict[str, Any] | None = None,
                       last_execution: dict[str, Any] | None = None) -> Records:
    """One pipeline declaration (get_pipeline) -> the pipeline node and its edges."""
    out = ctx.records()
    stack_arns = stack_arns or {}
    name = ident(out, decl, "name", "codepipeline", "codepipeline:GetPipeline", "a pipeline")
    if not name:
        return out
    arn = (metadata or {}).get("pipelineArn") or ctx.arn("codepipeline", name)
    stores = []
    if decl.get("artifactStore"):
        stores.append(decl["artifactStore"])
    stores.extend((decl.get("artifactStores") or {}).values())
    stages, edges = [], []
    for st in decl.get("stages") or []:
        actions = []
        for a in sorted(st.get("actions") or [], key=lambda x: (x.get("runOrder") or 1, x.get("name", ""))):
            at = a.get("actionTypeId") or {}
            target = action_target(ctx, a, stack_arns)
            actions.append({"name": a.get("name"), "category": at.get("category"),
                            "provider": at.get("provider"), "owner": at.get("owner"),
                            "run_order": a.get("runOrder") or 1, "region": a.get("region"),
                            "configuration": safe_config(a.get("configuration")), "target": target})
            rel = ACTION_REL.get(at.get("category", ""))
            if target and rel:
                edges.append((target, arn, rel) if rel == "source_of" else (arn, target, rel))
        stages.append({"name": st.get("name"), "actions": actions})
    last = None
    if state:
        last = {s.get("stageName"): (s.get("latestExecution") or {}).get("status")
                for s in state.get("stageStates") or []}
    out.node(arn, "codepipeline:pipeline", name, name=name, version=decl.get("version"),
             role_arn=decl.get("roleArn"), artifact_bucket=(stores[0].get("location") if stores else None),
             artifact_buckets=sorted({s.get("location") for s in stores if s.get("location")}),
             artifact_kms=[(s.get("encryptionKey") or {}).get("id") for s in stores if s.get("encryptionKey")],
             stages=stages, source=source_summary(stages), trigger=trigger_of(decl, stages),
             pipeline_type=decl.get("pipelineType"), execution_mode=decl.get("executionMode"),
             created=iso((metadata or {}).get("created")), updated=iso((metadata or {}).get("updated")),
             stage_states=last, last_execution=execution_of(last_execution))
    out.edge(ctx.region_node, arn, "contains")
    out.edge(arn, decl.get("roleArn"), "uses_role")
    for s in stores:
        out.edge(arn, bucket_arn(s.get("location")), "integrates_with")
        key = (s.get("encryptionKey") or {}).get("id")
        if key and "alias/aws/s3" not in key:
            out.edge(arn, ctx.kms_key_arn(key), "encrypted_by")
    for src, dst, rel in edges:
        out.edge(src, dst, rel)
    return out


def execution_of(e: dict[str, Any] | None) -> dict[str, Any] | None:
    """The latest run of a pipeline: status, when, what started it (no commit messages)."""
    if not e:
        return None
    return {"status": e.get("status"), "started": iso(e.get("startTime")), "updated": iso(e.get("lastUpdateTime")),
            "trigger": (e.get("trigger") or {}).get("triggerType"), "id": e.get("pipelineExecutionId")}


def pipeline_stack_names(decl: dict[str, Any], region: str) -> set[tuple[str, str]]:
    """(region, stack name) of every CloudFormation action, to resolve their ARNs once."""
    found = set()
    for st in decl.get("stages") or []:
        for a in st.get("actions") or []:
            if (a.get("actionTypeId") or {}).get("provider") == "CloudFormation":
                sn = (a.get("configuration") or {}).get("StackName")
                if sn:
                    found.add((a.get("region") or region, sn))
    return found


@collector("codepipeline.pipelines", "codepipeline",
           reads="codepipeline:ListPipelines, codepipeline:GetPipeline, codepipeline:GetPipelineState, "
                 "codepipeline:ListPipelineExecutions, cloudformation:DescribeStacks")
def collect_pipelines(ctx: ScanContext) -> Records:
    out = ctx.records()
    for summary in ctx.paginate("codepipeline", "list_pipelines", "pipelines"):
        got = soft(ctx, out, "codepipeline", "get_pipeline", resource=summary["name"],
                   missing=("PipelineNotFoundException",), name=summary["name"])
        if not got:
            continue
        decl = {**(got.get("pipeline") or {}), "name": summary["name"]}
        stacks: dict[tuple[str, str], str] = {}
        for region, sn in sorted(pipeline_stack_names(decl, ctx.region)):
            found = soft(ctx, out, "cloudformation", "describe_stacks", resource=sn, region=region,
                         missing=("ValidationError",), StackName=sn)
            for s in (found or {}).get("Stacks") or []:
                stacks[(region, sn)] = s["StackId"]
        name = summary["name"]
        state = soft(ctx, out, "codepipeline", "get_pipeline_state", resource=name,
                     missing=("PipelineNotFoundException",), name=name)
        runs = soft(ctx, out, "codepipeline", "list_pipeline_executions", resource=name,
                    missing=("PipelineNotFoundException",), pipelineName=name, maxResults=1)
        last = ((runs or {}).get("pipelineExecutionSummaries") or [None])[0]
        out.extend(transform_pipeline(ctx, decl, got.get("metadata"), stacks, state, last))
    return out


# --- CodeCommit and CodeStar connections -----------------------------------------------
def transform_repositories(ctx: ScanContext, repos: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for r in repos:
        name = ident(out, r, "repositoryName", "codecommit", "codecommit:BatchGetRepositories", "a repository")
        if not name:
            continue
        arn = r.get("Arn") or ctx.arn("codecommit", name)
        out.node(arn, "codecommit:repository", name, name=name,
                 default_branch=r.get("defaultBranch"), clone_url=r.get("cloneUrlHttp"),
                 last_modified=iso(r.get("lastModifiedDate")), created=iso(r.get("creationDate")),
                 kms_key=r.get("kmsKeyId"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("codecommit.repositories", "codecommit",
           reads="codecommit:ListRepositories, codecommit:BatchGetRepositories")
def collect_repositories(ctx: ScanContext) -> Records:
    names = [r["repositoryName"] for r in ctx.paginate("codecommit", "list_repositories", "repositories")
             if r.get("repositoryName")]
    repos: list[dict[str, Any]] = []
    for batch in chunks(names, 25):
        repos.extend(ctx.call("codecommit", "batch_get_repositories", repositoryNames=batch).get("repositories") or [])
    return transform_repositories(ctx, repos)


def transform_connections(ctx: ScanContext, conns: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for c in conns:
        arn = ident(out, c, "ConnectionArn", "codestar-connections", "codestar-connections:ListConnections",
                    "a connection")
        if not arn:
            continue
        out.node(arn, "codestar-connections:connection", c.get("ConnectionName"), name=c.get("ConnectionName"),
                 provider=c.get("ProviderType"), status=c.get("ConnectionStatus"),
                 owner_account=c.get("OwnerAccountId"), host_arn=c.get("HostArn"))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("codestar-connections.connections", "codestar-connections",
           reads="codestar-connections:ListConnections")
def collect_connections(ctx: ScanContext) -> Records:
    return transform_connections(ctx, list(token_pages(ctx, "codestar-connections", "list_connections", "Connections")))


# --- notification rules (CodeStar Notifications) ----------------------------------------
def transform_notification_rules(ctx: ScanContext, rules: list[dict[str, Any]]) -> Records:
    """Notification rules as edges: pipeline/project/app/repo -> SNS topic or chat target ``publishes_to``."""
    out = ctx.records()
    for r in rules:
        events = sorted({e.get("EventTypeName") or e.get("EventTypeId") for e in r.get("EventTypes") or []} - {None})
        if not r.get("Resource") or any(not t.get("TargetAddress") for t in r.get("Targets") or []):
            skipped(out, "codestar-notifications", "codestar-notifications:DescribeNotificationRule",
                    "a notification rule (or one of its targets)", "Resource/TargetAddress", resource=r.get("Arn") or "")
        for t in r.get("Targets") or []:
            out.edge(r.get("Resource"), t.get("TargetAddress"), "publishes_to", name=r.get("Name"),
                     events=events, status=r.get("Status"), target_type=t.get("TargetType"))
    return out


@collector("codestar-notifications.rules", "codestar-notifications",
           reads="codestar-notifications:ListNotificationRules, codestar-notifications:DescribeNotificationRule")
def collect_notification_rules(ctx: ScanContext) -> Records:
    out = ctx.records()
    rules = []
    for r in ctx.paginate("codestar-notifications", "list_notification_rules", "NotificationRules"):
        got = soft(ctx, out, "codestar-notifications", "describe_notification_rule", resource=r.get("Arn", ""),
                   missing=("ResourceNotFoundException",), Arn=r["Arn"])
        if got:
            rules.append(got)
    return out.extend(transform_notification_rules(ctx, rules))

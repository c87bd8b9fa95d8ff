"""Delivery: CodePipeline, CodeBuild, CodeDeploy, CodeCommit, CodeStar connections, CloudFormation.

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

import botocore.exceptions as bexc

from scanner.collectors._shape import flag, ident, is_on, skipped
from scanner.collectors.registry import collector
from scanner.context import (
    DENIED_CODES,
    ScanContext,
    denied_reason,
    iso,
    parse_time,
    tags_of,
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


# --- CodeBuild ----------------------------------------------------------------------
def buildspec_source(project: dict[str, Any]) -> str:
    """Where the buildspec comes from; an inline buildspec's text is never kept (it may hold secrets)."""
    spec = (project.get("source") or {}).get("buildspec") or ""
    if not spec:
        return "buildspec.yml in the source"
    if "\n" in spec or spec.lstrip().startswith(("version", "{")):
        return "inline in the project"
    return f"file {spec}"


def source_target(ctx: ScanContext, src: dict[str, Any]) -> str | None:
    """Graph id of a CodeBuild source (CodeCommit repo or S3 bucket)."""
    loc = src.get("location") or ""
    if src.get("type") == "CODECOMMIT" and "/repos/" in loc:
        return ctx.arn("codecommit", loc.rsplit("/repos/", 1)[1].split("/")[0])
    if src.get("type") == "S3" and loc:
        return bucket_arn(loc.split("/", 1)[0])
    return None


def transform_projects(ctx: ScanContext, projects: list[dict[str, Any]],
                       builds: list[dict[str, Any]] | None = None) -> Records:
    """batch_get_projects items (+ each project's newest build) -> codebuild:project nodes.

    Environment variables keep their names only, never values.
    """
    out = ctx.records()
    last = {b.get("projectName"): build_of(b) for b in builds or []}
    for p in projects:
        name = ident(out, p, "name", "codebuild", "codebuild:BatchGetProjects", "a project")
        if not name:
            continue
        arn = p.get("arn") or codebuild_arn(ctx, name)
        src = p.get("source") or {}
        env = p.get("environment") or {}
        variables = [v for v in env.get("environmentVariables") or [] if v.get("name")]
        plain = [v["name"] for v in variables if v.get("type", "PLAINTEXT") == "PLAINTEXT"]
        vpc = p.get("vpcConfig") or {}
        logs_cfg = p.get("logsConfig") or {}
        cw = logs_cfg.get("cloudWatchLogs") or {}
        s3l = logs_cfg.get("s3Logs") or {}
        cw_on = cw.get("status", "ENABLED") == "ENABLED"
        s3_on = s3l.get("status") == "ENABLED"
        group = (cw.get("groupName") or f"/aws/codebuild/{name}") if cw_on else None
        arts = p.get("artifacts") or {}
        out.node(arn, "codebuild:project", name, tags=tags_of(p), name=name,
                 source_type=src.get("type"), source_location=strip_credentials(src.get("location")),
                 secondary_sources=len(p.get("secondarySources") or []),
                 image=env.get("image"), compute_type=env.get("computeType"),
                 environment_type=env.get("type"), privileged=flag(env.get("privilegedMode")),
                 env_names=[v["name"] for v in variables],
                 plaintext_env_names=plain,
                 secret_like_plaintext_names=[n for n in plain if SECRET_LIKE.search(n)],
                 secret_env_names=[v["name"] for v in variables if v.get("type") in ("PARAMETER_STORE", "SECRETS_MANAGER")],
                 service_role=p.get("serviceRole"), buildspec_inline=buildspec_source(p).startswith("inline"),
                 buildspec=buildspec_source(p),
                 artifacts={"type": arts.get("type"), "location": arts.get("location")},
                 vpc_id=vpc.get("vpcId"), subnet_ids=vpc.get("subnets") or [],
                 security_group_ids=vpc.get("securityGroupIds") or [],
                 logs={"cloudwatch": group, "s3": s3l.get("location") if s3_on else None},
                 timeout=p.get("timeoutInMinutes"), kms_key=p.get("encryptionKey"),
                 webhook=bool(p.get("webhook")), badge=flag((p.get("badge") or {}).get("badgeEnabled")),
                 created=iso(p.get("created")), last_modified=iso(p.get("lastModified")),
                 last_build=last.get(name))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, p.get("serviceRole"), "uses_role")
        for s in vpc.get("subnets") or []:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for g in vpc.get("securityGroupIds") or []:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        if group:
            out.edge(arn, log_group_arn(ctx, group), "logs_to")
        if s3_on and s3l.get("location"):
            out.edge(arn, bucket_arn(s3l["location"].split("/", 1)[0]), "logs_to")
        if p.get("encryptionKey") and "alias/aws/s3" not in p["encryptionKey"]:
            out.edge(arn, ctx.kms_key_arn(p["encryptionKey"]), "encrypted_by")
        out.edge(source_target(ctx, src), arn, "source_of")
    return out


def build_of(b: dict[str, Any]) -> dict[str, Any]:
    """The facts of one build run; the build's environment (with variable values) is never kept."""
    start, end = parse_time(b.get("startTime")), parse_time(b.get("endTime"))
    secs = int((end - start).total_seconds()) if start and end else None
    return {"id": b.get("id"), "status": b.get("buildStatus"), "started": iso(start), "duration_s": secs,
            "phase": b.get("currentPhase")}


def read_last_builds(ctx: ScanContext, out: Records, names: list[str]) -> list[dict[str, Any]]:
    """Newest build id per project (first page, newest first), then the builds in batches of 100."""
    latest = []
    for n in names:
        got = soft(ctx, out, "codebuild", "list_builds_for_project", resource=n,
                   missing=("ResourceNotFoundException",), projectName=n, sortOrder="DESCENDING")
        ids = (got or {}).get("ids") or []
        if ids:
            latest.append(ids[0])
    builds: list[dict[str, Any]] = []
    for batch in chunks(latest, 100):
        got = soft(ctx, out, "codebuild", "batch_get_builds", resource="latest builds", ids=batch)
        builds.extend((got or {}).get("builds") or [])
    return builds


@collector("codebuild.projects", "codebuild",
           reads="codebuild:ListProjects, codebuild:BatchGetProjects, codebuild:ListBuildsForProject, "
                 "codebuild:BatchGetBuilds")
def collect_projects(ctx: ScanContext) -> Records:
    names = list(ctx.paginate("codebuild", "list_projects", "projects"))
    projects: list[dict[str, Any]] = []
    for batch in chunks(names, 100):
        projects.extend(ctx.call("codebuild", "batch_get_projects", names=batch).get("projects") or [])
    gaps = ctx.records()
    builds = read_last_builds(ctx, gaps, [p["name"] for p in projects if p.get("name")])
    return transform_projects(ctx, projects, builds).extend(gaps)


# --- CodeDeploy -----------------------------------------------------------------------
def minimum_healthy(cfg: dict[str, Any]) -> str | None:
    """A deployment config's safety margin in words (hosts, or traffic shifting for Lambda/ECS)."""
    mh = cfg.get("minimumHealthyHosts") or {}
    if mh.get("type"):
        unit = " %" if mh["type"] == "FLEET_PERCENT" else " host" if mh.get("value") == 1 else " hosts"
        return f"{mh.get('value')}{unit} healthy"
    tr = cfg.get("trafficRoutingConfig") or {}
    kind = tr.get("type")
    if kind == "TimeBasedCanary":
        c = tr.get("timeBasedCanary") or {}
        return f"canary {c.get('canaryPercentage')}% then all after {c.get('canaryInterval')} min"
    if kind == "TimeBasedLinear":
        c = tr.get("timeBasedLinear") or {}
        return f"linear {c.get('linearPercentage')}% every {c.get('linearInterval')} min"
    if kind == "AllAtOnce":
        return "all at once"
    return None


def transform_deployment_configs(ctx: ScanContext, configs: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for c in configs:
        name = ident(out, c, "deploymentConfigName", "codedeploy", "codedeploy:GetDeploymentConfig",
                     "a deployment config")
        if not name:
            continue
        arn = ctx.arn("codedeploy", f"deploymentconfig:{name}")
        out.node(arn, "codedeploy:deployment-config", name, name=name, minimum_healthy=minimum_healthy(c),
                 compute_platform=c.get("computePlatform"), predefined=name.startswith("CodeDeployDefault."))
    return out


def transform_applications(ctx: ScanContext, apps: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for a in apps:
        name = ident(out, a, "applicationName", "codedeploy", "codedeploy:BatchGetApplications", "an application")
        if not name:
            continue
        arn = ctx.arn("codedeploy", f"application:{name}")
        out.node(arn, "codedeploy:application", name, name=name, compute_platform=a.get("computePlatform"),
                 created=iso(a.get("createTime")), linked_to_github=a.get("linkedToGitHub"))
        out.edge(ctx.region_node, arn, "contains")
    return out


def _deployment(d: dict[str, Any] | None) -> dict[str, Any] | None:
    if not d:
        return None
    return {"id": d.get("deploymentId"), "status": d.get("status"), "end": iso(d.get("endTime")),
            "created": iso(d.get("createTime"))}


def transform_deployment_groups(ctx: ScanContext, groups: list[dict[str, Any]],
                                asg_arns: dict[str, str] | None = None) -> Records:
    """batch_get_deployment_groups items -> groups with their targets, rollback and alarm settings."""
    out = ctx.records()
    asg_arns = asg_arns or {}
    for g in groups:
        app = ident(out, g, "applicationName", "codedeploy", "codedeploy:BatchGetDeploymentGroups",
                    "a deployment group")
        name = ident(out, g, "deploymentGroupName", "codedeploy", "codedeploy:BatchGetDeploymentGroups",
                     "a deployment group")
        if not app or not name:
            continue
        arn = deployment_group_arn(ctx, app, name)
        rb = g.get("autoRollbackConfiguration") or {}
        alarm_cfg = g.get("alarmConfiguration") or {}
        alarms = [a["name"] for a in alarm_cfg.get("alarms") or [] if a.get("name")] if alarm_cfg.get("enabled") else []
        style = g.get("deploymentStyle") or {}
        bg = g.get("blueGreenDeploymentConfiguration") or {}
        lb = g.get("loadBalancerInfo") or {}
        tgs = [t.get("name") for t in lb.get("targetGroupInfoList") or []]
        for pair in lb.get("targetGroupPairInfoList") or []:
            tgs.extend(t.get("name") for t in pair.get("targetGroups") or [])
        tgs.extend(e.get("name") for e in lb.get("elbInfoList") or [])
        asgs = [a.get("name") for a in g.get("autoScalingGroups") or [] if a.get("name")]
        tag_filters = [f"{t.get('Key')}={t.get('Value')}" for t in g.get("ec2TagFilters") or []]
        for tset in ((g.get("ec2TagSet") or {}).get("ec2TagSetList") or []):
            tag_filters.extend(f"{t.get('Key')}={t.get('Value')}" for t in tset)
        ecs = [f"{s.get('clusterName')}/{s.get('serviceName')}" for s in g.get("ecsServices") or []]
        out.node(arn, "codedeploy:deployment-group", name, name=name, application=app,
                 deployment_config=g.get("deploymentConfigName"), asg_names=asgs,
                 ec2_tag_filters=tag_filters, ecs_services=ecs,
                 # no autoRollbackConfiguration: rollback was never configured
                 auto_rollback=False if not rb else flag(rb.get("enabled")),
                 rollback_events=list(rb.get("events") or []) if rb.get("enabled") else [],
                 alarms=alarms, ignore_poll_alarm_failure=alarm_cfg.get("ignorePollAlarmFailure"),
                 # no deploymentStyle: AWS's default, an in-place deployment
                 blue_green=False if not style else is_on(style.get("deploymentType"), ("BLUE_GREEN",), ("IN_PLACE",)),
                 deployment_option=style.get("deploymentOption"),
                 blue_green_termination=(bg.get("terminateBlueInstancesOnDeploymentSuccess") or {}).get("action"),
                 load_balancer_target_groups=[t for t in tgs if t], service_role=g.get("serviceRoleArn"),
                 compute_platform=g.get("computePlatform"),
                 last_success=_deployment(g.get("lastSuccessfulDeployment")),
                 last_attempt=_deployment(g.get("lastAttemptedDeployment")),
                 triggers=len(g.get("triggerConfigurations") or []))
        out.edge(ctx.arn("codedeploy", f"application:{app}"), arn, "contains")
        out.edge(arn, g.get("serviceRoleArn"), "uses_role")
        if g.get("deploymentConfigName"):
            out.edge(arn, ctx.arn("codedeploy", f"deploymentconfig:{g['deploymentConfigName']}"), "integrates_with")
        for a in asgs:
            out.edge(arn, asg_arns.get(a), "deploys")
        for s in g.get("ecsServices") or []:
            if s.get("clusterName") and s.get("serviceName"):
                out.edge(arn, ctx.arn("ecs", f"service/{s['clusterName']}/{s['serviceName']}"), "deploys")
        for a in alarms:
            out.edge(alarm_arn(ctx, a), arn, "monitors")
        for t in g.get("triggerConfigurations") or []:
            out.edge(arn, t.get("triggerTargetArn"), "publishes_to", name=t.get("triggerName"),
                     events=sorted(t.get("triggerEvents") or []))
    return out


def read_deployment_groups(ctx: ScanContext, out: Records, app: str) -> list[dict[str, Any]]:
    """Full group descriptions of one application, batched; per group where batching is not offered."""
    names = list(ctx.paginate("codedeploy", "list_deployment_groups", "deploymentGroups", applicationName=app))
    groups: list[dict[str, Any]] = []
    for batch in chunks(names, 25):
        try:
            got = ctx.call("codedeploy", "batch_get_deployment_groups", applicationName=app,
                           deploymentGroupNames=batch)
            groups.extend(got.get("deploymentGroupsInfo") or [])
            continue
        except NotImplementedError:
            pass  # an emulator without the batch API: read the groups one by one
        except bexc.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in DENIED_CODES:
                out.gap("codedeploy", "codedeploy:BatchGetDeploymentGroups", denied_reason(exc), resource=app)
                continue
        for n in batch:
            one = soft(ctx, out, "codedeploy", "get_deployment_group", resource=f"{app}/{n}",
                       missing=("DeploymentGroupDoesNotExistException",), applicationName=app,
                       deploymentGroupName=n)
            if one and one.get("deploymentGroupInfo"):
                groups.append(one["deploymentGroupInfo"])
    return groups


def read_deployment_configs(ctx: ScanContext, out: Records, in_use: set[str]) -> list[dict[str, Any]]:
    """Custom deployment configs plus the predefined ones a group uses (the other ~17 add nothing)."""
    names = set(in_use)
    listed = soft_pages(ctx, out, "codedeploy", "list_deployment_configs", "deploymentConfigsList")
    names.update(n for n in listed or [] if not n.startswith("CodeDeployDefault."))
    configs = []
    for n in sorted(names):
        got = soft(ctx, out, "codedeploy", "get_deployment_config", resource=n,
                   missing=("DeploymentConfigDoesNotExistException",), deploymentConfigName=n)
        if got and got.get("deploymentConfigInfo"):
            configs.append(got["deploymentConfigInfo"])
    return configs


@collector("codedeploy.applications", "codedeploy",
           reads="codedeploy:ListApplications, codedeploy:BatchGetApplications, codedeploy:ListDeploymentGroups, "
                 "codedeploy:BatchGetDeploymentGroups, codedeploy:ListDeploymentConfigs, "
                 "codedeploy:GetDeploymentConfig, autoscaling:DescribeAutoScalingGroups")
def collect_codedeploy(ctx: ScanContext) -> Records:
    out = ctx.records()
    names = list(ctx.paginate("codedeploy", "list_applications", "applications"))
    apps: list[dict[str, Any]] = []
    for batch in chunks(names, 25):
        apps.extend(ctx.call("codedeploy", "batch_get_applications", applicationNames=batch).get("applicationsInfo") or [])
    out.extend(transform_applications(ctx, apps))
    groups = [g for n in names for g in read_deployment_groups(ctx, out, n)]
    asgs = resolve_asg_arns(ctx, (a.get("name") for g in groups for a in g.get("autoScalingGroups") or []), out)
    out.extend(transform_deployment_groups(ctx, groups, asgs))
    if names:
        in_use = {g["deploymentConfigName"] for g in groups if g.get("deploymentConfigName")}
        out.extend(transform_deployment_configs(ctx, read_deployment_configs(ctx, out, in_use)))
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

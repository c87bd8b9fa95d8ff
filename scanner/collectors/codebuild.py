"""CodeBuild projects and each project's latest build (part of the delivery family).

Get / transform split as in delivery.py: ``collect_projects`` reads (paginated, batched,
read-only), ``transform_projects`` is pure. Environment variables keep their *names* only,
and source URLs lose any embedded credentials.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._fanout import each
from scanner.collectors._shape import flag, ident
from scanner.collectors.delivery import (
    SECRET_LIKE,
    bucket_arn,
    chunks,
    codebuild_arn,
    log_group_arn,
    soft,
    strip_credentials,
)
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    iso,
    parse_time,
    tags_of,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services delivery`` names it with delivery.py)
FAMILY = "delivery"


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
    # every project's listing waits together in the CodeBuild lane (scanner/collectors/_fanout.py)
    listed = each(ctx, out, names, lambda sub, n: soft(
        ctx, sub, "codebuild", "list_builds_for_project", resource=n, missing=("ResourceNotFoundException",),
        projectName=n, sortOrder="DESCENDING"))
    latest = [ids[0] for ids in ((got or {}).get("ids") or [] for got in listed) if ids]
    return [b for got in each(ctx, out, list(chunks(latest, 100)), lambda sub, batch: soft(
        ctx, sub, "codebuild", "batch_get_builds", resource="latest builds", ids=batch))
        for b in (got or {}).get("builds") or []]


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



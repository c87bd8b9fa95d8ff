"""Facts for section 7 (Deployment Pipeline): sources, builds, deployments, rollback.

Pure functions of the Inventory; the 7.x templates only lay out what these return.
"""

from __future__ import annotations

from typing import Any

from scanner import kinds, naming, status
from scanner.inventory import Inventory

DELIVERY_SERVICES = ("codepipeline", "codebuild", "codedeploy", "codecommit", "codestar-connections",
                     "cloudformation")

ROLLBACK_EVENTS = {"DEPLOYMENT_FAILURE": "on failure", "DEPLOYMENT_STOP_ON_ALARM": "on alarm",
                   "DEPLOYMENT_STOP_ON_REQUEST": "on manual stop"}


def pipelines(inv: Inventory) -> list[dict[str, Any]]:
    return inv.nodes("codepipeline:pipeline")


def stage_path(pipeline: dict[str, Any]) -> str:
    """Stage names in order, as a reader follows a release: ``Source → Build → Deploy``."""
    return " → ".join(str(s.get("name")) for s in pipeline["props"].get("stages") or []) or "no stages"


def source_rows(inv: Inventory) -> list[list[Any]]:
    """Per pipeline: provider, repository, branch, trigger and the connection's status when read."""
    rows = []
    for p in pipelines(inv):
        src = p["props"].get("source") or {}
        status = None
        if src.get("connection"):
            conn = inv.node(src["connection"])
            status = (conn or {}).get("props", {}).get("status") if conn and not conn.get("external") else "not read"
        rows.append([p["region"], naming.node_name(p), src.get("provider") or "none", src.get("repository"),
                     src.get("branch"), p["props"].get("trigger"), status])
    return rows


def repository_rows(inv: Inventory) -> list[list[Any]]:
    """CodeCommit repositories and CodeStar connections, with what each feeds."""
    rows = []
    for r in inv.nodes("codecommit:repository"):
        feeds = [naming.node_name(n) for n in inv.out(r["id"], "source_of")]
        rows.append([r["region"], kinds.singular("codecommit:repository"), naming.node_name(r),
                     f"default branch {r['props'].get('default_branch') or '-'}", ", ".join(feeds) or "-"])
    for c in inv.nodes("codestar-connections:connection"):
        feeds = [naming.node_name(n) for n in inv.out(c["id"], "source_of")]
        rows.append([c["region"], f"{c['props'].get('provider') or 'Git'} connection", naming.node_name(c),
                     c["props"].get("status"), ", ".join(feeds) or "-"])
    return rows


def build_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for b in inv.nodes("codebuild:project"):
        p = b["props"]
        logs = p.get("logs") or {}
        log_text = ", ".join(x for x in (logs.get("cloudwatch") and f"CloudWatch {logs['cloudwatch']}",
                                          logs.get("s3") and f"S3 {logs['s3']}") if x) or "none"
        rows.append([b["region"], naming.node_name(b), p.get("image"), p.get("compute_type"), p.get("privileged"),
                     len(p.get("env_names") or []), p.get("buildspec"),
                     p.get("vpc_id") or "no VPC", log_text, p.get("timeout") or "not reported",
                     _build_text(p.get("last_build"), _builds_unread(inv, b))])
    return rows


def _pipelines_unread(inv: Inventory, node: dict[str, Any]) -> str:
    """"-" when every pipeline was read and none deploys it; unknown when pipelines were not read."""
    why = status.unread(inv.meta, node["region"], "codepipeline:GetPipeline", "codepipeline:ListPipelines") or next(
        (f"{r.get('collector')} {r.get('status')}" for r in status.blocked_runs(
            inv.meta.get("runs", []), collectors=("codepipeline.pipelines",), region=node["region"])), "")
    return f"unknown ({why})" if why else "-"


def _builds_unread(inv: Inventory, project: dict[str, Any]) -> str:
    """Why a project's latest build is not known (its builds list, or the batch read, failed)."""
    return (status.unread(inv.meta, project["region"], "codebuild:ListBuildsForProject", resource=project["name"])
            or status.unread(inv.meta, project["region"], "codebuild:BatchGetBuilds"))


def _build_text(b: dict[str, Any] | None, unread: str = "") -> str:
    if not b:
        return f"unknown ({unread})" if unread else "none recorded"
    took = f", {b['duration_s'] // 60} min {b['duration_s'] % 60} s" if isinstance(b.get("duration_s"), int) else ""
    return f"{b.get('status')} {b.get('started') or ''}".strip() + took


def plaintext_secret_like(inv: Inventory) -> list[tuple[str, list[str]]]:
    """Projects with plaintext variables whose names suggest a secret (names only, never values)."""
    return [(naming.node_name(b), b["props"]["secret_like_plaintext_names"]) for b in inv.nodes("codebuild:project")
            if b["props"].get("secret_like_plaintext_names")]


def action_rows(inv: Inventory, pipeline: dict[str, Any]) -> list[list[Any]]:
    """One row per action, stages and run order kept as AWS runs them."""
    rows = []
    for i, st in enumerate(pipeline["props"].get("stages") or [], 1):
        for a in st.get("actions") or []:
            cfg = a.get("configuration") or {}
            detail = ", ".join(f"{k}={v}" for k, v in cfg.items() if k not in ("ConnectionArn",))
            target = naming.name(inv, a["target"]) if a.get("target") else None
            if a.get("category") == "Source":
                repo = cfg.get("FullRepositoryId") or cfg.get("RepositoryName") or cfg.get("S3Bucket") or target
                branch = cfg.get("BranchName") or cfg.get("Branch") or cfg.get("S3ObjectKey")
                target = f"{repo} ({branch})" if repo and branch else repo
            rows.append([f"{i}. {st.get('name')}", a.get("run_order"), a.get("name"), a.get("category"),
                         a.get("provider"), target or detail or "-"])
    return rows


def _targets(inv: Inventory, g: dict[str, Any]) -> str:
    p = g["props"]
    parts = [f"ASG {n}" for n in p.get("asg_names") or []]
    parts += [f"EC2 tag {t}" for t in p.get("ec2_tag_filters") or []]
    parts += [f"ECS service {s}" for s in p.get("ecs_services") or []]
    if p.get("load_balancer_target_groups"):
        parts.append("behind target group " + ", ".join(p["load_balancer_target_groups"]))
    return "; ".join(parts) or "no targets"


def _config_text(inv: Inventory, g: dict[str, Any]) -> str:
    name = g["props"].get("deployment_config") or "-"
    for c in inv.nodes("codedeploy:deployment-config"):
        if c["name"] == name and c["region"] == g["region"] and c["props"].get("minimum_healthy"):
            return f"{name} ({c['props']['minimum_healthy']})"
    return name


def deployment_group_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for g in inv.nodes("codedeploy:deployment-group"):
        p = g["props"]
        style = "blue/green" if p.get("blue_green") else "in-place"
        rows.append([g["region"], p.get("application"), naming.node_name(g), p.get("compute_platform"),
                     _targets(inv, g), _config_text(inv, g), style])
    return rows


def custom_config_rows(inv: Inventory) -> list[list[Any]]:
    return [[c["region"], naming.node_name(c), c["props"].get("compute_platform"), c["props"].get("minimum_healthy")]
            for c in inv.nodes("codedeploy:deployment-config") if not c["props"].get("predefined")]


def stack_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for s in inv.nodes("cloudformation:stack"):
        p = s["props"]
        count = p.get("resource_count")
        res = "not read" if count is None else str(count)
        if count and p.get("unmapped_resources"):
            res += f" ({p['unmapped_resources']} not linked)"
        deployed_by = [naming.node_name(n) for n in inv.into(s["id"], "deploys", "codepipeline:pipeline")]
        rows.append([s["region"], naming.node_name(s), p.get("status"), p.get("drift_status") or "never checked",
                     p.get("termination_protection"), res, ", ".join(deployed_by) or _pipelines_unread(inv, s),
                     len(p.get("noecho_parameter_names") or [])])
    return rows


def stack_status_counts(inv: Inventory) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in inv.nodes("cloudformation:stack"):
        st = s["props"].get("status") or "UNKNOWN"
        out[st] = out.get(st, 0) + 1
    return dict(sorted(out.items()))


def alarm_states(inv: Inventory, group: dict[str, Any]) -> str:
    """The group's alarms with their current state; an alarm the scan did not find is called out,
    because CodeDeploy cannot stop a deployment on an alarm that no longer exists."""
    names = group["props"].get("alarms") or []
    if not names:
        return "none"
    found = {a["name"]: a for a in inv.into(group["id"], "monitors") if a.get("kind") == "cloudwatch:alarm"}
    alarms_read = any(r.get("collector") == "cloudwatch.alarms" and r.get("region") == group["region"]
                      and r.get("status") == status.OK for r in inv.runs())
    parts = []
    for n in names:
        if n in found:
            parts.append(f"{n} ({found[n]['props'].get('state') or 'state unknown'})")
        else:
            parts.append(f"{n} (not found)" if alarms_read else n)
    return ", ".join(parts)


def failed_stacks(inv: Inventory) -> list[list[Any]]:
    """Stacks whose last operation failed or rolled back: the release they carry is not what was asked."""
    return [[s["region"], naming.node_name(s), s["props"].get("status"), s["props"].get("updated") or s["props"].get("created")]
            for s in inv.nodes("cloudformation:stack")
            if any(w in str(s["props"].get("status") or "") for w in ("ROLLBACK", "FAILED"))]


def rollback_rows(inv: Inventory) -> list[list[Any]]:
    """CodeDeploy groups: automatic rollback, which events, which alarms stop a deployment."""
    rows = []
    for g in inv.nodes("codedeploy:deployment-group"):
        p = g["props"]
        events = ", ".join(ROLLBACK_EVENTS.get(e, e) for e in p.get("rollback_events") or []) or "-"
        last = p.get("last_attempt") or {}
        rows.append([g["region"], f"{p.get('application')}/{g['name']}", p.get("auto_rollback"),
                     events if p.get("auto_rollback") else "-", alarm_states(inv, g),
                     "blue/green" + (f", old fleet {p['blue_green_termination'].lower()}"
                                     if p.get("blue_green_termination") else "") if p.get("blue_green") else "in-place",
                     (f"{last.get('status')} {last.get('end') or ''}".strip() if last.get("status") else "none recorded")])
    return rows


def stack_rollback_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for s in inv.nodes("cloudformation:stack"):
        p = s["props"]
        if p.get("rollback_alarms") or not p.get("rollback_on_failure", True):
            rows.append([s["region"], naming.node_name(s), p.get("rollback_on_failure"),
                         len(p.get("rollback_alarms") or [])])
    return rows


def _last_run(p: dict[str, Any], inv: Inventory | None = None) -> str:
    e = p["props"].get("last_execution")
    if not e:
        why = status.unread(inv.meta, p.get("region"), "codepipeline:ListPipelineExecutions",
                            resource=p["id"]) if inv is not None else ""
        if inv is not None and not why:
            why = status.unread(inv.meta, p.get("region"), "codepipeline:ListPipelineExecutions",
                                resource=p.get("name"))
        return f"unknown ({why})" if why else "none recorded"
    how = f" ({e['trigger']})" if e.get("trigger") else ""
    return f"{e.get('status')} {e.get('started') or ''}".strip() + how


def pipeline_state_rows(inv: Inventory) -> list[list[Any]]:
    """Latest run and latest status per stage (GetPipelineState), where they could be read."""
    rows = []
    for p in pipelines(inv):
        states = p["props"].get("stage_states")
        if states is None:
            text = "not read"
        else:
            # in pipeline order (the snapshot sorts mapping keys, so the mapping's order is not it)
            order = [s.get("name") for s in p["props"].get("stages") or [] if isinstance(s, dict)]
            names = [n for n in order if n in states] + sorted(k for k in states if k not in order)
            text = ", ".join(f"{k}: {states[k] or 'never run'}" for k in names) or "never run"
        rows.append([p["region"], naming.node_name(p), _last_run(p, inv), text])
    return rows


NOTIFYING = {"codepipeline:pipeline": "pipeline", "codebuild:project": "build project",
             "codedeploy:application": "CodeDeploy application", "codedeploy:deployment-group": "deployment group",
             "codecommit:repository": "repository", "cloudformation:stack": "stack"}


def notification_rows(inv: Inventory) -> list[list[Any]]:
    """Who hears about releases: notification rules, CodeDeploy triggers and stack notifications."""
    rows = []
    for kind, what in NOTIFYING.items():
        for n in inv.nodes(kind):
            for t in inv.out(n["id"], "publishes_to"):
                e = t.get("edge") or {}
                rows.append([n["region"], f"{what} {naming.node_name(n)}", naming.node_name(t),
                             ", ".join(e.get("events") or []) or "all events"])
    return rows


def no_rollback(inv: Inventory) -> list[str]:
    """Deployment groups that would leave a failed release in place."""
    return [f"{g['props'].get('application')}/{g['name']}" for g in inv.nodes("codedeploy:deployment-group")
            if not g["props"].get("auto_rollback")]

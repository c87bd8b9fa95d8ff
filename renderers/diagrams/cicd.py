"""CICD: each pipeline as one row, source -> stages -> actions in order -> what they build and deploy.

A pipeline is a box; inside it each stage is a box holding its actions in run
order (from the pipeline's ``props.stages``, which keep AWS's order), and the
stages follow each other left to right. Build actions point to their CodeBuild
project (with its image and compute type), deploy actions to their target
(CodeDeploy deployment group -> Auto Scaling groups / ECS services, a
CloudFormation stack, an ECS service, a Lambda function), source actions come
from their repository or connection, and the artifact bucket hangs under the
pipeline. Several pipelines are stacked as rows. Build projects and deployment
groups that no pipeline uses get a row of their own, so nothing is silently
dropped. An account without pipelines gets a small diagram that says so.
"""

from __future__ import annotations

from typing import Any

from renderers.diagrams import Diagram, file_stem
from renderers.diagrams import collapse as cl
from renderers.diagrams import style as st
from scanner import kinds, naming, status
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory

MARKER = "CICD"
FILENAME = "cicd"
#: nodes/edges kept free for the legend and the "not used by any pipeline" row
RESERVE = 16


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    pipelines = inv.nodes("codepipeline:pipeline")
    title = "CI/CD pipelines"
    if not pipelines:
        scene = _empty(inv)
        _draw_unused(inv, scene, _Targets(inv))     # build projects / deployment groups on their own
        return [Diagram.of(MARKER, FILENAME, title, scene, "LR")]
    scene = st.Scene()
    drawn: list[dict[str, Any]] = []
    notes: list[str] = []
    index = _Targets(inv)
    used_anywhere = {t for p in pipelines for _, steps in ordered_stages(p) for step in steps
                     for a in step if (t := index.find(a))}
    for p in pipelines:
        trial = _copy_counts(scene)
        _draw_pipeline(inv, analysis, scene, p, index)
        if (scene.node_count > cl.MAX_NODES - RESERVE or scene.edge_count > cl.MAX_EDGES - RESERVE) and drawn:
            _rollback(scene, trial)
            left = len(pipelines) - len(drawn)
            notes.append(f"{left} more {kinds.name('codepipeline:pipeline', left)} (over the diagram budget; "
                         f"listed in section 7)")
            break
        drawn.append(p)
    index.used |= used_anywhere
    _draw_unused(inv, scene, index)
    _stack_rows(scene, drawn)
    _legend(scene)
    notes += cl.truncate(scene, "pipeline parts")
    stacked = Diagram.drawn(MARKER, FILENAME, title, scene, notes, preferred="LR")
    if stacked.readable or len(pipelines) <= 1:
        return [stacked]
    return _one_per_pipeline(inv, analysis, pipelines, used_anywhere)


#: the most pipeline diagrams one account gets when the stacked one does not read at page width
MAX_PARTS = 12


def _one_per_pipeline(inv: Inventory, analysis: Analysis, pipelines: list[dict[str, Any]],
                      used_anywhere: set[str]) -> list[Diagram]:
    """All pipelines stacked read under 8 px at page width: one diagram per pipeline (up to
    MAX_PARTS, the rest counted), and one for the build projects and deployment groups that no
    pipeline uses."""
    n = len(pipelines)
    parts: list[tuple[str, str, st.Scene, list[str]]] = []
    for i, p in enumerate(pipelines[:MAX_PARTS]):
        scene = st.Scene()
        _draw_pipeline(inv, analysis, scene, p, _Targets(inv))
        _legend(scene)
        notes = cl.truncate(scene, "pipeline parts")
        name = naming.node_name(p)
        parts.append((f"{FILENAME}_{file_stem(name)}", f"CI/CD pipeline {i + 1} of {n}: {name}", scene, notes))
    first = [f"the {n} pipelines in one picture: stacked, they would read under 8 px at {cl.PAGE_PX} px wide, "
             f"so each pipeline has a diagram of its own"]
    if n > MAX_PARTS:
        left = n - MAX_PARTS
        first.append(f"{left} more {kinds.name('codepipeline:pipeline', left)} (more than {MAX_PARTS} pipeline "
                     f"diagrams; listed in section 7)")
    parts[0] = (parts[0][0], parts[0][1], parts[0][2], first + parts[0][3])
    index = _Targets(inv)
    index.used |= used_anywhere
    loose = st.Scene()
    _draw_unused(inv, loose, index)
    if loose.nodes:
        _legend(loose)
        parts.append((f"{FILENAME}_not_in_a_pipeline", "CI/CD: build projects and deployment groups no pipeline uses",
                      loose, []))
    # one pipeline reads best top to bottom: its stages stack, and left to right it is about page wide
    return Diagram.drawn_all(MARKER, parts, preferred="TB")


def _empty(inv: Inventory) -> st.Scene:
    scene = st.Scene()
    runs = status.blocked_runs(inv.runs("codepipeline"))
    regions = ", ".join(inv.regions) or "no region"
    text = ("Pipelines could not be read (see section 7 for the missing permission)" if runs
            else "No pipelines found")
    scene.node(None, "no-pipelines", st.html_label(text, f"scanned regions: {regions}"),
               st.node_attrs("note"), kind="note")
    return scene


class _Targets:
    """Finds the graph node an action points to, from its ``target`` or its configuration."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.by_name: dict[tuple[str, str], str] = {}
        # the kinds a pipeline action names (by provider, in find() below): this diagram's own map
        for kind in ("codebuild:project", "codedeploy:deployment-group", "cloudformation:stack",
                     "lambda:function", "ecs:service", "codecommit:repository", "s3:bucket"):
            for n in inv.nodes(kind):
                self.by_name.setdefault((kind, str(n["props"].get("name") or n.get("name"))), n["id"])
        self.used: set[str] = set()

    def find(self, action: dict[str, Any]) -> str | None:
        target = action.get("target")
        if target and self.inv.node(target):
            return target
        c = action.get("configuration") or {}
        provider = str(action.get("provider") or "")
        wanted = {
            "CodeBuild": ("codebuild:project", c.get("ProjectName")),
            "CodeDeploy": ("codedeploy:deployment-group", c.get("DeploymentGroupName")),
            "CloudFormation": ("cloudformation:stack", c.get("StackName")),
            "Lambda": ("lambda:function", c.get("FunctionName")),
            "ECS": ("ecs:service", c.get("ServiceName")),
            "CodeCommit": ("codecommit:repository", c.get("RepositoryName")),
            "S3": ("s3:bucket", c.get("S3Bucket") or c.get("BucketName")),
        }.get(provider)
        if wanted and wanted[1]:
            return self.by_name.get((wanted[0], str(wanted[1])))
        return None


def _copy_counts(scene: st.Scene) -> tuple[set[str], set[tuple[str, str, str, str]], dict[str, list[str]]]:
    boxes = {k: list(b.nodes) for k, b in scene.root.children.items()}
    return set(scene.nodes), set(scene.edges), boxes


def _rollback(scene: st.Scene, trial: tuple[set[str], set[tuple[str, str, str, str]], dict[str, list[str]]]) -> None:
    nodes, _edges, boxes = trial
    scene.remove_nodes(set(scene.nodes) - nodes)
    for k in list(scene.root.children):
        if k not in boxes:
            del scene.root.children[k]


def ordered_stages(pipeline: dict[str, Any]) -> list[tuple[str, list[list[dict[str, Any]]]]]:
    """Stages in pipeline order, each with its actions grouped by run order (parallel actions share one)."""
    out = []
    for stage in pipeline["props"].get("stages") or []:
        if not isinstance(stage, dict):
            continue
        actions = [a for a in stage.get("actions") or [] if isinstance(a, dict)]
        orders: dict[int, list[dict[str, Any]]] = {}
        for a in actions:
            try:
                ro = int(a.get("run_order") or 1)
            except (TypeError, ValueError):
                ro = 1
            orders.setdefault(ro, []).append(a)
        out.append((str(stage.get("name") or "?"), [orders[k] for k in sorted(orders)]))
    return out


def _draw_pipeline(inv: Inventory, analysis: Analysis, scene: st.Scene, p: dict[str, Any], index: _Targets) -> None:
    props = p["props"]
    box = scene.box(None, p["id"], "pipeline",
                    st.box_title("pipeline", naming.node_name(p), f"{p.get('region') or ''} · "
                                 f"V{props.get('version') or '?'}" + (f" · trigger {props['trigger']}"
                                                                       if props.get("trigger") else "")),
                    sort_key=f"{naming.node_name(p)}|{p['id']}")
    previous: list[str] = []
    for s_index, (stage, steps) in enumerate(ordered_stages(p)):
        sbox = scene.box(box, f"{p['id']}/stage/{s_index}", "stage", st.html_label(f"{s_index + 1}. {stage}"),
                         sort_key=f"{s_index:04d}")
        for r_index, parallel in enumerate(steps):
            current = []
            for a_index, action in enumerate(parallel):
                nid = _draw_action(inv, analysis, scene, sbox, p, action, (s_index, r_index, a_index), index)
                current.append(nid)
            for a in previous:
                for b in current:
                    scene.edge(a, b, "sequence")
            previous = current
    if not previous:
        scene.node(box, f"{p['id']}/nostages", st.html_label(naming.node_name(p), "stages could not be read"),
                   st.node_attrs("codepipeline:pipeline"), kind="codepipeline:pipeline")
    bucket = props.get("artifact_bucket")
    if bucket:
        first = scene.first_node(box)
        bnode = scene.node(box, f"{p['id']}/artifacts", st.html_label(bucket, "artifact bucket (S3)"),
                           st.node_attrs("s3:bucket"), kind="s3:bucket")
        if first:
            scene.edge(first, bnode, "artifact", "artifacts")


def _draw_action(inv: Inventory, analysis: Analysis, scene: st.Scene, sbox: st.Box, p: dict[str, Any],
                 action: dict[str, Any], pos: tuple[int, int, int], index: _Targets) -> str:
    category = str(action.get("category") or "")
    provider = str(action.get("provider") or "")
    nid = scene.node(sbox, f"{p['id']}/action/{pos[0]}/{pos[1]}/{pos[2]}",
                     st.html_label(action.get("name") or "?", f"{category} · {provider}".strip(" ·")),
                     st.node_attrs("action"), kind="action")
    target = index.find(action)
    if category == "Source":
        src = target and inv.node(target)
        label = _source_text(action)
        if src:
            snode = scene.node(None, src["id"], st.html_label(naming.node_name(src), st.title_of(src["kind"]), label),
                               st.node_attrs(src["kind"]), members=(src["id"],), kind=src["kind"])
        else:
            snode = scene.node(None, f"{p['id']}/source/{pos}", st.html_label(label or provider, f"{provider} source"),
                               st.node_attrs("codecommit:repository"), kind="codecommit:repository")
        scene.edge(snode, nid, "sequence", "source")
        return nid
    if not target:
        return nid
    index.used.add(target)
    tnode = _draw_target(inv, analysis, scene, target)
    # through a label node: several actions may point at one project, and dot would set each
    # label beside its line, where it reads as the label of the next one
    scene.edge(nid, tnode, "deploy" if category == "Deploy" else "sequence",
               "builds" if category in ("Build", "Test") else category.lower(), at="node")
    return nid


def _source_text(action: dict[str, Any]) -> str:
    c = action.get("configuration") or {}
    repo = c.get("FullRepositoryId") or c.get("RepositoryName") or c.get("S3Bucket") or c.get("Repo") or ""
    branch = c.get("BranchName") or c.get("Branch") or c.get("S3ObjectKey") or ""
    return f"{repo} @ {branch}" if repo and branch else str(repo or branch)


def _draw_target(inv: Inventory, analysis: Analysis, scene: st.Scene, target: str) -> str:
    """A build project or deploy target, with what a deployment group deploys to."""
    n = inv.node(target) or {"id": target, "kind": "external", "external": True, "props": {}}
    p = n.get("props") or {}
    if n["kind"] == "codebuild:project":
        lines = [f"image {p.get('image') or '?'}", p.get("compute_type"),
                 "privileged" if p.get("privileged") else ""]
    elif n["kind"] == "codedeploy:deployment-group":
        lines = [f"CodeDeploy · {p.get('application') or ''}", p.get("deployment_config"),
                 "auto-rollback" if p.get("auto_rollback") else "no auto-rollback"]
    else:
        lines = [st.title_of(n["kind"]), p.get("status")]
    node = scene.node(None, target, st.html_label(naming.node_name(n), *lines),
                      st.node_attrs(n["kind"], finding=bool(st.findings_count(analysis, target))),
                      members=(target,), kind=n["kind"])
    if n["kind"] == "codedeploy:deployment-group":
        for dest in _deploy_destinations(inv, n):
            d = scene.node(None, dest["id"], st.html_label(naming.node_name(dest), st.title_of(dest["kind"])),
                           st.node_attrs(dest["kind"]), members=(dest["id"],), kind=dest["kind"])
            scene.edge(node, d, "deploy", "deploys to")
    return node


def _deploy_destinations(inv: Inventory, dg: dict[str, Any]) -> list[dict[str, Any]]:
    found = {d["id"]: d for d in inv.out(dg["id"], "deploys") if not d.get("external")}
    p = dg.get("props") or {}
    for name in p.get("asg_names") or []:
        for a in inv.by_prop("autoscaling:group", "name", name):
            found[a["id"]] = a
    for svc in p.get("ecs_services") or []:
        name = svc.get("service") if isinstance(svc, dict) else svc
        for s in inv.by_prop("ecs:service", "name", name):
            found[s["id"]] = s
    return [found[k] for k in sorted(found)]


def _draw_unused(inv: Inventory, scene: st.Scene, index: _Targets) -> None:
    """Build projects and deployment groups no pipeline uses: one extra row, counted."""
    loose = [n for kind in ("codebuild:project", "codedeploy:deployment-group") for n in inv.nodes(kind)
             if n["id"] not in index.used and n["id"] not in scene.nodes]
    if not loose:
        return
    box = scene.box(None, "not-in-a-pipeline", "services",
                    st.html_label("Not used by any pipeline", "run on their own or by other tools"), sort_key="~")
    for n in loose[:12]:
        p = n["props"]
        detail = f"image {p.get('image')}" if n["kind"] == "codebuild:project" else p.get("application")
        scene.node(box, n["id"], st.html_label(naming.node_name(n), st.title_of(n["kind"]), detail),
                   st.node_attrs(n["kind"]), members=(n["id"],), kind=n["kind"])
    if len(loose) > 12:
        scene.node(box, "not-in-a-pipeline/more", st.html_label(f"+{len(loose) - 12} more", "see section 7"),
                   st.node_attrs("note"), kind="note")


def _stack_rows(scene: st.Scene, pipelines: list[dict[str, Any]]) -> None:
    """Invisible edges between the first actions of consecutive pipelines stack the rows vertically."""
    firsts = [scene.first_node(scene.root.children.get(p["id"]) or st.Box("", "", "")) for p in pipelines]
    firsts = [f for f in firsts if f]
    for a, b in zip(firsts, firsts[1:], strict=False):
        scene.edge(a, b, "invisible")


def _legend(scene: st.Scene) -> None:
    entries = [st.box_entry("pipeline"), st.box_entry("stage", "Stage (actions in run order)"),
               st.family_entry("codebuild:project", "Build project / deployment group"),
               st.family_entry("autoscaling:group", "Deploy target (compute)"),
               st.family_entry("cloudformation:stack", "CloudFormation stack"),
               st.family_entry("s3:bucket", "Artifact bucket")]
    scene.node(None, "legend", st.legend_label(entries), {"shape": "plain"}, kind="legend")

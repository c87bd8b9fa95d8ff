"""AWS_SECURITY: who may reach what, what runs as whom, what is encrypted with which key.

Security groups are the unit. Left to right: traffic sources (the internet as
one node for 0.0.0.0/0 and ::/0, address ranges, prefix lists, groups of other
accounts) -> security groups (boxed by VPC) -> the workloads they protect
(resources with the same kind, groups and role drawn once, with a count) -> the
IAM roles those workloads run as. ``allows`` rules are aggregated to one edge
per (source, group) with the protocols/ports on the label, so a group with 40
rules and 300 instances is still one node and a few edges. KMS keys link to
what they encrypt, aggregated per kind ("3 EBS volumes"). Exposed resources
(``analysis.exposure``) are red; resources with open findings get a thick
orange border. Encryption at rest is drawn per kind from the judged ``encrypted``
fact: what is encrypted, what is NOT, and what could not be read (never counted as
either). Account guards (CloudTrail, GuardDuty, Config, Security Hub, Access
Analyzer) read the judged region facts and are shown present, missing, or not
assessed (the scan could not read them: a denied read is never "missing").
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from renderers.diagrams import Diagram, file_stem
from renderers.diagrams import collapse as cl
from renderers.diagrams import security_story as story
from renderers.diagrams import style as st
from renderers.diagrams.security_read import (  # noqa: F401  (port_text, role_of: the module's public names)
    MAX_PORTS_ON_LABEL,
    ROLE_KINDS,
    _compute_roles,
    _memo,
    _port_sort,
    _rendering,
    aggregate_rules,
    all_groups,
    groups_of,
    port_text,
    ports_label,
    protected,
    role_of,
)
from renderers.plural import count_of
from scanner import naming
from scanner.analysis.model import Analysis
from scanner.fact import tally
from scanner.inventory import Inventory

MARKER = "AWS_SECURITY"
FILENAME = "aws_security"
#: traffic sources: the kinds the specs place outside (the internet, address ranges, prefix lists)
SOURCE_KINDS = st.drawn_kinds(("outside",))
#: use security groups but are not workloads of their own: the interface belongs to a drawn
#: resource, the template describes instances that are drawn
NOT_WORKLOADS = frozenset({"ec2:network-interface", "ec2:launch-template"})
#: account guards: (the kind that draws it, the judged region fact of scanner/judge/guards.py)
GUARDS = (
    ("cloudtrail:trail", "cloudtrail"),
    ("guardduty:detector", "guardduty"),
    ("config:recorder", "config"),
    ("securityhub:hub", "securityhub"),
    ("iam:access-analyzer", "access_analyzer"),
)


@dataclass(frozen=True)
class Workload:
    kind: str
    sgs: tuple[str, ...]
    role: str | None


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    """One security diagram; above the budget, an account overview plus one diagram per VPC."""
    st.ensure_judged(inv)
    with inv.rendering():
        return _build(inv, analysis)


def _build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    from renderers.diagrams import security_tiers as tiers
    from renderers.diagrams.security_overview import overview_scene

    scene, notes = _fitted(inv, analysis, None)
    title = "AWS security: network access, identities and encryption"
    if cl.fits(scene) and len(_vpcs_in_use(inv)) <= cl.MAX_VPCS_INLINE:
        single = _diagram(FILENAME, title, scene, notes)
        if single.readable or not _vpcs_in_use(inv):
            return [single]
    vpcs = sorted(_vpcs_in_use(inv))
    overview = overview_scene(inv, analysis)
    # each part is laid out (layout pool) while the next one's scene is built
    parts: list[Future[Diagram]] = [Diagram.later(
        MARKER, FILENAME, f"{title}: account overview", overview,
        [f"security groups inside each VPC: the {st.count_words('ec2:vpc', len(vpcs))} are drawn in their own "
         f"diagrams below (one picture would exceed {cl.MAX_VPCS_INLINE} VPCs, {cl.MAX_NODES} "
         f"nodes or {cl.MAX_EDGES} edges, or read under 8 px at page width)"]
        + cl.truncate(overview, "keys and roles"))]
    for vpc in vpcs:
        part, part_notes = _fitted(inv, analysis, vpc)
        # a VPC that can be split by tier is split when too wide left to right, not laid out twice
        splittable = len(set(tiers.assign(inv, analysis, vpc).values())) > 1
        parts.append(Diagram.later(MARKER, f"{FILENAME}_{_file_safe(vpc)}", vpc_heading(inv, vpc), part,
                                   part_notes + cl.truncate(part, "workloads"), other_if_wide=not splittable))
    # a VPC too wide to read at page width: one diagram per tier (public, app, data) instead
    out: list[Future[Diagram] | Diagram] = [parts[0]]
    for vpc, future in zip(vpcs, parts[1:], strict=True):
        d = future.result()
        split = [] if d.readable else tiers.tier_parts(inv, analysis, vpc, d.filename, d.title)
        out.extend([Diagram.later(MARKER, *p) for p in split] if split else [d])
    return [x.result() if isinstance(x, Future) else x for x in out]


def vpc_heading(inv: Inventory, vpc: str) -> str:
    """"AWS security: VPC <name> (<id>)": the title of a VPC's security diagram."""
    named = inv.by_prop("ec2:vpc", "vpc_id", vpc)
    return f"AWS security: VPC {naming.node_name(named[0])} ({vpc})" if named else f"AWS security: VPC {vpc}"


def _vpcs_in_use(inv: Inventory) -> set[str]:
    """VPCs with a security group that protects something or is named by a rule."""
    ends = {end for src, dst, _ in inv.edges("allows") for end in (src, dst)}
    return {str(sg["props"].get("vpc_id")) for sg in all_groups(inv)
            if sg["props"].get("vpc_id") and (sg["id"] in ends or protected(inv, sg["id"]))}


def _fitted(inv: Inventory, analysis: Analysis, vpc: str | None, only: set[str] | None = None,
            elsewhere: dict[str, str] | None = None, vpc_notes: bool = True) -> tuple[st.Scene, list[str]]:
    scene, notes = None, []
    for level in cl.LEVELS:
        scene, notes = render_scene(inv, analysis, level, vpc=vpc, only=only, elsewhere=elsewhere,
                                    vpc_notes=vpc_notes)
        if cl.fits(scene):
            break
    assert scene is not None
    return scene, notes


def _diagram(filename: str, title: str, scene: st.Scene, notes: list[str]) -> Diagram:
    return Diagram.drawn(MARKER, filename, title, scene, notes, preferred="LR")


def _file_safe(text: str) -> str:
    return file_stem(text)  # unique and deterministic (renderers/diagrams)


def render_scene(inv: Inventory, analysis: Analysis, level: int = 0, vpc: str | None = None,
                 only: set[str] | None = None, elsewhere: dict[str, str] | None = None,
                 vpc_notes: bool = True) -> tuple[st.Scene, list[str]]:
    """The security scene; higher ``level`` draws less detail (workloads no longer split by role).

    With ``vpc`` (a raw VPC id) only that VPC's groups and what they protect are
    drawn; keys and account guards are then left to the account overview. With ``only``
    (security group ids: one tier of the VPC, security_tiers.py) only those groups are drawn;
    a rule from a group of the VPC drawn in another part names that part (``elsewhere``), and
    the notes about the whole VPC (groups counted, not drawn) go with its first part only
    (``vpc_notes``).
    """
    scene = st.Scene()
    notes: list[str] = []
    rules = aggregate_rules(inv)
    sgs = {n["id"]: n for n in (all_groups(inv) if vpc is None else _groups_by_vpc(inv).get(vpc, []))}
    users: dict[str, list[dict[str, Any]]] = defaultdict(list)
    skipped: set[str] = set()
    for sg in sgs:
        for u in protected(inv, sg):
            if u.get("external"):
                continue
            if u["kind"] in NOT_WORKLOADS:
                skipped.add(u["id"])
                continue
            users[sg].append(u)
    if skipped and vpc_notes:
        notes.append(f"{len(skipped)} network {'interface or launch template' if len(skipped) == 1 else 'interfaces and launch templates'} behind the groups "
                     f"(their resources are drawn instead)")
    # a group nothing uses and no rule mentions says nothing about access: counted, not drawn
    in_rules = _rule_ends(inv, rules)
    unused = {s for s in sgs if not users[s] and s not in in_rules}
    if unused and vpc_notes:
        notes.append(f"{st.count_words('ec2:security-group', len(unused))} with no rules between groups and nothing attached "
                     f"(listed in section 5.2)")
    drawn_sgs = [s for s in sorted(sgs) if s not in unused and (only is None or s in only)]
    sg_node = _draw_groups(inv, analysis, scene, sgs, drawn_sgs, users)
    _draw_rules(inv, scene, rules, sg_node, sgs, elsewhere or {})
    workload_of = _draw_workloads(inv, analysis, scene, sg_node, users, level, vpc is None)
    if vpc is None:
        _draw_keys(inv, scene, workload_of, level)
        story.draw_trusts(inv, scene)
        _panels(inv, scene)
    _legend(scene)
    if level >= 1:
        notes.append("individual IAM roles of workloads (workloads are grouped by kind and security groups)"
                     if level >= 2 else "")
    return scene, [n for n in notes if n]


def _groups_by_vpc(inv: Inventory) -> dict[Any, list[dict[str, Any]]]:
    """Raw VPC id -> its security groups, in :func:`all_groups` order: a VPC's part reads its own
    groups instead of every group of the account (once per part and collapse level)."""
    def table() -> dict[Any, list[dict[str, Any]]]:
        out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for n in all_groups(inv):
            out[n["props"].get("vpc_id")].append(n)
        return dict(out)
    return _memo(inv, "groups_by_vpc", table)


def _rule_ends(inv: Inventory, rules: dict[tuple[str, str], list[str]]) -> set[str]:
    """Every source and group any rule names (read once per render)."""
    return _memo(inv, "rule_ends", lambda: {end for k in rules for end in k}) if rules is aggregate_rules(inv) \
        else {end for k in rules for end in k}


def _rules_into(inv: Inventory, rules: dict[tuple[str, str], list[str]],
                sg_node: dict[str, str] | set[str]) -> list[tuple[tuple[str, str], list[str]]]:
    """The rules whose group is drawn, in the order of ``rules``: found through an index by
    group, not by reading every rule of the account for every part."""
    def table() -> tuple[list[tuple[tuple[str, str], list[str]]], dict[str, list[int]]]:
        items = list(rules.items())
        by_dst: dict[str, list[int]] = defaultdict(list)
        for i, ((_src, dst), _ports) in enumerate(items):
            by_dst[dst].append(i)
        return items, dict(by_dst)
    items, by_dst = (_memo(inv, "rules_by_dst", table) if rules is aggregate_rules(inv) else table())
    return [items[i] for i in sorted(i for dst in sg_node for i in by_dst.get(dst, ()))]


def _vpc_box(vpcs: dict[str, dict[str, Any]], scene: st.Scene, sg: dict[str, Any]) -> st.Box | None:
    raw = sg["props"].get("vpc_id")
    if not raw:
        return None
    vpc = vpcs.get(raw)
    name = naming.node_name(vpc) if vpc else raw
    key = vpc["id"] if vpc else f"vpc/{raw}"
    return scene.box(None, key, "vpc", st.box_title("vpc", name, f"{raw} · {sg.get('region') or ''}"))


def _draw_groups(inv: Inventory, analysis: Analysis, scene: st.Scene, sgs: dict[str, dict[str, Any]],
                 drawn: list[str], users: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    sg_node: dict[str, str] = {}
    vpcs = _memo(inv, "vpcs_by_raw", lambda: {v["props"].get("vpc_id"): v for v in inv.nodes("ec2:vpc")})
    for sid in drawn:
        sg = sgs[sid]
        p = sg["props"]
        used: dict[str, int] = defaultdict(int)
        for u in users[sid]:
            used[u["kind"]] += 1
        # "used by 2 EFS mount targets": the kind's own words, as section 5.2 counts them
        used_text = ("used by " + ", ".join(st.count_words(k, n) for k, n in sorted(used.items()))
                     if used else "not attached to anything")
        ex = st.exposure_of(inv, analysis.exposure, [u["id"] for u in users[sid]])
        finding = bool(st.findings_count(analysis, sid))
        label = st.html_label(naming.node_name(sg), p.get("group_id"), used_text)
        sg_node[sid] = scene.node(_vpc_box(vpcs, scene, sg), sid, label,
                                  st.node_attrs("ec2:security-group", exposed=ex.direct_reached,
                                                reached=ex.lb_reached, finding=finding),
                                  members=(sid,), kind="ec2:security-group")
    return sg_node


def _draw_rules(inv: Inventory, scene: st.Scene, rules: dict[tuple[str, str], list[str]],
                sg_node: dict[str, str], sgs: dict[str, dict[str, Any]], elsewhere: dict[str, str]) -> None:
    for (src, dst), ports in _rules_into(inv, rules, sg_node):
        if src in sg_node:
            scene.edge(sg_node[src], sg_node[dst], "allows", ports_label(ports))
            continue
        node = inv.node(src) or {"id": src, "kind": "external", "external": True, "props": {}}
        kind = node.get("kind") if node.get("kind") in SOURCE_KINDS + ("ec2:security-group",) else "external"
        if src == "internet":
            label = st.html_label("Internet", "0.0.0.0/0 and ::/0")
            attrs = st.node_attrs("internet")
        else:
            p = node.get("props") or {}
            detail = p.get("cidr") or (", ".join(p.get("cidrs") or [])[:60] if p.get("cidrs") else None)
            what = (f"security group, drawn in {elsewhere[src]}" if src in elsewhere else
                    "security group (not scanned)" if src in sgs or ":security-group/" in src else st.title_of(kind))
            label = st.html_label(naming.node_name(node, src), detail or what)
            attrs = st.node_attrs(kind)
        nid = scene.node(None, src, label, attrs, members=(src,), kind=kind)
        scene.edge(nid, sg_node[dst], "allows_internet" if src == "internet" else "allows", ports_label(ports))


def _draw_workloads(inv: Inventory, analysis: Analysis, scene: st.Scene, sg_node: dict[str, str],
                    users: dict[str, list[dict[str, Any]]], level: int, whole: bool = True) -> dict[str, str]:
    """Resources behind the groups, grouped by (kind, groups, role); returns resource id -> node id."""
    groups: dict[Workload, list[dict[str, Any]]] = defaultdict(list)
    seen: dict[str, dict[str, Any]] = {}
    for sid in sorted(sg_node):
        for u in users[sid]:
            seen[u["id"]] = u
    for rid, u in sorted(seen.items()):
        member_sgs = tuple(sorted(s for s in groups_of(inv, rid)
                                  if s in sg_node))
        role = role_of(inv, rid) if u["kind"] in ROLE_KINDS and level < 2 else None
        groups[Workload(u["kind"], member_sgs, role)].append(u)
    workload_of: dict[str, str] = {}
    role_nodes: dict[str, str] = {}
    drawn: list[tuple[Workload, list[dict[str, Any]], str]] = []
    for wl, members in sorted(groups.items(), key=lambda kv: (kv[0].kind, kv[0].sgs, kv[0].role or "")):
        if level == 0 and 1 < len(members) <= cl.COLLAPSE_AT:      # collapse only beyond three
            drawn.extend((wl, [m], m["id"]) for m in members)
        else:
            drawn.append((wl, members, ""))
    for wl, members, single in drawn:
        ids = tuple(m["id"] for m in members)
        ex = st.exposure_of(inv, analysis.exposure, ids)
        findings = sum(st.findings_count(analysis, i) for i in ids)
        open_text = count_of(findings, "open finding") if findings else ""
        if len(members) == 1:
            m = members[0]
            label = st.html_label(naming.node_name(m), st.title_of(m["kind"]), *ex.lines(), open_text)
        else:
            names = ", ".join(naming.node_name(m) for m in members[:3])
            label = st.html_label(st.count_words(wl.kind, len(members)), names + (", …" if len(members) > 3 else ""),
                                  *ex.lines(), open_text)
        key = st.stable_id("workload", wl.kind, *wl.sgs, wl.role or "", *((single,) if single else ()))
        nid = scene.node(None, key, label,
                         st.node_attrs(wl.kind, exposed=ex.direct_reached, reached=ex.lb_reached,
                                       finding=bool(findings), collapsed=len(members) > 1),
                         members=ids, kind=wl.kind)
        for i in ids:
            workload_of[i] = nid
        for sg in wl.sgs:
            scene.edge(sg_node[sg], nid, "uses")
        if wl.role:
            if wl.role not in role_nodes:
                attrs = st.node_attrs("iam:role", finding=bool(st.findings_count(analysis, wl.role)))
                role_nodes[wl.role] = scene.node(None, wl.role, st.html_label(naming.name(inv, wl.role), "IAM role"),
                                                 attrs, members=(wl.role,), kind="iam:role")
            scene.edge(nid, role_nodes[wl.role], "role", "runs as")
    if whole:
        _draw_unprotected_roles(inv, analysis, scene, role_nodes, workload_of, level)
    return workload_of


def _draw_unprotected_roles(inv: Inventory, analysis: Analysis, scene: st.Scene, role_nodes: dict[str, str],
                            workload_of: dict[str, str], level: int) -> None:
    """Compute without security groups (Lambda outside a VPC, CodeBuild) still shows its role."""
    if level >= 2:
        return
    by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for kind, n, role in (inv.memo("diagrams.security.compute_roles", lambda: _compute_roles(inv))
                          if _rendering(inv) else _compute_roles(inv)):
        if n["id"] not in workload_of:
            by[(kind, role)].append(n)
    for (kind, role), members in sorted(by.items()):
        ids = tuple(m["id"] for m in members)
        title = naming.node_name(members[0]) if len(members) == 1 else st.count_words(kind, len(members))
        findings = sum(st.findings_count(analysis, i) for i in ids)
        ex = st.exposure_of(inv, analysis.exposure, ids)
        nid = scene.node(None, st.stable_id("norole", kind, role), st.html_label(title, st.title_of(kind)),
                         st.node_attrs(kind, exposed=ex.direct_reached, reached=ex.lb_reached, finding=bool(findings),
                                       collapsed=len(members) > 1), members=ids, kind=kind)
        for i in ids:
            workload_of[i] = nid
        if role not in role_nodes:
            role_nodes[role] = scene.node(None, role, st.html_label(naming.name(inv, role), "IAM role"),
                                          st.node_attrs("iam:role", finding=bool(st.findings_count(analysis, role))),
                                          members=(role,), kind="iam:role")
        scene.edge(nid, role_nodes[role], "role", "runs as")


def _draw_keys(inv: Inventory, scene: st.Scene, workload_of: dict[str, str], level: int) -> None:
    """KMS key -> what it encrypts: drawn workloads directly, everything else counted per kind."""
    for key in inv.nodes("kms:key", include_external=False):
        encrypted = inv.into(key["id"], "encrypted_by")
        if not encrypted:
            continue
        p = key["props"]
        aliases = p.get("aliases") or []
        rotation = inv.fact(key["id"], "rotation")      # None: not applicable (AWS managed, asymmetric)
        label = st.html_label(aliases[0] if aliases else naming.node_name(key),
                              f"KMS {'customer' if p.get('manager') == 'CUSTOMER' else 'AWS'} managed key"
                              f" · {key.get('region') or ''}",
                              "" if rotation is None else "rotation on" if rotation.yes else
                              "rotation off" if rotation.no else f"rotation not known ({rotation.why})")
        by_kind: dict[str, int] = defaultdict(int)
        linked = []
        for e in encrypted:
            if e["id"] in workload_of and level < 2:
                linked.append(workload_of[e["id"]])
            else:
                by_kind[e["kind"]] += 1
        # what else it encrypts is counted on the key itself (the table above names what is not)
        counts = [st.count_words(kind, count) for kind, count in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))]
        also = ([("also encrypts:" if linked else "encrypts:")] if counts else []) + counts[:5] + (
            [f"and {len(counts) - 5} more kinds"] if len(counts) > 5 else [])
        label = label[:-1] + "".join(f'<BR/><FONT POINT-SIZE="{st.MIN_FONT}" COLOR="{st.MUTED}">{st.dot_label(t, 60)}</FONT>'
                                     for t in also) + ">"
        knode = scene.node(None, key["id"], label, st.node_attrs("kms:key"), members=(key["id"],), kind="kms:key")
        for nid in dict.fromkeys(linked):
            scene.edge(nid, knode, "encrypts", "encrypted by")


def _panels(inv: Inventory, scene: st.Scene) -> None:
    """Admin principals, encryption at rest and account guards, as tables above the drawing
    (the same for every scene of a render: read once)."""
    def panels() -> list[str]:
        enc = story.encryption_panel(inv)
        return [story.admin_panel(inv), *([enc] if enc else []), story.guards_panel(inv, GUARDS, guard_state)]
    scene.panels.extend(_memo(inv, "panels", panels))


def guard_state(inv: Inventory, kind: str, fact: str) -> tuple[str, str]:
    """(present|missing|unknown, detail) for one account guard, from the judged region facts.

    Present where any scanned region has it on; missing only when every region was read and
    none has it; a region whose read was denied or failed is "not known", never "missing".
    """
    facts = [f for r in inv.regions if (f := inv.region_fact(r, fact)) is not None]
    if not facts:
        return "unknown", "not scanned"
    t = tally(facts)
    unknown_text = f", {t['unknown']} not known" if t["unknown"] else ""
    if t["yes"]:
        if kind == "cloudtrail:trail":
            trails = inv.nodes(kind)
            logging = [n for n in trails if (lf := inv.fact(n["id"], "logging")) is not None and lf.yes]
            multi = any(n["props"].get("multi_region") for n in logging)
            return "present", f"{len(logging)} logging" + (" · multi-region" if multi else "") + unknown_text
        return "present", f"on in {t['yes']} of {st.count_words('aws:region', len(facts))}{unknown_text}"
    if t["unknown"]:
        why = next(f.why for f in facts if f.unknown)
        return "unknown", why or "could not be read"
    if not inv.nodes(kind):
        return "missing", "not set up"
    return "missing", "; ".join(dict.fromkeys(f.why for f in facts if f.why)) or "off"


def _legend(scene: st.Scene) -> None:
    entries = [
        (st.EXPOSED[0], st.EXPOSED[1], "Exposed: reachable from the internet on its own address"),
        (st.REACHED[0], st.REACHED[1], "Reachable only through a load balancer (dashed)"),
        (st.FINDING, "#FFFFFF", "Thick orange border: open findings"),
        (st.INK, "#FFFFFF", "Double border: more than 3 alike"),
        (st.PRESENT[0], st.PRESENT[1], "Present / encrypted"),
        (st.MISSING[0], st.MISSING[1], "MISSING / NOT encrypted / admin rights"),
        (st.UNKNOWN[0], st.UNKNOWN[1], "Not assessed: could not be read"),
        (st.EDGES["allows_internet"]["color"], "#FFFFFF", "Red line: allowed from the internet (ports)"),
        (st.EDGES["allows"]["color"], "#FFFFFF", "Dark line: allowed by a security group (ports)"),
        (st.EDGES["role"]["color"], "#FFFFFF", "Dashed red: runs as / can assume"),
        (st.EDGES["encrypts"]["color"], "#FFFFFF", "Dotted red: encrypted by the key"),
    ]
    kinds_drawn = {n.kind for n in scene.nodes.values()}
    scene.node(None, "legend", st.legend_label(entries, st.icon_entries(kinds_drawn)), {"shape": "plain"},
               kind="legend")

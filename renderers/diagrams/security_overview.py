"""AWS_SECURITY for large accounts, the account overview: one node per VPC summarising its
security groups, what the internet and outside address ranges may reach there (ports on the
edges), compute without security groups and the roles it runs as, KMS keys (what they encrypt,
counted per kind), cross-account trusts, and the admin / encryption / account-guard panels.
The groups inside each VPC are drawn in the VPC's own diagrams (security.py)."""

from __future__ import annotations

from collections import defaultdict

from renderers.diagrams import security_story as story
from renderers.diagrams import style as st
from renderers.diagrams.security import (
    SOURCE_KINDS,
    _draw_keys,
    _draw_unprotected_roles,
    _legend,
    _panels,
    _port_sort,
    aggregate_rules,
    all_groups,
    ports_label,
    protected,
)
from renderers.plural import count_of
from scanner import naming
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory


def overview_scene(inv: Inventory, analysis: Analysis) -> st.Scene:
    """Account view for large accounts: per VPC one node summarising its groups, what the internet
    and outside ranges may reach there, KMS keys (counted per kind), roles and account guards."""
    scene = st.Scene()
    rules = aggregate_rules(inv)
    sgs = {n["id"]: n for n in all_groups(inv)}
    by_vpc: dict[str, list[str]] = defaultdict(list)
    for sid, sg in sgs.items():
        by_vpc[str(sg["props"].get("vpc_id") or "no VPC")].append(sid)
    vpc_node: dict[str, str] = {}
    for vpc, members in sorted(by_vpc.items()):
        users = [u for sid in members for u in protected(inv, sid)]
        ex = st.exposure_of(inv, analysis.exposure, [u["id"] for u in users])
        open_groups = sorted({dst for (src, dst) in rules if dst in members and src == "internet"})
        named = inv.by_prop("ec2:vpc", "vpc_id", vpc)
        label = st.html_label(f"VPC {naming.node_name(named[0]) if named else vpc}",
                              f"{vpc} · {st.count_words('ec2:security-group', len(members))} · {count_of(users, 'attachment', zero='0')}",
                              f"{len(open_groups)} open to the internet" if open_groups else "")
        vpc_node[vpc] = scene.node(None, f"sg-summary/{vpc}", label,
                                   st.node_attrs("ec2:security-group", exposed=ex.direct_reached, reached=ex.lb_reached,
                                                 collapsed=True),
                                   members=tuple(members), kind="ec2:security-group")
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (src, dst), ports in rules.items():
        if src in sgs or dst not in sgs:
            continue
        sources[(src, str(sgs[dst]["props"].get("vpc_id") or "no VPC"))].update(ports)
    for (src, vpc), ports in sorted(sources.items()):
        node = inv.node(src) or {"id": src, "kind": "external", "external": True, "props": {}}
        kind = node.get("kind") if node.get("kind") in SOURCE_KINDS else "external"
        detail = "0.0.0.0/0 and ::/0" if src == "internet" else (node.get("props") or {}).get("cidr")
        nid = scene.node(None, src, st.html_label(naming.node_name(node, src), detail), st.node_attrs(kind),
                         members=(src,), kind=kind)
        scene.edge(nid, vpc_node[vpc], "allows_internet" if src == "internet" else "allows",
                   ports_label(sorted(ports, key=_port_sort)))
    _draw_unprotected_roles(inv, analysis, scene, {}, {}, 0)
    _draw_keys(inv, scene, {}, 2)
    story.draw_trusts(inv, scene)
    _panels(inv, scene)
    _legend(scene)
    return scene



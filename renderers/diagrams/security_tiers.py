"""AWS_SECURITY, a VPC too wide to read at page width: one diagram per tier.

The size budget (collapse.readable: shown 1400 px wide, no text under 8 px) is what a VPC's
security diagram may not exceed. When it does, the VPC is drawn in parts by tier, the same
tiers the architecture diagram stacks (architecture_model.py):

- **public**: load balancers, and resources in a subnet judged public (or with no subnet but
  reached from the internet on their own address);
- **app**: compute in private subnets (and anything that is neither public nor data);
- **data**: in-VPC data stores (databases, caches, file-system mount targets).

A security group goes to the tier most of what it protects is in (ties: the earlier tier); a
group that protects nothing and is only named by rules goes with the group it shares rules with
(breadth first, in id order). Each part draws its groups, what they protect and the roles
those run as; a rule *into* one of its groups from a group drawn in another part shows that
group as a source named "drawn in the ... tier part", so every rule is drawn once, in the
part of the group it lets traffic into, and no group, workload or rule is left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from typing import Any

from renderers.diagrams import collapse as cl
from renderers.diagrams import security
from renderers.diagrams import style as st
from renderers.diagrams.architecture_model import BALANCER_KINDS, DATA_KINDS
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory

TIERS = ("public", "app", "data")
#: what each tier holds, in the words the first part's note uses
TIER_TITLES = {
    "public": "public tier (load balancers and resources in public subnets)",
    "app": "app tier (compute in private subnets and the rest)",
    "data": "data tier (databases, caches and file systems)",
}


def workload_tier(inv: Inventory, analysis: Analysis, node: dict[str, Any]) -> str:
    """public / app / data of one resource behind a security group (see the module doc)."""
    kind = node.get("kind", "")
    if kind in DATA_KINDS:
        return "data"
    if kind in BALANCER_KINDS:
        return "public"
    subnets = inv.out(node["id"], "in_subnet", "ec2:subnet")
    if any((f := inv.fact(s["id"], "public")) is not None and f.yes for s in subnets):
        return "public"
    if not subnets and st.exposure_of(inv, analysis.exposure, [node["id"]]).direct_reached:
        return "public"
    return "app"


def assign(inv: Inventory, analysis: Analysis, vpc: str) -> dict[str, str]:
    """Security group id -> tier, for the groups of one VPC that protect something or are in a rule."""
    # the VPC's own groups and the rules into them, through the per-render indexes (security.py):
    # asked once per VPC, reading every group and rule of the account each time was quadratic
    sgs = sorted(n["id"] for n in security._groups_by_vpc(inv).get(vpc, []))
    tier: dict[str, str] = {}
    for sid in sgs:
        users = [u for u in security.protected(inv, sid)
                 if not u.get("external") and u["kind"] not in security.NOT_WORKLOADS]
        if users:
            votes = Counter(workload_tier(inv, analysis, u) for u in users)
            tier[sid] = min(votes, key=lambda t: (-votes[t], TIERS.index(t)))
    neighbours: dict[str, set[str]] = defaultdict(set)
    members = set(sgs)
    for (src, dst), _ports in security._rules_into(inv, security.aggregate_rules(inv), members):
        if src in members and dst in members:
            neighbours[src].add(dst)
            neighbours[dst].add(src)
    queue = deque(sorted(tier))
    while queue:                                   # rule-only groups join their neighbours' tier
        sid = queue.popleft()
        for other in sorted(neighbours[sid]):
            if other not in tier:
                tier[other] = tier[sid]
                queue.append(other)
    for sid in sgs:
        if sid not in tier and neighbours[sid]:
            tier[sid] = "app"
    return tier


def tier_parts(inv: Inventory, analysis: Analysis, vpc: str, filename: str,
               title: str) -> list[tuple[str, str, st.Scene, list[str]]]:
    """The (filename, title, scene, omitted) parts of one VPC by tier; [] when it has one tier only
    (nothing to split: the VPC's single diagram stays, saying it is too wide)."""
    tier = assign(inv, analysis, vpc)
    present = [t for t in TIERS if t in tier.values()]
    if len(present) <= 1:
        return []
    where = {t: f"the {t} tier part" for t in present}
    parts = []
    for i, t in enumerate(present):
        only = {s for s, x in tier.items() if x == t}
        elsewhere = {s: where[x] for s, x in tier.items() if x != t}
        scene, notes = security._fitted(inv, analysis, vpc, only=only, elsewhere=elsewhere, vpc_notes=i == 0)
        if i == 0:
            notes = [f"the whole VPC in one picture: it would read under 8 px at {cl.PAGE_PX} px wide, so it is "
                     f"drawn in {len(present)} parts by tier: "
                     + "; ".join(f"{x}: {TIER_TITLES[x].split('(', 1)[1].rstrip(')')}" for x in present)
                     + ". A rule from a group of another part is drawn where it lets traffic in, its source "
                     "named so"] + notes
        parts.append((f"{filename}_{t}", f"{title}: {t} tier", scene, notes + cl.truncate(scene, "workloads")))
    return parts

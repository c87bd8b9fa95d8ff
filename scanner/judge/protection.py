"""Data protection: versioning, point-in-time recovery, backup policies, and whether a data
store is protected at all (its own backups, or an AWS Backup plan that selects it)."""

from __future__ import annotations

from collections import defaultdict
from fnmatch import fnmatchcase
from typing import Any

from scanner.fact import Fact, no, unknown, yes
from scanner.inventory import Inventory
from scanner.judge import judge
from scanner.judge.context import JudgeContext
from scanner.kinds import protectable


def enabled(value: Any) -> bool | None:
    """A service's own "enabled" in any of its spellings (None stays unknown)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.lower() in ("enabled", "true", "on")
    if isinstance(value, dict):
        return bool(value.get("enabled") or value.get("status") in ("Enabled", "ENABLED"))
    return bool(value)


@judge("s3:bucket", "versioned", "s3:GetBucketVersioning")
def bucket_versioned(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Object versioning is on (suspended counts as off)."""
    v = node["props"].get("versioning")
    if v is None:
        return ctx.unknown(node)
    return yes("versioning enabled") if enabled(v) else no(f"versioning {str(v).lower()}")


@judge("s3:bucket", "replicated", "s3:GetReplicationConfiguration")
def bucket_replicated(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Objects are replicated to another bucket."""
    rules = node["props"].get("replication")
    if rules is None:
        return ctx.unknown(node)
    live = [r for r in rules if r.get("enabled", True)]
    return yes(f"replicates to {live[0].get('destination')}") if live else no("no replication rule")


@judge("dynamodb:table", "pitr", "dynamodb:DescribeContinuousBackups")
def table_pitr(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Point-in-time recovery is on."""
    v = enabled(node["props"].get("pitr"))
    if v is None:
        return ctx.unknown(node)
    return yes("point-in-time recovery") if v else no("point-in-time recovery off")


@judge("efs:file-system", "backup_policy", "elasticfilesystem:DescribeBackupPolicy")
def efs_backup_policy(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """EFS automatic backups are on."""
    v = enabled(node["props"].get("backup_policy"))
    if v is None:
        return ctx.unknown(node)
    return yes("EFS automatic backups") if v else no("EFS automatic backups off")


# --- AWS Backup selections -------------------------------------------------------------
def _tag_match(tags: dict[str, str], cond: dict[str, Any]) -> bool:
    key, value, kind = cond.get("key"), str(cond.get("value") or ""), str(cond.get("type") or "").upper()
    if key not in tags:
        return kind.endswith("NOTEQUALS") or kind.endswith("NOTLIKE")
    if kind == "STRINGEQUALS":
        return tags[key] == value
    if kind == "STRINGLIKE":
        return fnmatchcase(tags[key], value)
    if kind == "STRINGNOTEQUALS":
        return tags[key] != value
    if kind == "STRINGNOTLIKE":
        return not fnmatchcase(tags[key], value)
    return False


def selected_by(sel: dict[str, Any], node: dict[str, Any]) -> bool:
    """Whether a backup selection covers a node (explicit ARN, ARN pattern or tag condition)."""
    nid = node["id"]
    if nid in (sel.get("excluded") or []):
        return False
    if nid in (sel.get("resources") or []):
        return True
    if any(fnmatchcase(nid, p) for p in sel.get("patterns") or []):
        return True
    return any(_tag_match(node.get("tags") or {}, c) for c in sel.get("tag_conditions") or [])


def _plans(ctx: JudgeContext) -> dict[str, Any]:
    """Backup plans by region, and the regions where some plan's selections were not read."""
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    unread: dict[str, str] = {}
    for p in ctx.inv.nodes("backup:plan"):
        by_region[p["region"]].append(p)
        if p["props"].get("selections") is None:
            unread.setdefault(p["region"], ctx.why(p, ("backup:GetBackupPlan", "backup:ListBackupSelections",
                                                       "backup:GetBackupSelection")))
    return {"by_region": by_region, "unread": unread,
            "index": {region: SelectionIndex(plans) for region, plans in by_region.items()}}


_WILDCARDS = frozenset("*?[")


class SelectionIndex:
    """One region's backup selections, indexed so that finding the plans of a data store
    costs the selections that could match it, not every plan of the region.

    A selection is a candidate for a node through an explicit resource ARN or a pattern
    without wildcards (by id), a ``STRINGEQUALS`` tag condition (by key and value), or,
    for what cannot be looked up (wildcard patterns, other tag conditions), always;
    :func:`selected_by` still decides, so the index only narrows the search.
    """

    def __init__(self, plans: list[dict[str, Any]]) -> None:
        self.by_id: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.by_tag: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.always: list[tuple[str, dict[str, Any]]] = []
        for p in plans:
            for sel in p["props"].get("selections") or []:
                entry = (p["name"], sel)
                scan = False
                for nid in sel.get("resources") or []:
                    self.by_id[nid].append(entry)
                for pat in sel.get("patterns") or []:
                    if _WILDCARDS.isdisjoint(pat):
                        self.by_id[pat].append(entry)
                    else:
                        scan = True
                for cond in sel.get("tag_conditions") or []:
                    if str(cond.get("type") or "").upper() == "STRINGEQUALS":
                        self.by_tag[(cond.get("key"), str(cond.get("value") or ""))].append(entry)
                    else:
                        scan = True
                if scan:
                    self.always.append(entry)

    def candidates(self, node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        out = list(self.by_id.get(node["id"], ()))
        for kv in (node.get("tags") or {}).items():
            out.extend(self.by_tag.get(kv, ()))
        out.extend(self.always)
        return out


def backup_vaults_for(ctx: JudgeContext, node: dict[str, Any]) -> list[str]:
    """Names of the backup vaults holding a recovery point of a node (ListProtectedResources):
    protection whose plan may be unknown (an on-demand backup, or a plan since deleted)."""
    return sorted({n["name"] for n in ctx.inv.into(node["id"], "backs_up") if n.get("kind") == "backup:vault"})


def backup_plans_for(ctx: JudgeContext, node: dict[str, Any]) -> list[str]:
    """Names of the backup plans that select a node (a vault's recovery point is not a plan)."""
    names = {n["name"] for n in ctx.inv.into(node["id"], "backs_up") if n.get("kind") != "backup:vault"}
    index = ctx.memo("backup_plans", lambda: _plans(ctx))["index"].get(node["region"])
    if index is not None:
        checked: set[int] = set()
        for plan, sel in index.candidates(node):
            if plan in names or id(sel) in checked:
                continue
            checked.add(id(sel))
            if selected_by(sel, node):
                names.add(plan)
    return sorted(names)


def _run_state(ctx: JudgeContext, services: tuple[str, ...], region: str,
               collectors: tuple[str, ...]) -> tuple[str, str]:
    """ctx.run_state, once per (services, region, collectors): it scans every run of the scan,
    and a data store asks it for its region, so unmemoised it costs stores x runs."""
    states = ctx.memo("protection.run_state", dict)
    key = (services, region, collectors)
    if key not in states:
        states[key] = ctx.run_state(services, region, collectors)
    return states[key]


def _snapshotted(ctx: JudgeContext) -> set[str]:
    vols = {s["props"].get("volume_id") for s in ctx.inv.nodes("ebs:snapshot")}
    vols |= {s["props"].get("source") for s in ctx.inv.nodes("rds:snapshot")}
    vols |= {dst for _, dst, _ in ctx.inv.edges("snapshot_of")}
    return {v for v in vols if v}


def native_protection(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The service's own backup (retention, snapshots, versioning, PITR, EFS backups)."""
    p, kind = node["props"], node["kind"]
    facts = node.get("facts") or {}
    snaps = ctx.memo("snapshotted", lambda: _snapshotted(ctx))
    if kind in ("rds:instance", "rds:cluster"):
        if kind == "rds:instance" and p.get("cluster_id"):
            return yes("backed up with its Aurora cluster")
        days = p.get("backup_retention")
        parts = [f"automated backups, {days} day{'s' if days != 1 else ''}" if days else "",
                 "snapshots" if p.get("identifier") in snaps or node["id"] in snaps else ""]
        text = ", ".join(x for x in parts if x)
        if text:
            return yes(text)
        if days is None:
            return ctx.unknown(node)
        state, why = _run_state(ctx, (), node["region"], ("rds.snapshots",))
        return unknown(f"snapshots not read ({why})") if state == "blocked" else no("no automated backups or snapshots")
    if kind == "ebs:volume":
        if p.get("volume_id") in snaps or node["id"] in snaps:
            return yes("has snapshots")
        state, why = _run_state(ctx, (), node["region"], ("ebs.snapshots",))
        return unknown(f"snapshots not read ({why})") if state == "blocked" else no("no snapshots")
    if kind in ("elasticache:replication-group", "elasticache:cluster"):
        days = p.get("snapshot_retention")
        if days is None:
            return ctx.unknown(node, "elasticache:DescribeReplicationGroups")
        return yes(f"snapshots, {days} day{'s' if days != 1 else ''}") if days else no("no automatic snapshots")
    name = {"s3:bucket": ("versioned", "replicated"), "dynamodb:table": ("pitr",),
            "efs:file-system": ("backup_policy",)}.get(kind, ())
    found = [Fact.from_dict(facts[f]) for f in name if f in facts]
    hits = [f for f in found if f.yes]
    if hits:
        return yes(", ".join(f.why for f in hits))
    gone = [f for f in found if f.unknown]
    if gone:
        return unknown("; ".join(f.why for f in gone))
    return no("no backup of its own")


@judge(protectable(), "protected")
def protected(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Protected against loss: its own backups, or an AWS Backup plan that selects it."""
    native = native_protection(ctx, node)
    plans = backup_plans_for(ctx, node)
    if plans:
        return yes(f"backup plan {', '.join(plans)}" + (f"; {native.why}" if native.yes else ""))
    if native.yes:
        return native
    vaults = backup_vaults_for(ctx, node)
    if vaults:
        return yes(f"recovery point in backup vault {', '.join(vaults)} (no known backup plan selects it)")
    unread = ctx.memo("backup_plans", lambda: _plans(ctx))["unread"].get(node["region"])
    state, why = _run_state(ctx, ("backup",), node["region"], ("backup.plans",))
    if native.unknown:
        return native
    if unread:
        return unknown(f"backup plan selections not read ({unread})")
    if state == "blocked":
        return unknown(f"backup plans not read ({why})")
    return no(native.why or "no backup")


def coverage(inv: Inventory) -> dict[str, dict[str, Any]]:
    """For the document (9.2): per data store, its own backup (the same :func:`native_protection`
    the ``protected`` fact rests on), the backup plans that select it, and, where no plan was found,
    why plan coverage is not known ("selections not read", "plans not read"; None when known).

    The verdict itself is the stored ``protected`` fact; this only spells out its parts."""
    ctx = JudgeContext(inv)
    plans = ctx.memo("backup_plans", lambda: _plans(ctx))
    out: dict[str, dict[str, Any]] = {}
    for kind in protectable():
        for node in inv.nodes(kind):
            if node.get("external"):
                continue
            names = backup_plans_for(ctx, node)
            blind = None
            if not names:
                state, _ = _run_state(ctx, ("backup",), node["region"], ("backup.plans",))
                if plans["unread"].get(node["region"]):
                    blind = "selections not read"
                elif state == "blocked":
                    blind = "plans not read"
            out[node["id"]] = {"native": native_protection(ctx, node), "plans": names, "plans_unknown": blind}
    return out

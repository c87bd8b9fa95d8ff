"""What changed between two snapshots of one account: resources, edges, findings and cost.

A pure function of two inventories and their analyses, like every other analysis, so the diff
of two snapshots is the same whenever and wherever it is computed. Values that move on their
own while nothing is changed (ages, sizes, last-used times, health counts) are not changes:
:data:`VOLATILE` names them, and two snapshots of an unchanged account give an empty diff.
A judged fact that flips (encrypted yes -> no) is a change; its reason text alone is not.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scanner import kinds, naming
from scanner.analysis.model import SEVERITY_RANK, Analysis
from scanner.inventory import Inventory

#: props whose value drifts with time or use in an account nobody touched
VOLATILE = frozenset({
    "age_days", "days_to_expiry", "item_count", "size_bytes", "stored_bytes", "size", "record_count",
    "healthy_count", "noncompliant_count", "usage", "stage_states", "deliver_status", "renewal_status",
    "password_last_used", "password_last_changed", "metric", "spend", "forecast", "actual",
    "running_count", "pending_count", "status_reason", "drift_status", "table_size_bytes",
})
VOLATILE_PREFIXES = ("last_", "latest_")
#: node kinds that are the scan's frame, not resources
FRAME_KINDS = frozenset({"aws:account", "aws:region", "internet", "ce:monthly-spend"})


def volatile(prop: str) -> bool:
    return prop in VOLATILE or prop.startswith(VOLATILE_PREFIXES)


def _resources(inv: Inventory) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in inv.nodes() if n["kind"] not in FRAME_KINDS}


def _comparable(node: dict[str, Any]) -> dict[str, Any]:
    """What of a node a change is made of: name, tags, non-volatile props, fact states."""
    props = {k: v for k, v in (node.get("props") or {}).items() if not volatile(k)}
    facts = {f"fact:{k}": (v or {}).get("state") for k, v in (node.get("facts") or {}).items()
             if isinstance(v, dict)}
    return {"name": node.get("name"), "tags": node.get("tags") or {}, **props, **facts}


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    a, b = _comparable(old), _comparable(new)
    return [{"prop": k, "old": a.get(k), "new": b.get(k)}
            for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _section(kind: str) -> str:
    spec = kinds.get(kind)
    return spec.sections[0] if spec and spec.sections else "other"


def _entry(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": node["id"], "kind": node["kind"], "kind_name": kinds.singular(node["kind"]),
            "name": naming.node_name(node, node["id"]), "region": node.get("region") or "",
            "section": _section(node["kind"])}


def _edge_set(inv: Inventory, ids: set[str]) -> set[tuple[str, str, str]]:
    return {(s, d, str(data.get("rel"))) for s, d, data in inv.edges() if s in ids or d in ids}


def _open_pairs(analysis: Analysis) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    for f in analysis.open_findings():
        for rid in f.resources or ["(account)"]:
            out[(f.rule, rid)] = f
    return out


def _finding(f: Any, rid: str, inv: Inventory) -> dict[str, Any]:
    return {"rule": f.rule, "title": f.title, "severity": f.severity, "section": f.section,
            "resource": rid, "resource_name": naming.label(inv, rid) if rid in inv.graph else rid}


def diff(old: Inventory, new: Inventory, old_analysis: Analysis, new_analysis: Analysis) -> dict[str, Any]:
    """Everything that changed from ``old`` to ``new`` (both scans of the same account)."""
    a, b = _resources(old), _resources(new)
    added = [_entry(b[i]) for i in sorted(set(b) - set(a))]
    removed = [_entry(a[i]) for i in sorted(set(a) - set(b))]
    changed = []
    for i in sorted(set(a) & set(b)):
        ch = _changes(a[i], b[i])
        if ch:
            changed.append({**_entry(b[i]), "changes": ch})
    ids = set(a) | set(b)
    ea, eb = _edge_set(old, ids), _edge_set(new, ids)

    def edge(e: tuple[str, str, str], inv: Inventory) -> dict[str, Any]:
        return {"src": e[0], "dst": e[1], "rel": e[2], "src_name": naming.label(inv, e[0]),
                "dst_name": naming.label(inv, e[1])}

    fo, fn = _open_pairs(old_analysis), _open_pairs(new_analysis)
    opened = [_finding(fn[k], k[1], new) for k in sorted(set(fn) - set(fo))]
    closed = [_finding(fo[k], k[1], old) for k in sorted(set(fo) - set(fn))]
    opened.sort(key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["rule"], f["resource"]))
    closed.sort(key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["rule"], f["resource"]))
    cost_old = (old_analysis.cost or {}).get("total")
    cost_new = (new_analysis.cost or {}).get("total")
    by_section: dict[str, dict[str, int]] = defaultdict(lambda: {"added": 0, "removed": 0, "changed": 0})
    for what, items in (("added", added), ("removed", removed), ("changed", changed)):
        for it in items:
            by_section[it["section"]][what] += 1
    out = {
        "old": {"account": old.meta.get("account"), "scanned_at": old.meta.get("scanned_at")},
        "new": {"account": new.meta.get("account"), "scanned_at": new.meta.get("scanned_at")},
        "resources": {"added": added, "removed": removed, "changed": changed},
        "edges": {"added": [edge(e, new) for e in sorted(eb - ea)],
                  "removed": [edge(e, old) for e in sorted(ea - eb)]},
        "findings": {"opened": opened, "closed": closed},
        "cost": {"old": cost_old, "new": cost_new,
                 "change": round(cost_new - cost_old, 2) if cost_old is not None and cost_new is not None else None},
        "by_section": dict(sorted(by_section.items(), key=lambda kv: _section_key(kv[0]))),
    }
    out["empty"] = not (added or removed or changed or out["edges"]["added"] or out["edges"]["removed"]
                        or opened or closed)
    return out


def _section_key(section: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in section.split("."))
    except ValueError:
        return (99,)


def worst_new(d: dict[str, Any]) -> str | None:
    """The most severe newly opened finding's severity, if any."""
    sev = sorted((f["severity"] for f in d["findings"]["opened"]), key=lambda s: SEVERITY_RANK.get(s, 9))
    return sev[0] if sev else None

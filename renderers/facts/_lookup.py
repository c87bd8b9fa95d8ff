"""Lookups the facts modules build once per render (:meth:`Inventory.memo`): nodes of one kind by
a raw AWS id kept in their props (``vpc_id``, ``image_id``, ``tgw_id``, ...).

Why: rows name their VPC, image, gateway or table by raw id, and building the mapping again for
every row (or walking the whole kind to find one id) made a large account's document quadratic.
The mappings are shared within a render: readers must not change them.

Not a facts module for the templates (the leading underscore keeps it out of ``facts.*``).
"""

from __future__ import annotations

from typing import Any

from scanner import status
from scanner.inventory import Inventory

Node = dict[str, Any]


def _raw(n: Node, prop: str) -> Any:
    return (n.get("props") or {}).get(prop)


def by_region_id(inv: Inventory, kind: str, prop: str) -> dict[tuple[str, Any], Node]:
    """(region, raw id) -> node; of two nodes with the same key, the later in node order."""
    return inv.memo(f"lookup.by_region_id:{kind}:{prop}",
                    lambda: {(n["region"], _raw(n, prop)): n for n in inv.nodes(kind)})


def first_by_region_id(inv: Inventory, kind: str, prop: str) -> dict[tuple[str, Any], Node]:
    """(region, raw id) -> the first node with that key in node order."""
    def build() -> dict[tuple[str, Any], Node]:
        out: dict[tuple[str, Any], Node] = {}
        for n in inv.nodes(kind):
            out.setdefault((n["region"], _raw(n, prop)), n)
        return out
    return inv.memo(f"lookup.first_by_region_id:{kind}:{prop}", build)


def first_by_id(inv: Inventory, kind: str, prop: str) -> dict[Any, Node]:
    """Raw id -> the first node with it in node order, whatever its region."""
    def build() -> dict[Any, Node]:
        out: dict[Any, Node] = {}
        for n in inv.nodes(kind):
            out.setdefault(_raw(n, prop), n)
        return out
    return inv.memo(f"lookup.first_by_id:{kind}:{prop}", build)


def id_fallback(inv: Inventory, kind: str, prop: str) -> dict[Any, Node]:
    """Raw id -> what :func:`by_region_id` holds under the first (region, id) key with that id:
    the answer for a reference whose region is missing or wrong, as a walk of that mapping in
    order would give it."""
    def build() -> dict[Any, Node]:
        out: dict[Any, Node] = {}
        for (_, rid), n in by_region_id(inv, kind, prop).items():
            out.setdefault(rid, n)
        return out
    return inv.memo(f"lookup.id_fallback:{kind}:{prop}", build)


# --- what was not read: status.unread, answered from an index ------------------------------------
class _Unread:
    """The scan's gaps by (action, resource) and its blocked runs, in meta order: what
    :func:`scanner.status.unread` walks in full on every call. A table asks once per resource, and
    an account denied one read per bucket has a gap per bucket, so walking them all per row made
    the document quadratic."""

    def __init__(self, meta: Any) -> None:
        self.by_action: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.by_resource: dict[tuple[str, Any], list[tuple[int, dict[str, Any]]]] = {}
        for pos, g in enumerate(meta.get("gaps", []) or []):
            act = str(g.get("action") or "").lower()
            self.by_action.setdefault(act, []).append((pos, g))
            res = g.get("resource")
            if res in (None, ""):
                res = None
            elif not isinstance(res, str):
                continue  # never equal to a resource id: found only by an unfiltered ask
            self.by_resource.setdefault((act, res), []).append((pos, g))
        self.runs = [r for r in meta.get("runs", []) or [] if status.is_blocked(r)]


def unread(inv: Inventory, region: str | None, *actions: str, resource: str | None = None) -> str:
    """:func:`scanner.status.unread` (same answer, same order of precedence) from an index built
    once per render."""
    idx: _Unread = inv.memo("lookup.unread", lambda: _Unread(inv.meta))
    wanted = {a.lower() for a in actions}
    best: tuple[int, dict[str, Any]] | None = None
    for act in wanted:
        lists = ([idx.by_action.get(act, [])] if resource is None else
                 [idx.by_resource.get((act, resource), []), idx.by_resource.get((act, None), [])])
        for entries in lists:
            for pos, g in entries:
                if best is not None and pos >= best[0]:
                    break
                if region is not None and g.get("region") not in (region, "global", None):
                    continue
                best = (pos, g)
                break
    if best is not None:
        g = best[1]
        return f"{g.get('action')}: {g.get('reason') or 'not read'}"
    for r in idx.runs:
        if region is not None and r.get("region") not in (region, "global"):
            continue
        if str(r.get("action") or "").lower() in wanted:
            return f"{r.get('action')}: {r.get('message') or r.get('status')}"
        if status.is_excluded(r) and wanted & {str(a).lower() for a in r.get("actions") or ()}:
            return f"{r.get('collector')}: {r.get('message') or 'excluded by choice'}"
    return ""

"""How a collector run ended: the one set of status words every layer reads.

A run that is ``denied`` or ``failed`` saw nothing it can vouch for, so the
document, the diagrams and the rules treat what it feeds as unknown; ``unavailable``
and ``region_disabled`` are honest absences (the service is not offered there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

OK = "ok"
DENIED = "denied"
UNAVAILABLE = "unavailable"
REGION_DISABLED = "region_disabled"
FAILED = "failed"

ALL = (OK, DENIED, UNAVAILABLE, REGION_DISABLED, FAILED)
#: the statuses after which "nothing found" is not "nothing there"
BLOCKED = frozenset({DENIED, FAILED})


def is_blocked(run: Mapping[str, Any]) -> bool:
    return run.get("status") in BLOCKED


def blocked_runs(runs: Iterable[Mapping[str, Any]], *, services: Iterable[str] = (),
                 collectors: Iterable[str] = (), region: str | None = None) -> list[Mapping[str, Any]]:
    """Runs that could not read, optionally only those of some services/collectors/one region."""
    svc, coll = set(services), set(collectors)
    return [r for r in runs if is_blocked(r)
            and (not svc or r.get("service") in svc)
            and (not coll or r.get("collector") in coll)
            and (region is None or r.get("region") == region)]


def unread(meta: Mapping[str, Any], region: str | None, *actions: str, resource: str | None = None) -> str:
    """Why one of ``actions`` was not read in ``region`` (a partial-read gap, for ``resource`` or
    region-wide, or a denied/failed run that names the action); "" when it was read. A list built
    from that read is then unknown, not empty."""
    wanted = {a.lower() for a in actions}
    for g in meta.get("gaps", []) or []:
        if str(g.get("action") or "").lower() not in wanted:
            continue
        if region is not None and g.get("region") not in (region, "global", None):
            continue
        if resource is not None and g.get("resource") not in (None, "", resource):
            continue
        return f"{g.get('action')}: {g.get('reason') or 'not read'}"
    for r in meta.get("runs", []) or []:
        if is_blocked(r) and str(r.get("action") or "").lower() in wanted \
                and (region is None or r.get("region") in (region, "global")):
            return f"{r.get('action')}: {r.get('message') or r.get('status')}"
    return ""

"""How a collector run ended: the one set of status words every layer reads.

A run that is ``denied`` or ``failed`` saw nothing it can vouch for, so the
document, the diagrams and the rules treat what it feeds as unknown; ``unavailable``
and ``region_disabled`` are honest absences (the service is not offered there).
``excluded`` is a collector the user left out (``--services`` / ``--exclude-services``):
what it feeds is unknown too, and said to be so by choice, but it is not a failure to
read (no warning, no ``--strict`` exit, not counted against a ``--fail-on`` pass).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

OK = "ok"
DENIED = "denied"
UNAVAILABLE = "unavailable"
REGION_DISABLED = "region_disabled"
FAILED = "failed"
EXCLUDED = "excluded"

ALL = (OK, DENIED, UNAVAILABLE, REGION_DISABLED, FAILED, EXCLUDED)
#: the statuses after which "nothing found" is not "nothing there"
BLOCKED = frozenset({DENIED, FAILED, EXCLUDED})


def is_blocked(run: Mapping[str, Any]) -> bool:
    return run.get("status") in BLOCKED


def is_excluded(run: Mapping[str, Any]) -> bool:
    return run.get("status") == EXCLUDED


def failed_reads(runs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Runs that tried to read and could not (denied or failed): excluded-by-choice runs are not."""
    return [r for r in runs if is_blocked(r) and not is_excluded(r)]


def excluded_runs(runs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in runs if is_excluded(r)]


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
        if not is_blocked(r) or (region is not None and r.get("region") not in (region, "global")):
            continue
        if str(r.get("action") or "").lower() in wanted:
            return f"{r.get('action')}: {r.get('message') or r.get('status')}"
        if is_excluded(r) and wanted & {str(a).lower() for a in r.get("actions") or ()}:
            return f"{r.get('collector')}: {r.get('message') or 'excluded by choice'}"
    return ""

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

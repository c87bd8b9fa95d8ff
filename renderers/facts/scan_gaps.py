"""What the scan could not see, per subsection: blocked collector runs, partial reads and the
services behind a subsection (for ``h.gaps`` / ``h.nothing``).

Why a module of its own: every section says what it could not read, not only the network ones;
the collectors and IAM actions feeding a subsection come from the kind specs, so nothing here
keeps its own list. Pure functions of the Inventory.
"""

from __future__ import annotations

from typing import Any

from scanner import kinds, status
from scanner.inventory import Inventory


def services(*subsections: str, of_kinds: tuple[str, ...] = ()) -> list[str]:
    """The services behind some subsections (and kinds), from the kind specs (for ``h.gaps``)."""
    return sorted({s for sub in subsections for s in kinds.services_for(sub)} | set(services_of_kinds(*of_kinds)))


def services_of_kinds(*kind_names: str) -> list[str]:
    """The services whose collectors feed some kinds (from their specs)."""
    return sorted({c.split(".", 1)[0] for k in kind_names for c in kinds.spec(k).collectors})


def blocked_services(inv: Inventory, *subsections: str, of_kinds: tuple[str, ...] = ()) -> list[str]:
    """The services of the collectors feeding some subsections (or kinds) that could not read:
    what ``h.nothing`` needs to say "could not be listed" rather than "none found"."""
    colls = {c for sub in subsections for c in kinds.collectors_for(sub)}
    colls |= {c for k in of_kinds for c in kinds.spec(k).collectors}
    return sorted({str(r.get("service")) for r in status.blocked_runs(inv.meta.get("runs", []), collectors=colls)})


def gaps(inv: Inventory, subsection: str) -> list[dict[str, Any]]:
    """What the scan could not see that matters to one subsection (runs denied/failed, partial reads);
    which collectors and IAM actions feed a subsection comes from the kind specs."""
    colls = kinds.collectors_for(subsection)
    out = []
    for r in sorted(status.blocked_runs(inv.meta.get("runs", []), collectors=colls),
                    key=lambda r: (r.get("collector", ""), r.get("region", ""))):
        out.append({"seen": "Not seen", "what": r["collector"], "region": r.get("region"),
                    "reason": _run_reason(r),
                    # "missing permission" is said of a denial only: a failed read names its call in the reason
                    "action": r.get("action") if r.get("status") == status.DENIED else None})
    for g in inv.meta.get("gaps", []):
        if _gap_in(g, subsection):
            out.append({"seen": "Partly seen", "what": g.get("resource") or g.get("service"),
                        "region": g.get("region"), "reason": g.get("reason"), "action": g.get("action")})
    return out


def _run_reason(run: dict[str, Any]) -> str:
    """Why a run could not read, naming the failed call when it was not a denial."""
    reason = str(run.get("message") or run.get("status"))
    if run.get("status") == status.FAILED and run.get("action"):
        return f"{run['action']} failed: {reason}"
    return reason


def _gap_in(gap: dict[str, Any], subsection: str) -> bool:
    """A partial read belongs to every subsection stating a kind read with its IAM action
    (a NACL read to 2.2 and 5.2), else to the home subsection of its service."""
    action = gap.get("action") or ""
    if any(action in kinds.actions(k) for k in kinds.in_section(subsection)):
        return True
    if any(action in kinds.actions(k) for k in kinds.SPECS):
        return False
    return kinds.section_of_action(action, gap.get("service") or "") == subsection


def collector_blocked(inv: Inventory, collector: str) -> bool:
    return bool(status.blocked_runs(inv.meta.get("runs", []), collectors=(collector,)))


def blocked(inv: Inventory, subsection: str) -> bool:
    """Was any collector feeding this subsection denied or failed (so "none found" would be a guess)?"""
    return bool(status.blocked_runs(inv.meta.get("runs", []), collectors=kinds.collectors_for(subsection)))

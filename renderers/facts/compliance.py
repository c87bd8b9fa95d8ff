"""Section 5.4's compliance summary: each framework control passed / failed / not assessed / not
covered, from the findings of the rules mapped to it (scanner.analysis.compliance)."""

from __future__ import annotations

from typing import Any

from scanner import naming
from scanner.analysis import compliance as comp
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory
from scanner.plural import count_of

#: how many resource names a "failed" cell lists before it counts the rest
NAMES_SHOWN = 3


def _status_cell(inv: Inventory, c: comp.Control) -> str:
    if c.status == comp.FAILED:
        names = [naming.label(inv, r) for r in c.resources[:NAMES_SHOWN]]
        more = len(c.resources) - len(names)
        on = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        risk = "; accepted risk" if c.accepted else ""
        return f"failed ({', '.join(c.failed_by)}{f' on {on}' if on else ''}{risk})"
    if c.status == comp.NOT_ASSESSED:
        return f"not assessed ({c.reason})"
    if c.status == comp.NOT_COVERED:
        return "not covered (only partly checked)" if c.partial else "not covered"
    return "passed"


def rows(inv: Inventory, controls: list[comp.Control]) -> list[list[Any]]:
    """One row per control awsscan checks at least in part: id, title, status, rules, what is checked."""
    out = []
    for c in controls:
        if c.status == comp.NOT_COVERED and not c.partial:
            continue
        notes = "; ".join(c.partial) if c.partial else "fully checked"
        out.append([c.id, c.title, _status_cell(inv, c), ", ".join(c.rules) or "none", notes])
    return out


def summaries(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """Per framework the ``--compliance`` option selects (both by default): its name, version and
    source, the counts by status, the rows, and the ids of the controls no rule implements."""
    out = []
    for fw in comp.selected(analysis):
        meta = comp.framework(fw)
        controls = comp.summary(analysis, fw)
        n = comp.counts(controls)
        uncovered = [c.id for c in controls if c.status == comp.NOT_COVERED and not c.partial]
        partly = n[comp.NOT_COVERED] - len(uncovered)
        out.append({
            "key": fw, "label": comp.framework_title(fw), "source": meta["source"],
            "counts": n, "total": len(controls), "rows": rows(inv, controls), "uncovered": uncovered,
            "headline": (f"{count_of(len(controls), 'control')}: {n[comp.PASSED]} passed, {n[comp.FAILED]} failed, "
                         f"{n[comp.NOT_ASSESSED]} not assessed, {n[comp.NOT_COVERED]} not covered"
                         + (f" ({partly} of them partly checked)" if partly else "")),
        })
    return out

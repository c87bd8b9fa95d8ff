"""Facts for sections 10.1 and 10.2, from the cost estimate computed by scanner.analysis.cost."""

from __future__ import annotations

from typing import Any

from scanner.analysis.model import STATUS_OPEN, Analysis

TOP_ITEMS = 40


def estimate(analysis: Analysis) -> dict[str, Any]:
    c = analysis.cost or {}
    items = c.get("items", [])
    return {"rows": items[:TOP_ITEMS], "more": max(0, len(items) - TOP_ITEMS), "count": len(items),
            "unpriced": c.get("unpriced", []), "by_service": c.get("by_service", {}),
            "by_region": c.get("by_region", {}), "total": c.get("total"), "prices": c.get("prices", {}),
            "assumptions": c.get("assumptions", []), "savings_total": c.get("savings_total")}


def savings(analysis: Analysis) -> list[dict[str, Any]]:
    """Savings opportunities grouped by rule, largest first: the 10.2 findings plus any other
    finding that carries a dollar figure (e.g. an unattached volume reported in 4.2)."""
    groups: dict[str, dict[str, Any]] = {}
    for f in analysis.findings:
        if f.status != STATUS_OPEN or (f.section != "10.2" and f.savings_monthly is None):
            continue
        g = groups.setdefault(f.rule, {"rule": f.rule, "title": f.title, "section": f.section, "count": 0,
                                       "monthly": 0.0, "priced": 0})
        g["count"] += 1
        if f.savings_monthly is not None:
            g["monthly"] += f.savings_monthly
            g["priced"] += 1
    return sorted(groups.values(), key=lambda g: (-g["monthly"], g["rule"]))

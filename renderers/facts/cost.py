"""Facts for sections 10.1 and 10.2, from the cost estimate computed by scanner.analysis.cost."""

from __future__ import annotations

from typing import Any

from scanner import naming
from scanner.analysis.model import STATUS_OPEN, Analysis

TOP_ITEMS = 40


def _disambiguate(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two instances both named ``web-app`` become ``web-app (i-0abc...)`` so each row is one resource."""
    seen: dict[str, int] = {}
    for i in items:
        seen[str(i.get("name"))] = seen.get(str(i.get("name")), 0) + 1
    out = []
    for i in items:
        if seen[str(i.get("name"))] > 1 and i.get("id"):
            short = naming.short_id(i["id"])
            if short != i.get("name"):
                i = {**i, "name": f"{i.get('name')} ({short})"}
        out.append(i)
    return out


def estimate(analysis: Analysis) -> dict[str, Any]:
    c = analysis.cost or {}
    items = _disambiguate(c.get("items", []))
    return {"rows": items[:TOP_ITEMS], "more": max(0, len(items) - TOP_ITEMS), "count": len(items),
            "unpriced": c.get("unpriced", []), "by_service": c.get("by_service", {}),
            "by_region": c.get("by_region", {}), "total": c.get("total"), "prices": c.get("prices", {}),
            "assumptions": c.get("assumptions", []), "savings_total": c.get("savings_total")}


def savings(analysis: Analysis) -> list[dict[str, Any]]:
    """Savings opportunities grouped by rule, largest first: the 10.2 findings plus any other
    finding that carries a dollar figure (e.g. an unattached volume reported in 4.2).

    ``count`` is the number of distinct resources; ``tradeoff`` marks savings that cost
    resilience (one NAT gateway for several AZs), which are not added to the headline total."""
    groups: dict[str, dict[str, Any]] = {}
    for f in analysis.findings:
        if f.status != STATUS_OPEN or (f.section != "10.2" and f.savings_monthly is None):
            continue
        g = groups.setdefault(f.rule, {"rule": f.rule, "title": f.title, "section": f.section, "count": 0,
                                       "monthly": 0.0, "priced": 0, "resources": [],
                                       "tradeoff": "trade-off" in f.title.lower()})
        g["resources"].extend(r for r in f.resources if r not in g["resources"])
        g["count"] = len(g["resources"]) or g["count"] + 1
        if f.savings_monthly is not None:
            g["monthly"] += f.savings_monthly
            g["priced"] += 1
    return sorted(groups.values(), key=lambda g: (g["tradeoff"], -g["monthly"], g["rule"]))


def savings_totals(analysis: Analysis) -> dict[str, float]:
    """The headline saving (no trade-offs) and, apart, what the trade-offs would save."""
    groups = savings(analysis)
    return {"firm": round(sum(g["monthly"] for g in groups if not g["tradeoff"]), 2),
            "tradeoff": round(sum(g["monthly"] for g in groups if g["tradeoff"]), 2)}

"""Facts for sections 10.1 and 10.2, from the cost estimate computed by scanner.analysis.cost."""

from __future__ import annotations

from typing import Any

from scanner import kinds, naming
from scanner.analysis.model import STATUS_OPEN, Analysis
from scanner.analysis.prices import GLOBAL_REGIONS

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
    """What 10.1 states: the total, what it covers, the largest items (the rest summed so the column
    adds up), the factor used per region, and everything not priced or billed only by use."""
    c = analysis.cost or {}
    items = _disambiguate(c.get("items", []))
    rest = items[TOP_ITEMS:]
    factors = c.get("region_factors", {})
    regions = [{"region": r, "monthly": amount, "factor": factors.get(r),
                "global": r in GLOBAL_REGIONS} for r, amount in c.get("by_region", {}).items()]
    regions += [{"region": r, "monthly": None, "factor": f, "global": r in GLOBAL_REGIONS}
                for r, f in factors.items() if r not in c.get("by_region", {})]
    return {"rows": items[:TOP_ITEMS], "more": len(rest), "more_monthly": round(sum(i["monthly"] for i in rest), 2),
            "count": len(items), "covered": c.get("covered", len({i.get("id") for i in items})),
            "unpriced": c.get("unpriced", []), "not_priced": c.get("not_priced", []),
            "by_use": [{**u, "text": kinds.count(u["kind"], u["count"])} for u in c.get("by_use", [])],
            "by_service": c.get("by_service", {}), "by_region": c.get("by_region", {}),
            "regions": sorted(regions, key=lambda r: r["region"]), "total": c.get("total"),
            "prices": c.get("prices", {}), "assumptions": c.get("assumptions", []),
            "savings_total": c.get("savings_total")}


def savings(analysis: Analysis) -> list[dict[str, Any]]:
    """Savings opportunities grouped by rule, largest first: the 10.2 findings plus any other
    finding that carries a dollar figure (e.g. an unattached volume reported in 4.2).

    ``count`` is the number of distinct resources; ``tradeoff`` marks savings that cost
    resilience (one NAT gateway for several AZs), which are not added to the headline total."""
    groups: dict[str, dict[str, Any]] = {}
    seen: dict[str, set[str]] = {}  # beside each ordered list: linear in the resources, not quadratic
    for f in analysis.findings:
        if f.status != STATUS_OPEN or (f.section != "10.2" and f.savings_monthly is None):
            continue
        g = groups.setdefault(f.rule, {"rule": f.rule, "title": f.title, "section": f.section, "count": 0,
                                       "monthly": 0.0, "priced": 0, "resources": [],
                                       "tradeoff": "trade-off" in f.title.lower()})
        have = seen.setdefault(f.rule, set())
        for r in f.resources:
            if r not in have:
                have.add(r)
                g["resources"].append(r)
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

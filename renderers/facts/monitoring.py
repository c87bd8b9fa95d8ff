"""Facts for section 5.4 (monitoring and compliance): CloudTrail trails, the guard services per
region (GuardDuty, AWS Config, Security Hub, Access Analyzer), Config rules and WAF web ACLs."""

from __future__ import annotations

from typing import Any

from renderers.facts.data_protection import _key_aliases, _key_label, _words
from renderers.facts.storage import fact_cell, read_cell
from scanner import naming
from scanner.fact import Fact
from scanner.inventory import Inventory

# --- 5.4 monitoring and compliance ---------------------------------------------------

def trail_rows(inv: Inventory) -> list[list[Any]]:
    resolve = _key_aliases(inv)
    rows = []
    for t in inv.nodes("cloudtrail:trail"):
        p = t["props"]
        dest = [f"s3://{p['s3_bucket']}" + (f"/{p['s3_prefix']}" if p.get("s3_prefix") else "")] if p.get("s3_bucket") else []
        if p.get("cloudwatch_log_group"):
            dest.append(f"CloudWatch Logs {(naming.name(inv, p['cloudwatch_log_group']) or None)}")
        rows.append([t["name"], p.get("home_region"), p.get("multi_region"), p.get("organization_trail"),
                     fact_cell(inv, t["id"], "logging"), p.get("log_validation"),
                     read_cell(inv, t, p.get("management_events"), "cloudtrail:GetEventSelectors"),
                     read_cell(inv, t, p.get("data_events"), "cloudtrail:GetEventSelectors"), "; ".join(dest) or "-",
                     _key_label(inv, p["kms_key"], resolve) if p.get("kms_key") else "SSE-S3"])
    return rows


def trail_coverage(inv: Inventory) -> str:
    """One sentence: are all regions' management events captured by a logging trail?"""
    nodes = inv.nodes("cloudtrail:trail")
    logging = {t["id"]: inv.fact(t["id"], "logging") or Fact("unknown", "not judged") for t in nodes}
    trails = [(t["props"], logging[t["id"]]) for t in nodes]
    multi = [p for p, f in trails if p.get("multi_region") and f.yes
             and p.get("management_events") in ("All", "WriteOnly", None)]
    if multi:
        return "A logging multi-region trail records management events in every region."
    unknown = [f for _, f in trails if f.unknown]
    if unknown:
        return f"Whether a trail is logging is unknown ({unknown[0].why})."
    regions = sorted({p.get("home_region") for p, f in trails if f.yes} - {None})
    if regions:
        return f"No logging multi-region trail: management events are recorded only in {', '.join(regions)}."
    return "No trail is logging: API activity is kept only in the 90-day CloudTrail event history."


#: the region-wide guard facts (scanner/judge/guards.py), their words when on and off
GUARDS = {"guardduty": ("on", "off"), "config": ("recording", "off"), "securityhub": ("on", "off"),
          "access_analyzer": ("on", "off"), "cloudtrail": ("logging", "no trail logging")}


def guard_cell(inv: Inventory, region: str, name: str, yes: str | None = None, no: str | None = None) -> str:
    """A region's guard service as a cell, the same in 5.4 and 12.3: the on/off words, "suspended" or
    "recorder stopped" where that is why it is off, "not available here (why)" where the service is
    not offered, and ``unknown (why)`` where its read was denied or failed."""
    f = inv.region_fact(region, name)
    on, off = GUARDS[name]
    if f is None:
        return "unknown (region not judged)"
    if f.no and f.why.startswith("not available here"):
        return f.why
    if f.no and no is None and f.why in ("detector suspended", "recorder stopped"):
        return "suspended" if f.why == "detector suspended" else "recorder stopped"
    return f.text(yes if yes is not None else on, no if no is not None else off)


def service_matrix(inv: Inventory) -> list[list[Any]]:
    """Per scanned region: GuardDuty, Config, Security Hub, Access Analyzer (the stored region facts)."""
    rows = []
    for region in inv.regions:
        rules = [n for n in inv.nodes("config:rule") if n.get("region") == region]
        cfg_text = guard_cell(inv, region, "config")
        cfg = inv.region_fact(region, "config")
        if rules and cfg is not None and cfg.known:
            cfg_text += f", {len(rules)} rule" + ("" if len(rules) == 1 else "s")
        hub_text = guard_cell(inv, region, "securityhub")
        hub = inv.region_fact(region, "securityhub")
        if hub is not None and hub.yes:
            stds = [s["name"] for h in inv.nodes("securityhub:hub") if h.get("region") == region
                    and h["props"].get("enabled") for s in h["props"].get("standards") or []]
            hub_text += f" ({', '.join(stds)})" if stds else " (no standards)"
        rows.append([region, guard_cell(inv, region, "guardduty"), cfg_text, hub_text,
                     guard_cell(inv, region, "access_analyzer")])
    return rows


def detector_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for d in inv.nodes("guardduty:detector"):
        p = d["props"]
        feats = [f["name"] for f in p.get("features") or [] if f.get("status") == "ENABLED"]
        freq = p.get("finding_frequency")
        rows.append([d["region"], p.get("detector_id"), _words(p.get("status")),
                     {"FIFTEEN_MINUTES": "15 minutes", "ONE_HOUR": "1 hour", "SIX_HOURS": "6 hours"}.get(
                         str(freq), _words(freq)),
                     ", ".join(feats) or "-"])
    return rows


def config_rule_rows(inv: Inventory, limit: int = 100) -> list[list[Any]]:
    rows = []
    for r in inv.nodes("config:rule"):
        p = r["props"]
        comp = p.get("compliance") or "not evaluated / not read"
        if p.get("noncompliant_count"):
            comp += f" ({p['noncompliant_count']} resources)"
        rows.append([r["region"], r["name"], p.get("source"), comp])
    return rows[:limit]


def web_acl_rows(inv: Inventory) -> list[list[Any]]:
    """Web ACLs, their rules and what they protect (associations and CloudFront distributions)."""
    rows = []
    dists = inv.nodes("cloudfront:distribution")
    for a in inv.nodes("wafv2:web-acl"):
        p = a["props"]
        protected = [(naming.name(inv, n["id"]) or None) for n in inv.out(a["id"], "associated_with")]
        short_id = a["id"].rsplit("/", 1)[-1]
        protected += [d["name"] for d in dists if d["props"].get("web_acl") in (a["id"], short_id)]
        if p.get("associated_arns") is None and not protected:
            prot_text = "not read"
        else:
            prot_text = ", ".join(str(x) for x in dict.fromkeys(protected)) or "nothing (not associated)"
        groups = [r["managed_group"] for r in p.get("rules") or [] if r.get("managed_group")]
        rules = f"{p.get('rule_count')}" + (f" ({', '.join(groups)})" if groups else "") \
            if p.get("rule_count") is not None else None
        rows.append([a["region"], a["name"], p.get("scope"), read_cell(inv, a, p.get("default_action"), "wafv2:GetWebACL"),
                     rules if rules is not None else read_cell(inv, a, None, "wafv2:GetWebACL"), prot_text])
    return rows

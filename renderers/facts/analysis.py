"""Facts for section 1 (overview, findings summary) and 9.1 (availability per VPC and tier).

Pure functions of the Inventory and the Analysis; the templates only lay them out.
What the account is *for* is inferred from tags (Project, Environment, Owner,
CostCenter and their common spellings) and resource naming, and always labelled
as inferred.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from renderers.escape import md
from renderers.labels import regions_text
from renderers.plural import count_of
from scanner import kinds, naming, status
from scanner.analysis.model import (
    SEVERITIES,
    SEVERITY_RANK,
    STATUS_NOT_ASSESSED,
    STATUS_OPEN,
    STATUS_SUPPRESSED,
    Analysis,
)
from scanner.fact import tally
from scanner.inventory import Inventory

#: tag keys (lower-cased) that name the purpose of a resource, by meaning
TAG_KEYS = {
    "project": ("project", "application", "app", "service", "workload", "product", "system"),
    "environment": ("environment", "env", "stage", "tier-environment"),
    "owner": ("owner", "team", "contact", "owner-team", "maintainer"),
    "cost_center": ("costcenter", "cost-center", "cost_center", "costcentre", "billing", "budget-code"),
}

#: node kinds counted in "what the account runs" (their names come from the kind specs)
WORKLOAD_KINDS = (
    "ec2:vpc", "ec2:instance", "autoscaling:group", "elbv2:load-balancer", "elb:load-balancer",
    "ecs:service", "eks:cluster", "lambda:function", "apigateway:rest-api", "apigateway:http-api",
    "rds:instance", "rds:cluster", "dynamodb:table", "elasticache:replication-group", "s3:bucket",
    "efs:file-system", "sqs:queue", "sns:topic", "codepipeline:pipeline", "cloudfront:distribution",
)
NAME_STOP = {"prod", "production", "dev", "test", "staging", "stage", "qa", "sg", "rt", "subnet", "vpc",
             "public", "private", "app", "data", "db", "igw", "nat", "eip", "a", "b", "c", "d", "the",
             "default", "role", "policy", "web", "alb", "lb", "tg", "asg", "lt", "aws", "service",
             "logs", "log", "bucket", "cache", "api", "us", "east", "west", "eu", "1", "2", "3"}


def scan_facts(inv: Inventory) -> list[list[Any]]:
    """Rows of (fact, value) about the scan itself."""
    m = inv.meta
    runs = m.get("runs", [])
    bad = status.failed_reads(runs)
    left_out = status.excluded_runs(runs)
    gaps = m.get("gaps", [])
    complete = "yes" if not bad and not gaps and not m.get("partial") else "no"
    missing = [x for x in (f"{count_of(bad, 'collector run')} denied or failed" if bad else "",
                           f"{count_of(gaps, 'per-resource read')} not possible" if gaps else "",
                           "the scan was interrupted" if m.get("partial") else "") if x]
    rows = [
        ["Account", m.get("account") or "unknown"],
        ["Account alias", m.get("alias") or "none"],
        ["Regions scanned", ", ".join(m.get("regions") or []) or "none"],
        ["Scanned at (UTC)", m.get("scanned_at") or "unknown"],
        ["Scanned as", m.get("caller_arn") or "unknown"],
        ["Collector runs", f"{len(runs) - len(left_out)} ({len(runs) - len(left_out) - len(bad)} read, "
                           f"{len(bad)} denied or failed)"],
        ["Complete view", complete + ("" if complete == "yes" else
                                      f": {'; '.join(missing)} (listed under \"What could not be seen\")")
         + (" of the services scanned" if left_out and complete == "yes" else "")],
    ]
    if left_out:
        svcs = m.get("excluded_services") or sorted({str(r.get("collector")) for r in left_out})
        rows.append(["Not scanned, by choice", f"{', '.join(svcs) or 'part of some services'} "
                                               f"({m.get('selection') or 'excluded'})"])
    if m.get("partial"):
        rows.append(["Partial scan", m.get("interrupted") or "the scan did not finish"])
    return rows


def workload_counts(inv: Inventory) -> list[tuple[str, int]]:
    """(kind, how many) of the workload kinds the account has."""
    counts = inv.kind_counts()
    return [(k, counts[k]) for k in WORKLOAD_KINDS if counts.get(k)]


def workload_items(inv: Inventory) -> list[str]:
    """``["4 VPCs", "2 EC2 instances", ...]`` for the overview."""
    return [kinds.count(k, n) for k, n in workload_counts(inv)]


def rules_evaluated(analysis: Analysis) -> int:
    """How many rules were run (whatever their outcome), for the summary sentence."""
    from scanner.analysis.findings import load_rules

    return len(load_rules())


def empty_vpcs(analysis: Analysis) -> list[str]:
    return [f"{v['name']} ({v['region']})" for v in ha_vpcs(analysis) if not v.get("tiers")]


def busy_vpcs(analysis: Analysis) -> list[dict[str, Any]]:
    return [v for v in ha_vpcs(analysis) if v.get("tiers")]


def workload_sentence(inv: Inventory) -> str:
    """One sentence on what the account runs, from the graph."""
    items = workload_counts(inv)
    if not items:
        return "The scan found no workload resources (VPCs, compute, databases, storage) in the scanned regions."
    parts = [kinds.count(k, n) for k, n in items]
    regions = sorted({str(n.get("region")) for n in inv.nodes() if n.get("kind") not in
                      ("aws:account", "aws:region", "internet") and n.get("region") not in (None, "global")})
    where = f" across {count_of(regions, 'region')} ({', '.join(regions)})" if regions else ""
    return f"The account runs {', '.join(parts[:-1]) + ' and ' + parts[-1] if len(parts) > 1 else parts[0]}{where}."


def architecture_sentence(inv: Inventory) -> str:
    """The shape of the workload in words: tiers present, derived from node kinds and edges."""
    c = inv.kind_counts()
    tiers = []
    if c.get("elbv2:load-balancer") or c.get("elb:load-balancer") or c.get("cloudfront:distribution"):
        tiers.append("a load-balanced web tier")
    if c.get("autoscaling:group") or c.get("ec2:instance") or c.get("ecs:service") or c.get("eks:cluster"):
        tiers.append("a compute tier")
    if c.get("lambda:function"):
        tiers.append("serverless functions")
    if c.get("rds:instance") or c.get("rds:cluster") or c.get("dynamodb:table"):
        tiers.append("a database tier")
    if c.get("elasticache:replication-group") or c.get("elasticache:cluster"):
        tiers.append("an in-memory cache")
    if c.get("codepipeline:pipeline"):
        tiers.append("a CI/CD pipeline")
    elif c.get("codebuild:project"):
        tiers.append("build projects (CodeBuild, no pipeline)")
    if not tiers:
        return ""
    text = ", ".join(tiers[:-1]) + " and " + tiers[-1] if len(tiers) > 1 else tiers[0]
    return f"Taken together this is {text} (inferred from the resource types found)."


def _all_nodes(inv: Inventory) -> Iterator[dict[str, Any]]:
    """Every scanned node's data (no ``id``), in :meth:`Inventory.nodes` order (ties in the tallies
    below keep it), without copying each node as ``nodes()`` does: tag and name tallies read
    every node of a large account several times."""
    data = inv.graph._node
    for nid in inv.index().all:
        d = data[nid]
        if not d.get("external"):
            yield d


def _tag_values(inv: Inventory, meaning: str) -> Counter[str]:
    keys = TAG_KEYS[meaning]
    c: Counter[str] = Counter()
    for n in _all_nodes(inv):
        for k, v in (n.get("tags") or {}).items():
            if k.lower().replace(" ", "") in keys and v:
                c[str(v)] += 1
    return c


def _name_tokens(inv: Inventory) -> list[tuple[str, int]]:
    c: Counter[str] = Counter()
    for n in _all_nodes(inv):
        if n.get("kind") in ("aws:account", "aws:region", "internet", "external") or not n.get("tags"):
            continue
        for tok in set(re.split(r"[^a-z0-9]+", str(n.get("name") or "").lower())):
            if len(tok) > 2 and tok not in NAME_STOP and not tok.isdigit() and not re.match(r"^[a-f0-9]{8,}$", tok):
                c[tok] += 1
    return [(t, k) for t, k in c.most_common(5) if k > 1]


def inferred_purpose(inv: Inventory) -> dict[str, Any]:
    """Projects, environments, owners and cost centres from tags; naming themes as a fallback."""
    out: dict[str, Any] = {m: _tag_values(inv, m).most_common(5) for m in TAG_KEYS}
    out["names"] = _name_tokens(inv)
    tagged = sum(1 for n in _all_nodes(inv) if n.get("tags"))
    out["tagged"] = tagged
    out["any"] = any(out[m] for m in TAG_KEYS) or bool(out["names"])
    return out


def _fmt(values: list[tuple[str, int]]) -> str:
    return ", ".join(f"{v} ({n} resource{'s' if n != 1 else ''})" for v, n in values)


def objectives(inv: Inventory) -> list[str]:
    """Business objectives and technical goals, inferred honestly (each sentence says from what)."""
    p = inferred_purpose(inv)
    lines = []
    if p["project"]:
        lines.append(f"Business purpose (inferred from Project/Application tags): the account serves "
                     f"{_fmt(p['project'])}.")
    elif p["names"]:
        lines.append(f"Business purpose (inferred from resource names only, no Project tags): recurring "
                     f"name parts are {', '.join(t for t, _ in p['names'])}.")
    if p["environment"]:
        envs = [v.lower() for v, _ in p["environment"]]
        prod = any(e.startswith("prod") for e in envs)
        lines.append(f"Environments (inferred from Environment tags): {_fmt(p['environment'])}"
                     + ("; production workloads are present, so availability and data protection are "
                        "primary technical goals." if prod else "."))
    if p["owner"]:
        lines.append(f"Owners (inferred from Owner/Team tags): {_fmt(p['owner'])}.")
    if p["cost_center"]:
        lines.append(f"Cost allocation (inferred from CostCenter tags): {_fmt(p['cost_center'])}.")
    goals = _technical_goals(inv)
    if goals:
        lines.append("Technical goals (inferred from how the resources are set up): " + "; ".join(goals) + ".")
    # escaped here (tag values are account text) with room for a long line: the default cap would cut it
    return [md(line, limit=2000) for line in lines]


def _technical_goals(inv: Inventory) -> list[str]:
    c = inv.kind_counts()
    goals = []
    spread = _front_azs(inv)
    if spread:
        region, azs = max(spread.items(), key=lambda kv: (len(kv[1]), kv[0]))
        if len(azs) > 1:
            goals.append(f"high availability across {len(azs)} availability zones of {region} "
                         f"(where the load balancers and Auto Scaling groups run)")
    if c.get("autoscaling:group") or c.get("application-autoscaling:target"):
        goals.append("elastic capacity through auto scaling")
    if c.get("codepipeline:pipeline"):
        goals.append("automated delivery through CI/CD pipelines")
    if c.get("backup:plan"):
        goals.append("recoverability through scheduled backups")
    used = sorted({str(n["region"]) for n in inv.nodes("ec2:vpc") if not n["props"].get("is_default")}
                  | {str(n["region"]) for n in inv.nodes("backup:vault", "s3:bucket") if n.get("region")})
    if len(used) > 1:
        goals.append(f"a footprint in {len(used)} regions ({', '.join(used)})")
    return goals


def _front_azs(inv: Inventory) -> dict[str, set[str]]:
    """Region -> the AZs that load balancers and Auto Scaling groups run in (not every subnet's AZ:
    a default VPC has subnets in every AZ and says nothing about the design)."""
    out: dict[str, set[str]] = {}
    for n in inv.nodes("elbv2:load-balancer", "elb:load-balancer", "autoscaling:group"):
        azs = {str(a) for a in n["props"].get("azs") or [] if isinstance(a, str)}
        azs |= {str(s["props"]["az"]) for s in inv.out(n["id"], "in_subnet") if s.get("props", {}).get("az")}
        if azs:
            out.setdefault(str(n["region"]), set()).update(azs)
    return out


# --- findings summary ---------------------------------------------------------------------
def severity_rows(analysis: Analysis) -> list[list[Any]]:
    """Counts by severity: open, accepted (suppressed); not-assessed rules counted separately."""
    rows = []
    for sev in SEVERITIES:
        fs = [f for f in analysis.findings if f.severity == sev]
        rows.append([sev.upper(), sum(1 for f in fs if f.status == STATUS_OPEN),
                     sum(1 for f in fs if f.status == STATUS_SUPPRESSED)])
    return rows


def not_assessed(analysis: Analysis) -> list[list[Any]]:
    """Rules that could not be assessed, one row per rule, with the reasons."""
    by_rule: dict[str, list[Any]] = {}
    for f in analysis.findings:
        if f.status == STATUS_NOT_ASSESSED:
            row = by_rule.setdefault(f.rule, [f.rule, f.title, f.section, []])
            if f.reason not in row[3]:
                row[3].append(f.reason)
    return [[r[0], r[1], r[2], "; ".join(r[3][:3]) + (f" (+{len(r[3]) - 3} more)" if len(r[3]) > 3 else "")]
            for r in sorted(by_rule.values())]


def open_rules(analysis: Analysis) -> int:
    """How many rules have open findings (the per-rule lists of the sections count these)."""
    return len({f.rule for f in analysis.open_findings()})


def top_risks(analysis: Analysis, limit: int = 8) -> list[dict[str, Any]]:
    """The most severe open problems, one entry per rule, with how many resources it concerns."""
    by_rule: dict[str, dict[str, Any]] = {}
    seen: dict[str, set[str]] = {}  # beside each ordered list: linear in the resources, not quadratic
    for f in analysis.open_findings():
        e = by_rule.setdefault(f.rule, {"rule": f.rule, "title": f.title, "severity": f.severity,
                                         "section": f.section, "resources": [], "evidence": f.evidence[:1],
                                         "category": f.category})
        have = seen.setdefault(f.rule, set())
        for r in f.resources:
            if r not in have:
                have.add(r)
                e["resources"].append(r)
    ranked = sorted(by_rule.values(), key=lambda e: (SEVERITY_RANK.get(e["severity"], 9), -len(e["resources"]),
                                                      e["rule"]))
    return [e for e in ranked if e["severity"] in ("critical", "high", "medium")][:limit]


def top_risks_rest(analysis: Analysis, limit: int = 8) -> dict[str, int]:
    """How many critical/high/medium rules (and open findings) the top-risks list leaves out."""
    rules = {f.rule for f in analysis.open_findings() if f.severity in ("critical", "high", "medium")}
    shown = {e["rule"] for e in top_risks(analysis, limit)}
    rest = rules - shown
    return {"rules": len(rest), "findings": sum(1 for f in analysis.open_findings() if f.rule in rest)}


def category_rows(analysis: Analysis) -> list[list[Any]]:
    c: Counter[str] = Counter(f.category for f in analysis.open_findings())
    return [[k, v] for k, v in sorted(c.items())]


def unseen(inv: Inventory) -> list[str]:
    """What the scan could not see, one line per collector run or per kind of gap."""
    out = []
    runs: dict[tuple[str, str, str, str], list[str]] = {}
    for r in sorted(inv.meta.get("runs", []), key=lambda r: (r.get("collector", ""), r.get("region", ""))):
        if status.is_blocked(r) and not status.is_excluded(r):  # left out by choice: in the scan facts
            key = (str(r.get("collector")), str(r.get("status")), r.get("action") or "", r.get("message") or "")
            runs.setdefault(key, []).append(str(r.get("region")))
    for (collector, run_status, action, message), regions in runs.items():
        said = (f", missing {action}" if run_status == status.DENIED else f" {action}") if action else ""
        out.append(f"{collector} in {regions_text(regions)}: {run_status}{said}"
                   + (f" ({message})" if message else ""))
    gaps: dict[tuple[str, str], dict[str, Any]] = {}
    for g in inv.meta.get("gaps", []):
        e = gaps.setdefault((str(g.get("action")), str(g.get("reason"))), {"regions": set(), "resources": [],
                                                                        "service": g.get("service")})
        e["regions"].add(str(g.get("region")))
        res = naming.name(inv, g["resource"]) if g.get("resource") else ""
        if res and res not in e["resources"]:
            e["resources"].append(res)
    for (action, reason), e in sorted(gaps.items()):
        res = e["resources"]
        what = (f" for {', '.join(res[:3])}" + (f" and {len(res) - 3} more" if len(res) > 3 else "")) if res else ""
        where = kinds.section_of_action(action, str(e["service"] or ""))
        out.append(f"{action} in {regions_text(list(e['regions']))}{what}: {reason}"
                   + (f" (section {where})" if where else ""))
    return out


# --- 9.1 ---------------------------------------------------------------------------------
def ha_vpcs(analysis: Analysis) -> list[dict[str, Any]]:
    return list((analysis.ha or {}).get("vpcs", []))


def ha_tier_rows(vpc: dict[str, Any]) -> list[list[Any]]:
    """One row per tier: AZs spanned out of the VPC's, how many resources, how many are SPOFs
    (the resources themselves are in the per-resource table, not repeated here)."""
    rows = []
    vpc_azs = vpc.get("azs") or []
    for t in vpc.get("tiers", []):
        span = f"{len(t['azs'])} of {len(vpc_azs)}" if vpc_azs else str(len(t["azs"]))
        rows.append([t["label"], ", ".join(t["azs"]) or "unknown", span, len(t["items"]),
                     sum(1 for i in t["items"] if i["spof"])])
    return rows


def ha_item_rows(vpc: dict[str, Any], limit: int = 40) -> list[list[Any]]:
    """One row per resource (single points of failure first when there are many), capped for big VPCs."""
    rows = []
    for t in vpc.get("tiers", []):
        for i in t["items"]:
            rows.append([t["label"], i["name"], ", ".join(i["azs"]) or "unknown", i["detail"],
                         "yes" if i["spof"] else "no"])
    if len(rows) > limit:
        rest = len(rows) - limit
        rows = rows[:limit] + [["", f"and {count_of(rest, 'more resource')}", "", "", ""]]
    return rows


def spof_lines(vpc: dict[str, Any], limit: int = 15) -> list[str]:
    """Single points of failure, grouped when many share a reason (e.g. 200 standalone workers)."""
    by_reason: dict[tuple[str, str], list[str]] = {}
    for s in vpc.get("spofs", []):
        by_reason.setdefault((s["tier"], s["reason"]), []).append(str(s["name"]))
    out = []
    for (tier, reason), names in by_reason.items():
        if len(names) <= 3:
            out.extend(f"{n} ({tier} tier): {reason}" for n in names)
        else:
            out.append(f"{len(names)} resources ({tier} tier: {', '.join(names[:3])} and {len(names) - 3} more): "
                       f"{reason}")
    return out[:limit] + ([f"and {len(out) - limit} more"] if len(out) > limit else [])


def ha_summary(analysis: Analysis) -> dict[str, Any]:
    vpcs = ha_vpcs(analysis)
    spofs = (analysis.ha or {}).get("spofs", [])
    multi = [v for v in vpcs if len({z for t in v.get("tiers", []) for z in t["azs"]}) > 1]
    return {"vpcs": len(vpcs), "multi_az": len(multi), "spofs": len(spofs)}


def regional_services(inv: Inventory) -> list[str]:
    """Managed services that span AZs by design, with their cross-region copies where the graph shows them."""
    out = []
    buckets = inv.nodes("s3:bucket")
    if buckets:
        facts = [f for b in buckets if (f := inv.fact(b["id"], "replicated")) is not None]
        t = tally(facts)
        some = t["yes"] or ("none" if not t["unknown"] else "0")
        text = f"{kinds.count('s3:bucket', len(buckets))}, {some} replicated to another bucket"
        if t["unknown"]:
            whys = list(dict.fromkeys(f.why for f in facts if f.unknown and f.why))
            text += f", {t['unknown']} unknown" + (f" ({'; '.join(whys[:2])})" if whys else "")
        out.append(text)
    tables = inv.nodes("dynamodb:table")
    if tables:
        glob = sum(1 for t in tables if len(t["props"].get("global_replicas") or []) > 1)
        out.append(f"{kinds.count('dynamodb:table', len(tables))}, {glob or 'none'} of them global")
    for kind in ("lambda:function", "sqs:queue", "sns:topic"):
        n = len(inv.nodes(kind))
        if n:
            out.append(kinds.count(kind, n))
    return out

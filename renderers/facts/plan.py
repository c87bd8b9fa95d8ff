"""Section 11: an implementation plan derived from what the account holds and what is wrong with it.

A scanned account is already built, so the plan has two honest parts: the
layers the platform is made of, in the order they must exist (a rebuild or a
new environment follows it), and the remediation work the findings call for,
phased by severity with target dates counted from the scan date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from renderers.facts import plan_graph
from renderers.facts.plan_graph import AREA_NAMES, AREAS, area_of_finding, area_of_kind
from renderers.labels import regions_text
from renderers.plural import count_of
from scanner import kinds, naming
from scanner.analysis.model import SEVERITY_RANK, Analysis, Finding
from scanner.inventory import Inventory
from scanner.vocab import KINDS

AREA_ORDER = [key for key, _, _ in AREAS]

#: the main kinds of each area, listed first in 11.1 (the area's other kinds follow, alphabetically)
MAIN_KINDS: dict[str, tuple[str, ...]] = {
    "security": ("iam:role", "iam:user", "iam:group", "iam:policy", "cloudtrail:trail", "guardduty:detector",
                 "config:recorder", "securityhub:hub", "kms:key", "organizations:organization"),
    "network": ("ec2:vpc", "ec2:subnet", "ec2:route-table", "ec2:internet-gateway", "ec2:nat-gateway",
                "ec2:security-group", "ec2:network-acl", "ec2:vpc-endpoint", "ec2:transit-gateway",
                "ec2:vpc-peering", "route53:hosted-zone"),
    "data": ("s3:bucket", "ebs:volume", "efs:file-system", "fsx:file-system", "rds:instance", "rds:cluster",
             "dynamodb:table", "elasticache:replication-group", "elasticache:cluster", "dax:cluster"),
    "compute": ("elbv2:load-balancer", "elb:load-balancer", "autoscaling:group", "ec2:instance", "ecs:service",
                "eks:cluster", "lambda:function", "apigateway:rest-api", "apigateway:http-api",
                "cloudfront:distribution"),
    "delivery": ("codepipeline:pipeline", "codebuild:project", "codedeploy:deployment-group",
                 "cloudformation:stack", "codecommit:repository"),
    "operations": ("cloudwatch:alarm", "logs:log-group", "backup:plan", "route53:health-check", "budgets:budget",
                   "ssm:maintenance-window"),
}
#: settings and scaffolding the scan keeps as nodes: not "resources found" in a layer
NOT_RESOURCES = ("ce:monthly-spend", "ce:cost-allocation-tag", "ebs:encryption-default", "iam:password-policy",
                 "iam:root", "aws:account", "aws:region", "internet", "external", "net:cidr")

#: remediation phases: severities, days from the scan to the target date
PHASES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Phase 1: urgent risk reduction", ("critical", "high"), 14),
    ("Phase 2: hardening", ("medium",), 45),
    ("Phase 3: hygiene and optimisation", ("low", "info"), 90),
)
#: a work item lists at most this many resources inline; longer lists go to the appendix
INLINE = 6

#: detective services exist as nodes even when switched off (to say so): 11.1 counts the live ones,
#: from the judged facts (scanner/judge/guards.py), and says where being live is unknown.
#: kind -> (fact judged on each node or None, the region-wide fact, the word for "live", the service)
GUARD_FACTS = {
    "config:recorder": ("recording", "config", "recording", "AWS Config"),
    "guardduty:detector": (None, "guardduty", "enabled", "GuardDuty"),
    "securityhub:hub": (None, "securityhub", "enabled", "Security Hub"),
}


def count_text(kind: str, n: int) -> str:
    """``5 IAM policies``, ``1 VPC peering connection``, ``3 subnets`` (names from the kind specs)."""
    return kinds.count(kind, n)


def _guard_items(inv: Inventory, kind: str) -> tuple[int, list[str]]:
    """How many of a detective service are live, and the items that say so (unknown stated as such)."""
    node_fact, region_fact, word, service = GUARD_FACTS[kind]
    live = 0
    items: list[str] = []
    seen_in: set[str] = set()
    if node_fact:
        unknown: dict[str, int] = {}
        for n in inv.nodes(kind):
            f = inv.fact(n["id"], node_fact)
            if f is None:
                continue
            seen_in.add(str(n.get("region")))
            live += f.yes
            if f.unknown:
                unknown[f.why] = unknown.get(f.why, 0) + 1
        items += [f"{kinds.count(kind, live)} ({word})"] if live else []
        items += [f"{kinds.count(kind, k)} ({word} unknown" + (f": {why})" if why else ")")
                  for why, k in unknown.items()]
    regions: dict[str, list[str]] = {}
    for region in inv.regions:
        f = inv.region_fact(region, region_fact)
        if f is None or region in seen_in:
            continue
        if not node_fact:
            live += f.yes
        if f.unknown:
            regions.setdefault(f.why, []).append(region)
    if not node_fact and live:
        items.insert(0, f"{kinds.count(kind, live)} ({word})")
    items += [f"{service} in {regions_text(regs)}: {word} unknown" + (f" ({why})" if why else "")
              for why, regs in regions.items()]
    return live, items


def _area_kinds(inv: Inventory, area: str) -> list[str]:
    """The kinds of one area present in the scan: its main kinds first, then the rest alphabetically."""
    main = [k for k in MAIN_KINDS.get(area, ()) if k in KINDS]
    rest = sorted(k for k in inv.kind_counts() if k in KINDS and k not in main and k not in NOT_RESOURCES
                  and area_of_kind(k) == area)
    return main + rest


def _areas(inv: Inventory, analysis: Analysis) -> dict[int, str]:
    """Each open finding's area by ``id(finding)``, computed once per render: 11.1 and 11.3 group
    the same findings by area four times over."""
    def build() -> dict[int, str]:
        return {id(f): area_of_finding(inv, f) for f in analysis.open_findings()}
    return inv.memo(f"plan.areas:{id(analysis)}", build)


def _area_of(inv: Inventory, analysis: Analysis) -> Callable[[Finding], str]:
    """A finding -> its area, read from :func:`_areas` (looked up once per caller, not per finding)."""
    areas = _areas(inv, analysis)

    def area(f: Finding) -> str:
        a = areas.get(id(f))
        return a if a is not None else area_of_finding(inv, f)
    return area


def layers(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """Each area, in build order, with what the account has in it and the open findings about it
    (a finding counts where its resources are, not where its section is)."""
    by_area: dict[str, list[Finding]] = {}
    area = _area_of(inv, analysis)
    for f in analysis.open_findings():
        by_area.setdefault(area(f), []).append(f)
    out = []
    for key, name, what in AREAS:
        present: dict[str, int] = {}
        items: list[str] = []
        for k in _area_kinds(inv, key):
            if k in GUARD_FACTS:
                n, said = _guard_items(inv, k)
            else:
                n = inv.count(k)
                said = [count_text(k, n)] if n else []
            if n:
                present[k] = n
            items += said
        found = by_area.get(key, [])
        sev = {s: sum(1 for f in found if f.severity == s) for s in ("critical", "high", "medium", "low", "info")}
        out.append({"area": key, "name": name, "what": what, "present": present, "total": sum(present.values()),
                    "items": items, "findings": len(found), "severity": sev})
    return out


def scan_date(inv: Inventory) -> datetime | None:
    raw = inv.meta.get("scanned_at")
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def phases(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """Remediation phases with their findings and a target date counted from the scan date
    (11.1 and 11.3 both show them: computed once per render)."""
    return inv.memo(f"plan.phases:{id(analysis)}", lambda: _phases(inv, analysis))


def _phases(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    start = scan_date(inv)
    area = _area_of(inv, analysis)
    out = []
    for name, sevs, days in PHASES:
        found = sorted((f for f in analysis.open_findings() if f.severity in sevs),
                       key=lambda f: (SEVERITY_RANK[f.severity], f.rule))
        rules: dict[str, dict[str, Any]] = {}
        for f in found:
            r = rules.setdefault(f.rule, {"rule": f.rule, "title": f.title, "severity": f.severity,
                                          "section": f.section, "resources": 0})
            r["resources"] += max(1, len(f.resources))
        areas = {AREA_NAMES[k]: c for k, c in sorted(Counter(area(f) for f in found).items(),
                                                       key=lambda kv: AREA_ORDER.index(kv[0]))}
        out.append({"name": name, "severities": sevs, "days": days, "count": len(found),
                    "rules": list(rules.values()), "areas": areas,
                    "target": (start + timedelta(days=days)).date().isoformat() if start else None})
    return out


def dependencies(inv: Inventory) -> list[dict[str, Any]]:
    """Every workload with what it depends on and what a change to it touches (see plan_graph)."""
    return plan_graph.dependencies(inv)


def work(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """The remediation work by area: each open finding's rule with every resource it names.

    A row names its resources inline when they are few; a longer list is marked for the
    appendix at the end of section 11 (:func:`appendix`), so no item is ever cut short.
    Computed once per render (11.3 and its appendix read the same rows)."""
    return inv.memo(f"plan.work:{id(analysis)}", lambda: _work(inv, analysis))


def _work(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    phase_of = {sev: i for i, (_, sevs, _) in enumerate(PHASES) for sev in sevs}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    area_of = _area_of(inv, analysis)
    for f in analysis.open_findings():
        area = area_of(f)
        r = rows.setdefault((area, f.rule), {"area": area, "rule": f.rule, "title": f.title, "severity": f.severity,
                                             "phase": phase_of.get(f.severity, len(PHASES) - 1) + 1,
                                             "section": f.section, "resources": [], "findings": 0,
                                             "_seen": set()})
        r["findings"] += 1
        if SEVERITY_RANK[f.severity] < SEVERITY_RANK[r["severity"]]:
            r["severity"] = f.severity
            r["phase"] = phase_of.get(f.severity, len(PHASES) - 1) + 1
        seen = r["_seen"]  # a set beside the ordered list: linear in the resources, not quadratic
        for rid in f.resources:
            label = naming.label(inv, rid)
            if label not in seen:
                seen.add(label)
                r["resources"].append(label)
    out = []
    for key, name, _ in AREAS:
        items = sorted((r for (a, _), r in rows.items() if a == key),
                       key=lambda r: (r["phase"], SEVERITY_RANK[r["severity"]], r["rule"]))
        for i, r in enumerate(items, 1):
            r.pop("_seen", None)
            r["inline"] = len(r["resources"]) <= INLINE
            r["ref"] = f"{key}-{i}"
        if items:
            out.append({"area": key, "name": name, "rows": items,
                        "resources": sum(max(1, len(r["resources"])) for r in items)})
    return out


def appendix(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """The work items whose resource lists were too long for 11.1, each listed in full."""
    return [r for a in work(inv, analysis) for r in a["rows"] if not r["inline"]]


#: how a reference to an unread resource reads, by relation (from the account's resource to it, or back)
EXTERNAL_OUT = {"encrypted_by": "encrypts", "snapshot_of": "source volume of", "uses_role": "role used by",
                "deploys": "deployed to by", "protected_by": "protects", "in_subnet": "holds"}
EXTERNAL_IN = {"source_of": "source of", "triggers": "triggers", "publishes_to": "receives from"}


def external_dependencies(inv: Inventory) -> list[dict[str, Any]]:
    """Resources the account's resources point at but the scan did not read (another account or region,
    an AWS-managed resource, or one that no longer exists), with how each is referenced."""
    out = []
    for n in inv.nodes("external", include_external=True):
        links: list[str] = []
        for src, _dst, d in inv.graph.in_edges(n["id"], data=True):
            links.append(_link(inv, src, d.get("rel"), EXTERNAL_OUT, "used by"))
        for _src, dst, d in inv.graph.out_edges(n["id"], data=True):
            links.append(_link(inv, dst, d.get("rel"), EXTERNAL_IN, "linked to"))
        nid = n["id"]
        note = " (AWS managed)" if ":alias/aws/" in nid or "CodeDeployDefault." in nid else ""
        out.append({"id": nid, "users": sorted(set(x for x in links if x)), "note": note})
    return out


def _link(inv: Inventory, other: str, rel: str | None, words: dict[str, str], default: str) -> str:
    name = naming.name(inv, other)
    verb = words.get(str(rel), default)
    return f"{verb} {name}".strip()


def prerequisites(inv: Inventory) -> list[str]:
    """Account-level prerequisites a rebuild or new environment needs first."""
    items = []
    regions = inv.regions
    if regions:
        items.append(f"Regions in use: {', '.join(regions)} (enabled in the account).")
    keys = [k for k in inv.nodes("kms:key") if k["props"].get("manager") == "CUSTOMER"]
    if keys:
        items.append(f"{count_of(keys, 'customer-managed KMS key')} must exist before the resources they encrypt.")
    certs = inv.nodes("acm:certificate")
    if certs:
        items.append(f"{count_of(certs, 'ACM certificate')} must be issued and validated before HTTPS listeners use "
                     + ("it." if len(certs) == 1 else "them."))
    zones = inv.nodes("route53:hosted-zone")
    if zones:
        items.append(f"{count_of(zones, 'Route 53 hosted zone')}: DNS delegation must point at "
                     + ("it." if len(zones) == 1 else "them."))
    roles = [r for r in inv.nodes("iam:role") if not r["props"].get("service_linked")]
    if roles:
        items.append(f"{count_of(roles, 'IAM role')} (instance, task, build and deploy roles) "
                     + ("precedes" if len(roles) == 1 else "precede") + " the compute using them.")
    return items

"""Section 11: an implementation plan derived from what the account holds and what is wrong with it.

A scanned account is already built, so the plan has two honest parts: the
layers the platform is made of, in the order they must exist (a rebuild or a
new environment follows it), and the remediation work the findings call for,
phased by severity with target dates counted from the scan date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from renderers.labels import regions_text
from renderers.plural import count_of
from scanner import kinds, naming
from scanner.analysis.model import SEVERITY_RANK, Analysis
from scanner.inventory import Inventory

#: layers in build order: (name, what it is, kinds, finding sections)
LAYERS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Account foundation", "identity, audit logging and threat detection",
     ("iam:role", "iam:user", "iam:group", "iam:policy", "cloudtrail:trail", "guardduty:detector",
      "config:recorder", "securityhub:hub", "kms:key", "organizations:organization"),
     ("5.1", "5.3", "5.4", "12.2")),
    ("Network", "VPCs, subnets, routing, gateways and network security",
     ("ec2:vpc", "ec2:subnet", "ec2:route-table", "ec2:internet-gateway", "ec2:nat-gateway",
      "ec2:security-group", "ec2:network-acl", "ec2:vpc-endpoint", "ec2:transit-gateway",
      "ec2:vpc-peering"),
     ("2.1", "2.2", "2.3", "5.2")),
    ("Data", "object, block and file storage, databases and caches",
     ("s3:bucket", "ebs:volume", "efs:file-system", "fsx:file-system", "rds:instance", "rds:cluster",
      "dynamodb:table", "elasticache:replication-group", "elasticache:cluster", "dax:cluster"),
     ("4.1", "4.2", "4.3", "4.4", "6.1", "6.2", "6.3")),
    ("Compute and traffic", "load balancers, instances, groups, containers and functions",
     ("elbv2:load-balancer", "elb:load-balancer", "autoscaling:group", "ec2:instance", "ecs:service",
      "eks:cluster", "lambda:function", "apigateway:rest-api", "apigateway:http-api",
      "cloudfront:distribution"),
     ("3.1", "3.2", "3.3", "8.1", "8.2", "8.3")),
    ("Delivery", "source, build and deployment automation",
     ("codepipeline:pipeline", "codebuild:project", "codedeploy:deployment-group",
      "cloudformation:stack", "codecommit:repository"),
     ("7.1", "7.2", "7.3", "7.4")),
    ("Operations and resilience", "monitoring, alerting, backups, DNS failover and cost control",
     ("cloudwatch:alarm", "logs:log-group", "backup:plan", "route53:hosted-zone", "budgets:budget",
      "ssm:maintenance-window"),
     ("9.1", "9.2", "9.3", "10.1", "10.2", "10.3", "12.1", "12.3", "12.4")),
)

#: remediation phases: severities, days from the scan to the target date
PHASES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Phase 1: urgent risk reduction", ("critical", "high"), 14),
    ("Phase 2: hardening", ("medium",), 45),
    ("Phase 3: hygiene and optimisation", ("low", "info"), 90),
)

#: relations that make a resource depend on another
DEPENDS = ("in_subnet", "protected_by", "uses_role", "encrypted_by", "targets", "member_of",
           "uses_certificate", "attached_to", "logs_to", "replicates_to", "integrates_with", "triggers",
           "runs")
#: the kinds 11.2 lists with what they need (kept here: the kind specs carry no "workload" notion yet)
WORKLOAD_KINDS = ("elbv2:load-balancer", "autoscaling:group", "ecs:service", "lambda:function",
                  "rds:instance", "rds:cluster", "elasticache:replication-group", "eks:cluster",
                  "codepipeline:pipeline")

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


def layers(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """Each layer with what the account has in it and the open findings that concern it."""
    out = []
    for name, what, layer_kinds, sections in LAYERS:
        present: dict[str, int] = {}
        items: list[str] = []
        for k in layer_kinds:
            if k in GUARD_FACTS:
                n, said = _guard_items(inv, k)
            else:
                n = len(inv.nodes(k))
                said = [count_text(k, n)] if n else []
            if n:
                present[k] = n
            items += said
        found = [f for f in analysis.open_findings() if f.section in sections]
        sev = {s: sum(1 for f in found if f.severity == s) for s in ("critical", "high", "medium", "low")}
        out.append({"name": name, "what": what, "present": present, "total": sum(present.values()),
                    "items": items, "findings": len(found), "severity": sev})
    return out


def scan_date(inv: Inventory) -> datetime | None:
    raw = inv.meta.get("scanned_at")
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def phases(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """Remediation phases with their findings and a target date counted from the scan date."""
    start = scan_date(inv)
    out = []
    for name, sevs, days in PHASES:
        found = sorted((f for f in analysis.open_findings() if f.severity in sevs),
                       key=lambda f: (SEVERITY_RANK[f.severity], f.rule))
        rules: dict[str, dict[str, Any]] = {}
        for f in found:
            r = rules.setdefault(f.rule, {"rule": f.rule, "title": f.title, "severity": f.severity,
                                          "section": f.section, "resources": 0})
            r["resources"] += max(1, len(f.resources))
        out.append({"name": name, "severities": sevs, "days": days, "count": len(found),
                    "rules": list(rules.values()),
                    "target": (start + timedelta(days=days)).date().isoformat() if start else None})
    return out


def dependencies(inv: Inventory, limit: int = 40) -> list[dict[str, Any]]:
    """What each workload needs in place before it can run (its direct graph dependencies, and the
    launch template an Auto Scaling group names: the scan records that as a prop, not an edge)."""
    templates = {(t["region"], t["props"].get("launch_template_id")): t for t in inv.nodes("ec2:launch-template")}
    rows = []
    for kind in WORKLOAD_KINDS:
        for n in inv.nodes(kind):
            needs: dict[str, list[str]] = {}
            deps = [dep for rel in DEPENDS for dep in inv.out(n["id"], rel)]
            lt = templates.get((n["region"], n["props"].get("launch_template_id"))) if kind == "autoscaling:group" else None
            for dep in deps + ([lt] if lt else []):
                if dep.get("kind") in ("internet", "aws:region", "aws:account"):
                    continue
                needs.setdefault(dep.get("kind", "external"), []).append(naming.node_name(dep))
            if needs:
                rows.append({"id": n["id"], "kind": kind, "name": naming.node_name(n), "region": n["region"],
                             "needs": {k: sorted(set(v)) for k, v in sorted(needs.items())}})
    return rows[:limit]


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

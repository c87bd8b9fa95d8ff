"""Section 11: an implementation plan derived from what the account holds and what is wrong with it.

A scanned account is already built, so the plan has two honest parts: the
layers the platform is made of, in the order they must exist (a rebuild or a
new environment follows it), and the remediation work the findings call for,
phased by severity with target dates counted from the scan date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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
           "uses_certificate", "attached_to", "logs_to", "replicates_to", "integrates_with", "triggers")
WORKLOAD_KINDS = ("elbv2:load-balancer", "autoscaling:group", "ecs:service", "lambda:function",
                  "rds:instance", "rds:cluster", "elasticache:replication-group", "eks:cluster",
                  "codepipeline:pipeline")


def layers(inv: Inventory, analysis: Analysis) -> list[dict[str, Any]]:
    """Each layer with what the account has in it and the open findings that concern it."""
    out = []
    for name, what, kinds, sections in LAYERS:
        counts = {k: len(inv.nodes(k)) for k in kinds}
        present = {k: n for k, n in counts.items() if n}
        found = [f for f in analysis.open_findings() if f.section in sections]
        sev = {s: sum(1 for f in found if f.severity == s) for s in ("critical", "high", "medium", "low")}
        out.append({"name": name, "what": what, "present": present, "total": sum(present.values()),
                    "findings": len(found), "severity": sev})
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
    """What each workload needs in place before it can run (its direct graph dependencies)."""
    rows = []
    for kind in WORKLOAD_KINDS:
        for n in inv.nodes(kind):
            needs: dict[str, list[str]] = {}
            for rel in DEPENDS:
                for dep in inv.out(n["id"], rel):
                    if dep.get("kind") in ("internet", "aws:region", "aws:account"):
                        continue
                    needs.setdefault(dep.get("kind", "external"), []).append(dep.get("name") or dep["id"])
            if needs:
                rows.append({"id": n["id"], "kind": kind, "name": n["name"], "region": n["region"],
                             "needs": {k: sorted(set(v)) for k, v in sorted(needs.items())}})
    return rows[:limit]


def external_dependencies(inv: Inventory) -> list[dict[str, Any]]:
    """Resources outside the scan that the account's resources point at."""
    out = []
    for n in inv.nodes("external", include_external=True):
        users = sorted({e["name"] for e in inv.into(n["id"])})
        out.append({"id": n["id"], "users": users})
    return out


def prerequisites(inv: Inventory) -> list[str]:
    """Account-level prerequisites a rebuild or new environment needs first."""
    items = []
    regions = inv.regions
    if regions:
        items.append(f"Regions in use: {', '.join(regions)} (enabled in the account).")
    keys = [k for k in inv.nodes("kms:key") if k["props"].get("manager") == "CUSTOMER"]
    if keys:
        items.append(f"{len(keys)} customer-managed KMS key(s) must exist before the resources they encrypt.")
    certs = inv.nodes("acm:certificate")
    if certs:
        items.append(f"{len(certs)} ACM certificate(s) must be issued and validated before HTTPS listeners use them.")
    zones = inv.nodes("route53:hosted-zone")
    if zones:
        items.append(f"{len(zones)} Route 53 hosted zone(s): DNS delegation must point at them.")
    roles = [r for r in inv.nodes("iam:role") if not r["props"].get("service_linked")]
    if roles:
        items.append(f"{len(roles)} IAM role(s) (instance, task, build and deploy roles) precede the compute using them.")
    return items

"""Section 10.1: an estimated monthly cost for every priced resource, from the graph and a PriceBook.

On-demand prices, 730 hours a month, list prices of the resource's region (us-east-1 prices
times the region's factor, or the region's own live price). Data transfer, requests and LCUs
are not estimated (usage the graph cannot see). Nothing is left out silently: every kind
present is classified in ``prices.json`` (``kind_billing``: hourly, monthly, use or none), and
every resource of an hourly or monthly kind that is not priced is listed with why.
"""

from __future__ import annotations

from typing import Any

from scanner import kinds, naming
from scanner.analysis.model import Analysis
from scanner.analysis.prices import GLOBAL_REGIONS, PriceBook
from scanner.analysis.pricing import PRICERS, CostContext, Line, Result
from scanner.analysis.pricing.core import price_db, price_volume
from scanner.analysis.pricing.network import public_ipv4_lines
from scanner.inventory import Inventory
from scanner.vocab import KINDS

__all__ = ["PRICERS", "SERVICE", "estimate", "price_db", "price_volume", "run"]

SERVICE = {
    "ec2:instance": "EC2", "ebs:volume": "EBS", "ebs:snapshot": "EBS snapshots", "rds:instance": "RDS",
    "rds:snapshot": "RDS snapshots", "rds:proxy": "RDS Proxy", "ec2:nat-gateway": "VPC (NAT gateways)",
    "elbv2:load-balancer": "Elastic Load Balancing", "elb:load-balancer": "Elastic Load Balancing",
    "ec2:elastic-ip": "VPC (public IPv4)", "ec2:network-interface": "VPC (public IPv4)",
    "ec2:vpn-connection": "Site-to-Site VPN", "ec2:transit-gateway": "Transit Gateway",
    "ec2:transit-gateway-attachment": "Transit Gateway", "ec2:vpc-endpoint": "VPC endpoints (PrivateLink)",
    "elasticache:cluster": "ElastiCache", "elasticache:serverless-cache": "ElastiCache", "dax:cluster": "DAX",
    "dynamodb:table": "DynamoDB", "efs:file-system": "EFS", "lambda:function": "Lambda", "s3:bucket": "S3",
    "eks:cluster": "EKS", "eks:nodegroup": "EC2", "ecs:service": "Fargate", "wafv2:web-acl": "WAF",
    "kms:key": "KMS", "secretsmanager:secret": "Secrets Manager", "route53:hosted-zone": "Route 53",
    "route53:health-check": "Route 53", "cloudwatch:alarm": "CloudWatch", "cloudwatch:dashboard": "CloudWatch",
    "logs:log-group": "CloudWatch Logs", "ssm:parameter": "Systems Manager", "codepipeline:pipeline": "CodePipeline",
    "redshift:cluster": "Redshift", "opensearch:domain": "OpenSearch Service", "kafka:cluster": "MSK",
    "kinesis:stream": "Kinesis Data Streams", "memorydb:cluster": "MemoryDB",
}

#: kinds priced outside PRICERS (public IPv4 addresses on network interfaces)
PRICED_ELSEWHERE = ("ec2:network-interface",)
STANDING = ("hourly", "monthly")


def _lines(r: Result) -> list[Line]:
    if isinstance(r, Line):
        return [r]
    if isinstance(r, tuple):
        return [Line(float(r[0]), str(r[1]))]
    if isinstance(r, list):
        return [x for x in r if isinstance(x, Line)]
    return []


def _item(n: dict[str, Any], line: Line) -> dict[str, Any]:
    name = naming.node_name(n)
    return {"id": n["id"], "name": f"{name} ({line.label})" if line.label else name, "kind": n["kind"],
            "service": line.service or SERVICE.get(n["kind"], kinds.singular(n["kind"])), "region": n["region"],
            "monthly": round(line.monthly, 2), "detail": line.detail}


def _unpriced(n: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"id": n["id"], "name": naming.node_name(n), "kind": n["kind"], "region": n["region"], "reason": reason}


def _present(inv: Inventory) -> dict[str, list[dict[str, Any]]]:
    """The account's own nodes by kind (placeholders for resources outside the scan left out)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in inv.kind_counts():
        if kind in KINDS and kind != "external":
            nodes = inv.nodes(kind)
            if nodes:
                out[kind] = nodes
    return out


def _switched_off(n: dict[str, Any]) -> bool:
    """A detector, hub or recorder that is off bills nothing (it exists as a node to say it is off)."""
    p = n["props"]
    return (p.get("enabled") is False or p.get("recording") is False
            or str(p.get("status") or "").lower() in ("disabled", "inactive", "deleted"))


def _free(n: dict[str, Any], free: dict[str, Any]) -> bool:
    """A resource the price table says is free by one of its props (prices.json ``free_by_prop``:
    an external-access IAM Access Analyzer analyzer, type ACCOUNT or ORGANIZATION)."""
    rule = free.get(n["kind"])
    return bool(rule) and (n.get("props") or {}).get(rule["prop"]) in rule["values"]


def classify(pb: PriceBook, present: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]],
                                                                               list[dict[str, Any]]]:
    """Resources of hourly or monthly kinds no pricer covers, and the kinds billed only by use.

    A kind the price table does not classify at all is listed as not priced, so a new kind
    cannot drop out of the estimate unnoticed."""
    billing: dict[str, str] = pb.table.get("kind_billing", {})
    notes: dict[str, str] = pb.table.get("billing_notes", {})
    free: dict[str, Any] = pb.table.get("free_by_prop", {})
    unpriced, by_use = [], []
    for kind, nodes in sorted(present.items()):
        how = billing.get(kind)
        if kind in PRICERS or kind in PRICED_ELSEWHERE or how == "none":
            continue
        if how is None:
            unpriced += [_unpriced(n, "kind not classified in the price table (prices.json kind_billing)") for n in nodes]
        elif how in STANDING:
            unpriced += [_unpriced(n, notes.get(kind, f"billed {how}; no price in the table")) for n in nodes]
        else:
            live = [n for n in nodes if not _switched_off(n) and not _free(n, free)]
            if live:
                by_use.append({"kind": kind, "count": len(live), "what": notes.get(kind, "usage")})
    return unpriced, by_use


def group_unpriced(unpriced: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Not-priced resources grouped by kind and reason: the counts 10.1 states, with every name."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for u in unpriced:
        g = groups.setdefault((u["kind"], u["reason"]), {"kind": u["kind"], "reason": u["reason"], "count": 0,
                                                          "names": []})
        g["count"] += 1
        g["names"].append(u["name"])
    return sorted(groups.values(), key=lambda g: (g["kind"], g["reason"]))


def region_factors(pb: PriceBook, regions: list[str]) -> dict[str, float | None]:
    """The factor applied to us-east-1 list prices in each region the estimate touches."""
    return {r: pb.factor(r) for r in sorted(set(regions))}


def estimate(inv: Inventory, pb: PriceBook) -> dict[str, Any]:
    ctx = CostContext(inv)
    present = _present(inv)
    items: list[dict[str, Any]] = []
    unpriced: list[dict[str, Any]] = []
    for kind, fn in PRICERS.items():
        for n in present.get(kind, []):
            r = fn(n, pb, ctx)
            if isinstance(r, str):
                unpriced.append(_unpriced(n, r))
            items += [_item(n, line) for line in _lines(r)]
    items += [_item(owner, line) for owner, line in public_ipv4_lines(ctx, pb)]
    kind_unpriced, by_use = classify(pb, present)
    unpriced += kind_unpriced
    items.sort(key=lambda i: (-i["monthly"], i["id"], i["name"]))
    by_service: dict[str, float] = {}
    by_region: dict[str, float] = {}
    resources: dict[str, dict[str, Any]] = {}
    for i in items:
        by_service[i["service"]] = round(by_service.get(i["service"], 0.0) + i["monthly"], 2)
        by_region[i["region"]] = round(by_region.get(i["region"], 0.0) + i["monthly"], 2)
        r = resources.setdefault(i["id"], {"monthly": 0.0, "kind": i["kind"]})
        r["monthly"] = round(r["monthly"] + i["monthly"], 2)
    a = pb.table["lambda_assumption"]
    regions = [i["region"] for i in items] + [u["region"] for u in unpriced] + list(inv.regions)
    return {
        "items": items, "unpriced": unpriced, "not_priced": group_unpriced(unpriced), "by_use": by_use,
        "resources": resources, "covered": len(resources),
        "by_service": dict(sorted(by_service.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_region": dict(sorted(by_region.items())),
        "region_factors": region_factors(pb, regions),
        "total": round(sum(i["monthly"] for i in items), 2),
        "prices": pb.describe(),
        "assumptions": [
            f"On-demand list prices in USD, {pb.hours} hours per month, in each resource's region: outside "
            "us-east-1 the us-east-1 price times the region factor stated in the by-region table"
            + (" (live Price List prices, where used, are the region's own)" if pb.live else "") + ".",
            "Linux and shared tenancy unless the instance reports a Windows platform; Fargate tasks Linux/x86.",
            "RDS Multi-AZ doubles instance and storage; Aurora storage and I/O are billed by use and not estimated.",
            "Stopped instances cost nothing for compute; their EBS volumes are still charged.",
            "Snapshots are priced at the source volume's size, an upper bound (snapshots are incremental).",
            f"Lambda: {a['invocations_per_month']:,} invocations a month of {a['average_duration_ms']} ms each per function.",
            "Fargate services are priced per running task; EKS control planes at the standard-support rate.",
            "Every public IPv4 address is billed (Elastic or not): each is priced once, on the Elastic IP or on what "
            "holds it; an internet-facing load balancer without network interfaces in the scan counts one per AZ.",
            "Free tiers (CloudWatch alarms and dashboards, Lambda, ...) are not deducted.",
            "Data transfer, requests, load balancer capacity units, NAT and endpoint data processing, support plans "
            "and discounts (Savings Plans, Reserved Instances, credits) are not included.",
        ],
    }


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    pb = options.get("pricebook") or PriceBook()
    analysis.cost = estimate(inv, pb)


GLOBAL = GLOBAL_REGIONS  # re-exported for the 10.1 facts

"""Section 10.1: an estimated monthly cost for every priced resource, from the graph and a PriceBook.

On-demand prices, 730 hours a month, list prices of the resource's region.
Data transfer, requests and LCUs are not estimated (usage the graph cannot
see); anything whose price is unknown is listed as "not priced", never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner import naming
from scanner.analysis.model import Analysis
from scanner.analysis.prices import PriceBook
from scanner.inventory import Inventory

SERVICE = {
    "ec2:instance": "EC2", "ebs:volume": "EBS", "ebs:snapshot": "EBS snapshots", "rds:instance": "RDS",
    "rds:cluster": "RDS", "ec2:nat-gateway": "VPC (NAT gateways)", "elbv2:load-balancer": "Elastic Load Balancing",
    "elb:load-balancer": "Elastic Load Balancing", "ec2:elastic-ip": "VPC (public IPv4)",
    "elasticache:cluster": "ElastiCache", "dynamodb:table": "DynamoDB", "efs:file-system": "EFS",
    "lambda:function": "Lambda", "s3:bucket": "S3",
}


def _item(n: dict[str, Any], monthly: float, detail: str) -> dict[str, Any]:
    return {"id": n["id"], "name": naming.node_name(n), "kind": n["kind"], "service": SERVICE[n["kind"]],
            "region": n["region"], "monthly": round(monthly, 2), "detail": detail}


def _unpriced(n: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"id": n["id"], "name": naming.node_name(n), "kind": n["kind"], "region": n["region"], "reason": reason}


Result = tuple[float, str] | str | None  # (monthly, detail) | reason not priced | nothing to price


def price_instance(n: dict[str, Any], pb: PriceBook) -> Result:
    p = n["props"]
    state = (p.get("state") or "").lower()
    if state in ("stopped", "stopping", "terminated", "shutting-down"):
        return None  # no compute charge; its volumes are priced as EBS
    t = p.get("instance_type")
    windows = "windows" in (p.get("platform") or "").lower()
    hourly = pb.ec2_hourly(t, n["region"], windows=windows) if t else None
    if hourly is None:
        return f"instance type {t or 'unknown'} in {n['region']} is not in the price table"
    return hourly * pb.hours, f"{t}{' Windows' if windows else ''}, {pb.hours} h at ${hourly:.4f}/h"


def price_volume(n: dict[str, Any], pb: PriceBook) -> Result:
    p = n["props"]
    vt, size = p.get("volume_type"), p.get("size_gb")
    rate = pb.per_month("ebs_gb_month", n["region"], vt) if vt else None
    if rate is None or size is None:
        return f"volume type {vt or 'unknown'} in {n['region']} is not in the price table"
    monthly = rate * size
    detail = f"{size} GiB {vt} at ${rate:.3f}/GiB-month"
    iops, tput = p.get("iops") or 0, p.get("throughput") or 0
    if vt == "gp3":
        extra_iops = max(0, iops - pb.table["ebs_gp3_free_iops"])
        extra_tput = max(0, tput - pb.table["ebs_gp3_free_throughput"])
        if extra_iops or extra_tput:
            f = pb.factor(n["region"]) or 1.0
            monthly += f * (extra_iops * pb.table["ebs_gp3_iops_month"] + extra_tput * pb.table["ebs_gp3_throughput_mbps_month"])
            detail += f" + {extra_iops} IOPS, {extra_tput} MB/s above baseline"
    elif vt in ("io1", "io2") and iops:
        monthly += (pb.factor(n["region"]) or 1.0) * iops * pb.table["ebs_piops_month"]
        detail += f" + {iops} provisioned IOPS"
    return monthly, detail


def price_snapshot(n: dict[str, Any], pb: PriceBook) -> Result:
    size = n["props"].get("size_gb")
    rate = pb.per_month("ebs_snapshot_gb_month", n["region"])
    if size is None or rate is None:
        return "snapshot size unknown"
    return rate * size, f"up to {size} GiB (source volume size; snapshots are incremental) at ${rate:.3f}/GiB-month"


def price_db(n: dict[str, Any], pb: PriceBook) -> Result:
    p = n["props"]
    klass, engine = p.get("instance_class"), p.get("engine") or ""
    hourly = pb.rds_hourly(klass, engine, n["region"]) if klass else None
    if hourly is None:
        return f"database class {klass or 'unknown'} ({engine or 'unknown engine'}) in {n['region']} is not in the price table"
    aurora = engine.lower().startswith("aurora")
    copies = 2 if p.get("multi_az") and not aurora else 1
    monthly = hourly * pb.hours * copies
    detail = f"{klass} {engine}{' Multi-AZ (x2)' if copies == 2 else ''}, {pb.hours} h at ${hourly:.4f}/h"
    size, st = p.get("storage_gb"), p.get("storage_type") or "gp2"
    if size and not aurora:
        rate = pb.per_month("rds_storage_gb_month", n["region"], st) or pb.per_month("rds_storage_gb_month", n["region"], "gp2")
        if rate:
            monthly += rate * size * copies
            detail += f" + {size} GiB {st} storage"
        if st in ("io1", "io2") and p.get("iops"):
            monthly += (pb.factor(n["region"]) or 1.0) * p["iops"] * pb.table["rds_piops_month"] * copies
    elif aurora:
        detail += " (Aurora storage and I/O billed by use, not estimated)"
    return monthly, detail


def price_hourly_flat(key: str, label: str) -> Callable[[dict[str, Any], PriceBook], Result]:
    def fn(n: dict[str, Any], pb: PriceBook) -> Result:
        if (n["props"].get("state") or "available") in ("deleted", "deleting", "failed"):
            return None
        hourly = pb.per_month(key, n["region"])
        if hourly is None:
            return f"no {label} price for {n['region']}"
        return hourly * pb.hours, f"{label}, {pb.hours} h at ${hourly:.4f}/h (data processing not estimated)"
    return fn


def price_lb(n: dict[str, Any], pb: PriceBook) -> Result:
    lb_type = "classic" if n["kind"] == "elb:load-balancer" else (n["props"].get("type") or "application")
    hourly = pb.per_month("load_balancer_hourly", n["region"], lb_type)
    if hourly is None:
        return f"no price for {lb_type} load balancers in {n['region']}"
    return hourly * pb.hours, f"{lb_type} load balancer, {pb.hours} h at ${hourly:.4f}/h (capacity units not estimated)"


def price_eip(n: dict[str, Any], pb: PriceBook) -> Result:
    hourly = pb.per_month("public_ipv4_hourly", n["region"])
    if hourly is None:
        return f"no public IPv4 price for {n['region']}"
    state = "idle" if not n["props"].get("association_id") else "in use"
    return hourly * pb.hours, f"public IPv4 address ({state}), {pb.hours} h at ${hourly:.4f}/h"


def price_cache(n: dict[str, Any], pb: PriceBook) -> Result:
    p = n["props"]
    t, count = p.get("node_type"), p.get("num_nodes") or 1
    hourly = pb.cache_hourly(t, n["region"]) if t else None
    if hourly is None:
        return f"cache node type {t or 'unknown'} in {n['region']} is not in the price table"
    return hourly * pb.hours * count, f"{count} x {t}, {pb.hours} h at ${hourly:.4f}/h"


def price_table(n: dict[str, Any], pb: PriceBook) -> Result:
    p = n["props"]
    f = pb.factor(n["region"])
    if f is None:
        return f"no DynamoDB price for {n['region']}"
    storage_gb = (p.get("size_bytes") or 0) / 1e9
    storage = storage_gb * pb.table["dynamodb_storage_gb_month"] * f
    if (p.get("billing_mode") or "").upper() == "PROVISIONED":
        rcu, wcu = p.get("read_capacity") or 0, p.get("write_capacity") or 0
        for g in p.get("gsis") or []:
            if isinstance(g, dict):
                rcu += g.get("read_capacity") or 0
                wcu += g.get("write_capacity") or 0
        cap = (rcu * pb.table["dynamodb_rcu_hour"] + wcu * pb.table["dynamodb_wcu_hour"]) * pb.hours * f
        return cap + storage, f"provisioned {rcu} RCU / {wcu} WCU, {pb.hours} h + {storage_gb:.2f} GB storage"
    return storage, f"on-demand: {storage_gb:.2f} GB storage (requests billed by use, not estimated)"


def price_efs(n: dict[str, Any], pb: PriceBook) -> Result:
    size = n["props"].get("size_bytes")
    rate = pb.per_month("efs_gb_month", n["region"], "standard")
    if size is None or rate is None:
        return "file system size unknown"
    gb = size / 1024**3
    return gb * rate, f"{gb:.2f} GiB Standard at ${rate:.2f}/GiB-month"


def price_lambda(n: dict[str, Any], pb: PriceBook) -> Result:
    mem = n["props"].get("memory")
    f = pb.factor(n["region"])
    if not mem or f is None:
        return "memory size or region price unknown"
    a = pb.table["lambda_assumption"]
    gb_s = mem / 1024 * a["average_duration_ms"] / 1000 * a["invocations_per_month"]
    monthly = f * (gb_s * pb.table["lambda_gb_second"] + a["invocations_per_month"] / 1e6 * pb.table["lambda_per_million_requests"])
    return monthly, f"{mem} MB, assumed {a['invocations_per_month']:,} invocations x {a['average_duration_ms']} ms"


def price_bucket(n: dict[str, Any], pb: PriceBook) -> Result:
    size = n["props"].get("size_bytes")
    rate = pb.per_month("s3_standard_gb_month", n["region"])
    if size is None:
        return "bucket size unknown (CloudWatch BucketSizeBytes not readable or not yet published)"
    if rate is None:
        return f"no S3 price for {n['region']}"
    gb = size / 1e9
    return gb * rate, f"{gb:.2f} GB Standard at ${rate:.3f}/GB-month"


PRICERS: dict[str, Callable[[dict[str, Any], PriceBook], Result]] = {
    "ec2:instance": price_instance, "ebs:volume": price_volume, "ebs:snapshot": price_snapshot,
    "rds:instance": price_db, "ec2:nat-gateway": price_hourly_flat("nat_gateway_hourly", "NAT gateway"),
    "elbv2:load-balancer": price_lb, "elb:load-balancer": price_lb, "ec2:elastic-ip": price_eip,
    "elasticache:cluster": price_cache, "dynamodb:table": price_table, "efs:file-system": price_efs,
    "lambda:function": price_lambda, "s3:bucket": price_bucket,
}


def estimate(inv: Inventory, pb: PriceBook) -> dict[str, Any]:
    items, unpriced = [], []
    for kind, fn in PRICERS.items():
        for n in inv.nodes(kind):
            r = fn(n, pb)
            if r is None:
                continue
            if isinstance(r, str):
                unpriced.append(_unpriced(n, r))
            else:
                items.append(_item(n, *r))
    items.sort(key=lambda i: (-i["monthly"], i["id"]))
    by_service: dict[str, float] = {}
    by_region: dict[str, float] = {}
    for i in items:
        by_service[i["service"]] = round(by_service.get(i["service"], 0.0) + i["monthly"], 2)
        by_region[i["region"]] = round(by_region.get(i["region"], 0.0) + i["monthly"], 2)
    a = pb.table["lambda_assumption"]
    return {
        "items": items, "unpriced": unpriced,
        "by_service": dict(sorted(by_service.items(), key=lambda kv: -kv[1])),
        "by_region": dict(sorted(by_region.items())),
        "total": round(sum(i["monthly"] for i in items), 2),
        "prices": pb.describe(),
        "assumptions": [
            f"On-demand list prices in USD, {pb.hours} hours per month, in each resource's region.",
            "Linux and shared tenancy unless the instance reports a Windows platform.",
            "RDS Multi-AZ doubles instance and storage; Aurora storage and I/O are billed by use and not estimated.",
            "Stopped instances cost nothing for compute; their EBS volumes are still charged.",
            "Snapshots are priced at the source volume's size, an upper bound (snapshots are incremental).",
            f"Lambda: {a['invocations_per_month']:,} invocations a month of {a['average_duration_ms']} ms each per function.",
            "Data transfer, requests, load balancer capacity units, NAT data processing, support plans and "
            "discounts (Savings Plans, Reserved Instances, credits) are not included.",
        ],
    }


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    pb = options.get("pricebook") or PriceBook()
    analysis.cost = estimate(inv, pb)

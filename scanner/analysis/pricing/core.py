"""Pricers for compute, storage and databases: instances, volumes, snapshots, RDS, caches, tables,
file systems, functions, buckets, plus the small monthly charges of logs, parameters and pipelines."""

from __future__ import annotations

from typing import Any

from scanner.analysis.prices import PriceBook
from scanner.analysis.pricing import CostContext, Line, Pricer, Result, hours_line, month_line


def price_instance(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
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


def price_volume(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
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


def price_snapshot(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    size = n["props"].get("size_gb")
    rate = pb.per_month("ebs_snapshot_gb_month", n["region"])
    if size is None or rate is None:
        return "snapshot size unknown"
    return rate * size, f"up to {size} GiB (source volume size; snapshots are incremental) at ${rate:.3f}/GiB-month"


def price_db(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
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


def price_db_snapshot(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Manual snapshots are billed per GB-month; automated ones are free up to the database's size."""
    p = n["props"]
    if (p.get("type") or "").lower() != "manual":
        return None
    size = p.get("storage_gb")
    rate = pb.per_month("rds_snapshot_gb_month", n["region"])
    if size is None or rate is None:
        return "snapshot size unknown"
    return Line(rate * size, f"manual snapshot, up to {size} GiB (the database's allocated storage) "
                             f"at ${rate:.3f}/GiB-month")


def price_cache(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    t, count = p.get("node_type"), p.get("num_nodes") or 1
    hourly = pb.cache_hourly(t, n["region"]) if t else None
    if hourly is None:
        return f"cache node type {t or 'unknown'} in {n['region']} is not in the price table"
    return hourly * pb.hours * count, f"{count} x {t}, {pb.hours} h at ${hourly:.4f}/h"


def price_dax(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    t, count = p.get("node_type"), p.get("nodes") or 1
    if not t:
        return "node type unknown"
    r = hours_line(pb, n["region"], "dax_hourly", t, sub=t, count=count, unit="node")
    return r if isinstance(r, Line) else f"DAX node type {t} in {n['region']} is not in the price table"


def price_table(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
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
        return cap + storage, f"provisioned {rcu} RCU / {wcu} WCU (indexes included), {pb.hours} h + {storage_gb:.2f} GB storage"
    return storage, f"on-demand: {storage_gb:.2f} GB storage (requests billed by use, not estimated)"


def price_efs(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    size = n["props"].get("size_bytes")
    rate = pb.per_month("efs_gb_month", n["region"], "standard")
    if size is None or rate is None:
        return "file system size unknown"
    gb = size / 1024**3
    return gb * rate, f"{gb:.2f} GiB Standard at ${rate:.2f}/GiB-month"


def price_lambda(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    mem = n["props"].get("memory")
    f = pb.factor(n["region"])
    if not mem or f is None:
        return "memory size or region price unknown"
    a = pb.table["lambda_assumption"]
    gb_s = mem / 1024 * a["average_duration_ms"] / 1000 * a["invocations_per_month"]
    monthly = f * (gb_s * pb.table["lambda_gb_second"] + a["invocations_per_month"] / 1e6 * pb.table["lambda_per_million_requests"])
    return monthly, f"{mem} MB, assumed {a['invocations_per_month']:,} invocations x {a['average_duration_ms']} ms"


def price_bucket(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    size = n["props"].get("size_bytes")
    rate = pb.per_month("s3_standard_gb_month", n["region"])
    if size is None:
        return "bucket size unknown (CloudWatch BucketSizeBytes not readable or not yet published)"
    if rate is None:
        return f"no S3 price for {n['region']}"
    gb = size / 1e9
    return gb * rate, f"{gb:.2f} GB Standard at ${rate:.3f}/GB-month"


def price_log_group(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Stored log data; ingestion ($/GB ingested) is usage and not estimated."""
    size = n["props"].get("stored_bytes")
    rate = pb.per_month("logs_storage_gb_month", n["region"])
    if size is None:
        return "stored bytes unknown"
    if rate is None:
        return f"no CloudWatch Logs price for {n['region']}"
    gb = size / 1e9
    return Line(gb * rate, f"{gb:.2f} GB stored at ${rate:.3f}/GB-month (ingestion billed by use, not estimated)")


def price_parameter(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Standard parameters are free; advanced ones are billed per parameter-month."""
    tier = (n["props"].get("tier") or "").lower()
    if tier == "standard":
        return None
    if tier != "advanced":
        return "parameter tier unknown (standard parameters are free, advanced ones are billed monthly)"
    return month_line(pb, n["region"], "ssm_advanced_parameter_month", "advanced parameter")


def price_pipeline(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """V1 pipelines are billed per active pipeline-month; V2 per action-execution minute (usage)."""
    t = str(n["props"].get("pipeline_type") or "V1").upper()
    if t == "V2":
        return "V2 pipeline: billed per action-execution minute (usage the scan cannot see)"
    r = month_line(pb, n["region"], "codepipeline_v1_pipeline_month", "V1 pipeline (when active in the month)")
    return r


PRICERS: dict[str, Pricer] = {
    "ec2:instance": price_instance, "ebs:volume": price_volume, "ebs:snapshot": price_snapshot,
    "rds:instance": price_db, "rds:snapshot": price_db_snapshot, "elasticache:cluster": price_cache,
    "dax:cluster": price_dax, "dynamodb:table": price_table, "efs:file-system": price_efs,
    "lambda:function": price_lambda, "s3:bucket": price_bucket, "logs:log-group": price_log_group,
    "ssm:parameter": price_parameter, "codepipeline:pipeline": price_pipeline,
}

"""Pricers for managed services billed by the hour or month: EKS, Fargate, WAF, KMS, Secrets Manager,
Route 53, CloudWatch, and the data services (Redshift, OpenSearch, MSK, Kinesis, MemoryDB,
ElastiCache Serverless, RDS Proxy). Each prices from the props its kind spec promises."""

from __future__ import annotations

from typing import Any

from scanner import naming
from scanner.analysis.prices import PriceBook
from scanner.analysis.pricing import CostContext, Line, Pricer, Result, hours_line, month_line, vcpus_of
from scanner.plural import count_of

INACTIVE = ("deleting", "deleted", "failed", "creating-failed", "delete_failed", "inactive")


def _inactive(n: dict[str, Any]) -> bool:
    return str(n["props"].get("status") or "").lower() in INACTIVE


def _num(v: Any) -> float | None:
    """A number from a prop that may arrive as a string ("512"); None when it is not one."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


# --- containers ---------------------------------------------------------------------------------
def price_eks(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    if _inactive(n):
        return None
    r = hours_line(pb, n["region"], "eks_cluster_hourly", "EKS control plane (standard support)")
    return r


def price_nodegroup(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """A node group's EC2 hours, when its instances are not in the scan (else they are priced as EC2)."""
    p = n["props"]
    if ctx and any(a in ctx.instance_asgs for a in p.get("asg_names") or []):
        return None
    types = [t for t in p.get("instance_types") or [] if t]
    count = p.get("desired")
    if not types or count is None:
        return "instance type or desired size unknown"
    if count == 0:
        return None
    t = types[0]
    hourly = pb.ec2_hourly(t, n["region"])
    if hourly is None:
        return f"instance type {t} in {n['region']} is not in the price table"
    spot = str(p.get("capacity_type") or "").upper() == "SPOT"
    return Line(hourly * pb.hours * count,
                f"EKS node group of {p.get('cluster') or 'its cluster'}: {count} x {t} (desired size; the group's "
                f"instances were not in the scan), {pb.hours} h at "
                f"${hourly:.4f}/h{' on-demand price, Spot capacity costs less' if spot else ''}",
                service="EC2")


def _task_definition(n: dict[str, Any], ctx: CostContext | None) -> dict[str, Any] | None:
    if ctx is None:
        return None
    runs = ctx.out(n["id"], "runs")
    return runs[0] if runs else ctx.node(n["props"].get("task_definition"))


def price_fargate_service(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Fargate tasks: vCPU-hours and GB-hours of the task definition, per running task."""
    p = n["props"]
    if _inactive(n) or str(p.get("status") or "").upper() == "DRAINING":
        return None
    launch = str(p.get("launch_type") or "").upper()
    if launch in ("EC2", "EXTERNAL"):
        return None  # the cluster's instances are priced as EC2 (or are outside AWS)
    if not launch:
        return "capacity provider strategy: tasks are billed as Fargate or as the cluster's instances"
    td = _task_definition(n, ctx)
    if td is None:
        return "task definition not read: its vCPU and memory are unknown"
    cpu, mem = _num(td["props"].get("cpu")), _num(td["props"].get("memory"))
    if not cpu or not mem:
        return f"task definition {naming.node_name(td)} sets no task-level CPU or memory"
    running, desired = p.get("running"), p.get("desired")
    tasks = running if running is not None else desired
    if tasks is None:
        return "running task count unknown"
    vcpu, gb = cpu / 1024, mem / 1024
    arch = "x86_64"
    vr = pb.per_month("fargate_vcpu_hour", n["region"], arch)
    gr = pb.per_month("fargate_gb_hour", n["region"], arch)
    if vr is None or gr is None:
        return f"no Fargate price for {n['region']}"
    per_task = (vcpu * vr + gb * gr) * pb.hours
    basis = "running" if running is not None else "desired (running count not read)"
    detail = (f"{count_of(tasks, 'task', zero='0')} {basis} x ({vcpu:g} vCPU at ${vr:.5f}/h + {gb:g} GB at ${gr:.6f}/h), "
              f"{pb.hours} h, Linux/x86")
    if running is not None and desired is not None and desired != running:
        detail += f"; {desired} desired would cost ${per_task * desired:.2f}"
    return Line(per_task * tasks, detail)


# --- security and edge --------------------------------------------------------------------------
def price_web_acl(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    rules = n["props"].get("rule_count")
    acl, rule = pb.per_month("wafv2_web_acl_month", n["region"]), pb.per_month("wafv2_rule_month", n["region"])
    if acl is None or rule is None:
        return f"no WAF price for {n['region']}"
    if rules is None:
        return "rule count not read (web ACL $5.00/month plus $1.00 per rule)"
    return Line(acl + rule * rules, f"web ACL at ${acl:.2f}/month + {count_of(rules, 'rule')} at ${rule:.2f}/month "
                                    "(requests not estimated)")


def price_kms_key(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Customer managed keys cost a month each; AWS managed keys and keys pending deletion do not."""
    p = n["props"]
    if str(p.get("manager") or "").upper() != "CUSTOMER":
        return None
    if str(p.get("state") or "").lower() in ("pendingdeletion", "pendingreplicadeletion"):
        return None
    r = month_line(pb, n["region"], "kms_key_month", "customer managed key")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (requests and rotated key material not estimated)")
    return r


def price_secret(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    if n["props"].get("deleted"):
        return None
    r = month_line(pb, n["region"], "secretsmanager_secret_month", "secret")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (API calls not estimated)")
    return r


def price_hosted_zone(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    rank = ctx.zone_rank.get(n["id"], 0) if ctx else 0
    tier = "first_25" if rank < 25 else "after_25"
    r = month_line(pb, n["region"], "route53_hosted_zone_month", "hosted zone"
                   + (" (one of the first 25)" if tier == "first_25" else " (beyond the first 25)"), sub=tier)
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (queries not estimated)")
    return r


AWS_SUFFIXES = (".amazonaws.com", ".cloudfront.net", ".awsglobalaccelerator.com")


def price_health_check(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    if p.get("disabled"):
        return None
    target = str(p.get("target") or "")
    where = "aws" if target.endswith(AWS_SUFFIXES) else "non_aws"
    base = pb.per_month("route53_health_check_month", n["region"], where)
    extra = pb.per_month("route53_health_check_feature_month", n["region"], where)
    if base is None or extra is None:
        return f"no Route 53 health check price for {n['region']}"
    htype = str(p.get("type") or "").upper()
    features = [f for f, on in (("HTTPS", htype.startswith("HTTPS")), ("string matching", "STR_MATCH" in htype),
                                ("fast interval", p.get("interval") == 10)) if on]
    who = "AWS endpoint" if where == "aws" else "endpoint outside AWS"
    detail = f"health check of an {who} at ${base:.2f}/month"
    if features:
        detail += f" + {', '.join(features)} at ${extra:.2f}/month each"
    return Line(base + extra * len(features), detail)


def price_alarm(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    if p.get("composite"):
        sub, what = "composite", "composite alarm"
    elif (p.get("period") or 60) < 60:
        sub, what = "high_resolution", "high-resolution alarm"
    else:
        sub, what = "standard", "standard-resolution alarm"
    r = month_line(pb, n["region"], "cloudwatch_alarm_month", what, sub=sub)
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (free tier not deducted)")
    return r


def price_dashboard(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    r = month_line(pb, n["region"], "cloudwatch_dashboard_month", "dashboard")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (free tier not deducted)")
    return r


# --- data services (issue 12 kinds) -------------------------------------------------------------
def _typed_hours(pb: PriceBook, n: dict[str, Any], key: str, node_type: Any, count: Any, unit: str,
                 what: str) -> Line | str:
    if not node_type or count is None:
        return f"{what} type or count unknown"
    r = hours_line(pb, n["region"], key, str(node_type), sub=str(node_type), count=count, unit=unit)
    return r if isinstance(r, Line) else f"{what} type {node_type} in {n['region']} is not in the price table"


def price_redshift(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    if str(p.get("status") or "").lower() in ("paused", "deleting"):
        return None
    r = _typed_hours(pb, n, "redshift_node_hourly", p.get("node_type"), p.get("node_count") or 1, "node", "node")
    if isinstance(r, Line) and str(p.get("node_type") or "").startswith("ra3"):
        r = Line(r.monthly, r.detail + " (RA3 managed storage billed per GB-month, not estimated)")
    return r


def price_opensearch(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    if _inactive(n):
        return None
    data = _typed_hours(pb, n, "opensearch_instance_hourly", p.get("instance_type"), p.get("instance_count"),
                        "data node", "instance")
    if isinstance(data, str):
        return data
    lines = [data]
    if p.get("dedicated_master"):
        masters = _typed_hours(pb, n, "opensearch_instance_hourly", p.get("master_type"), p.get("master_count"),
                               "dedicated master", "master")
        if isinstance(masters, str):
            return masters
        lines.append(Line(masters.monthly, masters.detail, label="dedicated masters"))
    size = p.get("storage_gb")
    vt = str(p.get("volume_type") or "gp3")
    rate = pb.per_month("opensearch_storage_gb_month", n["region"], vt)
    if size:
        if rate is None:
            return f"no OpenSearch {vt} storage price for {n['region']}"
        lines.append(Line(rate * size, f"{size} GB {vt} EBS storage (all data nodes) at ${rate:.3f}/GB-month",
                          label="storage"))
    if p.get("warm_count"):
        lines[0] = Line(lines[0].monthly, lines[0].detail + f" ({count_of(p['warm_count'], 'UltraWarm node')} "
                                                            "not estimated)")
    return lines


def price_kafka(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    if p.get("serverless"):
        r = hours_line(pb, n["region"], "msk_serverless_cluster_hourly", "MSK Serverless cluster")
        return Line(r.monthly, r.detail + " (partitions, storage and data billed by use, not estimated)") \
            if isinstance(r, Line) else r
    brokers = p.get("broker_count")
    r = _typed_hours(pb, n, "msk_broker_hourly", p.get("instance_type"), brokers, "broker", "broker")
    if isinstance(r, str):
        return r
    lines = [r]
    size = p.get("storage_gb")
    rate = pb.per_month("msk_storage_gb_month", n["region"])
    if size and rate is not None:
        lines.append(Line(rate * size * brokers, f"{brokers} x {size} GB broker storage at ${rate:.2f}/GB-month",
                          label="storage"))
    return lines


def price_stream(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    mode = str(p.get("mode") or "").upper()
    if mode == "ON_DEMAND":
        r = hours_line(pb, n["region"], "kinesis_on_demand_stream_hour", "on-demand stream")
        return Line(r.monthly, r.detail + " (data in and out billed per GB, not estimated)") if isinstance(r, Line) else r
    shards = p.get("shard_count")
    if mode != "PROVISIONED" or shards is None:
        return "capacity mode or shard count unknown"
    r = hours_line(pb, n["region"], "kinesis_shard_hour", "shard", count=shards, unit="shard")
    if isinstance(r, str):
        return r
    lines = [Line(r.monthly, r.detail + " (PUT payload units not estimated)")]
    retention = p.get("retention_hours") or 24
    if 24 < retention <= 168:
        ext = hours_line(pb, n["region"], "kinesis_extended_retention_shard_hour", "extended retention",
                         count=shards, unit="shard")
        if isinstance(ext, Line):
            lines.append(Line(ext.monthly, ext.detail + f" ({retention} h retention)", label="retention"))
    elif retention > 168:
        lines[0] = Line(lines[0].monthly, lines[0].detail + f"; long-term retention ({retention} h) billed per GB, "
                                                            "not estimated")
    return lines


def price_memorydb(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    p = n["props"]
    if _inactive(n):
        return None
    nodes = p.get("nodes")
    if nodes is None and p.get("shards") is not None:
        nodes = p["shards"] * (1 + (p.get("replicas_per_shard") or 0))
    r = _typed_hours(pb, n, "memorydb_hourly", p.get("node_type"), nodes, "node", "node")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (data written and snapshots not estimated)")
    return r


def price_serverless_cache(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """The minimum stored data every serverless cache is metered for; more data and ECPUs are usage."""
    if _inactive(n):
        return None
    engine = str(n["props"].get("engine") or "").lower()
    m = pb.table.get("elasticache_serverless_minimum", {}).get(engine)
    f = pb.factor(n["region"])
    if not m or f is None:
        return f"no serverless price for engine {engine or 'unknown'} in {n['region']}"
    rate = m["gb_hour"] * f
    return Line(rate * m["min_gb"] * pb.hours,
                f"minimum {m['min_gb']:g} GB stored, {pb.hours} h at ${rate:.4f}/GB-hour "
                "(data above the minimum and ECPUs billed by use, not estimated)")


def price_rds_proxy(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Per vCPU-hour of the databases behind it (minimum 2 vCPUs), when the targets' classes are known."""
    targets = n["props"].get("targets")
    if not targets:
        return "targets not read: the proxy is billed per vCPU of its databases"
    dbs: dict[str, dict[str, Any]] = {}
    for t in targets:
        found = (ctx.databases_by_identifier.get(str(t)) if ctx else None) or []
        if not found:
            return f"target {t} not in the scan: its vCPUs are unknown"
        dbs.update({d["id"]: d for d in found})
    vcpus = 0
    for d in dbs.values():
        v = vcpus_of(pb, d["props"].get("instance_class"))
        if v is None:
            return f"vCPUs of {d['props'].get('instance_class') or 'an unknown class'} are unknown (Serverless v2 is billed per ACU)"
        vcpus += v
    billed = max(vcpus, int(pb.table.get("rds_proxy_min_vcpus", 2)))
    r = hours_line(pb, n["region"], "rds_proxy_vcpu_hour", "vCPU of its targets", count=billed, unit="vCPU")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + f" ({count_of(dbs, 'database instance')})")
    return r


PRICERS: dict[str, Pricer] = {
    "eks:cluster": price_eks, "eks:nodegroup": price_nodegroup, "ecs:service": price_fargate_service,
    "wafv2:web-acl": price_web_acl, "kms:key": price_kms_key, "secretsmanager:secret": price_secret,
    "route53:hosted-zone": price_hosted_zone, "route53:health-check": price_health_check,
    "cloudwatch:alarm": price_alarm, "cloudwatch:dashboard": price_dashboard,
    "redshift:cluster": price_redshift, "opensearch:domain": price_opensearch, "kafka:cluster": price_kafka,
    "kinesis:stream": price_stream, "memorydb:cluster": price_memorydb,
    "elasticache:serverless-cache": price_serverless_cache, "rds:proxy": price_rds_proxy,
}

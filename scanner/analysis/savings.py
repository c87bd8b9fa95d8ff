"""Section 10.2: savings opportunities with dollar figures, each a finding with its evidence.

Runs after the cost estimate (it prices what it proposes with the same
PriceBook) and after the findings engine. Every figure states its assumption;
where the account cannot tell (utilisation, access patterns) the assumption
is the conservative one and is written into the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from scanner import naming, status
from scanner.analysis.cost import price_db, price_volume
from scanner.analysis.findings import PRICED_EQUIVALENTS, fold_priced_duplicates
from scanner.analysis.model import STATUS_NOT_ASSESSED, STATUS_OPEN, Analysis, Finding
from scanner.analysis.prices import PriceBook
from scanner.analysis.rules._util import count_of
from scanner.context import age_days
from scanner.inventory import Inventory

SECTION = "10.2"
OLD_SNAPSHOT_DAYS = 180
SAVINGS_PLAN_DISCOUNT = 0.28   # 1-year Compute Savings Plan, no upfront: typical discount on EC2 on-demand
RDS_RI_DISCOUNT = 0.31         # 1-year RDS Reserved Instance, no upfront: typical discount
FIXED_CAPACITY_WASTE = 0.5     # fixed provisioned capacity typically runs at 30-50% utilisation
IA_SHARE = 0.5                 # share of a bucket assumed cold enough for Standard-IA
S3_IA_GB_MONTH = 0.0125

#: previous generation family -> current family suggested (same size names)
CURRENT_FAMILY = {"t2": "t3", "m3": "m6i", "m4": "m6i", "c3": "c6i", "c4": "c6i", "r3": "r6i", "r4": "r6i",
                  "m5": "m6i", "c5": "c6i", "r5": "r6i", "i2": "i3", "m1": "m6i", "c1": "c6i", "t1": "t3"}
PREVIOUS_GENERATION = {"t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "g2", "d2"}


#: rule id -> (title, severity): said once, for open and not-assessed findings alike
RULE_META: dict[str, tuple[str, str]] = {
    "SAV-001": ("Unattached EBS volume", "low"),
    "SAV-002": ("Idle Elastic IP address", "low"),
    "SAV-003": ("gp2 volume: gp3 is cheaper for the same baseline", "low"),
    "SAV-004": ("Previous-generation instance type", "low"),
    "SAV-005": ("Stopped instance still paying for its EBS volumes", "low"),
    "SAV-006": (f"EBS snapshot older than {OLD_SNAPSHOT_DAYS} days", "low"),
    "SAV-007": ("DynamoDB table with fixed provisioned capacity and no autoscaling", "low"),
    "SAV-008": ("One NAT gateway per AZ: a shared gateway would cost less (trade-off)", "info"),
    "SAV-009": ("S3 bucket without lifecycle rules", "info"),
    "SAV-010": ("Steady Auto Scaling capacity on on-demand prices", "info"),
    "SAV-011": ("Always-on database on on-demand prices", "info"),
}


def _f(rule: str, resources: list[str], evidence: list[str], remediation: str, savings: float | None) -> Finding:
    title, severity = RULE_META[rule]
    return Finding(rule=rule, title=title, severity=severity, section=SECTION, category="cost",
                   resources=resources, evidence=evidence, remediation=remediation,
                   savings_monthly=round(savings, 2) if savings is not None else None)


def unattached_volumes(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for v in inv.nodes("ebs:volume"):
        if v["props"].get("state") == "available" and not v["props"].get("attached_instance_ids"):
            r = price_volume(v, pb)
            cost = r[0] if isinstance(r, tuple) else None
            yield _f("SAV-001", [v["id"]],
                     [f"{naming.node_label(v)} ({v['props'].get('size_gb')} GiB {v['props'].get('volume_type')}) "
                      f"is attached to nothing",
                      _basis(r)],
                     "Snapshot the volume if its data may be needed, then delete it.", cost)


def _basis(r: object) -> str:
    """How a priced resource is billed (the pricer's basis), for evidence that says where a figure comes from."""
    if isinstance(r, tuple):
        return f"billed ${float(r[0]):,.2f}/month ({r[1]})"
    return f"not priced ({r})" if isinstance(r, str) else "not priced"


def idle_eips(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for e in inv.nodes("ec2:elastic-ip"):
        if not e["props"].get("association_id"):
            hourly = pb.per_month("public_ipv4_hourly", e["region"])
            yield _f("SAV-002", [e["id"]],
                     [f"{e['props'].get('public_ip')} is allocated but associated with nothing",
                      f"billed ${hourly * pb.hours:.2f}/month ({pb.hours} h at ${hourly:.4f}/h)" if hourly
                      else f"no public IPv4 price for {e['region']}"],
                     "Release the address (or associate it with the resource that needs it).",
                     hourly * pb.hours if hourly else None)


def gp2_volumes(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for v in inv.nodes("ebs:volume"):
        p = v["props"]
        if p.get("volume_type") != "gp2" or not p.get("size_gb"):
            continue
        gp2 = pb.per_month("ebs_gb_month", v["region"], "gp2")
        gp3 = pb.per_month("ebs_gb_month", v["region"], "gp3")
        if gp2 is None or gp3 is None:
            continue
        yield _f("SAV-003", [v["id"]],
                 [f"{naming.node_label(v)}: {p['size_gb']} GiB gp2",
                  f"{naming.node_label(v)}: gp2 at ${gp2:.3f}/GiB-month vs gp3 at ${gp3:.3f}/GiB-month"],
                 "Modify the volume type to gp3 in place (no downtime); gp3 includes 3,000 IOPS and 125 MB/s.",
                 (gp2 - gp3) * p["size_gb"])


def family_of(instance_type: str) -> tuple[str, str] | None:
    m = re.match(r"^([a-z]+\d+[a-z]*)\.(.+)$", instance_type or "")
    return (m.group(1), m.group(2)) if m else None


def previous_generation(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for i in inv.nodes("ec2:instance"):
        t = i["props"].get("instance_type") or ""
        fam = family_of(t)
        if not fam or fam[0] not in PREVIOUS_GENERATION or (i["props"].get("state") or "") != "running":
            continue
        target = f"{CURRENT_FAMILY.get(fam[0], 'm6i')}.{fam[1]}"
        now, new = pb.ec2_hourly(t, i["region"]), pb.ec2_hourly(target, i["region"])
        saving = (now - new) * pb.hours if now is not None and new is not None and now > new else None
        yield _f("SAV-004", [i["id"]],
                 [f"{naming.node_label(i)} runs {t}" + (f" (${now:.4f}/h); {target} costs ${new:.4f}/h"
                                                                 if now and new else "")],
                 f"Move to {target} (or a Graviton type such as {target.replace('6i', '7g').replace('t3', 't4g')} after "
                 "testing): better price-performance and current hypervisor features.", saving)


def stopped_instances(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for i in inv.nodes("ec2:instance"):
        if (i["props"].get("state") or "") != "stopped":
            continue
        vols = [v for v in inv.nodes("ebs:volume") if i["props"].get("instance_id") in (v["props"].get("attached_instance_ids") or [])]
        cost = 0.0
        for v in vols:
            r = price_volume(v, pb)
            if isinstance(r, tuple):
                cost += r[0]
        yield _f("SAV-005", [i["id"], *(v["id"] for v in vols)],
                 [f"{naming.node_label(i)} is stopped with {count_of(len(vols), 'attached volume')} "
                  f"({sum(v['props'].get('size_gb') or 0 for v in vols)} GiB)"],
                 "If the instance is no longer needed, create an AMI or snapshot and terminate it.",
                 cost if vols else None)


def old_snapshots(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    rate_cache: dict[str, float | None] = {}
    for s in inv.nodes("ebs:snapshot"):
        age = s["props"].get("age_days")
        if age is None:
            age = age_days(s["props"].get("start_time"))
        if age is None or age < OLD_SNAPSHOT_DAYS:
            continue
        rate = rate_cache.setdefault(s["region"], pb.per_month("ebs_snapshot_gb_month", s["region"]))
        size = s["props"].get("size_gb")
        yield _f("SAV-006", [s["id"]],
                 [f"{naming.node_label(s)} is {age} days old ({size} GiB source volume)",
                  f"{naming.node_label(s)}: at most {size} GiB at ${rate:.3f}/GiB-month" if rate and size
                  else f"{naming.node_label(s)}: size or price unknown, so the saving is not estimated"],
                 "Delete snapshots no retention policy needs, or move them to the snapshot archive tier; "
                 "manage retention with Data Lifecycle Manager or AWS Backup.",
                 rate * size if rate and size else None)


def dynamodb_fixed_capacity(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for t in inv.nodes("dynamodb:table"):
        p = t["props"]
        if (p.get("billing_mode") or "").upper() != "PROVISIONED" or p.get("autoscaling"):
            continue
        rcu, wcu = p.get("read_capacity") or 0, p.get("write_capacity") or 0
        f = pb.factor(t["region"])
        if f is None or (rcu + wcu) == 0:
            continue
        cost = (rcu * pb.table["dynamodb_rcu_hour"] + wcu * pb.table["dynamodb_wcu_hour"]) * pb.hours * f
        yield _f("SAV-007", [t["id"]],
                 [f"{naming.node_name(t)}: {rcu} RCU / {wcu} WCU provisioned (${cost:.2f}/month), no Application Auto Scaling "
                  f"target; saving assumes the typical 30-50% utilisation of fixed capacity"],
                 "Enable auto scaling (target 70%) or switch to on-demand for spiky or low traffic.",
                 cost * FIXED_CAPACITY_WASTE)


def nat_per_az(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    by_vpc: dict[str, list[dict[str, Any]]] = {}
    for n in inv.nodes("ec2:nat-gateway"):
        if (n["props"].get("state") or "available") == "available" and n["props"].get("connectivity", "public") != "private":
            by_vpc.setdefault(n["props"].get("vpc_id") or "?", []).append(n)
    for vpc, nats in sorted(by_vpc.items()):
        if len(nats) < 2:
            continue
        hourly = pb.per_month("nat_gateway_hourly", nats[0]["region"])
        yield _f("SAV-008", [n["id"] for n in nats],
                 [f"{vpc} has {len(nats)} NAT gateways ({', '.join(sorted(str(n['props'].get('az')) for n in nats))})",
                  "trade-off: one shared NAT gateway removes AZ independence (an AZ outage cuts egress for all "
                  "private subnets) and adds cross-AZ data charges"],
                 "Keep one NAT gateway per AZ for production; for non-production VPCs a single NAT gateway "
                 "(or VPC endpoints for S3/DynamoDB traffic) is usually enough.",
                 (len(nats) - 1) * hourly * pb.hours if hourly else None)


def buckets_without_lifecycle(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for b in inv.nodes("s3:bucket"):
        p = b["props"]
        if p.get("lifecycle_rules") not in (None, 0, []):
            continue
        if p.get("lifecycle_rules") is None:
            continue  # the lifecycle configuration could not be read: no claim either way
        size = p.get("size_bytes")
        std = pb.per_month("s3_standard_gb_month", b["region"])
        saving = None
        evidence = [f"{naming.node_name(b)} has no lifecycle rules"]
        if size and std:
            f = pb.factor(b["region"]) or 1.0
            saving = size / 1e9 * IA_SHARE * (std - S3_IA_GB_MONTH * f)
            evidence.append(f"{size / 1e9:.1f} GB stored; saving assumes {int(IA_SHARE * 100)}% of it is "
                            "rarely read and moves to Standard-IA after 30 days")
        else:
            evidence.append("bucket size unknown, so the saving is not estimated")
        yield _f("SAV-009", [b["id"]], evidence,
                 "Add lifecycle rules: transition to Standard-IA or Intelligent-Tiering, expire old versions "
                 "and incomplete multipart uploads.", saving)


def steady_asgs(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for g in inv.nodes("autoscaling:group"):
        p = g["props"]
        base = p.get("min") or 0
        if base < 1:
            continue
        members = [i for i in inv.into(g["id"], "member_of", "ec2:instance")]
        types = p.get("instance_types") or [m["props"].get("instance_type") for m in members]
        t = next((x for x in types if x), None)
        hourly = pb.ec2_hourly(t, g["region"]) if t else None
        if hourly is None:
            continue
        steady = base * hourly * pb.hours
        yield _f("SAV-010", [g["id"]],
                 [f"{naming.node_name(g)} keeps at least {base} x {t} running (${steady:.2f}/month on demand); "
                  f"saving assumes a 1-year Compute Savings Plan, no upfront (~{int(SAVINGS_PLAN_DISCOUNT * 100)}%)"],
                 "Cover the group's minimum capacity with a Compute Savings Plan (or Reserved Instances).",
                 steady * SAVINGS_PLAN_DISCOUNT)


def steady_databases(inv: Inventory, pb: PriceBook) -> Iterator[Finding]:
    for d in inv.nodes("rds:instance"):
        if (d["props"].get("status") or "available") != "available":
            continue
        r = price_db(d, pb)
        if not isinstance(r, tuple):
            continue
        # a Reserved Instance discounts the instance hours only, not storage or IOPS
        p = d["props"]
        hourly = pb.rds_hourly(p.get("instance_class"), p.get("engine") or "", d["region"])
        copies = 2 if p.get("multi_az") and not str(p.get("engine") or "").lower().startswith("aurora") else 1
        instance = (hourly or 0) * pb.hours * copies
        yield _f("SAV-011", [d["id"]],
                 [f"{naming.node_name(d)}: {r[1]} = ${r[0]:.2f}/month on demand, of which ${instance:.2f} instance hours; "
                  f"saving assumes a 1-year RDS Reserved Instance, no upfront (~{int(RDS_RI_DISCOUNT * 100)}% on "
                  f"the instance hours)"],
                 "Buy a Reserved Instance for databases that run all year.", instance * RDS_RI_DISCOUNT)


#: (function, its rule id, services whose reads it needs)
RULES: tuple[tuple[Callable[[Inventory, PriceBook], Iterator[Finding]], str, tuple[str, ...]], ...] = (
    (unattached_volumes, "SAV-001", ("ec2",)), (idle_eips, "SAV-002", ("ec2",)), (gp2_volumes, "SAV-003", ("ec2",)),
    (previous_generation, "SAV-004", ("ec2",)), (stopped_instances, "SAV-005", ("ec2",)),
    (old_snapshots, "SAV-006", ("ec2",)),
    (dynamodb_fixed_capacity, "SAV-007", ("dynamodb", "application-autoscaling")), (nat_per_az, "SAV-008", ("ec2",)),
    (buckets_without_lifecycle, "SAV-009", ("s3",)), (steady_asgs, "SAV-010", ("autoscaling",)),
    (steady_databases, "SAV-011", ("rds",)),
)


#: savings rules whose first evidence line describes the resource (the twin rule already does)
DESCRIBED_FIRST = ("SAV-001", "SAV-002", "SAV-003", "SAV-006")


def drop_twin_descriptions(analysis: Analysis) -> None:
    """Keep only the price basis of a savings finding that will fold into its twin rule finding."""
    open_ = {(f.rule, tuple(f.resources)) for f in analysis.findings if f.status == STATUS_OPEN}
    for f in analysis.findings:
        twin = PRICED_EQUIVALENTS.get(f.rule)
        if f.rule in DESCRIBED_FIRST and f.status == STATUS_OPEN and (twin, tuple(f.resources)) in open_:
            f.evidence = f.evidence[1:] or f.evidence


def _blocked(inv: Inventory, services: tuple[str, ...]) -> str | None:
    bad = status.blocked_runs(inv.meta.get("runs", []), services=services)
    if not bad:
        return None
    r = bad[0]
    return f"{r['collector']} in {r['region']} was {r['status']}" + (f" ({r['action']})" if r.get("action") else "")


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    pb = options.get("pricebook") or PriceBook()
    for fn, rule, services in RULES:
        reason = _blocked(inv, services)
        if reason:
            analysis.findings.append(Finding(rule=rule, title=RULE_META[rule][0], severity="info", section=SECTION, category="cost",
                                             resources=[], evidence=[], remediation="", status=STATUS_NOT_ASSESSED,
                                             reason=reason))
            continue
        analysis.findings.extend(fn(inv, pb))
    # a problem the rules engine already reports (e.g. an unattached volume) is shown once,
    # under the engine's rule id, carrying the dollar figure priced here; its description is
    # the engine's, so only the price basis is added (evidence never says the same thing twice)
    drop_twin_descriptions(analysis)
    fold_priced_duplicates(analysis)
    total = sum(f.savings_monthly or 0 for f in analysis.findings if f.status == STATUS_OPEN)
    analysis.cost["savings_total"] = round(total, 2)

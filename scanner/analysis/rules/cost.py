"""Cost rules: idle or outdated resources. Dollar figures come from the cost step where it priced them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner import naming
from scanner.analysis.findings import Hit, RuleContext, rule

OLD_SNAPSHOT_DAYS = 365


def _saving(ctx: RuleContext, node_id: str) -> float | None:
    """A monthly dollar figure for the resource if the cost step priced it (else None)."""
    items = (ctx.analysis.cost or {}).get("resources") or {}
    item: Any = items.get(node_id) if isinstance(items, dict) else None
    if isinstance(item, dict):
        val = item.get("monthly")
        return float(val) if isinstance(val, int | float) else None
    return float(item) if isinstance(item, int | float) else None


@rule("COST-001", "EBS volume not attached to any instance", severity="low", section="10.2", category="cost",
      needs=("ec2:DescribeVolumes",),
      remediation="Snapshot the volume if its data is needed, then delete it; unattached volumes are "
                  "billed in full.")
def unattached_volume(ctx: RuleContext) -> Iterator[Hit]:
    for v in ctx.nodes("ebs:volume"):
        p = v["props"]
        if p.get("state") == "available" or (p.get("state") is None and p.get("attached_instance_ids") == []):
            yield Hit([v["id"]], [f"{naming.node_label(v)} {p.get('volume_type')} {p.get('size_gb')} GiB state "
                                  f"{p.get('state')}, attached to nothing"], savings_monthly=_saving(ctx, v["id"]))


@rule("COST-002", "Elastic IP not associated", severity="low", section="10.2", category="cost",
      needs=("ec2:DescribeAddresses",),
      remediation="Release the address (release-address) if nothing needs it; every public IPv4 address "
                  "is billed hourly.")
def idle_eip(ctx: RuleContext) -> Iterator[Hit]:
    for e in ctx.nodes("ec2:elastic-ip"):
        p = e["props"]
        if not (p.get("association_id") or p.get("instance_id") or p.get("eni_id")):
            yield Hit([e["id"]], [f"Elastic IP {p.get('public_ip')} ({p.get('allocation_id')}) is not associated"],
                      savings_monthly=_saving(ctx, e["id"]))


@rule("COST-003", "gp2 volume (gp3 is about 20% cheaper)", severity="low", section="10.2", category="cost",
      needs=("ec2:DescribeVolumes",),
      remediation="Modify the volume to gp3 in place (modify-volume --volume-type gp3); gp3 costs less per "
                  "GiB and gives 3,000 IOPS and 125 MB/s baseline regardless of size.")
def gp2_volume(ctx: RuleContext) -> Iterator[Hit]:
    for v in ctx.nodes("ebs:volume"):
        if v["props"].get("volume_type") == "gp2":
            yield Hit([v["id"]], [f"{naming.node_label(v)} gp2 {v['props'].get('size_gb')} GiB"],
                      savings_monthly=_saving(ctx, v["id"]))


@rule("COST-004", "EBS snapshot older than a year", severity="info", section="10.2", category="cost",
      needs=("ec2:DescribeSnapshots",),
      remediation="Review old snapshots: delete those no longer needed or manage them with Data Lifecycle "
                  "Manager / AWS Backup retention; archive long-term copies to the snapshot archive tier.")
def old_snapshot(ctx: RuleContext) -> Iterator[Hit]:
    for s in ctx.nodes("ebs:snapshot"):
        age = s["props"].get("age_days")
        if isinstance(age, int | float) and age > OLD_SNAPSHOT_DAYS:
            yield Hit([s["id"]], [f"{naming.node_label(s)} is {age} days old ({s['props'].get('size_gb')} GiB)"],
                      savings_monthly=_saving(ctx, s["id"]))

"""Section 8.1 facts (horizontal scaling): EC2 Auto Scaling groups with their policies and
schedules, Application Auto Scaling targets, and what could scale but nothing does.

Pure functions of the Inventory returning rows of plain strings/numbers; a policy list that
could not be read says so (``unread_or``) instead of "none".
"""

from __future__ import annotations

from typing import Any

from renderers.facts.instances import props, subnet_tier
from renderers.facts.storage import unread_or
from renderers.plural import count_of
from scanner import naming, status
from scanner.inventory import Inventory


def scaling_of(inv: Inventory, asg_id: str) -> tuple[list[str], list[str]]:
    """(policies, scheduled actions) that scale one group, as short phrases."""
    pols, sched = [], []
    for src in inv.into(asg_id, "scales"):
        p = props(src)
        if src.get("kind") == "autoscaling:policy":
            if p.get("target_value") is not None:
                pols.append(f"{p.get('name')}: target tracking {p.get('metric')} at {p.get('target_value'):g}")
            else:
                pols.append(f"{p.get('name')}: {p.get('policy_type')} {p.get('adjustment') or ''} "
                            f"{('on ' + p['metric']) if p.get('metric') else ''}".strip())
        elif src.get("kind") == "autoscaling:scheduled-action":
            when = p.get("recurrence") or p.get("start_time") or "once"
            sched.append(f"{p.get('name')}: {when} → min {_dash(p.get('min'))}/desired "
                         f"{_dash(p.get('desired'))}/max {_dash(p.get('max'))}")
    return sorted(pols), sorted(sched)


def _dash(v: Any) -> str:
    return "-" if v is None else str(v)


def asg_rows(inv: Inventory) -> list[list[Any]]:
    """Group, min/desired/max, in service, AZ span, subnet tiers, health check, types, policies, schedules."""
    rows = []
    for g in inv.nodes("autoscaling:group"):
        p = props(g)
        pols, sched = scaling_of(inv, g["id"])
        tiers = sorted({subnet_tier(inv, s["id"]) for s in inv.out(g["id"], "in_subnet")})
        azs = p.get("azs") or []
        rows.append([p.get("name") or g.get("name"), f"{_dash(p.get('min'))} / {_dash(p.get('desired'))} / "
                     f"{_dash(p.get('max'))}", len(p.get("instance_ids") or []),
                     f"{count_of(azs, 'AZ')} ({', '.join(azs)})" if azs else "unknown", ", ".join(tiers) or "-",
                     p.get("health_check_type"), ", ".join(p.get("instance_types") or []) or "-",
                     "; ".join(pols) or unread_or(inv, g, "none (fixed size)", "autoscaling:DescribePolicies"),
                     "; ".join(sched) or unread_or(inv, g, "none", "autoscaling:DescribeScheduledActions")])
    return rows


def asg_summary(inv: Inventory) -> dict[str, Any]:
    groups = inv.nodes("autoscaling:group")
    return {"count": len(groups),
            "instances": sum(len(props(g).get("instance_ids") or []) for g in groups),
            "single_az": [g.get("name") for g in groups if len(props(g).get("azs") or []) < 2],
            "no_policy": [g.get("name") for g in groups if not scaling_of(inv, g["id"])[0]
                          and not status.unread(inv.meta, g.get("region"), "autoscaling:DescribePolicies")]}


def app_scaling_rows(inv: Inventory) -> list[list[Any]]:
    """Application Auto Scaling targets: service, resource, dimension, min/max, policies, schedules."""
    rows = []
    for t in inv.nodes("application-autoscaling:target"):
        p = props(t)
        pols = [f"{props(s).get('name')}: {props(s).get('metric') or props(s).get('policy_type')}"
                + (f" at {props(s)['target_value']:g}" if props(s).get("target_value") is not None else "")
                for s in inv.into(t["id"], "scales", kind="application-autoscaling:policy")]
        sched = [f"{props(s).get('name')}: {props(s).get('schedule')} → {_dash(props(s).get('min'))} - "
                 f"{_dash(props(s).get('max'))}"
                 for s in inv.into(t["id"], "scales", kind="application-autoscaling:scheduled-action")]
        scaled = next((naming.name(inv, r["id"]) for r in inv.out(t["id"], "scales")), None)
        rows.append([p.get("service_namespace"), scaled or p.get("resource_id"), p.get("scalable_dimension"),
                     f"{_dash(p.get('min'))} - {_dash(p.get('max'))}", "; ".join(sorted(pols)) or "none",
                     "; ".join(sorted(sched)) or "none"])
    return rows


def app_scaling_candidates(inv: Inventory) -> str:
    """Resources Application Auto Scaling could scale but nothing does: ECS services, provisioned
    DynamoDB tables and Aurora clusters without a scalable target ("" when there are none)."""
    scaled = {r["id"] for t in inv.nodes("application-autoscaling:target") for r in inv.out(t["id"], "scales")}
    found = [f"ECS service {s.get('name')}" for s in inv.nodes("ecs:service") if s["id"] not in scaled]
    found += [f"DynamoDB table {t.get('name')} (provisioned)" for t in inv.nodes("dynamodb:table")
              if props(t).get("billing_mode") == "PROVISIONED" and t["id"] not in scaled]
    found += [f"Aurora cluster {c.get('name')}" for c in inv.nodes("rds:cluster")
              if str(props(c).get("engine") or "").startswith("aurora") and c["id"] not in scaled]
    return ", ".join(found[:20]) + (f" and {len(found) - 20} more" if len(found) > 20 else "")

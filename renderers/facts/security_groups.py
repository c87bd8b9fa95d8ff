"""Facts for section 5.2: what uses each security group (the table and the security diagram count
the same resources, in the same words)."""

from __future__ import annotations

from typing import Any

from scanner import kinds
from scanner.inventory import Inventory

# --- 5.2 security groups: what uses each one ----------------------------------------------

#: kinds that reference a group without being a resource behind it (a template's future instances)
_NOT_USERS = frozenset({"ec2:launch-template"})


def sg_users(inv: Inventory, sg_id: str) -> list[dict[str, Any]]:
    """The resources a security group protects: every ``protected_by`` source except launch
    templates, and except network interfaces that belong to a resource already counted (attached
    to it, or carrying its private address, as an EFS mount target's interface does). The 5.2
    table and the security diagram both count these, in the same words (:func:`used_by_text`)."""
    users = [n for n in inv.into(sg_id, "protected_by") if not n.get("external") and n.get("kind") not in _NOT_USERS]
    owners = [n for n in users if n.get("kind") != "ec2:network-interface"]
    ips = {str(v) for n in owners for k in ("ip", "private_ip") if (v := (n.get("props") or {}).get(k))}
    out = list(owners)
    for n in users:
        if n.get("kind") != "ec2:network-interface":
            continue
        p = n.get("props") or {}
        if p.get("attached_to") or (p.get("private_ip") and str(p["private_ip"]) in ips):
            continue
        out.append(n)
    return out


def used_by_text(inv: Inventory, sg_id: str, empty: str = "nothing") -> str:
    """"2 EC2 instances, 1 ECS service" (kinds.count per kind), or ``empty``."""
    by_kind: dict[str, int] = {}
    for n in sg_users(inv, sg_id):
        by_kind[n["kind"]] = by_kind.get(n["kind"], 0) + 1
    return ", ".join(kinds.count(k, c) for k, c in sorted(by_kind.items(), key=lambda kv: kinds.plural(kv[0]).lower())) or empty


def security_group_rows(inv: Inventory, default: bool = False) -> list[list[Any]]:
    """The network facts' security group rows (facts.network), with "Used by" naming what is
    attached by kind (:func:`used_by_text`), as the security diagram does."""
    from renderers.facts import network

    groups = [g for g in inv.nodes("ec2:security-group") if bool(g["props"].get("is_default")) == default]
    rows = network.security_group_rows(inv, default=default)
    if len(rows) != len(groups):  # the network rows changed shape: keep them as they are
        return rows
    return [[*row[:-1], used_by_text(inv, g["id"])] for g, row in zip(groups, rows, strict=True)]

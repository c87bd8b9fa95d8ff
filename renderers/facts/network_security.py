"""Facts for section 5.2 (network security): security groups, NACLs and prefix lists, and the
text helpers that say a rule as a reader does (``tcp/443 from 0.0.0.0/0``).

Pure functions of the Inventory; the rule-text helpers are pure functions of one rule dict, so
other modules (security_groups, tests) reuse them for their own wording.
"""

from __future__ import annotations

from typing import Any

from renderers.facts.vpcs import ANYWHERE, _names, _subnet_names, _vpc_name
from scanner import naming
from scanner.inventory import Inventory


# --- rule text --------------------------------------------------------------------------------
def port_text(protocol: str | None, from_port: Any, to_port: Any) -> str:
    """``tcp/443``, ``tcp/1024-65535``, ``udp/all``, ``icmp/8`` or ``all traffic``."""
    proto = str(protocol or "-1")
    if proto == "-1":
        return "all traffic"
    if proto in ("icmp", "icmpv6"):
        return proto if from_port in (None, -1) else f"{proto}/type {from_port}"
    if from_port in (None, -1) or (from_port == 0 and to_port == 65535):
        return f"{proto}/all"
    if to_port is None or from_port == to_port:
        return f"{proto}/{from_port}"
    return f"{proto}/{from_port}-{to_port}"


def peer_text(rule: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The other end of a rule: a CIDR, a prefix list or a security group (``names``: raw id -> its
    :func:`naming.node_label`, where the scan saw it)."""
    names = names or {}
    if rule.get("cidr") or rule.get("ipv6_cidr"):
        return str(rule.get("cidr") or rule.get("ipv6_cidr"))
    if rule.get("prefix_list"):
        pl = rule["prefix_list"]
        return f"prefix list {names.get(pl) or pl}"
    if rule.get("group_id"):
        gid = rule["group_id"]
        owner = rule.get("group_owner")
        text = f"SG {names.get(gid) or gid}"
        return f"{text} in account {owner}" if owner and gid not in names else text
    return "?"


def rule_text(rule: dict[str, Any], names: dict[str, str] | None = None, direction: str = "from") -> str:
    """One rule as a reader says it: ``tcp/443 from 0.0.0.0/0``."""
    return f"{port_text(rule.get('protocol'), rule.get('from_port'), rule.get('to_port'))} {direction} " \
           f"{peer_text(rule, names)}"


def is_open_egress(rules: list[dict[str, Any]] | None) -> bool:
    """The AWS default egress: all traffic to 0.0.0.0/0 (and perhaps ::/0), nothing else."""
    rules = rules or []
    return bool(rules) and all(r.get("protocol") == "-1" and (r.get("cidr") or r.get("ipv6_cidr")) in ANYWHERE
                               for r in rules)


def is_default_nacl_entry(e: dict[str, Any]) -> bool:
    """The entries every NACL has: the final deny (32767) and the default NACL's allow-all (100/101)."""
    if e.get("rule") == 32767:
        return True
    return (e.get("rule") in (100, 101) and e.get("action") == "allow" and e.get("protocol") == "-1"
            and (e.get("cidr") or e.get("ipv6_cidr")) in ANYWHERE)


def nacl_entry_text(e: dict[str, Any]) -> str:
    peer = e.get("cidr") or e.get("ipv6_cidr") or "?"
    way = "to" if e.get("egress") else "from"
    return f"rule {e.get('rule')} {e.get('action')} {port_text(e.get('protocol'), e.get('from_port'), e.get('to_port'))} {way} {peer}"


# --- security groups --------------------------------------------------------------------------
def _sg_names(inv: Inventory) -> dict[str, str]:
    """Raw SG / prefix list id -> its label, to name rule peers."""
    return _names(inv, ("ec2:security-group", "group_id"), ("ec2:prefix-list", "prefix_list_id"), how=naming.node_label)


def sg_users(inv: Inventory, sg_id: str) -> int:
    """Resources using a group; an ENI counts only when it stands alone (else its owner is counted)."""
    return sum(1 for n in inv.into(sg_id, "protected_by")
               if n.get("kind") != "ec2:network-interface" or not n["props"].get("attached_to"))


def security_group_rows(inv: Inventory, default: bool = False) -> list[list[Any]]:
    """Security groups (non-default, or the VPC default ones) with rules as ``tcp/443 from 0.0.0.0/0``."""
    names = _sg_names(inv)
    rows = []
    for g in inv.nodes("ec2:security-group"):
        p = g["props"]
        if bool(p.get("is_default")) != default:
            continue
        users = sg_users(inv, g["id"])
        ingress = list(dict.fromkeys(rule_text(r, names) for r in p.get("ingress") or []))
        egress_rules = p.get("egress") or []
        egress = "all traffic to anywhere" if is_open_egress(egress_rules) else (
            "; ".join(dict.fromkeys(rule_text(r, names, "to") for r in egress_rules)) or "none")
        rows.append([g["region"], naming.node_label(g), _vpc_name(inv, g["region"], p.get("vpc_id")),
                     "; ".join(ingress) or "none", egress, users])
    return rows


def sg_references(inv: Inventory) -> list[str]:
    """"alb-sg → app-sg on tcp/8080": which groups admit which (the tiers' trust chain)."""
    names = _sg_names(inv)
    lines = []
    for g in inv.nodes("ec2:security-group"):
        p = g["props"]
        for r in p.get("ingress") or []:
            if r.get("group_id"):
                src = peer_text(r, names).removeprefix("SG ")
                lines.append(f"{src} → {naming.node_label(g)} on "
                             f"{port_text(r.get('protocol'), r.get('from_port'), r.get('to_port'))}")
    return list(dict.fromkeys(lines))


def sg_summary(inv: Inventory) -> dict[str, int]:
    sgs = inv.nodes("ec2:security-group")
    open_world = {dst for src, dst, _ in inv.edges("allows") if src == "internet"}
    return {"total": len(sgs), "default": sum(1 for g in sgs if g["props"].get("is_default")),
            "internet": len(open_world),
            "unused": sum(1 for g in sgs if not g["props"].get("is_default") and not sg_users(inv, g["id"]))}


# --- NACLs and prefix lists -------------------------------------------------------------------
def nacl_rows(inv: Inventory) -> list[list[Any]]:
    """NACLs that differ from the allow-all default, with their inbound and outbound entries."""
    subnet_names = _subnet_names(inv)
    rows = []
    for a in inv.nodes("ec2:network-acl"):
        p = a["props"]
        custom = [e for e in p.get("entries") or [] if not is_default_nacl_entry(e)]
        if not custom and p.get("is_default"):
            continue
        inbound = "; ".join(nacl_entry_text(e) for e in custom if not e.get("egress")) or "deny all"
        outbound = "; ".join(nacl_entry_text(e) for e in custom if e.get("egress")) or "deny all"
        rows.append([a["region"], naming.node_label(a), _vpc_name(inv, a["region"], p.get("vpc_id")),
                     ", ".join(sorted(subnet_names.get((a["region"], s), s) for s in p.get("subnet_ids") or []))
                     or "none",
                     inbound, outbound])
    return rows


def nacl_summary(inv: Inventory) -> dict[str, int]:
    nacls = inv.nodes("ec2:network-acl")
    return {"total": len(nacls), "default": sum(1 for n in nacls if n["props"].get("is_default")),
            "custom": len(nacl_rows(inv))}


def prefix_list_rows(inv: Inventory) -> list[list[Any]]:
    """Customer-managed prefix lists (the AWS-managed ones are service ranges, not design)."""
    return [[p["region"], naming.node_label(p),
             ", ".join(p["props"].get("cidrs") or []) if p["props"].get("cidrs") is not None else "not readable",
             len(inv.out(p["id"], "allows"))]
            for p in inv.nodes("ec2:prefix-list") if not p["props"].get("aws_managed")]

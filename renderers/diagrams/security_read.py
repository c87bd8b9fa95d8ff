"""What the security diagrams read from the inventory, once per render.

A large account's security diagram is drawn as an overview, one part per VPC and, where a VPC
is too wide for the page, one part per tier, each at up to three collapse levels: every part
reads the same rules, groups, attachments and roles. Inside ``inv.rendering()`` (diagrams.build)
each is read once (``inv.memo``); outside it they are read directly (a memo outside a render
would recompute the whole table at every call). Also the rule text: protocols and ports.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scanner.inventory import Inventory

#: kinds whose role is drawn: this diagram's own choice of compute that runs code with an
#: identity (the specs say what a kind is, not whether its role is worth a node here)
ROLE_KINDS = frozenset({"ec2:instance", "lambda:function", "ecs:service", "ecs:task-definition",
                        "codebuild:project", "eks:cluster", "eks:nodegroup", "states:state-machine",
                        "autoscaling:group"})
MAX_PORTS_ON_LABEL = 4


def port_text(props: dict[str, Any]) -> str:
    """One rule's protocol and ports as "tcp/443", "tcp/8000-8080", "all traffic", "icmp"."""
    proto = str(props.get("protocol") if props.get("protocol") is not None else "?").lower()
    if proto in ("-1", "all"):
        return "all traffic"
    proto = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(proto, proto)
    lo, hi = props.get("from_port"), props.get("to_port")
    if lo in (None, -1) and hi in (None, -1):
        return proto if proto not in ("tcp", "udp") else f"{proto}/all"
    if lo == 0 and hi == 65535:
        return f"{proto}/all"
    return f"{proto}/{lo}" if lo == hi or hi is None else f"{proto}/{lo}-{hi}"


def _memo(inv: Inventory, key: str, fn: Any) -> Any:
    """``fn()`` once per render (diagrams.build runs inside ``inv.rendering()``): the rules, the
    groups and what they protect are read by every part, at every collapse level."""
    return inv.memo(f"diagrams.security.{key}", fn) if _rendering(inv) else fn()


def all_groups(inv: Inventory) -> list[dict[str, Any]]:
    """Every security group of the scan (not external)."""
    return _memo(inv, "groups", lambda: inv.nodes("ec2:security-group"))


def protected(inv: Inventory, sid: str) -> list[dict[str, Any]]:
    """What a security group protects (the sources of its ``protected_by`` edges), by id."""
    if not _rendering(inv):
        return inv.into(sid, "protected_by")
    table = _memo(inv, "users", lambda: {g["id"]: inv.into(g["id"], "protected_by") for g in all_groups(inv)})
    return table[sid] if sid in table else inv.into(sid, "protected_by")


def groups_of(inv: Inventory, rid: str) -> list[str]:
    """The scanned security groups a resource is protected by, sorted."""
    def table() -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for g in all_groups(inv):
            for u in protected(inv, g["id"]):
                out[u["id"]].append(g["id"])
        return {k: sorted(v) for k, v in out.items()}
    if not _rendering(inv):
        return sorted(s["id"] for s in inv.out(rid, "protected_by", "ec2:security-group"))
    return _memo(inv, "groups_of", table).get(rid, [])


def aggregate_rules(inv: Inventory) -> dict[tuple[str, str], list[str]]:
    """(source id, security group id) -> sorted unique "proto/ports" of all ingress rules between them
    (read once per render)."""
    return _memo(inv, "rules", lambda: _aggregate_rules(inv))


def _aggregate_rules(inv: Inventory) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for src, dst, data in inv.edges("allows"):
        props = data.get("props") or {}
        if props.get("direction", "ingress") != "ingress":
            continue
        out[(src, dst)].add(port_text(props))
    return {k: sorted(v, key=_port_sort) for k, v in sorted(out.items())}


def _port_sort(text: str) -> tuple[int, str]:
    digits = "".join(ch for ch in text.split("/")[-1].split("-")[0] if ch.isdigit())
    return (int(digits) if digits else -1, text)


def ports_label(ports: list[str]) -> str:
    if len(ports) <= MAX_PORTS_ON_LABEL:
        return ", ".join(ports)
    return ", ".join(ports[:MAX_PORTS_ON_LABEL]) + f" +{len(ports) - MAX_PORTS_ON_LABEL} more"


def role_of(inv: Inventory, nid: str) -> str | None:
    """The IAM role a resource runs as (directly, or through its instance profile); of the kinds
    whose role is drawn, read once per render (a large account asks for each instance's role in
    every part and at every collapse level)."""
    node = inv.node(nid)
    if _rendering(inv) and node is not None and node.get("kind") in ROLE_KINDS:
        return inv.memo("diagrams.security.roles", lambda: _roles(inv)).get(nid)
    return _role_of(inv, nid)


def _rendering(inv: Inventory) -> bool:
    """Inside ``inv.rendering()`` (diagrams.build): memoised lookups pay off; outside, a memo
    would recompute the whole table at every call."""
    return getattr(inv, "_render_depth", 0) > 0


def _roles(inv: Inventory) -> dict[str, str | None]:
    return {n["id"]: _role_of(inv, n["id"]) for kind in sorted(ROLE_KINDS)
            for n in inv.nodes(kind, include_external=True)}


def _role_of(inv: Inventory, nid: str) -> str | None:
    for r in inv.out(nid, "uses_role", "iam:role"):
        return r["id"]
    for prof in inv.out(nid, "attached_to", "iam:instance-profile"):
        for r in inv.out(prof["id"], "uses_role", "iam:role"):
            return r["id"]
    return None


def _compute_roles(inv: Inventory) -> list[tuple[str, dict[str, Any], str]]:
    """(kind, node, role) of every compute resource that runs as a role, in kind order."""
    return [(kind, n, role) for kind in sorted(ROLE_KINDS) for n in inv.nodes(kind)
            if (role := role_of(inv, n["id"]))]

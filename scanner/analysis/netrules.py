"""The words of security-group and network-ACL rules, as pure functions: protocol names, port
ranges and labels ("tcp/22"), internet sources, and defensive readers of props that should be ids
or lists. Shared by the exposure analysis, the availability picture and the rules (re-exported by
scanner.analysis.exposure, where callers have always found them)."""

from __future__ import annotations

from typing import Any

INTERNET = "internet"
ALL_V4, ALL_V6 = "0.0.0.0/0", "::/0"
PROTO_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "all", "all": "all"}


def proto(value: Any) -> str:
    """Protocol as a name: tcp, udp, icmp, all (AWS mixes names and numbers)."""
    s = str(value if value is not None else "-1").lower()
    return PROTO_NAMES.get(s, s)


def as_id(value: Any) -> str | None:
    """A prop that should be one id/name: the string, or None for anything else."""
    return value if isinstance(value, str) and value else None


def as_strs(value: Any) -> list[str]:
    """A prop that should be a list of ids: its string items (an odd shape reads as empty)."""
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list | tuple) else []


def as_dicts(value: Any) -> list[dict[str, Any]]:
    """A prop that should be a list of records (routes, entries, rules): its dict items."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list | tuple) else []


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def port_range(rule: dict[str, Any]) -> tuple[int, int]:
    """(low, high) ports of a rule; all protocols, missing or -1 ports mean every port."""
    if proto(rule.get("protocol")) == "all":
        return 0, 65535
    lo, hi = _int(rule.get("from_port")), _int(rule.get("to_port"))
    lo = 0 if lo is None or lo < 0 else lo
    hi = 65535 if hi is None or hi < 0 else hi
    return lo, hi


def port_label(rule: dict[str, Any]) -> str:
    """tcp/22, tcp/80-90, udp/53, all."""
    p = proto(rule.get("protocol"))
    if p == "all":
        return "all"
    lo, hi = port_range(rule)
    if p in ("icmp", "icmpv6"):
        return p
    if (lo, hi) == (0, 65535):
        return f"{p}/all"
    return f"{p}/{lo}" if lo == hi else f"{p}/{lo}-{hi}"


def covers(rule: dict[str, Any], protocol: str, port: int) -> bool:
    """True when the rule admits ``protocol``/``port``."""
    p = proto(rule.get("protocol"))
    if p != "all" and p != protocol:
        return False
    lo, hi = port_range(rule)
    return lo <= port <= hi


def rule_source(rule: dict[str, Any]) -> str:
    return str(rule.get("cidr") or rule.get("ipv6_cidr") or rule.get("prefix_list")
               or rule.get("group_id") or "?")


def is_internet_source(rule: dict[str, Any]) -> bool:
    """Ingress from the whole internet (either family) or from a prefix list."""
    return (rule.get("cidr") == ALL_V4 or rule.get("ipv6_cidr") == ALL_V6
            or bool(rule.get("prefix_list")))

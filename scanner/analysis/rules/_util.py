"""Small helpers shared by the rule modules."""

from __future__ import annotations

from typing import Any

from scanner.context import age_days


def short(node: dict[str, Any]) -> str:
    """The AWS id people recognise (sg-123, i-abc, a bucket name) for evidence text."""
    nid = str(node["id"])
    if not nid.startswith("arn:"):
        return nid
    tail = nid.split(":", 5)[-1]
    return tail.rsplit("/", 1)[-1] if "/" in tail else tail.rsplit(":", 1)[-1]


def label(node: dict[str, Any]) -> str:
    """``name (id)`` or just the id when the name is the id."""
    s = short(node)
    name = node.get("name") or s
    return s if name == s else f"{name} ({s})"


def days(value: Any) -> int | None:
    """Days since an ISO date (None when unknown)."""
    return age_days(value) if value else None


def falsy_known(value: Any) -> bool:
    """True only for a known "off" value (False, 0, "disabled"...), never for None (unknown)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("", "false", "disabled", "none", "off", "no", "suspended")
    return not value


def count_of(n: Any, singular: str, plural: str | None = None) -> str:
    """"1 volume" / "3 volumes" / "0 volumes" for finding text (renderers/plural.py is the
    document's version; scanner code does not import from renderers)."""
    k = int(n or 0)
    if k == 1:
        return f"1 {singular}"
    if plural is None:
        if singular.endswith("y") and singular[-2:-1].lower() not in "aeiou":
            plural = singular[:-1] + "ies"
        elif singular.endswith(("s", "sh", "ch", "x", "z")):
            plural = singular + "es"
        else:
            plural = singular + "s"
    return f"{k} {plural}"

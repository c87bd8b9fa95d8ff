"""The one way a resource is named, in every section, diagram, rule and finding.

``name(inv, id)`` is what a reader calls the resource (its Name tag or AWS name,
else the readable part of its id); ``label(inv, id)`` adds the id when the name
alone would not identify it (``web-1 (i-0abc)``). Nothing else names nodes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

#: a long name must not push the id out of a table cell
MAX_NAME = 80
_HASHY = re.compile(r"[0-9a-f]{16,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Graphish(Protocol):
    def node(self, nid: str) -> dict[str, Any] | None: ...


def short_id(ref: Any) -> str:
    """The readable part of an ARN or id: ``i-0abc``, a role, target group or load balancer name,
    a function or queue name, a bucket name; ``""`` for nothing."""
    if not ref:
        return ""
    ref = str(ref)
    if ref.startswith("aws://account/"):  # the account and region scaffolding nodes
        return ref.rsplit("/", 1)[-1]
    if ref.startswith("cidr:"):
        return ref[5:]
    if not ref.startswith("arn:"):
        return ref.rsplit("/", 1)[-1] or ref
    parts = ref.split(":", 5)
    res = parts[5] if len(parts) == 6 else ref
    if parts[2:3] == ["s3"] and ":::" in ref:
        return res
    kind, sep, rest = res.partition("/")
    if parts[2:3] == ["kms"] and kind == "alias":
        return res
    if not sep:  # function:name, stateMachine:name, a queue or topic name, key ids
        tail = res.split(":")
        return tail[1] if len(tail) > 2 and tail[0] in ("function",) else tail[-1]
    if kind == "targetgroup":  # targetgroup/<name>/<hash>
        return rest.split("/")[0]
    if kind == "loadbalancer" and rest.count("/") >= 2:  # loadbalancer/app/<name>/<hash>
        return rest.split("/")[-2]
    segs = [s for s in rest.split("/") if s]
    while len(segs) > 1 and _HASHY.fullmatch(segs[-1]):  # regional/webacl/<name>/<uuid>
        segs.pop()
    return segs[-1] if segs else res


def node_name(node: Mapping[str, Any] | None, ref: Any = "") -> str:
    """What a reader calls a node: its name when the scan saw it, else the readable part of its id."""
    ref = (node or {}).get("id") or ref
    if node and not node.get("external") and node.get("name"):
        return str(node["name"])
    return short_id(ref) or str(ref or "")


def node_label(node: Mapping[str, Any] | None, ref: Any = "") -> str:
    """The name, and the id in parentheses where it differs (``web-1 (i-0abc)``)."""
    ref = (node or {}).get("id") or ref
    s = short_id(ref) or str(ref or "")
    name = node_name(node, ref)
    if name == s or not node or node.get("external"):
        return name
    return f"{name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + '…'} ({s})"


def name(inv: _Graphish, nid: Any) -> str:
    """:func:`node_name` of a graph id (ids outside the scan keep their readable tail)."""
    return node_name(inv.node(str(nid)) if nid else None, nid)


def label(inv: _Graphish, nid: Any) -> str:
    """:func:`node_label` of a graph id."""
    return node_label(inv.node(str(nid)) if nid else None, nid)

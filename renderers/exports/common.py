"""What every export says about a finding or a resource, so the formats cannot disagree."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from scanner import __version__

TOOL = "awsscan"
TOOL_URI = "https://github.com/awsscan/awsscan"


def resources_of(inv: Any, finding: Any) -> list[dict[str, Any]]:
    """The finding's resources as nodes (a resource no longer in the graph keeps its id)."""
    out = []
    for rid in finding.resources or []:
        node = inv.node(rid)
        out.append(node if node is not None else {"id": rid, "kind": "", "name": rid, "props": {}})
    return out or [{"id": f"aws:account:{inv.meta.get('account')}", "kind": "aws:account",
                    "name": str(inv.meta.get("account")), "props": {}}]


def per_resource(inv: Any, analysis: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(finding, resource) pairs, in a stable order: one result per finding and resource."""
    for f in sorted(analysis.findings, key=lambda f: (f.rule, list(f.resources))):
        for node in resources_of(inv, f):
            yield f, node


def controls_of(finding: Any) -> dict[str, list[str]]:
    """Compliance control ids per framework for this finding (``{"cis": [...], "fsbp": [...]}``),
    from the mapping beside the rules (scanner/data/compliance.json), as findings.json has them."""
    from scanner.analysis import compliance

    return {k: list(v) for k, v in sorted(compliance.controls_of(finding).items()) if v}


def fingerprint(rule: str, resource: str) -> str:
    """Stable across scans of the same account: the same rule on the same resource."""
    return hashlib.sha256(f"{rule}\x00{resource}".encode()).hexdigest()[:32]


def version() -> str:
    return __version__


def scalar(value: Any) -> str | int | float | bool:
    """A prop as a scalar a CSV or GraphML cell holds: lists and mappings as sorted JSON."""
    if isinstance(value, bool | int | float | str):
        return value
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, default=str)

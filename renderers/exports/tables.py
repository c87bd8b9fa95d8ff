"""CSV: findings.csv (one row per finding and resource) and resources.csv (one row per resource).

For spreadsheets and ticket imports. Cells that a spreadsheet would run as a formula (starting
with = + - @ or a tab/CR) are prefixed with a quote: account text is data, never a formula.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from renderers.exports.common import controls_of, per_resource, scalar
from scanner import kinds, naming
from scanner.inventory import atomic_write

FINDING_COLUMNS = ["rule", "title", "severity", "status", "section", "category", "resource", "resource_name",
                   "kind", "region", "evidence", "remediation", "reason", "cis", "fsbp"]
RESOURCE_COLUMNS = ["id", "kind", "kind_name", "name", "region", "account", "tags", "props"]
SKIP_KINDS = ("aws:account", "aws:region", "internet")


def safe_cell(value: Any) -> str:
    text = str(scalar(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: list[list[Any]], header: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def finding_rows(inv: Any, analysis: Any) -> list[list[Any]]:
    rows = []
    for f, node in per_resource(inv, analysis):
        c = controls_of(f)
        rows.append([f.rule, f.title, f.severity, f.status, f.section, f.category, node["id"], naming.node_label(node, node['id']),
                     node.get("kind") or "", node.get("region") or "", " | ".join(f.evidence), f.remediation,
                     f.reason, " ".join(c.get("cis", [])), " ".join(c.get("fsbp", []))])
    return rows


def resource_rows(inv: Any) -> list[list[Any]]:
    return [[n["id"], n["kind"], kinds.singular(n["kind"]), n.get("name") or "", n.get("region") or "",
             n.get("account") or "", scalar(n.get("tags") or {}), scalar(n.get("props") or {})]
            for n in inv.nodes() if n["kind"] not in SKIP_KINDS]


def write(inv: Any, analysis: Any, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [atomic_write(out / "findings.csv", _csv(finding_rows(inv, analysis), FINDING_COLUMNS)),
            atomic_write(out / "resources.csv", _csv(resource_rows(inv), RESOURCE_COLUMNS))]

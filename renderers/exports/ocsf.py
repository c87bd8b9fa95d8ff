"""OCSF 1.2.0 Detection Finding (class 2004), one event per finding and resource, as JSON lines.

Security lakes (Amazon Security Lake, Splunk, Databricks) ingest OCSF. Severity, status and
activity use OCSF's enums; the resource is an OCSF ``resource_details`` with its ARN as ``uid``;
compliance control ids travel in ``unmapped.compliance`` (Detection Finding has no compliance
object; Compliance Finding would require a check status per control, which a rule is not).
``time`` is the scan's time, so two exports of one snapshot are the same bytes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from renderers.exports.common import TOOL, controls_of, fingerprint, per_resource, version
from scanner import naming
from scanner.inventory import atomic_write

OCSF_VERSION = "1.2.0"
CLASS_UID, CATEGORY_UID = 2004, 2
ACTIVITY_CREATE = 1
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
#: OCSF 1.2 status_id (1 New, 2 In Progress, 3 Suppressed, 4 Resolved). A not-assessed finding
#: (the evidence could not be read) is New with severity_id 0 Unknown and the reason in
#: status_detail: a lake then never counts it as a detection of known severity, nor as a pass.
STATUS = {"open": (1, "New"), "suppressed": (3, "Suppressed"), "not_assessed": (1, "New")}


def _millis(iso: str | None) -> int:
    try:
        return int(datetime.fromisoformat(str(iso)).timestamp() * 1000)
    except ValueError:
        return 0


def event(inv: Any, f: Any, node: dict[str, Any]) -> dict[str, Any]:
    meta = inv.meta
    status_id, status = STATUS.get(f.status, (99, f.status))
    ev: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE, "activity_name": "Create",
        "category_uid": CATEGORY_UID, "category_name": "Findings",
        "class_uid": CLASS_UID, "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE, "type_name": "Detection Finding: Create",
        "severity_id": SEVERITY_ID.get(f.severity, 0), "severity": f.severity.capitalize(),
        "status_id": status_id, "status": status,
        "time": _millis(meta.get("scanned_at")),
        "message": f"{f.title}: {naming.node_label(node, node['id'])}",
        "metadata": {"version": OCSF_VERSION,
                     "product": {"name": TOOL, "vendor_name": TOOL, "version": version()},
                     "uid": fingerprint(f.rule, node["id"])},
        "cloud": {"provider": "AWS", "region": node.get("region") or meta.get("home_region") or "",
                  "account": {"uid": str(node.get("account") or meta.get("account") or ""),
                              "type": "AWS Account", "type_id": 10}},
        "finding_info": {"uid": fingerprint(f.rule, node["id"]), "title": f.title,
                         "desc": "; ".join(f.evidence) or f.title, "types": [f.category],
                         "analytic": {"uid": f.rule, "name": f.title, "type_id": 1, "type": "Rule"}},
        "resources": [{"uid": node["id"], "name": naming.node_label(node, node['id']), "type": node.get("kind") or "",
                       "region": node.get("region") or "", "cloud_partition": meta.get("partition") or "aws"}],
        "remediation": {"desc": f.remediation},
        "unmapped": {"section": f.section, "compliance": controls_of(f)},
    }
    if f.status == "not_assessed":
        ev.update(severity_id=0, severity="Unknown", status_detail=f"not assessed: {f.reason}")
        ev["unmapped"]["assessed"] = False
    elif f.reason:
        ev["status_detail"] = f.reason
    return ev


def events(inv: Any, analysis: Any) -> list[dict[str, Any]]:
    return [event(inv, f, node) for f, node in per_resource(inv, analysis)]


def write(inv: Any, analysis: Any, out: Path) -> list[Path]:
    lines = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events(inv, analysis))
    return [atomic_write(Path(out), lines)]

"""SARIF 2.1.0: one result per finding and resource, the rules with their remediation as help.

Code-scanning dashboards (GitHub, Azure DevOps, DefectDojo) read it. A resource is not a file:
each result has a logical location (the resource's ARN) and a physical location whose URI is a
stable path derived from it (``aws/<account>/<region>/<kind>/<id>``), which dashboards need to
group and track results. Not-assessed findings are results of kind ``open`` (SARIF: "not enough
information to decide"), accepted risks carry a SARIF suppression with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from renderers.exports.common import TOOL, TOOL_URI, controls_of, fingerprint, per_resource, version
from scanner import naming
from scanner.inventory import atomic_write

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
#: GitHub's security-severity (CVSS-like 0-10) per severity
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def _uri(inv: Any, node: dict[str, Any]) -> str:
    kind = str(node.get("kind") or "resource").replace(":", "/")
    region = node.get("region") or "global"
    account = node.get("account") or inv.meta.get("account") or "account"
    ident = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in naming.short_id(node.get("id", "")))
    return f"aws/{account}/{region}/{kind}/{ident or 'resource'}"


def _rule(f: Any) -> dict[str, Any]:
    controls = controls_of(f)
    tags = ["security" if f.category == "security" else f.category, f"section-{f.section}"]
    tags += [f"{fw}:{c}" for fw, ids in controls.items() for c in ids]
    return {
        "id": f.rule, "name": "".join(w.capitalize() for w in f.title.split() if w.isalnum()) or f.rule,
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f"{f.title} (design document section {f.section}, {f.category})."},
        "help": {"text": f"Remediation: {f.remediation}", "markdown": f"**Remediation:** {f.remediation}"},
        "defaultConfiguration": {"level": LEVEL.get(f.severity, "warning")},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY.get(f.severity, "5.0"),
                       "precision": "high", "severity": f.severity, "category": f.category,
                       "compliance": controls},
    }


def document(inv: Any, analysis: Any) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f, node in per_resource(inv, analysis):
        rules.setdefault(f.rule, _rule(f))
        evidence = "; ".join(f.evidence) if f.evidence else f.title
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "message": {"text": f"{f.title}: {naming.node_label(node, node['id'])}. {evidence}"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": _uri(inv, node)},
                                     "region": {"startLine": 1}},
                "logicalLocations": [{"name": naming.node_label(node, node['id']), "fullyQualifiedName": node["id"],
                                      "kind": "resource"}],
            }],
            "partialFingerprints": {"awsscan/v1": fingerprint(f.rule, node["id"])},
            "properties": {"resource": node["id"], "kind": node.get("kind") or "",
                           "region": node.get("region") or "", "section": f.section,
                           "status": f.status, "evidence": list(f.evidence)},
        }
        if f.status == "not_assessed":
            result.update(kind="open", level="none")
            result["message"]["text"] = f"{f.title}: not assessed for {naming.node_label(node, node['id'])} ({f.reason})"
        else:
            result.update(kind="fail", level=LEVEL.get(f.severity, "warning"))
        if f.status == "suppressed":
            result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.reason}]
        results.append(result)
    ids = sorted(rules)
    index = {r: i for i, r in enumerate(ids)}
    for r in results:
        r["ruleIndex"] = index[r["ruleId"]]
    meta = inv.meta
    return {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL, "version": version(), "informationUri": TOOL_URI,
                                "rules": [rules[r] for r in ids]}},
            "automationDetails": {"id": f"awsscan/{meta.get('account')}/"},
            "results": results,
            "properties": {"account": meta.get("account"), "regions": meta.get("regions") or [],
                           "scanned_at": meta.get("scanned_at"), "partial": bool(meta.get("partial"))},
        }],
    }


def write(inv: Any, analysis: Any, out: Path) -> list[Path]:
    return [atomic_write(Path(out), json.dumps(document(inv, analysis), indent=2, sort_keys=True) + "\n")]

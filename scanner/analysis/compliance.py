"""Framework controls beside the rules: which CIS and FSBP controls each rule implements, and how
each control stands after a scan (passed / failed / not assessed / not covered).

The mapping is data (``scanner/data/compliance.json``, with the frameworks' versions and sources);
this module only reads it. A control's status comes from the findings of the rules mapped to it:

- failed: a mapped rule has an open or accepted-risk finding (for a ``match`` mapping, one whose
  evidence names what the control is about);
- not assessed: nothing failed, and a rule that fully implements it could not read its evidence
  somewhere (a not-assessed finding, with that finding's reason);
- passed: nothing failed or went unread, and at least one rule fully implements it and ran;
- not covered: no rule that ran implements it fully (a ``partial`` rule can fail a control but
  never pass it on its own).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from scanner.analysis.model import STATUS_NOT_ASSESSED, STATUS_OPEN, STATUS_SUPPRESSED, Analysis, Finding

FRAMEWORKS = ("cis", "fsbp")
PASSED, FAILED, NOT_ASSESSED, NOT_COVERED = "passed", "failed", "not assessed", "not covered"
STATUSES = (FAILED, NOT_ASSESSED, PASSED, NOT_COVERED)


@cache
def data() -> dict[str, Any]:
    """The mapping file, read once."""
    return dict(json.loads(resources.files("scanner").joinpath("data/compliance.json").read_text(encoding="utf-8")))


def framework(name: str) -> dict[str, Any]:
    return dict(data()["frameworks"][name])


def framework_title(name: str) -> str:
    """``CIS AWS Foundations Benchmark v3.0.0`` as the document names a framework."""
    f = framework(name)
    return f"{f['name']} v{f['version']}"


def _mappings(rule_id: str, fw: str) -> list[dict[str, Any]]:
    items = (data()["rules"].get(rule_id) or {}).get(fw) or []
    return [{"id": i} if isinstance(i, str) else dict(i) for i in items]


def _applies(m: dict[str, Any], f: Finding) -> bool:
    text = m.get("match")
    return not text or f.status == STATUS_NOT_ASSESSED or any(text in e for e in f.evidence)


def controls_of(f: Finding) -> dict[str, list[str]]:
    """Framework -> control ids a finding bears on (what findings.json carries per finding)."""
    out = {}
    for fw in FRAMEWORKS:
        ids = [m["id"] for m in _mappings(f.rule, fw) if _applies(m, f)]
        if ids:
            out[fw] = ids
    return out


def rule_controls(rule_id: str) -> dict[str, list[str]]:
    """Framework -> every control id a rule is mapped to (whatever its findings say)."""
    return {fw: ids for fw in FRAMEWORKS if (ids := [m["id"] for m in _mappings(rule_id, fw)])}


@dataclass
class Control:
    """How one framework control stands after this scan."""

    id: str
    title: str
    status: str = NOT_COVERED
    rules: list[str] = field(default_factory=list)        # rules mapped to it that ran
    failed_by: list[str] = field(default_factory=list)    # rules with open / accepted findings on it
    resources: list[str] = field(default_factory=list)    # what those findings name
    reason: str = ""                                      # why not assessed
    partial: list[str] = field(default_factory=list)      # "RULE: what it checks" for partial mappings
    accepted: bool = False                                # every failing finding is an accepted risk

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status, "rules": self.rules,
                "failed_by": self.failed_by, "resources": self.resources, "reason": self.reason,
                "partial": self.partial, "accepted_risk": self.accepted}


def scope(analysis: Analysis) -> dict[str, Any]:
    """What the summary covers: ``frameworks`` (from ``--compliance``) and the ``rules`` that ran,
    as the findings step recorded them (every framework and registered rule by default)."""
    return analysis.compliance_scope or {}


def record_scope(analysis: Analysis, frameworks: list[str] | tuple[str, ...] | None,
                 rules: list[str]) -> None:
    """Remember on the analysis which frameworks to summarise and which rules ran (the findings
    step calls this; the renderers and findings.json read it through :func:`scope`)."""
    analysis.compliance_scope = {"frameworks": list(frameworks or FRAMEWORKS), "rules": sorted(rules)}


def selected(analysis: Analysis) -> list[str]:
    return [f for f in scope(analysis).get("frameworks") or FRAMEWORKS if f in FRAMEWORKS]


def summary(analysis: Analysis, fw: str) -> list[Control]:
    """Every control of one framework, in the framework's order, with its status."""
    ran = scope(analysis).get("rules")
    if ran is None:
        from scanner.analysis.findings import load_rules

        ran = list(load_rules())
    ran_set = set(ran)
    by_rule: dict[str, list[Finding]] = {}
    for f in analysis.findings:
        by_rule.setdefault(f.rule, []).append(f)
    controls = {cid: Control(cid, str(c.get("title") or "")) for cid, c in framework(fw)["controls"].items()}
    full: dict[str, bool] = {}
    opened: dict[str, bool] = {}   # control -> some failing finding is open (not an accepted risk)
    seen: dict[str, set[str]] = {}  # control -> its resources, beside the ordered list
    for rid in sorted(data()["rules"]):
        if rid not in ran_set:
            continue
        for m in _mappings(rid, fw):
            c = controls.get(m["id"])
            if c is None:
                continue
            c.rules.append(rid)
            if m.get("partial"):
                c.partial.append(f"{rid}: {m['partial']}")
            else:
                full[c.id] = True
            for f in by_rule.get(rid, []):
                if f.status in (STATUS_OPEN, STATUS_SUPPRESSED) and _applies(m, f):
                    if rid not in c.failed_by:
                        c.failed_by.append(rid)
                    have = seen.get(c.id)  # a set beside the ordered list: linear, not quadratic
                    if have is None:  # (not setdefault: its argument would be built every time)
                        have = seen[c.id] = set(c.resources)
                    for r in f.resources:
                        if r not in have:
                            have.add(r)
                            c.resources.append(r)
                    opened[c.id] = opened.get(c.id, False) or f.status == STATUS_OPEN
                elif f.status == STATUS_NOT_ASSESSED and not m.get("partial") and not c.reason:
                    c.reason = f"{rid}: {f.reason}" if f.reason else f"{rid} could not read its evidence"
    for c in controls.values():
        if c.failed_by:
            c.status = FAILED
            c.accepted = not opened.get(c.id, False)
        elif c.reason:
            c.status = NOT_ASSESSED
        elif full.get(c.id):
            c.status = PASSED
        else:
            c.status = NOT_COVERED
    return list(controls.values())


def counts(controls: list[Control]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for c in controls:
        out[c.status] += 1
    return out


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The compliance part of findings.json: per selected framework, its source and every control."""
    out: dict[str, Any] = {}
    for fw in selected(analysis):
        meta = framework(fw)
        controls = summary(analysis, fw)
        out[fw] = {"name": meta["name"], "version": meta["version"], "source": meta["source"],
                   "counts": counts(controls), "controls": [c.to_dict() for c in controls]}
    return out

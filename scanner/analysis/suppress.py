"""Accepted risks: findings matched by a suppressions file become "suppressed", with the reason.

The file (``--suppress FILE``, YAML or TOML) lists entries of
``{rule, resource, reason}``: ``rule`` is a rule id or an fnmatch pattern
(``NET-*``), ``resource`` an fnmatch pattern matched against the node id, its
short id and its name (default ``*``), and ``reason`` is required, because an
accepted risk without a reason cannot be reviewed. YAML may be a list or a
mapping with a ``suppressions`` list; TOML uses ``[[suppressions]]`` tables.
A finding is suppressed only when every resource it names matches; a bad file
is a one-line :class:`~scanner.errors.UserError`.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scanner.analysis.model import STATUS_OPEN, STATUS_SUPPRESSED, Analysis
from scanner.errors import UserError
from scanner.inventory import Inventory


@dataclass(frozen=True)
class Suppression:
    rule: str
    resource: str
    reason: str

    def matches_rule(self, rule_id: str) -> bool:
        return fnmatch.fnmatchcase(rule_id.upper(), self.rule.upper())


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read suppressions file {path}: {exc}") from None
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"suppressions file {path} is not valid TOML: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UserError(f"suppressions file {path} is not valid YAML{line}") from None


def load(path: str | Path) -> list[Suppression]:
    """Read and validate a suppressions file."""
    p = Path(path)
    data = _parse(p)
    if isinstance(data, dict):
        if "suppressions" not in data and "suppress" not in data:
            keys = ", ".join(sorted(map(str, data))) or "none"
            raise UserError(f"suppressions file {p}: no 'suppressions' list (top-level keys: {keys}); "
                            "see the README for the format")
        data = data.get("suppressions", data.get("suppress"))
    if data is None:
        raise UserError(f"suppressions file {p} is empty: expected a 'suppressions' list "
                        "of {rule, resource, reason} entries")
    if not isinstance(data, list):
        raise UserError(f"suppressions file {p}: expected a list of {{rule, resource, reason}} entries")
    out = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise UserError(f"suppressions file {p}: entry {i} is not a mapping")
        rule, reason = item.get("rule"), item.get("reason")
        if not isinstance(rule, str) or not rule.strip():
            raise UserError(f"suppressions file {p}: entry {i} has no 'rule'")
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(f"suppressions file {p}: entry {i} ({rule}) has no 'reason'")
        resource = item.get("resource", "*")
        if not isinstance(resource, str) or not resource:
            raise UserError(f"suppressions file {p}: entry {i} ({rule}) 'resource' must be a pattern string")
        unknown = set(item) - {"rule", "resource", "reason"}
        if unknown:
            raise UserError(f"suppressions file {p}: entry {i} ({rule}) has unknown {'key' if len(unknown) == 1 else 'keys'} {', '.join(sorted(unknown))}")
        out.append(Suppression(rule=rule.strip(), resource=resource.strip(), reason=reason.strip()))
    return out


def _names(inv: Inventory, node_id: str) -> list[str]:
    n = inv.node(node_id)
    short = node_id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return [node_id, short, *([str(n.get("name"))] if n and n.get("name") else [])]


def matches(s: Suppression, inv: Inventory, resources: list[str]) -> bool:
    if s.resource == "*":
        return True
    if not resources:
        return False
    return all(any(fnmatch.fnmatchcase(name, s.resource) for name in _names(inv, r)) for r in resources)


def apply(inv: Inventory, analysis: Analysis, suppressions: list[Suppression]) -> int:
    """Mark matching open findings as suppressed; returns how many."""
    count = 0
    for f in analysis.findings:
        if f.status != STATUS_OPEN:
            continue
        for s in suppressions:
            if s.matches_rule(f.rule) and matches(s, inv, f.resources):
                f.status, f.reason = STATUS_SUPPRESSED, s.reason
                count += 1
                break
    return count


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    """Last step: apply the accepted risks to the findings the reader sees."""
    path = options.get("suppress_file")
    if path:
        apply(inv, analysis, load(path))

"""What analysis produces: findings, exposure, availability and cost, all from the graph."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # 0 is the most severe

STATUS_OPEN = "open"                   # the rule fired: something to fix
STATUS_NOT_ASSESSED = "not_assessed"   # the evidence could not be read
STATUS_SUPPRESSED = "suppressed"       # an accepted risk (--suppress file)


@dataclass
class Finding:
    rule: str
    title: str
    severity: str
    section: str                 # template subsection, e.g. "5.2"
    category: str                # security | resilience | operations | cost
    resources: list[str]         # node ids
    evidence: list[str]          # facts that triggered it, human readable
    remediation: str
    status: str = STATUS_OPEN
    reason: str = ""             # why not assessed / why suppressed
    savings_monthly: float | None = None  # cost findings: estimated USD per month

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    #: node id -> {"paths": [[node ids...]], "ports": ["tcp/443", ...], "via": "public-ip"|"load-balancer"}
    exposure: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: resources that would be exposed if a route that could not be read leads to the internet
    exposure_unknown: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: availability picture per VPC / tier (see scanner.analysis.ha)
    ha: dict[str, Any] = field(default_factory=dict)
    #: cost estimate (see scanner.analysis.cost); empty when not computed
    cost: dict[str, Any] = field(default_factory=dict)
    #: which frameworks and rules the compliance summary covers (scanner.analysis.compliance)
    compliance_scope: dict[str, Any] = field(default_factory=dict)
    #: inside :meth:`reading`: how many readers are in, and the open findings by resource id
    _readers: int = field(default=0, init=False, repr=False, compare=False)
    _by_resource: dict[str, list[Finding]] | None = field(default=None, init=False, repr=False, compare=False)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Analysis]:
        """A render, which only reads the findings: :meth:`for_resource` answers from an index
        built once (one walk of the findings), not from a walk of every finding per resource,
        which made a large account's document quadratic. Outside, every call walks them, so code
        that adds or suppresses findings between calls sees its changes."""
        self._readers += 1
        try:
            yield self
        finally:
            self._readers -= 1
            if not self._readers:
                self._by_resource = None

    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.status == STATUS_OPEN]

    def for_section(self, section: str) -> list[Finding]:
        return sorted((f for f in self.findings if f.section == section),
                      key=lambda f: (f.status != STATUS_OPEN, SEVERITY_RANK.get(f.severity, 9), f.rule))

    def for_resource(self, node_id: str) -> list[Finding]:
        """The open findings naming one resource, in findings order."""
        if not self._readers:
            return [f for f in self.open_findings() if node_id in f.resources]
        if self._by_resource is None:
            index: dict[str, list[Finding]] = {}
            for f in self.open_findings():
                for rid in dict.fromkeys(f.resources):
                    index.setdefault(rid, []).append(f)
            self._by_resource = index
        return list(self._by_resource.get(node_id, ()))

    def counts(self) -> dict[str, int]:
        c = dict.fromkeys(SEVERITIES, 0)
        for f in self.open_findings():
            c[f.severity] = c.get(f.severity, 0) + 1
        return c

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in sorted(self.findings, key=lambda f: (f.rule, f.resources))],
                "counts": self.counts(), "exposure": self.exposure,
                "exposure_unknown": self.exposure_unknown}

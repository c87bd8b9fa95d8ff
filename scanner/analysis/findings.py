"""The findings engine: a registry of small rules, run over the graph, with honest coverage.

A rule is a function of a :class:`RuleContext` that yields :class:`Hit` s (one per
resource it concerns, with the facts that made it fire). The engine turns hits
into :class:`Finding` s and decides, from the scan's run records and gaps, whether
the rule could be assessed at all: a rule whose evidence could not be read
(its collector was denied or failed, or a per-resource call left a gap) yields a
``not_assessed`` finding naming the reason, never a pass and never a fail.

``needs`` lists the API actions (``service:Operation``, as the runner and
``ScanContext.optional`` record them) whose results the rule reads. A scan run
is relevant to an action when its collector declares the action in ``reads``
(the registry), when the run failed on that action, or, for collectors that do
not declare their reads, when the run is of the same service.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner import status
from scanner.analysis.model import (
    SEVERITIES,
    STATUS_NOT_ASSESSED,
    STATUS_OPEN,
    Analysis,
    Finding,
)
from scanner.collectors.registry import read_actions
from scanner.context import IAM_PREFIX, account_id_node, region_id_node
from scanner.fact import Fact, fact_of
from scanner.graph import gc_paused
from scanner.inventory import Inventory

CATEGORIES = ("security", "resilience", "operations", "cost")


@dataclass
class Hit:
    """One resource a rule fired on, with the facts that made it fire."""

    resources: list[str]
    evidence: list[str]
    savings_monthly: float | None = None
    region: str | None = None  # where the evidence came from (defaults to the first resource's region)
    #: the judged fact this rule rests on is unknown for these resources: the finding is "not
    #: assessed" with this reason (the fact's why), never a pass and never a fail
    unknown: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    section: str
    category: str
    remediation: str
    needs: tuple[str, ...]
    fn: Callable[[RuleContext], Iterable[Hit]]


RULES: dict[str, Rule] = {}
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]{1,5}-\d{3}$")


def rule(id: str, title: str, *, severity: str, section: str, category: str, remediation: str,
         needs: tuple[str, ...] | list[str]) -> Callable[[Callable[[RuleContext], Iterable[Hit]]],
                                                         Callable[[RuleContext], Iterable[Hit]]]:
    """Register a rule; metadata is checked here so a typo fails at import, not in a report."""
    if not _RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} must look like NET-001")
    if severity not in SEVERITIES:
        raise ValueError(f"{id}: severity {severity!r} not in {SEVERITIES}")
    if category not in CATEGORIES:
        raise ValueError(f"{id}: category {category!r} not in {CATEGORIES}")
    if not needs:
        raise ValueError(f"{id}: a rule must say which API actions it needs")

    def wrap(fn: Callable[[RuleContext], Iterable[Hit]]) -> Callable[[RuleContext], Iterable[Hit]]:
        if id in RULES and RULES[id].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(id=id, title=title, severity=severity, section=section, category=category,
                         remediation=remediation, needs=tuple(needs), fn=fn)
        return fn

    return wrap


def load_rules() -> dict[str, Rule]:
    """Import every module of ``scanner.analysis.rules`` (each registers its rules)."""
    from scanner.analysis import rules as pkg

    for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not m.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{m.name}")
    return dict(sorted(RULES.items()))


# --- what rules see -----------------------------------------------------------
class RuleContext:
    """Read access to the graph and the exposure result, with small conveniences."""

    def __init__(self, inv: Inventory, analysis: Analysis) -> None:
        self.inv = inv
        self.analysis = analysis
        self._jctx: Any = None

    def nodes(self, *kinds: str) -> list[dict[str, Any]]:
        return self.inv.nodes(*kinds)

    def regions(self) -> list[str]:
        return self.inv.regions

    def region_node(self, region: str) -> str:
        return region_id_node(str(self.inv.meta.get("account", "")), region)

    def ran_ok(self, action: str, region: str) -> bool:
        """True when a collector reading ``action`` ran successfully in ``region``."""
        return any(r.get("status") == status.OK and r.get("region") == region
                   for r in relevant_runs(self.inv, action))

    # -- judged facts (scanner/judge/): the one value every section, diagram and rule reads ----
    def fact(self, node: dict[str, Any] | str, name: str) -> Fact | None:
        """The judged fact ``name`` of a node (None where it does not apply).

        Read from the node (judged at scan time, stored in the snapshot); a node that was never
        judged (an inventory built from records, a snapshot older than the judges) is judged
        here by the same judge, so a rule never falls back to reading the raw prop itself."""
        if isinstance(node, str):
            nid = node
            data = self.inv.node(nid)
            node = {"id": nid, **data} if data else {}
        if "facts" in node:
            return fact_of(node, name)
        return self._judge(node, name)

    def region_fact(self, region: str, name: str) -> Fact | None:
        """A region-wide judged fact (guard services: guardduty, config, securityhub, ...)."""
        nid = self.region_node(region)
        node = self.inv.node(nid)
        return self.fact({"id": nid, **node} if node else
                         {"id": nid, "kind": "aws:region", "name": region, "region": region, "props": {}}, name)

    def account_fact(self, name: str) -> Fact | None:
        """An account-wide judged fact (root_mfa, root_access_keys)."""
        nid = account_id_node(str(self.inv.meta.get("account", "")))
        node = self.inv.node(nid)
        return self.fact({"id": nid, **node} if node else
                         {"id": nid, "kind": "aws:account", "name": nid, "region": "global", "props": {}}, name)

    def _judge(self, node: dict[str, Any], name: str) -> Fact | None:
        from scanner import judge
        from scanner.judge.context import JudgeContext

        j = judge.catalog().get(str(node.get("kind")), {}).get(name)
        if j is None or not node:
            return None
        if self._jctx is None:
            self._jctx = JudgeContext(self.inv)
        self._jctx.current = j
        return j.fn(self._jctx, node)

    def judged(self, node: dict[str, Any], name: str, fires: str, evidence: str | list[str],
               resources: list[str] | None = None, region: str | None = None) -> Hit | None:
        """The hit of a rule that judges one fact: fires when the fact is ``fires`` ("yes" or
        "no"), is not assessed (with the fact's why) when it is unknown, passes otherwise."""
        f = self.fact(node, name)
        res = resources if resources is not None else [node["id"]]
        if f is None:
            return None
        if f.unknown:
            return Hit(res, [], region=region, unknown=f.why or f"{name} not read")
        if f.state == fires:
            return Hit(res, [evidence] if isinstance(evidence, str) else list(evidence), region=region)
        return None


# --- coverage ----------------------------------------------------------------
def _reads_by_collector(inv: Inventory | None = None) -> dict[str, tuple[set[str], str]]:
    """Collector name -> (declared actions, scope): what the scan that made ``inv`` ran, as its
    snapshot recorded it (so an old snapshot is judged by its own scan), else today's registry."""
    recorded = (inv.meta.get("collectors") if inv is not None else None) or {}
    if isinstance(recorded, dict) and recorded:
        return {str(name): (declared_actions(str(c.get("reads") or "")), str(c.get("scope") or "regional"))
                for name, c in recorded.items() if isinstance(c, dict)}
    return _registry_reads()


#: (how many collectors were registered, their reads) as :func:`_registry_reads` last built it
_REGISTRY_READS: list[Any] = [None, {}]


def _registry_reads() -> dict[str, tuple[set[str], str]]:
    """Today's registry as (declared actions, scope) per collector: built once (and again only when
    a collector was registered since), not on every rule's every action (each build listed the
    collector modules again). Shared: callers only read it."""
    from scanner.collectors.registry import REGISTRY

    if _REGISTRY_READS[0] is None:
        try:
            from scanner.collectors import load_all

            load_all()
        except Exception:  # a half-written collector module must not stop analysis
            pass
    if _REGISTRY_READS[0] != len(REGISTRY):
        _REGISTRY_READS[:] = [len(REGISTRY), {c.name: (declared_actions(c.reads), c.scope)
                                               for c in REGISTRY.values()}]
    return _REGISTRY_READS[1]


def declared_actions(reads: str) -> set[str]:
    """The actions a collector declares, lower-cased for matching (one parser: registry.read_actions)."""
    return {a.lower() for a in read_actions(reads)}


def _prefix(service: str) -> str:
    return IAM_PREFIX.get(service, service).lower()


def relevant_runs(inv: Inventory, action: str) -> list[dict[str, Any]]:
    """The scan runs whose success decides whether ``action``'s results were read."""
    action_l = action.lower()
    reads = _reads_by_collector(inv)
    runs = inv.meta.get("runs", [])
    hits = [r for r in runs
            if action_l in reads.get(r.get("collector", ""), (set(), ""))[0]
            or str(r.get("action", "")).lower() == action_l]
    if hits:
        return hits
    prefix = action_l.split(":", 1)[0]
    return [r for r in runs if _prefix(str(r.get("service", ""))) == prefix
            and not reads.get(r.get("collector", ""), (set(), ""))[0]]


@dataclass
class Coverage:
    """Where a rule's evidence could not be read."""

    blocked_regions: dict[str, str] = field(default_factory=dict)   # region -> reason
    blocked_everywhere: str = ""                                    # reason, when nothing was read
    gap_resources: dict[str, str] = field(default_factory=dict)     # node id -> reason

    def blocks(self, region: str | None, resources: list[str]) -> bool:
        if self.blocked_everywhere:
            return True
        if region and region in self.blocked_regions:
            return True
        return any(r in self.gap_resources for r in resources)


def coverage(inv: Inventory, needs: tuple[str, ...]) -> Coverage:
    cov = Coverage()
    reads = _reads_by_collector(inv)
    for action in needs:
        runs = relevant_runs(inv, action)
        if not runs:
            cov.blocked_everywhere = f"{action} was not read by this scan (no collector for it ran)"
            continue
        for r in runs:
            if not status.is_blocked(r):
                continue
            why = (f"{r.get('collector')} {r.get('status')} in {r.get('region')}"
                   f" ({r.get('message') or r.get('status')}; needs {r.get('action') or action})")
            scope = reads.get(r.get("collector", ""), (set(), "regional"))[1]
            if scope == "global":
                cov.blocked_everywhere = why
            else:
                cov.blocked_regions.setdefault(str(r.get("region")), why)
        for g in inv.meta.get("gaps", []):
            if str(g.get("action", "")).lower() != action.lower():
                continue
            why = f"{g.get('action')} not readable: {g.get('reason')}"
            if g.get("resource"):
                cov.gap_resources.setdefault(str(g["resource"]), why)
            elif any(action.lower() in acts and scope == "global" for acts, scope in reads.values()):
                cov.blocked_everywhere = why  # an account-wide setting read once, for every region
            else:
                cov.blocked_regions.setdefault(str(g.get("region")), why)
    if cov.blocked_regions and set(inv.regions) and set(inv.regions) <= set(cov.blocked_regions):
        cov.blocked_everywhere = "; ".join(sorted(set(cov.blocked_regions.values())))
    return cov


# --- running -----------------------------------------------------------------
def _finding(r: Rule, hit: Hit | None = None, **kw: Any) -> Finding:
    return Finding(rule=r.id, title=r.title, severity=r.severity, section=r.section,
                   category=r.category, resources=list(hit.resources) if hit else [],
                   evidence=list(hit.evidence) if hit else [], remediation=r.remediation,
                   savings_monthly=hit.savings_monthly if hit else None, **kw)


def _hit_region(inv: Inventory, hit: Hit) -> str | None:
    if hit.region:
        return hit.region
    for rid in hit.resources:
        n = inv.node(rid)
        if n and n.get("region") not in (None, "global"):
            return str(n["region"])
    return None


def run_rule(r: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """The findings of one rule: open hits where evidence was read, not-assessed elsewhere."""
    cov = coverage(ctx.inv, r.needs)
    if cov.blocked_everywhere:
        yield _finding(r, status=STATUS_NOT_ASSESSED, reason=cov.blocked_everywhere)
        return
    try:
        hits = list(r.fn(ctx))
    except Exception as exc:  # an unexpected value in one account must not lose the whole report
        yield _finding(r, status=STATUS_NOT_ASSESSED,
                       reason=f"the rule could not evaluate this account's data ({type(exc).__name__}: {exc})"[:300])
        return
    for hit in hits:
        if cov.blocks(_hit_region(ctx.inv, hit), hit.resources):
            continue  # said below, once, with the run's or the gap's reason
        if hit.unknown:
            yield _finding(r, Hit(hit.resources, [], region=hit.region), status=STATUS_NOT_ASSESSED,
                           reason=hit.unknown)
        else:
            yield _finding(r, hit)
    for region, why in sorted(cov.blocked_regions.items()):
        yield _finding(r, Hit(resources=[], evidence=[], region=region), status=STATUS_NOT_ASSESSED,
                       reason=why)
    for rid, why in sorted(cov.gap_resources.items()):
        yield _finding(r, Hit(resources=[rid], evidence=[]), status=STATUS_NOT_ASSESSED, reason=why)


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    """Analysis step: run every registered rule (or options["rules"], a list of ids), and record for
    the compliance summary which rules ran and which frameworks ``options["compliance"]`` asks for."""
    from scanner.analysis import compliance

    rules = load_rules()
    only = options.get("rules")
    ctx = RuleContext(inv, analysis)
    ran = []
    with gc_paused():  # rules make no cyclic garbage; collections walked the whole graph's objects
        for rid, r in rules.items():
            if only and rid not in only:
                continue
            ran.append(rid)
            analysis.findings.extend(run_rule(r, ctx))
    chosen = options.get("compliance")
    compliance.record_scope(analysis, [chosen] if isinstance(chosen, str) else chosen, ran)


#: the savings step (scanner.analysis.savings, section 10.2) prices some problems these rules also
#: report; the pair is one problem, shown once: under this engine's rule, with the dollar figure
PRICED_EQUIVALENTS = {"SAV-001": "COST-001", "SAV-002": "COST-002", "SAV-003": "COST-003",
                      "SAV-006": "COST-004"}


def fold_priced_duplicates(analysis: Analysis) -> int:
    """Merge each priced savings finding into the open rule finding on the same resources.

    The merged finding keeps the rule id (stable for suppressions and CI gates), gains the
    savings figure and the pricing evidence; the duplicate is dropped. Returns how many merged.
    """
    ours = {(f.rule, tuple(f.resources)): f for f in analysis.findings if f.status == STATUS_OPEN}
    keep, merged = [], 0
    for f in analysis.findings:
        twin = ours.get((PRICED_EQUIVALENTS.get(f.rule, ""), tuple(f.resources)))
        if twin is not None and f.status == STATUS_OPEN:
            twin.savings_monthly = f.savings_monthly if f.savings_monthly is not None else twin.savings_monthly
            twin.evidence.extend(e for e in f.evidence if e not in twin.evidence)
            merged += 1
            continue
        keep.append(f)
    analysis.findings[:] = keep
    return merged

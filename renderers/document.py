"""Render the twelve-section design document from the Inventory and its Analysis.

Every ``{{ }}`` in a template is escaped for Markdown by the environment's
``finalize`` hook unless it is already :class:`Markup` (built here by helpers
that escape their own parts), so a template cannot forget to escape account text.
Facts are computed by small modules in ``renderers/facts/`` exposed to every
template as ``facts.<module>``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import pkgutil
from types import SimpleNamespace
from typing import Any

import jinja2
from markupsafe import Markup

from renderers import facts as facts_pkg
from renderers.appendix import HARD_ROWS, SUMMARY_ROWS, Appendix
from renderers.escape import code, md, plain
from renderers.labels import kind_label, regions_text
from renderers.plural import count_of
from scanner import kinds, naming, status
from scanner.analysis.model import SEVERITIES, STATUS_NOT_ASSESSED, STATUS_OPEN, STATUS_SUPPRESSED, Analysis
from scanner.fact import Fact
from scanner.graph import gc_paused
from scanner.inventory import Inventory

SECTIONS = (
    "01_overview", "02_network", "03_compute", "04_storage", "05_security", "06_database",
    "07_delivery", "08_scaling", "09_resilience", "10_cost", "11_implementation", "12_operations",
)

SEVERITY_LABEL = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFO"}


#: escaped text by its raw string: table cells repeat (regions, kinds, yes/no, names), and
#: escaping is pure, so a large account's tables escape each distinct value once
_MD_CACHE: dict[str, Markup] = {}
_MD_CACHE_MAX = 200_000


def _finalize(value: Any) -> Any:
    if value is None:
        return "-"
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if type(value) is str:
        hit = _MD_CACHE.get(value)
        if hit is None:
            if len(_MD_CACHE) >= _MD_CACHE_MAX:
                _MD_CACHE.clear()
            hit = _MD_CACHE[value] = md(value)
        return hit
    return md(value)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("renderers", "templates"),
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["code"] = code
    env.filters["md"] = md
    env.filters["yesno"] = yesno
    env.filters["fact"] = fact_text
    env.filters["join_md"] = join_md
    env.filters["money"] = money
    env.filters["kind"] = kind_label
    env.filters["plural"] = count_of
    return env


def fact_text(value: Any, yes: str = "yes", no: str = "no", na: str = "not applicable",
              why: bool = True) -> str:
    """A judged fact in a cell: ``yes``/``no`` (or the given words), ``unknown (why)``, or ``na``
    where the question does not apply. Unknown is never shown as "no" or "-"."""
    if value is None:
        return na
    f = Fact.from_dict(value)
    if f.unknown:
        return f.text() if why else "unknown"
    return yes if f.yes else no


def yesno(value: Any, unknown: str = "unknown") -> str:
    if value is None:
        return unknown
    return "yes" if value else "no"


def join_md(values: Any, sep: str = ", ", empty: str = "-") -> Markup:
    items = [v for v in (values or []) if v not in (None, "")]
    if not items:
        return Markup(md(empty))
    return Markup(sep).join(md(v) for v in items)


def money(value: Any) -> str:
    if value is None:
        return "not priced"
    return f"${float(value):,.2f}"


@functools.lru_cache(maxsize=1)
def shared_environment() -> jinja2.Environment:
    """One environment per process for :func:`render_document`: compiling the templates costs
    about a second, and a process that renders several documents (tests, ``awsscan diff``,
    the benchmark) compiles them once. Jinja environments are safe to share between threads."""
    return environment()


def load_facts() -> SimpleNamespace:
    mods = {}
    for m in sorted(pkgutil.iter_modules(facts_pkg.__path__), key=lambda m: m.name):
        if not m.name.startswith("_"):
            mods[m.name] = importlib.import_module(f"{facts_pkg.__name__}.{m.name}")
    return SimpleNamespace(**mods)


class DocHelpers:
    """Callables the templates use; each returns Markup it escaped itself."""

    def __init__(self, inv: Inventory, analysis: Analysis, diagrams: dict[str, list[Any]]) -> None:
        self.inv = inv
        self.analysis = analysis
        self.diagrams = diagrams
        #: the full tables this render summarised, printed after section 12 (renderers/appendix.py)
        self.appendix = Appendix()

    def table(self, headers: list[str], rows: list[list[Any]], empty: str | None = None) -> Markup:
        """A Markdown table; every cell escaped unless it is Markup."""
        if not rows:
            return Markup(md(empty)) if empty else Markup("")
        if len(rows) > HARD_ROWS:  # no table makes a large account's document unreadable
            return self.big_table(headers, rows)
        head = "| " + " | ".join(md(h) for h in headers) + " |"
        sep = "|" + "|".join("---" for _ in headers) + "|"
        body = ["| " + " | ".join(str(_finalize(c)) for c in row) + " |" for row in rows]
        return Markup("\n".join([head, sep, *body]) + "\n")

    def big_table(self, headers: list[str], rows: list[list[Any]], empty: str | None = None, *,
                  what: str | None = None, group_by: list[str] | tuple[str, ...] = (),
                  spread: list[str] | tuple[str, ...] = (), kinds: list[str] | tuple[str, ...] = ()) -> Markup:
        """:meth:`table` for a table that can grow with the account: up to ``SUMMARY_ROWS`` rows
        exactly the same table; above, a grouped summary (rows alike in ``group_by``, their
        ``spread`` columns such as AZs counted) naming its full version in the appendix and
        inventory.csv. ``what`` is the rows' plural noun ("EC2 instances"), ``kinds`` their kinds."""
        if len(rows) <= SUMMARY_ROWS:
            return self.table(headers, rows, empty)
        cells = [[str(_finalize(c)) for c in row] for row in rows]
        return self.appendix.summary(headers, cells, what=what, group_by=group_by, spread=spread, kinds=kinds)

    def regions_text(self) -> str:
        regs = self.inv.regions
        return ", ".join(regs) if regs else "no region"

    def nothing(self, what: str, services: tuple[str, ...] | list[str] = ()) -> Markup:
        """Say honestly that nothing of a kind was found, or that it could not be looked at."""
        blocked = status.blocked_runs(self.inv.meta.get("runs", []), services=services) if services else []
        return self._nothing(what, blocked)

    def none_of(self, summary: str, *node_kinds: str) -> Markup:
        """:meth:`nothing` for a list of several kinds, each judged on its own feeds: when some
        were read and some not, the ones read are "not found" and the others say they could not
        be read (renderers/absence.py); ``summary`` names the whole list in the plain cases."""
        from renderers.absence import none_of

        return Markup(md(none_of(self.inv, node_kinds, summary=summary)))

    def nothing_in(self, subsection: str, what: str, *node_kinds: str) -> Markup:
        """:meth:`nothing` for what a subsection states, its feeds read from the kind specs: the
        collectors of ``node_kinds`` (default: every kind the subsection states, ``kinds.in_section``)."""
        colls = ({c for k in node_kinds for c in kinds.spec(k).collectors} if node_kinds
                 else set(kinds.collectors_for(subsection)))
        blocked = status.blocked_runs(self.inv.meta.get("runs", []), collectors=colls) if colls else []
        return self._nothing(what, blocked)

    def _nothing(self, what: str, blocked: Any) -> Markup:
        if blocked and all(status.is_excluded(r) for r in blocked):
            return Markup(md(f"No {what} are listed: not scanned, "
                             f"{self.inv.meta.get('selection') or 'excluded by choice'}."))
        if blocked:
            return Markup(md(f"No {what} could be listed: the scan could not read them (see below)."))
        return Markup(md(f"No {what} were found in the scanned regions ({self.regions_text()})."))

    def gaps_in(self, subsection: str, *services: str) -> Markup:
        """What could not be seen of the kinds a subsection states (their collectors' runs and the
        partial reads of their IAM actions, from the kind specs), plus any ``services`` named."""
        colls = set(kinds.collectors_for(subsection))
        acts = {a.lower() for k in kinds.in_section(subsection) for a in kinds.actions(k)}
        return self._gaps(lambda r: r.get("collector") in colls or r.get("service") in services,
                          lambda g: str(g.get("action") or "").lower() in acts or g.get("service") in services)

    def gaps(self, *services: str) -> Markup:
        """What could not be seen for these services, and the permission that is missing."""
        return self._gaps(lambda r: not services or r.get("service") in services,
                          lambda g: not services or g.get("service") in services)

    def _gaps(self, run_wanted: Any, gap_wanted: Any) -> Markup:
        """The same failure in many regions is one line naming the regions, so a service that is
        denied account-wide reads as one fact, not thirty."""
        runs: dict[tuple[str, str, str, str], list[str]] = {}
        for r in sorted(self.inv.meta.get("runs", []), key=lambda r: (r["collector"], r["region"])):
            if not run_wanted(r) or not status.is_blocked(r):
                continue
            key = (r["collector"], r["status"], r.get("action") or "", r.get("message") or "")
            runs.setdefault(key, []).append(r["region"])
        lines = []
        for (coll, run_status, action, message), regions in runs.items():
            where = md(regions_text(regions))
            if run_status == status.EXCLUDED:
                lines.append(f"- **Not scanned:** {md(coll)} in {where}: {md(message or 'excluded by choice')}.")
            elif run_status == status.DENIED:
                lines.append(f"- **Not seen:** {md(coll)} in {where}: {md(message or 'access denied')}; "
                             f"missing permission {code(action or '?')}.")
            else:
                lines.append(f"- **Not seen:** {md(coll)} in {where} failed: {md(message)}.")
        partial: dict[tuple[str, str, str], list[str]] = {}
        for g in self.inv.meta.get("gaps", []):
            if not gap_wanted(g):
                continue
            key = (g.get("action") or "", g.get("resource") or "", g.get("reason") or "")
            partial.setdefault(key, []).append(g.get("region") or "")
        for (action, resource, reason), regions in partial.items():
            res = f" for {md(naming.label(self.inv, resource))}" if resource else ""
            lines.append(f"- **Partly seen:** {code(action)}{res} in {md(regions_text(regions))}: {md(reason)}.")
        if not lines:
            return Markup("")
        return Markup("\n" + "\n".join(dict.fromkeys(lines)) + "\n")

    def findings(self, section: str) -> Markup:
        """The findings that concern one subsection, most severe first.

        Findings of one rule with the same status are shown as one entry listing every
        resource and its evidence, so ten unversioned buckets read as one problem.
        """
        items = self.analysis.for_section(section)
        if not items:
            return Markup("")
        groups: dict[tuple[str, str, str], list[Any]] = {}
        for f in items:
            groups.setdefault((f.rule, f.status, f.reason if f.status != STATUS_OPEN else ""), []).append(f)
        out = ["", f"**Findings ({md(self.findings_count(groups.values()))}):**", ""]
        for (_, st, reason), fs in groups.items():
            f = fs[0]
            resources = list(dict.fromkeys(r for g in fs for r in g.resources))
            evidence = list(dict.fromkeys(e for g in fs for e in g.evidence))
            res = ", ".join(str(md(self.label(r))) for r in resources[:8])
            if len(resources) > 8:
                res += f" and {len(resources) - 8} more"
            if st == STATUS_OPEN:
                head = f"- **{SEVERITY_LABEL.get(f.severity, f.severity)}** {md(f.rule)}: {md(f.title)}"
            elif st == STATUS_NOT_ASSESSED:
                head = f"- **NOT ASSESSED** {md(f.rule)}: {md(f.title)} ({md(reason)})"
            else:
                head = f"- **ACCEPTED RISK** {md(f.rule)}: {md(f.title)} (suppressed: {md(reason)})"
            out.append(head)
            if res:
                out.append(f"  - {'Resource' if len(resources) == 1 else f'Resources ({len(resources)})'}: {res}")
            if evidence and st != STATUS_NOT_ASSESSED:
                ev = "; ".join(str(md(e)) for e in evidence[:6])
                if len(evidence) > 6:
                    ev += f"; and {len(evidence) - 6} more"
                out.append(f"  - Evidence: {ev}")
            saving = sum(g.savings_monthly or 0 for g in fs)
            if saving:
                out.append(f"  - Estimated saving: {money(saving)} per month")
            if st == STATUS_OPEN:
                out.append(f"  - Remediation: {md(f.remediation, 600)}")
        return Markup("\n".join(out) + "\n")

    @staticmethod
    def findings_count(groups: Any) -> str:
        """What a findings list shows, counted the way it is listed: one entry per rule (and
        status), with the resources those entries name: ``3 open, on 5 resources; 1 not assessed``."""
        by_status: dict[str, list[list[Any]]] = {}
        for fs in groups:
            fs = list(fs)
            by_status.setdefault(fs[0].status, []).append(fs)
        opened = by_status.get(STATUS_OPEN, [])
        resources = sum(len(dict.fromkeys(r for f in fs for r in f.resources)) for fs in opened)
        text = f"{len(opened)} open"
        if resources != len(opened):
            text += f", on {count_of(resources, 'resource')}"
        parts = [text]
        if by_status.get(STATUS_NOT_ASSESSED):
            parts.append(f"{len(by_status[STATUS_NOT_ASSESSED])} not assessed")
        if by_status.get(STATUS_SUPPRESSED):
            parts.append(count_of(by_status[STATUS_SUPPRESSED], "accepted risk"))
        return "; ".join(parts)

    def label(self, node_id: str) -> str:
        return naming.label(self.inv, node_id)

    def name(self, node_id: str) -> str:
        return naming.name(self.inv, node_id)

    def fact(self, node_id: str, name: str, yes: str = "yes", no: str = "no", na: str = "not applicable") -> str:
        """A node's judged fact as a cell (see :func:`fact_text`)."""
        return fact_text(self.inv.fact(node_id, name), yes, no, na)

    def diagram(self, marker: str) -> Markup:
        parts = self.diagrams.get(marker) or []
        if not parts:
            return Markup(md(f"(The {marker} diagram could not be drawn.)") + "\n")
        out = []
        for d in parts:
            out.append(f"![{md(d.title)}](diagrams/{d.filename}.svg)")
            out.append("")
            out.append(f"*{md(d.title)}: {d.nodes} nodes, {d.edges} edges. "
                       f"Source: `diagrams/{d.filename}.dot`.*")
            for note in d.omitted:
                out.append(f"*Not drawn: {md(note)}*")
            out.append("")
        return Markup("\n".join(out))


def render_document(inv: Inventory, analysis: Analysis, diagrams: list[Any] | None = None,
                    project_name: str | None = None) -> str:
    env = shared_environment()
    by_marker: dict[str, list[Any]] = {}
    for d in diagrams or []:
        by_marker.setdefault(d.marker, []).append(d)
    helpers = DocHelpers(inv, analysis, by_marker)
    name = project_name or inv.meta.get("name") or inv.meta.get("account") or "AWS account"
    ctx = {
        "project_name": name,
        "inv": inv,
        "meta": inv.meta,
        "analysis": analysis,
        "facts": load_facts(),
        "h": helpers,
        "SEVERITIES": SEVERITIES,
        "STATUS_OPEN": STATUS_OPEN,
        "STATUS_SUPPRESSED": STATUS_SUPPRESSED,
        "plain": plain,
    }
    reading = getattr(analysis, "reading", None)  # a test may hand in a bare namespace
    # facts several subsections show are computed once (Inventory.memo), findings indexed once;
    # the cyclic collector is paused: a render makes no cyclic garbage, and its collections, each
    # a walk of the whole graph's objects, were a quarter of a large account's render
    with inv.rendering(), (reading() if reading else contextlib.nullcontext()), gc_paused():
        parts = [env.get_template("header.md.j2").render(ctx)]
        for sec in SECTIONS:
            parts.append(env.get_template(f"sections/{sec}.md.j2").render(ctx))
    text = "\n".join(p.rstrip("\n") + "\n" for p in parts)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return helpers.appendix.finish(text)  # the full tables the sections summarised, after section 12

"""A document that stays readable at any size: long tables summarised, full tables in an appendix.

A section's table of more than :data:`SUMMARY_ROWS` rows (when its template names what the rows
are: ``h.big_table``) or of more than :data:`HARD_ROWS` rows (any ``h.table``) is shown as a
grouped summary: rows that differ only in the columns that carry a resource's identity (ids,
names, addresses) or its place (region, AZ, subnet) become one row with a count, e.g.
``60 x m5.large | ... | app-asg | 3 AZs (a, b, c)``. The full table is registered here and
printed after section 12 under "Appendix: full resource tables", as long as design.md stays
within :data:`DOC_LINES`; a table too long for that budget keeps its numbered appendix entry,
which says where its facts are (``inventory.csv``: one row per resource with its props, judged
facts and relations, written beside design.md by renderers/report.py).

Below the thresholds nothing changes: small accounts render exactly as before.

The section's sentence naming the appendix is written during the render ("All 480 EC2 instances
are listed in Appendix A.3 and in inventory.csv.") and rewritten by :meth:`Appendix.finish` once
the whole document's length is known (a link to the entry, or "too long for the appendix").
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from renderers.escape import md, plain
from renderers.exports.common import scalar
from renderers.exports.tables import safe_cell
from scanner import naming
from scanner.plural import count_of, plural_of

#: a table whose template says what its rows are (``h.big_table``) is summarised above this
SUMMARY_ROWS = 25
#: any table (``h.table``) is summarised above this: no template can make the document unreadable
HARD_ROWS = 200
#: rows of a summary at most: groups are merged (by dropping grouping columns) until they fit
MAX_GROUPS = 25
#: design.md's line budget: appendix tables are printed in full while the document stays within it
DOC_LINES = 2400
#: columns that say where a resource is: summarised as "3 AZs (a, b, c)", never grouped by
SPREAD_HEADERS = frozenset({"region", "regions", "az", "azs", "availability zone", "availability zones",
                            "subnet", "subnets", "zone"})
TITLE = "Appendix: full resource tables"
CSV_NAME = "inventory.csv"
#: inventory.csv's columns; ``facts`` are the judged yes/no/unknown facts, ``relations`` the edges
#: leaving the resource (``rel target``), ``props``/``tags`` JSON, so every table's facts are there
CSV_COLUMNS = ("id", "kind", "name", "label", "region", "account", "az", "vpc", "subnet", "type", "state",
               "external", "facts", "tags", "props", "relations")
#: not resources: the account and region nodes, the internet (scan structure, not inventory)
NOT_RESOURCES = frozenset({"aws:account", "aws:region", "internet"})
_HEADING = re.compile(r"^(#{2,3}) (\d{1,2}(?:\.\d{1,2})?)\.? (.*)$", re.MULTILINE)


def anchor(text: str) -> str:
    """The HTML id of a heading without a section number; the same rule as renderers/html.py
    ``_slug`` (tests/test_large_document.py checks every appendix link lands on its heading)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return f"h-{s}" if s else "h"


# --------------------------------------------------------------------------- grouping

@dataclass
class Summary:
    """A long table summarised: its header and rows (Markdown cells) and what varies in a group."""

    headers: list[str]
    rows: list[list[str]]
    differ: list[str]
    groups: int


def _plural_header(header: str) -> str:
    """"AZ" -> "AZs", "Region" -> "regions", "Subnets" -> "subnets": a column name after a count."""
    if header[-1:].isupper():
        return header + "s"
    low = header.lower() if header[:1].isupper() and not header[1:2].isupper() else header
    return low if low.endswith("s") else plural_of(low)


def summarise(headers: Sequence[str], cells: Sequence[Sequence[str]], group_by: Sequence[str] = (),
              spread: Sequence[str] = (), max_groups: int = MAX_GROUPS) -> Summary:
    """Group rows alike in every grouping column; a pure function of rendered (escaped) cells.

    Grouping columns are ``group_by`` when given (in that order: the first carries the count,
    ``60 x m5.large``), else every column that is neither a place
    (``spread``, default the region/AZ/subnet columns) nor an identity (more distinct values
    than half the rows). While there are more groups than ``max_groups`` the grouping column
    with the most distinct values (for ``group_by``: the last named) stops grouping, so the
    summary is bounded whatever the table holds.
    """
    n = len(cells)
    index = {h: i for i, h in enumerate(headers)}
    places = ([index[h] for h in spread if h in index] if spread
              else [i for i, h in enumerate(headers) if h.lower() in SPREAD_HEADERS])
    distinct = [len({row[i] for row in cells}) for i in range(len(headers))]
    named = [index[h] for h in group_by if h in index and index[h] not in places]
    if named:
        keys = list(named)
        drop_order = list(reversed(keys))
    else:  # no grouping columns named (or none of them in this table): the table's own shape decides
        keys = [i for i in range(len(headers)) if i not in places and distinct[i] <= max(1, n // 2)]
        drop_order = sorted(keys, key=lambda i: (-distinct[i], -i))
    while True:
        groups: dict[tuple[str, ...], list[int]] = {}
        for r, row in enumerate(cells):
            groups.setdefault(tuple(row[i] for i in keys), []).append(r)
        if len(groups) <= max_groups or not keys:
            break
        keys.remove(drop_order.pop(0))
    if not named:
        keys.sort()  # the table's own order; named columns keep theirs (the first is the counted one)
    rest = [i for i in range(len(headers)) if i not in keys]
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    out_headers = [headers[i] for i in keys] + [headers[i] for i in rest]
    if not keys:
        out_headers.insert(0, "Count")
    rows: list[list[str]] = []
    varies: set[int] = set()
    for members in ordered:
        row = [cells[members[0]][i] for i in keys]
        if row:
            row[0] = f"{len(members)} x {row[0]}"
        else:
            row = [str(len(members))]
        for i in rest:
            values = list(dict.fromkeys(cells[m][i] for m in members))
            if len(values) == 1:
                row.append(values[0])
                continue
            varies.add(i)
            if i in places:
                cell = f"{len(values)} {md(_plural_header(headers[i]))}"
                row.append(cell + (f" ({', '.join(values)})" if len(values) <= 3 else ""))
            else:
                row.append(f"{values[0]} and {len(members) - 1} more")  # more resources, not values
        rows.append(row)
    return Summary(out_headers, rows, [headers[i] for i in rest if i in varies], len(ordered))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Escaped header words, already-rendered cells."""
    head = "| " + " | ".join(str(md(h)) for h in headers) + " |"
    sep = "|" + "|".join("---" for _ in headers) + "|"
    return "\n".join([head, sep, *("| " + " | ".join(row) + " |" for row in rows)]) + "\n"


# --------------------------------------------------------------------------- the appendix

@dataclass
class Entry:
    """One full table the document summarised, numbered in the order the sections show them."""

    number: int
    what: str | None
    headers: list[str]
    rows: list[list[str]]
    kinds: tuple[str, ...] = ()
    placed: bool = False
    home: str = ""

    @property
    def label(self) -> str:
        return f"A.{self.number}"

    @property
    def heading(self) -> str:
        """"A.3 EC2 instances"; a table the template did not name: "A.5 Table of 11.2 Dependencies"."""
        if self.what:
            what = plain(self.what)
            return f"{self.label} {what[:1].upper()}{what[1:]}"
        return f"{self.label} Table of {plain(self.home) or 'the document'}"

    def draft(self) -> str:
        """What the section says during the render (a valid sentence even if never finished)."""
        if self.what:
            return f"All {len(self.rows)} {md(self.what)} are listed in Appendix {self.label} and in {CSV_NAME}."
        return f"The full table ({count_of(len(self.rows), 'row')}) is in Appendix {self.label}."

    def final(self) -> str:
        link = f"[Appendix {self.label}](#{anchor(self.heading)})"
        n = len(self.rows)
        if self.what and self.placed:
            return f"All {n} {md(self.what)} are listed in {link} and in {CSV_NAME}."
        if self.what:
            return (f"All {n} {md(self.what)} are listed in {CSV_NAME}, one row each with its props, judged "
                    f"facts and relations; the full table ({n} rows) is too long for {link}.")
        if self.placed:
            return f"The full table ({count_of(n, 'row')}) is in {link}."
        return (f"The full table ({n} rows) is too long for this document ({link}); {CSV_NAME} and "
                f"inventory.json hold every resource it lists, with its props, judged facts and relations.")


_TABLE_SEP = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")


#: a backslash and the character it escapes, a run of plain text, or a cell border
_CELL_TOKEN = re.compile(r"\\.|[^\\|]+|\||\\", re.DOTALL)


def _cells(line: str) -> list[str]:
    """The cells of one Markdown table row; ``\\|`` (an escaped pipe) stays inside its cell.

    Read by runs of text, not character by character: a large account's document has tens of
    thousands of table rows to read back (a row without a backslash is a plain split)."""
    body = line.strip()
    if "\\" not in body:
        cells = [c.strip() for c in body.split("|")]
    else:
        cells, cur = [], []
        for tok in _CELL_TOKEN.findall(body):
            if tok == "|":
                cells.append("".join(cur).strip())
                cur = []
            else:
                cur.append(tok)
        cells.append("".join(cur).strip())
    return cells[1:-1] if len(cells) >= 2 else cells


def _long_tables(text: str, rows_over: int) -> list[tuple[int, int, list[str], list[list[str]]]]:
    """(start, end, headers, rows) of each Markdown table in ``text`` of more than ``rows_over``
    rows: the tables a template wrote itself rather than through ``h.table``."""
    out = []
    lines = text.splitlines(keepends=True)
    pos, i = 0, 0
    offsets = []
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    offsets.append(pos)
    while i < len(lines) - 1:
        if lines[i].startswith("|") and _TABLE_SEP.match(lines[i + 1].rstrip("\n")):
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            if j - i - 2 > rows_over:
                headers = [re.sub(r"\\(.)", r"\1", h) for h in _cells(lines[i])]
                rows = [_cells(line) for line in lines[i + 2:j]]
                width = len(headers)
                rows = [(r + [""] * width)[:width] for r in rows]
                out.append((offsets[i], offsets[j], headers, rows))
            i = j
        else:
            i += 1
    return out


@dataclass
class Appendix:
    """The full tables registered during one render, and the appendix section made of them."""

    entries: list[Entry] = field(default_factory=list)
    line_budget: int = DOC_LINES

    def summary(self, headers: Sequence[str], cells: list[list[str]], *, what: str | None = None,
                group_by: Sequence[str] = (), spread: Sequence[str] = (),
                kinds: Sequence[str] = ()) -> Markup:
        """The grouped table a section shows instead of ``cells``; the full table is kept."""
        width = max([len(headers), *(len(row) for row in cells)])
        headers = [*headers, *[""] * (width - len(headers))]
        cells = [row + [""] * (width - len(row)) if len(row) < width else row for row in cells]
        entry = Entry(len(self.entries) + 1, what, list(headers), cells, tuple(kinds))
        self.entries.append(entry)
        s = summarise(headers, cells, group_by, spread)
        noun = md(what) if what else "rows"
        alike = (f"rows that differ only in {', '.join(str(md(h)) for h in s.differ)} are one row with their count"
                 if s.differ else "identical rows are one row with their count")
        note = f"*{len(cells)} {noun} shown as {count_of(s.groups, 'group')}: {alike}.* {entry.draft()}"
        return Markup(markdown_table(s.headers, s.rows) + "\n" + note + "\n")

    def finish(self, text: str) -> str:
        """The finished document: long tables a template wrote itself summarised too, entries
        numbered in the order the document shows them, the full tables placed while design.md
        stays within the line budget, the sections' sentences naming where each table is, and
        the appendix after section 12. A document with nothing to summarise is returned as is."""
        text = self._summarise_inline(text)
        if not self.entries:
            return text
        found = [(text.find(e.draft()), k, e) for k, e in enumerate(self.entries)]
        ordered = sorted(found, key=lambda t: (t[0] < 0, t[0], t[1]))
        heads = list(_HEADING.finditer(text))  # once, not once per entry
        ends = [h.end() for h in heads]
        for at, _, e in ordered:
            k = bisect.bisect_right(ends, at) if at >= 0 else 0  # the headings that end before it
            e.home = f"{heads[k - 1].group(2)} {heads[k - 1].group(3)}".strip() if k else ""
        spans = [(at, at + len(e.draft()), e) for at, _, e in ordered if at >= 0]
        for number, (_, _, e) in enumerate(ordered, start=1):
            e.number = number  # after the drafts were located: they name the number of the render
        self.entries = [e for _, _, e in ordered]
        intro = ["", f"## {TITLE}", "",
                 f"The full tables that the sections summarise, in the order they appear. {CSV_NAME} (beside "
                 "this document) has one row per resource: id, kind, name, region, account, AZ, VPC, subnet, "
                 "type, state, its judged facts (yes/no/unknown with why), tags, props and relations.", ""]
        used = text.count("\n") + len(intro) + 4 * len(self.entries)
        for e in self.entries:
            if used + len(e.rows) + 2 <= self.line_budget:
                e.placed = True
                used += len(e.rows) + 2
        out, pos = [], 0
        for start, end, e in spans:
            out += [text[pos:start], e.final()]
            pos = end
        text = "".join(out) + text[pos:]
        parts = list(intro)
        for e in self.entries:
            parts += [f"### {md(e.heading)}", ""]
            where = f"Summarised in section {e.home}" if e.home else "Summarised above"
            if e.placed:
                parts += [f"{where} ({count_of(len(e.rows), 'row')}).", "",
                          markdown_table(e.headers, e.rows).rstrip("\n"), ""]
            else:
                kinds = f" (kind {', '.join(e.kinds)})" if e.kinds else ""
                parts += [f"{where}. Its {len(e.rows)} rows are too many for this document: every resource "
                          f"it lists is a row of {CSV_NAME}{kinds}, with its props, judged facts and relations.", ""]
        return text.rstrip("\n") + "\n" + "\n".join(parts).rstrip("\n") + "\n"

    def _summarise_inline(self, text: str) -> str:
        """Tables of more than ``HARD_ROWS`` rows that a template wrote without ``h.table``."""
        tables = _long_tables(text, HARD_ROWS)
        if not tables:
            return text
        out, pos = [], 0
        for start, end, headers, rows in tables:
            out += [text[pos:start], str(self.summary(headers, rows))]
            pos = end
        return "".join(out) + text[pos:]


# --------------------------------------------------------------------------- inventory.csv

def _cell(value: Any) -> str:
    """One CSV cell: one line (lists and mappings as sorted JSON), and never read as a formula by
    a spreadsheet: account text is untrusted, a name ``=HYPERLINK(...)`` stays text (the rule of
    the ``--export csv`` files, renderers/exports/tables.py)."""
    return safe_cell(plain(scalar(value), 1_000_000))


def _first(props: dict[str, Any], *names: str) -> str:
    for name in names:
        v = props.get(name)
        if v not in (None, "", [], {}):
            return ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    return ""


def _facts_text(facts: Any) -> str:
    out = []
    for name, raw in sorted((facts or {}).items()):
        if isinstance(raw, dict):
            why = str(raw.get("why") or "")
            out.append(f"{name}={raw.get('state')}" + (f" ({why})" if why else ""))
    return "; ".join(out)


def resource_nodes(inv: Any) -> list[dict[str, Any]]:
    """Every resource the scan holds (external references included), in the snapshot's order."""
    return [n for n in inv.nodes(include_external=True) if n.get("kind") not in NOT_RESOURCES]


def inventory_csv(inv: Any) -> str:
    """inventory.csv: one row per resource (:data:`CSV_COLUMNS`), deterministic like the snapshot."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for n in resource_nodes(inv):
        p = n.get("props") or {}
        relations = "; ".join(sorted(f"{e.get('rel')} {d}" for _, d, e in inv.graph.out_edges(n["id"], data=True)))
        w.writerow([_cell(v) for v in (
            n["id"], n.get("kind"), n.get("name"), naming.node_label(n), n.get("region"), n.get("account"),
            _first(p, "az", "availability_zone", "azs"), _first(p, "vpc_id", "vpc_ids"),
            _first(p, "subnet_id", "subnet_ids"),
            _first(p, "instance_type", "node_type", "instance_class", "volume_type", "type", "engine"),
            _first(p, "state", "status"), "yes" if n.get("external") else "no", _facts_text(n.get("facts")),
            n.get("tags") or {}, p, relations)])
    return buf.getvalue()

"""Cross-references of the report: section numbers become links to their headings everywhere
(after "section", "see", "in", and in a table's "Section" / "Described in" column), and in Top
risks and the findings every resource named in a section's table links to it.

Two steps, so a long page can be converted piece by piece (renderers/html.py): :meth:`LinkIndex.scan`
reads every piece once (heading ids, which resource each table lists in its name column, the
resources each finding names), then :meth:`LinkIndex.link` rewrites a piece's text tokens. The
name lookup is linear in the text: at each word start it tries the few name lengths that exist
(longest first) in a dict, instead of one regular expression alternating over every name.

What counts as a resource name: a table's name-column cell (whole, without a trailing
"(id)", and that id itself) that either looks like an identifier (no space, has a digit or one
of ``-_.:/@``, not a section or control number, not a rule id) or is listed in a finding's
"Resource(s):" line. So "failover" in a record table's Policy column or "Redshift" in a cost
table stays text, while user "alice" named by a finding links to section 5.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.token import Token

from renderers.html_markdown import inline_text

#: "section 5.4", "sections 5.2 and 5.3", "see 5.4", "in 11.3": a keyword, then numbers
_REF_HEAD = re.compile(r"\b(sections?|see|in)\s+(?=\d)", re.IGNORECASE)
_REF_NUMS = re.compile(r"(\d{1,2}(?:\.\d{1,2})?)((?:,\s*|\s+(?:and|or)\s+)(?=\d))?")
#: first-column cells that are not resource names
_NOT_NAMES = frozenset({"yes", "no", "none", "total", "unknown", "not known", "-", "–"})
#: table headers that name the resource column (else the first column not in _CONTEXT_COLUMNS)
_NAME_COLUMNS = ("name", "resource", "function", "bucket", "project", "role", "user", "policy", "table",
                 "queue", "topic", "key", "cluster", "service", "instance", "vpc", "subnet", "load balancer",
                 "distribution", "api", "pipeline", "repository", "state machine", "file system", "volume",
                 "task definition", "group", "trail", "zone", "stream", "domain", "secret", "alias", "record",
                 "alarm", "log group", "health check", "certificate", "vault", "plan", "target group")
_CONTEXT_COLUMNS = frozenset({"region", "account", "az", "kind", "type", "severity"})
#: columns whose cells are a section number ("What could not be seen", the plan's work items)
_SECTION_COLUMNS = frozenset({"section", "described in"})
_SECTION_CELL = re.compile(r"^\d{1,2}(?:\.\d{1,2})?$")
#: a name is tried only at a word start: not after a word character or ``.:/-``
_NAME_START = re.compile(r"(?<![\w.:/-])[^\s]")
#: ... and ends where no word character, ``/``, ``-`` or ``.word`` follows
_NAME_END = re.compile(r"[\w/-]|\.\w")
_IDENTIFIER_MARKS = re.compile(r"[\d_.:/@-]")
_NUMBERS_ONLY = re.compile(r"^[\d.]+$")
_RULE_ID = re.compile(r"^[A-Z]{2,6}-\d{2,4}$")
_RESOURCES_LINE = re.compile(r"^Resources?(?: \(\d+\))?: (.+)$")
_AND_MORE = re.compile(r" and \d+ more$")
_TRAILING_ID = re.compile(r"\s*\(([^()]*)\)$")
#: an AWS resource id ("vol-0abc…", "subnet-…"): named on its own in evidence text
_AWS_ID = re.compile(r"^[a-z][a-z0-9]{0,11}-[0-9a-f]{8,}$")


def _identifier_like(name: str) -> bool:
    return (not any(c.isspace() for c in name) and bool(_IDENTIFIER_MARKS.search(name))
            and not _NUMBERS_ONLY.match(name) and not _RULE_ID.match(name))


def _forms(name: str) -> Iterator[str]:
    """"web-app (i-0abc)" is named whole, as "web-app" and, an AWS id, as "i-0abc"."""
    yield name
    m = _TRAILING_ID.search(name)
    if m:
        yield name[:m.start()]
        if _AWS_ID.match(m.group(1)):
            yield m.group(1)


def _inlines(tokens: list[Token]) -> Iterator[tuple[int, Token, bool]]:
    """Each inline token outside headings, with whether it belongs to a finding (a list item
    that starts with a severity badge, or a list nested in one)."""
    flags: list[bool] = []
    for i, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            inline = tokens[i + 2] if i + 2 < len(tokens) else None
            kids = [k for k in ((inline.children or []) if inline is not None and inline.type == "inline" else [])
                    if not (k.type == "text" and not k.content)]
            badge = bool(kids) and kids[0].type == "strong_open" and "sev" in str(kids[0].attrGet("class") or "")
            flags.append(badge or bool(flags and flags[-1]))
        elif tok.type == "list_item_close" and flags:
            flags.pop()
        elif tok.type == "inline" and tok.children and not (i and tokens[i - 1].type == "heading_open"):
            yield i, tok, bool(flags and flags[-1])


def _link_tokens(text: str, href: str) -> list[Token]:
    opener = Token("link_open", "a", 1)
    opener.attrSet("href", href)
    return [opener, _text_token(text), Token("link_close", "a", -1)]


def _text_token(text: str) -> Token:
    t = Token("text", "", 0)
    t.content = text
    return t


def _split(text: str, spans: list[tuple[int, int, str]]) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for start, end, href in sorted(spans):
        if start < pos:
            continue
        if start > pos:
            out.append(_text_token(text[pos:start]))
        out.extend(_link_tokens(text[start:end], href))
        pos = end
    if pos < len(text):
        out.append(_text_token(text[pos:]))
    return out


class LinkIndex:
    """What the links of a page point at, gathered piece by piece (:meth:`scan`), then used to
    rewrite each piece (:meth:`link`)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self._section = ""
        self._candidates: dict[str, str] = {}
        self._listed: set[str] = set()
        self._where: dict[str, str] | None = None
        self._lengths: list[int] = []
        self._firsts: frozenset[str] = frozenset()

    # ----------------------------------------------------------------- pass 1

    def scan(self, tokens: list[Token], own: range | None = None) -> bool:
        """Record the piece's heading ids, table names and finding resources; True when the
        piece's own tokens (``own``: their indexes; all when None) hold something :meth:`link`
        may change (a section number after a keyword, or a finding), so it must wait until
        every piece has been scanned."""
        col, headers, cells = 0, [], []
        waits = False
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open" and tok.attrGet("id"):
                self._section = str(tok.attrGet("id"))
                self.ids.add(self._section)
            elif tok.type == "thead_open":
                headers = []
            elif tok.type == "th_open" and i + 1 < len(tokens):
                headers.append(" ".join(inline_text(tokens[i + 1].children).split()).lower())
            elif tok.type == "thead_close":
                waits = waits or any(h in _SECTION_COLUMNS for h in headers)    # its rows may be own
                named = [j for j, h in enumerate(headers) if h in _NAME_COLUMNS]
                plain = [j for j, h in enumerate(headers) if h not in _CONTEXT_COLUMNS]
                col = named[0] if named else (plain[0] if plain else 0)
            elif tok.type == "tr_open":
                cells = []
            elif tok.type == "td_open" and i + 1 < len(tokens):
                cells.append(" ".join(inline_text(tokens[i + 1].children).split()))
            elif tok.type == "tr_close" and len(cells) > col and self._section and self._section != "s-1":
                for cand in _forms(cells[col]):
                    if len(cand) >= 4 and not cand.isdigit() and cand.lower() not in _NOT_NAMES:
                        self._candidates.setdefault(cand, self._section)
        for k, tok, finding in _inlines(tokens):
            if own is not None and k not in own:
                continue
            if finding:
                waits = True
                m = _RESOURCES_LINE.match(" ".join(inline_text(tok.children).split()))
                if m:
                    for entry in _AND_MORE.sub("", m.group(1)).split(", "):
                        self._listed.update(_forms(entry.strip()))
            elif not waits and any(c.type == "text" and _REF_HEAD.search(c.content) for c in tok.children or []):
                waits = True
        return waits

    def _names(self) -> dict[str, str]:
        if self._where is None:
            self._where = {n: s for n, s in self._candidates.items() if n in self._listed or _identifier_like(n)}
            self._lengths = sorted({len(n) for n in self._where}, reverse=True)
            self._firsts = frozenset(n[0] for n in self._where)
            self._candidates, self._listed = {}, set()
        return self._where

    # ----------------------------------------------------------------- pass 2

    def link(self, tokens: list[Token]) -> None:
        """Section numbers become links everywhere; resource names become links to their section
        in Top risks and in the findings (list items that start with a severity badge)."""
        self._names()
        self._link_section_cells(tokens)
        for _, tok, finding in _inlines(tokens):
            out: list[Token] = []
            depth = 0
            changed = False
            for child in tok.children or []:
                if child.type == "link_open":
                    depth += 1
                elif child.type == "link_close":
                    depth -= 1
                if child.type != "text" or depth:
                    out.append(child)
                    continue
                spans = self.section_refs(child.content)
                if finding:
                    taken = [(a, b) for a, b, _ in spans]
                    spans += [sp for sp in self.name_refs(child.content)
                              if not any(a < sp[1] and sp[0] < b for a, b in taken)]
                if spans:
                    out.extend(_split(child.content, spans))
                    changed = True
                else:
                    out.append(child)
            if changed:
                tok.children = out

    def _link_section_cells(self, tokens: list[Token]) -> None:
        """A cell of a "Section" / "Described in" column holding a section number of the page."""
        headers: list[str] = []
        column = 0
        for i, tok in enumerate(tokens):
            if tok.type == "thead_open":
                headers = []
            elif tok.type == "th_open" and i + 1 < len(tokens):
                headers.append(" ".join(inline_text(tokens[i + 1].children).split()).lower())
            elif tok.type == "tr_open":
                column = 0
            elif tok.type == "td_open":
                inline = tokens[i + 1] if i + 1 < len(tokens) else None
                if (column < len(headers) and headers[column] in _SECTION_COLUMNS and inline is not None
                        and inline.children and len(inline.children) == 1 and inline.children[0].type == "text"):
                    number = inline.children[0].content.strip()
                    hid = f"s-{number.replace('.', '-')}"
                    if _SECTION_CELL.match(number) and hid in self.ids:
                        inline.children = _link_tokens(number, f"#{hid}")
                column += 1

    def section_refs(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, href) of each section number in ``text`` that names a heading of the page."""
        out = []
        for head in _REF_HEAD.finditer(text):
            loose = head.group(1).lower().startswith("section")
            pos = head.end()
            while True:
                m = _REF_NUMS.match(text, pos)
                if not m:
                    break
                number = m.group(1)
                after = text[m.end(1):m.end(1) + 1]
                hid = f"s-{number.replace('.', '-')}"
                if (loose or "." in number) and not after.isalnum() and hid in self.ids:
                    out.append((m.start(1), m.end(1), f"#{hid}"))
                if not m.group(2):
                    break
                pos = m.end()
        return out

    def name_refs(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, href) of each resource name in ``text``, longest name first at a word start."""
        where = self._names()
        if not where:
            return []
        out = []
        pos, size = 0, len(text)
        for m in _NAME_START.finditer(text):
            p = m.start()
            if p < pos or text[p] not in self._firsts:
                continue
            for length in self._lengths:
                end = p + length
                if end > size:
                    continue
                section = where.get(text[p:end])
                if section is not None and not _NAME_END.match(text, end):
                    out.append((p, end, f"#{section}"))
                    pos = end
                    break
        return out

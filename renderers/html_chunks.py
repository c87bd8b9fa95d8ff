"""A long Markdown document cut into pieces that markdown-it converts one at a time.

Why: markdown-it holds every token of what it parses (about 400 bytes each, some 25 per table
row), so a 50,000-row table parsed whole costs over half a gigabyte. Parsed in pieces of
:data:`PIECE_LINES` lines, the tokens alive at once stay a few megabytes and the page costs
about its own size.

A cut never changes the HTML: the pieces' HTML, joined, is what the whole document gives.
Cuts are made only where that is certain:

- before a heading at column 0 (it ends any paragraph, list, table or quote): always, so
  the pieces converted a second time (those holding a cross-reference, see renderers/html.py)
  are a subsection, not :data:`PIECE_LINES` lines;
- after a blank line, before a column-0 line that is not a list item (nothing continues
  across it);
- between two rows of a table: the next piece repeats the header and delimiter rows, and the
  repeated ``<table><thead>…<tbody>`` opening, like the closing of the piece before, is not
  rendered (:class:`Piece` ``skip``/``tail``);
- between two items of a list that has no blank line in it (so every list in it is tight):
  the next piece starts with the first line of each enclosing item, and the list openings
  they make, like the closings at the end of the piece before, are not rendered.

Documents with fenced code or link reference definitions are not cut (a fence may hide a
heading, a definition serves the whole document), nor are short ones. :func:`own_range`
verifies each cut on the tokens; the caller converts the document whole if any does not hold
(:class:`CutMismatch`). tests/test_html_chunks.py checks, on generated documents, that the pieces give
the page the whole document gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

#: lines per piece (a piece ends at the first safe cut after this many lines)
PIECE_LINES = 1500

_UNCUTTABLE = re.compile(r"^[ \t]*(?:```|~~~)|^ {0,3}\[[^\]\n]*\]:", re.MULTILINE)
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_MARKER = re.compile(r"( *)([-+*]|\d{1,9}[.)])( +|$)")
_DELIMITER = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_SEPARATOR = re.compile(r"(?<!\\)\|")
_LIST_OPEN = ("bullet_list_open", "ordered_list_open")
_LIST_CLOSE = ("bullet_list_close", "ordered_list_close")


class CutMismatch(Exception):
    """A cut did not parse as the splitter expected: convert the document whole instead."""


@dataclass(frozen=True)
class Piece:
    """Markdown to parse, and which of its tokens belong to the page.

    ``skip``: the piece continues a table ("table") or a list ("list") of the piece before;
    its tokens before the first row / item of its own lines are not rendered. ``context``:
    lines before the piece's own (the repeated header and delimiter, or the first line of each
    enclosing list item). ``tail``: closing tokens at the end that the next piece continues.
    ``depth``: for a list continued, how many lists enclose the item it starts with.
    """

    text: str
    context: int = 0
    skip: str = ""
    depth: int = 0
    tail: int = 0


def _is_marker(line: str) -> re.Match[str] | None:
    m = _MARKER.match(line)
    if m is None or (m.group(2) in "-*" and line.strip().replace(" ", "") in ("---", "***")):
        return None
    return m


def _content_column(m: re.Match[str]) -> int:
    spaces = len(m.group(3))
    return len(m.group(1)) + len(m.group(2)) + (spaces if 1 <= spaces <= 4 else 1)


def _cells(row: str) -> int:
    """Cells of a table row as markdown-it counts them (``\\|`` is no separator)."""
    row = row.strip()
    return len(_SEPARATOR.split(row.removeprefix("|").removesuffix("|") if not row.endswith("\\|")
                                else row.removeprefix("|")))


def _kind(m: re.Match[str]) -> str:
    marker = m.group(2)
    return marker if marker in "-+*" else marker[-1]


def pieces(text: str, limit: int = PIECE_LINES) -> list[Piece]:
    """``text`` (newlines normalised) as pieces of about ``limit`` lines, cut as the module says."""
    if text.count("\n") < 2 * limit or _UNCUTTABLE.search(text):
        return [Piece(text)]
    return _Splitter(text.split("\n"), limit).run()


class _Splitter:
    """One walk over the lines; ``start``/``context``/``skip``/``depth`` describe the open piece."""

    def __init__(self, lines: list[str], limit: int) -> None:
        self.lines, self.limit = lines, max(1, limit)
        self.out: list[Piece] = []
        self.start, self.context, self.skip, self.depth = 0, [], "", 0

    def cut(self, at: int, tail: int, context: list[str] | None = None, skip: str = "", depth: int = 0) -> None:
        own = self.lines[self.start:at]
        text = "".join(ln + "\n" for ln in (*self.context, *own))
        self.out.append(Piece(text, len(self.context), self.skip, self.depth, tail))
        self.start, self.context, self.skip, self.depth = at, context or [], skip, depth

    def due(self, i: int) -> bool:
        return i - self.start >= self.limit

    def run(self) -> list[Piece]:
        lines, n = self.lines, len(self.lines)
        i = 0
        after_break = True      # line i follows a blank line, a heading or the start
        in_list = False         # the last block seen may be a list that a later item continues
        while i < n:
            line = lines[i]
            if not line.strip():
                i, after_break = i + 1, True
                continue
            column0 = line[:1] not in (" ", "\t")
            heading = column0 and line[:1] == "#" and bool(_HEADING.match(line))
            marker = _is_marker(line) if column0 else None
            if (heading and i > self.start) or (self.due(i) and after_break and column0 and marker is None):
                self.cut(i, 0)      # every heading starts a piece: pieces that wait stay small
            if heading or (after_break and column0 and marker is None):
                in_list = False
            if heading:
                i, after_break = i + 1, True
                continue
            if (after_break and column0 and "|" in line and i + 1 < n and _DELIMITER.match(lines[i + 1])
                    and _cells(line) == _cells(lines[i + 1])):
                i, after_break = self.table(i), False
                continue
            if after_break and marker is not None and not in_list:
                i, after_break, in_list = self.list(i), False, True
                continue
            in_list = in_list or marker is not None or not column0
            i, after_break = i + 1, False
        if self.start < n or not self.out:
            self.cut(n, 0)
        return self.out

    def table(self, i: int) -> int:
        """Rows of the table whose header is line ``i``; cut between rows when due."""
        lines, n = self.lines, len(self.lines)
        j = i + 2
        while j < n and lines[j][:1] == "|":
            if self.due(j) and j > i + 2 and j > self.start:
                self.cut(j, 2, [lines[i], lines[i + 1]], "table")
            j += 1
        return j

    def list(self, i: int) -> int:
        """The lines of the list starting at line ``i``; cut between items when due and the list
        has no blank line (tight everywhere) and nothing after it can continue it."""
        lines, n = self.lines, len(self.lines)
        end = i
        while end < n and lines[end].strip() and not (lines[end][:1] == "#" and _HEADING.match(lines[end])):
            if end > i and lines[end][:1] not in (" ", "\t") and _is_marker(lines[end]) is None:
                return end          # a column-0 line that is no item: lazy text, a rule...: not cut
            end += 1
        nxt = end
        while nxt < n and not lines[nxt].strip():
            nxt += 1
        if nxt < n and (lines[nxt][:1] in (" ", "\t") or _is_marker(lines[nxt]) is not None):
            return end              # the list may go on after the blank line (loose): not cut
        stack: list[tuple[int, str, str]] = []      # (content column, kind, first line) of open items
        for j in range(i, end):
            m = _is_marker(lines[j])
            if m is None:
                continue
            indent, kind = len(m.group(1)), _kind(m)
            sibling = None
            while stack and indent < stack[-1][0]:
                sibling = stack.pop()
            # a nested ordered list that starts at 2 or more cannot follow its parent's line
            # (CommonMark), so a cut there would not open the list the context must open
            nested_later = bool(stack) and kind in ".)" and m.group(2)[:-1].lstrip("0") != "1"
            if sibling is not None and sibling[1] == kind and not nested_later and j > self.start and self.due(j):
                self.cut(j, 2 * len(stack) + 1, [s[2] for s in stack], "list", len(stack))
            stack.append((_content_column(m), kind, lines[j]))
        return end


def visible(piece: Piece, tokens: list[Token]) -> list[Token]:
    """The piece's own tokens: without what repeats the piece before, or what the next continues.

    Raises :class:`CutMismatch` when the tokens are not shaped as the cut expects."""
    first, last = own_range(piece, tokens)
    return tokens[first:last] if (first or last < len(tokens)) else tokens


def own_range(piece: Piece, tokens: list[Token]) -> tuple[int, int]:
    """(first, last): the indexes of the piece's own tokens (see :func:`visible`)."""
    first = 0
    if piece.skip == "table":
        first = next((k for k, t in enumerate(tokens) if t.type == "tr_open" and t.map
                      and t.map[0] == piece.context), -1)
        if first < 2 or tokens[0].type != "table_open" or tokens[first - 1].type != "tbody_open":
            raise CutMismatch("table continued")
    elif piece.skip == "list":
        first = next((k for k, t in enumerate(tokens) if t.type == "list_item_open" and t.map
                      and t.map[0] == piece.context), -1)
        head = [t.type for t in tokens[:max(first, 0)]]
        if (first < 1 or sum(t in _LIST_OPEN for t in head) != piece.depth + 1
                or head.count("list_item_open") != piece.depth
                or any(t in _LIST_CLOSE or t == "list_item_close" for t in head)):
            raise CutMismatch("list continued")
    last = len(tokens) - piece.tail
    if piece.tail:
        lines = piece.text.count("\n")
        rest = [t.type for t in tokens[last:]]
        if rest[-2:] == ["tbody_close", "table_close"] and piece.tail == 2:
            opener = next((t for t in reversed(tokens) if t.type == "table_open"), None)
            if opener is None or not opener.map or opener.map[1] != lines or tokens[last - 1].type != "tr_close":
                raise CutMismatch("table cut")
        else:
            want = [("list" if k % 2 == 0 else "item") for k in range(piece.tail)]
            got = ["list" if t in _LIST_CLOSE else "item" if t == "list_item_close" else "?" for t in rest]
            outer = next((t for t in reversed(tokens) if t.type in _LIST_OPEN and t.level == 0), None)
            if (got != want or last < 1 or tokens[last - 1].type != "list_item_close"
                    or outer is None or not outer.map or outer.map[1] != lines):
                raise CutMismatch("list cut")
    return first, last

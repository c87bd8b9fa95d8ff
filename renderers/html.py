"""The design document as one self-contained HTML file (inline SVG, table of contents).

``render_html(markdown_text, diagrams_dir, title)`` turns ``design.md`` into a page that
works offline and references nothing outside itself: no external scripts, links, images or
fonts (a Content-Security-Policy of ``default-src 'none'`` says so to the browser as well;
it allows exactly one inline script, the diagram viewer, by its hash, and images only as
``data:`` URIs: the AWS icons inside the diagrams).

As a report: each diagram pans, zooms and opens full size (renderers/diagrams/viewer.py);
wide tables scroll inside their box with the first column kept in view; "Not drawn"
captions are lists; every section reference ("section 5.4", "see 5.4") becomes a link to
that section, and in Top risks and the findings lists every resource named in a section's
table links to that section (renderers/html_links.py says what counts as a resource name).
Print keeps each diagram on a page of its own.

Where each part lives:

- renderers/html_markdown.py: the Markdown dialect and its safety (markdown-it with raw HTML
  off, the one ``<code>`` rule, links kept only inside the page, diagrams inlined as
  sanitised SVG), heading ids, severity badges, caption lists;
- renderers/html_links.py: section and resource cross-references;
- renderers/html_chunks.py: long documents converted in pieces, so memory follows the page's
  size rather than markdown-it's tokens for the whole document;
- renderers/html_page.py: CSS, the Content-Security-Policy, the TOC and the page shell.

The conversion is linear: every piece is parsed once; the few that hold a cross-reference
(section 1, the findings lists) wait until every heading and resource table has been read
and are parsed a second time. Output is deterministic: same input, same bytes, whether the
document was converted in pieces or whole.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from renderers.diagrams.svg_safe import MAX_SVG_BYTES, sanitize_svg
from renderers.html_chunks import PIECE_LINES, CutMismatch, Piece, own_range, pieces, visible
from renderers.html_links import LinkIndex
from renderers.html_markdown import (
    SEVERITY_WORDS,
    HeadingIds,
    annotate,
    caption_lists,
    diagram_count,
    document_title,
    parser,
)
from renderers.html_page import CSP, CSS, page

__all__ = ["render_html", "sanitize_svg", "MAX_SVG_BYTES", "CSP", "CSS", "SEVERITY_WORDS"]

_NEWLINES = re.compile(r"\r\n?")


def render_html(markdown_text: str, diagrams_dir: Path | None, title: str | None = None,
                piece_lines: int = PIECE_LINES) -> str:
    """The Markdown design document as one self-contained HTML page (one hashed inline script).

    ``diagrams_dir`` is the folder holding ``NAME.svg`` for each ``![..](diagrams/NAME.svg)``;
    a missing file leaves the note "Diagram not rendered". ``title`` defaults to the
    document's first ``#`` heading. ``piece_lines``: how long a piece converted at once may
    grow (tests make it small to cut often); 0 converts the document whole.
    """
    text = markdown_text
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    folder = Path(diagrams_dir) if diagrams_dir is not None else None
    if piece_lines > 0:
        try:
            return _convert(pieces(text, piece_lines), folder, title)
        except CutMismatch:
            pass        # a cut that did not hold: convert the document whole instead
    return _convert([Piece(text)], folder, title)


def _convert(todo: list[Piece], folder: Path | None, title: str | None) -> str:
    md = parser()
    ids, links = HeadingIds(), LinkIndex()
    toc: list[tuple[int, str, str]] = []
    parts: list[str] = []
    waiting: list[tuple[int, Piece, list[str], int]] = []
    first_h1, figures = "", 0
    for index, piece in enumerate(todo):
        tokens = md.parse(piece.text, {})
        first, last = own_range(piece, tokens)
        own = tokens[first:last] if (first or last < len(tokens)) else tokens
        assigned: list[str] = []
        toc += annotate(tokens, lambda text, kept=assigned: _keep(kept, ids(text)))
        first_h1 = first_h1 or document_title(own)
        if links.scan(tokens, range(first, last)):
            parts.append("")
            waiting.append((index, piece, assigned, figures))
        else:
            parts.append(_render(md, own, folder, figures))
        figures += diagram_count(own)
        todo[index] = Piece("")         # the piece's text is not needed any more
        del tokens, own
    for index, piece, assigned, first_figure in waiting:
        tokens = md.parse(piece.text, {})
        replay = iter(assigned)
        annotate(tokens, lambda _text, ids_in_order=replay: next(ids_in_order))
        links.link(tokens)
        parts[index] = _render(md, visible(piece, tokens), folder, first_figure)
        del tokens
    page_title = " ".join(str(title or "").split()) or first_h1 or "AWS infrastructure design"
    return page(page_title, toc, parts, script=figures > 0)


def _keep(assigned: list[str], hid: str) -> str:
    assigned.append(hid)
    return hid


def _render(md: MarkdownIt, tokens: list[Any], folder: Path | None, first_figure: int) -> str:
    env: dict[str, Any] = {"diagrams_dir": folder, "svg_count": first_figure}
    return caption_lists(md.renderer.render(tokens, md.options, env))

"""Markdown to HTML for the report: the markdown-it parser, its renderer, heading ids, severity
badges, embedded diagrams and "Not drawn" caption lists (renderers/html.py drives them).

Safety lives here: markdown-it ("commonmark" + tables) runs with ``html`` OFF, so any raw tag
is shown as text; the only HTML the document legitimately holds, ``<code>…</code>`` from
:func:`renderers.escape.code`, is read by a small inline rule that accepts exactly ``<code>`` +
text without ``<``/``>`` + ``</code>``. Links leave the page only as text; images are never
``<img>``: a ``![title](diagrams/NAME.svg)`` becomes the sanitised SVG itself
(renderers/diagrams/svg_safe.py), its ids prefixed so several diagrams share one page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from renderers.diagrams import viewer
from renderers.diagrams.svg_safe import MAX_SVG_BYTES, sanitize_svg

_CODE_SPAN = re.compile(r"<code>([^<>]*)</code>")
_DIAGRAM_SRC = re.compile(r"^diagrams/([A-Za-z0-9][A-Za-z0-9_.-]{0,150})\.svg$")
_FRAGMENT = re.compile(r"^#[A-Za-z0-9_.:-]*$")
_SECTION_NO = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,3})\.?(?=\s|$)")

SEVERITY_WORDS = {
    "CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "INFO": "info",
    "NOT ASSESSED": "other", "ACCEPTED RISK": "other",
}


def _code_span_rule(state: StateInline, silent: bool) -> bool:
    """``<code>escaped text</code>`` (from renderers.escape.code) → a code token; nothing else."""
    if state.src[state.pos] != "<":
        return False
    m = _CODE_SPAN.match(state.src, state.pos, state.posMax)
    if not m:
        return False
    if not silent:
        token = state.push("code_inline", "code", 0)
        token.markup = "<code>"
        token.content = html.unescape(m.group(1))
    state.pos = m.end()
    return True


def inline_text(tokens: Sequence[Token] | None) -> str:
    """The visible text of inline tokens (what a reader sees), markup dropped."""
    out = []
    for t in tokens or []:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif t.children:
            out.append(inline_text(t.children))
    return "".join(out)


def diagram_name(token: Token) -> str | None:
    """NAME of an image token pointing at ``diagrams/NAME.svg``; None for any other image."""
    m = _DIAGRAM_SRC.match(str(token.attrGet("src") or ""))
    return m.group(1) if m else None


def diagram_count(tokens: Sequence[Token]) -> int:
    """How many diagrams these tokens embed (each one numbers a figure, in document order)."""
    return sum(1 for t in tokens if t.type == "inline"
               for c in t.children or [] if c.type == "image" and diagram_name(c))


def _lone_image(tokens: Sequence[Token], idx: int) -> Token | None:
    """The image token if tokens[idx] is an inline holding nothing but one diagram image."""
    if 0 <= idx < len(tokens) and tokens[idx].type == "inline":
        kids = [c for c in tokens[idx].children or [] if not (c.type == "text" and not c.content.strip())]
        if len(kids) == 1 and kids[0].type == "image" and diagram_name(kids[0]):
            return kids[0]
    return None


class _Renderer(RendererHTML):
    """HTML renderer: paragraphs holding one diagram become figures, images become inline
    SVG (never <img>), links leave the page only as text."""

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        img = _lone_image(tokens, idx + 1)
        if img is not None and not tokens[idx].hidden:
            label = html.escape(inline_text(img.children).strip(), quote=True)
            fig_id = f"fig-{env.get('svg_count', 0) + 1}"
            return f'<figure class="diagram" id="{fig_id}" aria-label="{label}">\n'
        return self.renderToken(tokens, idx, options, env)

    def paragraph_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if _lone_image(tokens, idx - 1) is not None and not tokens[idx].hidden:
            return "\n</figure>\n"
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = html.escape(inline_text(token.children).strip() or "diagram", quote=False)
        name = diagram_name(token)
        if name is None:
            return f'<span class="note">[image not embedded: {alt}]</span>'
        env["svg_count"] = env.get("svg_count", 0) + 1
        svg = _load_svg(env["diagrams_dir"], name, f"d{env['svg_count']}-")
        if svg is None:
            return (f'<span class="note">Diagram not rendered: {alt} '
                    f'(diagrams/{html.escape(name)}.svg is missing or unreadable).</span>')
        fig_id = f"fig-{env['svg_count']}"
        return (viewer.toolbar(fig_id) + f'<div class="zoom-view" tabindex="0" aria-label="{alt}">'
                f'<div class="zoom-inner">{svg}</div></div>')

    def table_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return '<div class="table-wrap">' + self.renderToken(tokens, idx, options, env)

    def table_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return self.renderToken(tokens, idx, options, env) + "</div>\n"

    def link_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        stack = env.setdefault("link_stack", [])
        if _FRAGMENT.match(href):
            stack.append("</a>")
            return f'<a href="{html.escape(href, quote=True)}">'
        # Outside the page: keep the words, show the address as text (autolinks show it already).
        if token.markup == "autolink":
            stack.append("</span>")
        else:
            stack.append(f'</span> <span class="url">({html.escape(href, quote=False)})</span>')
        return '<span class="link">'

    def link_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        stack = env.get("link_stack") or ["</span>"]
        return stack.pop()


def _load_svg(diagrams_dir: Path | None, name: str, id_prefix: str) -> str | None:
    if diagrams_dir is None:
        return None
    base = Path(diagrams_dir)
    path = base / f"{name}.svg"
    try:
        if path.resolve().parent != base.resolve() or not path.is_file():
            return None
        if path.stat().st_size > MAX_SVG_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return sanitize_svg(data, id_prefix)


def parser() -> MarkdownIt:
    """The one Markdown dialect of the report: CommonMark + tables, raw HTML off, the code rule."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False},
                    renderer_cls=_Renderer)
    md.enable("table")
    md.inline.ruler.before("backticks", "awsscan_code", _code_span_rule)
    return md


def slug(text: str) -> str:
    """The id of a heading without a section number (renderers/appendix.py ``anchor`` matches it)."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return f"h-{s}" if s else "h"


class HeadingIds:
    """Unique heading ids in document order: ``s-2-1`` from "2.1 ...", else a slug; a repeat gets
    ``-2``, ``-3``. One instance per page, so ids stay unique across the pieces of a long page."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, text: str) -> str:
        m = _SECTION_NO.match(text)
        base = "s-" + m.group(1).replace(".", "-") if m else slug(text)
        hid, n = base, 2
        while hid in self.used:
            hid, n = f"{base}-{n}", n + 1
        self.used.add(hid)
        return hid


def annotate(tokens: list[Token], heading_id: Callable[[str], str]) -> list[tuple[int, str, str]]:
    """Give h2/h3 ids (from ``heading_id``), add severity badges; returns the TOC entries."""
    toc: list[tuple[int, str, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and i + 1 < len(tokens):
            text = " ".join(inline_text(tokens[i + 1].children).split())
            hid = heading_id(text)
            tok.attrSet("id", hid)
            toc.append((int(tok.tag[1]), hid, text))
        elif tok.type == "inline" and tok.children and i >= 2:
            _badge(tokens, i)
    return toc


def _badge(tokens: list[Token], i: int) -> None:
    kids = [k for k in tokens[i].children or [] if not (k.type == "text" and not k.content)]
    opener = tokens[i - 1].type
    # "- **HIGH** RULE: title" / "1. **HIGH** ..." : the first paragraph of a list item
    if opener == "paragraph_open" and tokens[i - 2].type == "list_item_open" and len(kids) >= 3:
        if (kids[0].type == "strong_open" and kids[1].type == "text" and kids[2].type == "strong_close"
                and kids[1].content.strip() in SEVERITY_WORDS):
            kids[0].attrSet("class", f"sev sev-{SEVERITY_WORDS[kids[1].content.strip()]}")
        return
    # a table cell holding only a severity word
    if opener in ("td_open",) and len(kids) == 1 and kids[0].type == "text":
        word = kids[0].content.strip()
        if word in SEVERITY_WORDS:
            strong = Token("strong_open", "strong", 1)
            strong.attrSet("class", f"sev sev-{SEVERITY_WORDS[word]}")
            tokens[i].children = [strong, kids[0], Token("strong_close", "strong", -1)]


def document_title(tokens: list[Token]) -> str:
    """The text of the first ``#`` heading, or ""."""
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and i + 1 < len(tokens):
            return " ".join(inline_text(tokens[i + 1].children).split())
    return ""


_CAPTION = re.compile(r"<p>((?:(?!</p>).)*?<em>Not drawn: (?:(?!</p>).)*)</p>", re.DOTALL)


def caption_lists(body: str) -> str:
    """A diagram's caption paragraph with its "Not drawn:" lines becomes a caption and a list.

    Run on each piece's HTML (a paragraph never spans two pieces); a piece without the
    words is returned as it is, without a regex pass."""
    if "<em>Not drawn: " not in body:
        return body

    def fix(m: re.Match[str]) -> str:
        lines = m.group(1).split("\n")
        head = [ln for ln in lines if not ln.startswith("<em>Not drawn: ")]
        items = [ln[len("<em>Not drawn: "):].removesuffix("</em>") for ln in lines if ln.startswith("<em>Not drawn: ")]
        out = "".join(f'<p class="caption">{ln}</p>\n' for ln in head if ln.strip())
        out += '<p class="caption">Not drawn:</p>\n<ul class="not-drawn">\n'
        return out + "".join(f"<li>{it}</li>\n" for it in items) + "</ul>"
    return _CAPTION.sub(fix, body)

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
table links to that section. Print keeps each diagram on a page of its own.

Safety, in layers:

- Markdown is converted by markdown-it-py ("commonmark" + tables) with ``html`` OFF, so
  any raw tag in the document is shown as text. Account text in the document is already
  entity-escaped by :func:`renderers.escape.md`.
- The one piece of HTML the document legitimately contains, ``<code>…</code>`` from
  :func:`renderers.escape.code`, is recognised by a small inline rule that accepts exactly
  ``<code>`` + text without ``<``/``>`` + ``</code>`` and turns it into an ordinary code
  token (rendered escaped). Nothing else is passed through.
- Links are kept only when they point inside the page (``#fragment``); any other link
  becomes text followed by its address. Images are never emitted as ``<img>``: a
  ``![title](diagrams/NAME.svg)`` is replaced by the SVG file's content, re-serialised
  from an element/attribute allow-list (renderers/diagrams/svg_safe.py: no
  script/style/foreignObject elements, no ``on*`` attributes, no ``href`` that is not a
  ``#`` fragment, no image but embedded PNG data, no ``url(...)`` that is not
  ``url(#...)``), with its ids prefixed so several diagrams can share one page.
- Output is deterministic: same input, same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from renderers.diagrams import viewer
from renderers.diagrams.svg_safe import MAX_SVG_BYTES, sanitize_svg

__all__ = ["render_html", "sanitize_svg", "MAX_SVG_BYTES"]

_CODE_SPAN = re.compile(r"<code>([^<>]*)</code>")
_DIAGRAM_SRC = re.compile(r"^diagrams/([A-Za-z0-9][A-Za-z0-9_.-]{0,150})\.svg$")
_FRAGMENT = re.compile(r"^#[A-Za-z0-9_.:-]*$")
_SECTION_NO = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,3})\.?(?=\s|$)")

SEVERITY_WORDS = {
    "CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "INFO": "info",
    "NOT ASSESSED": "other", "ACCEPTED RISK": "other",
}

CSS = """
:root{--fg:#1d2329;--muted:#5f6b7a;--line:#d5dbe1;--stripe:#f4f6f8;--head:#e9edf1;--accent:#232f3e;--link:#0b5cad}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
nav.toc{padding:1rem 1.2rem;background:#f7f8fa;border-bottom:1px solid var(--line);font-size:.9rem}
nav.toc .toc-title{font-weight:700;margin:0 0 .5rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-size:.8rem}
nav.toc ol{list-style:none;margin:0;padding:0}
nav.toc ol ol{padding-left:1rem;margin-bottom:.3rem}
nav.toc a{display:block;padding:.12rem 0;color:var(--accent);text-decoration:none}
nav.toc a:hover,nav.toc a:focus{text-decoration:underline}
nav.toc>ol>li>a{font-weight:600}
main{max-width:72rem;padding:1.5rem 2rem 4rem}
@media (min-width:1100px){
 body.has-toc{display:grid;grid-template-columns:18rem minmax(0,1fr)}
 nav.toc{position:sticky;top:0;height:100vh;overflow:auto;border-bottom:0;border-right:1px solid var(--line)}
}
h1,h2,h3,h4{line-height:1.25;color:var(--accent);scroll-margin-top:1rem}
h1{font-size:1.9rem;margin:.5rem 0 1.5rem}
h2{font-size:1.5rem;margin:2.8rem 0 1rem;padding-bottom:.3rem;border-bottom:2px solid var(--line)}
h3{font-size:1.2rem;margin:2rem 0 .7rem}
a{color:var(--link)}
p,li{max-width:60rem}
.table-wrap{overflow-x:auto;max-width:100%;margin:1rem 0;border-left:1px solid var(--line)}
table{border-collapse:separate;border-spacing:0;font-size:.9rem}
th,td{border:1px solid var(--line);border-left:0;padding:.35rem .6rem;text-align:left;vertical-align:top;background:#fff}
th{background:var(--head);font-weight:600}
tbody tr:nth-child(even) td{background:var(--stripe)}
th:first-child,td:first-child{position:sticky;left:0;z-index:1;box-shadow:1px 0 0 var(--line)}
.caption{color:var(--muted);font-style:italic;margin:.3rem .6rem}
ul.not-drawn{color:var(--muted);font-size:.9rem;margin:.2rem 0 .6rem;padding-left:2.2rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
code{background:#eef1f4;padding:.05rem .3rem;border-radius:3px;overflow-wrap:anywhere}
pre{background:#f4f6f8;padding:.8rem 1rem;overflow-x:auto;border-radius:4px}
pre code{background:none;padding:0}
blockquote{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid #d68910;background:#fdf6e8}
.note{color:var(--muted);font-style:italic}
.url{color:var(--muted);overflow-wrap:anywhere}
.sev{display:inline-block;min-width:4.6em;padding:0 .45rem;border-radius:.7rem;font-size:.76em;font-weight:700;letter-spacing:.04em;text-align:center;line-height:1.6;color:#fff;vertical-align:.08em}
.sev-critical{background:#7d1128}
.sev-high{background:#c0392b}
.sev-medium{background:#f0b429;color:#1d2329}
.sev-low{background:#2e78b7}
.sev-info{background:#6c7a89}
.sev-other{background:#e3e7eb;color:#1d2329}
@media print{
 body{display:block;font-size:10.5pt;background:#fff}
 nav.toc{position:static;height:auto;border:0;background:none;break-after:page}
 main{max-width:none;padding:0}
 h2,h3{break-after:avoid}
 table{display:table;overflow:visible}
 thead{display:table-header-group}
 tr{break-inside:avoid}
 .table-wrap{overflow:visible;border:0}
 th:first-child,td:first-child{position:static;box-shadow:none}
 figure.diagram{break-before:page;break-after:page;break-inside:avoid;border:0}
 figure.diagram svg{max-height:95vh;width:auto;max-width:100%}
 .zoom-bar{display:none}
 .zoom-inner{transform:none!important}
 a{color:inherit;text-decoration:none}
 .sev,th,tbody tr:nth-child(even),code{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
""".strip()

CSS = CSS + "\n" + viewer.CSS

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       f"script-src {viewer.SCRIPT_HASH}; base-uri 'none'; form-action 'none'")


# --------------------------------------------------------------------------- Markdown


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


def _inline_text(tokens: Sequence[Token] | None) -> str:
    out = []
    for t in tokens or []:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif t.children:
            out.append(_inline_text(t.children))
    return "".join(out)


def _diagram_name(token: Token) -> str | None:
    m = _DIAGRAM_SRC.match(str(token.attrGet("src") or ""))
    return m.group(1) if m else None


def _lone_image(tokens: Sequence[Token], idx: int) -> Token | None:
    """The image token if tokens[idx] is an inline holding nothing but one diagram image."""
    if 0 <= idx < len(tokens) and tokens[idx].type == "inline":
        kids = [c for c in tokens[idx].children or [] if not (c.type == "text" and not c.content.strip())]
        if len(kids) == 1 and kids[0].type == "image" and _diagram_name(kids[0]):
            return kids[0]
    return None


class _Renderer(RendererHTML):
    """HTML renderer: paragraphs holding one diagram become figures, images become inline
    SVG (never <img>), links leave the page only as text."""

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        img = _lone_image(tokens, idx + 1)
        if img is not None and not tokens[idx].hidden:
            label = html.escape(_inline_text(img.children).strip(), quote=True)
            fig_id = f"fig-{env.get('svg_count', 0) + 1}"
            return f'<figure class="diagram" id="{fig_id}" aria-label="{label}">\n'
        return self.renderToken(tokens, idx, options, env)

    def paragraph_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if _lone_image(tokens, idx - 1) is not None and not tokens[idx].hidden:
            return "\n</figure>\n"
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = html.escape(_inline_text(token.children).strip() or "diagram", quote=False)
        name = _diagram_name(token)
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


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False},
                    renderer_cls=_Renderer)
    md.enable("table")
    md.inline.ruler.before("backticks", "awsscan_code", _code_span_rule)
    return md


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return f"h-{s}" if s else "h"


def _annotate(tokens: list[Token]) -> list[tuple[int, str, str]]:
    """Give h2/h3 ids (``s-2-1`` from "2.1 ..."), add severity badges; returns the TOC entries."""
    toc: list[tuple[int, str, str]] = []
    used: set[str] = set()
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and i + 1 < len(tokens):
            text = " ".join(_inline_text(tokens[i + 1].children).split())
            m = _SECTION_NO.match(text)
            base = "s-" + m.group(1).replace(".", "-") if m else _slug(text)
            hid, n = base, 2
            while hid in used:
                hid, n = f"{base}-{n}", n + 1
            used.add(hid)
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


def _toc_html(toc: list[tuple[int, str, str]]) -> str:
    if not toc:
        return ""
    lines = ['<nav class="toc" aria-label="Contents">', '<p class="toc-title">Contents</p>', "<ol>"]
    open_sub = False
    open_item = False
    for level, hid, text in toc:
        link = f'<a href="#{hid}">{html.escape(text, quote=False)}</a>'
        if level == 3 and open_item:
            if not open_sub:
                lines.append("<ol>")
                open_sub = True
            lines.append(f"<li>{link}</li>")
            continue
        if open_sub:
            lines.append("</ol>")
            open_sub = False
        if open_item:
            lines.append("</li>")
        lines.append(f"<li>{link}")
        open_item = True
    if open_sub:
        lines.append("</ol>")
    if open_item:
        lines.append("</li>")
    lines += ["</ol>", "</nav>"]
    return "\n".join(lines) + "\n"


def _document_title(tokens: list[Token]) -> str:
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and i + 1 < len(tokens):
            return " ".join(_inline_text(tokens[i + 1].children).split())
    return ""


# --------------------------------------------------------------------------- links

#: "section 5.4", "sections 5.2 and 5.3", "see 5.4", "in 11.3": a keyword, then numbers
_REF_HEAD = re.compile(r"\b(sections?|see|in)\s+(?=\d)", re.IGNORECASE)
_REF_NUMS = re.compile(r"(\d{1,2}(?:\.\d{1,2})?)((?:,\s*|\s+(?:and|or)\s+)(?=\d))?")
#: first-column cells that are not resource names
_NOT_NAMES = frozenset({"yes", "no", "none", "total", "unknown", "not known", "-", "–"})


def _link_tokens(text: str, href: str) -> list[Token]:
    opener = Token("link_open", "a", 1)
    opener.attrSet("href", href)
    body = Token("text", "", 0)
    body.content = text
    return [opener, body, Token("link_close", "a", -1)]


def _text_token(text: str) -> Token:
    t = Token("text", "", 0)
    t.content = text
    return t


def _section_refs(text: str, ids: set[str]) -> list[tuple[int, int, str]]:
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
            if (loose or "." in number) and not after.isalnum() and f"s-{number.replace('.', '-')}" in ids:
                out.append((m.start(1), m.end(1), f"#s-{number.replace('.', '-')}"))
            if not m.group(2):
                break
            pos = m.end()
    return out


def _name_refs(text: str, names: re.Pattern[str] | None, where: dict[str, str]) -> list[tuple[int, int, str]]:
    if names is None:
        return []
    return [(m.start(1), m.end(1), f"#{where[m.group(1)]}") for m in names.finditer(text)]


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


#: table headers that name the resource column (else the first column not in _CONTEXT_COLUMNS)
_NAME_COLUMNS = ("name", "resource", "function", "bucket", "project", "role", "user", "policy", "table",
                 "queue", "topic", "key", "cluster", "service", "instance", "vpc", "subnet", "load balancer",
                 "distribution", "api", "pipeline", "repository", "state machine", "file system", "volume",
                 "task definition", "group", "trail", "zone", "stream", "domain", "secret", "alias")
_CONTEXT_COLUMNS = frozenset({"region", "account", "az", "kind", "type", "severity"})


def _resource_sections(tokens: list[Token]) -> dict[str, str]:
    """Resource name -> id of the section whose table lists it first (in its name column).

    "web-app (i-0abc)" is found both whole and as "web-app". The summary of section 1 and
    headings without a number are not a resource's home."""
    where: dict[str, str] = {}
    section, col, headers, cells = "", 0, [], []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.attrGet("id"):
            section = str(tok.attrGet("id"))
        elif tok.type == "thead_open":
            headers = []
        elif tok.type == "th_open" and i + 1 < len(tokens):
            headers.append(" ".join(_inline_text(tokens[i + 1].children).split()).lower())
        elif tok.type == "thead_close":
            named = [j for j, h in enumerate(headers) if h in _NAME_COLUMNS]
            plain = [j for j, h in enumerate(headers) if h not in _CONTEXT_COLUMNS]
            col = named[0] if named else (plain[0] if plain else 0)
        elif tok.type == "tr_open":
            cells = []
        elif tok.type == "td_open" and i + 1 < len(tokens):
            cells.append(" ".join(_inline_text(tokens[i + 1].children).split()))
        elif tok.type == "tr_close" and len(cells) > col and section.startswith("s-") and section != "s-1":
            name = cells[col]
            for cand in (name, re.sub(r"\s*\([^()]*\)$", "", name)):
                if len(cand) >= 4 and not cand.isdigit() and cand.lower() not in _NOT_NAMES:
                    where.setdefault(cand, section)
    return where


def _link_references(tokens: list[Token]) -> None:
    """Section numbers become links everywhere; resource names become links to their section
    in Top risks and in the findings (list items that start with a severity badge)."""
    ids = {str(t.attrGet("id")) for t in tokens if t.type == "heading_open" and t.attrGet("id")}
    where = _resource_sections(tokens)
    names = (re.compile(r"(?<![\w.:/-])(" + "|".join(re.escape(n) for n in sorted(where, key=len, reverse=True))
                        + r")(?![\w/-]|\.\w)") if where else None)
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
            finding = bool(flags and flags[-1])
            out: list[Token] = []
            depth = 0
            for child in tok.children:
                if child.type == "link_open":
                    depth += 1
                elif child.type == "link_close":
                    depth -= 1
                if child.type != "text" or depth:
                    out.append(child)
                    continue
                spans = _section_refs(child.content, ids)
                if finding:
                    taken = [(a, b) for a, b, _ in spans]
                    spans += [sp for sp in _name_refs(child.content, names, where)
                              if not any(a < sp[1] and sp[0] < b for a, b in taken)]
                out.extend(_split(child.content, spans) if spans else [child])
            tok.children = out


_CAPTION = re.compile(r"<p>((?:(?!</p>).)*?<em>Not drawn: (?:(?!</p>).)*)</p>", re.DOTALL)


def _caption_lists(body: str) -> str:
    """A diagram's caption paragraph with its "Not drawn:" lines becomes a caption and a list."""
    def fix(m: re.Match[str]) -> str:
        lines = m.group(1).split("\n")
        head = [ln for ln in lines if not ln.startswith("<em>Not drawn: ")]
        items = [ln[len("<em>Not drawn: "):].removesuffix("</em>") for ln in lines if ln.startswith("<em>Not drawn: ")]
        out = "".join(f'<p class="caption">{ln}</p>\n' for ln in head if ln.strip())
        out += '<p class="caption">Not drawn:</p>\n<ul class="not-drawn">\n'
        return out + "".join(f"<li>{it}</li>\n" for it in items) + "</ul>"
    return _CAPTION.sub(fix, body)


def render_html(markdown_text: str, diagrams_dir: Path | None, title: str | None = None) -> str:
    """The Markdown design document as one self-contained HTML page (one hashed inline script).

    ``diagrams_dir`` is the folder holding ``NAME.svg`` for each ``![..](diagrams/NAME.svg)``;
    a missing file leaves the note "Diagram not rendered". ``title`` defaults to the
    document's first ``#`` heading.
    """
    md = _parser()
    env: dict[str, Any] = {"diagrams_dir": Path(diagrams_dir) if diagrams_dir is not None else None}
    tokens = md.parse(markdown_text, env)
    toc = _annotate(tokens)
    _link_references(tokens)
    body = _caption_lists(md.renderer.render(tokens, md.options, env))
    page_title = " ".join(str(title or "").split()) or _document_title(tokens) or "AWS infrastructure design"
    return "".join([
        "<!DOCTYPE html>\n",
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{html.escape(page_title, quote=False)}</title>\n",
        f"<style>\n{CSS}\n</style>\n</head>\n",
        '<body class="has-toc">\n' if toc else "<body>\n",
        _toc_html(toc),
        "<main>\n", body, "</main>\n",
        f"<script>{viewer.SCRIPT}</script>\n" if env.get("svg_count") else "",
        "</body>\n</html>\n",
    ])

"""The design document as one self-contained HTML file (inline SVG, table of contents).

``render_html(markdown_text, diagrams_dir, title)`` turns ``design.md`` into a page that
works offline and references nothing outside itself: no scripts, no external links,
no images or fonts by URL (a Content-Security-Policy of ``default-src 'none'`` says so
to the browser as well).

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
  from an element/attribute allow-list (no script/style/foreignObject/image elements,
  no ``on*`` attributes, no ``href`` that is not a ``#`` fragment, no ``url(...)`` that
  is not ``url(#...)``), with its ids prefixed so several diagrams can share one page.
- Output is deterministic: same input, same bytes.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

__all__ = ["render_html", "sanitize_svg", "MAX_SVG_BYTES"]

MAX_SVG_BYTES = 64 * 1024 * 1024

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Elements Graphviz emits (and a few harmless relatives). Anything else, with its content,
# is dropped: script, style, foreignObject, image, use, iframe, animate, set, ...
SVG_ELEMENTS = frozenset({
    "svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle", "rect",
    "line", "text", "tspan", "a", "defs", "linearGradient", "radialGradient", "stop",
    "clipPath", "marker",
})
_DROP_ATTRS = frozenset({"target", "base", "src", "formaction", "action", "data"})
_URL_REF = re.compile(r"url\(\s*(['\"]?)\s*#([^)'\"\s]+)\s*\1\s*\)")
_ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_BAD_VALUE = re.compile(r"javascript:|vbscript:|\bdata:|expression\s*\(|@import", re.IGNORECASE)

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
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid var(--line);padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600}
tbody tr:nth-child(even){background:var(--stripe)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
code{background:#eef1f4;padding:.05rem .3rem;border-radius:3px;overflow-wrap:anywhere}
pre{background:#f4f6f8;padding:.8rem 1rem;overflow-x:auto;border-radius:4px}
pre code{background:none;padding:0}
blockquote{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid #d68910;background:#fdf6e8}
figure.diagram{margin:1.5rem 0;padding:.5rem;border:1px solid var(--line);border-radius:4px;overflow-x:auto;background:#fff}
figure.diagram svg{display:block;max-width:100%;height:auto;margin:0 auto}
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
 tr,figure.diagram{break-inside:avoid}
 figure.diagram{border:0;overflow:visible}
 a{color:inherit;text-decoration:none}
 .sev,th,tbody tr:nth-child(even),code{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
""".strip()

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


# --------------------------------------------------------------------------- SVG


def _local(name: str) -> tuple[str | None, str]:
    """('svg'|'xlink'|'xml'|None-for-unknown-namespace, local name) of an ET tag/attribute."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        prefix = {SVG_NS: "", XLINK_NS: "xlink", XML_NS: "xml"}.get(ns)
        return prefix, local
    return "", name


def _safe_value(value: str) -> bool:
    if _BAD_VALUE.search(value):
        return False
    # url(...) only to a fragment inside the same SVG
    return len(_ANY_URL.findall(value)) == len(_URL_REF.findall(value))


def _clean_attrs(el: ET.Element, ids: dict[str, str], is_root: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for raw_name, raw_value in el.attrib.items():
        prefix, local = _local(raw_name)
        if prefix is None:
            continue
        name = f"{prefix}:{local}" if prefix else local
        low = local.lower()
        value = str(raw_value)
        if low.startswith("on") or low in _DROP_ATTRS or low.startswith("xmlns"):
            continue
        if prefix == "xml" and low != "space":
            continue
        if low == "href":
            if not _FRAGMENT.match(value):
                continue
            value = "#" + ids.get(value[1:], value[1:])
        elif low == "id":
            value = ids.get(value, value)
        elif not _safe_value(value):
            continue
        else:
            value = _URL_REF.sub(lambda m: f"url(#{ids.get(m.group(2), m.group(2))})", value)
        out.append((name, value))
    if is_root:
        out = [("xmlns", SVG_NS), ("xmlns:xlink", XLINK_NS), *out]
    return out


def _serialize(el: ET.Element, ids: dict[str, str], parts: list[str], is_root: bool = False) -> None:
    prefix, local = _local(el.tag)
    if prefix != "" or local not in SVG_ELEMENTS or (is_root and local != "svg"):
        return
    attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in _clean_attrs(el, ids, is_root))
    parts.append(f"<{local}{attrs}")
    children = list(el)
    if not children and not el.text:
        parts.append("/>")
        return
    parts.append(">")
    if el.text:
        parts.append(html.escape(el.text, quote=False))
    for child in children:
        _serialize(child, ids, parts)
        if child.tail:  # text after a child belongs to this element, kept even if the child is dropped
            parts.append(html.escape(child.tail, quote=False))
    parts.append(f"</{local}>")


def sanitize_svg(svg_text: str | bytes, id_prefix: str = "") -> str | None:
    """Graphviz SVG → inline ``<svg>`` markup from an allow-list, or None if it is not usable SVG.

    The XML prolog, DOCTYPE and comments disappear in the re-serialisation. Documents that
    declare entities are refused (no entity expansion). Ids get ``id_prefix`` (references
    ``#id`` and ``url(#id)`` follow) so several SVGs can live in one page.
    """
    data = svg_text.encode("utf-8") if isinstance(svg_text, str) else svg_text
    if b"<!ENTITY" in data.upper() or len(data) > MAX_SVG_BYTES:
        return None
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        return None
    if root.tag != f"{{{SVG_NS}}}svg":
        return None
    ids = {}
    for el in root.iter():
        v = el.attrib.get("id")
        if v is not None:
            ids[v] = id_prefix + re.sub(r"[^A-Za-z0-9_.:-]", "_", v)
    parts: list[str] = []
    _serialize(root, ids, parts, is_root=True)
    return "".join(parts)


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
            return f'<figure class="diagram" aria-label="{label}">\n'
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
        return svg

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


def render_html(markdown_text: str, diagrams_dir: Path | None, title: str | None = None) -> str:
    """The Markdown design document as one self-contained, script-free HTML page.

    ``diagrams_dir`` is the folder holding ``NAME.svg`` for each ``![..](diagrams/NAME.svg)``;
    a missing file leaves the note "Diagram not rendered". ``title`` defaults to the
    document's first ``#`` heading.
    """
    md = _parser()
    env: dict[str, Any] = {"diagrams_dir": Path(diagrams_dir) if diagrams_dir is not None else None}
    tokens = md.parse(markdown_text, env)
    toc = _annotate(tokens)
    body = md.renderer.render(tokens, md.options, env)
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
        "<main>\n", body, "</main>\n</body>\n</html>\n",
    ])

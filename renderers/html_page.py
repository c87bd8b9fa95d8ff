"""The page around the converted document: its CSS, Content-Security-Policy, table of contents
and the HTML shell (renderers/html.py puts the converted body inside it).

The CSS lives here as a Python string (not a package data file) because pyproject's
package-data ships only the Jinja templates; the diagram viewer's script and CSS live with
the viewer (renderers/diagrams/viewer.py), and the policy allows that one script by its hash.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from renderers.diagrams import viewer

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


def toc_html(toc: list[tuple[int, str, str]]) -> str:
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


def page(title: str, toc: list[tuple[int, str, str]], body: Iterable[str], script: bool) -> str:
    """The whole page: head (policy, CSS), the TOC, ``body`` in ``<main>``, and the viewer script
    when a diagram is embedded. One join, so the body is copied once."""
    return "".join([
        "<!DOCTYPE html>\n",
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{html.escape(title, quote=False)}</title>\n",
        f"<style>\n{CSS}\n</style>\n</head>\n",
        '<body class="has-toc">\n' if toc else "<body>\n",
        toc_html(toc),
        "<main>\n", *body, "</main>\n",
        f"<script>{viewer.SCRIPT}</script>\n" if script else "",
        "</body>\n</html>\n",
    ])

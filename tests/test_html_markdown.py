"""The Markdown dialect of the HTML report and its escaping: account text (escaped with
renderers/escape.py) never becomes a tag and reads back as written, raw HTML in the Markdown is
shown not run, severity badges and "Not drawn" captions.

Fast and offline: small Markdown texts from tests/support/html_pages.py and a Hypothesis
property over hostile fragments; no moto.
"""

from __future__ import annotations

import html
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderers.escape import code, md, plain
from renderers.html import render_html
from tests.support.html_pages import assert_self_contained, main_part, parse, render, report_page


def test_hostile_text_is_escaped_and_code_kept(tmp_path):
    page = render(tmp_path)
    body = main_part(page)
    assert_self_contained(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(2)&gt;" in body
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in body  # raw HTML in the Markdown is shown, not run
    assert "&lt;iframe" in body
    assert "<code>vpc-0abc|&lt;script&gt;</code>" in body  # code() span kept, its | did not split the table
    assert "<code>ec2:DescribeSubnets</code>" in body
    assert re.search(r"<td><code>vpc-0abc\|&lt;script&gt;</code></td>\s*<td>", body)
    # links: inside the page kept, everything else shown as text
    assert '<a href="#s-2-1">inside</a>' in body
    assert '<span class="link">away</span> <span class="url">(https://evil.example/page)</span>' in body
    assert "[image not embedded: remote]" in body
    assert "[image not embedded: sneaky]" in body  # no path outside diagrams/ is ever read
    tags = {t for t, _ in parse(body).tags}
    assert tags <= {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "em",
                    "ul", "li", "a", "span", "figure", "br", "div", "button"} | SVG_TAGS, tags


SVG_TAGS = {"svg", "g", "title", "ellipse", "text", "defs", "lineargradient", "stop", "polygon", "path",
            "polyline", "a"}


def test_severity_badges_on_findings_lines_and_cells(tmp_path):
    body = main_part(render(tmp_path))
    assert '<li><strong class="sev sev-high">HIGH</strong> NET-001:' in body
    assert '<td><strong class="sev sev-high">HIGH</strong></td>' in body
    assert '<strong class="sev sev-other">NOT ASSESSED</strong>' in body
    assert "<strong>Partly seen:</strong>" in body  # other bold words untouched


def test_not_drawn_captions_are_a_list(tmp_path):
    body = main_part(report_page(tmp_path))
    assert '<p class="caption"><em>AWS architecture: 2 nodes, 1 edges.' in body
    items = re.findall(r"<li>(.*?)</li>", body.split('<ul class="not-drawn">', 1)[1].split("</ul>", 1)[0])
    assert items == ["3 route tables (their routes appear as edges)",
                     '2 EBS volumes (listed in section <a href="#s-4-2">4.2</a>)']


FRAGMENTS = ["<", ">", "&", "*", "_", "`", "|", "[", "]", "(", ")", "!", "\\", "#", "-", "+", "1.", "2)",
             "~", "=", " ", "    ", "\t", "\n", "javascript:", "<script>", "<code>", "</code>", "&lt;",
             "&#124;", "<img src=x onerror=y>", "](http://e.x)", "![", "<http://e.x>", "**", "__", "---"]

texts = st.one_of(st.text(), st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)),
                                      max_size=20).map("".join))

ALLOWED_BODY = {"p", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "h2", "div"}


def visible(fragment: str) -> str:
    c = parse(fragment)
    return " ".join("".join(c.text).split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=texts)
def test_escaped_account_text_never_makes_a_tag(tmp_path, t):
    text = (f"## 1. Overview\n\nAAA {md(t)} ZZZ\n\n{md(t)}\n\n"
            f"| Name | Id |\n|---|---|\n| AAA {md(t)} ZZZ | {code(t)} |\n")
    body = main_part(render_html(text, tmp_path, "t"))
    c = parse(body)
    for tag, attrs in c.tags:
        assert tag in ALLOWED_BODY, (tag, t)
        assert tag == "h2" or not attrs or (tag == "div" and attrs == {"class": "table-wrap"}), (tag, attrs, t)
    # the text reads back exactly as the account wrote it (escaping is invisible to the reader)
    want = " ".join(plain(t).split())
    para = body.split("<p>AAA", 1)[1].split("ZZZ</p>", 1)[0]
    assert visible(para) == want
    cell = body.split("<td>AAA", 1)[1].split("ZZZ</td>", 1)[0]
    assert visible(cell) == want
    shown = re.search(r"<td><code>([^<]*)</code></td>", body)
    assert shown and html.unescape(shown.group(1)) == plain(t)

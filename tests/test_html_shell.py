"""The HTML report's page shell (renderers/html.py): offline and deterministic, the CSP that lets
only the viewer's script run, title, table of contents and heading ids, the zoom viewer,
scrolling tables and print layout.

Fast and offline: small Markdown texts from tests/support/html_pages.py; no moto.
"""

from __future__ import annotations

import re

from renderers.diagrams import viewer
from renderers.html import CSP, render_html
from tests.support.html_pages import assert_self_contained, main_part, render, report_page, sample_markdown


def test_page_shell_offline_and_deterministic(tmp_path):
    page = render(tmp_path)
    again = render_html(sample_markdown(), tmp_path / "diagrams", "Demo design")
    assert page == again
    assert page.startswith("<!DOCTYPE html>\n")
    assert "<title>Demo design</title>" in page
    assert "default-src 'none'" in page  # the browser is told: nothing from outside
    assert "<style>" in page and "@media print" in page
    # addresses appear only as visible text (the escaped iframe, the away link), never in a tag
    assert "https://evil.example/page" in page and "evil.example" not in "".join(re.findall(r"<[^>]*>", page))
    assert_self_contained(page)


def test_title_defaults_to_h1_and_is_escaped(tmp_path):
    page = render_html("# <b>Shop</b> & co - AWS Infrastructure Design\n\n## 1. Overview\nx\n", tmp_path, None)
    assert "<title>&lt;b&gt;Shop&lt;/b&gt; &amp; co - AWS Infrastructure Design</title>" in page
    page = render_html("## 1. Overview\n", tmp_path, '</title><script>x</script>')
    assert "<script" not in page


def test_toc_lists_every_h2_h3_in_order_with_working_anchors(tmp_path):
    page = render(tmp_path)
    headings = re.findall(r'<h([23]) id="([^"]+)">(.*?)</h\1>', main_part(page))
    assert [(lvl, hid) for lvl, hid, _ in headings] == [
        ("2", "s-1"), ("2", "s-2"), ("3", "s-2-1"), ("3", "s-2-2"), ("2", "s-5"), ("3", "s-5-1")]
    nav = page.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    toc = re.findall(r'<a href="#([^"]+)">(.*?)</a>', nav)
    assert toc == [(hid, text) for _, hid, text in headings]
    assert toc[2] == ("s-2-1", "2.1 VPC Design")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids must be unique"
    for hid, _ in toc:
        assert ids.count(hid) == 1
    # h3 entries nest under their h2
    assert re.search(r'href="#s-2">[^<]*</a>\s*<ol>\s*<li><a href="#s-2-1">', nav)


def test_headings_without_numbers_and_duplicates_get_unique_ids(tmp_path):
    page = render_html("## Appendix: <x>\n\n## 1. A\n\n## 1. A\n\n### Notes\n", tmp_path, "t")
    assert re.findall(r'<h[23] id="([^"]+)"', page) == ["h-appendix-x", "s-1", "s-1-2", "h-notes"]


def test_each_diagram_has_the_zoom_viewer_and_a_full_size_link(tmp_path):
    page = report_page(tmp_path)
    body = main_part(page)
    assert '<figure class="diagram" id="fig-1"' in body
    assert 'data-zoom="in"' in body and 'data-zoom="out"' in body and 'href="#fig-1">Full size</a>' in body
    assert '<div class="zoom-view" tabindex="0"' in body and '<div class="zoom-inner"><svg' in body
    assert page.count("<script>") == 1 and f"<script>{viewer.SCRIPT}</script>" in page
    assert viewer.SCRIPT_HASH in CSP and "img-src data:" in CSP and "'unsafe-inline'" not in CSP.split("script-src")[1]
    assert f'content="{CSP}"' in page
    assert "<script" not in render_html("## 1. Overview\nno diagrams\n", tmp_path, "t")   # no diagram, no script
    assert_self_contained(page)


def test_wide_tables_scroll_in_their_box_with_the_first_column_kept(tmp_path):
    page = report_page(tmp_path)
    assert re.search(r'<div class="table-wrap"><table>\s*<thead>\s*<tr>\s*<th>Region</th>', page)
    assert ".table-wrap{overflow-x:auto" in page
    assert "th:first-child,td:first-child{position:sticky;left:0" in page


def test_print_keeps_each_diagram_on_its_own_page(tmp_path):
    page = report_page(tmp_path)
    printing = page.split("@media print{", 1)[1]
    assert "figure.diagram{break-before:page;break-after:page;break-inside:avoid" in printing
    assert ".zoom-bar{display:none}" in printing

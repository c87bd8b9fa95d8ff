"""Links in the HTML report: section references ("see 4.2") and the resources findings name
become links to their section; every link lands on an id of the page; plain words in a table
stay text unless a finding lists them.

Fast and offline: REPORT_MD and LONG_MD from tests/support/html_pages.py; no moto.
"""

from __future__ import annotations

import re

from renderers.html import render_html
from tests.support.html_pages import LONG_MD, REPORT_MD, main_part, report_page, write_diagrams


def test_section_references_and_resources_in_findings_are_links(tmp_path):
    body = main_part(report_page(tmp_path))
    top = body.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert 'section <a href="#s-5-2">5.2</a>' in top
    assert 'group <a href="#s-5-2">web-sg</a> allows' in top              # the resource's section
    finding = body.split("Resource:", 1)[1]
    assert finding.startswith(' <a href="#s-5-2">web-sg</a>')
    assert 'see <a href="#s-4-2">4.2</a>' in finding
    assert 'sections <a href="#s-5-2">5.2</a> and 9.1' in finding       # 9.1 is not in this page: text
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    assert {h[1:] for h in re.findall(r'href="(#[^"]+)"', body)} <= ids
    # outside Top risks and findings a resource name stays text
    assert "<td>web-sg</td>" in body


def test_long_document_links_land_and_findings_name_resources(tmp_path):
    body = main_part(render_html(LONG_MD, write_diagrams(tmp_path), "t", piece_lines=2))
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    assert {h[1:] for h in re.findall(r'href="(#[^"]+)"', body)} <= ids
    top = body.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert 'group <a href="#s-5-2">web-sg</a> allows' in top and 'see <a href="#s-5-1">5.1</a>' in top
    assert 'user <a href="#s-5-1">alice</a> has' in top          # a plain name a finding lists
    finding = body.split("Resource:", 1)[1].split("Remediation", 1)[0]
    assert '<a href="#s-4-2">vol-0123456789abcdef0</a>' in finding   # an AWS id from "name (id)"
    assert 'nested deeper: <a href="#s-5-1">failover</a> and <a href="#s-5-1">alice</a>' in finding
    # a plain word from a table is a resource only when a finding lists it ("failover and 3 more")
    assert 'Resources (2): <a href="#s-5-1">alice</a>, <a href="#s-5-1">failover</a> and 3 more' in body
    assert "<li>logs-vol</li>" in body                     # not a finding: text


def test_plain_words_in_a_table_are_not_taken_for_resources(tmp_path):
    text = REPORT_MD.replace("| web-sg | 2 |", "| web-sg | 2 |\n| Redshift | 1 |").replace(
        "open to the world\n  - Resource:", "open to the world, Redshift\n  - Resource:")
    body = main_part(render_html(text, write_diagrams(tmp_path), "Demo"))
    assert "world, Redshift" in body and ">Redshift</a>" not in body

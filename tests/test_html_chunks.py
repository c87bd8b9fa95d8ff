"""Long documents converted in pieces (renderers/html_chunks.py): the same page whatever the cut,
fenced code kept whole, and memory that follows a piece, not the document (50,000-row table).

Fast and offline: Markdown texts from tests/support/html_pages.py and a Hypothesis property
over documents built from a pool of tricky lines; no moto.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import renderers.html as html_module
from renderers.escape import code, md
from renderers.html import render_html
from renderers.html_chunks import pieces
from tests.support.html_pages import HOSTILE, LONG_MD, REPORT_MD, main_part, sample_markdown, write_diagrams


def _all_cuts_equal(tmp_path: Path, text: str) -> None:
    d = tmp_path / "diagrams" if (tmp_path / "diagrams").is_dir() else write_diagrams(tmp_path)
    whole = render_html(text, d, "t", piece_lines=0)
    for limit in (1, 2, 3, 5, 8):
        assert len(pieces(text, limit)) > 1, limit
        assert render_html(text, d, "t", piece_lines=limit) == whole, limit


def test_cutting_the_document_into_pieces_never_changes_the_page(tmp_path):
    _all_cuts_equal(tmp_path, LONG_MD)
    _all_cuts_equal(tmp_path, REPORT_MD * 3)
    _all_cuts_equal(tmp_path, sample_markdown() * 3)


def test_fenced_code_documents_are_converted_whole(tmp_path):
    text = "## 1. A\n\n```\n## 2. not a heading\n| a |\n|---|\n```\n\n" + "para\n\n" * 20 + "## 2. B\n"
    assert len(pieces(text, 1)) == 1
    page = render_html(text, tmp_path, "t", piece_lines=1)
    assert re.findall(r'<h2 id="([^"]+)"', page) == ["s-1", "s-2"]
    assert "<pre><code>## 2. not a heading" in page


def test_large_table_is_converted_in_pieces_with_every_row_and_its_escaping(monkeypatch):
    """50,000 rows of hostile cells: every row, in order, escaped, in one table; the work is
    counted, not timed: markdown-it never holds more than one piece's tokens (a bound that does
    not grow with the table) and all pieces together make about one token list of the table."""
    sizes: list[int] = []
    real = html_module.parser

    def counting():
        md = real()
        parse = md.parse

        def counted(src, env=None):
            tokens = parse(src, env)
            sizes.append(len(tokens))
            return tokens
        md.parse = counted
        return md

    monkeypatch.setattr(html_module, "parser", counting)
    n = 50_000
    rows = "".join(f"| r{i:05d} <b>&amp; {code(f'x|<{i}>')} |\n" for i in range(n))
    text = "## 1. Overview\nsee 4.1\n\n## 4. Storage\n### 4.1 Object Storage (S3)\n| Bucket and key |\n|---|\n" + rows
    body = main_part(render_html(text, None, "t"))
    assert body.count("<table>") == 1 and body.count("</table>") == 1 and body.count("<thead>") == 1
    cells = re.findall(r"<tr>\n<td>r(\d{5}) &lt;b&gt;&amp; <code>x\|&lt;(\d+)&gt;</code></td>\n</tr>", body)
    assert len(cells) == n and all(int(a) == i == int(b) for i, (a, b) in enumerate(cells))
    assert "<b>" not in body and 'see <a href="#s-4-1">4.1</a>' in body
    per_row = 5                                   # tr, td, inline, /td, /tr
    assert max(sizes) <= per_row * html_module.PIECE_LINES + 100
    assert sum(sizes) <= per_row * n * 1.05


PIECE_LINES_POOL = [
    "", "", "", "## 1. Overview", "### 2.1 VPC Design", "## 5. Security Design", "## Appendix: tables", "# Title",
    "text see 2.1 and section 5", "web-sg and alice (i-0123456789abcdef0) here", f"{md(HOSTILE)}",
    "| Name | Value |", "|---|---|", "|:--|--:|", "| web-sg | 1 |", "| alice (i-0123456789abcdef0) | x |", "| a |",
    "| HIGH | b | c |", "- **HIGH** NET-001: open; see 2.1", "- **LOW** IAM-003: alice", "- item", "- item see 2.1",
    "  - Resource: web-sg", "  - Resources (2): alice, web-sg and 1 more", "  - nested", "    - deeper",
    "   - odd indent", "1. one", "2. two", "10. ten", "* star", "+ plus", "> quote", "---", "***", "    code",
    "lazy line", "*Not drawn: 2 things (section 2.1)*", "*AWS architecture: caption.*",
    "![AWS architecture](diagrams/aws_architecture.svg)", "Setext", "===", "- ", "-", "1) paren",
    "| Name | Value |\n|---|---|\n| web-sg | 1 |\n| alice | 2 |\n| x \\| y | 3 |",
    "- **HIGH** NET-001: open\n  - Resource: web-sg\n  - Evidence: see 2.1\n    - deeper\n  - Remediation: fix",
    "- a\n  - b\n  - c\n- d\n  1. e\n  2. f\n- g",
]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.sampled_from(PIECE_LINES_POOL), min_size=4, max_size=40))
def test_any_document_cut_into_pieces_gives_the_same_page(tmp_path, lines):
    text = "\n".join(lines) + "\n"
    d = tmp_path / "diagrams" if (tmp_path / "diagrams").is_dir() else write_diagrams(tmp_path)
    whole = render_html(text, d, "t", piece_lines=0)
    for limit in (1, 2, 3):
        assert render_html(text, d, "t", piece_lines=limit) == whole, (limit, text)

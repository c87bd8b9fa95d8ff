"""Escaping of untrusted account text for every output format.

Everything read from an account (names, tags, descriptions, policy text) is
hostile until escaped. The document's Jinja environment escapes every ``{{ }}``
through :func:`md`; diagrams pass labels through :func:`dot_label`/:func:`dot_id`.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=])")
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
MAX_TEXT = 300


def plain(value: Any, limit: int = MAX_TEXT) -> str:
    """One line of text: no control characters, no newlines, bounded length."""
    s = "" if value is None else str(value)
    s = _CONTROL.sub(" ", s.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def md(value: Any, limit: int = MAX_TEXT) -> Markup:
    """Markdown-safe inline text: safe in a paragraph, a list item and a table cell.

    HTML is entity-escaped (no raw tags reach a Markdown renderer), Markdown
    punctuation is backslash-escaped (no links, emphasis or headings), and ``|``
    is escaped so a table keeps its columns.
    """
    if isinstance(value, Markup):
        return value
    s = html.escape(plain(value, limit), quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    s = _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    return Markup(s)


def code(value: Any, limit: int = MAX_TEXT) -> Markup:
    """Untrusted text shown as code: an HTML <code> element, entity-escaped.

    A Markdown code span cannot escape backticks inside it, so we use the HTML
    element, which every Markdown renderer passes through and which keeps
    ``|`` from splitting a table row.
    """
    s = html.escape(plain(value, limit), quote=True).replace("|", "&#124;")
    return Markup(f"<code>{s}</code>")


def html_text(value: Any, limit: int = 10_000) -> str:
    return html.escape(plain(value, limit), quote=True)


def dot_label(value: Any, limit: int = 60) -> str:
    """Text for a Graphviz HTML-like or quoted label: HTML-escaped, one line, bounded.

    The graphviz package quotes labels, but a quote, backslash or ``"];`` must
    still not end the string, so quotes and backslashes are replaced by entities.
    """
    s = plain(value, limit)
    s = html.escape(s, quote=True).replace("\\", "&#92;")
    return s


_DOT_ID_BAD = re.compile(r"[^A-Za-z0-9_]")


def dot_id(value: Any) -> str:
    """A Graphviz-safe identifier derived from a resource id (never from a label)."""
    s = _DOT_ID_BAD.sub("_", str(value))
    return s if s and not s[0].isdigit() else f"n_{s}"

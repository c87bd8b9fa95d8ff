"""Read the document's Markdown tables the way a reader would: rows as dicts, escapes undone."""

from __future__ import annotations

import re


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def table(text: str, header_start: str, *, required: bool = True, raw: bool = False) -> list[dict[str, str]]:
    """Rows of the first table whose header line starts with ``header_start``; cells are unescaped
    unless ``raw``. With ``required``, a missing table fails the test naming what was looked for."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header_start):
            head = [c.strip() for c in line.strip().strip("|").split("|")]
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
                rows.append(dict(zip(head, cells if raw else [unescape(c) for c in cells], strict=False)))
            return rows
    if required:
        raise AssertionError(f"no table starting {header_start!r} in:\n{text[:2000]}")
    return []

"""Human names for node kinds and region lists, for tables and sentences.

A kind's names live in its spec (``scanner/kinds/``); this module only reads them.
"""

from __future__ import annotations

from scanner import kinds


def kind_label(kind: str, count: int = 1) -> str:
    """The kind's name for ``count`` of it, from its spec (scanner/kinds/)."""
    return kinds.name(kind, count)


def regions_text(regions: list[str], limit: int = 6) -> str:
    """Regions named in a line: all of them when few, else the count and the first ones."""
    regions = sorted(dict.fromkeys(r for r in regions if r))
    if len(regions) <= limit:
        return ", ".join(regions)
    return f"{len(regions)} regions ({', '.join(regions[:limit])}, ...)"

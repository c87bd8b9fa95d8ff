"""The AWS Architecture Icons the diagrams carry, as committed data (no run-time dependency).

``icon_key(kind, props)`` says which icon a node of ``kind`` gets (None: drawn by its shape
alone); ``png(key)`` is the PNG; ``data_uri(key)`` the same as a ``data:`` URI, which is how
the icons end up inside every SVG (see renderers/diagrams/render.py). The table is
catalog.py; data.py is generated from it by build.py. Licence: LICENSE-NOTE.md.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from typing import Any

from renderers.icons.catalog import KIND_ICONS, VARIANTS
from renderers.icons.data import ICONS, SIZE

__all__ = ["SIZE", "icon_key", "png", "data_uri", "keys", "has", "file_name", "FILE_RE"]

#: how a DOT source names an icon file (relative to the folder dot runs in): icons/<key>.png
FILE_RE = re.compile(r"icons/([a-z0-9-]{1,40})\.png")


def icon_key(kind: str, props: dict[str, Any] | None = None) -> str | None:
    """The icon of a node of ``kind`` (a prop may pick a variant), or None when it has none."""
    variant = VARIANTS.get(kind)
    if variant and props:
        prop, by_value = variant
        key = by_value.get(str(props.get(prop)))
        if key in ICONS:
            return key
    key = KIND_ICONS.get(kind)
    return key if key in ICONS else None


def keys() -> list[str]:
    return sorted(ICONS)


def has(key: str) -> bool:
    return key in ICONS


def file_name(key: str) -> str:
    """The relative file name a DOT source uses for an icon (resolved by render.py)."""
    return f"icons/{key}.png"


@cache
def png(key: str) -> bytes:
    return base64.b64decode(ICONS[key])


def data_uri(key: str) -> str:
    return "data:image/png;base64," + ICONS[key]

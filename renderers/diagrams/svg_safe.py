"""Graphviz SVG made safe to inline in the HTML report: an element/attribute allow-list.

Re-serialised from an allow-list (no script/style/foreignObject elements, no ``on*``
attributes, no ``href`` that is not a ``#`` fragment, no ``url(...)`` that is not
``url(#...)``), with ids prefixed so several diagrams can share one page. The AWS icons
(renderers/diagrams/render.py) are the one exception to "nothing but fragments": an
``<image>`` is kept only when its ``href`` is a ``data:image/png;base64`` URI (raster pixels,
no script), inside a ``<symbol>`` that ``<use>`` elements reference by fragment.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

__all__ = ["sanitize_svg", "MAX_SVG_BYTES"]

MAX_SVG_BYTES = 64 * 1024 * 1024

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Elements Graphviz emits (and a few harmless relatives). Anything else, with its content,
# is dropped: script, style, foreignObject, image, use, iframe, animate, set, ...
SVG_ELEMENTS = frozenset({
    "svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle", "rect",
    "line", "text", "tspan", "a", "defs", "linearGradient", "radialGradient", "stop",
    "clipPath", "marker", "symbol", "use", "image",
})
_DROP_ATTRS = frozenset({"target", "base", "src", "formaction", "action", "data"})
_URL_REF = re.compile(r"url\(\s*(['\"]?)\s*#([^)'\"\s]+)\s*\1\s*\)")
_ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_BAD_VALUE = re.compile(r"javascript:|vbscript:|\bdata:|expression\s*\(|@import", re.IGNORECASE)

_FRAGMENT = re.compile(r"^#[A-Za-z0-9_.:-]*$")
#: the only image an SVG may carry: PNG pixels as base64 data
_PNG_DATA = re.compile(r"^data:image/png;base64,[A-Za-z0-9+/]+={0,2}$")

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
    local_tag = _local(el.tag)[1]
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
        if low == "href" and local_tag == "image":
            if not _PNG_DATA.match(value):
                continue
        elif low == "href":
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
    if local == "image" and not any(_local(k)[1] == "href" and _PNG_DATA.match(str(v)) for k, v in el.attrib.items()):
        return                    # an image that is not embedded PNG data: dropped with its content
    if local == "use" and not any(_local(k)[1] == "href" and _FRAGMENT.match(str(v)) for k, v in el.attrib.items()):
        return                    # a use of anything but a symbol of this SVG
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



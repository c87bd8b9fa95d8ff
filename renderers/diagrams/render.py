"""Run Graphviz on a diagram with its AWS icons, and make the SVG carry them as data.

Graphviz draws an image only from a file, so the DOT that carries icons names them
``icons/<key>.png`` and dot runs in a folder that holds those files (written once per process
from renderers/icons/data.py: renderers/diagrams/layout.py). The SVG it writes then points at those files;
:func:`inline_icons` replaces each reference by a ``<use>`` of one ``<symbol>`` per icon whose
image is a ``data:image/png;base64`` URI, so the SVG (and the HTML page that inlines it)
references nothing outside itself. PNG output has the pixels already.

The ``.dot`` file a report writes stays the icon-free source (``Diagram.graph``): it renders
anywhere with plain ``dot``, with the same layout (the icon cell keeps its size empty).

:func:`render_many` renders every diagram of a report in a thread pool; an SVG whose source
was laid out already (the probe that chose its direction) is that layout's, not a second run.
"""

from __future__ import annotations

import re
import subprocess

from renderers import icons
from renderers.diagrams import Diagram, layout

__all__ = ["dot_output", "render_many", "inline_icons", "ICON_ID_PREFIX"]

ICON_ID_PREFIX = "awsscan-icon-"
_IMAGE = re.compile(r'<image\b([^>]*?)\bxlink:href="icons/([a-z0-9-]{1,40})\.png"([^>]*?)/>')
_NUM = re.compile(r'\b(width|height|x|y)="(-?[0-9.]+)(?:px|pt)?"')
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def dot_output(diagram: Diagram | str, fmt: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """``dot -T<fmt>`` of a diagram with its icons (a ``Diagram``, or DOT text naming icons/<key>.png).

    Returns what ``subprocess.run`` returns (raises OSError / TimeoutExpired like it), so a caller
    that ran ``dot`` itself swaps one call for this one. SVG output has its icons inlined. The SVG
    of a source already laid out (a probe: renderers/diagrams/layout.py) is that probe's, not a
    second layout; the bytes are the same.
    """
    source = diagram.icon_source() if isinstance(diagram, Diagram) else diagram
    found = layout.cached(source) if fmt == "svg" else None
    if found is not None:
        proc = subprocess.CompletedProcess(["dot", "-Tsvg"], 0, found.svg, b"")
    else:
        proc = layout.run_dot(source, fmt, timeout=timeout)
    if proc.returncode == 0 and fmt == "svg":
        proc = subprocess.CompletedProcess(proc.args, 0, inline_icons(proc.stdout.decode("utf-8")).encode("utf-8"),
                                           proc.stderr)
    return proc


Output = subprocess.CompletedProcess[bytes] | BaseException


def render_many(diagrams: list[Diagram], formats: tuple[str, ...] = ("svg", "png"),
                timeout: float = 120) -> list[dict[str, Output]]:
    """:func:`dot_output` of every diagram in every format, in a thread pool bounded by the CPU
    count (renderers/diagrams/layout.py ``run_many``). One dict per diagram, in order: format ->
    the completed process, or the exception it raised (OSError, TimeoutExpired)."""
    jobs = [(d, fmt) for d in diagrams for fmt in formats]
    # the slowest jobs first (PNG, large sources) so the pool does not end on one long run
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i][1] != "png", -len(jobs[i][0].icon_source()), i))
    results = layout.run_many(lambda i: dot_output(jobs[i][0], jobs[i][1], timeout), order)
    by_job = dict(zip(order, results, strict=True))
    out: list[dict[str, Output]] = [{} for _ in diagrams]
    for i, (_d, fmt) in enumerate(jobs):
        out[i // len(formats)][fmt] = by_job[i]
    return out


def inline_icons(svg: str) -> str:
    """Replace every ``<image xlink:href="icons/KEY.png" .../>`` by a ``<use>`` of a data symbol.

    Each icon is embedded once per SVG (a ``<symbol>`` in ``<defs>`` right after the root
    element); an image reference to anything other than a known icon is removed, so the
    result never points at a file.
    """
    used: list[str] = []

    def swap(m: re.Match[str]) -> str:
        key = m.group(2)
        if not icons.has(key):
            return ""
        if key not in used:
            used.append(key)
        nums = dict(_NUM.findall(m.group(1) + " " + m.group(3)))
        attrs = " ".join(f'{k}="{nums[k]}"' for k in ("x", "y", "width", "height") if k in nums)
        return f'<use xlink:href="#{ICON_ID_PREFIX}{key}" {attrs}/>'

    body = _IMAGE.sub(swap, svg)
    body = re.sub(r"<image\b[^>]*/>", "", body)          # any other image: nothing outside the SVG
    if not used:
        return body
    size = icons.SIZE
    defs = "<defs>" + "".join(
        f'<symbol id="{ICON_ID_PREFIX}{k}" viewBox="0 0 {size} {size}">'
        f'<image width="{size}" height="{size}" xlink:href="{icons.data_uri(k)}"/></symbol>'
        for k in sorted(used)) + "</defs>"
    m = _SVG_OPEN.search(body)
    if not m:
        return body
    return body[:m.end()] + "\n" + defs + body[m.end():]

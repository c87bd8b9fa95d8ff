"""The three diagrams. Each module builds graphviz.Digraph objects from the Inventory.

``build(inv, analysis)`` returns the diagrams to write, keyed by the template's
marker name (AWS_ARCHITECTURE, AWS_SECURITY, CICD). A marker may get several
parts (a large account's architecture splits into one diagram per VPC).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import graphviz

from scanner.analysis.model import Analysis
from scanner.inventory import Inventory


@dataclass
class Diagram:
    marker: str            # AWS_ARCHITECTURE | AWS_SECURITY | CICD
    filename: str          # stem, e.g. "aws_architecture" or "aws_architecture_vpc-0abc"
    title: str
    #: the icon-free DOT (``.source``): what the report writes as <filename>.dot
    graph: graphviz.Digraph | graphviz.Source
    #: what the diagram leaves out and how many, stated under it in the document
    omitted: list[str] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    #: the scene it was drawn from and the layout direction: re-emitted with icons by render.py
    scene: Any = None
    rankdir: str = "LR"
    #: False when, shown 1400 px wide, its smallest text would be under 8 px (collapse.readable)
    readable: bool = True
    #: the DOT with the AWS icons named as files (icons/<key>.png): what render.py renders
    icon_dot: str = ""
    #: the laid-out width in inches (None: not laid out, dot missing)
    width_in: float | None = None

    @classmethod
    def of(cls, marker: str, filename: str, title: str, scene: Any, rankdir: str,
           omitted: list[str] | None = None, icon_dot: str | None = None) -> Diagram:
        """A diagram of a scene (renderers/diagrams/scene.py) in a given rank direction: the
        icon-free DOT, the DOT with icons, counts, readability (one layout, shared with render.py)."""
        from renderers.diagrams import collapse

        if icon_dot is None:
            icon_dot = scene.to_graph(filename, rankdir, title=title, icons=True).source
        # the icon-free DOT is the same text without the icon images (scene.py leaves their cells
        # empty): derived, not emitted a second time
        graph = graphviz.Source(strip_icons(icon_dot))
        size = collapse.layout_size(icon_dot)
        return cls(marker, filename, title, graph, omitted=list(omitted or []), nodes=scene.node_count,
                   edges=scene.edge_count, scene=scene, rankdir=rankdir,
                   readable=size is None or size[0] <= collapse.max_width_in(), icon_dot=icon_dot,
                   width_in=None if size is None else size[0])

    @classmethod
    def drawn(cls, marker: str, filename: str, title: str, scene: Any, omitted: list[str] | None = None,
              preferred: str = "LR", other_if_wide: bool = True) -> Diagram:
        """A diagram of a scene in the rank direction that reads best (collapse.choose)."""
        from renderers.diagrams import collapse

        rankdir, icon_dot = collapse.choose(scene, filename, preferred, title, other_if_wide)
        return cls.of(marker, filename, title, scene, rankdir, omitted, icon_dot=icon_dot)

    @classmethod
    def later(cls, marker: str, filename: str, title: str, scene: Any, omitted: list[str] | None = None,
              preferred: str = "LR", other_if_wide: bool = True) -> Future[Diagram]:
        """:meth:`drawn`, laid out in the layout pool (renderers/diagrams/layout.py ``submit``): the
        caller builds the next part's scene while ``dot`` lays this one out, and collects the
        diagrams in its own order (``.result()``), so the output does not depend on timing."""
        from renderers.diagrams import layout

        return layout.submit(cls.drawn, marker, filename, title, scene, omitted, preferred, other_if_wide)

    @classmethod
    def drawn_all(cls, marker: str, parts: list[tuple[str, str, Any, list[str]]],
                  preferred: str = "LR", other_if_wide: list[bool] | None = None) -> list[Diagram]:
        """:meth:`drawn` of several (filename, title, scene, omitted) parts, laid out in parallel;
        the diagrams come back in the order of ``parts``."""
        wide = other_if_wide or [True] * len(parts)
        futures = [cls.later(marker, *part, preferred=preferred, other_if_wide=wide[i]) for i, part in enumerate(parts)]
        return [f.result() for f in futures]

    def icon_source(self) -> str:
        """The DOT with the AWS icons named as files (icons/<key>.png), for render.py."""
        if self.icon_dot:
            return self.icon_dot
        if self.scene is None:
            return self.graph.source
        return self.scene.to_graph(self.filename, self.rankdir, title=self.title, icons=True).source

    def too_wide_note(self) -> str:
        """What the document says under a diagram that does not read at page width."""
        from renderers.diagrams import collapse
        from renderers.diagrams import style as st

        px = collapse.PAGE_PX
        small = st.MIN_FONT * px / (self.width_in * 72) if self.width_in else 0.0
        return (f"text of 8 px or more at {px} px wide: the drawing is {self.width_in or 0:.0f} in wide, so "
                f"shown {px} px wide its smallest text is {small:.1f} px (open the SVG at full size)")


def strip_icons(source: str) -> str:
    """A DOT source with its icon images removed (the icon cells stay, empty): the icon-free DOT.
    Account text cannot hold an image tag: it is escaped (renderers/escape.py dot_label)."""
    from renderers.diagrams.scene import _ICON_IMG

    return _ICON_IMG.sub("", source)


#: longest part of a diagram file name taken from account text (a VPC id); the whole stem stays
#: far below file-system name limits with the prefix and the hash suffix
STEM_MAX = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def file_stem(text: str, limit: int = STEM_MAX) -> str:
    """The part of a diagram's file name that comes from the account (a VPC id), safe and unique.

    Text that is already safe and short is kept as it is ("vpc-0abc"). Anything that had to be
    changed (characters replaced, or cut to ``limit``) gets a short hash of the original, so two
    VPCs whose ids share their first 80 characters, or differ only in unsafe characters, never
    share a file; the hash makes the name the same on every run.
    """
    text = str(text)
    safe = _UNSAFE.sub("_", text)
    if safe == text and len(safe) <= limit:
        return safe
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{safe[:limit - len(digest) - 1]}-{digest}"


def unique_filenames(diagrams: list[Diagram]) -> list[Diagram]:
    """Make every file name distinct (the last safeguard: a clash would overwrite a diagram).

    A repeated name gets a hash of its title and position, both deterministic for one inventory.
    """
    seen: set[str] = set()
    for i, d in enumerate(diagrams):
        if d.filename in seen:
            digest = hashlib.sha256(f"{d.marker}|{d.title}|{i}".encode()).hexdigest()[:10]
            d.filename = f"{d.filename[:STEM_MAX + 20]}-{digest}"
        seen.add(d.filename)
    return diagrams


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """Keep the objects alive before the build (the inventory, its index, the analysis) out of the
    cyclic collector while diagrams are built (``gc.freeze``). The build allocates millions of
    short-lived dicts; each full collection would walk the whole inventory again, so the build
    grew faster than the account (huge x4: 8.7 s of Python instead of 5.3 s). What the build
    itself allocates is collected as usual; the frozen objects return to the collector after."""
    if gc.get_freeze_count():          # someone froze the heap already: leave it as it is
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    """Every diagram; one that still does not read at page width says so (``omitted``)."""
    from renderers.diagrams import architecture, cicd, security
    from renderers.diagrams import style as st

    out: list[Diagram] = []
    # one render: what inv.memo computes (roles of all compute, counts per VPC) is computed once
    with inv.rendering(), st.indexed_findings(analysis), _heap_frozen():
        out.extend(architecture.build(inv, analysis))
        out.extend(security.build(inv, analysis))
        out.extend(cicd.build(inv, analysis))
    for d in out:
        if not d.readable:
            d.omitted.append(d.too_wide_note())
    return unique_filenames(out)

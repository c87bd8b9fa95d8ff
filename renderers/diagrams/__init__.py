"""The three diagrams. Each module builds graphviz.Digraph objects from the Inventory.

``build(inv, analysis)`` returns the diagrams to write, keyed by the template's
marker name (AWS_ARCHITECTURE, AWS_SECURITY, CICD). A marker may get several
parts (a large account's architecture splits into one diagram per VPC).
"""

from __future__ import annotations

import hashlib
import re
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
    graph: graphviz.Digraph
    #: what the diagram leaves out and how many, stated under it in the document
    omitted: list[str] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    #: the scene it was drawn from and the layout direction: re-emitted with icons by render.py
    scene: Any = None
    rankdir: str = "LR"
    #: False when, shown 1400 px wide, its smallest text would be under 8 px (collapse.readable)
    readable: bool = True

    @classmethod
    def of(cls, marker: str, filename: str, title: str, scene: Any, rankdir: str,
           omitted: list[str] | None = None) -> Diagram:
        """A diagram of a scene (renderers/diagrams/scene.py): the icon-free DOT, counts, readability."""
        from renderers.diagrams import collapse

        graph = scene.to_graph(filename, rankdir, title=title)
        return cls(marker, filename, title, graph, omitted=list(omitted or []), nodes=scene.node_count,
                   edges=scene.edge_count, scene=scene, rankdir=rankdir,
                   readable=collapse.readable(graph.source))

    def icon_source(self) -> str:
        """The DOT with the AWS icons named as files (icons/<key>.png), for render.py."""
        if self.scene is None:
            return self.graph.source
        return self.scene.to_graph(self.filename, self.rankdir, title=self.title, icons=True).source


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


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    from renderers.diagrams import architecture, cicd, security

    out: list[Diagram] = []
    out.extend(architecture.build(inv, analysis))
    out.extend(security.build(inv, analysis))
    out.extend(cicd.build(inv, analysis))
    return unique_filenames(out)

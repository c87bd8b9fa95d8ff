"""The three diagrams. Each module builds graphviz.Digraph objects from the Inventory.

``build(inv, analysis)`` returns the diagrams to write, keyed by the template's
marker name (AWS_ARCHITECTURE, AWS_SECURITY, CICD). A marker may get several
parts (a large account's architecture splits into one diagram per VPC).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    from renderers.diagrams import architecture, cicd, security

    out: list[Diagram] = []
    out.extend(architecture.build(inv, analysis))
    out.extend(security.build(inv, analysis))
    out.extend(cicd.build(inv, analysis))
    return out

"""AWS_ARCHITECTURE diagram (first cut: to be replaced by the full layout)."""

from __future__ import annotations

import graphviz

from renderers.diagrams import Diagram
from renderers.escape import dot_id, dot_label
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory


def build(inv: Inventory, analysis: Analysis) -> list[Diagram]:
    g = graphviz.Digraph("aws_architecture", graph_attr={"rankdir": "LR"})
    n = 0
    for vpc in inv.nodes("ec2:vpc"):
        with g.subgraph(name="cluster_" + dot_id(vpc["id"])) as c:
            c.attr(label=dot_label(f"{vpc['name']} {vpc['props'].get('cidr')}"))
            c.node(dot_id(vpc["id"]), dot_label(vpc["props"].get("vpc_id")))
            n += 1
            for s in inv.out(vpc["id"], "contains", "ec2:subnet"):
                c.node(dot_id(s["id"]), dot_label(s["name"]))
                n += 1
    return [Diagram("AWS_ARCHITECTURE", "aws_architecture", "AWS_ARCHITECTURE", g, nodes=n, edges=0)]

"""GraphML: the resource graph itself, for networkx, Gephi, yEd or a graph database's importer.

GraphML holds scalars only, so tags, props and judged facts are flattened: ``tags`` and
``props`` as sorted JSON, each fact as ``fact_<name>`` = yes / no / unknown (its reason in
``fact_<name>_why``). Edges keep their relation (``rel``) and scalar attributes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import networkx as nx

from renderers.exports.common import scalar
from scanner.inventory import atomic_write


def to_graph(inv: Any) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(name=str(inv.meta.get("name") or ""), account=str(inv.meta.get("account") or ""))
    for n in inv.nodes(include_external=True):
        attrs: dict[str, Any] = {"kind": n["kind"], "name": str(n.get("name") or ""),
                                 "region": str(n.get("region") or ""), "account": str(n.get("account") or ""),
                                 "external": bool(n.get("external")),
                                 "tags": scalar(n.get("tags") or {}), "props": scalar(n.get("props") or {})}
        for fname, fact in sorted((n.get("facts") or {}).items()):
            if isinstance(fact, dict):
                attrs[f"fact_{fname}"] = str(fact.get("state") or "unknown")
                if fact.get("why"):
                    attrs[f"fact_{fname}_why"] = str(fact["why"])
        g.add_node(n["id"], **attrs)
    for src, dst, data in inv.edges():
        g.add_edge(src, dst, **{k: scalar(v) for k, v in sorted(data.items())})
    return g


def write(inv: Any, analysis: Any, out: Path) -> list[Path]:
    buf = io.BytesIO()
    nx.write_graphml(to_graph(inv), buf, encoding="utf-8", prettyprint=True)
    return [atomic_write(Path(out), buf.getvalue())]

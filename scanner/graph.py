"""The graph type of an Inventory and its indexes (by kind, by region, by edge relation).

Readers ask an Inventory for ``nodes(kind)``, ``out(node, rel)``, ``edges(rel)`` many times per
render; walking the whole graph for each made rendering grow faster than the account. The
graph counts its own structural changes, and :class:`GraphIndex` is one pass over it, kept
for as long as that count does not move (scanner/inventory.py ``Inventory.index``).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

import networkx as nx


class Graph(nx.MultiDiGraph):
    """A MultiDiGraph that counts its structural changes (nodes or edges added or removed).

    :class:`Inventory` keeps its indexes by kind, region and relation for one ``version``
    and rebuilds them when the count moved, so every reader (passes that change the graph
    included) sees the graph as it is, while a render, which only reads, indexes it once.
    Attribute edits through ``graph.nodes[id]`` are not counted: kind, name and region are
    set when a node is added and never edited in place.
    """

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def add_node(self, node_for_adding: Any, **attr: Any) -> None:
        super().add_node(node_for_adding, **attr)
        self._changed()

    def add_nodes_from(self, nodes_for_adding: Any, **attr: Any) -> None:
        super().add_nodes_from(nodes_for_adding, **attr)
        self._changed()

    def remove_node(self, n: Any) -> None:
        super().remove_node(n)
        self._changed()

    def remove_nodes_from(self, nodes: Any) -> None:
        super().remove_nodes_from(nodes)
        self._changed()

    def add_edge(self, u_for_edge: Any, v_for_edge: Any, key: Any = None, **attr: Any) -> Any:
        out = super().add_edge(u_for_edge, v_for_edge, key, **attr)
        self._changed()
        return out

    def add_edges_from(self, ebunch_to_add: Any, **attr: Any) -> Any:
        out = super().add_edges_from(ebunch_to_add, **attr)
        self._changed()
        return out

    def remove_edge(self, u: Any, v: Any, key: Any = None) -> None:
        super().remove_edge(u, v, key)
        self._changed()

    def remove_edges_from(self, ebunch: Any) -> None:
        super().remove_edges_from(ebunch)
        self._changed()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def clear_edges(self) -> None:
        super().clear_edges()
        self._changed()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a large structure.

    Building a graph of 100,000 nodes allocates millions of objects that all stay alive; the
    collector would walk the growing heap again and again (indexing ran three times slower).
    Nothing built here is cyclic garbage, and the collector is restored on the way out."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _order(nid: str, data: dict[str, Any]) -> tuple[Any, Any, str]:
    """How node lists are sorted: region, name, id."""
    return (data.get("region", ""), data.get("name", ""), nid)


class GraphIndex:
    """The graph indexed once: node ids by kind and by (kind, region), each list already sorted
    by region, name, id, and edges by relation, so a reader's ``nodes(kind)`` or
    ``edges(rel)`` costs what it returns, not the size of the account."""

    def __init__(self, graph: Graph) -> None:
        self.version = graph.version
        order: dict[str, tuple[Any, Any, str]] = {}
        by_kind: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        for nid, data in graph._node.items():
            order[nid] = _order(nid, data)
            kind = data.get("kind")
            by_kind.setdefault(kind, []).append(nid)
            if not data.get("external"):
                self.counts[kind] = self.counts.get(kind, 0) + 1
        self.order = order
        self.all = sorted(order, key=order.__getitem__)
        self.by_kind: dict[str, list[str]] = {}
        self.by_kind_region: dict[tuple[str, str], list[str]] = {}
        for kind, ids in by_kind.items():
            ids.sort(key=order.__getitem__)
            self.by_kind[kind] = ids
            for nid in ids:
                self.by_kind_region.setdefault((kind, order[nid][0]), []).append(nid)
        self.by_rel: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        #: per node, per relation: the (other end, edge data) of its edges leaving / entering it
        self.out_adj: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
        self.in_adj: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
        for src, dst, data in graph.edges(data=True):
            rel = data.get("rel")
            self.by_rel.setdefault(rel, []).append((src, dst, data))
            self.out_adj.setdefault(src, {}).setdefault(rel, []).append((dst, data))
            self.in_adj.setdefault(dst, {}).setdefault(rel, []).append((src, data))


#: how many times an index was built (tests assert a render indexes the graph once)
INDEX_BUILDS = [0]

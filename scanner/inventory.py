"""The graph model: records from collectors, the Inventory graph, and the snapshot.

Collectors return :class:`Records` (plain data, no graph); the runner merges
them into one :class:`Inventory` in a single thread, nodes before edges, so
collectors never share mutable state. ``inventory.json`` is the snapshot:
schema-versioned and deterministic (sorted), so two scans of the same account
differ only in ``meta.timing`` and the scan timestamps.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from scanner.vocab import KINDS, SECRET_PROP_NAMES, check_kind, check_relation

SCHEMA_VERSION = 1


class SnapshotError(Exception):
    """A snapshot that cannot be read: missing, corrupt or of another schema version."""


@dataclass
class Node:
    id: str
    kind: str
    name: str
    region: str = "global"
    account: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    props: dict[str, Any] = field(default_factory=dict)
    external: bool = False


@dataclass
class Edge:
    src: str
    dst: str
    rel: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class Gap:
    """Something the scan could not see, inside an otherwise readable service."""

    service: str
    region: str
    action: str
    reason: str
    resource: str = ""


class Records:
    """What one collector run found: nodes, edges and partial gaps.

    Defaults for region/account come from the collector's context so that a
    collector only states what differs.
    """

    def __init__(self, region: str = "global", account: str = "") -> None:
        self.region = region
        self.account = account
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.gaps: list[Gap] = []

    def node(self, id: str, kind: str, name: str | None = None, /, *, region: str | None = None,
             tags: dict[str, str] | None = None, external: bool = False, **props: Any) -> str:
        check_kind(kind)
        bad = SECRET_PROP_NAMES.intersection(k.lower() for k in props)
        if bad:
            raise ValueError(f"{kind}: refusing secret-bearing props {sorted(bad)}")
        self.nodes.append(Node(id=id, kind=kind, name=name if name else id.rsplit("/", 1)[-1],
                               region=region or self.region, account=self.account,
                               tags=dict(tags or {}), props=props, external=external))
        return id

    def edge(self, src: str | None, dst: str | None, rel: str, **props: Any) -> None:
        check_relation(rel)
        if src and dst:
            self.edges.append(Edge(src=src, dst=dst, rel=rel, props=props))

    def gap(self, service: str, action: str, reason: str, resource: str = "",
            region: str | None = None) -> None:
        self.gaps.append(Gap(service=service, region=region or self.region, action=action,
                             reason=reason, resource=resource))

    def extend(self, other: Records) -> Records:
        self.nodes.extend(other.nodes)
        self.edges.extend(other.edges)
        self.gaps.extend(other.gaps)
        return self


class Inventory:
    """The account as a graph plus the scan's metadata."""

    def __init__(self, meta: dict[str, Any] | None = None) -> None:
        self.graph = nx.MultiDiGraph()
        self.meta: dict[str, Any] = meta if meta is not None else {}
        self.meta.setdefault("runs", [])
        self.meta.setdefault("gaps", [])

    # -- building ----------------------------------------------------------
    def add_node(self, node: Node) -> None:
        """Add or merge a node; a real node replaces an ``external`` placeholder."""
        g = self.graph
        if node.id in g:
            old = g.nodes[node.id]
            if old.get("external") and not node.external:
                g.nodes[node.id].clear()
            elif not old.get("external") and node.external:
                return
            else:
                merged = dict(old.get("props", {}))
                merged.update({k: v for k, v in node.props.items() if v is not None})
                tags = dict(old.get("tags", {}))
                tags.update(node.tags)
                g.nodes[node.id].update(props=merged, tags=tags)
                return
        g.add_node(node.id, kind=node.kind, name=node.name, region=node.region,
                   account=node.account, tags=node.tags, props=node.props,
                   external=node.external)

    def add_edge(self, edge: Edge) -> None:
        g = self.graph
        for end in (edge.src, edge.dst):
            if end not in g:
                g.add_node(end, kind="external", name=_short(end), region="global", account="",
                           tags={}, props={"reason": "referenced, not scanned"}, external=True)
        for _, data in (g.get_edge_data(edge.src, edge.dst) or {}).items():
            if data.get("rel") == edge.rel and data.get("props", {}) == edge.props:
                return
        g.add_edge(edge.src, edge.dst, rel=edge.rel, props=edge.props)

    def merge(self, batches: Iterable[Records]) -> None:
        batches = list(batches)
        for rec in batches:
            for n in rec.nodes:
                self.add_node(n)
        for rec in batches:
            for e in rec.edges:
                self.add_edge(e)
        for rec in batches:
            for gp in rec.gaps:
                self.meta["gaps"].append(gp.__dict__.copy())
        self.meta["gaps"].sort(key=lambda g: json.dumps(g, sort_keys=True))

    # -- reading -----------------------------------------------------------
    def nodes(self, *kinds: str, include_external: bool = False) -> list[dict[str, Any]]:
        """Nodes of the given kinds (all when none given) as dicts with an ``id`` key, sorted."""
        for k in kinds:
            if k not in KINDS:
                raise ValueError(f"unknown kind {k!r}")
        out = []
        for nid, data in self.graph.nodes(data=True):
            if kinds and data.get("kind") not in kinds:
                continue
            if data.get("external") and not include_external:
                continue
            out.append({"id": nid, **data})
        out.sort(key=lambda n: (n.get("region", ""), n.get("name", ""), n["id"]))
        return out

    def node(self, nid: str) -> dict[str, Any] | None:
        if nid not in self.graph:
            return None
        return {"id": nid, **self.graph.nodes[nid]}

    def out(self, nid: str, rel: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Targets of edges leaving ``nid`` (filtered by relation and target kind)."""
        return self._walk(self.graph.out_edges(nid, data=True), 1, rel, kind) if nid in self.graph else []

    def into(self, nid: str, rel: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Sources of edges entering ``nid``."""
        return self._walk(self.graph.in_edges(nid, data=True), 0, rel, kind) if nid in self.graph else []

    def _walk(self, edges: Iterable, end: int, rel: str | None, kind: str | None) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for e in edges:
            data = e[2]
            if rel and data.get("rel") != rel:
                continue
            other = e[end]
            nd = self.graph.nodes[other]
            if kind and nd.get("kind") != kind:
                continue
            seen.setdefault(other, {"id": other, **nd, "edge": data.get("props", {})})
        return sorted(seen.values(), key=lambda n: n["id"])

    def edges(self, rel: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for src, dst, data in self.graph.edges(data=True):
            if rel is None or data.get("rel") == rel:
                yield src, dst, data

    def by_prop(self, kind: str, prop: str, value: Any) -> list[dict[str, Any]]:
        return [n for n in self.nodes(kind) if n["props"].get(prop) == value]

    def runs(self, service: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.meta.get("runs", []) if service is None or r.get("service") == service]

    def kind_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, data in self.graph.nodes(data=True):
            if not data.get("external"):
                counts[data["kind"]] = counts.get(data["kind"], 0) + 1
        return dict(sorted(counts.items()))

    @property
    def regions(self) -> list[str]:
        return list(self.meta.get("regions", []))

    # -- snapshot ----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        nodes = [{"id": nid, **data} for nid, data in self.graph.nodes(data=True)]
        nodes.sort(key=lambda n: n["id"])
        edges = [{"src": s, "dst": d, "rel": data["rel"], "props": data.get("props", {})}
                 for s, d, data in self.graph.edges(data=True)]
        edges.sort(key=lambda e: (e["src"], e["dst"], e["rel"], json.dumps(e["props"], sort_keys=True, default=str)))
        meta = dict(self.meta)
        meta["runs"] = sorted(meta.get("runs", []), key=lambda r: (r.get("collector", ""), r.get("region", "")))
        meta["gaps"] = sorted(meta.get("gaps", []), key=lambda g: json.dumps(g, sort_keys=True))
        return {"schema": SCHEMA_VERSION, "meta": meta, "nodes": nodes, "edges": edges}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=1, default=str) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        return atomic_write(Path(path), self.to_json())

    @classmethod
    def from_dict(cls, data: Any) -> Inventory:
        if not isinstance(data, dict) or "nodes" not in data or "edges" not in data:
            raise SnapshotError("not an awsscan snapshot (no nodes/edges)")
        if data.get("schema") != SCHEMA_VERSION:
            raise SnapshotError(f"snapshot schema {data.get('schema')!r} is not supported "
                                f"(this awsscan reads schema {SCHEMA_VERSION})")
        inv = cls(meta=dict(data.get("meta") or {}))
        try:
            for n in data["nodes"]:
                n = dict(n)
                nid = n.pop("id")
                inv.graph.add_node(nid, **n)
            for e in data["edges"]:
                inv.graph.add_edge(e["src"], e["dst"], rel=check_relation(e["rel"]), props=e.get("props", {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(f"snapshot is corrupt: {exc}") from None
        return inv

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Inventory:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SnapshotError(f"snapshot not found: {p}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"cannot read snapshot {p}: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SnapshotError(f"snapshot {p} is not valid JSON (line {exc.lineno})") from None
        return cls.from_dict(data)


def atomic_write(path: Path, content: str | bytes) -> Path:
    """Write via a temp file in the same folder and rename, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _short(arn: str) -> str:
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1] or arn

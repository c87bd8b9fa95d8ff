"""The graph model: records from collectors, the Inventory graph, and the snapshot.

Collectors return :class:`Records` (plain data, no graph); the runner merges
them into one :class:`Inventory` in a single thread, nodes before edges, so
collectors never share mutable state. ``inventory.json`` is the snapshot:
schema-versioned and deterministic (sorted), so two scans of the same account
differ only in ``meta.timing`` and the scan timestamps.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from scanner import kinds as kind_specs
from scanner.fact import Fact, fact_of
from scanner.graph import INDEX_BUILDS, Graph, GraphIndex, gc_paused
from scanner.secrets import withhold_secret_tags
from scanner.vocab import KINDS, SECRET_PROP_NAMES, check_kind, check_relation

#: tests set this so a prop that its kind's spec does not list fails loudly (types are checked
#: over every fixture scan in tests/test_kinds.py);
#: a real scan keeps the value rather than lose what the account said
STRICT_PROPS = os.environ.get("AWSSCAN_STRICT_PROPS") == "1"

SCHEMA_VERSION = 1
T = TypeVar("T")


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
        if STRICT_PROPS:
            unknown = [k for k in props if k not in kind_specs.spec(kind).prop_names()]
            if unknown:
                raise ValueError(f"{kind} {id}: props not in its kind spec (scanner/kinds/): {sorted(unknown)}")
        # tag values that look like secrets are withheld here too, whichever way a collector
        # built its tags (judging twice is harmless)
        self.nodes.append(Node(id=id, kind=kind, name=name if name else id.rsplit("/", 1)[-1],
                               region=region or self.region, account=self.account,
                               tags=withhold_secret_tags(dict(tags or {})), props=props, external=external))
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
        self.graph: Graph = Graph()
        self._index: GraphIndex | None = None
        self._render_depth = 0
        self._memo: dict[str, Any] = {}
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
                g.nodes[node.id].clear()  # kind and name change: g.add_node below counts it
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
        with gc_paused():
            self._merge(list(batches))

    def _merge(self, batches: list[Records]) -> None:
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
    def index(self) -> GraphIndex:
        """The graph's indexes, built on first use and again only after the graph changed."""
        idx = self._index
        if idx is None or idx.version != self.graph.version:
            INDEX_BUILDS[0] += 1
            with gc_paused():
                idx = self._index = GraphIndex(self.graph)
        return idx

    def nodes(self, *kinds: str, include_external: bool = False,
              region: str | None = None) -> list[dict[str, Any]]:
        """Nodes of the given kinds (all when none given), optionally of one region, as dicts
        with an ``id`` key, sorted by region, name, id. Costs what it returns (indexed)."""
        for k in kinds:
            if k not in KINDS:
                raise ValueError(f"unknown kind {k!r}")
        idx = self.index()
        if not kinds:
            ids: list[str] = idx.all if region is None else [n for n in idx.all if idx.order[n][0] == region]
        else:
            lists = [idx.by_kind.get(k, []) if region is None else idx.by_kind_region.get((k, region), [])
                     for k in dict.fromkeys(kinds)]
            ids = lists[0] if len(lists) == 1 else sorted((n for lst in lists for n in lst),
                                                          key=idx.order.__getitem__)
        data = self.graph._node
        if include_external:
            return [{"id": nid, **data[nid]} for nid in ids]
        return [{"id": nid, **data[nid]} for nid in ids if not data[nid].get("external")]

    @contextlib.contextmanager
    def rendering(self) -> Iterator[Inventory]:
        """A render: the graph and its facts are only read, so what :meth:`memo` computes inside
        is computed once (a fact several subsections show), and forgotten when the render ends."""
        self._render_depth += 1
        try:
            yield self
        finally:
            self._render_depth -= 1
            if not self._render_depth:
                self._memo.clear()

    def memo(self, key: str, fn: Callable[[], T]) -> T:
        """``fn()``, computed once per render (:meth:`rendering`) and graph version; outside a
        render it is computed each time, so code that edits facts between calls sees its edits."""
        if not self._render_depth:
            return fn()
        version = self.graph.version
        hit = self._memo.get(key)
        if hit is None or hit[0] != version:
            hit = self._memo[key] = (version, fn())
        return hit[1]

    def count(self, kind: str, include_external: bool = False) -> int:
        """How many nodes of one kind (without building their dicts)."""
        idx = self.index()
        return len(idx.by_kind.get(kind, ())) if include_external else idx.counts.get(kind, 0)

    def node(self, nid: str) -> dict[str, Any] | None:
        data = self.graph._node.get(nid)  # the node dict itself, without a NodeView per lookup
        return None if data is None else {"id": nid, **data}

    def out(self, nid: str, rel: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Targets of edges leaving ``nid`` (filtered by relation and target kind), sorted by id."""
        if nid not in self.graph:
            return []
        idx = self._current() if rel else None
        if idx is not None:
            return self._walk_index(idx.out_adj.get(nid, {}).get(rel, ()), kind)
        return self._walk(self.graph.out_edges(nid, data=True), 1, rel, kind)

    def into(self, nid: str, rel: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Sources of edges entering ``nid``, sorted by id."""
        if nid not in self.graph:
            return []
        idx = self._current() if rel else None
        if idx is not None:
            return self._walk_index(idx.in_adj.get(nid, {}).get(rel, ()), kind)
        return self._walk(self.graph.in_edges(nid, data=True), 0, rel, kind)

    def _current(self) -> GraphIndex | None:
        """The index if it matches the graph. ``out``/``into`` never build one (a pass that adds
        edges while it walks them would rebuild it at every step: they walk the graph instead),
        and use it for one relation only (all relations: the node's edges, in the graph's order)."""
        idx = self._index
        return idx if idx is not None and idx.version == self.graph.version else None

    def _walk_index(self, entries: Iterable[tuple[str, dict[str, Any]]], kind: str | None) -> list[dict[str, Any]]:
        nodes = self.graph._node
        seen: dict[str, dict[str, Any]] = {}
        for other, data in entries:
            if other in seen:
                continue
            nd = nodes[other]
            if kind and nd.get("kind") != kind:
                continue
            seen[other] = {"id": other, **nd, "edge": data.get("props", {})}
        return sorted(seen.values(), key=lambda n: n["id"])

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
        """Every edge (of one relation: indexed, so it costs what it returns)."""
        if rel is None:
            yield from list(self.graph.edges(data=True))
        else:
            yield from self.index().by_rel.get(rel, ())

    def by_prop(self, kind: str, prop: str, value: Any) -> list[dict[str, Any]]:
        return [n for n in self.nodes(kind) if n["props"].get(prop) == value]

    def fact(self, nid: str, name: str) -> Fact | None:
        """The judged fact ``name`` of a node (scanner/judge/); None where it does not apply."""
        data = self.graph._node.get(nid)
        return None if data is None else fact_of(data, name)

    def region_fact(self, region: str, name: str) -> Fact | None:
        """A region-wide judged fact (guard services) of a scanned region."""
        acct = self.meta.get("account") or ""
        return self.fact(f"aws://account/{acct}/region/{region}", name)

    def account_fact(self, name: str) -> Fact | None:
        return self.fact(f"aws://account/{self.meta.get('account') or ''}", name)

    def runs(self, service: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.meta.get("runs", []) if service is None or r.get("service") == service]

    def kind_counts(self) -> dict[str, int]:
        return dict(sorted((k, n) for k, n in self.index().counts.items() if n))

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
        """The snapshot as text: one line per node, edge and meta entry (a diff shows what changed).

        Each line is encoded by the json module's C encoder; ``indent`` would make it use its
        pure-Python one, which took 0.25 s of a two-region scan's 7 s (and grows with the account)."""
        return _lines(self.to_dict()) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        return atomic_write(Path(path), self.to_json())

    @classmethod
    def from_dict(cls, data: Any) -> Inventory:
        """An Inventory from a parsed snapshot, checked in full first (scanner/snapshot_schema.py).

        A snapshot is untrusted input: every problem is found here, as one line, before any
        report file is written, rather than as a traceback halfway through rendering.
        """
        from scanner.snapshot_schema import problems

        if not isinstance(data, dict) or "nodes" not in data or "edges" not in data:
            raise SnapshotError("not an awsscan snapshot (no nodes/edges)")
        if data.get("schema") != SCHEMA_VERSION or isinstance(data.get("schema"), bool):
            raise SnapshotError(f"snapshot schema {repr(data.get('schema'))[:40]} is not supported "
                                f"(this awsscan reads schema {SCHEMA_VERSION})")
        try:
            first = next(problems(data), None)
        except RecursionError:
            first = "nested too deeply"
        if first is not None:
            raise SnapshotError(f"snapshot is corrupt: {first}")
        inv = cls(meta=dict(data.get("meta") or {}))
        for n in data["nodes"]:
            attrs = {"name": _short(n["id"]), "region": "global", "account": "", "tags": {}, "props": {},
                     "external": False, **{k: v for k, v in n.items() if k != "id"}}
            inv.graph.add_node(n["id"], **attrs)
        for e in data["edges"]:
            inv.graph.add_edge(e["src"], e["dst"], rel=e["rel"], props=e.get("props", {}))
        return inv

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Inventory:
        """Read a snapshot file: a regular file of bounded size, parsed with bounded nesting.

        FIFOs and devices are refused before they are opened (reading one would hang or never
        end), the size is capped (``AWSSCAN_MAX_SNAPSHOT_BYTES``, default 512 MiB) and the read
        itself is bounded, so a file that grows after the check cannot exhaust memory either.
        """
        p = Path(path)
        limit = max_snapshot_bytes()
        try:
            st = os.stat(p)
        except FileNotFoundError:
            raise SnapshotError(f"snapshot not found: {p}") from None
        except OSError as exc:
            raise SnapshotError(f"cannot read snapshot {p}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(st.st_mode):
            raise SnapshotError(f"snapshot {p} is {_file_type(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise SnapshotError(f"snapshot {p} is {st.st_size:,} bytes, over the {limit:,}-byte limit "
                                "(raise it with AWSSCAN_MAX_SNAPSHOT_BYTES)")
        try:
            # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open must not hang
            fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        except OSError as exc:
            raise SnapshotError(f"cannot read snapshot {p}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    raise SnapshotError(f"snapshot {p} is not a regular file")
                raw = fh.read(limit + 1)
        except OSError as exc:
            raise SnapshotError(f"cannot read snapshot {p}: {exc.strerror or exc}") from None
        if len(raw) > limit:
            raise SnapshotError(f"snapshot {p} is over the {limit:,}-byte limit "
                                "(raise it with AWSSCAN_MAX_SNAPSHOT_BYTES)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SnapshotError(f"snapshot {p} is not UTF-8 text (byte {exc.start})") from None
        del raw
        try:
            with gc_paused():
                data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SnapshotError(f"snapshot {p} is not valid JSON (line {exc.lineno})") from None
        except RecursionError:
            raise SnapshotError(f"snapshot {p} is corrupt: nested too deeply") from None
        except ValueError as exc:  # e.g. an integer longer than Python's digit limit
            raise SnapshotError(f"snapshot {p} is not valid JSON ({str(exc).splitlines()[0][:120]})") from None
        with gc_paused():
            inv = cls.from_dict(data)
        from scanner import judge  # lazy: the judges read the Inventory this module defines

        return judge.ensure(inv)  # a snapshot older than judged facts is judged from its own runs


#: default cap on a snapshot's size: far above any real account's inventory.json
DEFAULT_MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024


def max_snapshot_bytes() -> int:
    """The snapshot size limit: ``AWSSCAN_MAX_SNAPSHOT_BYTES`` when set (a positive integer)."""
    raw = os.environ.get("AWSSCAN_MAX_SNAPSHOT_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_SNAPSHOT_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SnapshotError(f"AWSSCAN_MAX_SNAPSHOT_BYTES must be a positive number of bytes (got {raw[:40]!r})")
    return value


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


#: the lock that serialises reading the umask through os.umask (made on first use; dict.setdefault
#: is atomic, so every thread gets the same lock)
_LOCKS: dict[str, Any] = {}


def current_umask() -> int:
    """The process umask, read without a window in which files could be created too open.

    Linux exposes it in /proc/self/status; elsewhere os.umask must be set to read it, and it is
    set to the most restrictive value for that instant, so a file another thread creates meanwhile
    is, at worst, too private, never too open.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _LOCKS.setdefault("umask", threading.Lock()):
        old = os.umask(0o077)
        os.umask(old)
    return old


def atomic_write(path: Path, content: str | bytes) -> Path:
    """Write via a temp file in the same folder and rename, so no reader sees half a file.

    mkstemp creates the temp file 0600; the result gets the mode ``open()`` would have given it
    (an existing file keeps its mode, a new one 0666 minus the umask), so reports stay readable
    by whoever the user's umask says, and a file the user made private stays private.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.lstat(path)
        mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else 0o666 & ~current_umask()
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    wmode = "wb" if isinstance(content, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, wmode, **({} if wmode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(content)
        os.chmod(tmp, mode)
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


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _lines(data: dict[str, Any]) -> str:
    """``data`` as JSON: its keys in order, a list's items or a dict's entries one per line."""
    parts = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list) and value:
            body = ",\n".join(f"  {_compact(item)}" for item in value)
            parts.append(f" {_compact(key)}: [\n{body}\n ]")
        elif isinstance(value, dict) and value:
            entries = sorted(value.items(), key=lambda kv: str(kv[0]))  # json's keys are strings
            body = ",\n".join(f"  {_compact(str(k))}: {_compact(v)}" for k, v in entries)
            parts.append(f" {_compact(key)}: {{\n{body}\n }}")
        else:
            parts.append(f" {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"

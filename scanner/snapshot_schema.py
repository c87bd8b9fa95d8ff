"""The shape of ``inventory.json``, checked in full before a snapshot becomes an Inventory.

A snapshot is untrusted input: ``awsscan render`` accepts any file a user (or
someone else) hands it. Without a schema, a list where a dict belongs, a node
without ``kind`` or an unknown relation surfaces as a traceback deep inside
analysis or a template, after part of the report has been written. Checking the
whole document here, up front, turns every such file into one clear line.

The schema is built from the one vocabulary (``scanner.vocab``), so a kind or
relation added there is accepted here without a second list to keep in step.
Structural checks that JSON Schema cannot express (unique node ids, edges that
name existing nodes, nesting depth) are the functions below the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from scanner.fact import STATES
from scanner.vocab import KINDS, RELATIONS

#: deeper than any snapshot awsscan writes (about 8 levels) and far below Python's recursion
#: limit, so later code (json.dumps, Jinja2, deepcopy) never meets a RecursionError
MAX_DEPTH = 64

_STRING = {"type": "string"}
_OBJECT = {"type": "object"}


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a schema-1 snapshot."""
    kinds = sorted(set(KINDS) | {"external"})
    fact = {
        "type": "object",
        "required": ["state"],
        "properties": {"state": {"enum": list(STATES)}, "why": _STRING},
        "additionalProperties": False,
    }
    node = {
        "type": "object",
        "required": ["id", "kind"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "kind": {"enum": kinds},
            "name": _STRING,
            "region": _STRING,
            "account": _STRING,
            "tags": {"type": "object", "additionalProperties": _STRING},
            "props": _OBJECT,
            "external": {"type": "boolean"},
            "facts": {"type": "object", "additionalProperties": fact},
        },
        "additionalProperties": False,
    }
    edge = {
        "type": "object",
        "required": ["src", "dst", "rel"],
        "properties": {
            "src": {"type": "string", "minLength": 1},
            "dst": {"type": "string", "minLength": 1},
            "rel": {"enum": sorted(RELATIONS)},
            "props": _OBJECT,
        },
        "additionalProperties": False,
    }
    run = {
        "type": "object",
        "required": ["collector", "service", "region", "status"],
        "properties": {"collector": _STRING, "service": _STRING, "region": _STRING, "status": _STRING},
    }
    meta = {
        "type": "object",
        "properties": {
            "runs": {"type": "array", "items": run},
            "gaps": {"type": "array", "items": _OBJECT},
            "regions": {"type": "array", "items": _STRING},
        },
        # collectors, timing, partial, account, alias, ...: the scan's own bookkeeping, free-form
        "additionalProperties": True,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "awsscan inventory.json (schema 1)",
        "type": "object",
        "required": ["schema", "nodes", "edges"],
        "properties": {
            "schema": {"const": 1},
            "meta": meta,
            "nodes": {"type": "array", "items": node},
            "edges": {"type": "array", "items": edge},
        },
        "additionalProperties": False,
    }


_TOP_KEYS = frozenset(("schema", "meta", "nodes", "edges"))
_NODE_KEYS = frozenset(("id", "kind", "name", "region", "account", "tags", "props", "external", "facts"))
_NODE_TEXT = ("name", "region", "account")
_EDGE_KEYS = frozenset(("src", "dst", "rel", "props"))
_FACT_KEYS = frozenset(("state", "why"))
_RUN_TEXT = ("collector", "service", "region", "status")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Node kinds, edge relations and fact states as sets (what the schema's enums hold)."""
    return frozenset(KINDS) | {"external"}, frozenset(RELATIONS), frozenset(STATES)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _node_ok(n: Any, node_kinds: frozenset[str], states: frozenset[str]) -> bool:
    if not isinstance(n, dict) or not _NODE_KEYS.issuperset(n) or not _text(n.get("id")):
        return False
    kind = n.get("kind")
    if not isinstance(kind, str) or kind not in node_kinds:
        return False
    for key in _NODE_TEXT:
        if key in n and not isinstance(n[key], str):
            return False
    if "props" in n and not isinstance(n["props"], dict):
        return False
    if "external" in n and not isinstance(n["external"], bool):
        return False
    if "tags" in n:
        tags = n["tags"]
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            return False
    if "facts" in n:
        facts = n["facts"]
        if not isinstance(facts, dict):
            return False
        for f in facts.values():
            if not isinstance(f, dict) or not _FACT_KEYS.issuperset(f):
                return False
            state = f.get("state")
            if not isinstance(state, str) or state not in states:
                return False
            if "why" in f and not isinstance(f["why"], str):
                return False
    return True


def _edge_ok(e: Any, relations: frozenset[str]) -> bool:
    if not isinstance(e, dict) or not _EDGE_KEYS.issuperset(e) or not _text(e.get("src")) or not _text(e.get("dst")):
        return False
    rel = e.get("rel")
    if not isinstance(rel, str) or rel not in relations:
        return False
    return "props" not in e or isinstance(e["props"], dict)


def _meta_ok(meta: Any) -> bool:
    if not isinstance(meta, dict):
        return False
    runs, gaps, regions = meta.get("runs", []), meta.get("gaps", []), meta.get("regions", [])
    if not isinstance(runs, list) or not isinstance(gaps, list) or not isinstance(regions, list):
        return False
    for r in runs:
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in _RUN_TEXT):
            return False
    return all(isinstance(g, dict) for g in gaps) and all(isinstance(x, str) for x in regions)


def conforms(data: Any) -> bool:
    """True when ``data`` certainly satisfies :func:`schema`: one plain pass over the nodes and
    edges, each checked against a fixed set of keys and types.

    Why: the full JSON Schema pass costs tens of microseconds per node (a 100,000-bucket snapshot
    spent most of its load there) and only its error messages need it. This check is at least as
    strict as the schema (it may refuse what the schema would allow, never the reverse), so a
    snapshot it passes needs no schema pass, and one it refuses gets the schema's own message.
    tests/test_hardening_snapshot.py holds it to that against every corrupt case and mutations."""
    if not isinstance(data, dict) or not _TOP_KEYS.issuperset(data) or not _TOP_KEYS.difference(["meta"]) <= data.keys():
        return False
    if type(data["schema"]) is not int or data["schema"] != 1:
        return False
    if "meta" in data and not _meta_ok(data["meta"]):
        return False
    nodes, edges = data["nodes"], data["edges"]
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return False
    node_kinds, relations, states = _vocabulary()
    return all(_node_ok(n, node_kinds, states) for n in nodes) and all(_edge_ok(e, relations) for e in edges)


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def depth_exceeds(data: Any, limit: int = MAX_DEPTH) -> bool:
    """True when containers nest deeper than ``limit`` (iterative: deep input cannot recurse us)."""
    return _level_exceeds([data], 1, limit)


def _level_exceeds(level: list[Any], depth: int, limit: int) -> bool:
    """Whether containers below those of ``level`` (all at ``depth``) nest deeper than ``limit``:
    one level of the tree at a time, so no tuple is made per value."""
    while level:
        if depth > limit:
            return True
        below: list[Any] = []
        keep = below.append
        for value in level:
            for child in (value.values() if isinstance(value, dict) else value):
                if isinstance(child, (dict, list)):
                    keep(child)
        level, depth = below, depth + 1
    return False


def _conforming_depth_exceeds(data: dict[str, Any], limit: int = MAX_DEPTH) -> bool:
    """:func:`depth_exceeds` for a snapshot :func:`conforms` passed: only props (at depth 4) and
    meta (at 2) can nest, since the check fixed every other value's shape."""
    props = [n["props"] for n in data["nodes"] if "props" in n] + [e["props"] for e in data["edges"] if "props" in e]
    return _level_exceeds(props, 4, limit) or ("meta" in data and _level_exceeds([data["meta"]], 2, limit))


def problems(data: Any) -> Iterator[str]:
    """Every reason ``data`` is not a valid snapshot, each as one short line; none when it is.

    The first problem is the one to show: schema errors first (sorted by where they are,
    so the message is the same on every run), then duplicate ids and dangling edges.
    """
    fits = conforms(data)  # the common case: no schema pass (see conforms)
    if _conforming_depth_exceeds(data) if fits else depth_exceeds(data):
        yield f"nested more than {MAX_DEPTH} levels deep"
        return
    errors = [] if fits else sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        for err in errors:
            yield _describe(err)
        return
    seen: set[str] = set()
    for i, n in enumerate(data["nodes"]):
        if n["id"] in seen:
            yield f"nodes[{i}]: node id {_short(n['id'])} appears more than once"
        seen.add(n["id"])
    for i, e in enumerate(data["edges"]):
        for end in ("src", "dst"):
            if e[end] not in seen:
                yield (f"edges[{i}] ({e['rel']}): {end} {_short(e[end])} is not a node of this snapshot "
                       "(a dangling edge)")


def _describe(err: Any) -> str:
    """A jsonschema error as one line that names where it is, without dumping the whole value."""
    where = _path(list(err.absolute_path)) or "the top level"
    if err.validator == "enum":
        field = str(err.absolute_path[-1]) if err.absolute_path else "value"
        what = {"kind": "node kind", "rel": "edge relation", "state": "fact state"}.get(field, field)
        return f"{where}: {_short(err.instance)} is not a known {what}"
    if err.validator == "type":
        return f"{where}: expected {_type_words(err.validator_value)}, found {_json_type(err.instance)}"
    if err.validator == "const" and err.absolute_path and err.absolute_path[-1] == "schema":
        return f"{where}: schema {_short(err.instance)} is not supported"
    return f"{where}: {_one_line(err.message)}"


def _path(parts: list[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _type_words(expected: Any) -> str:
    words = {"object": "an object", "array": "a list", "string": "a string", "boolean": "true or false",
             "integer": "an integer", "number": "a number", "null": "null"}
    if isinstance(expected, list):
        return " or ".join(words.get(t, t) for t in expected)
    return words.get(expected, str(expected))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def _short(value: Any, limit: int = 80) -> str:
    text = _one_line(repr(value))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]

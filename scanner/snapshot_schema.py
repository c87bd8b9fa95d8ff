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


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def depth_exceeds(data: Any, limit: int = MAX_DEPTH) -> bool:
    """True when containers nest deeper than ``limit`` (iterative: deep input cannot recurse us)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def problems(data: Any) -> Iterator[str]:
    """Every reason ``data`` is not a valid snapshot, each as one short line; none when it is.

    The first problem is the one to show: schema errors first (sorted by where they are,
    so the message is the same on every run), then duplicate ids and dangling edges.
    """
    if depth_exceeds(data):
        yield f"nested more than {MAX_DEPTH} levels deep"
        return
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
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

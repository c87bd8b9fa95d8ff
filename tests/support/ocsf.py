"""Compile an OCSF event class from the schema's own definition files into a JSON Schema.

The OCSF server publishes JSON Schemas compiled from github.com/ocsf/ocsf-schema; this does
the same compilation for one class from the released definition files shipped in
tests/data/schemas/ocsf-1.2.0 (no network): the class's ``extends`` chain and ``$include``
files merged, each attribute's type from the dictionary (scalar types resolved to their
JSON type, objects compiled recursively from objects/, with ``extends``), ``required``
attributes required, integer enums (``*_id``) closed, and no attribute the class does not
define (``additionalProperties: false``), so a misspelt or invented field fails.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent / "data" / "schemas" / "ocsf-1.2.0"
#: the profiles an awsscan finding applies: it is about cloud resources
PROFILES = ("cloud",)
_SCALARS = {"boolean_t": "boolean", "integer_t": "integer", "long_t": "integer", "float_t": "number",
            "string_t": "string", "timestamp_t": "integer", "port_t": "integer"}


@cache
def _load(rel: str) -> dict[str, Any]:
    return json.loads((ROOT / rel).read_text())


def _dictionary() -> dict[str, Any]:
    return _load("dictionary.json")


def _json_type(type_name: str) -> dict[str, Any]:
    """A scalar OCSF type (``ip_t``, ``datetime_t``) as JSON Schema, via the types it derives from."""
    types = _dictionary()["types"]["attributes"]
    seen = type_name
    while seen not in _SCALARS and seen in types and types[seen].get("type"):
        seen = types[seen]["type"]
    if seen == "json_t" or type_name == "json_t":
        return {}
    return {"type": _SCALARS.get(seen, "string")}


def _merged(kind: str, name: str) -> dict[str, dict[str, Any]]:
    """The attributes of a class (events/) or object (objects/), with its parents and includes."""
    path = _find(kind, name)
    spec = _load(path)
    attrs: dict[str, dict[str, Any]] = {}
    if spec.get("extends"):
        attrs.update(_merged(kind, spec["extends"]))
    own = dict(spec.get("attributes") or {})
    for inc in own.pop("$include", []) or []:
        included = _load(inc)
        for k, v in (included.get("attributes") or {}).items():
            if inc.startswith("profiles/"):  # a profile's attributes count only where it is applied
                v = {"profile": included.get("name"), **v}
            attrs[k] = {**attrs.get(k, {}), **v}
    for k, v in own.items():
        attrs[k] = {**attrs.get(k, {}), **v}
    return attrs


@cache
def _find(kind: str, name: str) -> str:
    base = ROOT / kind
    for p in sorted(base.rglob("*.json")):
        if _load(str(p.relative_to(ROOT))).get("name") == name:
            return str(p.relative_to(ROOT))
    raise KeyError(f"OCSF {kind} {name!r} not in {ROOT}")


def _schema_of(kind: str, name: str, defs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required: list[str] = []
    dictionary = _dictionary()["attributes"]
    for attr, over in _merged(kind, name).items():
        base = {**dictionary.get(attr, {}), **over}
        t = base.get("type", "string_t")
        if t == "object":  # free-form (``unmapped``)
            item: dict[str, Any] = {"type": "object"}
        elif not t.endswith("_t"):  # an object's name
            obj = t
            ref = f"object_{obj}"
            if ref not in defs:
                defs[ref] = {}  # placeholder first: objects may refer to themselves
                defs[ref] = _schema_of("objects", obj, defs)
            item = {"$ref": f"#/$defs/{ref}"}
        else:
            item = _json_type(t)
        enum = base.get("enum")
        if enum and item.get("type") == "integer":
            item = {**item, "enum": sorted(int(k) for k in enum)}
        props[attr] = {"type": "array", "items": item} if base.get("is_array") else item
        if base.get("requirement") == "required" and base.get("profile") in (None, *PROFILES):
            required.append(attr)
    return {"type": "object", "properties": props, "required": sorted(required), "additionalProperties": False}


def class_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of one OCSF event class, e.g. ``detection_finding``."""
    defs: dict[str, Any] = {}
    body = _schema_of("events", name, defs)
    # the uids the server derives for a class: its category, itself, and one type per activity
    uid = class_uid(name)
    props = body["properties"]
    props["category_uid"] = {"type": "integer", "enum": [uid // 1000]}
    props["class_uid"] = {"type": "integer", "enum": [uid]}
    activities = props.get("activity_id", {}).get("enum", [])
    props["type_uid"] = {"type": "integer", "enum": [uid * 100 + a for a in activities]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **body, "$defs": defs}


def class_uid(name: str) -> int:
    """category uid * 1000 + the class's own uid, as OCSF numbers classes (Detection Finding: 2004)."""
    spec = _load(_find("events", name))
    cats = {"findings": 2}
    category = spec.get("category") or _load(_find("events", spec.get("extends"))).get("category")
    return cats[category] * 1000 + int(spec["uid"])

"""Recorded AWS shapes: the machinery that feeds every ``transform_*`` from real response shapes
(the service model and the realistic responses are in tests/test_recorded_model.py).

moto omits fields, enums and nulls that AWS sends (and sends some AWS omits), so the
transforms are also fed responses built from the botocore service model (the API's own
output shapes) and AWS's documentation examples (botocore's ``examples-1.json``), stored
as fixtures under ``tests/data/recorded/<family>/<Operation>.json``. From each fixture
this module derives the variants a real account (or a recording of one) can send:

* ``full``: every member the model knows, realistic values (the fixture as stored);
* ``minimal``: only the members the model marks required (``shape.required_members``);
* ``nulls`` / ``deep_nulls``: optional members present as explicit ``null``;
* ``unknown_enum``: every enum member holds a value AWS may add later (``pending-future``);
* ``naive_time`` / ``string_time``: timestamps without a zone, or as API date strings;
* ``empty``: every list and map inside the resources empty;
* ``all_true`` / ``all_false``: every boolean flipped (to tell derived facts from constants).

A :class:`Case` says how one transform is fed from the responses of the operations it
needs (the way its collector feeds it) and where the resources' names are. The sweep in
``tests/test_recorded_all.py`` checks every case against every variant; the family
modules (``tests/test_recorded_<family>.py``) hold the cases and targeted assertions.

``python -m tests.test_recorded_all --write`` writes the fixtures that do not exist yet
(existing ones, possibly edited by hand, are kept).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jmespath
from botocore.model import ListShape, MapShape, Shape, StructureShape

from scanner import kinds as kind_specs
from scanner.context import ScanContext
from scanner.inventory import Records
from tests.test_recorded_model import (  # noqa: F401 - re-exported: the family modules import them from here
    ACCOUNT,
    REGION,
    WHEN,
    doc_example,
    generate,
    known_enums,
    output_shape,
    parse_timestamp,
    realistic,
)

DATA = Path(__file__).parent / "data" / "recorded"
UNKNOWN = "pending-future"
VARIANTS = ("full", "minimal", "nulls", "deep_nulls", "unknown_enum", "naive_time", "string_time", "empty",
            "all_true", "all_false")
#: the absent-member variants with the identifiers kept: every resource must still be named
ID_VARIANTS = ("minimal+ids", "nulls+ids", "deep_nulls+ids")
#: variants in which an identifier may be absent (the output must then say what it skipped)
IDS_MAY_BE_MISSING = ("minimal", "nulls", "deep_nulls")


# --- fixtures on disk -------------------------------------------------------------------------------
def to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def from_json(value: Any, shape: Shape) -> Any:
    """A stored response as botocore would hand it over: aware timestamps, bytes for blobs."""
    if value is None:
        return None
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        return {k: from_json(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if t == "list" and isinstance(value, list):
        assert isinstance(shape, ListShape)
        return [from_json(v, shape.member) for v in value]
    if t == "map" and isinstance(value, dict):
        assert isinstance(shape, MapShape)
        return {k: from_json(v, shape.value) for k, v in value.items()}
    if t == "timestamp":
        return parse_timestamp(value) or value
    if t == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    return value


# --- variants ---------------------------------------------------------------------------------------
Path_ = tuple[str, ...]


def _kept(path: Path_, keep: frozenset[Path_]) -> bool:
    """A member on the way to (or at) a kept container: never pruned, nulled or emptied."""
    return any(k[:len(path)] == path for k in keep)


def variant(value: Any, shape: Shape, kind: str, keep: frozenset[Path_], path: Path_ = (),
            ids: frozenset[str] = frozenset()) -> Any:
    """``value`` (a response or part of one, typed by ``shape``) as the variant ``kind`` sends it.

    Members named in ``ids`` (the resources' identifiers) are left alone, so that what a
    transform states about a resource with its fields absent can be compared."""
    if value is None:
        return None
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        out: dict[str, Any] = {}
        for k, v in value.items():
            sub = shape.members.get(k)
            if sub is None:
                out[k] = v
                continue
            p = (*path, k)
            required = k in shape.required_members or _kept(p, keep) or k in ids
            container = sub.type_name in ("structure", "list", "map")
            if kind == "minimal" and not required:
                continue
            if kind == "nulls" and not required:
                out[k] = None
                continue
            if kind == "deep_nulls" and not required and not container:
                out[k] = None
                continue
            if kind == "empty" and not _kept(p, keep) and sub.type_name in ("list", "map"):
                out[k] = [] if sub.type_name == "list" else {}
                continue
            out[k] = variant(v, sub, kind, keep, p, ids)
        return out
    if t == "list" and isinstance(value, list):
        assert isinstance(shape, ListShape)
        return [variant(v, shape.member, kind, keep, path, ids) for v in value]
    if t == "map" and isinstance(value, dict):
        assert isinstance(shape, MapShape)
        return {k: variant(v, shape.value, kind, keep, path, ids) for k, v in value.items()}
    if t == "string" and getattr(shape, "enum", None) and kind == "unknown_enum":
        return UNKNOWN
    if t == "timestamp" and isinstance(value, datetime):
        if kind == "naive_time":
            return value.astimezone(UTC).replace(tzinfo=None)
        if kind == "string_time":
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if t == "boolean" and kind in ("all_true", "all_false"):
        return kind == "all_true"
    return value


# --- cases ------------------------------------------------------------------------------------------
Responses = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """How one transform is fed: from the responses of ``ops`` ("service:Operation"), by ``feed``.

    ``names`` are JMESPath expressions (``"DescribeVpcs:Vpcs[].VpcId"``) over the responses: every
    value found must name a node (its name or its id); ``"=text"`` is a name the transform gives. ``keep`` lists extra container paths
    ("Op:Member.Member") the minimal and null variants keep, so they still hold resources.
    ``allow`` maps "prop" -> why a value derived with the input absent is right (AWS documents
    what absence means); ``allow_enum`` the same for values derived from an unknown enum.
    """

    family: str
    transform: Callable[..., Records]
    ops: tuple[str, ...]
    feed: Callable[[ScanContext, Responses], Records]
    names: tuple[str, ...] = ()
    #: like ``names``, for transforms that only draw edges: each value must be an edge's end
    edges: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    #: more members that identify a resource (never pruned when comparing facts, see ``+ids`` variants)
    ids: tuple[str, ...] = ()
    allow: dict[str, str] = field(default_factory=dict)
    allow_enum: dict[str, str] = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.family}.{self.label or self.transform.__name__}"


def op_parts(ref: str) -> tuple[str, str]:
    service, _, op = ref.partition(":")
    return service, op


def _clash(ref: str, refs: tuple[str, ...]) -> bool:
    service, op = op_parts(ref)
    return any(op_parts(r)[1] == op and op_parts(r)[0] != service for r in refs)


def fixture_path(family: str, ref: str, refs: tuple[str, ...]) -> Path:
    """``<family>/<Operation>.json``; ``<family>/<service>-<Operation>.json`` where names collide."""
    service, op = op_parts(ref)
    return DATA / family / (f"{service}-{op}.json" if _clash(ref, refs) else f"{op}.json")


def response_key(ref: str, refs: tuple[str, ...]) -> str:
    """How a case's feed finds a response: ``Operation``, or ``Operation#service`` where names collide."""
    service, op = op_parts(ref)
    return f"{op}#{service}" if _clash(ref, refs) else op


def family_refs(cases: list[Case], family: str) -> tuple[str, ...]:
    return tuple(sorted({r for c in cases if c.family == family for r in c.ops}))


@cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _parsed(path: Path, service: str, op: str) -> dict[str, Any]:
    return from_json(_load(path)["response"], output_shape(service, op))


def load_fixture(family: str, ref: str, refs: tuple[str, ...]) -> dict[str, Any]:
    """The stored response, parsed (shared: copy before changing it; ``variant`` always copies)."""
    service, op = op_parts(ref)
    return _parsed(fixture_path(family, ref, refs), service, op)


def keep_paths(case: Case, ref: str) -> frozenset[Path_]:
    """Containers kept in every variant: the top-level lists/maps/structures and the case's own."""
    service, op = op_parts(ref)
    shape = output_shape(service, op)
    paths = {(k,) for k, s in shape.members.items() if s.type_name in ("list", "map", "structure")}
    for k in case.keep:
        kop, _, rest = k.partition(":")
        if kop == op:
            paths.add(tuple(rest.split(".")))
    return frozenset(paths)


def id_members(case: Case) -> frozenset[str]:
    """The members that identify the case's resources: the last step of each ``names`` path, plus ``ids``."""
    found = set(case.ids)
    for expr in (*case.names, *case.edges):
        if expr.startswith("="):
            continue
        last = re.split(r"[.]", re.sub(r"\[[^\]]*\]", "", expr.partition(":")[2]))[-1]
        if last:
            found.add(last)
    return frozenset(found)


_RESPONSES: dict[tuple[str, str, tuple[str, ...]], Responses] = {}


def responses(case: Case, kind: str, refs: tuple[str, ...]) -> Responses:
    """:func:`variant_responses`, memoised (feeds and checks only read them)."""
    key = (case.id, kind, refs)
    if key not in _RESPONSES:
        _RESPONSES[key] = variant_responses(case, kind, refs)
    return _RESPONSES[key]


def variant_responses(case: Case, kind: str, refs: tuple[str, ...]) -> Responses:
    """The case's responses as variant ``kind``; ``kind+ids`` keeps the identifiers in place,
    ``a|b`` applies variant b to variant a."""
    out: Responses = {}
    for ref in case.ops:
        service, op = op_parts(ref)
        value = load_fixture(case.family, ref, refs)
        for step in kind.split("|"):  # "nulls+ids|all_true": one variant applied to another
            base, _, with_ids = step.partition("+")
            ids = id_members(case) if with_ids else frozenset()
            value = variant(value, output_shape(service, op), base, keep_paths(case, ref), ids=ids)
        out[response_key(ref, refs)] = value
    return out


def context() -> ScanContext:
    return ScanContext(None, REGION, ACCOUNT, home_region=REGION, regions=(REGION, "eu-west-1"))


_RUNS: dict[tuple[str, str, tuple[str, ...]], Records] = {}


def run(case: Case, kind: str, refs: tuple[str, ...]) -> Records:
    """The case's transform fed variant ``kind`` (memoised: the checks read the same runs; read-only)."""
    key = (case.id, kind, refs)
    if key not in _RUNS:
        _RUNS[key] = case.feed(context(), responses(case, kind, refs))
    return _RUNS[key]


def expected_names(case: Case, resp: Responses, exprs: tuple[str, ...] | None = None) -> list[str]:
    found: list[str] = []
    for expr in case.names if exprs is None else exprs:
        if expr.startswith("="):  # a name the transform gives (the input names nothing)
            found.append(expr[1:])
            continue
        op, _, path = expr.partition(":")
        got = jmespath.search(path, resp.get(op) or {})
        for v in got if isinstance(got, list) else [got]:
            if isinstance(v, list):
                found += [str(x) for x in v if x not in (None, "")]
            elif v not in (None, ""):
                found.append(str(v))
    return found


def named(records: Records, name: str) -> bool:
    return any(name in (n.name or "") or name in n.id or n.props.get("name") == name for n in records.nodes)


def edge_end(records: Records, value: str) -> bool:
    return any(value in (e.src, e.dst) for e in records.edges)


def spec_problems(records: Records) -> list[str]:
    return [f"{n.kind} {n.id}: {p}" for n in records.nodes for p in kind_specs.spec(n.kind).problems(n.props)]


# --- comparing outputs --------------------------------------------------------------------------------
def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, scalar) of every leaf of a props value; list items by index."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from leaves(v, f"{path}[{i}]")
        if not value:
            yield path, []
    else:
        yield path, value


def by_id(records: Records) -> dict[str, dict[str, Any]]:
    """Node id -> props (nodes of one id merged, as the runner merges them)."""
    out: dict[str, dict[str, Any]] = {}
    for n in records.nodes:
        out.setdefault(f"{n.kind} {n.id}", {}).update(n.props)
    return out


def counterpart(outs: dict[str, dict[str, Any]], key: str, ref: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The props of node ``key`` of one output in another output ``ref``: by id, else the only node
    of its kind (an id built from an absent ARN differs, the resource is the same)."""
    if key in ref:
        return ref[key]
    kind = key.split(" ", 1)[0]
    mine = [k for k in outs if k.split(" ", 1)[0] == kind]
    theirs = [k for k in ref if k.split(" ", 1)[0] == kind]
    return ref[theirs[0]] if len(mine) == 1 and len(theirs) == 1 else {}


def prop_root(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def contains_unknown(value: Any) -> bool:
    return UNKNOWN in str(value)


def items(resp: Responses, op: str, key: str) -> list[Any]:
    """The items under ``key`` of one response, as ``ctx.paginate(..., key)`` yields them."""
    return list((resp.get(op) or {}).get(key) or [])


def one(resp: Responses, op: str) -> dict[str, Any]:
    return resp.get(op) or {}

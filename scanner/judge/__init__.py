"""Judged facts: what each resource is found to be, as yes / no / unknown with a reason.

Run once per scan after every other derive pass (``scanner/derive/judged.py``); the
results are stored on the nodes (``facts``) and in the snapshot, so the document,
the diagrams and the rules all read one value and can never disagree. Each module
here judges one concern and registers its judges with :func:`judge`:

    @judge("s3:bucket", "versioned", "s3:GetBucketVersioning")
    def bucket_versioned(ctx, node) -> Fact | None: ...

A judge returns None where the question does not apply (an AWS managed key has no
rotation setting of ours); an unread prop becomes ``unknown`` with the gap's reason.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.fact import Fact
from scanner.inventory import Inventory
from scanner.judge.context import JudgeContext

JudgeFn = Callable[[JudgeContext, dict[str, Any]], Fact | None]


@dataclass(frozen=True)
class Judge:
    kind: str
    fact: str
    #: the IAM actions whose reads this fact rests on (their gaps make it unknown)
    actions: tuple[str, ...]
    fn: JudgeFn
    doc: str = ""


JUDGES: list[Judge] = []


def judge(kinds: str | tuple[str, ...], fact: str, *actions: str) -> Callable[[JudgeFn], JudgeFn]:
    def wrap(fn: JudgeFn) -> JudgeFn:
        for k in (kinds,) if isinstance(kinds, str) else kinds:
            JUDGES.append(Judge(k, fact, tuple(actions), fn, (fn.__doc__ or "").strip().split("\n")[0]))
        return fn

    return wrap


def _load() -> None:
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if m.name not in ("context",) and not m.name.startswith("_"):
            importlib.import_module(f"{__name__}.{m.name}")


def catalog() -> dict[str, dict[str, Judge]]:
    """kind -> fact name -> its judge (what every judged property means, in one list)."""
    _load()
    out: dict[str, dict[str, Judge]] = {}
    for j in JUDGES:
        out.setdefault(j.kind, {})[j.fact] = j
    return out


def judged(inv: Inventory) -> bool:
    return inv.meta.get("judged") is True or any("facts" in d for _, d in inv.graph.nodes(data=True))


def ensure(inv: Inventory) -> Inventory:
    """Judge a graph that never went through a scan's derive pass (built from records by hand, or
    a snapshot older than judged facts), from that graph's own runs and gaps; a judged one is left
    as it is, so a snapshot is always judged against what its own scan knew."""
    if not judged(inv):
        run(inv)
    return inv


def run(inv: Inventory) -> None:
    """Judge every node once and store the facts on it (``facts``: name -> {state, why})."""
    ctx = JudgeContext(inv)
    by_kind = catalog()
    g = inv.graph
    for nid, data in g.nodes(data=True):
        judges = by_kind.get(data.get("kind", ""))
        if not judges or data.get("external"):
            continue
        node = {"id": nid, **data}
        facts: dict[str, dict[str, str]] = {}
        for name, j in judges.items():
            ctx.current = j
            f = j.fn(ctx, node)
            if f is not None:
                facts[name] = f.to_dict()
            node["facts"] = facts   # later judges of the same node may read earlier ones
        if facts:
            g.nodes[nid]["facts"] = dict(sorted(facts.items()))
    inv.meta["judged"] = True

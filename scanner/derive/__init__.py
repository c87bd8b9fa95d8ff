"""Graph passes run once after the merge: facts that need several collectors' records.

Example: a subnet is public when its route table (explicit or the VPC's main
table) sends 0.0.0.0/0 to an internet gateway; the subnet and route-table
collectors each see half of that. Each module here registers functions with
:func:`deriver`; they run in module-name order and may only update props and
add edges (``judged`` runs last: it reads what the others derived). They are part of the scan (their results are in the snapshot), so
``awsscan render`` does not run them again.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from scanner.inventory import Inventory

DeriveFn = Callable[[Inventory], None]
DERIVERS: list[tuple[str, DeriveFn]] = []
LAST = f"{__name__}.judged."


def deriver(fn: DeriveFn) -> DeriveFn:
    DERIVERS.append((f"{fn.__module__}.{fn.__name__}", fn))
    return fn


def run(inv: Inventory) -> None:
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if not mod.startswith("_"):
            importlib.import_module(f"{__name__}.{mod}")
    seen = set()
    # judged facts read every other pass's props, so that pass runs last
    for name, fn in sorted(DERIVERS, key=lambda x: (x[0].startswith(LAST), x[0])):
        if name not in seen:
            seen.add(name)
            fn(inv)

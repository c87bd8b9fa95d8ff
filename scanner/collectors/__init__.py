"""Collectors: one module per service family, each function registered with @collector.

Importing this package imports every module in it, so a new module is picked
up without editing a hand-kept list.
"""

from __future__ import annotations

import importlib
import pkgutil

from scanner.collectors.registry import REGISTRY, Collector, collector

__all__ = ["REGISTRY", "Collector", "collector", "load_all"]


def load_all() -> list[Collector]:
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if mod != "registry" and not mod.startswith("_"):
            importlib.import_module(f"{__name__}.{mod}")
    return sorted(REGISTRY.values(), key=lambda c: c.name)

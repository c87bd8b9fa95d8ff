"""Analysis: pure functions of the Inventory (no AWS calls), run after a scan and by `render`.

Steps run in order (exposure feeds findings; suppressions apply last). A step
module that does not exist yet is skipped; one that fails raises, loudly.
"""

from __future__ import annotations

import importlib
from typing import Any

from scanner.analysis.model import Analysis, Finding
from scanner.inventory import Inventory

__all__ = ["Analysis", "Finding", "analyze"]

#: analysis steps in order: each module exposes ``run(inv, analysis, options)``
STEPS = ("exposure", "ha", "cost", "findings", "savings", "suppress")


def analyze(inv: Inventory, options: dict[str, Any] | None = None) -> Analysis:
    options = options or {}
    result = Analysis()
    for step in STEPS:
        try:
            mod = importlib.import_module(f"scanner.analysis.{step}")
        except ModuleNotFoundError as exc:
            if exc.name == f"scanner.analysis.{step}":
                continue
            raise
        mod.run(inv, result, options)
    return result

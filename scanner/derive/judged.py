"""Judge every resource once (scanner/judge/), after the other passes have filled their props."""

from __future__ import annotations

from scanner import judge
from scanner.derive import deriver
from scanner.inventory import Inventory


@deriver
def judged_facts(inv: Inventory) -> None:
    judge.run(inv)

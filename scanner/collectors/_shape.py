"""Reading AWS answers as they really come: absent members, nulls, values added later.

The API models mark few output members as required (EC2 and RDS none at all), and
recordings of real accounts carry explicit nulls, so a transform must not assume that
an identifier or a flag is there. These helpers keep the two rules in one place:

* an item without its identifier cannot become a node: it is skipped and the records
  say so with a gap (the scan then reads as not complete), never silently dropped;
* a yes/no the answer does not state is unknown (None), never "no".

(Private module: the collector registry skips modules whose name starts with "_".)
"""

from __future__ import annotations

from typing import Any

from scanner.inventory import Records


def skipped(out: Records, service: str, action: str, what: str, key: str, resource: str = "") -> None:
    """Record that ``what`` came back without ``key`` and was left out (once per records)."""
    reason = f"{what} in the answer had no {key} and was left out (not understood)"
    if not any(g.action == action and g.reason == reason and g.resource == resource for g in out.gaps):
        out.gap(service, action, reason, resource=resource)


def ident(out: Records, item: Any, key: str, service: str, action: str, what: str) -> str | None:
    """``item[key]`` as a string, or None (with a gap, see :func:`skipped`) when the answer lacks it."""
    value = item.get(key) if isinstance(item, dict) else None
    if value in (None, ""):
        skipped(out, service, action, what, key)
        return None
    return str(value)


def flag(value: Any) -> bool | None:
    """A yes/no member: None when the answer does not say (absent or null), else its truth."""
    return None if value is None else bool(value)


def is_on(value: Any, on: tuple[str, ...], off: tuple[str, ...]) -> bool | None:
    """An enum read as yes/no: True for ``on`` values, False for ``off``, None for anything else
    (absent, or a value AWS added after this was written: not understood, so not guessed)."""
    if value in on:
        return True
    if value in off:
        return False
    return None

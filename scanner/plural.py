"""Counts with their noun in the right number: "1 bucket", "3 buckets", "no buckets".

Used instead of "bucket(s)" by finding text, templates (the ``plural`` filter), facts and
diagrams: the one pluraliser (``renderers/plural.py`` re-exports it). A kind's own names
come from its spec (``scanner.kinds.count``)."""

from __future__ import annotations

from typing import Any


def noun(n: Any, singular: str, plural: str | None = None) -> str:
    """The noun alone, singular for exactly one, else plural ("policy" -> "policies")."""
    return singular if _number(n) == 1 else plural or plural_of(singular)


def plural_of(singular: str) -> str:
    """Regular English plural of the last word: bucket -> buckets, policy -> policies,
    address -> addresses, key -> keys. Pass the plural explicitly for irregular words."""
    if singular.endswith("y") and singular[-2:-1].lower() not in "aeiou":
        return singular[:-1] + "ies"
    if singular.endswith(("s", "sh", "ch", "x", "z")):
        return singular + "es"
    return singular + "s"


def count_of(n: Any, singular: str, plural: str | None = None, zero: str = "no") -> str:
    """"1 bucket" / "6 buckets" / "no buckets": a count with its noun in the right number.

    ``zero`` is the word for nothing ("no" by default; "0" where "0 of 3 VPCs" reads better).
    The Jinja filter: ``{{ n|plural("bucket") }}``, ``{{ n|plural("policy", "policies") }}``."""
    k = _number(n)
    word = noun(k, singular, plural)
    return f"{zero} {word}" if k == 0 else f"{k} {word}"


def _number(n: Any) -> int:
    if isinstance(n, (list, tuple, set, frozenset, dict)):
        return len(n)
    return int(n or 0)

"""Small phrasing helpers the templates of several sections share (``facts.phrases.*``, and under
their old name ``facts.compute.*``): "2 x t3.medium", "14 days", "a, b and c".

Why a module of its own: they say counts and lists in plain English for any section, not only
compute; keeping them apart lets every facts module use them without importing EC2 facts.
"""

from __future__ import annotations

from typing import Any

from renderers.plural import count_of


def counts_text(pairs: list[tuple[str, int]]) -> str:
    """"2 x t3.medium, 1 x m6i.large" (or "none")."""
    return ", ".join(f"{v} x {k}" for k, v in pairs) or "none"


def days(n: Any) -> str:
    """An age or a period: "0 days", "1 day", "14 days" (never "no days"); :func:`count_of` with a
    zero of "0" (templates of other sections call ``facts.compute.days``)."""
    return count_of(int(n or 0), "day", zero="0")


def listing(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    parts = [p for p in parts if p]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] if parts else ""

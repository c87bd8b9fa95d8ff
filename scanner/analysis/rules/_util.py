"""Small helpers shared by the rule modules (names come from scanner.naming, statuses from scanner.status)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from scanner import naming
from scanner.analysis.findings import Hit, RuleContext
from scanner.context import age_days
from scanner.plural import count_of  # noqa: F401  (the rules' one pluraliser)


def days(value: Any) -> int | None:
    """Days since an ISO date (None when unknown)."""
    return age_days(value) if value else None


def falsy_known(value: Any) -> bool:
    """True only for a known "off" value (False, 0, "disabled"...), never for None (unknown)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("", "false", "disabled", "none", "off", "no", "suspended")
    return not value




def judged_each(ctx: RuleContext, nodes: Iterable[dict[str, Any]], fact: str, fires: str,
                evidence: Callable[[dict[str, Any]], str | list[str]]) -> Iterator[Hit]:
    """The hits of a rule that judges one stored fact per node: a finding where the fact is
    ``fires`` ("yes" or "no"), "not assessed" (with the fact's why) where it is unknown, nothing
    otherwise. ``evidence(node)`` is called only for a node that fires (not for every node)."""
    for n in nodes:
        f = ctx.fact(n, fact)
        if f is not None and (f.unknown or f.state == fires):
            hit = ctx.judged(n, fact, fires, evidence(n) if f.state == fires else [])
            if hit:
                yield hit


def judged_kind(ctx: RuleContext, kind: str, fact: str, fires: str, what: str) -> Iterator[Hit]:
    """:func:`judged_each` over every node of ``kind``, the evidence saying what and where it is and
    the fact's own why ("stream orders in us-east-1: EncryptionType NONE")."""
    def said(n: dict[str, Any]) -> str:
        where, f = f"{what} {naming.node_label(n)} in {n.get('region')}", ctx.fact(n, fact)
        return f"{where}: {f.why}" if f and f.why else where

    return judged_each(ctx, ctx.nodes(kind), fact, fires, said)

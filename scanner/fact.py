"""A judged fact: yes, no or unknown, and why.

What a resource is judged to be (encrypted, versioned, public, recording, ...)
is computed once, by the derive pass ``scanner/derive/judged.py``, stored on the
node in the snapshot (``facts``), and read by every section, diagram and rule.
"unknown" always carries the reason (the call and IAM action that was denied or
failed, or "not collected"), so no output can turn "we could not look" into "no".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

YES = "yes"
NO = "no"
UNKNOWN = "unknown"
State = Literal["yes", "no", "unknown"]
STATES = (YES, NO, UNKNOWN)


@dataclass(frozen=True)
class Fact:
    state: State
    #: for yes/no: the evidence in a few words; for unknown: what could not be read and why
    why: str = ""

    @property
    def known(self) -> bool:
        return self.state != UNKNOWN

    @property
    def yes(self) -> bool:
        return self.state == YES

    @property
    def no(self) -> bool:
        return self.state == NO

    @property
    def unknown(self) -> bool:
        return self.state == UNKNOWN

    def text(self, yes: str = "yes", no: str = "no") -> str:
        """The fact in a table cell: ``yes``/``no`` (or the given words), or ``unknown (why)``."""
        if self.state == YES:
            return yes
        if self.state == NO:
            return no
        return f"unknown ({self.why})" if self.why else "unknown"

    def to_dict(self) -> dict[str, str]:
        return {"state": self.state, "why": self.why}

    @classmethod
    def from_dict(cls, data: Any) -> Fact:
        if isinstance(data, Fact):
            return data
        if not isinstance(data, Mapping) or data.get("state") not in STATES:
            return cls(UNKNOWN, "not judged by this scan")
        return cls(data["state"], str(data.get("why") or ""))


def yes(why: str = "") -> Fact:
    return Fact(YES, why)


def no(why: str = "") -> Fact:
    return Fact(NO, why)


def unknown(why: str) -> Fact:
    return Fact(UNKNOWN, why)


def of_bool(value: Any, why_unknown: str, why_yes: str = "", why_no: str = "") -> Fact:
    """``True``/``False`` as yes/no; ``None`` (not read) as unknown with the given reason."""
    if value is None:
        return unknown(why_unknown)
    return yes(why_yes) if value else no(why_no)


def any_of(facts: Iterable[Fact], why_yes: str = "", why_no: str = "") -> Fact:
    """Yes when any is yes; no only when every one is a known no; else unknown (first reason)."""
    facts = list(facts)
    for f in facts:
        if f.yes:
            return yes(f.why or why_yes)
    unknowns = [f for f in facts if f.unknown]
    if unknowns:
        return unknown("; ".join(dict.fromkeys(f.why for f in unknowns if f.why)) or "not read")
    return no(why_no)


def all_of(facts: Iterable[Fact], why_yes: str = "", why_no: str = "") -> Fact:
    """No when any is no; yes only when every one is a known yes; else unknown."""
    facts = list(facts)
    for f in facts:
        if f.no:
            return no(f.why or why_no)
    unknowns = [f for f in facts if f.unknown]
    if unknowns:
        return unknown("; ".join(dict.fromkeys(f.why for f in unknowns if f.why)) or "not read")
    return yes(why_yes)


def tally(facts: Iterable[Fact]) -> dict[str, int]:
    """How many are yes, no and unknown (every count present, for "N encrypted, M not, K unknown")."""
    out = {YES: 0, NO: 0, UNKNOWN: 0}
    for f in facts:
        out[f.state] += 1
    return out


def fact_of(node: Mapping[str, Any] | None, name: str) -> Fact | None:
    """The judged fact ``name`` of a node dict (None where the question does not apply)."""
    if not node:
        return None
    raw = (node.get("facts") or {}).get(name)
    return None if raw is None else Fact.from_dict(raw)

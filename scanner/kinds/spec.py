"""What a node kind is, said once: its props, names, look, sections and feeds.

Every table that used to keep its own copy (human names, plurals, diagram looks,
the sections a gap belongs to, the collectors and IAM actions behind a subsection,
the data stores that need a backup, the README coverage table) reads these specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: what a prop may hold; None is always allowed and means "not read / not known"
PROP_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "list": (list, tuple),
    "dict": (dict,), "any": (object,),
}


@dataclass(frozen=True)
class Prop:
    """One normalised field of a node; ``items``/``shape`` describe lists and nested dicts."""

    name: str
    type: str = "any"
    #: element type of a list
    items: str = ""
    #: keys the nested dicts carry (a dict prop, or the dicts of a list)
    shape: tuple[str, ...] = ()
    #: filled only where the account says (a promised prop is always present, perhaps None)
    optional: bool = False
    doc: str = ""

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit this prop (None when it does)."""
        if value is None or self.type == "any":
            return None
        if isinstance(value, bool) and self.type in ("int", "float"):
            return f"{self.name}: bool where {self.type} is expected"
        if not isinstance(value, PROP_TYPES[self.type]):
            return f"{self.name}: {type(value).__name__} where {self.type} is expected"
        if self.type == "list" and self.items and self.items != "any":
            for item in value:
                if item is not None and (not isinstance(item, PROP_TYPES[self.items])
                                         or (isinstance(item, bool) and self.items in ("int", "float"))):
                    return f"{self.name}[]: {type(item).__name__} where {self.items} is expected"
        return None


@dataclass(frozen=True)
class Look:
    """How a kind is drawn: colour family and shape (style.py owns the colours), short title."""

    family: str
    shape: str
    title: str


@dataclass(frozen=True)
class KindSpec:
    kind: str
    singular: str
    plural: str
    #: document subsections that state this kind (the first is its home)
    sections: tuple[str, ...]
    #: collectors that create nodes of this kind (the IAM actions are theirs: ``kinds.actions(kind)``)
    collectors: tuple[str, ...] = ()
    props: tuple[Prop, ...] = ()
    look: Look | None = None
    #: where a diagram places it: outside (the internet), global, region, vpc or subnet
    zone: str = "region"
    #: a data store whose protection (native or AWS Backup) 9.2 judges
    protectable: bool = False
    #: expected to carry alarms in production (12.1), with the word used there
    watched: str = ""
    #: counts toward cost-allocation tag coverage (10.3)
    taggable: bool = False

    @property
    def service(self) -> str:
        return self.kind.split(":", 1)[0]

    @property
    def home(self) -> str:
        return self.sections[0] if self.sections else ""

    def prop_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.props)

    def promised(self) -> tuple[str, ...]:
        """The props every node of this kind carries (consumers may rely on these keys)."""
        return tuple(p.name for p in self.props if not p.optional)

    def problems(self, props: dict[str, Any]) -> list[str]:
        """Props that the spec does not list, or whose value has another type."""
        known = {p.name: p for p in self.props}
        out = [f"{k}: not in the spec of {self.kind}" for k in props if k not in known]
        out += [msg for k, v in props.items() if k in known and (msg := known[k].problem(v))]
        return out

    def count(self, n: int) -> str:
        """``1 VPC``, ``3 VPCs``, ``no VPCs``."""
        if n == 0:
            return f"no {self.plural}"
        return f"{n} {self.singular if n == 1 else self.plural}"


def P(name: str, type: str = "any", items: str = "", shape: tuple[str, ...] = (),  # noqa: N802
      optional: bool = False, doc: str = "") -> Prop:
    return Prop(name, type, items, shape, optional, doc)

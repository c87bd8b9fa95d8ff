"""Section 8.2 facts (vertical scaling): the instance types and classes in use, their family,
processor and generation, the next size down and up, and newer or cheaper families.

Instance-type reasoning (generation, processor, upgrade path, next size) is derived from the
type string alone, so it works offline and for any account; it is labelled "inferred" in the
document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from renderers.facts.instances import live_instances, props
from renderers.plural import count_of
from scanner.inventory import Inventory

#: what 8.2 sizes: every kind with an instance type or class
SIZED_KINDS = ("ec2:instance", "autoscaling:group", "ec2:launch-template", "rds:instance", "elasticache:cluster")

SIZES = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge",
         "8xlarge", "9xlarge", "10xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge",
         "48xlarge", "56xlarge", "96xlarge", "112xlarge")

#: families treated as previous generation; kept in step with rule EC2-005 (scanner/analysis/rules/compute.py)
#: so the 8.2 table and the 8.2 findings agree
PREVIOUS_GENERATION = frozenset({"t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "cc2", "cg1", "cr1", "g2",
                                 "g3", "g3s", "h1", "a1", "hi1", "hs1", "i2", "r3", "r4", "d2", "p2", "x1", "x1e",
                                 "f1"})

#: newest families per class letter: Intel, AMD, Graviton (where AWS offers each)
LATEST = {"t": ("t3", "t3a", "t4g"), "m": ("m7i", "m7a", "m7g"), "c": ("c7i", "c7a", "c7g"),
          "r": ("r7i", "r7a", "r7g"), "x": ("x2idn", "x2gd"), "i": ("i4i", "i4g"), "d": ("d3",),
          "z": ("z1d",), "g": ("g6", "g5g"), "p": ("p5",), "inf": ("inf2",), "hpc": ("hpc7a", "hpc7g")}

_TYPE_RE = re.compile(r"^(?P<cls>[a-z]+)(?P<gen>\d+)(?P<attrs>[a-z\-]*)\.(?P<size>[a-z0-9\-]+)$")


# -- instance types ----------------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceType:
    raw: str
    prefix: str          # "db." / "cache." or ""
    cls: str             # class letters: m, c, r, t, inf, hpc, ...
    gen: int
    attrs: str           # g, a, i, d, n, e, ... and -flex
    size: str

    @property
    def family(self) -> str:
        return f"{self.cls}{self.gen}{self.attrs}"

    @property
    def processor(self) -> str:
        core = self.attrs.split("-")[0]
        if self.cls == "mac":
            return "Apple Mac"
        if "g" in core or self.cls == "a":
            return "AWS Graviton (arm64)"
        if "a" in core:
            return "AMD"
        return "Intel"


def parse_type(value: str | None) -> InstanceType | None:
    """"m6g.large" / "db.r6g.xlarge" / "cache.t3.micro" -> parts; None when the form is unknown."""
    if not value:
        return None
    prefix = ""
    for p in ("db.", "cache."):
        if value.startswith(p):
            prefix, value = p, value[len(p):]
    m = _TYPE_RE.match(value)
    if not m:
        return None
    return InstanceType(raw=prefix + value, prefix=prefix, cls=m["cls"], gen=int(m["gen"]),
                        attrs=m["attrs"], size=m["size"])


def generation_status(t: InstanceType) -> str:
    if t.family in PREVIOUS_GENERATION or f"{t.cls}{t.gen}" in PREVIOUS_GENERATION:
        return "previous generation"
    newest = max((parse_type(f"{f}.large") for f in LATEST.get(t.cls, ())), key=lambda x: x.gen if x else 0,
                 default=None)
    if newest and t.gen < newest.gen - 1:
        return "current, but two or more generations old"
    return "current generation"


#: processors each managed service offers in the newest families: RDS has no AMD (7a) classes and
#: ElastiCache offers only Graviton in its newest generation (cache.m7g / cache.r7g / cache.t4g)
_SERVICE_PROCESSORS = {"db.": ("Intel", "AWS Graviton (arm64)"), "cache.": ("AWS Graviton (arm64)",)}


def upgrade_path(t: InstanceType) -> str:
    """Newer or cheaper families of the same class (same size), e.g. t3 -> t3a / t4g.

    For database and cache nodes only the families that service offers are named
    (no ``db.m7a``, no ``cache.r7i``)."""
    cands = []
    allowed = _SERVICE_PROCESSORS.get(t.prefix)
    for fam in LATEST.get(t.cls, ()):
        if allowed:
            f = parse_type(f"{fam}.large")
            if f is None or f.processor not in allowed:
                continue
        c = parse_type(f"{fam}.{t.size}")
        if c and c.family != t.family and c.gen >= t.gen:
            cands.append(f"{t.prefix}{fam}.{t.size}")
    return " / ".join(cands) or "already on a current family"


def next_size(t: InstanceType, step: int) -> str | None:
    """The next size up or down in the same family; None where none exists (inferred from the name).

    Sizes below ``large`` exist only in burstable (t) families, and on EC2 also ``medium`` in
    Graviton families (m6g.medium); RDS and ElastiCache start their other families at large."""
    if t.size not in SIZES:
        return None
    i = SIZES.index(t.size) + step
    if not 0 <= i < len(SIZES):
        return None
    size = SIZES[i]
    if SIZES.index(size) < SIZES.index("large") and t.cls != "t":
        graviton_medium = not t.prefix and size == "medium" and t.processor == "AWS Graviton (arm64)"
        if not graviton_medium:
            return None
    return f"{t.prefix}{t.family}.{size}"


# -- types in use ------------------------------------------------------------------------------
def types_in_use(inv: Inventory) -> dict[str, list[str]]:
    """Instance type -> where it is used (instances, ASGs, launch templates, databases, caches)."""
    uses: dict[str, list[str]] = {}

    def add(t: str | None, what: str) -> None:
        if t:
            uses.setdefault(t, []).append(what)

    for i in live_instances(inv):
        add(props(i).get("instance_type"), "instance")
    for g in inv.nodes("autoscaling:group"):
        for t in props(g).get("instance_types") or []:
            add(t, "ASG")
    for lt in inv.nodes("ec2:launch-template"):
        add(props(lt).get("instance_type"), "launch template")
    for db in inv.nodes("rds:instance"):
        add(props(db).get("instance_class"), "RDS")
    for c in inv.nodes("elasticache:cluster"):
        add(props(c).get("node_type"), "ElastiCache")
    return uses


#: how a use reads in the "Used by" cell, singular and plural
_USE_WORDS = {"instance": ("instance", "instances"), "ASG": ("Auto Scaling group", "Auto Scaling groups"),
              "launch template": ("launch template", "launch templates"), "RDS": ("RDS instance", "RDS instances"),
              "ElastiCache": ("ElastiCache cluster", "ElastiCache clusters")}


def sizing_rows(inv: Inventory) -> list[list[Any]]:
    """Type, used by, family, processor, generation, smaller/larger size, upgrade path."""
    rows = []
    for raw, uses in sorted(types_in_use(inv).items()):
        t = parse_type(raw)
        used = ", ".join(f"{n} {_USE_WORDS.get(w, (w, w))[0 if n == 1 else 1]}"
                         for w, n in sorted(Counter(uses).items()))
        if not t:
            rows.append([raw, used, "-", "-", "unknown form", "-", "-", "-"])
            continue
        rows.append([raw, used, t.family, t.processor, generation_status(t),
                     next_size(t, -1) or "smallest size", next_size(t, 1) or "largest size", upgrade_path(t)])
    return rows


def family_text(pairs: list[tuple[str, int]]) -> str:
    """"t3: 2 instances, m6i: 1 instance"."""
    return ", ".join(f"{fam}: {count_of(n, 'instance')}" for fam, n in pairs)


def family_counts(inv: Inventory) -> list[tuple[str, int]]:
    c = Counter()
    for i in live_instances(inv):
        t = parse_type(props(i).get("instance_type"))
        c[t.family if t else str(props(i).get("instance_type"))] += 1
    return sorted(c.items())

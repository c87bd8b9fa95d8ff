"""Every node kind's spec, gathered from the family modules beside this file.

Read a kind's meaning here, never from a table of your own:

    from scanner import kinds
    kinds.spec("ec2:vpc").plural          # "VPCs"
    kinds.count("s3:bucket", 3)           # "3 S3 buckets"
    kinds.collectors_for("2.3")           # the collectors whose gaps 2.3 reports

A family module holds ``SPECS``, a tuple of :class:`KindSpec`; adding a kind is
adding one entry there (the vocabulary in ``scanner/vocab.py`` is built from these).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from scanner.kinds.spec import KindSpec, Look, P, Prop

__all__ = ["KindSpec", "Look", "P", "Prop", "SPECS", "spec", "get", "singular", "plural", "count",
           "in_section", "collectors_for", "services_for", "section_of_service", "section_of_collector", "section_of_action", "actions",
           "protectable", "watched", "taggable"]


def _load() -> dict[str, KindSpec]:
    out: dict[str, KindSpec] = {}
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if m.name.startswith("_") or m.name == "spec":
            continue
        mod = importlib.import_module(f"{__name__}.{m.name}")
        for s in getattr(mod, "SPECS", ()):
            if s.kind in out:
                raise ValueError(f"kind {s.kind!r} specified twice ({m.name})")
            out[s.kind] = s
    return dict(sorted(out.items()))


SPECS: dict[str, KindSpec] = _load()


def spec(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"unknown node kind {kind!r}: add its spec to scanner/kinds/") from None


def get(kind: str) -> KindSpec | None:
    return SPECS.get(kind)


def singular(kind: str) -> str:
    s = SPECS.get(kind)
    return s.singular if s else kind.split(":", 1)[-1].replace("-", " ")


def plural(kind: str) -> str:
    s = SPECS.get(kind)
    return s.plural if s else kind.split(":", 1)[-1].replace("-", " ") + "s"


def name(kind: str, n: int = 1) -> str:
    """The kind's name for ``n`` of it (singular for one, plural otherwise)."""
    return singular(kind) if n == 1 else plural(kind)


def count(kind: str, n: int) -> str:
    """``1 VPC``, ``3 VPCs``, ``no VPCs``."""
    return spec(kind).count(n) if kind in SPECS else f"{n} {name(kind, n)}"


@cache
def in_section(subsection: str) -> tuple[str, ...]:
    """Kinds stated in one subsection (e.g. "2.3")."""
    return tuple(k for k, s in SPECS.items() if subsection in s.sections)


@cache
def collectors_for(subsection: str) -> tuple[str, ...]:
    """Collectors whose runs and gaps a subsection reports."""
    return tuple(sorted({c for k in in_section(subsection) for c in SPECS[k].collectors}))


@cache
def services_for(subsection: str) -> tuple[str, ...]:
    """boto3 service names (as collector runs record them: ``ebs.volumes`` runs as ec2) behind a subsection."""
    return tuple(sorted({_collector_service(c) for c in collectors_for(subsection)}))


@cache
def section_of_collector(collector: str) -> str:
    """The home subsection of what a collector reads (where its gaps are reported)."""
    homes = sorted({SPECS[k].home for k in SPECS if collector in SPECS[k].collectors},
                   key=_section_key)
    return homes[0] if homes else ""


@cache
def section_of_service(service: str) -> str:
    """The home subsection of a service's partial reads (its first collector's home)."""
    homes = sorted({SPECS[k].home for k in SPECS for c in SPECS[k].collectors
                    if c.split(".", 1)[0] == service or _collector_service(c) == service},
                   key=_section_key)
    return homes[0] if homes else ""


@cache
def section_of_action(action: str, service: str = "") -> str:
    """The subsection a partial read belongs to: the home of the kinds that read with that IAM
    action (``s3:GetBucketVersioning`` -> 4.1), else the home of the service."""
    homes = sorted({s.home for k, s in SPECS.items() if action in actions(k)}, key=_section_key)
    if homes:
        return homes[0]
    return section_of_service(service) or section_of_service(SERVICE_ALIASES.get(service, ""))


#: services whose reads belong to another service's collectors (s3control serves s3.buckets)
SERVICE_ALIASES = {"s3control": "s3", "elb": "elbv2", "apigatewayv2": "apigateway"}


@cache
def actions(kind: str) -> tuple[str, ...]:
    """The IAM actions the collectors of a kind read with, as their registry entries declare them."""
    from scanner.collectors import load_all
    from scanner.collectors.registry import REGISTRY

    colls = SPECS[kind].collectors if kind in SPECS else ()
    if any(c not in REGISTRY for c in colls):
        load_all()
    return tuple(dict.fromkeys(a for c in colls if c in REGISTRY for a in REGISTRY[c].actions))


def _collector_service(collector: str) -> str:
    """The boto3 service a collector calls (``ebs.volumes`` calls ec2); needs the registry."""
    from scanner.collectors import load_all  # lazy: collectors import the specs, not the reverse
    from scanner.collectors.registry import REGISTRY

    if collector not in REGISTRY:
        load_all()
    c = REGISTRY.get(collector)
    return c.service if c else collector.split(".", 1)[0]


def _section_key(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split(".") if x.isdigit())


def protectable() -> tuple[str, ...]:
    return tuple(k for k, s in SPECS.items() if s.protectable)


def watched() -> dict[str, str]:
    return {k: s.watched for k, s in SPECS.items() if s.watched}


def taggable() -> tuple[str, ...]:
    return tuple(k for k, s in SPECS.items() if s.taggable)

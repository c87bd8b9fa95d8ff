"""The collector registry: what runs, for which service, in which scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from scanner.context import ScanContext
from scanner.inventory import Records

CollectFn = Callable[[ScanContext], Records]


@dataclass(frozen=True)
class Collector:
    name: str            # unique, e.g. "ec2.vpcs"
    service: str         # boto3 service name, used for progress and gap reports
    scope: Literal["regional", "global"]
    fn: CollectFn
    #: human description of what it reads, for the coverage table
    reads: str = ""


REGISTRY: dict[str, Collector] = {}


def collector(name: str, service: str, scope: Literal["regional", "global"] = "regional",
              reads: str = "") -> Callable[[CollectFn], CollectFn]:
    """Register a collector. Global collectors run once, in the home region."""

    def wrap(fn: CollectFn) -> CollectFn:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise ValueError(f"collector {name!r} registered twice")
        REGISTRY[name] = Collector(name=name, service=service, scope=scope, fn=fn, reads=reads)
        return fn

    return wrap

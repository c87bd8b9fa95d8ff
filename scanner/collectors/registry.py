"""The collector registry: what runs, for which service, in which scope."""

from __future__ import annotations

import re
import sys
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
    #: the IAM actions it reads with, for the coverage table and gap routing
    #: ("svc:OpA, OpB (note)": a bare operation inherits the prefix before it)
    reads: str = ""

    @property
    def actions(self) -> tuple[str, ...]:
        return read_actions(self.reads)

    @property
    def family(self) -> str:
        """The family ``--services`` names: the module's name, or the ``FAMILY`` a module split off
        another declares (network_gateways.py: "network"), so a split never changes what a name selects."""
        module = self.fn.__module__ or ""
        declared = getattr(sys.modules.get(module), "FAMILY", None)
        return declared if isinstance(declared, str) and declared else module.rsplit(".", 1)[-1]


def read_actions(reads: str) -> tuple[str, ...]:
    """``"elbv2:DescribeA, DescribeB (x)"`` -> ("elbv2:DescribeA", "elbv2:DescribeB"), in order."""
    acts: list[str] = []
    prefix = ""
    for tok in re.split(r"[,\s()]+", reads or ""):
        if ":" in tok:
            prefix, _, op = tok.partition(":")
        elif tok[:1].isupper() and prefix:
            op = tok
        else:
            continue
        if op and f"{prefix}:{op}" not in acts:
            acts.append(f"{prefix}:{op}")
    return tuple(acts)


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

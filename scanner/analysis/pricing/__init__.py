"""Pricers for the cost estimate (section 10.1): one small function per billable kind.

A pricer reads one node's props and the :class:`~scanner.analysis.prices.PriceBook` and says
what the resource costs a month, why it cannot say (a reason, listed as "not priced"), or
that it costs nothing by itself (``None``: a stopped instance, a gateway endpoint). Account-wide
look-ups a pricer needs (the task definition of a service, which addresses are Elastic IPs,
the order of hosted zones) come from a :class:`CostContext` built once per estimate.

The modules beside this file hold the pricers by family (``core``, ``network``, ``services``);
:data:`PRICERS` gathers them. Prices are data (``scanner/data/prices.json``), never literals here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scanner.analysis.prices import PriceBook
from scanner.inventory import Inventory
from scanner.plural import noun


@dataclass(frozen=True)
class Line:
    """One priced charge of one resource; a resource may carry several (hours and its public IPv4)."""

    monthly: float
    detail: str
    #: the service heading it adds up under (default: the kind's service in ``cost.SERVICE``)
    service: str | None = None
    #: appended to the resource's name when it is not the resource's main charge
    label: str = ""


#: a Line (or several), (monthly, detail), a reason it is not priced, or None (nothing to price)
Result = Line | list[Line] | tuple[float, str] | str | None
Pricer = Callable[[dict[str, Any], PriceBook, "CostContext"], Result]


@dataclass
class CostContext:
    """Account-wide look-ups the pricers share, computed once (an estimate is one pass)."""

    inv: Inventory | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    def nodes(self, kind: str) -> list[dict[str, Any]]:
        from scanner.vocab import KINDS

        if self.inv is None or kind not in KINDS:
            return []
        return self.inv.nodes(kind)

    def node(self, nid: str | None) -> dict[str, Any] | None:
        return self.inv.node(nid) if self.inv is not None and nid else None

    def out(self, nid: str, rel: str) -> list[dict[str, Any]]:
        return self.inv.out(nid, rel) if self.inv is not None else []

    @cached_property
    def eip_ips(self) -> set[str]:
        """Public addresses that are Elastic IPs (priced on the address, never again on its owner)."""
        return {str(e["props"].get("public_ip")) for e in self.nodes("ec2:elastic-ip") if e["props"].get("public_ip")}

    @cached_property
    def instance_asgs(self) -> set[str]:
        """Auto Scaling group names that have instances in the scan (their EC2 hours are priced there)."""
        return {str(i["props"].get("asg_name")) for i in self.nodes("ec2:instance") if i["props"].get("asg_name")}

    @cached_property
    def zone_rank(self) -> dict[str, int]:
        """Hosted zones in a stable order: the first 25 of an account cost more than the rest."""
        return {z["id"]: i for i, z in enumerate(sorted(self.nodes("route53:hosted-zone"), key=lambda z: z["id"]))}

    @cached_property
    def databases_by_identifier(self) -> dict[str, list[dict[str, Any]]]:
        """RDS instances by their identifier, and an Aurora cluster's identifier to its member instances."""
        out: dict[str, list[dict[str, Any]]] = {}
        instances = self.nodes("rds:instance")
        for d in instances:
            for key in (d["props"].get("identifier"), d["name"], d["id"]):
                if key:
                    out.setdefault(str(key), [d])
        for c in self.nodes("rds:cluster"):
            members = [d for d in instances
                       if d["props"].get("cluster_id") in (c["props"].get("identifier"), c["name"])
                       or d["props"].get("identifier") in (c["props"].get("members") or [])]
            for key in (c["props"].get("identifier"), c["name"], c["id"]):
                if key and members:
                    out[str(key)] = members
        return out


def hours_line(pb: PriceBook, region: str, key: str, what: str, sub: str | None = None,
               count: float = 1, unit: str = "") -> Line | str:
    """``count`` x an hourly price for the month, or why there is no price."""
    hourly = pb.per_month(key, region, sub)
    if hourly is None:
        return f"no {what} price for {region}"
    many = f"{count:g} {noun(count, unit)} x " if unit else ""
    return Line(hourly * pb.hours * count, f"{many}{what}, {pb.hours} h at ${hourly:.4f}/h")


def month_line(pb: PriceBook, region: str, key: str, what: str, sub: str | None = None,
               count: float = 1, unit: str = "") -> Line | str:
    """``count`` x a monthly price, or why there is no price."""
    rate = pb.per_month(key, region, sub)
    if rate is None:
        return f"no {what} price for {region}"
    many = f"{count:g} {noun(count, unit)} x " if unit else ""
    return Line(rate * count, f"{many}{what} at ${rate:.2f}/month")


def vcpus_of(pb: PriceBook, instance_class: str | None) -> int | None:
    """vCPUs of an instance or database class from its size (``db.r6g.xlarge`` -> 4); None if unknown."""
    if not instance_class:
        return None
    size = str(instance_class).rsplit(".", 1)[-1]
    v = pb.table.get("vcpus_by_size", {}).get(size)
    return int(v) if v else None


def _all() -> dict[str, Pricer]:
    from scanner.analysis.pricing import core, network, services

    return {**core.PRICERS, **network.PRICERS, **services.PRICERS}


PRICERS: dict[str, Pricer] = _all()

"""Which collectors a scan runs: ``--services`` and ``--exclude-services``, as Prowler and ScoutSuite offer.

A name is any of: an AWS service as boto3 names it (``ec2``, ``s3``, ``rds``, ``lambda``), a
collector family (``network``, ``storage``, ``database``: the modules of scanner/collectors/),
or one collector (``ec2.vpcs``). What is left out is not "none found": each of its runs is
recorded as ``excluded`` (scanner/status.py), so every section it feeds says it was not
scanned by choice, and ``awsscan render`` keeps saying so from the snapshot.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.collectors.registry import Collector
from scanner.errors import UserError


def family(coll: Collector) -> str:
    """The collector family: the module a collector lives in (``scanner.collectors.network`` -> network),
    or the ``FAMILY`` a module split off another declares (network_gateways.py -> network)."""
    return coll.family


def names(collectors: Iterable[Collector]) -> dict[str, list[str]]:
    """Every name a user may give, by what it is: services, families, collectors (sorted)."""
    colls = list(collectors)
    return {"services": sorted({c.service for c in colls}),
            "families": sorted({family(c) for c in colls}),
            "collectors": sorted(c.name for c in colls)}


def _matches(token: str, coll: Collector) -> bool:
    return token in (coll.service, coll.name, family(coll)) or coll.name.startswith(token + ".")


def _tokens(values: Sequence[str] | None) -> list[str]:
    """``--services ec2,s3 --services rds`` -> [ec2, s3, rds] (lower case, blanks dropped)."""
    out: list[str] = []
    for v in values or ():
        out.extend(t.strip().lower() for t in v.split(",") if t.strip())
    return out


@dataclass(frozen=True)
class Selection:
    run: list[Collector]
    excluded: list[Collector]
    #: why the excluded runs were not made, as the document shows it
    why: str

    @property
    def excluded_services(self) -> list[str]:
        """Services none of whose collectors run (a service partly kept is not named here)."""
        kept = {c.service for c in self.run}
        return sorted({c.service for c in self.excluded} - kept)


def select(collectors: Sequence[Collector], services: Sequence[str] | None = None,
           exclude: Sequence[str] | None = None) -> Selection:
    """Split the collectors into those to run and those left out; a name that matches nothing
    is a one-line error naming the closest valid names."""
    want, drop = _tokens(services), _tokens(exclude)
    for token in [*want, *drop]:
        if not any(_matches(token, c) for c in collectors):
            valid = [n for group in names(collectors).values() for n in group]
            close = difflib.get_close_matches(token, valid, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UserError(f"unknown service {token!r}{hint}; `awsscan services` lists the names")
    run = [c for c in collectors if (not want or any(_matches(t, c) for t in want))
           and not any(_matches(t, c) for t in drop)]
    if not run:
        raise UserError("--services/--exclude-services leave nothing to scan")
    left = [c for c in collectors if c not in run]
    parts = ([f"--services {','.join(want)}"] if want else []) + ([f"--exclude-services {','.join(drop)}"] if drop else [])
    return Selection(run=run, excluded=left, why=f"excluded by choice ({' '.join(parts)})")

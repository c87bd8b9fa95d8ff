"""A collector's per-resource reads, fanned out in its lane, with the records of a sequential run.

A collector that reads three settings per load balancer one after another waits three round
trips per load balancer; :func:`each` runs the per-resource reads of a listing on the
threads of :meth:`ScanContext.fan_out`, as wide as the collector's (service, region) lane
lets requests fly (``ctx.lane_width``; every request still takes a lane place and its tokens,
and ``--workers 1`` makes it one read after another). A context without lanes (made by hand
in a test, often around a botocore Stubber, which answers in the order its responses were
queued) reads one after another.

What the collector builds must not depend on the width: each read gets a ``Records`` of its
own for its gaps (threads never share a gap list), its value comes back in the order of the
items, and the gaps are added to the collector's records in that order, as a sequential run
adds them. A read must therefore only write to the records it is handed and return what it
read (no shared dict filled from threads). The first failure (in item order) is raised, the
one a sequential run would have met.

(Private module: the collector registry skips modules whose name starts with "_".)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from scanner.context import ScanContext
from scanner.inventory import Records

I = TypeVar("I")  # noqa: E741 - an item of the listing
T = TypeVar("T")


#: one read of a fan-out: given the records for its gaps, it returns what it read
Read = Callable[[Records], T]


def kept(ctx: ScanContext, reads: Sequence[Callable[[Records], T]], service: str | None = None,
         region: str | None = None) -> list[tuple[T, Records]]:
    """Run ``reads`` on up to the lane's width of threads: each one's value and its own records,
    in the order of ``reads``, for a collector that adds the gaps to its records itself (in the
    order a sequential run would, when a second round of reads depends on the first)."""
    if not reads:
        return []

    def task(read: Callable[[Records], T]) -> Callable[[], tuple[T, Records]]:
        def run() -> tuple[T, Records]:
            sub = ctx.records()
            return read(sub), sub
        return run

    # a context made by hand (no lanes: tests, botocore Stubbers that answer in the order their
    # responses were queued) reads one after another; a scan's contexts always have lanes
    width = 1 if ctx.lanes is None else ctx.lane_width(service or ctx.service, region)
    return ctx.fan_out([task(read) for read in reads], width)


def merged(out: Records, done: Sequence[tuple[T, Records]]) -> list[T]:
    """The values of finished reads, their gaps added to ``out`` in the order of the reads."""
    for _, sub in done:
        out.extend(sub)
    return [value for value, _ in done]


def gather(ctx: ScanContext, out: Records, reads: Sequence[Callable[[Records], T]],
           service: str | None = None, region: str | None = None) -> list[T]:
    """``[read(out) for read in reads]``, fanned out: values in order, gaps added to ``out`` in order."""
    return merged(out, kept(ctx, reads, service, region))


def each(ctx: ScanContext, out: Records, items: Sequence[I], read: Callable[[Records, I], T],
         service: str | None = None, region: str | None = None) -> list[T]:
    """``[read(out, item) for item in items]``, fanned out (see :func:`gather`).

    ``service`` names the lane the reads go to (the collector's own service by default).
    """
    return gather(ctx, out, [lambda sub, item=item: read(sub, item) for item in items], service, region)

"""The garbage collector's pace during a scan (runner.scan runs under it).

CPython looks for reference cycles every 700 allocations and, every hundred of those
passes, walks every object the program holds. A scan allocates millions of short-lived
objects (parsed answers, records) beside a few hundred MB that live for the whole run
(the modules, botocore's service models, the graph), so at the default pace the collector
walked the same long-lived objects again and again: 1.6 to 1.9 s of the 5.5 s of CPU of
the benchmark's two-region scan (bench/scan.py), a third of the scanner's time, on the
one core the GIL gives it.

:func:`fewer_passes` freezes what exists when the work starts (nothing imported or set
up before it is garbage: it is never walked again) and looks for cycles every 10,000
allocations instead of 700. Cycles are still found and freed: a scan's peak RSS stays
within a few MB of the default pace's (turning the collector off instead grew it by
35 MB on that scan, and it would grow with the calls). The previous pace, and the
frozen objects, are given back on the way out, so a process that scans many times
(the tests) keeps collecting them. Rendering gained nothing measurable from it (bench/render.py
on the huge fixture), so only the scan uses it.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

#: allocations between two looks for cycles among the youngest objects (CPython's default is 700)
YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_passes(threshold: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Collect cycles every ``threshold`` allocations while the block runs.

    Blocks may nest or overlap (an organization's accounts scanned in threads): the first
    to enter sets the pace, the last to leave gives the previous one back."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(_saved[0], threshold), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()

"""Graphviz runs, each DOT source laid out at most once per process.

A diagram's DOT is laid out to decide things (collapse.py: which rank direction, whether it
reads at page width) and then rendered for the report (render.py: SVG and PNG). Laying out
is most of what ``dot`` costs, so:

- every probe runs on the DOT the report will render (the one that names the icon files) and
  asks ``dot`` for the layout size (``-Tplain``) *and* the SVG in the same run; both are
  cached by the SHA-256 of the source, so no source is laid out twice and the report's SVG is
  the probe's (byte-identical to a fresh ``dot -Tsvg``: same source, same program);
- ``dot`` runs in one folder per process that holds every icon (``icons/<key>.png``, written
  once from renderers/icons), read-only afterwards, so runs may go in parallel threads;
- :func:`run_many` runs several jobs in a thread pool bounded by ``os.cpu_count()`` and
  returns the results in the order asked (deterministic whatever finishes first); :func:`submit`
  hands one job to the layout pool, so a diagram is laid out while the next scene is built.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from renderers import icons

__all__ = ["Layout", "probe", "run_dot", "run_many", "submit", "icon_folder", "CACHE_SIZE"]

#: laid-out sources kept (SVG text included), bounded so a long-lived process (the test suite)
#: does not grow without end: by bytes of SVG, not by count, so a larger account keeps every layout
#: its report renders (huge x4 probes about 440 sources, 36 kB of SVG each; a bound of 256 sources
#: made render_many lay a third of its diagrams out a second time)
CACHE_SIZE = 8192
CACHE_BYTES = 160 * 1024 * 1024
PROBE_TIMEOUT = 60

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Layout:
    """What one ``dot`` run of a source says: its drawing's size in inches and its SVG (raw, the
    icons still named as files; render.py inlines them)."""

    width: float
    height: float
    svg: bytes


_cache: OrderedDict[str, Layout] = OrderedDict()
_cached_bytes = [0]
_lock = threading.Lock()
_folder: list[Path] = []


def _key(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def icon_folder() -> Path:
    """The folder ``dot`` runs in: ``icons/<key>.png`` for every icon, written once per process
    (removed at exit). A source names icons relative to it, exactly as the report's DOT does."""
    with _lock:
        if _folder and (_folder[0] / "icons").is_dir():
            return _folder[0]
        root = Path(tempfile.mkdtemp(prefix="awsscan-dot-"))
        (root / "icons").mkdir()
        for key in icons.keys():  # noqa: SIM118 - a module function, not a dict
            (root / "icons" / f"{key}.png").write_bytes(icons.png(key))
        _folder[:] = [root]
        atexit.register(shutil.rmtree, root, True)
        return root


def run_dot(source: str, fmt: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """``dot -T<fmt>`` of ``source`` in the icon folder (raises OSError / TimeoutExpired as
    ``subprocess.run`` does)."""
    return subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                          timeout=timeout, check=False, cwd=icon_folder())


def cached(source: str) -> Layout | None:
    """The layout of ``source`` if it was probed (None when not, or when dot failed on it)."""
    with _lock:
        return _cache.get(_key(source))


def probe(source: str) -> Layout | None:
    """Lay ``source`` out once (size and SVG in one run), or None when dot is missing or fails."""
    key = _key(source)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = _probe(source)
    if result is None and shutil.which("dot") is not None:
        result = _probe(source)        # once more: a run killed by a loaded machine is not the source's fault
    if result is None:
        return None                    # not cached: a later probe tries again
    with _lock:
        if not _cache:
            _cached_bytes[0] = 0       # an emptied (or replaced) cache starts its count again
        if key not in _cache:
            _cache[key] = result
            _cached_bytes[0] += len(result.svg)
        while len(_cache) > 1 and (len(_cache) > CACHE_SIZE or _cached_bytes[0] > CACHE_BYTES):
            _cached_bytes[0] -= len(_cache.popitem(last=False)[1].svg)
    return result


def _probe(source: str) -> Layout | None:
    if shutil.which("dot") is None:
        return None
    folder = icon_folder()
    fd, plain_name = tempfile.mkstemp(prefix="probe-", suffix=".plain", dir=folder)
    os.close(fd)
    plain = Path(plain_name)
    try:
        # -o binds to the -T before it: the size goes to the file, the SVG to stdout
        proc = subprocess.run(["dot", "-Tplain", f"-o{plain.name}", "-Tsvg"], input=source.encode("utf-8"),
                              capture_output=True, timeout=PROBE_TIMEOUT, check=False, cwd=folder)
        first = plain.read_text("utf-8", "replace").split("\n", 1)[0].split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        plain.unlink(missing_ok=True)
    if proc.returncode != 0 or len(first) < 4 or first[0] != "graph":
        return None
    try:
        return Layout(float(first[2]), float(first[3]), proc.stdout)
    except ValueError:
        return None


def workers() -> int:
    """Threads for parallel dot runs: one per CPU (each run is a process of its own)."""
    return max(1, os.cpu_count() or 1)


_pool: list[ThreadPoolExecutor] = []


def submit(fn: Callable[..., R], *args: object, **kwargs: object) -> Future[R]:
    """Run ``fn`` in the process's layout pool (:func:`workers` threads), so the caller can go on
    building the next scene while ``dot`` lays this one out. ``fn`` must not wait on the pool."""
    with _lock:
        if not _pool:
            _pool.append(ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="awsscan-layout"))
        pool = _pool[0]
    return pool.submit(fn, *args, **kwargs)


def run_many(fn: Callable[[T], R], items: Iterable[T]) -> list[R | BaseException]:
    """``fn`` over ``items`` in a thread pool of :func:`workers` threads; results (or the
    exception each raised) in the order of ``items``."""
    items = list(items)
    if len(items) <= 1 or workers() == 1:
        return [_call(fn, x) for x in items]
    with ThreadPoolExecutor(max_workers=min(workers(), len(items)), thread_name_prefix="awsscan-dot") as pool:
        return list(pool.map(lambda x: _call(fn, x), items))


def _call(fn: Callable[[T], R], x: T) -> R | BaseException:
    try:
        return fn(x)
    except Exception as exc:  # noqa: BLE001 - handed back to the caller, which reports it
        return exc

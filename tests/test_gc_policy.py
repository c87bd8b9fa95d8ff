"""The collector's pace during a scan: fewer passes inside, the previous pace and objects given back after."""

from __future__ import annotations

import gc
import threading

from scanner.gc_policy import YOUNG_THRESHOLD, fewer_passes


def test_a_block_collects_less_often_and_gives_the_pace_back():
    before = gc.get_threshold()
    with fewer_passes():
        inside = gc.get_threshold()
        assert inside[0] == max(before[0], YOUNG_THRESHOLD)
        assert inside[1:] == before[1:]
        assert gc.get_freeze_count() > 0  # what existed before is not walked again
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_are_still_freed():
    class Node:
        pass

    with fewer_passes():
        a, b = Node(), Node()
        a.other, b.other = b, a
        probe = threading.Event()
        import weakref

        ref = weakref.ref(a, lambda _: probe.set())
        del a, b
        gc.collect(0)
        gc.collect()
        assert ref() is None and probe.is_set()


def test_overlapping_blocks_keep_the_pace_until_the_last_leaves():
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def other() -> None:
        with fewer_passes():
            entered.set()
            release.wait(5)
            seen.append(gc.get_threshold())

    t = threading.Thread(target=other)
    with fewer_passes():
        t.start()
        entered.wait(5)
    # the first block left while the other still runs: its pace stays
    assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)
    release.set()
    t.join(5)
    assert seen and seen[0][0] == max(before[0], YOUNG_THRESHOLD)
    assert gc.get_threshold() == before


def test_a_scan_runs_under_it(monkeypatch):
    """runner.scan is wrapped: the whole scan (runs, merge, derive) collects at the slower pace."""
    from scanner import runner

    seen: list[int] = []
    monkeypatch.setattr(runner, "build_inventory", lambda *a, **k: seen.append(gc.get_threshold()[0]) or "inv")
    from scanner.session import Identity

    out = runner.scan(None, Identity("123456789012", "arn:aws:iam::123456789012:root", "x"), ["us-east-1"],
                      collectors=[], lanes=runner.Lanes(None))
    assert out == "inv"
    assert seen == [max(gc.get_threshold()[0], YOUNG_THRESHOLD)]

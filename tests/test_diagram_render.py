"""Issue 16, render speed of the diagrams: no DOT source is laid out twice, the report's SVG is the
probe's layout (byte-identical to a fresh ``dot -Tsvg``), and the final renders run in a
thread pool yet come back in order, the same bytes every time."""

from __future__ import annotations

import shutil

import pytest

from fixtures.large import build_inventory
from renderers.diagrams import build, layout
from renderers.diagrams.render import dot_output, inline_icons, render_many

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


@pytest.fixture()
def probes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources ``dot`` lays out to probe them, in order."""
    from collections import OrderedDict

    seen: list[str] = []
    real = layout._probe
    monkeypatch.setattr(layout, "_cache", OrderedDict())     # what earlier tests laid out does not count

    def counting(source: str) -> layout.Layout | None:
        seen.append(source)
        return real(source)

    monkeypatch.setattr(layout, "_probe", counting)
    return seen


def test_no_source_is_laid_out_twice_and_the_svg_is_the_probes(probes):
    inv, analysis = build_inventory("medium")
    diagrams = build(inv, analysis)
    assert probes and len(probes) == len(set(probes))                 # each source once
    assert {d.icon_source() for d in diagrams} <= set(probes)         # the report's DOT was probed
    first = len(probes)
    again = build(inv, analysis)
    assert len(probes) == first                                       # a second build lays nothing out
    assert [d.icon_source() for d in again] == [d.icon_source() for d in diagrams]
    for d in diagrams[:3]:
        fresh = layout.run_dot(d.icon_source(), "svg")
        assert dot_output(d, "svg").stdout == inline_icons(fresh.stdout.decode()).encode()


def test_render_many_keeps_the_order_and_the_bytes():
    inv, analysis = build_inventory("small")
    diagrams = build(inv, analysis)
    pooled = render_many(diagrams, ("svg", "png"))
    assert len(pooled) == len(diagrams)
    for d, out in zip(diagrams, pooled, strict=True):
        assert set(out) == {"svg", "png"}
        assert out["svg"].stdout == dot_output(d, "svg").stdout
        assert out["png"].stdout == dot_output(d, "png").stdout and out["png"].stdout.startswith(b"\x89PNG")
    assert render_many(diagrams, ("svg",))[0]["svg"].stdout == pooled[0]["svg"].stdout

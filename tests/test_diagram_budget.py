"""Issue 15, the size budget: shown 1400 px wide, a diagram's smallest text is 8 px or more.

Checked across account sizes, from the smallest fixture to about 500 instances (fixtures/large.py,
built in process from Records): every diagram is readable at page width, or the document says
why not (``Diagram.omitted``, printed under it as "Not drawn: ..."). A VPC's security diagram
that would be too wide is drawn by tier, and a stacked CI/CD diagram too wide is drawn one
pipeline per diagram, each part titled; splitting drops nothing: every security group, workload
and rule of the VPC is in one of its parts, every pipeline in one of the CI/CD parts.
"""

from __future__ import annotations

import shutil

import pytest

from fixtures.large import PRESETS, Size, build_inventory
from renderers.diagrams import Diagram, build, collapse, security
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

#: about 500 instances in 6 VPCs over two regions: a shape none of the presets has
ABOUT_500 = Size(vpcs_per_region=3, azs=3, asg_size=24, workers=15, bastions=3, extra_sgs=12, buckets=10,
                 pipelines=3)
SIZES = {"tiny": PRESETS["tiny"], "small": PRESETS["small"], "medium": PRESETS["medium"], "about 500": ABOUT_500}


@pytest.fixture(scope="module", params=sorted(SIZES))
def account(request: pytest.FixtureRequest) -> tuple[str, Inventory, Analysis, list[Diagram]]:
    inv, analysis = build_inventory(SIZES[request.param])
    return request.param, inv, analysis, build(inv, analysis)


def test_every_diagram_reads_at_page_width_or_says_why_not(account):
    name, _, _, diagrams = account
    for d in diagrams:
        width, _ = collapse.layout_size(d.icon_source())
        assert d.readable == (width <= collapse.max_width_in()), (name, d.filename)
        if not d.readable:
            assert any("8 px" in note and f"{collapse.PAGE_PX} px" in note for note in d.omitted), (name, d.filename)
    # and at these sizes the splits make every one of them readable
    assert [d.filename for d in diagrams if not d.readable] == [], name


def test_about_500_instances_is_that_large():
    inv, _ = build_inventory(ABOUT_500)
    assert 400 <= inv.count("ec2:instance") <= 600


def test_split_parts_are_titled_and_drop_nothing(account):
    name, inv, analysis, diagrams = account
    sec = [d for d in diagrams if d.marker == "AWS_SECURITY"]
    for d in sec:
        if d.filename.endswith(("_public", "_app", "_data")):
            assert d.title.endswith(d.filename.rsplit("_", 1)[1] + " tier"), d.title
    for vpc in sorted({sg["props"]["vpc_id"] for sg in inv.nodes("ec2:security-group")}):
        stem = f"aws_security_{vpc}"
        parts = [d for d in sec if d.filename.startswith(stem + "_")]
        if not parts:
            continue
        assert not [d for d in sec if d.filename == stem]
        whole, _ = security.render_scene(inv, analysis, 0, vpc=vpc)
        assert members(whole) <= set().union(*(members(d.scene) for d in parts)), (name, vpc)
        assert rules(whole) <= set().union(*(rules(d.scene) for d in parts)), (name, vpc)
        assert "drawn in 3 parts by tier" in parts[0].omitted[0]
    cicd = [d for d in diagrams if d.marker == "CICD"]
    pipelines = inv.nodes("codepipeline:pipeline")
    if len(cicd) > 1:
        assert len(cicd) >= len(pipelines)
        for i, p in enumerate(pipelines):
            assert cicd[i].title == f"CI/CD pipeline {i + 1} of {len(pipelines)}: {p['name']}"
            assert f"Pipeline: {p['name']}" in cicd[i].graph.source
        assert "each pipeline has a diagram of its own" in cicd[0].omitted[0]


def members(scene) -> set[str]:
    """The inventory resources a scene draws (collapsed nodes count each member)."""
    return {m for n in scene.nodes.values() for m in n.members}


def rules(scene) -> set[tuple[frozenset[str], frozenset[str], str]]:
    """(source resources, target resources, ports) of each security-group rule edge drawn."""
    out = set()
    for e in scene.edges.values():
        if e.role in ("allows", "allows_internet"):
            out.add((frozenset(scene.nodes[e.src].members), frozenset(scene.nodes[e.dst].members), e.label))
    return out


def test_large_and_huge_fixtures_read_at_page_width():
    """The large presets (750 and 3,300 instances): every part readable, none left unsplit."""
    for size in ("large", "huge"):
        inv, analysis = build_inventory(size)
        diagrams = build(inv, analysis)
        assert [d.filename for d in diagrams if not d.readable] == [], size

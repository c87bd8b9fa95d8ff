"""Rendering stays linear in the account (issue 16), asserted by structure, never by time:
the graph is indexed once per render, indexed reads return what the graph holds, a data store
is judged against the backup selections that could match it (not every plan), and a fact
several subsections show is computed once per render.
"""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.large import build_inventory
from renderers.document import render_document
from scanner import inventory as inventory_mod
from scanner import judge
from scanner.context import ScanContext, account_id_node
from scanner.inventory import Edge, Inventory, Node, Records
from scanner.judge import protection

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def small() -> tuple[Inventory, Any]:
    return build_inventory("small")


def test_a_render_indexes_the_graph_at_most_once(small, monkeypatch):
    inv, analysis = small
    builds: list[int] = []
    real = inventory_mod.GraphIndex.__init__

    def counting(self: Any, graph: Any) -> None:
        builds.append(graph.version)
        real(self, graph)

    monkeypatch.setattr(inventory_mod.GraphIndex, "__init__", counting)
    render_document(inv, analysis)
    assert len(builds) <= 1, "the document re-indexed a graph it only reads"
    render_document(inv, analysis)
    assert len(builds) <= 1, "a second render of the same graph reuses the index"


def test_indexed_reads_answer_as_the_graph_does(small):
    inv, _ = small
    g = inv.graph
    kinds = sorted({d["kind"] for _, d in g.nodes(data=True) if d["kind"] != "external"})
    for kind in kinds:
        want = sorted(({"id": n, **d} for n, d in g.nodes(data=True) if d["kind"] == kind and not d.get("external")),
                      key=lambda n: (n.get("region", ""), n.get("name", ""), n["id"]))
        assert inv.nodes(kind) == want, kind
    region = inv.regions[0]
    assert inv.nodes("ec2:subnet", region=region) == [n for n in inv.nodes("ec2:subnet") if n["region"] == region]
    assert inv.nodes("ec2:vpc", "ec2:subnet") == sorted(inv.nodes("ec2:vpc") + inv.nodes("ec2:subnet"),
                                                        key=lambda n: (n["region"], n["name"], n["id"]))
    rels = sorted({d["rel"] for _, _, d in g.edges(data=True)})
    inv.index()
    for nid in list(g)[:400]:
        for rel in rels:
            assert inv.out(nid, rel) == inv._walk(g.out_edges(nid, data=True), 1, rel, None), (nid, rel)
            assert inv.into(nid, rel) == inv._walk(g.in_edges(nid, data=True), 0, rel, None), (nid, rel)
    for rel in rels:
        assert list(inv.edges(rel)) == [(s, d, data) for s, d, data in g.edges(data=True) if data["rel"] == rel]
    assert inv.kind_counts() == {k: len(inv.nodes(k)) for k in kinds if inv.nodes(k)}


def test_the_index_follows_changes_to_the_graph():
    inv = Inventory(meta={"regions": ["us-east-1"]})
    assert inv.nodes("ec2:vpc") == []
    inv.add_node(Node("vpc-1", "ec2:vpc", "one", region="us-east-1"))
    assert [n["id"] for n in inv.nodes("ec2:vpc")] == ["vpc-1"]
    inv.add_edge(Edge("vpc-1", "subnet-1", "contains"))  # an edge to a resource not scanned
    assert [n["id"] for n in inv.out("vpc-1", "contains")] == ["subnet-1"]
    assert inv.nodes("ec2:subnet") == [] and inv.count("external", include_external=True) == 1
    inv.add_node(Node("subnet-1", "ec2:subnet", "a", region="us-east-1"))  # the real node replaces it
    assert [n["id"] for n in inv.nodes("ec2:subnet")] == ["subnet-1"]
    assert [n["kind"] for n in inv.out("vpc-1", "contains")] == ["ec2:subnet"]
    inv.graph.remove_node("subnet-1")
    assert inv.nodes("ec2:subnet") == [] and inv.out("vpc-1", "contains") == []


def _bucket_inventory(buckets: int, plans: int) -> Inventory:
    """``buckets`` buckets and ``plans`` backup plans, each selecting one bucket by ARN, plus one
    plan selecting by tag: a naive judge checks every plan for every bucket."""
    ctx = ScanContext(None, "us-east-1", ACCOUNT)
    out = Records("us-east-1", ACCOUNT)
    out.node(account_id_node(ACCOUNT), "aws:account", "a", account_id=ACCOUNT)
    out.node(ctx.region_node, "aws:region", "us-east-1", enabled=True)
    for i in range(buckets):
        out.node(f"arn:aws:s3:::b{i}", "s3:bucket", f"b{i}", tags={"Backup": "yes"} if i % 10 == 0 else {},
                 name=f"b{i}", versioning="Suspended", replication=[])
    sels = [{"name": f"p{j}", "resources": [f"arn:aws:s3:::b{j}"], "patterns": [], "tag_conditions": [],
             "excluded": []} for j in range(plans)]
    sels.append({"name": "tagged", "resources": [], "patterns": [], "excluded": [],
                 "tag_conditions": [{"key": "Backup", "value": "yes", "type": "STRINGEQUALS"}]})
    for j, sel in enumerate(sels):
        out.node(ctx.arn("backup", f"backup-plan:{j}"), "backup:plan", sel["name"], name=sel["name"], rules=[],
                 selections=[sel])
    inv = Inventory(meta={"regions": ["us-east-1"], "account": ACCOUNT, "runs": [
        {"collector": c, "service": c.split(".")[0], "region": "us-east-1", "status": "ok"}
        for c in ("s3.buckets", "backup.plans")]})
    inv.merge([out])
    return inv


def test_backup_selections_are_looked_up_not_walked_per_data_store(monkeypatch):
    calls = {"n": 0}
    real = protection.selected_by

    def counting(sel: dict[str, Any], node: dict[str, Any]) -> bool:
        calls["n"] += 1
        return real(sel, node)

    monkeypatch.setattr(protection, "selected_by", counting)
    inv = _bucket_inventory(buckets=300, plans=100)
    judge.run(inv)
    # one check per selection that names a bucket (100) and per bucket the tag plan selects (30),
    # instead of 300 buckets x 101 plans
    assert calls["n"] <= 100 + 30, calls
    facts = {n["name"]: inv.fact(n["id"], "protected") for n in inv.nodes("s3:bucket")}
    assert facts["b5"].yes and "p5" in facts["b5"].why
    assert facts["b10"].yes and "tagged" in facts["b10"].why
    assert facts["b151"].no


def test_a_fact_shown_in_several_subsections_is_computed_once_per_render(small, monkeypatch):
    inv, analysis = small
    calls = {"n": 0}
    real = protection.coverage

    def counting(arg: Inventory) -> dict[str, Any]:
        calls["n"] += 1
        return real(arg)

    monkeypatch.setattr(protection, "coverage", counting)
    render_document(inv, analysis)
    assert calls["n"] == 1
    from renderers.facts import resilience

    resilience.coverage_rows(inv)
    resilience.unprotected(inv)
    assert calls["n"] == 3, "outside a render nothing is kept: a caller that edits facts sees its edits"


def test_a_render_keeps_nothing_once_it_ends(small):
    inv, analysis = small
    render_document(inv, analysis)
    assert inv._memo == {} and inv._render_depth == 0


# --- the render's work grows linearly: 4x the account, 4x the reads ---------------------------------
class _CountedList(list):
    """A list that counts the items every walk or membership test of it reads."""

    reads = [0]

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.reads[0] += len(self)
        return super().__iter__()

    def __contains__(self, item: object) -> bool:
        self.reads[0] += len(self)
        return super().__contains__(item)


def _render_reads(inv: Inventory, monkeypatch: pytest.MonkeyPatch) -> int:
    """What one render reads: node dicts the graph hands out (nodes, node, out, into) plus the
    findings and their resource lists walked or searched. A facts module that scans a whole kind,
    or every finding, once per resource makes this grow with the square of the account."""
    from scanner.analysis import analyze

    analysis = analyze(inv, {})
    for f in analysis.findings:
        f.resources = _CountedList(f.resources)
    analysis.findings = _CountedList(analysis.findings)
    reads = _CountedList.reads
    with monkeypatch.context() as m:
        for name in ("nodes", "node", "out", "into"):
            real = getattr(Inventory, name)

            def counted(self: Inventory, *a: Any, _real: Any = real, **k: Any) -> Any:
                got = _real(self, *a, **k)
                reads[0] += len(got) if isinstance(got, list) else 1
                return got
            m.setattr(Inventory, name, counted)
        reads[0] = 0
        render_document(inv, analysis)
        return reads[0]


def test_four_times_the_account_is_four_times_the_reads(monkeypatch):
    """The large fixture with 1, 2 and 4 regions (every region the same resources): what each added
    region costs the render must not grow with the account (a quadratic term makes the second
    step dearer than the first). Counted, not timed: the same on any machine."""
    from dataclasses import replace

    from fixtures.large import PRESETS

    regions = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
    reads = [_render_reads(build_inventory(replace(PRESETS["small"], regions=regions[:n]))[0], monkeypatch)
             for n in (1, 2, 4)]
    first, second = reads[1] - reads[0], (reads[2] - reads[1]) / 2   # per added region
    assert second <= first * 1.03 + 50, f"reads per region grew with the account: {reads}"
    buckets = [_render_reads(_judged_buckets(n), monkeypatch) for n in (100, 200, 400)]
    first, second = buckets[1] - buckets[0], (buckets[2] - buckets[1]) / 2   # per 100 buckets
    assert second <= first * 1.03 + 50, f"reads per bucket grew with the account: {buckets}"


def _judged_buckets(n: int) -> Inventory:
    inv = _bucket_inventory(buckets=n, plans=10)
    judge.run(inv)
    return inv


def test_findings_by_resource_are_indexed_during_a_render_only():
    """Inside ``Analysis.reading`` (a render) ``for_resource`` answers from one index, the same
    answers as the walk it replaces; outside, a finding added later is seen."""
    from scanner.analysis.model import Analysis, Finding

    def finding(rule: str, resources: list[str], status: str = "open") -> Finding:
        return Finding(rule, rule, "low", "4.1", "security", resources, [], "fix", status=status)

    a = Analysis(findings=[finding("A-001", ["x", "y", "x"]), finding("B-001", ["y"]),
                           finding("C-001", ["x"], status="suppressed")])
    walked = {r: a.for_resource(r) for r in ("x", "y", "z")}
    with a.reading():
        assert {r: a.for_resource(r) for r in ("x", "y", "z")} == walked
        assert [f.rule for f in a.for_resource("x")] == ["A-001"]
    a.findings.append(finding("D-001", ["z"]))
    assert [f.rule for f in a.for_resource("z")] == ["D-001"]

"""The output folder: stale diagrams removed (manifest), blocked paths and symlinks refused up front,
unique diagram file names, and file modes that honour the umask."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renderers import report as report_mod
from renderers.diagrams import STEM_MAX, build, file_stem
from renderers.report import MANIFEST, prepare_out, write_report
from scanner.analysis import analyze
from scanner.cli import app
from scanner.errors import UserError
from scanner.inventory import Inventory, Records, atomic_write

ACCT = "123456789012"
A = f"arn:aws:ec2:us-east-1:{ACCT}:"
runner = CliRunner()


def vpcs_inventory(vpc_ids: list[str]) -> Inventory:
    """One VPC per id, each with a subnet and a running instance (so each is drawn)."""
    out = Records(region="us-east-1", account=ACCT)
    for i, vid in enumerate(vpc_ids):
        v = out.node(f"{A}vpc/{vid}", "ec2:vpc", f"v{i}", vpc_id=vid, cidr=f"10.{i}.0.0/16")
        s = out.node(f"{A}subnet/subnet-{i}", "ec2:subnet", f"s{i}", subnet_id=f"subnet-{i}", vpc_id=vid,
                     cidr=f"10.{i}.1.0/24", az="us-east-1a")
        out.edge(v, s, "contains")
        inst = out.node(f"{A}instance/i-{i}", "ec2:instance", f"i{i}", instance_id=f"i-{i}", state="running",
                        instance_type="t3.micro", subnet_id=f"subnet-{i}", vpc_id=vid)
        out.edge(inst, s, "in_subnet")
    inv = Inventory(meta={"account": ACCT, "regions": ["us-east-1"]})
    inv.merge([out])
    return inv


@pytest.fixture
def no_dot(monkeypatch):
    """Diagrams as .dot only: the tests are about which files exist, and dot is slow."""
    monkeypatch.setattr(report_mod.shutil, "which", lambda name: None)


def render_cli(snapshot: Path, out: Path):
    return runner.invoke(app, ["render", str(snapshot), "--out", str(out)], catch_exceptions=False)


def assert_one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("awsscan: error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for n in needles:
        assert n in lines[0], lines[0]


# --- stale files ---------------------------------------------------------------------------

def test_diagrams_of_vpcs_that_are_gone_are_removed_and_nothing_else(tmp_path, no_dot):
    out = tmp_path / "report"
    big = vpcs_inventory(["vpc-a", "vpc-b", "vpc-c", "vpc-d"])
    first = write_report(big, analyze(big), out)
    assert (out / "diagrams" / "aws_architecture_vpc-d.dot").exists()
    assert MANIFEST in os.listdir(out)
    (out / "diagrams" / "my-own-drawing.svg").write_text("<svg/>")   # the user's, not in any manifest
    (out / "notes.md").write_text("mine")

    small = vpcs_inventory(["vpc-a"])
    second = write_report(small, analyze(small), out)
    left = sorted(p.name for p in (out / "diagrams").iterdir())
    assert left == ["aws_architecture.dot", "aws_security.dot", "cicd.dot", "my-own-drawing.svg"]
    assert (out / "notes.md").read_text() == "mine"
    assert {p.name for p in first.diagrams} > {p.name for p in second.diagrams}
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert "diagrams/aws_architecture_vpc-a.dot" not in listed and "design.md" in listed


def test_a_tampered_manifest_cannot_delete_other_files(tmp_path, no_dot):
    out = tmp_path / "report"
    out.mkdir()
    keep = [out / "notes.md", out / "inventory.json", tmp_path / "outside.txt"]
    for k in keep:
        k.write_text("keep")
    (out / MANIFEST).write_text(json.dumps({"files": ["notes.md", "../outside.txt", "inventory.json",
                                                      str(tmp_path / "outside.txt"), "diagrams/../notes.md"]}))
    inv = vpcs_inventory(["vpc-a"])
    write_report(inv, analyze(inv), out, write_inventory=False)
    assert all(k.read_text() == "keep" for k in keep)


def test_a_garbage_manifest_is_ignored(tmp_path, no_dot):
    out = tmp_path / "report"
    out.mkdir()
    (out / MANIFEST).write_text("[[[not json")
    inv = vpcs_inventory(["vpc-a"])
    files = write_report(inv, analyze(inv), out)
    assert files.document.exists()
    assert json.loads((out / MANIFEST).read_text())["tool"] == "awsscan"


# --- blocked paths and symlinks ---------------------------------------------------------------

@pytest.mark.parametrize("blocked", ["design.md", "design.html", "findings.json", "inventory.json",
                                     "diagrams/aws_architecture.svg", "diagrams/cicd.dot"])
def test_a_folder_where_an_output_file_goes_fails_before_any_work(tmp_path, sample, blocked):
    out = tmp_path / "report"
    (out / blocked).mkdir(parents=True)
    assert_one_line_error(render_cli(sample.files.inventory, out), "in the way", blocked.split("/")[-1])
    assert [p for p in out.rglob("*") if p.is_file()] == [], "no work was done"


def test_a_symlinked_diagrams_folder_is_refused(tmp_path, sample):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "aws_architecture.svg").write_text("precious")
    out = tmp_path / "report"
    out.mkdir()
    (out / "diagrams").symlink_to(elsewhere)
    assert_one_line_error(render_cli(sample.files.inventory, out), "symlink", "diagrams")
    assert [p.name for p in elsewhere.iterdir()] == ["aws_architecture.svg"]
    assert (elsewhere / "aws_architecture.svg").read_text() == "precious"
    assert not (out / "design.md").exists()


@pytest.mark.parametrize("name", ["design.md", "inventory.json", MANIFEST, "diagrams/aws_security.png"])
def test_a_symlinked_output_file_is_refused(tmp_path, name):
    target = tmp_path / "precious.txt"
    target.write_text("precious")
    out = tmp_path / "report"
    (out / "diagrams").mkdir(parents=True)
    (out / name).symlink_to(target)
    with pytest.raises(UserError, match="symlink"):
        prepare_out(out)
    assert target.read_text() == "precious"


def test_an_out_folder_that_is_itself_a_symlink_is_the_users_choice(tmp_path, no_dot):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    inv = vpcs_inventory(["vpc-a"])
    write_report(inv, analyze(inv), link)
    assert (real / "design.md").exists()


# --- diagram file names ---------------------------------------------------------------------

def test_vpc_ids_sharing_80_characters_get_one_file_each(tmp_path, no_dot):
    long = "vpc-" + "0" * 90
    ids = [f"{long}{i}" for i in range(4)]
    inv = vpcs_inventory(ids)
    names = [d.filename for d in build(inv, analyze(inv)) if d.filename.startswith("aws_architecture_")]
    assert len(names) == 4 and len(set(names)) == 4
    assert names == [d.filename for d in build(inv, analyze(inv)) if d.filename.startswith("aws_architecture_")]
    files = write_report(inv, analyze(inv), tmp_path / "report")
    per_vpc = [p for p in files.diagrams if p.name.startswith("aws_architecture_")]
    assert len(per_vpc) == 4


def test_file_stem_keeps_plain_ids_and_hashes_what_it_changes():
    assert file_stem("vpc-0abc123") == "vpc-0abc123"
    a, b = file_stem("vpc a"), file_stem("vpc_a")
    assert a != b and a.startswith("vpc_a-") and b == "vpc_a"
    long = file_stem("x" * 200)
    assert len(long) <= STEM_MAX and long == file_stem("x" * 200) != file_stem("x" * 201)
    assert "/" not in file_stem("../../etc/passwd")


# --- modes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_honour_the_umask(tmp_path, no_dot, umask, mode):
    old = os.umask(umask)
    try:
        inv = vpcs_inventory(["vpc-a"])
        files = write_report(inv, analyze(inv), tmp_path / "report")
    finally:
        os.umask(old)
    for p in [files.document, files.html, files.findings, files.inventory, *files.diagrams,
              tmp_path / "report" / MANIFEST]:
        assert stat.S_IMODE(p.stat().st_mode) == mode, p


def test_a_file_the_user_made_private_stays_private(tmp_path):
    target = tmp_path / "inventory.json"
    target.write_text("old")
    target.chmod(0o600)
    old = os.umask(0o022)
    try:
        atomic_write(target, "new")
    finally:
        os.umask(old)
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


# --- diagrams drawn beside the document ----------------------------------------------------------
@pytest.mark.skipif(report_mod.shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_diagrams_are_drawn_while_the_document_renders(tmp_path, monkeypatch):
    """Graphviz starts before the document is rendered (it runs in processes of its own), and
    the HTML still inlines the SVGs it drew."""
    inv = vpcs_inventory(["vpc-0a"])
    started: list[str] = []
    real_many, real_doc = report_mod.render_many, report_mod.render_document

    def many(*a, **k):
        started.append("dot")
        return real_many(*a, **k)

    def document(*a, **k):
        text = real_doc(*a, **k)
        started.append("document done")
        return text

    monkeypatch.setattr(report_mod, "render_many", many)
    monkeypatch.setattr(report_mod, "render_document", document)
    files = write_report(inv, analyze(inv), tmp_path / "report")
    assert started == ["dot", "document done"]  # dot was already drawing when the document was done
    svgs = [p for p in files.diagrams if p.suffix == ".svg"]
    assert svgs and all(p.stat().st_size > 0 for p in svgs)
    assert "<svg" in files.html.read_text()


def test_a_document_that_fails_writes_nothing_even_with_diagrams_drawing(tmp_path, monkeypatch):
    inv = vpcs_inventory(["vpc-0a"])

    def broken(*a, **k):
        raise RuntimeError("document failed")

    monkeypatch.setattr(report_mod, "render_document", broken)
    out = tmp_path / "report"
    with pytest.raises(RuntimeError, match="document failed"):
        write_report(inv, analyze(inv), out)
    assert not (out / "design.md").exists() and not (out / "design.html").exists()
    assert not list((out / "diagrams").glob("*.svg")) if (out / "diagrams").exists() else True

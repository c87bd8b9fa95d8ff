"""Snapshots are untrusted input: every bad inventory.json ends `awsscan render` with one line, exit 2,
no traceback, and nothing written to --out; a real snapshot still validates and round-trips."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.inventory import Inventory, SnapshotError
from scanner.snapshot_schema import MAX_DEPTH, problems

runner = CliRunner()
ACCT = "123456789012"
VPC = f"arn:aws:ec2:us-east-1:{ACCT}:vpc/vpc-1"
SUBNET = f"arn:aws:ec2:us-east-1:{ACCT}:subnet/subnet-1"


def good() -> dict[str, Any]:
    """A small valid snapshot; each bad case below breaks one thing in it."""
    node = {"kind": "ec2:vpc", "name": "main", "region": "us-east-1", "account": ACCT,
            "tags": {"Name": "main"}, "props": {"vpc_id": "vpc-1", "cidr": "10.0.0.0/16"}, "external": False}
    return {
        "schema": 1,
        "meta": {"account": ACCT, "regions": ["us-east-1"], "partial": False, "timing": {"total": 1.0},
                 "collectors": {"ec2.vpcs": 1},
                 "runs": [{"collector": "ec2.vpcs", "service": "ec2", "region": "us-east-1", "status": "ok",
                           "calls": 1}],
                 "gaps": [{"service": "ec2", "region": "us-east-1", "action": "ec2:X", "reason": "denied",
                           "resource": ""}]},
        "nodes": [{"id": VPC, **node, "facts": {"encrypted": {"state": "unknown", "why": "not read"}}},
                  {"id": SUBNET, **node, "kind": "ec2:subnet", "props": {"subnet_id": "subnet-1"}}],
        "edges": [{"src": VPC, "dst": SUBNET, "rel": "contains", "props": {}}],
    }


def broken(change) -> str:
    data = good()
    change(data)
    return json.dumps(data)


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": [value]}
    return value


BAD: dict[str, tuple[str, str]] = {
    "nodes is an object": (broken(lambda d: d.update(nodes={"a": 1})), "nodes: expected a list"),
    "a node is a list": (broken(lambda d: d["nodes"].append([VPC])), "nodes[2]: expected an object"),
    "node without kind": (broken(lambda d: d["nodes"][0].pop("kind")), "'kind' is a required property"),
    "unknown kind": (broken(lambda d: d["nodes"][0].update(kind="ec2:spaceship")), "not a known node kind"),
    "props is a list": (broken(lambda d: d["nodes"][0].update(props=[1, 2])), "nodes[0].props: expected an object"),
    "tags hold a number": (broken(lambda d: d["nodes"][0]["tags"].update(Cost=5)), "nodes[0].tags.Cost"),
    "external is a string": (broken(lambda d: d["nodes"][0].update(external="no")), "nodes[0].external"),
    "bad fact state": (broken(lambda d: d["nodes"][0]["facts"]["encrypted"].update(state="maybe")),
                       "not a known fact state"),
    "id is a number": (broken(lambda d: d["nodes"][0].update(id=7)), "nodes[0].id: expected a string"),
    "duplicate node id": (broken(lambda d: d["nodes"][1].update(id=VPC)), "appears more than once"),
    "dangling edge": (broken(lambda d: d["edges"].append({"src": VPC, "dst": "arn:nowhere", "rel": "contains"})),
                      "dangling edge"),
    "unknown relation": (broken(lambda d: d["edges"][0].update(rel="teleports_to")), "not a known edge relation"),
    "edge without dst": (broken(lambda d: d["edges"][0].pop("dst")), "'dst' is a required property"),
    "meta is a list": (broken(lambda d: d.update(meta=[])), "meta: expected an object"),
    "runs is a string": (broken(lambda d: d["meta"].update(runs="all ok")), "meta.runs: expected a list"),
    "run without status": (broken(lambda d: d["meta"]["runs"][0].pop("status")), "'status' is a required"),
    "regions hold a number": (broken(lambda d: d["meta"].update(regions=[1])), "meta.regions[0]"),
    "unknown top-level key": (broken(lambda d: d.update(extra=1)), "'extra' was unexpected"),
    "deep props": (broken(lambda d: d["nodes"][0]["props"].update(deep=nested(MAX_DEPTH))), "nested more than"),
    "deeper than Python can parse": ('{"schema": 1, "nodes": [], "edges": [], "meta": {"x": '
                                     + "[" * 200_000 + "]" * 200_000 + "}}", "nested too deeply"),
    "schema is true": (broken(lambda d: d.update(schema=True)), "schema True is not supported"),
    "an integer of 5000 digits": ('{"schema": 1, "nodes": [], "edges": [], "meta": {"n": ' + "9" * 5000 + "}}",
                                  "not valid JSON"),
}


def render(snapshot: Path, out: Path, env: dict[str, str] | None = None):
    return runner.invoke(app, ["render", str(snapshot), "--out", str(out)], env=env, catch_exceptions=False)


def assert_refused(result, out: Path, *needles: str) -> None:
    """What the user sees: exit 2, one line on stderr, no traceback, and no report written."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("awsscan: error: "), lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    assert not (out / "design.md").exists() and not (out / "diagrams").exists()


def test_the_good_snapshot_loads():
    assert list(problems(good())) == []
    inv = Inventory.from_dict(good())
    assert inv.node(VPC)["facts"]["encrypted"]["state"] == "unknown"
    assert inv.out(VPC, "contains")[0]["id"] == SUBNET


def test_a_node_missing_optional_fields_gets_their_defaults():
    data = good()
    data["nodes"][1] = {"id": SUBNET, "kind": "ec2:subnet"}
    n = Inventory.from_dict(data).node(SUBNET)
    assert (n["name"], n["region"], n["tags"], n["props"], n["external"]) == ("subnet-1", "global", {}, {}, False)


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_snapshot_is_one_line_and_writes_nothing(tmp_path, case):
    content, needle = BAD[case]
    snap = tmp_path / "inventory.json"
    snap.write_text(content)
    out = tmp_path / "out"
    assert_refused(render(snap, out), out, needle)


def test_every_problem_is_one_line_even_for_long_values():
    data = good()
    data["nodes"][0]["kind"] = "x\n" * 5000
    (msg,) = list(problems(data))
    assert "\n" not in msg and len(msg) < 300


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "inventory.json"
    os.mkfifo(fifo)
    out = tmp_path / "out"

    def hung(signum, frame):
        raise AssertionError("render blocked opening a FIFO")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        result = render(fifo, out)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert_refused(result, out, "FIFO", "not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused(tmp_path):
    out = tmp_path / "out"
    assert_refused(render(Path("/dev/zero"), out), out, "device", "not a regular file")


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "snap"
    folder.mkdir()
    out = tmp_path / "out"
    assert_refused(render(folder, out), out, "folder")


def test_a_snapshot_over_the_size_limit_is_refused(tmp_path):
    snap = tmp_path / "inventory.json"
    snap.write_text(json.dumps(good()))
    out = tmp_path / "out"
    assert_refused(render(snap, out, env={"AWSSCAN_MAX_SNAPSHOT_BYTES": "100"}), out,
                   "over the 100-byte limit", "AWSSCAN_MAX_SNAPSHOT_BYTES")
    assert_refused(render(snap, out, env={"AWSSCAN_MAX_SNAPSHOT_BYTES": "lots"}), out,
                   "AWSSCAN_MAX_SNAPSHOT_BYTES must be a positive number")


def test_the_read_itself_is_bounded(tmp_path, monkeypatch):
    """A file that grows between the size check and the read is still cut off at the limit."""
    import scanner.inventory as inv_mod

    snap = tmp_path / "inventory.json"
    snap.write_text(json.dumps(good()))
    real_stat = os.stat

    def small_stat(path, *a, **k):
        st = real_stat(path, *a, **k)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime)) if Path(path) == snap else st

    monkeypatch.setenv("AWSSCAN_MAX_SNAPSHOT_BYTES", "100")
    monkeypatch.setattr(inv_mod.os, "stat", small_stat)
    with pytest.raises(SnapshotError, match="over the 100-byte limit"):
        Inventory.load(snap)


def test_not_utf8_is_one_line(tmp_path):
    snap = tmp_path / "inventory.json"
    snap.write_bytes(b'{"schema": 1, "nodes": [], "edges": [], "meta": {"n": "\xff\xfe"}}')
    out = tmp_path / "out"
    assert_refused(render(snap, out), out, "not UTF-8")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_snapshot_is_one_line(tmp_path):
    snap = tmp_path / "inventory.json"
    snap.write_text(json.dumps(good()))
    snap.chmod(0)
    out = tmp_path / "out"
    assert_refused(render(snap, out), out, "cannot read snapshot")


def test_the_sample_snapshot_validates_and_round_trips(sample):
    data = json.loads(sample.files.inventory.read_text())
    assert list(problems(data)) == []
    again = Inventory.load(sample.files.inventory)
    assert again.to_json() == sample.files.inventory.read_text()


# --- the fast structural check (snapshot_schema.conforms) is never looser than the schema ------------
ODD_VALUES: tuple[Any, ...] = (None, 0, 1.5, True, "", "x", [], [1], {}, {"a": 1}, {"state": "yes"}, nested(3))


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (dict keys and list indexes), the value itself first."""
    out = [at]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*at, i))
    return out


def _mutations() -> list[Any]:
    """good() with one thing changed, at every place: each odd value put there, the key removed,
    an unexpected key added beside it."""
    out: list[Any] = []
    for path in _paths(good())[1:]:
        for value in ODD_VALUES:
            data = good()
            parent = data
            for p in path[:-1]:
                parent = parent[p]
            parent[path[-1]] = value
            out.append(data)
        data = good()
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        if isinstance(parent, dict):
            del parent[path[-1]]
            out.append(data)
            extra = good()
            target = extra
            for p in path[:-1]:
                target = target[p]
            target["unexpected"] = "x"
            out.append(extra)
    return out


def test_the_fast_check_passes_only_what_the_schema_passes():
    """A snapshot conforms() passes skips the JSON Schema pass, so conforms() must refuse every
    snapshot the schema refuses (it may refuse more: those get the schema's own message)."""
    from scanner.snapshot_schema import _validator, conforms

    mutations = _mutations()
    assert len(mutations) > 500
    passed = 0
    for data in mutations:
        if conforms(data):
            passed += 1
            assert not list(_validator().iter_errors(data)), json.dumps(data)[:400]
    assert passed, "some harmless changes (an odd value in props or meta) still conform"
    for case, (content, _) in BAD.items():
        try:
            data = json.loads(content)
        except (ValueError, RecursionError):
            continue
        if list(_validator().iter_errors(data)):
            assert not conforms(data), case


def test_a_real_snapshot_takes_the_fast_path(monkeypatch):
    """A scanned account's snapshot never reaches the (slow) JSON Schema pass."""
    import scanner.snapshot_schema as schema_mod
    from fixtures.large import build_inventory

    data = json.loads(build_inventory("tiny")[0].to_json())
    assert schema_mod.conforms(data)
    monkeypatch.setattr(schema_mod, "_validator", lambda: pytest.fail("schema pass on a valid snapshot"))
    assert list(problems(data)) == []
    data["nodes"][0]["props"]["deep"] = nested(MAX_DEPTH)
    assert list(problems(data)) == [f"nested more than {MAX_DEPTH} levels deep"]

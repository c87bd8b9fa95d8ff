"""awsscan export: SARIF and OCSF valid against their published schemas, CSV, GraphML and Neo4j files
that their tools read, all from the snapshot of the deliberately insecure account."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import networkx as nx
import pytest
from typer.testing import CliRunner

from scanner.cli import EXIT_USAGE, app
from tests.conftest import REGIONS, scan_account
from tests.support import ocsf

SCHEMAS = Path(__file__).parent / "data" / "schemas"


@pytest.fixture(scope="module")
def insecure(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.insecure import build_insecure

    return scan_account(build_insecure, tmp_path_factory.mktemp("export-insecure"), regions=REGIONS)


def export(snapshot: Path, fmt: str, out: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(snapshot), "--to", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr


def open_ssh(insecure: SimpleNamespace):
    hits = [f for f in insecure.analysis.open_findings() if f.rule == "NET-001"]
    assert hits, "the insecure fixture plants an open SSH rule"
    return hits[0]


def test_sarif_is_valid_2_1_0_and_names_the_open_ssh_rule(insecure: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "awsscan.sarif"
    export(insecure.out / "inventory.json", "sarif", out)
    log = json.loads(out.read_text())
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    ssh = open_ssh(insecure)
    assert "NET-001" in rules and ssh.remediation in rules["NET-001"]["help"]["text"]
    assert "cis:5.2" in rules["NET-001"]["properties"]["tags"]  # CIS AWS Foundations v3.0.0 5.2
    results = [r for r in run["results"] if r["ruleId"] == "NET-001"]
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results} >= set(ssh.resources)
    assert all(r["level"] == "error" and r["kind"] == "fail" for r in results)  # high severity
    # one result per finding and resource, rule indexes right
    pairs = sum(max(1, len(f.resources)) for f in insecure.analysis.findings)
    assert len(run["results"]) == pairs
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_ocsf_lines_are_valid_detection_findings(insecure: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "findings.ocsf.jsonl"
    export(insecure.out / "inventory.json", "ocsf", out)
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert events
    validator = jsonschema.Draft202012Validator(ocsf.class_schema("detection_finding"))
    for ev in events:
        validator.validate(ev)
        assert ev["class_uid"] == ocsf.class_uid("detection_finding") == 2004
        assert ev["type_uid"] == 200401
    ssh = open_ssh(insecure)
    mine = [e for e in events if e["finding_info"]["analytic"]["uid"] == "NET-001"]
    assert {e["resources"][0]["uid"] for e in mine} >= set(ssh.resources)
    assert all(e["severity_id"] == 4 for e in mine)  # High
    assert all("EC2.13" in e["unmapped"]["compliance"]["fsbp"] for e in mine)
    # a wrong field is caught: the compiled schema is strict, so the check can fail
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**events[0], "severity_id": 42})
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**events[0], "finding_info": {"title": "no uid"}})


def test_csv_has_every_finding_and_resource(insecure: SimpleNamespace, tmp_path: Path) -> None:
    export(insecure.out / "inventory.json", "csv", tmp_path / "csv")
    findings = list(csv.DictReader((tmp_path / "csv" / "findings.csv").open()))
    resources = list(csv.DictReader((tmp_path / "csv" / "resources.csv").open()))
    ssh = open_ssh(insecure)
    assert any(r["rule"] == "NET-001" and r["resource"] in ssh.resources and r["severity"] == "high"
               for r in findings)
    ids = {r["id"] for r in resources}
    vpcs = [n["id"] for n in insecure.inv.nodes("ec2:vpc")]
    assert vpcs and set(vpcs) <= ids
    assert all(not r["name"].startswith(("=", "+", "@")) for r in resources)


def test_graphml_reads_back_into_networkx(insecure: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "graph.graphml"
    export(insecure.out / "inventory.json", "graphml", out)
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == insecure.inv.graph.number_of_nodes()
    assert g.number_of_edges() == insecure.inv.graph.number_of_edges()
    vpc = insecure.inv.nodes("ec2:vpc")[0]
    assert g.nodes[vpc["id"]]["kind"] == "ec2:vpc"
    assert {d["rel"] for _, _, d in g.edges(data=True)} >= {"contains"}


def test_neo4j_files_match_the_import_format(insecure: SimpleNamespace, tmp_path: Path) -> None:
    export(insecure.out / "inventory.json", "neo4j", tmp_path / "neo")
    nodes = list(csv.DictReader((tmp_path / "neo" / "nodes.csv").open()))
    rels = list(csv.DictReader((tmp_path / "neo" / "relationships.csv").open()))
    assert list(nodes[0])[:1] == ["id:ID"] and ":LABEL" in nodes[0]
    ids = {n["id:ID"] for n in nodes}
    assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in rels)
    assert any(n[":LABEL"] == "Resource;Ec2Vpc" for n in nodes)
    cypher = (tmp_path / "neo" / "load.cypher").read_text()
    assert "MERGE (n:Resource:Ec2Vpc" in cypher and "IN_SUBNET" in cypher
    # account data never enters the Cypher: every value comes from the CSV files
    assert not any(n["id:ID"] in cypher for n in nodes)
    assert "row.name" in cypher and "'Resource;Ec2Vpc'" in cypher


def test_bad_input_is_one_line(insecure: SimpleNamespace, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["export", str(insecure.out / "inventory.json"), "--to", "pdf", "--out", str(tmp_path / "x")])
    assert bad.exit_code == EXIT_USAGE and "--to must be one of" in bad.stderr
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    res = runner.invoke(app, ["export", str(corrupt), "--to", "sarif", "--out", str(tmp_path / "a.sarif")])
    assert res.exit_code == EXIT_USAGE and "Traceback" not in res.stderr
    assert not (tmp_path / "a.sarif").exists()
    folder = tmp_path / "dir"
    folder.mkdir()
    res = runner.invoke(app, ["export", str(insecure.out / "inventory.json"), "--to", "sarif", "--out", str(folder)])
    assert res.exit_code == EXIT_USAGE and "is a folder" in res.stderr

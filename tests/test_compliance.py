"""Compliance mapping: each rule names the CIS AWS Foundations (v3.0.0) and AWS FSBP controls it
implements (scanner/data/compliance.json), findings.json carries them per finding, and 5.4 states
every control as passed / failed / not assessed / not covered; ``--compliance`` limits the summary.

Checked on a part of the insecure fixture (its open SSH group and public bucket) scanned in moto,
and on graphs built from records for the statuses moto cannot make (denied reads, accepted risks).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from fixtures.insecure import build_insecure
from renderers.report import findings_data, write_report
from scanner.analysis import analyze, compliance
from scanner.analysis.findings import load_rules
from scanner.analysis.model import STATUS_SUPPRESSED, Analysis, Finding
from tests.conftest import section
from tests.support.markdown import table
from tests.test_new_findings import REG, scan_some


@pytest.fixture(scope="module")
def insecure(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    parts = ("network", "security_groups", "compute", "storage")
    return scan_some(lambda: build_insecure(parts), tmp_path_factory.mktemp("compliance"), [REG], {"ec2", "s3"})


def rows_of(doc: str, framework_label: str) -> dict[str, dict[str, str]]:
    """The 5.4 summary rows of one framework, by control id."""
    s54 = section(doc, "5.4")
    part = s54[s54.index(f"**{framework_label}**"):]
    return {r["Control"]: r for r in table(part, "| Control | Title |")}


# --- the data file --------------------------------------------------------------------------
def test_the_mapping_names_its_sources_and_versions():
    for fw in compliance.FRAMEWORKS:
        meta = compliance.framework(fw)
        assert meta["version"] and meta["source"].startswith("https://") and meta["control_list_from"]
        assert len(meta["controls"]) > 50 and all(c["title"] for c in meta["controls"].values())
    assert compliance.framework_title("cis") == "CIS Amazon Web Services Foundations Benchmark v3.0.0"
    assert compliance.framework("cis")["controls"]["5.2"]["title"].startswith(
        "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports")
    assert compliance.framework("fsbp")["controls"]["S3.8"]["title"].startswith("S3 Block Public Access")


def test_every_mapping_names_a_control_of_its_framework_and_a_known_rule_shape():
    rules = load_rules()
    for rid, fws in compliance.data()["rules"].items():
        assert set(fws) <= set(compliance.FRAMEWORKS), rid
        for fw in fws:
            for cid in compliance.rule_controls(rid)[fw]:
                assert cid in compliance.framework(fw)["controls"], (rid, fw, cid)
        # a rule of another helper may be mapped before it lands; every other id must be registered
        assert rid in rules or rid.split("-")[1].startswith("1") or rid.startswith("STR-"), rid


def test_well_known_rules_carry_the_controls_an_auditor_expects():
    assert compliance.rule_controls("NET-001") == {"cis": ["5.2", "5.3"], "fsbp": ["EC2.13", "EC2.18", "EC2.19"]}
    assert "S3.8" in compliance.rule_controls("STO-005")["fsbp"] and "2.1.4" in compliance.rule_controls("STO-005")["cis"]
    assert compliance.rule_controls("IAM-002") == {"cis": ["1.5"], "fsbp": ["IAM.9"]}
    assert compliance.rule_controls("LOG-003") == {"cis": ["3.2"], "fsbp": ["CloudTrail.4"]}
    assert compliance.rule_controls("EC2-001") == {"cis": ["5.6"], "fsbp": ["EC2.8"]}
    assert compliance.rule_controls("SVC-016") == {"fsbp": ["SNS.1"]}


# --- on the insecure fixture -----------------------------------------------------------------
def test_open_ssh_finding_carries_cis_5_2_and_fsbp_ec2_13_in_findings_json(insecure):
    data = json.loads(insecure.files.findings.read_text())
    ssh = [f for f in data["findings"] if f["rule"] == "NET-001" and f["status"] == "open"
           and insecure.ids["sg_open"] in f["resources"]]
    assert ssh and "5.2" in ssh[0]["controls"]["cis"] and "EC2.13" in ssh[0]["controls"]["fsbp"]
    assert "5.3" not in ssh[0]["controls"]["cis"]  # the planted rule is from 0.0.0.0/0, not ::/0
    every = [f for f in data["findings"] if f["rule"] == "NET-009" and f["status"] == "open"]
    assert every and "5.3" in every[0]["controls"]["cis"]  # the all-ports group admits ::/0
    assert set(data["compliance"]) == {"cis", "fsbp"}
    s38 = next(c for c in data["compliance"]["fsbp"]["controls"] if c["id"] == "S3.8")
    assert s38["status"] == "failed" and s38["failed_by"] == ["STO-005"]


def test_5_4_summary_rows_read_failed_passed_and_not_covered(insecure):
    fsbp = rows_of(insecure.doc, compliance.framework_title("fsbp"))
    assert fsbp["S3.8"]["Status"].startswith("failed (STO-005 on legacy-public-assets")
    assert fsbp["EC2.18"]["Status"].startswith("failed") and "other ports are not judged" in fsbp["EC2.18"]["What awsscan checks"]
    assert fsbp["EC2.13"]["Status"].startswith("failed (NET-001")
    assert fsbp["EC2.8"]["Status"].startswith("failed (EC2-001 on") and "legacy-admin-box" in fsbp["EC2.8"]["Status"]
    cis = rows_of(insecure.doc, compliance.framework_title("cis"))
    assert cis["5.2"]["Status"].startswith("failed (NET-001") and cis["5.2"]["Rules"] == "NET-001, NET-002, NET-009"
    assert cis["5.4"]["Status"].startswith("failed (NET-013 on default (sg-")  # a partial check can fail it
    assert "ingress" in cis["5.4"]["What awsscan checks"]
    assert cis["2.1.1"]["Status"].startswith("failed (STO-008 on legacy-public-assets")
    s54 = section(insecure.doc, "5.4")
    # rules whose collectors did not run (IAM was not scanned here) are not assessed, never passed
    assert cis["1.10"]["Status"].startswith("not assessed (IAM-003")
    assert "Not covered by any awsscan rule" in s54 and "1.1, 1.2" in s54


def test_compliance_option_limits_the_summary(insecure, tmp_path: Path):
    analysis = analyze(insecure.inv, {"compliance": "cis"})
    files = write_report(insecure.inv, analysis, tmp_path / "cis", project_name="Test")
    doc = files.document.read_text()
    assert compliance.framework_title("cis") in section(doc, "5.4") and compliance.framework_title("fsbp") not in doc
    assert set(json.loads(files.findings.read_text())["compliance"]) == {"cis"}


def test_compliance_option_on_the_command_line(insecure, tmp_path: Path):
    from scanner.cli import app

    snapshot = tmp_path / "inventory.json"
    insecure.inv.save(snapshot)
    res = CliRunner().invoke(app, ["render", str(snapshot), "--out", str(tmp_path / "r"), "--compliance", "FSBP"])
    assert res.exit_code == 0, res.output
    assert set(json.loads((tmp_path / "r" / "findings.json").read_text())["compliance"]) == {"fsbp"}
    bad = CliRunner().invoke(app, ["render", str(snapshot), "--out", str(tmp_path / "b"), "--compliance", "pci"])
    assert bad.exit_code == 2 and "--compliance must be one of cis, fsbp" in bad.output


# --- statuses from findings (no AWS) ------------------------------------------------------------
def finding(rule: str, status: str = "open", evidence: list[str] | None = None, reason: str = "") -> Finding:
    return Finding(rule=rule, title="t", severity="high", section="5.2", category="security", resources=["r1"],
                   evidence=evidence or [], remediation="r", status=status, reason=reason)


def status(analysis: Analysis, fw: str, cid: str) -> compliance.Control:
    return next(c for c in compliance.summary(analysis, fw) if c.id == cid)


def test_a_denied_read_makes_the_control_not_assessed_never_passed():
    a = Analysis(findings=[finding("NET-015", "not_assessed", reason="ec2.flow_logs denied in us-east-1")])
    compliance.record_scope(a, None, ["NET-015"])
    c = status(a, "cis", "3.7")
    assert c.status == compliance.NOT_ASSESSED and "ec2.flow_logs denied" in c.reason
    b = Analysis()
    compliance.record_scope(b, None, ["NET-015"])
    assert status(b, "cis", "3.7").status == compliance.PASSED


def test_a_rule_that_did_not_run_leaves_its_control_not_covered():
    a = Analysis()
    compliance.record_scope(a, None, ["NET-001"])
    assert status(a, "cis", "3.7").status == compliance.NOT_COVERED


def test_an_accepted_risk_still_fails_the_control_and_says_so():
    a = Analysis(findings=[finding("STO-005", STATUS_SUPPRESSED, ["bucket b Block Public Access off"])])
    compliance.record_scope(a, None, ["STO-005"])
    c = status(a, "fsbp", "S3.8")
    assert c.status == compliance.FAILED and c.accepted


def test_a_partial_rule_fails_a_control_but_never_passes_it():
    a = Analysis(findings=[finding("IAM-005", evidence=["user u key 1 last used never (120 days)"])])
    compliance.record_scope(a, None, ["IAM-005"])
    assert status(a, "cis", "1.12").status == compliance.FAILED
    b = Analysis()
    compliance.record_scope(b, None, ["IAM-005"])
    assert status(b, "cis", "1.12").status == compliance.NOT_COVERED


def test_findings_json_lists_controls_only_where_the_evidence_matches():
    a = Analysis(findings=[finding("DB-011", evidence=["r not encrypted in transit"])])
    compliance.record_scope(a, None, ["DB-011"])
    (item,) = findings_data(a)["findings"]
    assert item["controls"] == {"fsbp": ["ElastiCache.5"]}

"""Rules, findings lists and the plan read the judged facts: unknown is "not assessed", never a pass.

Graphs built from records (no moto): the rules judge a node that was never judged with the
same judges the scan runs (scanner/judge/), so a rule cannot fall back to its own reading.
"""

from __future__ import annotations

from typing import Any

from renderers.document import DocHelpers
from renderers.facts import plan
from scanner import judge
from scanner.analysis import analyze
from scanner.analysis.model import STATUS_NOT_ASSESSED, STATUS_OPEN, STATUS_SUPPRESSED, Analysis, Finding
from scanner.inventory import Inventory, Records
from tests.test_findings import ACCT, REG, inventory, ok_runs

ROOT = f"arn:aws:iam::{ACCT}:root"


def by_rule(inv: Inventory, rule: str) -> list[Any]:
    return [f for f in analyze(inv).findings if f.rule == rule]


def user_only_records() -> Records:
    """A credential report that was read but has no root row (only a user's)."""
    rec = Records(region="global", account=ACCT)
    rec.node(f"arn:aws:iam::{ACCT}:user/ci", "iam:user", "ci", user_name="ci", password_enabled=False,
             mfa_active=True, access_keys=[])
    return rec


def test_root_checks_without_a_root_row_are_not_assessed():
    inv = inventory(user_only_records(), ok_runs("iam"))
    for rule in ("IAM-001", "IAM-002"):
        fs = by_rule(inv, rule)
        assert [f.status for f in fs] == [STATUS_NOT_ASSESSED], (rule, fs)
        assert "no root account row" in fs[0].reason


def test_root_checks_with_an_unreadable_report_are_not_assessed():
    runs = [{**r, "status": "failed", "action": "iam:GetCredentialReport", "message": "report not ready"}
            if r["collector"] == "iam.credential_report" else r for r in ok_runs("iam")]
    inv = inventory(user_only_records(), runs)
    for rule in ("IAM-001", "IAM-002"):
        fs = by_rule(inv, rule)
        assert [f.status for f in fs] == [STATUS_NOT_ASSESSED], rule
        assert "report not ready" in fs[0].reason or "iam:GetCredentialReport" in fs[0].reason


def test_root_checks_with_a_root_row_still_judge_it():
    rec = user_only_records()
    rec.node(ROOT, "iam:root", "root account", mfa_active=True, access_keys_active=False, access_keys=[])
    inv = inventory(rec, ok_runs("iam"))
    assert by_rule(inv, "IAM-001") == [] and by_rule(inv, "IAM-002") == []


def buckets(gapped: str) -> tuple[Records, list[dict[str, Any]]]:
    rec = Records(region=REG, account=ACCT)
    for name, versioning in (("plain", "Suspended"), ("kept", "Enabled"), (gapped, None)):
        rec.node(f"arn:aws:s3:::{name}", "s3:bucket", name, name=name, versioning=versioning)
    gaps = [{"service": "s3", "region": REG, "action": "s3:GetBucketVersioning", "reason": "access denied",
             "resource": f"arn:aws:s3:::{gapped}"}]
    return rec, gaps


def test_unreadable_versioning_is_not_assessed_for_that_bucket_only():
    rec, gaps = buckets("secret")
    fs = by_rule(inventory(rec, ok_runs("s3"), gaps), "STO-009")
    got = {(f.status, tuple(f.resources)) for f in fs}
    assert got == {(STATUS_OPEN, ("arn:aws:s3:::plain",)), (STATUS_NOT_ASSESSED, ("arn:aws:s3:::secret",))}
    na = next(f for f in fs if f.status == STATUS_NOT_ASSESSED)
    assert "s3:GetBucketVersioning" in na.reason and not na.evidence


def test_unknown_fact_without_a_gap_record_is_still_not_assessed():
    """A bucket whose versioning is unknown for a reason the gap list does not name (an older
    snapshot, a collector that dropped the field) is not a pass either: the judged fact says unknown."""
    rec = Records(region=REG, account=ACCT)
    rec.node("arn:aws:s3:::odd", "s3:bucket", "odd", name="odd", versioning=None)
    fs = by_rule(inventory(rec, ok_runs("s3")), "STO-009")
    assert [f.status for f in fs] == [STATUS_NOT_ASSESSED]
    assert "s3:GetBucketVersioning" in fs[0].reason


# --- counts in headings agree with the lists --------------------------------------------------
def finding(rule: str, resources: list[str], status: str = STATUS_OPEN, reason: str = "") -> Finding:
    return Finding(rule=rule, title=f"{rule} title", severity="medium", section="4.1", category="security",
                   resources=resources, evidence=[f"{rule} on {','.join(resources)}"], remediation="fix it",
                   status=status, reason=reason)


def heading_and_items(text: str) -> tuple[str, list[str]]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[0], [ln for ln in lines if ln.startswith("- **")]


def test_findings_heading_counts_the_entries_it_lists():
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "runs": [], "gaps": []})
    a = Analysis(findings=[finding("STO-009", [f"arn:aws:s3:::b{i}"]) for i in range(3)]
                 + [finding("STO-011", ["arn:aws:s3:::b0"]), finding("STO-005", ["arn:aws:s3:::b1"]),
                    finding("STO-006", [], STATUS_NOT_ASSESSED, "s3:GetBucketPolicy denied"),
                    finding("STO-007", ["arn:aws:s3:::b2"], STATUS_SUPPRESSED, "accepted")])
    head, items = heading_and_items(str(DocHelpers(inv, a, {}).findings("4.1")))
    assert head == "**Findings (3 open, on 5 resources; 1 not assessed; 1 accepted risk):**", head
    assert len(items) == 5
    assert sum(1 for i in items if "NOT ASSESSED" not in i and "ACCEPTED" not in i) == 3


def test_findings_heading_stays_short_when_each_entry_is_one_resource():
    inv = Inventory(meta={"account": ACCT, "regions": [REG], "runs": [], "gaps": []})
    a = Analysis(findings=[finding("STO-009", ["arn:aws:s3:::b0"])])
    head, items = heading_and_items(str(DocHelpers(inv, a, {}).findings("4.1")))
    assert head == "**Findings (1 open):**" and len(items) == 1


# --- 11.1 counts detective services from their judged facts -----------------------------------
def recorder_inventory(recording: bool | None) -> Inventory:
    rec = Records(region=REG, account=ACCT)
    rid = f"arn:aws:config:{REG}:{ACCT}:config-recorder/default"
    rec.node(rid, "config:recorder", "default", recording=recording)
    gaps = [] if recording is not None else [
        {"service": "config", "region": REG, "action": "config:DescribeConfigurationRecorderStatus",
         "reason": "access denied", "resource": rid}]
    inv = inventory(rec, ok_runs("config"), gaps)
    judge.run(inv)
    return inv


def foundation_items(inv: Inventory) -> list[str]:
    return next(layer for layer in plan.layers(inv, Analysis()) if layer["name"] == "Account foundation")["items"]


def test_plan_says_recording_unknown_when_the_recorder_status_was_not_read():
    items = foundation_items(recorder_inventory(None))
    line = next(i for i in items if "Config recorder" in i)
    assert line == "1 Config recorder (recording unknown: config:DescribeConfigurationRecorderStatus: access denied)"
    assert "1 Config recorder (recording)" not in items


def test_plan_counts_a_recording_recorder_and_leaves_out_a_stopped_one():
    assert "1 Config recorder (recording)" in foundation_items(recorder_inventory(True))
    assert not any("Config recorder" in i for i in foundation_items(recorder_inventory(False)))


def test_plan_says_where_config_could_not_be_read_at_all():
    from scanner.context import region_id_node

    rec = Records(region=REG, account=ACCT)
    rec.node(region_id_node(ACCT, REG), "aws:region", REG, region=REG, enabled=True)
    runs = [{**r, "status": "denied", "action": "config:DescribeConfigurationRecorders", "message": "access denied"}
            if r["region"] == REG else r for r in ok_runs("config")]
    inv = inventory(rec, runs)
    judge.run(inv)
    items = foundation_items(inv)
    assert any(i.startswith(f"AWS Config in {REG}: recording unknown (") and "access denied" in i for i in items), items

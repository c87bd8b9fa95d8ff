"""Every fact stated in more than one place says the same thing, on the sample, insecure and large
accounts: guard services in 5.4 and 12.3, encryption in 5.3 and the judged facts, protection in 9.2,
and finding counts in headings and lists. Each cell is compared with the one stored judged fact."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import scan_account, section
from tests.support.markdown import table as _table

STATE_WORDS = {"yes": "yes", "on": "yes", "recording": "yes", "protected": "yes",
               "no": "no", "off": "no", "recorder stopped": "no", "suspended": "no", "not protected": "no",
               "not available here": "no", "unknown": "unknown"}


def table(text: str, header_start: str) -> list[dict[str, str]]:
    return _table(text, header_start, required=False)


def state_of(cell: str) -> str:
    """A cell's yes/no/unknown, from its first words ("recording, 1 rule" -> yes)."""
    c = cell.strip().lower()
    if c.startswith("unknown"):
        return "unknown"
    head = c.split(",")[0].split(" (")[0].strip()
    if head not in STATE_WORDS:
        raise AssertionError(f"cell {cell!r} states no yes/no/unknown")
    return STATE_WORDS[head]


@pytest.fixture(scope="module")
def insecure(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.insecure import build_insecure

    return scan_account(build_insecure, Path(tmp_path_factory.mktemp("consistency-insecure")))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.large import build_inventory
    from renderers.report import write_report

    inv, analysis = build_inventory("tiny")
    files = write_report(inv, analysis, Path(tmp_path_factory.mktemp("consistency-large")), project_name="Large")
    return SimpleNamespace(inv=inv, analysis=analysis, files=files, doc=files.document.read_text(encoding="utf-8"))


@pytest.fixture(params=["sample", "insecure", "large"])
def account(request: pytest.FixtureRequest) -> SimpleNamespace:
    return request.getfixturevalue(request.param)


GUARDS = {"GuardDuty": "guardduty", "AWS Config": "config", "Security Hub": "securityhub",
          "IAM Access Analyzer": "access_analyzer"}


def test_guard_services_agree_in_5_4_12_3_and_the_facts(account: SimpleNamespace) -> None:
    matrix = {r["Region"]: r for r in table(section(account.doc, "5.4"), "| Region | GuardDuty |")}
    incident = {r["Region"]: r for r in table(section(account.doc, "12.3"), "| Region | GuardDuty |")}
    assert set(matrix) == set(incident) == set(account.inv.regions)
    for region in account.inv.regions:
        for col, fact in GUARDS.items():
            f = account.inv.region_fact(region, fact)
            assert f is not None, (region, fact)
            assert state_of(matrix[region][col]) == f.state, (region, col, matrix[region][col], f)
            assert state_of(incident[region][col]) == f.state, (region, col, incident[region][col], f)


def test_encryption_counts_in_5_3_are_the_judged_facts(account: SimpleNamespace) -> None:
    from scanner import kinds
    from scanner.fact import tally

    rows = {r["Resource kind"].lower(): r for r in table(section(account.doc, "5.3"), "| Resource kind |")}
    assert rows, "5.3 has no at-rest table"
    for kind, spec in kinds.SPECS.items():
        facts = [f for n in account.inv.nodes(kind) if (f := account.inv.fact(n["id"], "encrypted"))]
        if not facts:
            continue
        row = rows.get(spec.plural.lower())
        assert row, f"5.3 has no row for {spec.plural}"
        t = tally(facts)
        assert (row["Encrypted"], row["Not encrypted"], row["Not known"]) == \
            (str(t["yes"]), str(t["no"]), str(t["unknown"])), (kind, row, t)


def test_protection_in_9_2_is_the_judged_fact(account: SimpleNamespace) -> None:
    from scanner import kinds, naming

    rows = table(section(account.doc, "9.2"), "| Type | Region | Resource |")
    stated = {(r["Region"], r["Resource"]): state_of(r["Status"]) for r in rows}
    expected = {}
    for kind in kinds.protectable():
        for n in account.inv.nodes(kind):
            f = account.inv.fact(n["id"], "protected")
            if f is not None:
                expected[(n["region"], naming.name(account.inv, n["id"]))] = f.state
    assert stated == expected


def test_finding_headings_count_what_they_list(account: SimpleNamespace) -> None:
    blocks = re.split(r"\n(?=\*\*Findings \()", account.doc)
    checked = 0
    for block in blocks[1:]:
        head = block.splitlines()[0]
        body = block.split("\n\n", 2)[1] if block.count("\n\n") >= 1 else ""
        items = [line for line in body.splitlines() if line.startswith("- **")]
        opened = [i for i in items if not i.startswith(("- **NOT ASSESSED**", "- **ACCEPTED RISK**"))]
        m = re.match(r"\*\*Findings \((\d+) open", head)
        if m:
            assert int(m.group(1)) == len(opened), (head, opened)
            checked += 1
    assert checked

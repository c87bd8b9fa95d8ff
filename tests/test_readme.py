"""The README tells the truth: quick start, options, and a coverage row for every collector."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.collectors import load_all
from scanner.guard import ALLOWED_OPERATIONS

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_quick_start_is_exactly_the_two_commands():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    assert [line.strip() for line in block.strip().splitlines()] == ["make demo", "make test"]


def test_every_collector_is_in_the_coverage_table():
    table = README.split("## What is collected", 1)[1].split("### Analysis", 1)[0].lower()
    for c in load_all():
        actions = [t for t in re.split(r"[,\s()]+", c.reads) if ":" in t]
        assert actions, f"{c.name} declares no reads"
        for a in actions:
            assert a.lower() in table, f"{c.name}: {a} missing from the README coverage table"


def test_every_non_read_operation_is_documented():
    section = README.split("### Operations other than Describe/List/Get", 1)[1]
    for op in ALLOWED_OPERATIONS:
        assert op in section, op


def test_guarantees_name_tests_that_exist():
    section = README.split("## Security and reliability", 1)[1].split("## Development", 1)[0]
    names = set(re.findall(r"(tests/test_\w+\.py)(?:::(\w+))?", section))
    assert len(names) > 10
    root = Path(__file__).parent.parent
    for path, name in names:
        text = (root / path).read_text()
        if name:
            assert f"def {name}(" in text, f"{path}::{name}"
    for name in re.findall(r"`::(\w+)`", section):
        assert any(f"def {name}(" in p.read_text() for p in (root / "tests").glob("test_*.py")), name
    for name in re.findall(r"`(test_\w+)`", section):
        assert any(f"def {name}(" in p.read_text() for p in (root / "tests").glob("test_*.py")), name


def test_coverage_table_is_generated_from_the_kind_specs():
    """README's table is exactly what `python -m scanner.coverage --write` writes (run it when this fails)."""
    from scanner import coverage

    assert coverage.current(README) == coverage.block()
    assert coverage.current(README, coverage.RULES_START, coverage.RULES_END) == coverage.rules_block()

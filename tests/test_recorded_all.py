"""The sweep: every recorded-shape case against every variant (see tests/test_recorded_shapes.py).

Checks, per transform:
* no variant raises; every node fits its kind spec (types included);
* the resources are in the records (their names appear), and where an identifier is
  missing (minimal/null variants) the records say so with a gap;
* an unknown enum value stays raw: a prop that changes when only enums change holds the
  raw value or None, never another known value;
* a missing field stays None: a yes/no (or a documented enum value) that depends on the
  input is never stated when the input is absent, unless the case says why AWS defines it;
* naive timestamps and API date strings give the same output as aware datetimes.

``python -m tests.test_recorded_all --write`` writes missing fixtures.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import pytest

from tests.test_recorded_shapes import (
    ID_VARIANTS,
    IDS_MAY_BE_MISSING,
    VARIANTS,
    Case,
    by_id,
    contains_unknown,
    counterpart,
    edge_end,
    expected_names,
    family_refs,
    fixture_path,
    known_enums,
    leaves,
    named,
    op_parts,
    prop_root,
    realistic,
    responses,
    run,
    spec_problems,
    to_json,
)

#: kind specs whose declared type does not fit what the transform (rightly) states; the specs are
#: not this suite's to change: (kind, prop) -> what the lead is asked to change
SPEC_MISMATCHES = {
    ("cloudfront:distribution", "logging"): "P('logging', 'bool') but an enabled log is {bucket, prefix} "
                                            "(renderers/facts/resilience.py _logging_text reads it): type 'any'",
}

FAMILIES = ("network", "network_transit", "compute", "scaling", "storage", "database", "iam", "security",
            "delivery", "loadbalancing", "resilience", "operations", "cost", "serverless", "streams")

#: where a family's cases live when not in ``tests/test_recorded_<family>.py`` (streams: the stream
#: collectors' cases sit with their facts and findings tests, Cognito's with its own; one fixture folder)
CASE_MODULES = {"streams": ("tests.test_streams",)}
#: cases that share a family's fixture folder but keep their own sweep (tests/test_cognito.py: its
#: cases state no ``ids`` yet, which the ``+ids`` variants here need); counted as reading their fixtures
#: and covering their transforms, not swept again here
SWEPT_ELSEWHERE = {"streams": ("tests.test_cognito",)}
#: the collector modules whose transforms a family's cases cover, where not ``scanner.collectors.<family>``
TRANSFORM_MODULES = {
    "serverless": ("serverless", "apigateway", "apigateway_extras", "lambda_extras"),
    "streams": ("streaming", "cognito"),
}


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for fam in FAMILIES:
        for mod in CASE_MODULES.get(fam, (f"tests.test_recorded_{fam}",)):
            cases += importlib.import_module(mod).CASES
    return cases


CASES = all_cases()
#: every case of the families, with those swept elsewhere (for coverage and fixture use only)
KNOWN_CASES = CASES + [c for fam in FAMILIES for mod in SWEPT_ELSEWHERE.get(fam, ())
                       for c in importlib.import_module(mod).CASES]


def refs_of(case: Case) -> tuple[str, ...]:
    return family_refs(CASES, case.family)


@pytest.mark.parametrize("kind", VARIANTS + ID_VARIANTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_variant_is_read(case: Case, kind: str) -> None:
    out = run(case, kind, refs_of(case))
    assert [p for p in spec_problems(out)
            if not any(p.startswith(f"{k} ") and f": {prop}: " in p for k, prop in SPEC_MISMATCHES)] == []
    full = responses(case, "full", refs_of(case))
    if kind not in IDS_MAY_BE_MISSING:
        names = expected_names(case, responses(case, kind, refs_of(case)))
        missing = [n for n in names if not named(out, n)]
        assert not missing, f"{case.id} [{kind}]: resources not in the records: {missing}"
        ends = expected_names(case, responses(case, kind, refs_of(case)), case.edges)
        missing = [n for n in ends if not edge_end(out, n)]
        assert not missing, f"{case.id} [{kind}]: relationships not in the records: {missing}"
    else:
        # a resource whose identifier is absent may be skipped, with a gap; an edge whose far end
        # the variant no longer states cannot be drawn, and that needs no gap (its source's does)
        lost = [n for n in expected_names(case, full) if not named(out, n)]
        lost += [n for n in expected_names(case, responses(case, kind, refs_of(case)), case.edges)
                 if not edge_end(out, n)]
        if lost:
            assert out.gaps, f"{case.id} [{kind}]: {lost} left out without a gap saying so"
    assert expected_names(case, full) or expected_names(case, full, case.edges), \
        f"{case.id}: the full fixture names no resource (check the case's names)"


def _outputs(case: Case, *kinds: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {k: by_id(run(case, k, refs_of(case))) for k in kinds}


def test_every_case_names_its_fixture_resources() -> None:
    for case in CASES:
        assert case.names or case.edges, f"{case.id}: say where the resources' names are"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_unknown_enum_stays_raw(case: Case) -> None:
    outs = _outputs(case, "full", "unknown_enum")
    wrong = []
    for nid, props in outs["unknown_enum"].items():
        full = dict(leaves(counterpart(outs["unknown_enum"], nid, outs["full"])))
        for path, value in leaves(props):
            if path not in full or full[path] == value or value is None or value == [] or contains_unknown(value):
                continue
            if prop_root(path) in case.allow_enum:
                continue
            wrong.append(f"{nid} {path}: {full[path]!r} -> {value!r}")
    assert not wrong, f"{case.id}: an unknown enum value became another value:\n" + "\n".join(wrong)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_missing_field_stays_unknown(case: Case) -> None:
    """With members absent (or null), a yes/no or a documented enum value the output states must
    come from what is still there: one that no remaining input can change, although the full
    input does change it, was made up from the absence."""
    probes = ("all_true", "all_false", "unknown_enum")
    absent = ("nulls+ids", "deep_nulls+ids", "minimal+ids")
    outs = _outputs(case, "full", *probes, *absent, *(f"{a}|{p}" for a in absent for p in probes))
    enums = frozenset().union(*(known_enums(*op_parts(r)) for r in case.ops))
    wrong = []
    for kind in absent:
        for nid, props in outs[kind].items():
            present = [dict(leaves(counterpart(outs[kind], nid, outs[k]))) for k in ("full", *probes)]
            probed = [dict(leaves(counterpart(outs[kind], nid, outs[f"{kind}|{p}"]))) for p in probes]
            for path, value in leaves(props):
                if not (isinstance(value, bool) or (isinstance(value, str) and value in enums)):
                    continue
                if any(r.get(path, value) != value for r in probed):
                    continue  # still read from a member that is there
                seen = [r[path] for r in present if path in r]
                if all(x == value for x in seen):
                    continue  # a constant
                if prop_root(path) in case.allow:
                    continue
                wrong.append(f"[{kind}] {nid} {path}: {value!r} (with the input present: {seen!r})")
    assert not wrong, f"{case.id}: a fact stated although its input is absent:\n" + "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_timestamps_in_any_form(case: Case) -> None:
    outs = _outputs(case, "full", "naive_time", "string_time")
    for kind in ("naive_time", "string_time"):
        assert outs[kind] == outs["full"], f"{case.id}: {kind} changes the output"


def test_every_transform_has_a_case() -> None:
    covered = {(c.transform.__module__, c.transform.__name__) for c in KNOWN_CASES}
    missing = []
    for fam in FAMILIES:
        for module in TRANSFORM_MODULES.get(fam, (fam,)):
            mod = importlib.import_module(f"scanner.collectors.{module}")
            for name, fn in vars(mod).items():
                if name.startswith("transform_") and callable(fn) and fn.__module__ == mod.__name__ \
                        and (mod.__name__, name) not in covered:
                    missing.append(f"{mod.__name__}.{name}")
    assert not missing, f"transforms without a recorded-shape case: {missing}"


def test_every_fixture_is_used() -> None:
    used = {fixture_path(c.family, r, family_refs(KNOWN_CASES, c.family)) for c in KNOWN_CASES for r in c.ops}
    from tests.test_recorded_shapes import DATA

    stored = set(DATA.glob("*/*.json"))
    stored = {p for p in stored if p.parent.name in FAMILIES}
    assert stored - used == set(), f"fixtures no case reads: {sorted(stored - used)}"
    assert used - stored == set(), "fixtures missing: run python -m tests.test_recorded_all --write"


def write_missing(cases: list[Case] | None = None) -> list[str]:
    """Write the fixtures ``cases`` (default: every family's) read that do not exist yet."""
    cases = CASES if cases is None else cases
    written = []
    for case in cases:
        for ref in case.ops:
            path = fixture_path(case.family, ref, family_refs(cases, case.family))
            if path.exists():
                continue
            service, op = op_parts(ref)
            path.parent.mkdir(parents=True, exist_ok=True)
            doc = {"service": service, "operation": op,
                   "source": "botocore output shape (every member) under the AWS documentation example "
                             "(examples-1.json) where one exists; values shaped like AWS's",
                   "response": to_json(realistic(service, op))}
            path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
            written.append(str(path))
    return written


if __name__ == "__main__":
    if "--write" in sys.argv:
        for p in write_missing():
            print("wrote", p)

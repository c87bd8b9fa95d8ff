"""Each kind's meaning is said once, in its spec, and everything agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

from scanner import kinds
from scanner.collectors import load_all
from scanner.vocab import KINDS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_SECTIONS = {p.name.split(".md")[0] for p in (ROOT / "renderers/templates/subsections").glob("*.md.j2")}


def test_every_kind_has_one_spec_and_the_vocabulary_is_read_from_it():
    assert set(KINDS) == set(kinds.SPECS)
    for kind, spec in kinds.SPECS.items():
        assert KINDS[kind] == spec.promised()
        assert spec.singular and spec.plural, kind
        assert spec.plural != spec.singular or kind == "internet", kind
        assert kinds.count(kind, 1) == f"1 {spec.singular}" and kinds.count(kind, 2) == f"2 {spec.plural}"


def test_specs_name_real_collectors_actions_and_sections():
    registry = {c.name: c for c in load_all()}
    for kind, spec in kinds.SPECS.items():
        for c in spec.collectors:
            assert c in registry, f"{kind}: collector {c} is not registered"
        if spec.collectors:
            acts = kinds.actions(kind)
            assert acts and all(re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z0-9]+", a) for a in acts), (kind, acts)
        for s in spec.sections:
            assert s in TEMPLATE_SECTIONS, f"{kind}: section {s} is not a subsection of the document"
        assert spec.zone in ("outside", "global", "region", "vpc", "subnet"), kind
    fed = {c for s in kinds.SPECS.values() for c in s.collectors}
    edge_only = {"codestar-notifications.rules"}  # adds publishes_to edges to existing nodes only
    assert set(registry) - fed == edge_only


def test_gap_sections_come_from_the_specs():
    assert kinds.section_of_action("s3:GetBucketVersioning", "s3") == "4.1"
    assert kinds.section_of_action("kms:GetKeyRotationStatus", "kms") == "5.3"
    assert kinds.section_of_action("ec2:DescribeLaunchTemplateVersions", "ec2") == "3.1"
    assert "ec2.nat_gateways" in kinds.collectors_for("2.3") and "ec2.vpcs" not in kinds.collectors_for("2.3")


def test_fixture_props_have_the_types_their_specs_say(sample):
    """Every node of the sample scan: props named in its spec, of the spec's type (None = not read)."""
    problems = {}
    for n in sample.inv.nodes(include_external=False):
        found = kinds.spec(n["kind"]).problems(n["props"])
        if found:
            problems[n["id"]] = found
    assert problems == {}


def test_large_fixture_props_have_the_types_their_specs_say():
    from fixtures.large import build_inventory

    inv, _ = build_inventory("tiny")
    problems = {n["id"]: p for n in inv.nodes() if (p := kinds.spec(n["kind"]).problems(n["props"]))}
    assert problems == {}


#: the one home of each helper; a second definition anywhere else fails
ONE_HOME = {
    r"(?m)^def (short|label|_label|_name|short_id|node_name|node_label)\(": "scanner/naming.py",
    r"\(\s*[\"']denied[\"'],\s*[\"']failed[\"']\s*\)": "scanner/status.py",
    r"(?m)^def (pluralize|plural_of|count_of|noun)\(": "scanner/plural.py",
}


def test_no_second_copy_of_naming_status_or_plural_helpers():
    offenders = []
    for path in list((ROOT / "scanner").rglob("*.py")) + list((ROOT / "renderers").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        for pattern, home in ONE_HOME.items():
            if rel != home and re.search(pattern, text):
                offenders.append(f"{rel}: {pattern}")
    for path in (ROOT / "renderers/templates").rglob("*.j2"):
        if re.search(r"[\"']denied[\"'],\s*[\"']failed[\"']", path.read_text(encoding="utf-8")):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []

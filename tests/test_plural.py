"""Counts with their noun in the right number (scanner/plural.py, the one pluraliser)."""

from renderers.document import environment
from renderers.facts import compute
from renderers.plural import count_of, noun
from scanner.analysis.rules._util import count_of as rule_count_of
from scanner.plural import count_of as scanner_count_of


def test_count_of_regular_irregular_and_zero() -> None:
    assert count_of(1, "bucket") == "1 bucket" and count_of(3, "bucket") == "3 buckets"
    assert count_of(0, "bucket") == "no buckets" and count_of(None, "VPC", zero="0") == "0 VPCs"
    assert count_of(2, "policy") == "2 policies" and count_of(2, "key") == "2 keys"
    assert count_of(2, "address") == "2 addresses" and count_of(["a", "b"], "AZ") == "2 AZs"
    assert count_of(2, "point of failure", "points of failure") == "2 points of failure"
    assert noun(1, "family") == "family" and noun(5, "family") == "families"
    assert compute.count_of is count_of  # the old name still works for the templates


def test_plural_filter() -> None:
    t = environment().from_string('{{ a|plural("bucket") }}; {{ b|plural("policy", "policies") }}; '
                                  '{{ c|plural("VPC", zero="No") }}; {{ d|plural("rule") }}')
    assert t.render(a=1, b=3, c=0, d=[1, 2]) == "1 bucket; 3 policies; No VPCs; 2 rules"


def test_one_pluraliser_for_rules_and_document() -> None:
    assert rule_count_of is scanner_count_of is count_of

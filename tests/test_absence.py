"""A list of several kinds that is empty says, per kind, whether it was read and found empty,
could not be read (and where), or was left out by choice: never "none" for what was not read."""

from __future__ import annotations

from typing import Any

from renderers.absence import none_of

KINDS = ("ec2:internet-gateway", "ec2:nat-gateway", "directconnect:virtual-interface")


class _Inv:
    def __init__(self, runs: list[dict[str, Any]], regions: tuple[str, ...] = ("eu-central-1",)) -> None:
        self.meta = {"runs": runs}
        self.regions = list(regions)


def _run(collector: str, region: str = "eu-central-1", state: str = "failed") -> dict[str, Any]:
    return {"collector": collector, "service": collector.split(".")[0], "region": region, "status": state}


def test_all_read_and_empty_says_none_found():
    text = none_of(_Inv([_run("ec2.internet_gateways", state="ok")]), KINDS)
    assert text == ("No internet gateways, NAT gateways or Direct Connect virtual interfaces were found "
                    "in the scanned regions (eu-central-1).")


def test_one_failed_feed_does_not_make_the_others_unread():
    text = none_of(_Inv([_run("directconnect.virtual_interfaces")]), KINDS)
    assert text.startswith("No internet gateways or NAT gateways were found in the scanned regions")
    assert "Direct Connect virtual interfaces could not be read (see below)" in text
    assert "No Direct Connect" not in text


def test_every_feed_denied_says_none_could_be_listed():
    runs = [_run(c, state="denied") for c in ("ec2.internet_gateways", "ec2.nat_gateways",
                                              "directconnect.virtual_interfaces")]
    text = none_of(_Inv(runs), KINDS)
    assert "could be listed: the scan could not read them" in text
    assert "were found" not in text


def test_a_feed_denied_in_one_region_names_that_region():
    inv = _Inv([_run("ec2.nat_gateways", region="eu-west-1", state="denied")], ("eu-central-1", "eu-west-1"))
    text = none_of(inv, KINDS)
    assert "NAT gateways could not be read in eu-west-1" in text
    assert "No internet gateways or Direct Connect virtual interfaces were found" in text


def test_excluded_feed_is_not_scanned_not_absent():
    inv = _Inv([_run("directconnect.virtual_interfaces", state="excluded")])
    inv.meta["selection"] = "excluded with --exclude-services directconnect"
    text = none_of(inv, KINDS)
    assert "Direct Connect virtual interfaces are not listed: not scanned, excluded with --exclude-services" in text
    assert "could not be read" not in text


def test_a_summary_names_the_list_in_the_plain_cases_and_each_group_when_mixed():
    summary = "internet gateways, NAT gateways or Direct Connect links"
    assert none_of(_Inv([]), KINDS, summary=summary) == (
        f"No {summary} were found in the scanned regions (eu-central-1).")
    denied = [_run(c, state="denied") for c in ("ec2.internet_gateways", "ec2.nat_gateways",
                                                "directconnect.virtual_interfaces")]
    assert none_of(_Inv(denied), KINDS, summary=summary) == (
        f"No {summary} could be listed: the scan could not read them (see below).")
    mixed = none_of(_Inv([_run("directconnect.virtual_interfaces")]), KINDS, summary=summary)
    assert mixed.startswith("No internet gateways or NAT gateways were found")
    assert "Direct Connect virtual interfaces could not be read" in mixed


def test_section_2_3_of_a_scan_with_one_denied_feed_keeps_the_others_as_read(tmp_path):
    import boto3

    from tests.conftest import scan_account, section
    from tests.support.denials import deny

    def build() -> dict[str, Any]:
        boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.9.0.0/16")
        return {}

    res = scan_account(build, tmp_path, regions=["us-east-1"], before_scan=deny("ec2:DescribeNatGateways"))
    text = section((tmp_path / "design.md").read_text(), "2.3")
    assert "NAT gateways could not be read (see below)" in text
    assert "No internet gateways, VPC endpoints" in text and "were found in the scanned regions" in text
    assert "could be listed: the scan could not read them" not in text
    assert "missing permission <code>ec2:DescribeNatGateways</code>" in text or \
        "missing permission `ec2:DescribeNatGateways`" in text, text
    assert res.inv is not None

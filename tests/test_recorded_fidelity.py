"""The sample answers in process what moto lacks (fixtures/sample/fidelity.py): a complete demo scan,
realistic and consistent answers, and real gaps still real (denials, other fixtures, moto server)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import boto3
import botocore.exceptions as bexc
import pytest
from moto import mock_aws

from tests.conftest import scan_account, section
from tests.support.denials import deny


def _build_with_fidelity() -> dict[str, Any]:
    from fixtures.sample import PARTS, build_sample

    return build_sample(PARTS if "fidelity" in PARTS else (*PARTS, "fidelity"))


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    return scan_account(_build_with_fidelity, tmp_path_factory.mktemp("fidelity"))


def test_nothing_moto_lacks_is_left_unread(full: SimpleNamespace) -> None:
    answered = {op.split(":", 1)[1] for op in full.ids["fidelity"]}
    unread = [g for g in full.inv.meta["gaps"] if g["action"].split(":", 1)[1] in answered]
    assert unread == []
    assert not [g for g in full.inv.meta["gaps"] if g["service"] in ("backup", "ce", "codedeploy", "codepipeline",
                                                                       "config", "ssm", "wafv2")]
    unavailable = {r["collector"] for r in full.inv.meta["runs"] if r["status"] == "unavailable"}
    assert not unavailable & {"accessanalyzer.analyzers", "codestar-connections.connections"}


def test_answers_are_the_samples_own(full: SimpleNamespace) -> None:
    s92 = section(full.doc, "9.2")
    assert "web-platform-daily" in s92 and "| web-platform-vault | 70 |" in s92
    row = next(line for line in s92.splitlines() if "| web-platform-db |" in line)
    assert "web-platform-daily" in row and row.rstrip().endswith("| protected |")
    assert "whether a backup plan covers them is unknown" not in s92
    assert "Systems Manager manages 2 of 2 EC2 instances, 2 online" in section(full.doc, "12.4")
    assert "web-platform-services (DIMENSIONAL by SERVICE, 1 alert subscription)" in section(full.doc, "10.3")
    assert "s3-bucket-versioning-enabled" in section(full.doc, "5.4") and "NON\\_COMPLIANT" in section(full.doc, "5.4")
    conn = full.inv.node(full.ids["connection_arn"])
    assert conn and conn["props"]["status"] == "AVAILABLE" and not conn.get("external")
    waf = full.inv.node(full.ids["web_acl_arn"])
    assert waf["props"]["associated_arns"] == [full.ids["alb_arn"]]
    db = next(n for n in full.inv.nodes("rds:instance"))
    assert db["props"]["performance_insights"] is False   # a member AWS always sends, moto leaves out


def test_gaps_stay_real_outside_the_sample() -> None:
    """Denied reads still fail, and a fixture built later (moto reset) gets moto's own answers."""
    with mock_aws():
        ids = _build_with_fidelity()
        session = boto3.Session(region_name="us-east-1")
        deny("backup:ListBackupSelections")(session)
        with pytest.raises(bexc.ClientError, match="AccessDenied"):
            session.client("backup").list_backup_selections(BackupPlanId=ids["backup_plan_id"])
        assert boto3.client("ssm").describe_instance_information()["InstanceInformationList"]
    with mock_aws(), pytest.raises(NotImplementedError):
        boto3.client("ssm").describe_instance_information()


def test_installing_twice_wraps_moto_once() -> None:
    from moto.core.botocore_stubber import BotocoreStubber

    from fixtures.sample import fidelity

    assert fidelity.install()
    wrapped = BotocoreStubber.__call__
    assert getattr(wrapped, "_awsscan_fidelity", False)
    assert fidelity.install() and BotocoreStubber.__call__ is wrapped

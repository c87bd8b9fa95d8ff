"""Security-service collectors (KMS, Config, GuardDuty, Security Hub, ACM, WAFv2, Secrets Manager,
SSM parameters, CloudTrail) and sections 5.3/5.4 of the sample account's document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.exceptions as bexc
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from renderers.facts import security as facts
from renderers.report import write_report
from scanner import judge
from scanner.analysis import analyze
from scanner.collectors import cloudtrail as ct
from scanner.collectors import load_all, waf
from scanner.collectors import security as sec
from scanner.context import ScanContext
from scanner.inventory import Inventory, Records
from scanner.runner import scan
from scanner.session import make_session, verify_identity
from tests.conftest import section

ACCT = "123456789012"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCT}:key/1111-2222"


def ctx(region: str = "us-east-1") -> ScanContext:
    return ScanContext(boto3.Session(region_name=region), region, ACCT, regions=("us-east-1", "eu-west-1"))


def _error(code: str) -> bexc.ClientError:
    return bexc.ClientError({"Error": {"Code": code, "Message": "m"}}, "GetThing")


# --- soft(): per-resource calls never stop a collector ----------------------------------

def test_soft_records_denied_unsupported_and_missing() -> None:
    out = Records(region="us-east-1", account=ACCT)
    c = ctx()

    def raise_(exc: Exception) -> Any:
        raise exc

    assert sec.soft(c, out, "kms", "GetKeyPolicy", lambda: raise_(_error("AccessDeniedException")), resource="k") is None
    assert sec.soft(c, out, "config", "DescribeComplianceByConfigRule", lambda: raise_(NotImplementedError())) is None
    assert sec.soft(c, out, "kms", "GetKeyRotationStatus", lambda: raise_(_error("UnsupportedOperationException")),
                    missing=("UnsupportedOperationException",)) is None
    assert sec.soft(c, out, "kms", "DescribeKey", lambda: {"ok": 1}) == {"ok": 1}
    assert [(g.action, g.reason) for g in out.gaps] == [
        ("kms:GetKeyPolicy", "access denied"),
        ("config:DescribeComplianceByConfigRule", "not implemented by this endpoint")]


# --- KMS -----------------------------------------------------------------------------------

def test_key_policy_principals_summarised() -> None:
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999988887777:root", f"arn:aws:iam::{ACCT}:role/app"]},
         "Action": "kms:Decrypt", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": ACCT}}},
        {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:Encrypt*"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::555555555555:root"}, "Action": "kms:*"},
        {"Effect": "Allow", "Principal": {"AWS": "odd:root"}, "Action": "kms:*"}]}
    assert sec.key_policy_principals(policy, ACCT) == [
        "account root (IAM policies decide)", "account 999988887777", f"arn:aws:iam::{ACCT}:role/app",
        "* (anyone, see conditions)", "logs.amazonaws.com", "odd:root"]


def test_transform_keys_aliases_and_aws_managed() -> None:
    keys = [{"KeyId": "1111-2222", "KeyArn": KEY_ARN, "rotation": True, "policy": None,
             "meta": {"KeyId": "1111-2222", "Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled",
                      "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT"}},
            {"KeyId": "aws-1", "KeyArn": f"arn:aws:kms:us-east-1:{ACCT}:key/aws-1", "meta": None}]
    aliases = [{"AliasName": "alias/web", "TargetKeyId": "1111-2222"},
               {"AliasName": "alias/aws/s3", "TargetKeyId": "aws-1"},
               {"AliasName": "alias/unused"}]
    nodes = {n.props["key_id"]: n for n in sec.transform_keys(ctx(), keys, aliases).nodes}
    assert nodes["1111-2222"].name == "alias/web" and nodes["1111-2222"].props["rotation_enabled"] is True
    assert nodes["1111-2222"].props["manager"] == "CUSTOMER"
    # DescribeKey denied for this one: the reserved alias still says it is AWS managed
    assert nodes["aws-1"].props["manager"] == "AWS" and nodes["aws-1"].props["state"] is None


# --- CloudTrail ---------------------------------------------------------------------------------

def test_event_selectors_basic_and_advanced() -> None:
    assert ct.parse_event_selectors({"EventSelectors": [
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True,
         "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}]}) == (
        "WriteOnly", ["AWS::Lambda::Function"])
    assert ct.parse_event_selectors({"AdvancedEventSelectors": [
        {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "s3", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                          {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]}) == (
        "All", ["AWS::S3::Object"])
    assert ct.parse_event_selectors({"EventSelectors": [{"IncludeManagementEvents": False}]}) == (None, [])
    assert ct.parse_event_selectors(None) == (None, [])


def test_transform_trails_edges_and_unknown_status() -> None:
    trail = {"Name": "main", "TrailARN": f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/main", "HomeRegion": "us-east-1",
             "IsMultiRegionTrail": True, "LogFileValidationEnabled": False, "S3BucketName": "audit-logs",
             "KmsKeyId": KEY_ARN,
             "CloudWatchLogsLogGroupArn": f"arn:aws:logs:us-east-1:{ACCT}:log-group:trail-logs:*",
             "status": None, "selectors": None}
    recs = ct.transform_trails(ctx(), [trail])
    node = recs.nodes[0]
    assert node.props["is_logging"] is None and node.props["management_events"] is None
    assert node.props["cloudwatch_log_group"] == f"arn:aws:logs:us-east-1:{ACCT}:log-group:trail-logs"
    edges = {(e.rel, e.dst) for e in recs.edges}
    assert ("logs_to", "arn:aws:s3:::audit-logs") in edges
    assert ("logs_to", f"arn:aws:logs:us-east-1:{ACCT}:log-group:trail-logs") in edges
    assert ("encrypted_by", KEY_ARN) in edges


def test_shadow_copies_of_trails_are_read_only_in_their_home_region() -> None:
    """eu-west-1 lists shadow copies of a us-east-1 trail and of an organization trail homed in an
    unscanned region: the first is read in us-east-1 only, the second once, in the scan's home region."""
    org = {"Name": "org", "TrailARN": "arn:aws:cloudtrail:ap-south-1:999988887777:trail/org", "HomeRegion": "ap-south-1",
           "IsOrganizationTrail": True, "IsMultiRegionTrail": True}
    main = {"Name": "main", "TrailARN": f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/main", "HomeRegion": "us-east-1"}
    eu = ScanContext(boto3.Session(region_name="eu-west-1"), "eu-west-1", ACCT, home_region="us-east-1",
                     regions=("us-east-1", "eu-west-1"))
    with Stubber(eu.client("cloudtrail")) as stub:
        stub.add_response("describe_trails", {"trailList": [main, org]}, {"includeShadowTrails": True})
        assert ct.collect_trails(eu).nodes == []
    us = ctx("us-east-1")
    with Stubber(us.client("cloudtrail")) as stub:
        stub.add_response("describe_trails", {"trailList": [main, org]}, {"includeShadowTrails": True})
        for arn in (main["TrailARN"], org["TrailARN"]):
            stub.add_response("get_trail_status", {"IsLogging": True}, {"Name": arn})
            stub.add_response("get_event_selectors", {"TrailARN": arn, "EventSelectors": [
                {"ReadWriteType": "All", "IncludeManagementEvents": True}]}, {"TrailName": arn})
        nodes = ct.collect_trails(us).nodes
    assert [(n.name, n.props["organization_trail"], n.props["is_logging"]) for n in nodes] == [
        ("main", None, True), ("org", True, True)]


# --- Security Hub (moto lacks GetEnabledStandards) -------------------------------------------------

def test_security_hub_enabled_with_standards() -> None:
    """Stubber: moto implements DescribeHub but not GetEnabledStandards."""
    c = ctx()
    hub_arn = f"arn:aws:securityhub:us-east-1:{ACCT}:hub/default"
    with Stubber(c.client("securityhub")) as stub:
        stub.add_response("describe_hub", {"HubArn": hub_arn, "SubscribedAt": "2026-01-01T00:00:00Z",
                                           "AutoEnableControls": True})
        stub.add_response("get_enabled_standards", {"StandardsSubscriptions": [{
            "StandardsSubscriptionArn": "s1", "StandardsInput": {}, "StandardsStatus": "READY",
            "StandardsArn": "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"},
            {"StandardsSubscriptionArn": "s2", "StandardsInput": {}, "StandardsStatus": "READY",
             "StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"}]})
        recs = sec.collect_hub(c)
    node = recs.nodes[0]
    assert node.id == hub_arn and node.props["enabled"] is True and node.props["auto_enable_controls"] is True
    assert [s["name"] for s in node.props["standards"]] == [
        "aws-foundational-security-best-practices v1.0.0", "cis-aws-foundations-benchmark v1.2.0"]


def test_security_hub_not_enabled_is_a_node_not_an_error() -> None:
    c = ctx()
    with Stubber(c.client("securityhub")) as stub:
        stub.add_client_error("describe_hub", "InvalidAccessException", http_status_code=401)
        recs = sec.collect_hub(c)
    assert recs.nodes[0].props["enabled"] is False and recs.gaps == []
    assert recs.nodes[0].props["status"] == "not enabled", "LOG-010 quotes it as evidence; never None"


# --- ACM, WAF, secrets, parameters --------------------------------------------------------------------

def test_certificates_expiry_and_users() -> None:
    at = datetime(2026, 6, 1, tzinfo=UTC)
    lb = f"arn:aws:elasticloadbalancing:us-east-1:{ACCT}:loadbalancer/app/web/abc"
    cert = {"CertificateArn": f"arn:aws:acm:us-east-1:{ACCT}:certificate/c1", "DomainName": "example.com",
            "SubjectAlternativeNames": ["example.com", "*.example.com"], "Status": "ISSUED", "Type": "IMPORTED",
            "NotAfter": at + timedelta(days=20), "InUseBy": [lb], "RenewalEligibility": "INELIGIBLE"}
    recs = sec.transform_certificates(ctx(), [cert, {"CertificateArn": "arn:x", "DomainName": "old.example.com",
                                                      "NotAfter": at - timedelta(days=3)}], at=at)
    a, b = recs.nodes
    assert a.props["days_to_expiry"] == 20 and a.props["renewal_eligible"] is False
    assert b.props["days_to_expiry"] == -3 and b.props["in_use"] is False
    assert ("uses_certificate", lb) in {(e.rel, e.src) for e in recs.edges}
    inv = Inventory(meta={})
    inv.merge([recs])
    assert facts.certificate_summary(inv) == {"total": 2, "expired": 1, "expiring": 1, "imported": 1, "unused": 1,
                                              "soon": 30}
    assert [r[1] for r in facts.certificate_rows(inv)] == ["old.example.com", "example.com"]  # soonest first


def test_web_acl_rules_and_associations() -> None:
    alb = f"arn:aws:elasticloadbalancing:us-east-1:{ACCT}:loadbalancer/app/web/abc"
    acl = {"summary": {"Name": "edge", "ARN": "arn:aws:wafv2:us-east-1:1:regional/webacl/edge/1", "Id": "1"},
           "scope": "REGIONAL", "resources": [alb],
           "acl": {"DefaultAction": {"Block": {}}, "Rules": [
               {"Name": "rate", "Priority": 0, "Action": {"Block": {}}, "Statement": {"RateBasedStatement": {}}},
               {"Name": "common", "Priority": 1, "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}}}]}}
    recs = waf.transform_web_acls(ctx(), [acl])
    p = recs.nodes[0].props
    assert p["default_action"] == "Block" and p["rule_count"] == 2
    assert p["rules"][0] == {"name": "rate", "priority": 0, "action": "Block", "managed_group": None,
                             "type": "RateBasedStatement"}
    assert ("associated_with", alb) in {(e.rel, e.dst) for e in recs.edges}


def test_cloudfront_web_acls_are_read_from_us_east_1_only() -> None:
    assert waf._scopes(ctx("us-east-1")) == [("REGIONAL", "us-east-1"), ("CLOUDFRONT", "us-east-1")]
    assert waf._scopes(ctx("eu-west-1")) == [("REGIONAL", "eu-west-1")]


def test_secrets_and_parameters_keep_metadata_only() -> None:
    secrets = [{"ARN": f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:db-AbC", "Name": "db",
                "RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 7},
                "KmsKeyId": "alias/aws/secretsmanager", "SecretString": "leak-me"}]
    recs = sec.transform_secrets(ctx(), secrets)
    assert "leak-me" not in repr(recs.nodes)
    assert recs.nodes[0].props["rotation_days"] == 7
    assert not [e for e in recs.edges if e.rel == "encrypted_by"]  # AWS managed default key: no edge
    params = [{"Name": "/app/key", "Type": "SecureString", "KeyId": "alias/web"},
              {"Name": "plain", "Type": "String", "KeyId": "alias/ignored"}]
    precs = sec.transform_parameters(ctx(), params)
    ids = [n.id for n in precs.nodes]
    assert ids == [f"arn:aws:ssm:us-east-1:{ACCT}:parameter/app/key", f"arn:aws:ssm:us-east-1:{ACCT}:parameter/plain"]
    assert [(e.src, e.dst) for e in precs.edges if e.rel == "encrypted_by"] == [
        (ids[0], f"arn:aws:kms:us-east-1:{ACCT}:alias/web")]


def test_config_rules_with_compliance() -> None:
    rules = [{"ConfigRuleName": "r1", "ConfigRuleArn": "arn:r1", "Source": {"Owner": "AWS", "SourceIdentifier": "X"}},
             {"ConfigRuleName": "r2", "ConfigRuleArn": "arn:r2",
              "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:1:function:chk"}}]
    comp = [{"ConfigRuleName": "r1", "Compliance": {"ComplianceType": "NON_COMPLIANT",
                                                    "ComplianceContributorCount": {"CappedCount": 4}}}]
    recs = sec.transform_config(ctx(), [{"name": "default", "recordingGroup": {"allSupported": True}}],
                                [{"name": "default", "recording": True, "lastStatus": "SUCCESS"}], rules, comp)
    by = {n.name: n.props for n in recs.nodes}
    assert by["default"]["recording"] is True and by["default"]["all_supported"] is True
    assert by["r1"]["compliance"] == "NON_COMPLIANT" and by["r1"]["noncompliant_count"] == 4
    assert by["r2"]["source"] == "custom Lambda: chk" and by["r2"]["compliance"] is None


# --- facts: generic encryption at rest ---------------------------------------------------------------

def test_encryption_state_is_read_generically_and_resolves_aliases() -> None:
    inv = Inventory(meta={"account": ACCT, "regions": ["us-east-1"]})
    r = Records(region="us-east-1", account=ACCT)
    r.node(KEY_ARN, "kms:key", "alias/web", key_id="1111-2222", aliases=["alias/web"], manager="CUSTOMER")
    r.node("vol-1", "ebs:volume", "vol-1", encrypted=False)
    r.node("vol-2", "ebs:volume", "vol-2", encrypted=True)
    r.node("q", "sqs:queue", "q", sse=None, kms_key=None)
    r.node("t", "sns:topic", "t", kms_key=None)
    r.node("p", "ssm:parameter", "p", type="SecureString")
    r.edge("vol-2", f"arn:aws:kms:us-east-1:{ACCT}:alias/web", "encrypted_by")
    r.edge("p", KEY_ARN, "encrypted_by")
    inv.merge([r])
    judge.run(inv)  # the facts a scan stores, which the renderers read
    rows = {row[0]: row for row in facts.at_rest_rows(inv)}
    assert rows["EBS volumes"] == ["EBS volumes", 2, 1, 1, 0, "alias/web"]
    assert rows["SQS queues"][2] == 1  # SQS always encrypts at rest
    assert rows["SNS topics"][3] == 1  # SNS without a key is not encrypted
    assert set(rows) == {"EBS volumes", "SQS queues", "SNS topics"}  # parameters have their own table
    assert facts.unencrypted_rows(inv) == [["EBS volumes", "us-east-1", "vol-1"], ["SNS topics", "us-east-1", "t"]]
    # the key counts users whether the edge names the key or its alias
    assert facts.kms_rows(inv)[0][6] == 2


# --- the sample account's document --------------------------------------------------------------------

def test_sample_5_3_kms_alias_with_rotation(sample: Any) -> None:
    text = section(sample.doc, "5.3")
    row = next(line for line in text.splitlines() if line.startswith("| us-east-1 | alias/web-platform |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[3] == "Enabled" and cells[4] == "yes"  # state, automatic rotation
    assert int(cells[6]) >= 3  # trail, secret and SSM parameter at least
    assert "| us-east-1 | web-platform/db-credentials | every 30 days |" in text
    assert "| us-east-1 | /web-platform/api-key | alias/web-platform |" in text


def test_sample_5_4_multi_region_trail_and_services(sample: Any) -> None:
    text = section(sample.doc, "5.4")
    row = next(line for line in text.splitlines() if line.startswith("| account-audit |"))
    assert row.startswith("| account-audit | us-east-1 | yes | no | yes | yes | All |")
    assert "s3://web-platform-cloudtrail-123456789012" in row and "alias/web-platform" in row
    assert "A logging multi-region trail records management events in every region." in text
    table = text.split("compliance services per region")[1].split("GuardDuty detectors")[0]
    matrix = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    assert "| on | recording, 1 rule | off |" in matrix["us-east-1"]
    # an endpoint without the Access Analyzer API (unknown, never "off", in 5.1, 5.4 and 12.3) is
    # planted in tests/test_truth_sweep.py; the sample answers it in process (fixtures/sample/fidelity.py)
    assert "None" not in text, "no Python None in 5.4 (LOG-010 evidence quotes the hub state)"
    assert "(Security Hub us-east-1 (default) not enabled)" in text
    assert matrix["eu-west-1"].startswith("| eu-west-1 | off | off | off |")
    assert "web-platform-alb" in text and "AWS/AWSManagedRulesCommonRuleSet" in text


def test_sample_canaries_appear_in_no_output_file(sample: Any) -> None:
    canaries = (sample.ids["secret_canary"].encode(), sample.ids["ssm_canary"].encode())
    files = [p for p in Path(sample.out).rglob("*") if p.is_file()]
    assert any(p.name == "inventory.json" for p in files)
    for p in files:
        data = p.read_bytes()
        for canary in canaries:
            assert canary not in data, f"{canary!r} leaked into {p}"


def test_sample_graph_edges_for_security_services(sample: Any) -> None:
    inv, ids = sample.inv, sample.ids
    trail = inv.node(ids["trail_arn"])
    assert trail["props"]["multi_region"] is True and trail["props"]["log_validation"] is True
    assert [n["id"] for n in inv.out(ids["trail_arn"], "logs_to")] == [f"arn:aws:s3:::{ids['trail_bucket']}"]
    assert [n["id"] for n in inv.out(ids["secret_arn"], "encrypted_by")] == [ids["kms_key_arn"]]
    key = inv.node(ids["kms_key_arn"])["props"]
    assert key["aliases"] == ["alias/web-platform"] and key["rotation_enabled"] is True


def test_sample_5_3_at_rest_counts_match_the_graph(sample: Any) -> None:
    text = section(sample.doc, "5.3")
    vols = sample.inv.nodes("ebs:volume")
    plain = [v for v in vols if v["props"].get("encrypted") is False]
    assert vols and plain, "the sample has encrypted and unencrypted volumes"
    assert f"| EBS volumes | {len(vols)} | {len(vols) - len(plain)} | {len(plain)} | 0 |" in text
    for v in plain:
        assert f"| EBS volumes | {v['region']} | {v['name']} |" in text


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An account with nothing in it: every security subsection must say so, not crash.

    Only the identity and security collectors run, which keeps this scan to a second or two.
    """
    mine = [c for c in load_all() if c.fn.__module__ in ("scanner.collectors.iam", "scanner.collectors.security",
                                                          "scanner.collectors.waf", "scanner.collectors.cloudtrail")]
    with mock_aws():
        session = make_session(None, "us-east-1")
        inv = scan(session, verify_identity(session), ["us-east-1", "eu-west-1"], collectors=mine)
    files = write_report(inv, analyze(inv, {}), tmp_path_factory.mktemp("bare"), project_name="Bare")
    return SimpleNamespace(inv=inv, doc=files.document.read_text(encoding="utf-8"))


def test_empty_account_says_what_is_missing(bare: Any) -> None:
    s51, s53, s54 = section(bare.doc, "5.1"), section(bare.doc, "5.3"), section(bare.doc, "5.4")
    assert "IAM (a global service) holds no users, groups, roles" in s51 and "scanned regions" not in s51
    assert "No account password policy is set" in s51
    assert "No customer managed KMS keys were found" in s53
    assert "No Secrets Manager secrets were found" in s53
    assert "No CloudTrail trails were found" in s54
    assert "| us-east-1 | off | off | off |" in s54 and "| eu-west-1 | off | off | off |" in s54


def test_web_acls_paginate_and_list_protected_resources() -> None:
    """Stubber: moto has no ListResourcesForWebACL, and ListWebACLs has no botocore paginator."""
    c = ScanContext(boto3.Session(region_name="eu-west-1"), "eu-west-1", ACCT, home_region="us-east-1",
                    regions=("us-east-1", "eu-west-1"))
    alb = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCT}:loadbalancer/app/web/abc"
    api = "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/prod"
    acls = [{"Name": f"acl{i}", "Id": f"id{i}", "ARN": f"arn:aws:wafv2:eu-west-1:{ACCT}:regional/webacl/acl{i}/id{i}",
             "LockToken": "t"} for i in (1, 2)]
    with Stubber(c.client("wafv2")) as stub:
        stub.add_response("list_web_acls", {"WebACLs": acls[:1], "NextMarker": "m"}, {"Scope": "REGIONAL", "Limit": 100})
        stub.add_response("list_web_acls", {"WebACLs": acls[1:]}, {"Scope": "REGIONAL", "Limit": 100, "NextMarker": "m"})
        for a in acls:
            stub.add_response("get_web_acl", {"WebACL": {
                "Name": a["Name"], "Id": a["Id"], "ARN": a["ARN"], "DefaultAction": {"Block": {}},
                "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                     "MetricName": "m"}, "Rules": []}, "LockToken": "t"})
            if a["Name"] == "acl1":
                for rtype in waf.WAF_RESOURCE_TYPES:
                    found = {"APPLICATION_LOAD_BALANCER": [alb], "API_GATEWAY": [api]}.get(rtype, [])
                    stub.add_response("list_resources_for_web_acl", {"ResourceArns": found},
                                      {"WebACLArn": a["ARN"], "ResourceType": rtype})
            else:
                stub.add_client_error("list_resources_for_web_acl", "WAFNonexistentItemException")
        recs = waf.collect_web_acls(c)
        stub.assert_no_pending_responses()
    by = {n.name: n.props for n in recs.nodes}
    assert by["acl1"]["associated_arns"] == [alb, api] and by["acl1"]["default_action"] == "Block"
    assert by["acl2"]["associated_arns"] is None  # incomplete, so not claimed
    assert [g.action for g in recs.gaps] == ["wafv2:ListResourcesForWebACL"]
    assert {(e.src.rsplit("/", 2)[-2], e.dst) for e in recs.edges if e.rel == "associated_with"} == {
        ("acl1", alb), ("acl1", api)}


def test_sample_5_3_reads_like_a_document(sample: Any) -> None:
    """AWS managed keys agree with the at-rest table, certificates name their load balancer, enums are
    words, and only parameter gaps (not SSM managed-instance reads) are listed under data protection."""
    text = section(sample.doc, "5.3").replace("\\_", "_")
    assert "AWS managed keys in use: alias/aws/secretsmanager, alias/aws/sqs." in text
    cert = next(line for line in text.splitlines() if line.startswith("| us-east-1 | app.example.com |"))
    assert "| issued by ACM |" in cert and "_" not in cert.split("|")[4], "status in words, not an enum"
    assert cert.endswith("| web-platform-alb HTTPS:443 |")
    assert "DescribeInstanceInformation" not in text and "(s)" not in text
    assert "None" not in text and "['" not in text and "{'" not in text


# --- Cognito user pool clients: their secret never leaves AWS -------------------------------------

def test_describe_user_pool_client_is_refused_by_the_guard() -> None:
    """DescribeUserPoolClient answers the app client's ClientSecret: a denied read, whatever any list says."""
    from scanner.guard import ALLOWED_CALLS, DENIED_READS, is_allowed

    assert "cognito-idp:DescribeUserPoolClient" in DENIED_READS
    assert "cognito-idp:DescribeUserPoolClient" not in ALLOWED_CALLS
    assert not is_allowed("cognito-idp", "DescribeUserPoolClient")


def test_user_pool_client_secret_never_reaches_the_snapshot(tmp_path: Path) -> None:
    """A pool whose app client has a generated secret: the scan's snapshot (the cognito collectors
    run through the guarded session) holds the pool, never the secret nor the client id."""
    from scanner.collectors.registry import REGISTRY

    load_all()
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name="us-east-1")
        pool = idp.create_user_pool(PoolName="customers")["UserPool"]
        client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web", GenerateSecret=True)
        secret = client["UserPoolClient"]["ClientSecret"]
        session = make_session(None, "us-east-1")
        with pytest.raises(Exception, match="read-only"):
            session.client("cognito-idp", region_name="us-east-1").describe_user_pool_client(
                UserPoolId=pool["Id"], ClientId=client["UserPoolClient"]["ClientId"])
        inv = scan(session, verify_identity(session), ["us-east-1"], name="t",
                   collectors=[c for n, c in REGISTRY.items() if n.startswith("cognito")])
    assert [n["name"] for n in inv.nodes("cognito:user-pool")] == ["customers"]
    text = inv.save(tmp_path / "inventory.json").read_text(encoding="utf-8")
    assert secret and secret not in text and client["UserPoolClient"]["ClientId"] not in text

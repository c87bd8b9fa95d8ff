"""Resilience family: AWS Backup, Route 53, CloudFront, and the 9.2 / 9.3 facts.

Transforms are tested from recorded API shapes; backup selections (moto 5.2
lacks ListBackupSelections/GetBackupSelection) with botocore's Stubber on the
collector's own client; the sample account shows the path into the document.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from renderers.facts import resilience as facts
from scanner import judge
from scanner.collectors import resilience as r
from scanner.context import ScanContext
from scanner.inventory import Inventory, Records
from tests.conftest import section

ACCT = "123456789012"
REGION = "us-east-1"
DB = f"arn:aws:rds:{REGION}:{ACCT}:db:orders"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCT}:table/carts"
DR_VAULT = f"arn:aws:backup:eu-west-1:{ACCT}:backup-vault:dr"


@pytest.fixture()
def ctx() -> ScanContext:
    return ScanContext(boto3.Session(region_name=REGION), REGION, ACCT)


def graph(*records: Records) -> Inventory:
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge(records)
    judge.run(inv)  # the facts a scan stores (scanner/judge/), which the renderers read
    return inv


def edges(rec: Records, rel: str) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in rec.edges if e.rel == rel}


PLAN = {
    "BackupPlanId": "p-1", "BackupPlanArn": f"arn:aws:backup:{REGION}:{ACCT}:backup-plan:p-1",
    "BackupPlan": {"BackupPlanName": "daily", "Rules": [{
        "RuleName": "d35", "TargetBackupVaultName": "main", "ScheduleExpression": "cron(30 2 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": 35, "MoveToColdStorageAfterDays": 7},
        "CopyActions": [{"DestinationBackupVaultArn": DR_VAULT, "Lifecycle": {"DeleteAfterDays": 90}}]}]},
}
SELECTION = {"SelectionName": "dbs", "IamRoleArn": f"arn:aws:iam::{ACCT}:role/backup",
             "Resources": [DB, f"arn:aws:ec2:*:{ACCT}:volume/*"],
             "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]}


# --- AWS Backup -----------------------------------------------------------------------
def test_plan_rules_copies_and_selected_resources(ctx):
    rec = r.transform_plan(ctx, PLAN, [SELECTION])
    p = rec.nodes[0].props
    rule = p["rules"][0]
    assert (rule["retention_days"], rule["cold_after_days"], rule["vault"]) == (35, 7, "main")
    assert rule["copy_to"] == [{"vault_arn": DR_VAULT, "region": "eu-west-1", "account": ACCT, "retention_days": 90}]
    assert (PLAN["BackupPlanArn"], DB) in edges(rec, "backs_up")
    assert (f"arn:aws:backup:{REGION}:{ACCT}:backup-vault:main", DR_VAULT) in edges(rec, "replicates_to")
    assert p["selections"][0]["patterns"] == [f"arn:aws:ec2:*:{ACCT}:volume/*"]
    rows = facts.plan_rows(graph(rec))
    assert rows == [[REGION, "daily", "d35", "daily at 02:30", 35, "main", "dr (eu-west-1, 90 days)", False]]


def test_backup_selections_are_read_per_plan(ctx):
    """moto lacks ListBackupSelections/GetBackupSelection: Stubber on the collector's client."""
    with Stubber(ctx.client("backup")) as st:
        st.add_response("list_backup_plans", {"BackupPlansList": [{"BackupPlanId": "p-1", "BackupPlanName": "daily"}]})
        st.add_response("get_backup_plan", PLAN, {"BackupPlanId": "p-1"})
        st.add_response("list_backup_selections", {"BackupSelectionsList": [
            {"SelectionId": "s-1", "SelectionName": "dbs", "BackupPlanId": "p-1"}]}, {"BackupPlanId": "p-1"})
        st.add_response("get_backup_selection", {"BackupSelection": SELECTION, "SelectionId": "s-1", "BackupPlanId": "p-1"},
                        {"BackupPlanId": "p-1", "SelectionId": "s-1"})
        rec = r.collect_plans(ctx)
    assert (PLAN["BackupPlanArn"], DB) in edges(rec, "backs_up")
    assert not rec.gaps


def test_denied_selections_leave_coverage_unknown(ctx):
    with Stubber(ctx.client("backup")) as st:
        st.add_response("list_backup_plans", {"BackupPlansList": [{"BackupPlanId": "p-1", "BackupPlanName": "daily"}]})
        st.add_response("get_backup_plan", PLAN, {"BackupPlanId": "p-1"})
        st.add_client_error("list_backup_selections", "AccessDeniedException", "no")
        rec = r.collect_plans(ctx)
    assert rec.nodes[0].props["selections"] is None
    assert [g.action for g in rec.gaps] == ["backup:ListBackupSelections"]
    assert facts.selections_unread(graph(rec)) == ["daily"]


def test_vault_recovery_points_and_key(ctx):
    rec = r.transform_vaults(ctx, [{"BackupVaultName": "main", "BackupVaultArn": "arn:aws:backup:us-east-1:1:backup-vault:main",
                                    "NumberOfRecoveryPoints": 12, "EncryptionKeyArn": "arn:aws:kms:us-east-1:1:key/k",
                                    "Locked": True}])
    assert facts.vault_rows(graph(rec)) == [[REGION, "main", 12, "customer key", True]]


def test_coverage_combines_native_protection_and_backup_plans(ctx):
    base = Records(region=REGION, account=ACCT)
    base.node(DB, "rds:instance", "orders", backup_retention=0)
    base.node(TABLE, "dynamodb:table", "carts", pitr=True)
    vol = f"arn:aws:ec2:{REGION}:{ACCT}:volume/vol-1"
    base.node(vol, "ebs:volume", "vol-1", volume_id="vol-1")
    tagged = f"arn:aws:rds:{REGION}:{ACCT}:db:tagged"
    base.node(tagged, "rds:instance", "tagged", backup_retention=0, tags={"backup": "daily"})
    bare = "arn:aws:s3:::bare"
    base.node(bare, "s3:bucket", "bare", versioning="Suspended", replication=[])
    inv = graph(base, r.transform_plan(ctx, PLAN, [SELECTION]))
    rows = {row[2]: row for row in facts.coverage_rows(inv)}
    assert rows["orders"][4:] == ["daily", "protected"]                  # explicit ARN
    assert rows["tagged"][4:] == ["daily", "protected"]                  # tag condition
    assert rows["vol-1"][4:] == ["daily", "protected"]                   # ARN pattern
    assert rows["carts"][3:] == ["point-in-time recovery", "none", "protected"]
    assert rows["bare"][5] == "NOT PROTECTED"
    assert facts.unprotected(inv) == ["S3 bucket bare"]


def test_a_recovery_point_names_its_vault_not_as_a_plan(ctx):
    """ListProtectedResources gives a vault -> store edge: 9.2 names the plan when one selects the
    store, else says a recovery point in that vault protects it and no plan is known."""
    base = Records(region=REGION, account=ACCT)
    base.node(DB, "rds:instance", "orders", backup_retention=0)
    base.node(TABLE, "dynamodb:table", "carts", pitr=False)
    main = f"arn:aws:backup:{REGION}:{ACCT}:backup-vault:main"
    vaults = r.transform_vaults(ctx, [{"BackupVaultName": "main", "BackupVaultArn": main, "NumberOfRecoveryPoints": 2}])
    points = r.transform_protected(ctx, {main: main}, [
        {"ResourceArn": DB, "LastBackupVaultArn": main, "ResourceType": "RDS"},
        {"ResourceArn": TABLE, "LastBackupVaultArn": main, "ResourceType": "DynamoDB"}])
    inv = graph(base, vaults, points, r.transform_plan(ctx, PLAN, [SELECTION]))  # the plan selects the DB
    rows = {row[2]: row for row in facts.coverage_rows(inv)}
    assert rows["orders"][4] == "daily"
    assert rows["carts"][4] == "no known plan; protected by a recovery point in vault main"
    assert rows["carts"][5] == "protected"
    # the judged fact says the same: a vault is not called a plan
    assert "recovery point in backup vault main" in inv.fact(TABLE, "protected").why
    assert inv.fact(DB, "protected").why.startswith("backup plan daily")


@pytest.mark.parametrize("expr, text", [
    ("cron(0 5 ? * * *)", "daily at 05:00"), ("cron(0 1 ? * SUN *)", "weekly (SUN) at 01:00"),
    ("cron(0 0 1 * ? *)", "monthly (day 1) at 00:00"), ("rate(12 hours)", "every 12 hours"),
    ("cron(0/15 * * * ? *)", "cron(0/15 * * * ? *)"), (None, "continuous / on demand")])
def test_schedule_in_words(expr, text):
    assert facts.schedule_text(expr) == text


# --- Route 53 -------------------------------------------------------------------------
RECORDS = [
    {"Name": "example.com.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns. x"}]},
    {"Name": "example.com.", "Type": "NS", "TTL": 172800, "ResourceRecords": [{"Value": "ns-1."}]},
    {"Name": "www.example.com.", "Type": "A", "SetIdentifier": "a", "Failover": "PRIMARY", "HealthCheckId": "hc-1",
     "AliasTarget": {"HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": "dualstack.my-alb-1.us-east-1.elb.amazonaws.com.",
                     "EvaluateTargetHealth": True}},
    {"Name": "www.example.com.", "Type": "A", "SetIdentifier": "b", "Failover": "SECONDARY", "TTL": 60,
     "ResourceRecords": [{"Value": "203.0.113.1"}]},
    {"Name": "api.example.com.", "Type": "CNAME", "SetIdentifier": "eu", "Region": "eu-west-1", "TTL": 60,
     "ResourceRecords": [{"Value": "api-eu.example.net"}]},
    {"Name": "example.com.", "Type": "A", "AliasTarget": {"HostedZoneId": "Z1", "DNSName": "www.example.com.",
                                                          "EvaluateTargetHealth": False}},
    {"Name": "static.example.com.", "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z3AQBSTGFYJSTF", "DNSName": "s3-website-us-east-1.amazonaws.com.", "EvaluateTargetHealth": False}},
]


def test_records_routing_health_checks_and_aliases(ctx):
    rec = r.transform_records(ctx, "Z1", RECORDS)
    kinds = {n.props["name"] + "/" + (n.props["set_identifier"] or ""): n.props["routing_policy"] for n in rec.nodes}
    assert "example.com/" in kinds and len(rec.nodes) == 5  # SOA and apex NS left out
    assert kinds["www.example.com/a"] == "failover" and kinds["api.example.com/eu"] == "latency"
    primary = r.record_id("Z1", RECORDS[2])
    assert (r.health_check_arn("hc-1"), primary) in edges(rec, "monitors")
    apex = r.record_id("Z1", RECORDS[5])
    assert {dst for src, dst in edges(rec, "aliases") if src == apex} == {primary, r.record_id("Z1", RECORDS[3])}
    assert (r.record_id("Z1", RECORDS[6]), "arn:aws:s3:::static.example.com") in edges(rec, "aliases")


def test_big_zone_keeps_notable_records_and_counts_the_rest(ctx):
    plain = [{"Name": f"h{i}.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.0.1"}]}
             for i in range(30)]
    zone = {"Id": "/hostedzone/Z1", "Name": "example.com.", "Config": {"PrivateZone": False}, "ResourceRecordSetCount": 37}
    inv = graph(r.transform_zone(ctx, zone, None), r.transform_records(ctx, "Z1", plain + RECORDS, max_simple=10))
    records = inv.nodes("route53:record")
    assert len(records) == 10 + 5  # 10 plain + the 5 alias/failover/latency ones, all kept
    assert {n["props"]["failover"] for n in records} >= {"PRIMARY", "SECONDARY"}
    assert facts.zone_rows(inv) == [["example.com", "public", "37 (20 plain records not detailed)", "-"]]


def test_failover_rows_name_the_load_balancer_behind_an_alias(ctx):
    lb = Records(region=REGION, account=ACCT)
    lb.node(f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/app/my-alb/1", "elbv2:load-balancer", "my-alb",
            dns_name="my-alb-1.us-east-1.elb.amazonaws.com")
    hc = r.transform_health_checks(ctx, [{"Id": "hc-1", "CallerReference": "x", "HealthCheckVersion": 1, "HealthCheckConfig": {
        "Type": "HTTPS", "FullyQualifiedDomainName": "my-alb-1.us-east-1.elb.amazonaws.com", "Port": 443,
        "ResourcePath": "/health"}}])
    inv = graph(lb, hc, r.transform_records(ctx, "Z1", RECORDS))
    rows = facts.routing_rows(inv)
    primary = [row for row in rows if row[3] == "PRIMARY"][0]
    assert primary[5].startswith("my-alb (") and primary[6] == "my-alb-1.us-east-1.elb.amazonaws.com"
    assert [row[3] for row in rows if row[2] == "latency"] == ["eu-west-1"]
    assert facts.health_check_rows(inv)[0][:5] == ["my-alb-1.us-east-1.elb.amazonaws.com", "HTTPS",
                                                   "my-alb-1.us-east-1.elb.amazonaws.com", 443, "/health"]


def test_private_zone_is_associated_with_its_vpcs(ctx):
    zone = {"Id": "/hostedzone/Z9", "Name": "corp.internal.", "Config": {"PrivateZone": True}, "ResourceRecordSetCount": 4}
    rec = r.transform_zone(ctx, zone, {"VPCs": [{"VPCRegion": "eu-west-1", "VPCId": "vpc-9"}]})
    assert rec.nodes[0].props["vpc_ids"] == ["vpc-9"] and rec.nodes[0].props["private"] is True
    assert (r.zone_arn("Z9"), f"arn:aws:ec2:eu-west-1:{ACCT}:vpc/vpc-9") in edges(rec, "associated_with")


# --- CloudFront -------------------------------------------------------------------------
def test_distribution_origins_tls_waf_and_logging(ctx):
    dist = {"Id": "E1", "ARN": f"arn:aws:cloudfront::{ACCT}:distribution/E1", "DomainName": "d1.cloudfront.net",
            "Aliases": {"Quantity": 1, "Items": ["cdn.example.com"]}, "Enabled": True, "PriceClass": "PriceClass_All",
            "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "assets.s3.eu-west-1.amazonaws.com",
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": "oac"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all"},
            "ViewerCertificate": {"ACMCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c", "MinimumProtocolVersion": "TLSv1.2_2021"},
            "WebACLId": "arn:aws:wafv2:us-east-1:1:global/webacl/edge/abc", "OriginGroups": {"Quantity": 0}}
    rec = r.transform_distributions(ctx, [dist], {"E1": {"Enabled": True, "Bucket": "cf-logs.s3.amazonaws.com", "Prefix": "e1/"}})
    p = rec.nodes[0].props
    assert p["min_tls"] == "TLSv1.2_2021" and p["viewer_protocol_policy"] == "allow-all"
    assert p["origins"][0]["type"] == "s3" and p["origins"][0]["origin_access"] is True
    arn = dist["ARN"]
    assert (arn, "arn:aws:s3:::assets") in edges(rec, "targets")
    assert (arn, "arn:aws:s3:::cf-logs") in edges(rec, "logs_to")
    assert (arn, dist["WebACLId"]) in edges(rec, "associated_with")
    row = facts.cdn_rows(graph(rec))[0]
    assert row[5:8] == ["TLSv1.2_2021", "edge", "to cf-logs.s3.amazonaws.com"]


def test_distribution_with_default_certificate_and_unread_logging(ctx):
    rec = r.transform_distributions(ctx, [{"Id": "E2", "DomainName": "d2.cloudfront.net",
                                           "ViewerCertificate": {"CloudFrontDefaultCertificate": True}}], {"E2": None})
    p = rec.nodes[0].props
    assert p["min_tls"] == "TLSv1 (default certificate)" and p["logging"] is None and p["aliases"] == []


# --- the sample account, end to end ----------------------------------------------------
def test_backup_plan_retention_and_copy_in_9_2(sample):
    s = section(sample.doc, "9.2")
    assert "web-platform-daily" in s and "daily at 03:00" in s
    row = [line for line in s.splitlines() if "daily-35d" in line][0]
    assert "| 35 |" in row and "eu-west-1" in row


def test_failover_records_and_health_check_in_9_3(sample):
    s = section(sample.doc, "9.3")
    assert "PRIMARY" in s and "SECONDARY" in s and "/health" in s
    assert "web-platform-alb (" in s  # the alias target resolved to the scanned load balancer
    zone = r.zone_arn(sample.ids["private_zone_id"])
    vpcs = sample.inv.out(zone, "associated_with")
    assert [v["props"]["vpc_id"] for v in vpcs] == [sample.ids["vpc_id"]]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(expr=hs.one_of(hs.none(), hs.text(max_size=40),
                      hs.from_regex(r"cron\(([0-9*?/,-]{1,5} ){5}[0-9*?]{1,4}\)", fullmatch=True)))
def test_any_schedule_is_described_without_error(expr):
    assert isinstance(facts.schedule_text(expr), str)


# --- an empty account where some reads are denied ------------------------------------------
@pytest.fixture(scope="module")
def denied(tmp_path_factory):
    """An empty account scanned with AWS Backup plans and Route 53 zones denied (SCP-style)."""
    from botocore.exceptions import ClientError

    from tests.conftest import scan_account

    def deny(model=None, **_):
        raise ClientError({"Error": {"Code": "AccessDeniedException",
                                     "Message": "explicit deny in a service control policy"}}, model.name)

    def before(session):
        session.events.register("before-call.backup.ListBackupPlans", deny)
        session.events.register("before-call.route53.ListHostedZones", deny)

    return scan_account(dict, tmp_path_factory.mktemp("denied"), regions=[REGION], before_scan=before)


def test_denied_and_empty_states_are_said_plainly(denied):
    s92, s93 = section(denied.doc, "9.2"), section(denied.doc, "9.3")
    # plans were denied, vaults were read: each is said for what it is
    assert "backup plans could not be read" in s92 and "No backup vaults were found" in s92
    assert "backup:ListBackupPlans" in s92 and "service control policy" in s92
    assert "route53:ListHostedZones" in s93
    assert "No CodeBuild projects were found in the scanned regions (us-east-1)" in section(denied.doc, "7.2")


def test_database_failover_rows_read_replicas_and_readers():
    rec = Records(region=REGION, account=ACCT)
    rec.node(DB, "rds:instance", "orders", identifier="orders", multi_az=False)
    rec.node(DB + "-replica", "rds:instance", "orders-replica", identifier="orders-replica", read_replica_source=DB)
    rec.node(DB + "x", "rds:instance", "xorders", identifier="xorders", multi_az=True)
    rec.node(f"arn:aws:rds:{REGION}:{ACCT}:cluster:aur", "rds:cluster", "aur", readers=[], global_cluster=None)
    rows = {row[2]: row[3:] for row in facts.database_failover_rows(graph(rec))}
    assert rows["orders"] == ["single AZ", "orders-replica"]
    assert rows["xorders"] == ["Multi-AZ standby", "none"]
    assert rows["orders-replica"][0] == f"read replica of {DB}"
    assert rows["aur"] == ["writer only, no reader to fail over to", "none"]


def test_unread_selections_make_coverage_unknown_not_unprotected(ctx):
    """A plan whose selections were not read may cover a bare bucket: 'unknown', never 'NOT PROTECTED'."""
    base = Records(region=REGION, account=ACCT)
    base.node("arn:aws:s3:::bare", "s3:bucket", "bare", versioning="Suspended", replication=[])
    base.node("arn:aws:s3:::elsewhere", "s3:bucket", "elsewhere", versioning="Suspended", replication=[])
    plan = Records(region=REGION, account=ACCT)
    plan.node(f"arn:aws:backup:{REGION}:{ACCT}:backup-plan:p1", "backup:plan", "daily", selections=None, rules=[])
    other = Records(region="eu-west-1", account=ACCT)
    other.node("arn:aws:s3:::far", "s3:bucket", "far", versioning="Suspended", replication=[])
    inv = graph(base, plan, other)
    rows = {row[2]: row for row in facts.coverage_rows(inv)}
    assert rows["bare"][4] == "unknown (selections not read)"
    assert rows["bare"][5].startswith("unknown (backup plan selections not read")   # the stored fact, with why
    assert rows["far"][4:] == ["none", "NOT PROTECTED"]          # another region: no plan can select it
    assert facts.protection_unknown(inv) == ["S3 bucket bare", "S3 bucket elsewhere"]
    assert facts.unprotected(inv) == ["S3 bucket far"]


def test_sample_9_2_and_9_3_state_unknowns_and_failover_only(sample):
    # unread backup selections (whether a plan covers a store is unknown) are planted with a denial
    # in tests/test_truth_sweep.py; the sample answers them in process (fixtures/sample/fidelity.py)
    s93 = section(sample.doc, "9.3")
    assert "| Distribution | Domain | Origins | Origin failover |" in s93
    assert "web-platform-alb (" in s93.split("**CloudFront.**")[1]   # the origin named as the scanned ALB
    assert "Minimum TLS" not in s93

"""Data not lost and not leaked: SQS beyond 1,000 queues, S3 ListBuckets paginated, secret-looking tag
values withheld from every output, and a corrupt live-price cache falling back to the embedded table."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from scanner.analysis.cost import estimate
from scanner.analysis.prices import PriceBook, fetch_live
from scanner.context import ScanContext, tags_of
from scanner.inventory import Inventory, Records
from scanner.secrets import WITHHELD, secret_tag, withheld_tag_keys
from tests.conftest import scan_account

REGION = "us-east-1"
ACCT = "123456789012"


# --- pagination -------------------------------------------------------------------------------

def test_1200_queues_are_all_scanned():
    """SQS ListQueues only returns a NextToken when MaxResults is set: without it, 1,000 and no gap.

    moto paginates ListQueues exactly so (a page and a token only with MaxResults).
    """
    from scanner.collectors.serverless import collect_queues

    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        for i in range(1200):
            sqs.create_queue(QueueName=f"q-{i:04d}")
        rec = collect_queues(ScanContext(boto3.Session(region_name=REGION), REGION, ACCT))
    names = {n.name for n in rec.nodes if n.kind == "sqs:queue"}
    assert len(names) == 1200 and {"q-0000", "q-1199"} <= names
    assert not rec.gaps


def test_list_buckets_is_paginated_and_follows_the_continuation_token():
    """Unpaginated ListBuckets is refused for accounts above 10,000 buckets: ask with MaxBuckets and
    follow ContinuationToken (botocore Stubber: moto never returns a token)."""
    session = boto3.Session(region_name=REGION)
    ctx = ScanContext(session, REGION, ACCT)
    s3 = ctx.client("s3")
    stub = Stubber(s3)
    stub.add_response("list_buckets", {"Buckets": [{"Name": "a", "BucketRegion": REGION}], "ContinuationToken": "t1"},
                      {"MaxBuckets": 10000})
    stub.add_response("list_buckets", {"Buckets": [{"Name": "b", "BucketRegion": REGION}]},
                      {"MaxBuckets": 10000, "ContinuationToken": "t1"})
    with stub:
        names = [b["Name"] for b in ctx.paginate("s3", "list_buckets", "Buckets", MaxBuckets=10000)]
    assert names == ["a", "b"]
    stub.assert_no_pending_responses()
    import inspect

    from scanner.collectors import storage

    assert 'ctx.paginate("s3", "list_buckets", "Buckets", MaxBuckets=10000)' in inspect.getsource(storage)


# --- secret-looking tag values ------------------------------------------------------------------

SECRET_VALUES = ("hunter2hunter2", "AKIAIOSFODNN7EXAMPLE")


def build_tagged() -> dict[str, str]:
    tags = [{"Key": "db_password", "Value": "hunter2hunter2"}, {"Key": "note", "Value": "AKIAIOSFODNN7EXAMPLE"},
            {"Key": "Environment", "Value": "prod"}]
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda",
                               BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet,
                             TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])["Instances"][0]
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="tagged-bucket")
    s3.put_bucket_tagging(Bucket="tagged-bucket", Tagging={"TagSet": tags})
    return {"instance": inst["InstanceId"]}


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    return scan_account(build_tagged, tmp_path_factory.mktemp("tagged"), regions=[REGION])


def test_secret_tag_values_reach_no_output_file(tagged):
    files = [p for p in Path(tagged.out).rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"inventory.json", "design.md", "design.html", "findings.json"} <= names
    assert any(p.suffix == ".dot" for p in files)
    for p in files:
        text = p.read_bytes().decode("utf-8", errors="replace")
        for secret in SECRET_VALUES:
            assert secret not in text, f"{secret} leaked into {p.name}"


def test_the_keys_stay_and_say_the_value_was_withheld(tagged):
    inv = tagged.inv
    instance = next(n for n in inv.nodes("ec2:instance") if n["props"].get("instance_id") == tagged.ids["instance"])
    bucket = next(n for n in inv.nodes("s3:bucket") if n["name"] == "tagged-bucket")
    for node in (instance, bucket):
        assert node["tags"]["db_password"] == WITHHELD and node["tags"]["note"] == WITHHELD
        assert node["tags"]["Environment"] == "prod"
        assert withheld_tag_keys(node["tags"]) == ["db_password", "note"]
    snapshot = json.loads(Path(tagged.files.inventory).read_text())
    assert any(n["tags"].get("db_password") == WITHHELD for n in snapshot["nodes"])


def test_tags_of_judges_every_shape():
    for shape in ({"Tags": [{"Key": "api_token", "Value": "s3cr3t-value"}]},
                  {"TagSet": [{"Key": "api_token", "Value": "s3cr3t-value"}]},
                  {"tags": {"api_token": "s3cr3t-value"}},
                  [{"key": "api_token", "value": "s3cr3t-value"}]):
        assert tags_of(shape) == {"api_token": WITHHELD}, shape
    assert tags_of({"Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "Owner", "Value": "team-a"}]}) == \
        {"Name": "web-1", "Owner": "team-a"}


def test_aws_reserved_tags_and_arns_are_not_withheld_for_looking_random():
    stack = "arn:aws:cloudformation:us-east-1:123456789012:stack/web/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
    assert not secret_tag("aws:cloudformation:stack-id", stack)
    assert not secret_tag("ParentStack", stack)
    assert secret_tag("aws:anything", "AKIAIOSFODNN7EXAMPLE")   # a key pattern is a key pattern anywhere
    assert secret_tag("connection", "postgres://app:pw@db:5432/app")
    assert not secret_tag("Description", "the public web tier")


# --- live price cache -----------------------------------------------------------------------------

def _inv() -> Inventory:
    out = Records(region=REGION, account=ACCT)
    out.node("arn:i/1", "ec2:instance", "i-1", instance_type="t3.medium", state="running")
    inv = Inventory(meta={"regions": [REGION]})
    inv.merge([out])
    return inv


@pytest.mark.parametrize("content", [
    b"garbage{{{",
    b"\xff\xfe not utf-8",
    b"[1, 2, 3]",
    b'"just a string"',
    b'{"ec2|t3.medium|us-east-1": "cheap"}',
    b'{"ec2|t3.medium|us-east-1": null}',
    b'{"ec2|t3.medium|us-east-1": -1}',
    b'{"ec2|t3.medium|us-east-1": true}',
    b'{"ec2|t3.medium|us-east-1": NaN}',
    b'{"nonsense": 0.05}',
])
def test_a_corrupt_price_cache_falls_back_to_the_embedded_table(tmp_path, monkeypatch, capsys, content):
    """No API call is made (the stubbed client has no responses and would raise), no exception
    escapes, the user is warned on one line, and the estimate uses the embedded price."""
    import scanner.session as session_mod

    pricing = boto3.Session(region_name=REGION).client("pricing", region_name=REGION)
    stub = Stubber(pricing)
    stub.activate()
    monkeypatch.setattr(session_mod, "client", lambda *a, **k: pricing)
    cache = tmp_path / "prices-live.json"
    cache.write_bytes(content)

    pb = fetch_live(boto3.Session(region_name=REGION), _inv(), cache)

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("awsscan: warning: ") and "embedded price table" in err[0]
    assert pb.source == "embedded" and pb.live == {}
    assert pb.describe()["warnings"] and "embedded" in pb.describe()["warnings"][0]
    assert estimate(_inv(), pb)["items"][0]["monthly"] == estimate(_inv(), PriceBook())["items"][0]["monthly"]


def test_a_price_cache_that_is_a_folder_falls_back_too(tmp_path, capsys):
    cache = tmp_path / "prices-live.json"
    cache.mkdir()
    pb = fetch_live(boto3.Session(region_name=REGION), _inv(), cache)
    assert pb.source == "embedded" and "not a regular file" in capsys.readouterr().err


def test_a_malformed_price_list_answer_is_skipped_not_fatal(tmp_path, monkeypatch):
    import scanner.session as session_mod

    pricing = boto3.Session(region_name=REGION).client("pricing", region_name=REGION)
    stub = Stubber(pricing)
    stub.add_response("get_products", {"PriceList": ["{not json", json.dumps({"terms": []})], "FormatVersion": "aws_v1"})
    stub.activate()
    monkeypatch.setattr(session_mod, "client", lambda *a, **k: pricing)
    pb = fetch_live(boto3.Session(region_name=REGION), _inv(), tmp_path / "cache.json")
    assert pb.live == {} and pb.source == "live"

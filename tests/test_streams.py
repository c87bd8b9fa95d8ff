"""Streaming: Kinesis Data Streams, Firehose delivery streams and MSK clusters.

* recorded AWS-shaped answers (tests/data/recorded/streams/, API-reference shapes with every
  variant of tests/test_recorded_shapes.py: members missing, nulls, unknown enum values, naive
  timestamps) fed to each transform: none raises, nothing unread is stated;
* judged facts and findings from those answers (an unencrypted stream, a public MSK cluster
  accepting plaintext clients), and "unknown" with its reason where a setting was not read;
* moto end to end: a small account scanned with the streaming collectors, section 3.3 names the
  stream and its shards, a denied DescribeStreamSummary reads "unknown", never "no";
* the sample account's stream, delivery stream and user pool, free of findings.

The recorded-shape cases (``CASES``) are swept by tests/test_recorded_all.py (``streams`` is one of
its FAMILIES); the looser ``check_*`` helpers here stay for tests/test_cognito.py, whose cases share
the fixture folder and keep their own sweep.
"""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from moto import mock_aws

from renderers.document import DocHelpers, environment, load_facts, render_document
from scanner import judge
from scanner.analysis import analyze
from scanner.analysis.model import STATUS_NOT_ASSESSED, STATUS_OPEN
from scanner.collectors import load_all
from scanner.collectors import streaming as st
from scanner.inventory import Inventory, Records
from scanner.runner import scan
from scanner.session import make_session, verify_identity
from tests.conftest import section
from tests.support.denials import deny
from tests.test_recorded_shapes import (
    IDS_MAY_BE_MISSING,
    Case,
    by_id,
    contains_unknown,
    context,
    expected_names,
    items,
    known_enums,
    leaves,
    named,
    one,
    op_parts,
    prop_root,
    responses,
    run,
    spec_problems,
)

F = "streams"
ACCT = "123456789012"
REGION = "us-east-1"


# --- recorded shapes ---------------------------------------------------------------------------------

def _streams(ctx, r: dict) -> Records:
    summaries = {s.get("StreamName"): s for s in items(r, "ListStreams", "StreamSummaries") if isinstance(s, dict)}
    for n in items(r, "ListStreams", "StreamNames"):
        summaries.setdefault(n, {"StreamName": n})
    described = one(r, "DescribeStreamSummary")
    name = (described.get("StreamDescriptionSummary") or {}).get("StreamName")
    out = []
    for key, s in summaries.items():
        mine = key == name
        out.append(st.stream_item(s, described if mine else None, one(r, "ListTagsForStream") if mine else None,
                                  items(r, "ListStreamConsumers", "Consumers") if mine else None))
    return st.transform_streams(ctx, out)


def _delivery(ctx, r: dict) -> Records:
    d = dict(one(r, "DescribeDeliveryStream").get("DeliveryStreamDescription") or {})
    d["Tags"] = items(r, "ListTagsForDeliveryStream", "Tags")
    return st.transform_delivery_streams(ctx, [d])


CASES = [
    Case(F, st.transform_streams, ("kinesis:ListStreams", "kinesis:DescribeStreamSummary",
                                   "kinesis:ListTagsForStream", "kinesis:ListStreamConsumers"), _streams,
         names=("ListStreams:StreamNames[]",)),
    Case(F, st.transform_delivery_streams, ("firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream"),
         _delivery, names=("DescribeDeliveryStream:DeliveryStreamDescription.DeliveryStreamName",),
         edges=("DescribeDeliveryStream:DeliveryStreamDescription.Destinations[]"
                ".AmazonopensearchserviceDestinationDescription.DomainARN",)),
    Case(F, st.transform_msk_clusters, ("kafka:ListClustersV2",),
         lambda ctx, r: st.transform_msk_clusters(ctx, items(r, "ListClustersV2", "ClusterInfoList")),
         names=("ListClustersV2:ClusterInfoList[].ClusterName",), ids=("ClusterArn",),
         allow={"encryption_in_transit": "serverless clusters accept TLS only (AWS documents no other setting)",
                "public_access": "serverless clusters have no public access",
                "in_cluster_tls": "serverless clusters always encrypt between brokers",
                "encrypted": "MSK always encrypts broker storage at rest"}),
]


def check_variant(case: Case, kind: str) -> None:
    """No variant raises; nodes fit their specs; every named resource is there, or a gap says why not."""
    refs = case.ops
    out = run(case, kind, refs)
    assert spec_problems(out) == []
    names = expected_names(case, responses(case, kind, refs))
    assert [n for n in names if not named(out, n)] == [], f"{case.id} [{kind}]"
    full = expected_names(case, responses(case, "full", refs))
    assert full, f"{case.id}: the full fixture names no resource"
    skipped = kind in IDS_MAY_BE_MISSING and len(names) < len(full)
    if skipped:
        assert out.gaps, f"{case.id} [{kind}]: items without an identifier skipped without a gap"
    ends = expected_names(case, responses(case, kind, refs), case.edges)
    lost = [e for e in ends if not any(e in (x.src, x.dst) for x in out.edges)]
    assert lost == [] or skipped, f"{case.id} [{kind}]: relationships not in the records: {lost}"


def check_unknown_enum_stays_raw(case: Case) -> None:
    full, odd = (by_id(run(case, k, case.ops)) for k in ("full", "unknown_enum"))
    wrong = []
    for nid, props in odd.items():
        before = dict(leaves(full.get(nid, {})))
        for path, value in leaves(props):
            if path in before and before[path] != value and value not in (None, []) and not contains_unknown(value) \
                    and prop_root(path) not in case.allow_enum:
                wrong.append(f"{nid} {path}: {before[path]!r} -> {value!r}")
    assert wrong == [], f"{case.id}: an unknown enum value became another value"


def check_missing_field_stays_unknown(case: Case) -> None:
    outs = {k: by_id(run(case, k, case.ops)) for k in
            ("full", "all_true", "all_false", "unknown_enum", "nulls", "deep_nulls", "minimal")}
    enums = frozenset().union(*(known_enums(*op_parts(r)) for r in case.ops))
    wrong = []
    for kind in ("nulls", "deep_nulls", "minimal"):
        for nid, props in outs[kind].items():
            refs = [dict(leaves(outs[k].get(nid, {}))) for k in ("full", "all_true", "all_false", "unknown_enum")]
            for path, value in leaves(props):
                if not (isinstance(value, bool) or (isinstance(value, str) and value in enums)):
                    continue
                seen = [r[path] for r in refs if path in r]
                if any(contains_unknown(s) for s in seen):
                    continue  # the enum value as AWS sent it (a required member, still present here)
                if any(s != value for s in seen) and prop_root(path) not in case.allow:
                    wrong.append(f"[{kind}] {nid} {path}: {value!r} (input present: {seen!r})")
    assert wrong == [], f"{case.id}: a fact stated although its input is absent: {sorted(set(wrong))}"


def check_timestamps_in_any_form(case: Case) -> None:
    outs = {k: by_id(run(case, k, case.ops)) for k in ("full", "naive_time", "string_time")}
    assert outs["naive_time"] == outs["full"] and outs["string_time"] == outs["full"], case.id


# --- facts and findings from the recorded answers ----------------------------------------------------

def _recorded_graph(*cases: Case, kind: str = "full") -> Inventory:
    inv = Inventory({"account": ACCT, "regions": [REGION]})
    inv.merge([run(c, kind, c.ops) for c in cases])
    reads = {c.name: c for c in load_all()}
    for name in ("kinesis.streams", "firehose.delivery_streams", "kafka.clusters", "cognito-idp.user_pools",
                 "cognito-identity.identity_pools"):
        inv.meta["runs"].append({"collector": name, "service": reads[name].service, "region": REGION, "status": "ok"})
    judge.run(inv)
    return inv


def render(inv: Inventory, analysis: Any, template: str) -> str:
    """One partial template (3.3_streams, 5.1_user_pools) as the document renders it."""
    ctx = {"inv": inv, "facts": load_facts(), "h": DocHelpers(inv, analysis, {})}
    return environment().get_template(f"subsections/{template}.md.j2").render(ctx)


@pytest.fixture(scope="module")
def recorded() -> SimpleNamespace:
    inv = _recorded_graph(*CASES)
    analysis = analyze(inv, {})
    return SimpleNamespace(inv=inv, analysis=analysis, text=render(inv, analysis, "3.3_streams"))


def _findings(analysis: Any, rule: str, status: str = STATUS_OPEN) -> list[Any]:
    return [f for f in analysis.findings if f.rule == rule and f.status == status]


def test_recorded_stream_facts_and_finding(recorded) -> None:
    inv = recorded.inv
    cdc = f"arn:aws:kinesis:{REGION}:{ACCT}:stream/orders-cdc"
    click = f"arn:aws:kinesis:{REGION}:{ACCT}:stream/clickstream"
    p = inv.node(cdc)["props"]
    assert (p["mode"], p["shard_count"], p["retention_hours"], p["consumer_count"]) == ("ON_DEMAND", 4, 168, 1)
    assert inv.node(cdc)["tags"] == {"Project": "web-platform", "Owner": ""}
    assert inv.fact(cdc, "encrypted").no
    # known from the list only: its encryption was never stated, so it is unknown and says so
    f = inv.fact(click, "encrypted")
    assert f.unknown and "EncryptionType" in f.why
    [hit] = _findings(recorded.analysis, "STR-001")
    assert hit.resources == [cdc] and "EncryptionType NONE" in hit.evidence[0]
    assert "| orders-cdc | on-demand | 4 | 7 days | no | 1 |" in recorded.text


def test_recorded_msk_public_plaintext_and_serverless(recorded) -> None:
    inv = recorded.inv
    events = next(n for n in inv.nodes("kafka:cluster") if n["name"] == "events")
    tele = next(n for n in inv.nodes("kafka:cluster") if n["name"] == "telemetry")
    assert events["props"]["authentication"] == ["SASL/SCRAM"] and events["props"]["storage_gb"] == 1000
    assert inv.fact(events["id"], "plaintext").yes and inv.fact(events["id"], "public").yes
    assert inv.fact(tele["id"], "plaintext").no and inv.fact(tele["id"], "public").no
    assert {f"arn:aws:ec2:{REGION}:{ACCT}:subnet/subnet-0a1b2c3d"} <= {d for s, d, _ in inv.edges("in_subnet")
                                                                       if s == events["id"]}
    assert [f.resources for f in _findings(recorded.analysis, "STR-003")] == [[events["id"]]]
    [pub] = _findings(recorded.analysis, "STR-004")
    assert pub.severity == "high" and "SERVICE_PROVIDED_EIPS" in pub.evidence[0] and pub.remediation
    assert "plaintext allowed (TLS\\_PLAINTEXT)" in recorded.text and "TLS only" in recorded.text


def test_recorded_firehose_destination_and_encryption(recorded) -> None:
    inv = recorded.inv
    arn = f"arn:aws:firehose:{REGION}:{ACCT}:deliverystream/orders-to-search"
    p = inv.node(arn)["props"]
    assert (p["source"], p["destination"], p["encrypted"]) == ("Direct PUT", "OpenSearch", True)
    assert (arn, f"arn:aws:es:{REGION}:{ACCT}:domain/orders-search") in {(s, d) for s, d, _ in inv.edges("delivers_to")}
    assert (arn, "arn:aws:s3:::orders-failed-123456789012") in {(s, d) for s, d, _ in inv.edges("delivers_to")}
    assert inv.fact(arn, "encrypted").yes and not _findings(recorded.analysis, "STR-002")
    assert "OpenSearch domain orders-search (backup to S3 bucket orders-failed-123456789012)" in recorded.text


def test_unknown_enum_and_nulls_are_judged_unknown_not_no() -> None:
    inv = _recorded_graph(*CASES, kind="unknown_enum")
    for n in inv.nodes("kinesis:stream", "firehose:delivery-stream", "kafka:cluster"):
        if n["props"].get("serverless"):
            continue  # serverless MSK: TLS only and private whatever the enums say
        for fact in ("encrypted", "plaintext", "public"):
            f = inv.fact(n["id"], fact)
            assert f is None or not f.no, (n["id"], fact, f)
    cdc = inv.fact(f"arn:aws:kinesis:{REGION}:{ACCT}:stream/orders-cdc", "encrypted")
    assert cdc.unknown and "not understood" in cdc.why
    inv = _recorded_graph(*CASES, kind="nulls")
    analysis = analyze(inv, {})
    assert not [f for f in analysis.findings if f.rule.startswith("STR-") and f.status == STATUS_OPEN]
    text = render(inv, analysis, "3.3_streams")
    assert "| no |" not in text and "unknown (" in text


def test_firehose_fed_by_a_stream_is_judged_by_the_stream() -> None:
    ctx = context()
    stream = f"arn:aws:kinesis:{REGION}:{ACCT}:stream/raw"
    kin = st.transform_streams(ctx, [{"StreamName": "raw", "StreamARN": stream, "EncryptionType": "NONE"}])
    fh = st.transform_delivery_streams(ctx, [
        {"DeliveryStreamName": "raw-archive", "DeliveryStreamType": "KinesisStreamAsSource",
         "Source": {"KinesisStreamSourceDescription": {"KinesisStreamARN": stream}},
         "Destinations": [{"S3DestinationDescription": {"BucketARN": "arn:aws:s3:::archive"},
                           "ExtendedS3DestinationDescription": {"BucketARN": "arn:aws:s3:::archive"}}]},
        {"DeliveryStreamName": "direct", "DeliveryStreamType": "DirectPut",
         "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
         "Destinations": [{"HttpEndpointDestinationDescription": {
             "EndpointConfiguration": {"Url": "https://logs.example.com/in?token=SECRET", "Name": "vendor"}}}]},
        {"DeliveryStreamName": "elsewhere", "DeliveryStreamType": "KinesisStreamAsSource",
         "Source": {"KinesisStreamSourceDescription": {"KinesisStreamARN": "arn:aws:kinesis:eu-west-1:999999999999:stream/x"}},
         "Destinations": [{"RedshiftDestinationDescription": {
             "ClusterJDBCURL": "jdbc:redshift://dw.abc123.us-east-1.redshift.amazonaws.com:5439/dev"}}]}],
        unread=["hidden"])
    inv = Inventory({"account": ACCT, "regions": [REGION]})
    inv.merge([kin, fh])
    judge.run(inv)
    fact = lambda name: inv.fact(f"arn:aws:firehose:{REGION}:{ACCT}:deliverystream/{name}", "encrypted")  # noqa: E731
    assert (stream, f"arn:aws:firehose:{REGION}:{ACCT}:deliverystream/raw-archive") in \
        {(s, d) for s, d, _ in inv.edges("source_of")}
    assert fact("raw-archive").no and "source stream raw" in fact("raw-archive").why
    assert fact("direct").no
    assert fact("elsewhere").unknown and "not scanned" in fact("elsewhere").why
    assert fact("hidden").unknown
    direct = inv.node(f"arn:aws:firehose:{REGION}:{ACCT}:deliverystream/direct")["props"]
    assert direct["destination_endpoint"] == "logs.example.com" and "SECRET" not in json.dumps(direct)
    dw = inv.node(f"arn:aws:firehose:{REGION}:{ACCT}:deliverystream/elsewhere")["props"]
    assert dw["destination_arn"] == f"arn:aws:redshift:{REGION}:{ACCT}:cluster:dw"


# --- moto end to end ------------------------------------------------------------------------------------

STREAM_COLLECTORS = ("kinesis.streams", "firehose.delivery_streams", "kafka.clusters", "lambda.functions",
                     "lambda.event_source_mappings", "ec2.vpcs", "ec2.subnets", "s3.buckets")


def scan_only(builder: Any, collectors: tuple[str, ...], before_scan: Any = None) -> SimpleNamespace:
    """Build an account in moto, scan it with a few collectors, analyse it and render the document
    (without diagrams: fast)."""
    with mock_aws():
        builder()
        session = make_session(None, REGION)
        if before_scan:
            before_scan(session)
        inv = scan(session, verify_identity(session), [REGION], collectors=[c for c in load_all() if c.name in collectors])
    analysis = analyze(inv, {})
    return SimpleNamespace(inv=inv, analysis=analysis, doc=render_document(inv, analysis, project_name="Streams"))


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("h.py", "def h(event, context):\n    return 1\n")
    return buf.getvalue()


def build_streams() -> dict[str, str]:
    import boto3

    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="raw-events", ShardCount=3)
    arn = kinesis.describe_stream_summary(StreamName="raw-events")["StreamDescriptionSummary"]["StreamARN"]
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="raw-archive-bucket")
    role = f"arn:aws:iam::{ACCT}:role/firehose"
    boto3.client("firehose", region_name=REGION).create_delivery_stream(
        DeliveryStreamName="raw-archive", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": role},
        ExtendedS3DestinationConfiguration={"RoleARN": role, "BucketARN": "arn:aws:s3:::raw-archive-bucket"})
    iam = boto3.client("iam", region_name=REGION)
    fn_role = iam.create_role(RoleName="consumer", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=REGION)
    lam.create_function(FunctionName="consumer", Runtime="python3.12", Role=fn_role, Handler="h.h",
                        Code={"ZipFile": _zip()})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", StartingPosition="LATEST")
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="kafka", Description="kafka clients", VpcId=vpc)["GroupId"]
    boto3.client("kafka", region_name=REGION).create_cluster_v2(ClusterName="events", Provisioned={
        "BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": subnets, "SecurityGroups": [sg],
                                "StorageInfo": {"EbsStorageInfo": {"VolumeSize": 500}}},
        "KafkaVersion": "3.6.0", "NumberOfBrokerNodes": 2})
    return {"stream_arn": arn}


@pytest.fixture(scope="module")
def moto_scan() -> SimpleNamespace:
    return scan_only(build_streams, STREAM_COLLECTORS)


def test_moto_stream_name_and_shards_in_3_3_and_unencrypted_finding(moto_scan) -> None:
    s33 = section(moto_scan.doc, "3.3")
    assert "| us-east-1 | raw-events | provisioned | 3 | 24 hours | no | 0 | Firehose raw-archive; Lambda consumer |" in s33
    assert "| raw-archive | Kinesis stream raw-events | S3 bucket raw-archive-bucket | no | ACTIVE |" in s33
    assert "| events | provisioned (kafka.m5.large) | 3.6.0 | 2 | 500 GiB |" in s33
    s53 = section(moto_scan.doc, "5.3")
    assert "STR-001: Kinesis data stream not encrypted" in s53 and "EncryptionType NONE" in s53
    assert "STR-002: Firehose delivery stream not encrypted" in s53
    # moto states no client-broker encryption nor public access: not assessed, never a pass
    assert [f.status for f in moto_scan.analysis.findings if f.rule == "STR-003"] == [STATUS_NOT_ASSESSED]


def test_moto_event_source_mapping_points_at_the_stream_node(moto_scan) -> None:
    inv = moto_scan.inv
    [(src, dst)] = [(s, d) for s, d, _ in inv.edges("triggers") if ":kinesis:" in s]
    assert inv.node(src)["kind"] == "kinesis:stream" and not inv.node(src).get("external")
    assert dst.endswith(":function:consumer")
    msk = inv.nodes("kafka:cluster")[0]
    assert len(inv.out(msk["id"], "in_subnet", "ec2:subnet")) == 2  # placed in its VPC's subnets


def test_denied_describe_stream_summary_renders_unknown_not_no() -> None:
    res = scan_only(build_streams, ("kinesis.streams",), before_scan=deny("kinesis:DescribeStreamSummary"))
    [node] = res.inv.nodes("kinesis:stream")
    f = res.inv.fact(node["id"], "encrypted")
    assert f.unknown and "kinesis:DescribeStreamSummary" in f.why and "denied" in f.why
    s33 = section(res.doc, "3.3")
    row = next(line for line in s33.splitlines() if line.startswith("| us-east-1 | raw-events |"))
    assert "unknown (kinesis:DescribeStreamSummary: access denied)" in row and "| no |" not in row
    assert [f.status for f in res.analysis.findings if f.rule == "STR-001"] == [STATUS_NOT_ASSESSED]


def test_denied_list_says_not_listed_instead_of_none() -> None:
    res = scan_only(lambda: None, ("kafka.clusters",), before_scan=deny("kafka:ListClustersV2"))
    s33 = section(res.doc, "3.3")
    assert "not listed: MSK clusters in us-east-1: kafka:ListClustersV2: access denied" in s33


# --- the sample account ---------------------------------------------------------------------------------

def test_sample_stream_firehose_and_no_streaming_findings(sample) -> None:
    s33 = section(sample.doc, "3.3")
    assert "| us-east-1 | clickstream | provisioned | 2 | 3 days | yes (EncryptionType KMS, KMS key alias/web-platform" in s33
    assert "| clickstream-archive | Kinesis stream clickstream | S3 bucket web-platform-logs-123456789012 | yes" in s33
    assert not [f for f in sample.analysis.open_findings() if f.rule.startswith("STR-")]

"""Firehose collection: every destination of a delivery stream is recorded, not only the first.

The transform is fed AWS-shaped answers; the collector's paging of ``HasMoreDestinations``
(DescribeDeliveryStream with ``ExclusiveStartDestinationId``) runs against botocore's Stubber,
because moto always answers one destination and ``HasMoreDestinations: false``.
"""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from scanner.collectors import streaming as st
from scanner.context import ScanContext
from tests.test_recorded_shapes import ACCOUNT, REGION, context

STREAM = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/fanout"
BUCKET = "arn:aws:s3:::archive"
FAILED = "arn:aws:s3:::failed-deliveries"
DOMAIN = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/search"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/firehose"



def _s3(bucket: str) -> dict:
    """An S3 destination description with the members the service model requires."""
    return {"BucketARN": bucket, "RoleARN": ROLE, "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
            "CompressionFormat": "GZIP", "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"}}


S3_DEST = {"DestinationId": "destinationId-000000000001",
           "ExtendedS3DestinationDescription": _s3(BUCKET), "S3DestinationDescription": _s3(BUCKET)}
SEARCH_DEST = {"DestinationId": "destinationId-000000000002",
               "AmazonopensearchserviceDestinationDescription": {
                   "DomainARN": DOMAIN, "RoleARN": ROLE,
                   "S3DestinationDescription": _s3(FAILED),
                   "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": "/firehose/fanout"}}}
SPLUNK_DEST = {"DestinationId": "destinationId-000000000003",
               "SplunkDestinationDescription": {"HECEndpoint": "https://hec.example.com:8088/services?token=SECRET",
                                                "S3DestinationDescription": _s3(FAILED)}}


def _edges(records, rel: str) -> set[tuple[str, str, str | None]]:
    return {(e.src, e.dst, e.props.get("role")) for e in records.edges if e.rel == rel}


def test_every_destination_is_delivered_to_and_listed() -> None:
    out = st.transform_delivery_streams(context(), [{
        "DeliveryStreamName": "fanout", "DeliveryStreamARN": STREAM, "DeliveryStreamType": "DirectPut",
        "Destinations": [S3_DEST, SEARCH_DEST, SPLUNK_DEST]}])
    p = next(n for n in out.nodes if n.id == STREAM).props
    assert p["destination_types"] == ["S3", "OpenSearch", "Splunk"]
    assert [(d["id"], d["type"], d["arn"], d["endpoint"]) for d in p["destinations"]] == [
        ("destinationId-000000000001", "S3", BUCKET, None),
        ("destinationId-000000000002", "OpenSearch", DOMAIN, None),
        ("destinationId-000000000003", "Splunk", None, "hec.example.com")]
    # the scalar props still describe the first destination, as before
    assert (p["destination"], p["destination_arn"]) == ("S3", BUCKET)
    assert _edges(out, "delivers_to") == {(STREAM, BUCKET, None), (STREAM, DOMAIN, None),
                                          (STREAM, FAILED, "backup")}, "each target once, the backup as backup"
    assert _edges(out, "uses_role") == {(STREAM, ROLE, None)}
    assert _edges(out, "logs_to") == {(STREAM, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/firehose/fanout", None)}
    assert "SECRET" not in repr(p)


def test_a_backup_bucket_that_is_also_a_destination_is_a_destination() -> None:
    both = {"DestinationId": "d2", "SplunkDestinationDescription": {"S3DestinationDescription": {"BucketARN": BUCKET}}}
    out = st.transform_delivery_streams(context(), [{"DeliveryStreamName": "fanout", "DeliveryStreamARN": STREAM,
                                                     "Destinations": [S3_DEST, both]}])
    assert _edges(out, "delivers_to") == {(STREAM, BUCKET, None)}


def test_no_destinations_listed_is_unknown_and_an_empty_list_is_none() -> None:
    out = st.transform_delivery_streams(context(), [
        {"DeliveryStreamName": "absent", "DeliveryStreamARN": STREAM + "-a"},
        {"DeliveryStreamName": "empty", "DeliveryStreamARN": STREAM + "-e", "Destinations": []}])
    props = {n.name: n.props for n in out.nodes}
    assert (props["absent"]["destination_types"], props["absent"]["destinations"]) == (None, None)
    assert (props["empty"]["destination_types"], props["empty"]["destinations"]) == ([], [])
    assert props["absent"]["destination"] is None and _edges(out, "delivers_to") == set()


def test_collector_reads_every_page_of_destinations() -> None:
    ctx = ScanContext(boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"),
                      REGION, ACCOUNT)
    fh = ctx.client("firehose")
    first = {"DeliveryStreamName": "fanout", "DeliveryStreamARN": STREAM, "DeliveryStreamStatus": "ACTIVE",
             "DeliveryStreamType": "DirectPut", "VersionId": "1", "HasMoreDestinations": True,
             "Destinations": [S3_DEST]}
    with Stubber(fh) as stub:
        stub.add_response("list_delivery_streams", {"DeliveryStreamNames": ["fanout"], "HasMoreDeliveryStreams": False},
                          {"Limit": 1000})
        stub.add_response("describe_delivery_stream", {"DeliveryStreamDescription": first},
                          {"DeliveryStreamName": "fanout"})
        stub.add_response("describe_delivery_stream", {"DeliveryStreamDescription": {
            **first, "HasMoreDestinations": True, "Destinations": [SEARCH_DEST]}},
            {"DeliveryStreamName": "fanout", "ExclusiveStartDestinationId": "destinationId-000000000001"})
        stub.add_response("describe_delivery_stream", {"DeliveryStreamDescription": {
            **first, "HasMoreDestinations": False, "Destinations": [SPLUNK_DEST]}},
            {"DeliveryStreamName": "fanout", "ExclusiveStartDestinationId": "destinationId-000000000002"})
        stub.add_response("list_tags_for_delivery_stream", {"Tags": [], "HasMoreTags": False},
                          {"DeliveryStreamName": "fanout", "Limit": 50})
        out = st.collect_delivery_streams(ctx)
        stub.assert_no_pending_responses()
    p = next(n for n in out.nodes if n.id == STREAM).props
    assert p["destination_types"] == ["S3", "OpenSearch", "Splunk"]
    assert {d for _, d, _ in _edges(out, "delivers_to")} == {BUCKET, DOMAIN, FAILED}
    assert not out.gaps

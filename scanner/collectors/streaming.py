"""Streaming: Kinesis Data Streams, Data Firehose delivery streams and MSK (Kafka) clusters.

Get / transform split as in storage.py: ``collect_*`` make the paginated read-only calls
(Firehose's list is paged by hand: it answers ``HasMoreDeliveryStreams`` and takes
``ExclusiveStartDeliveryStreamName``), pure ``transform_*`` turn the API shapes into records.
Transforms are fed recorded AWS-shaped answers in the tests, so every field may be missing,
null or hold an enum value this code has not seen: a value that is not understood is kept
as AWS said it and judged "unknown" (scanner/judge/streams.py), never guessed.

Graph ids are the ARNs AWS uses elsewhere: a stream's ARN is what a Lambda event-source
mapping names (``EventSourceArn``), an MSK cluster's ARN likewise; a Firehose source is a
``source_of`` edge from that stream or cluster, each of its destinations a ``delivers_to`` edge
(``destination_types`` / ``destinations`` list them all; ``destination`` and the other scalar
destination props describe the first, as AWS lists them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from scanner import naming
from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.collectors.storage import opt_int, read_optional
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records

#: Firehose ``list_delivery_streams`` pages are bounded: a runaway token cannot loop forever
MAX_FIREHOSE_PAGES = 1000


def _dict(value: Any) -> dict[str, Any]:
    """A nested answer part as a dict ({} for a missing, null or malformed part)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strs(values: Iterable[Any]) -> list[str]:
    """Distinct non-empty strings, in order."""
    return list(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v))


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def endpoint_host(url: Any) -> str | None:
    """The host of an endpoint URL (``jdbc:redshift://h:5439/db``, ``https://h/path?token=...``);
    only the host is kept, a path or query may carry a token."""
    if not isinstance(url, str) or not url:
        return None
    text = url[5:] if url.startswith("jdbc:") else url
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname
    except ValueError:
        return None
    return host or None


# --- Kinesis Data Streams ------------------------------------------------------------------------

def transform_streams(ctx: ScanContext, streams: list[dict[str, Any]]) -> Records:
    """Streams: each item a ListStreams summary merged with its DescribeStreamSummary answer and
    ``Tags`` (a list; None when unread). Fields the describe call would add are None when it was
    not read, so the judged facts say "unknown" with the gap's reason."""
    out = ctx.records()
    for s in streams:
        if not isinstance(s, dict):
            continue
        name = s.get("StreamName") if isinstance(s.get("StreamName"), str) else None
        arn = s.get("StreamARN") if isinstance(s.get("StreamARN"), str) else None
        arn = arn or (ctx.arn("kinesis", f"stream/{name}") if name else None)
        if not arn:
            skipped(out, "kinesis", "kinesis:ListStreams", "a stream", "StreamName or StreamARN")
            continue
        enc = s.get("EncryptionType")
        kms = ctx.kms_key_arn(s.get("KeyId")) if enc == "KMS" and isinstance(s.get("KeyId"), str) else None
        monitoring = s.get("EnhancedMonitoring")
        metrics = None if monitoring is None else sorted(set(_strs(
            m for e in _list(monitoring) for m in _list(_dict(e).get("ShardLevelMetrics")))))
        out.node(arn, "kinesis:stream", name or arn.rsplit("/", 1)[-1], tags=tags_of(s.get("Tags") or []),
                 mode=_dict(s.get("StreamModeDetails")).get("StreamMode"),
                 shard_count=opt_int(s.get("OpenShardCount")),
                 retention_hours=opt_int(s.get("RetentionPeriodHours")),
                 encryption=enc if isinstance(enc, str) else None, kms_key=kms,
                 status=s.get("StreamStatus"), consumer_count=opt_int(s.get("ConsumerCount")),
                 shard_metrics=metrics, created=iso(s.get("StreamCreationTimestamp")))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, kms, "encrypted_by")
    return out


def _stream_summaries(ctx: ScanContext) -> list[dict[str, Any]]:
    """Every stream once: ListStreams pages carry StreamSummaries (with the ARN) and StreamNames."""
    seen: dict[str, dict[str, Any]] = {}
    for page in ctx.paginate("kinesis", "list_streams"):
        for s in _list(page.get("StreamSummaries")):
            if isinstance(s, dict) and s.get("StreamName"):
                seen.setdefault(str(s["StreamName"]), dict(s))
        for n in _list(page.get("StreamNames")):
            if isinstance(n, str) and n:
                seen.setdefault(n, {"StreamName": n})
    return [seen[k] for k in sorted(seen)]


@collector("kinesis.streams", "kinesis",
           reads="kinesis:ListStreams, DescribeStreamSummary, ListStreamConsumers, ListTagsForStream")
def collect_streams(ctx: ScanContext) -> Records:
    out = ctx.records()
    streams = []
    for s in _stream_summaries(ctx):
        name = s["StreamName"]
        arn = s.get("StreamARN") or ctx.arn("kinesis", f"stream/{name}")
        desc = read_optional(ctx, out, "kinesis", "describe_stream_summary", resource=arn,
                             missing=("ResourceNotFoundException",), StreamName=name)
        if desc == {}:
            continue  # deleted between the list and the describe
        consumers = None
        if desc and _dict(desc.get("StreamDescriptionSummary")).get("ConsumerCount") is None:
            # older answers (and emulators) leave the count out: count the registered consumers
            consumers = ctx.optional_pages(out, "kinesis", "list_stream_consumers", "Consumers", resource=arn,
                                           missing=("ResourceNotFoundException",), StreamARN=arn)
        tags = read_optional(ctx, out, "kinesis", "list_tags_for_stream", resource=arn,
                             missing=("ResourceNotFoundException",), StreamName=name, Limit=50)
        streams.append(stream_item(s, desc, tags, consumers))
    return out.extend(transform_streams(ctx, streams))


def stream_item(summary: dict[str, Any], described: dict[str, Any] | None, tags: dict[str, Any] | None,
                consumers: list[Any] | None = None) -> dict[str, Any]:
    """One stream as transform_streams takes it: the list summary, its DescribeStreamSummary answer
    (None: not read), its ListTagsForStream answer (None: not read) and, where the describe answer
    has no ConsumerCount, the ListStreamConsumers items."""
    stated = _dict((described or {}).get("StreamDescriptionSummary"))
    item = {**summary, **{k: v for k, v in stated.items() if v is not None}}  # a null never hides the list's value
    if item.get("ConsumerCount") is None and consumers is not None:
        item["ConsumerCount"] = len(consumers)
    item["Tags"] = None if tags is None else _list(tags.get("Tags"))
    return item


# --- Data Firehose --------------------------------------------------------------------------------

#: DeliveryStreamType -> the source as the document says it
FIREHOSE_SOURCES = {"DirectPut": "Direct PUT", "KinesisStreamAsSource": "Kinesis stream",
                    "MSKAsSource": "MSK", "DatabaseAsSource": "database"}
#: destination description keys, most specific first (AWS sends S3DestinationDescription beside
#: ExtendedS3DestinationDescription, and inside the others as their backup bucket)
FIREHOSE_DESTINATIONS = (
    ("RedshiftDestinationDescription", "Redshift"),
    ("AmazonopensearchserviceDestinationDescription", "OpenSearch"),
    ("ElasticsearchDestinationDescription", "Elasticsearch"),
    ("AmazonOpenSearchServerlessDestinationDescription", "OpenSearch Serverless"),
    ("SplunkDestinationDescription", "Splunk"),
    ("HttpEndpointDestinationDescription", "HTTP endpoint"),
    ("SnowflakeDestinationDescription", "Snowflake"),
    ("IcebergDestinationDescription", "Iceberg"),
    ("ExtendedS3DestinationDescription", "S3"),
    ("S3DestinationDescription", "S3"),
)
#: SSE statuses under which the Firehose buffer is encrypted / is not
SSE_ON = frozenset({"ENABLED", "DISABLING", "DISABLING_FAILED"})
SSE_OFF = frozenset({"DISABLED", "ENABLING", "ENABLING_FAILED"})


def _firehose_source(d: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(source word, source ARN, MSK topic)."""
    src = _dict(d.get("Source"))
    kinesis = _dict(src.get("KinesisStreamSourceDescription"))
    msk = _dict(src.get("MSKSourceDescription"))
    if kinesis:
        return "Kinesis stream", kinesis.get("KinesisStreamARN"), None
    if msk:
        return "MSK", msk.get("MSKClusterARN"), msk.get("TopicName")
    if src.get("DatabaseSourceDescription"):
        return "database", None, None
    kind = d.get("DeliveryStreamType")
    return (FIREHOSE_SOURCES.get(kind, kind) if isinstance(kind, str) else None), None, None


def _redshift_arn(ctx: ScanContext, host: str | None) -> str | None:
    """A provisioned cluster's ARN from its JDBC host (``<cluster>.<id>.<region>.redshift.amazonaws.com``)."""
    if not host or not host.endswith(".redshift.amazonaws.com"):
        return None
    parts = host.split(".")
    region = parts[2] if len(parts) > 4 else None
    return ctx.arn("redshift", f"cluster:{parts[0]}", region=region)


#: what a destination says when none of its description keys is understood
NO_DESTINATION: dict[str, Any] = {"id": None, "destination": None, "destination_arn": None,
                                  "destination_endpoint": None, "backup_bucket_arn": None, "role_arn": None,
                                  "log_group": None}


def _one_destination(ctx: ScanContext, dest: dict[str, Any]) -> dict[str, Any]:
    """What one ``Destinations`` item says: its type, ARN or endpoint host, backup bucket, role, log group."""
    did = dest.get("DestinationId") if isinstance(dest.get("DestinationId"), str) else None
    for key, word in FIREHOSE_DESTINATIONS:
        desc = _dict(dest.get(key))
        if not desc:
            continue
        arn: str | None = None
        host: str | None = None
        if word == "S3":
            arn = desc.get("BucketARN")
        elif word == "Redshift":
            host = endpoint_host(desc.get("ClusterJDBCURL"))
            arn = _redshift_arn(ctx, host)
        elif word in ("OpenSearch", "Elasticsearch"):
            arn, host = desc.get("DomainARN"), endpoint_host(desc.get("ClusterEndpoint"))
        elif word == "OpenSearch Serverless":
            host = endpoint_host(desc.get("CollectionEndpoint"))
        elif word == "Splunk":
            host = endpoint_host(desc.get("HECEndpoint"))
        elif word == "HTTP endpoint":
            host = endpoint_host(_dict(desc.get("EndpointConfiguration")).get("Url"))
        elif word == "Snowflake":
            host = endpoint_host(desc.get("AccountUrl"))
        elif word == "Iceberg":
            arn = _dict(desc.get("CatalogConfiguration")).get("CatalogARN")
        backup = _dict(desc.get("S3BackupDescription")) if word == "S3" else _dict(desc.get("S3DestinationDescription"))
        logging = _dict(desc.get("CloudWatchLoggingOptions"))
        bucket = backup.get("BucketARN")
        return {"id": did, "destination": word, "destination_arn": arn if isinstance(arn, str) and arn else None,
                "destination_endpoint": host,
                "backup_bucket_arn": bucket if isinstance(bucket, str) and bucket else None,
                "role_arn": desc.get("RoleARN") if isinstance(desc.get("RoleARN"), str) else None,
                "log_group": logging.get("LogGroupName") if logging.get("Enabled") else None}
    unknown = sorted(k for k in dest if k.endswith("DestinationDescription"))
    return {**NO_DESTINATION, "id": did,
            "destination": unknown[0].removesuffix("DestinationDescription") if unknown else None}


def firehose_destinations(ctx: ScanContext, d: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Every destination of a delivery stream, in the answer's order (None: the answer lists none at
    all, so what it delivers to is not known). AWS answers a list and pages it (``HasMoreDestinations``);
    the collector reads every page, so nothing past the first is dropped."""
    if not isinstance(d.get("Destinations"), list):
        return None
    return [_one_destination(ctx, x) for x in d["Destinations"] if isinstance(x, dict)]


def _sse(d: dict[str, Any]) -> tuple[bool | None, str | None, str | None, str | None]:
    """(encrypted, status, key type, customer key ARN) of the delivery stream's own SSE; encrypted is
    None when the answer states no status, or one this code does not know (judged unknown, not guessed)."""
    enc = _dict(d.get("DeliveryStreamEncryptionConfiguration"))
    status, key_type, key = enc.get("Status"), enc.get("KeyType"), enc.get("KeyARN")
    on = True if status in SSE_ON else False if status in SSE_OFF else None
    cmk = key if key_type == "CUSTOMER_MANAGED_CMK" and isinstance(key, str) and key else None
    return on, status if isinstance(status, str) else None, key_type if isinstance(key_type, str) else None, cmk


def transform_delivery_streams(ctx: ScanContext, descriptions: list[dict[str, Any]],
                               unread: Iterable[str] = ()) -> Records:
    """Delivery streams from DescribeDeliveryStream's ``DeliveryStreamDescription`` (each may carry
    ``Tags``: a list, None when unread); ``unread`` names the streams whose describe failed (a node
    with nothing known, so their facts are unknown with the gap's reason)."""
    out = ctx.records()
    for name in unread:
        arn = ctx.arn("firehose", f"deliverystream/{name}")
        out.node(arn, "firehose:delivery-stream", name, source=None, destination=None, encrypted=None)
        out.edge(ctx.region_node, arn, "contains")
    for d in descriptions:
        if not isinstance(d, dict):
            continue
        name = d.get("DeliveryStreamName") if isinstance(d.get("DeliveryStreamName"), str) else None
        arn = d.get("DeliveryStreamARN") if isinstance(d.get("DeliveryStreamARN"), str) else None
        arn = arn or (ctx.arn("firehose", f"deliverystream/{name}") if name else None)
        if not arn:
            skipped(out, "firehose", "firehose:DescribeDeliveryStream", "a delivery stream",
                    "DeliveryStreamName or DeliveryStreamARN")
            continue
        source, source_arn, topic = _firehose_source(d)
        dests = firehose_destinations(ctx, d)
        first = (dests or [NO_DESTINATION])[0]
        encrypted, status, key_type, cmk = _sse(d)
        kms = ctx.kms_key_arn(cmk)
        out.node(arn, "firehose:delivery-stream", name or arn.rsplit("/", 1)[-1], tags=tags_of(d.get("Tags") or []),
                 source=source, destination=first["destination"], encrypted=encrypted,
                 type=d.get("DeliveryStreamType"), status=d.get("DeliveryStreamStatus"),
                 source_arn=source_arn, source_topic=topic, destination_arn=first["destination_arn"],
                 destination_endpoint=first["destination_endpoint"], backup_bucket_arn=first["backup_bucket_arn"],
                 destination_types=None if dests is None else _strs(x["destination"] for x in dests),
                 destinations=None if dests is None else [
                     {"id": x["id"], "type": x["destination"], "arn": x["destination_arn"],
                      "endpoint": x["destination_endpoint"], "backup_bucket_arn": x["backup_bucket_arn"]}
                     for x in dests],
                 encryption_status=status, encryption_key_type=key_type, kms_key=kms,
                 role_arn=first["role_arn"], log_group=first["log_group"], created=iso(d.get("CreateTimestamp")))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(source_arn, arn, "source_of")
        _destination_edges(ctx, out, arn, dests or [])
        out.edge(arn, kms, "encrypted_by")
    return out


def _destination_edges(ctx: ScanContext, out: Records, arn: str, dests: list[dict[str, Any]]) -> None:
    """``delivers_to`` every destination (and, as ``role="backup"``, every backup bucket that is not
    itself a destination), ``uses_role`` and ``logs_to`` once per role and log group."""
    targets = {x["destination_arn"] for x in dests if x["destination_arn"]}
    seen: set[tuple[str, str]] = set()

    def once(dst: str | None, rel: str, **props: Any) -> None:
        if dst and (dst, rel) not in seen:
            seen.add((dst, rel))
            out.edge(arn, dst, rel, **props)

    for x in dests:
        once(x["destination_arn"], "delivers_to")
    for x in dests:
        if x["backup_bucket_arn"] not in targets:
            once(x["backup_bucket_arn"], "delivers_to", role="backup")
        once(x["role_arn"], "uses_role")
        if x["log_group"]:
            once(ctx.arn("logs", f"log-group:{x['log_group']}"), "logs_to")


def _delivery_stream_names(ctx: ScanContext) -> list[str]:
    """Every delivery stream name: ListDeliveryStreams has no paginator (HasMoreDeliveryStreams +
    ExclusiveStartDeliveryStreamName)."""
    names: list[str] = []
    start: str | None = None
    for _ in range(MAX_FIREHOSE_PAGES):
        kw: dict[str, Any] = {"Limit": 1000}
        if start:
            kw["ExclusiveStartDeliveryStreamName"] = start
        page = ctx.call("firehose", "list_delivery_streams", **kw)
        batch = _strs(_list(page.get("DeliveryStreamNames")))
        names.extend(n for n in batch if n not in names)
        if not page.get("HasMoreDeliveryStreams") or not batch or batch[-1] == start:
            break
        start = batch[-1]
    return names


def _all_destinations(ctx: ScanContext, out: Records, name: str, arn: str,
                      d: dict[str, Any]) -> list[Any] | None:
    """The first answer's ``Destinations`` and, while it says ``HasMoreDestinations``, the next pages
    (DescribeDeliveryStream with ``ExclusiveStartDestinationId``; bounded). A page that cannot be read
    leaves a gap on the stream and keeps the destinations read so far."""
    found = d.get("Destinations")
    if not isinstance(found, list):
        return None
    dests, more = list(found), d.get("HasMoreDestinations") is True
    for _ in range(MAX_FIREHOSE_PAGES):
        last = next((x.get("DestinationId") for x in reversed(dests) if isinstance(x, dict)), None)
        if not more or not isinstance(last, str) or not last:
            break
        resp = read_optional(ctx, out, "firehose", "describe_delivery_stream", resource=arn,
                             missing=("ResourceNotFoundException",), DeliveryStreamName=name,
                             ExclusiveStartDestinationId=last)
        page = _dict((resp or {}).get("DeliveryStreamDescription"))
        batch = [x for x in _list(page.get("Destinations"))
                 if isinstance(x, dict) and x.get("DestinationId") not in {_dict(y).get("DestinationId") for y in dests}]
        if not batch:
            break
        dests.extend(batch)
        more = page.get("HasMoreDestinations") is True
    return dests


@collector("firehose.delivery_streams", "firehose",
           reads="firehose:ListDeliveryStreams, DescribeDeliveryStream, ListTagsForDeliveryStream")
def collect_delivery_streams(ctx: ScanContext) -> Records:
    out = ctx.records()
    descriptions, unread = [], []
    for name in _delivery_stream_names(ctx):
        arn = ctx.arn("firehose", f"deliverystream/{name}")
        resp = read_optional(ctx, out, "firehose", "describe_delivery_stream", resource=arn,
                             missing=("ResourceNotFoundException",), DeliveryStreamName=name)
        if resp is None:
            unread.append(name)
            continue
        if not resp:
            continue  # deleted between the list and the describe
        d = dict(_dict(resp.get("DeliveryStreamDescription")))
        d["Destinations"] = _all_destinations(ctx, out, name, arn, d)
        tags = read_optional(ctx, out, "firehose", "list_tags_for_delivery_stream", resource=arn,
                             missing=("ResourceNotFoundException",), DeliveryStreamName=name, Limit=50)
        d["Tags"] = None if tags is None else tags.get("Tags") or []
        d.setdefault("DeliveryStreamName", name)
        descriptions.append(d)
    return out.extend(transform_delivery_streams(ctx, descriptions, unread))


# --- MSK (Amazon Managed Streaming for Apache Kafka) -------------------------------------------

#: ConnectivityInfo.PublicAccess.Type -> public
MSK_PUBLIC = {"SERVICE_PROVIDED_EIPS": True, "DISABLED": False}


def _msk_auth(auth: Any) -> list[str] | None:
    """The client authentication a cluster enables (None when the answer does not say)."""
    if not isinstance(auth, dict):
        return None
    sasl = _dict(auth.get("Sasl"))
    found = [("IAM", _dict(sasl.get("Iam")).get("Enabled")), ("SASL/SCRAM", _dict(sasl.get("Scram")).get("Enabled")),
             ("TLS", _dict(auth.get("Tls")).get("Enabled")),
             ("unauthenticated", _dict(auth.get("Unauthenticated")).get("Enabled"))]
    return [name for name, on in found if on is True]


def msk_name(arn: str) -> str:
    """The cluster name inside its ARN (``...:cluster/<name>/<uuid>-<n>``)."""
    parts = arn.split(":", 5)[-1].split("/")
    return parts[1] if len(parts) >= 3 and parts[1] else naming.short_id(arn)


def transform_msk_clusters(ctx: ScanContext, clusters: list[dict[str, Any]]) -> Records:
    """Provisioned and serverless clusters from ListClustersV2's ``ClusterInfoList``."""
    out = ctx.records()
    for c in clusters:
        if not isinstance(c, dict):
            continue
        arn = c.get("ClusterArn") if isinstance(c.get("ClusterArn"), str) else None
        if not arn:
            skipped(out, "kafka", "kafka:ListClustersV2", "a cluster", "ClusterArn")
            continue
        ctype = c.get("ClusterType")
        prov, sls = _dict(c.get("Provisioned")), _dict(c.get("Serverless"))
        # the type as AWS says it, else as the answer's shape shows it (one block and not the other)
        serverless = {"SERVERLESS": True, "PROVISIONED": False}.get(ctype) if isinstance(ctype, str) else None
        if serverless is None:
            serverless = True if sls and not prov else False if prov and not sls else None
        if serverless:
            vpcs = [_dict(v) for v in _list(sls.get("VpcConfigs"))]
            subnets = _strs(s for v in vpcs for s in _list(v.get("SubnetIds")))
            sgs = _strs(g for v in vpcs for g in _list(v.get("SecurityGroupIds")))
            props: dict[str, Any] = dict(
                kafka_version=None, instance_type=None, broker_count=None, storage_gb=None,
                # serverless clusters accept TLS only, always encrypt and have no public access
                encryption_in_transit="TLS", public_access=False, in_cluster_tls=True, kms_key=None,
                authentication=_msk_auth(sls.get("ClientAuthentication")), enhanced_monitoring=None,
                public_access_type=None)
        else:
            bng = _dict(prov.get("BrokerNodeGroupInfo"))
            subnets, sgs = _strs(_list(bng.get("ClientSubnets"))), _strs(_list(bng.get("SecurityGroups")))
            pa = _dict(_dict(bng.get("ConnectivityInfo")).get("PublicAccess")).get("Type")
            enc = _dict(prov.get("EncryptionInfo"))
            transit = _dict(enc.get("EncryptionInTransit"))
            cb = transit.get("ClientBroker")
            key = _dict(enc.get("EncryptionAtRest")).get("DataVolumeKMSKeyId")
            props = dict(
                kafka_version=_dict(prov.get("CurrentBrokerSoftwareInfo")).get("KafkaVersion"),
                instance_type=bng.get("InstanceType"), broker_count=opt_int(prov.get("NumberOfBrokerNodes")),
                storage_gb=opt_int(_dict(_dict(bng.get("StorageInfo")).get("EbsStorageInfo")).get("VolumeSize")),
                encryption_in_transit=cb if isinstance(cb, str) else None,
                public_access=MSK_PUBLIC.get(pa) if isinstance(pa, str) else None,
                in_cluster_tls=_bool(transit.get("InCluster")),
                kms_key=ctx.kms_key_arn(key) if isinstance(key, str) else None,
                authentication=_msk_auth(prov.get("ClientAuthentication")),
                enhanced_monitoring=prov.get("EnhancedMonitoring"),
                public_access_type=pa if isinstance(pa, str) else None)
        name = c.get("ClusterName") if isinstance(c.get("ClusterName"), str) else None
        out.node(arn, "kafka:cluster", name or msk_name(arn), tags=tags_of(_dict(c.get("Tags"))), subnet_ids=subnets,
                 security_group_ids=sgs, serverless=serverless,
                 # MSK always encrypts broker storage at rest (an AWS managed key unless one is named)
                 encrypted=None if serverless is None else True,
                 state=c.get("State"), created=iso(c.get("CreationTime")), **props)
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for g in sgs:
            out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
        out.edge(arn, props["kms_key"], "encrypted_by")
    return out


@collector("kafka.clusters", "kafka", reads="kafka:ListClustersV2")
def collect_msk_clusters(ctx: ScanContext) -> Records:
    out = ctx.records()
    clusters = list(ctx.paginate("kafka", "list_clusters_v2", "ClusterInfoList"))
    return out.extend(transform_msk_clusters(ctx, clusters))


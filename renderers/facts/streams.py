"""Facts for the streaming part of 3.3: Kinesis data streams, Firehose delivery streams, MSK clusters.

Cells read the judged facts (scanner/judge/streams.py) for encrypted / plaintext / public, and say
``unknown (why)`` for any setting that was not read; nothing here re-derives a fact from raw props.
"""

from __future__ import annotations

from typing import Any

from renderers.document import fact_text
from renderers.facts.storage import read_cell, subnet_names, unread_why
from renderers.labels import regions_text
from scanner import kinds, naming, status
from scanner.inventory import Inventory
from scanner.plural import count_of

STREAM_KINDS = ("kinesis:stream", "firehose:delivery-stream", "kafka:cluster")
KINESIS = "kinesis:DescribeStreamSummary"
FIREHOSE = "firehose:DescribeDeliveryStream"
MSK = "kafka:ListClustersV2"

MODE_WORDS = {"ON_DEMAND": "on-demand", "PROVISIONED": "provisioned"}


def summary(inv: Inventory) -> dict[str, int]:
    """How many of each streaming kind (``kinesis_stream``, ``firehose_delivery_stream``,
    ``kafka_cluster``) and ``total``."""
    n = {k.replace(":", "_").replace("-", "_"): len(inv.nodes(k)) for k in STREAM_KINDS}
    n["total"] = sum(n.values())
    return n


def unseen(inv: Inventory, *kind_names: str) -> list[str]:
    """"MSK clusters in eu-west-1: kafka:ListClustersV2: access denied" for each kind whose list
    could not be read somewhere (denied, failed, or excluded by choice)."""
    lines = []
    for kind in kind_names or STREAM_KINDS:
        by_reason: dict[str, list[str]] = {}
        for r in status.blocked_runs(inv.meta.get("runs", []), collectors=kinds.spec(kind).collectors):
            who = r.get("action") or r.get("collector")
            by_reason.setdefault(f"{who}: {r.get('message') or r.get('status')}", []).append(str(r.get("region")))
        for why, regions in sorted(by_reason.items()):
            lines.append(f"{kinds.plural(kind)} in {regions_text(regions)}: {why}")
    return lines


def overview(inv: Inventory) -> str:
    """"1 Kinesis data stream, 1 Firehose delivery stream and no MSK clusters"."""
    n = summary(inv)
    parts = [kinds.count(k, n[k.replace(":", "_").replace("-", "_")]) for k in STREAM_KINDS]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def cell(inv: Inventory, node: dict[str, Any], value: Any, *actions: str, empty: str = "none") -> Any:
    """A setting as a cell: the value (a list joined; ``empty`` when read and empty), ``unknown (why)``
    when its read failed, ``not stated by AWS`` when the answer left it out."""
    if value is None:
        why = unread_why(inv, node, *actions)
        return f"unknown ({why})" if why else "not stated by AWS"
    return read_cell(inv, node, value, *actions, empty=empty)


def _encrypted_cell(inv: Inventory, node: dict[str, Any]) -> str:
    """yes (with what), no, or unknown (why): the stored ``encrypted`` fact."""
    f = inv.fact(node["id"], "encrypted")
    if f is not None and f.yes:
        return f"yes ({f.why})" if f.why else "yes"
    return fact_text(f)


def _retention(hours: Any) -> str:
    if not isinstance(hours, int):
        return str(hours)
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return count_of(hours, "hour")


def _feeds(inv: Inventory, nid: str) -> str:
    """What reads the stream: delivery streams it is the source of, functions it triggers."""
    found = [f"Firehose {naming.name(inv, n['id'])}" for n in inv.out(nid, "source_of")]
    found += [f"Lambda {naming.name(inv, n['id'])}" for n in inv.out(nid, "triggers")]
    return "; ".join(sorted(found)) or "none found"


def stream_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for s in inv.nodes("kinesis:stream"):
        p = s["props"]
        mode = p.get("mode")
        shards = cell(inv, s, p.get("shard_count"), KINESIS)
        retention = p.get("retention_hours")
        rows.append([s["region"], s["name"],
                     MODE_WORDS.get(mode, mode) if mode else cell(inv, s, None, "kinesis:ListStreams", KINESIS),
                     shards, _retention(retention) if retention is not None else cell(inv, s, None, KINESIS),
                     _encrypted_cell(inv, s), cell(inv, s, p.get("consumer_count"), KINESIS),
                     _feeds(inv, s["id"])])
    return rows


def _source_cell(inv: Inventory, d: dict[str, Any]) -> str:
    p = d["props"]
    src = p.get("source")
    if src is None:
        return cell(inv, d, None, FIREHOSE)
    if p.get("source_arn"):
        word = "Kinesis stream" if src == "Kinesis stream" else "MSK cluster" if src == "MSK" else src
        topic = f" (topic {p['source_topic']})" if p.get("source_topic") else ""
        return f"{word} {naming.name(inv, p['source_arn'])}{topic}"
    return str(src)


#: destination type -> the noun of what its ARN names
DEST_NOUNS = {"S3": "S3 bucket", "Redshift": "Redshift cluster", "OpenSearch": "OpenSearch domain",
              "Elasticsearch": "Elasticsearch domain", "Iceberg": "Iceberg tables in catalog"}


def _destination_cell(inv: Inventory, d: dict[str, Any]) -> str:
    p = d["props"]
    dest = p.get("destination")
    if dest is None:
        return cell(inv, d, None, FIREHOSE)
    if p.get("destination_arn"):
        text = f"{DEST_NOUNS.get(dest, dest)} {naming.name(inv, p['destination_arn'])}"
    elif p.get("destination_endpoint"):
        text = f"{dest} {p['destination_endpoint']}"
    else:
        text = str(dest)
    backup = p.get("backup_bucket_arn")
    if backup and backup != p.get("destination_arn"):
        text += f" (backup to S3 bucket {naming.name(inv, backup)})"
    return text


def delivery_rows(inv: Inventory) -> list[list[Any]]:
    return [[d["region"], d["name"], _source_cell(inv, d), _destination_cell(inv, d), _encrypted_cell(inv, d),
             cell(inv, d, d["props"].get("status"), FIREHOSE)]
            for d in inv.nodes("firehose:delivery-stream")]


def _client_traffic(inv: Inventory, nid: str) -> str:
    f = inv.fact(nid, "plaintext")
    return fact_text(f, yes="plaintext allowed" + _raw(inv, nid), no="TLS only")


def _raw(inv: Inventory, nid: str) -> str:
    cb = ((inv.node(nid) or {}).get("props") or {}).get("encryption_in_transit")
    return f" ({cb})" if cb else ""


def _gib(value: Any) -> str | None:
    return f"{value} GiB" if isinstance(value, int) else None


def msk_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("kafka:cluster"):
        p = c["props"]
        serverless = p.get("serverless")
        kind = "serverless" if serverless else f"provisioned ({p.get('instance_type') or 'instance type not stated'})" \
            if serverless is False else "unknown (ClusterType not stated)"
        subnets = subnet_names(inv, c["id"]) or list(p.get("subnet_ids") or [])
        sgs = [naming.label(inv, g["id"]) for g in inv.out(c["id"], "protected_by")] or list(p.get("security_group_ids") or [])
        rows.append([c["region"], c["name"], kind, p.get("kafka_version") or (None if serverless else "not stated by AWS"),
                     None if serverless else p.get("broker_count"), _gib(p.get("storage_gb")),
                     _client_traffic(inv, c["id"]), _encrypted_cell(inv, c),
                     fact_text(inv.fact(c["id"], "public")), ", ".join(subnets) or "none",
                     ", ".join(sgs) or "none"])
    return rows


"""Streaming rules: Kinesis and Firehose encryption at rest, MSK client TLS and public brokers.

Each rule judges one stored fact (scanner/judge/streams.py): unknown is "not assessed" with
the fact's reason, never a pass and never a finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import judged_kind


@rule("STR-001", "Kinesis data stream not encrypted", severity="medium", section="5.3", category="security",
      needs=("kinesis:DescribeStreamSummary",),
      remediation="Turn on server-side encryption (start-stream-encryption --encryption-type KMS, with "
                  "alias/aws/kinesis or a customer managed key); producers and consumers need kms:GenerateDataKey "
                  "/ kms:Decrypt on a customer key.")
def kinesis_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_kind(ctx, "kinesis:stream", "encrypted", "no", "stream")


@rule("STR-002", "Firehose delivery stream not encrypted", severity="low", section="5.3", category="security",
      needs=("firehose:DescribeDeliveryStream",),
      remediation="For a Direct PUT stream, start-delivery-stream-encryption (AWS owned or customer managed "
                  "key); for a stream fed by Kinesis, encrypt the source stream instead. Encrypt the "
                  "destination too (S3 default encryption, OpenSearch/Redshift encryption at rest).")
def firehose_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_kind(ctx, "firehose:delivery-stream", "encrypted", "no", "delivery stream")


@rule("STR-003", "MSK cluster allows plaintext client traffic", severity="medium", section="5.3",
      category="security", needs=("kafka:ListClustersV2",),
      remediation="Set encryption in transit between clients and brokers to TLS only (update-security "
                  "--encryption-info ClientBroker=TLS) once every client connects on the TLS port (9094/9096/9098).")
def msk_plaintext(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_kind(ctx, "kafka:cluster", "plaintext", "yes", "MSK cluster")


@rule("STR-004", "MSK cluster brokers are publicly accessible", severity="high", section="3.3",
      category="security", needs=("kafka:ListClustersV2",),
      remediation="Turn public access off (update-connectivity PublicAccess Type=DISABLED) and reach the "
                  "brokers over the VPC, peering, PrivateLink (multi-VPC connectivity) or a VPN; if it must "
                  "stay public, allow only IAM or SASL/SCRAM authentication and restrict the security groups.")
def msk_public(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_kind(ctx, "kafka:cluster", "public", "yes", "MSK cluster")

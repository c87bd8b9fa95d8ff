"""Kinesis Data Streams, Data Firehose and MSK (Kafka): the streaming services of section 3.3."""

from __future__ import annotations

from scanner.kinds.spec import KindSpec, Look, P

SPECS = (
    KindSpec(
        'firehose:delivery-stream', 'Firehose delivery stream', 'Firehose delivery streams',
        sections=('3.3',),
        collectors=('firehose.delivery_streams',),
        look=Look('integration', 'box', 'Firehose'),
        zone='region',
        taggable=True,
        props=(
            P('source', 'str', doc='"Kinesis stream", "MSK", "Direct PUT" or "database" (None: not read)'),
            P('destination', 'str', doc='"S3", "Redshift", "OpenSearch", "HTTP endpoint", "Splunk", ... '
                                        '(the first destination; destination_types lists them all)'),
            P('encrypted', 'bool', doc='server-side encryption of the Firehose buffer (Direct PUT only; '
                                       'a Kinesis source encrypts at its stream; None: not stated)'),
            P('type', 'str', optional=True, doc='DeliveryStreamType as AWS names it'),
            P('status', 'str', optional=True),
            P('source_arn', 'str', optional=True),
            P('source_topic', 'str', optional=True),
            P('destination_arn', 'str', optional=True),
            P('destination_endpoint', 'str', optional=True, doc='host of an HTTP/Splunk/Snowflake endpoint'),
            P('backup_bucket_arn', 'str', optional=True),
            P('destination_types', 'list', items='str', optional=True,
              doc='the type of every destination, in the order AWS lists them (distinct; None: not read)'),
            P('destinations', 'list', items='dict', shape=('arn', 'backup_bucket_arn', 'endpoint', 'id', 'type'),
              optional=True, doc='every destination: its DestinationId, type, ARN or endpoint host and backup '
                                 'bucket (destination, destination_arn, ... describe the first)'),
            P('encryption_status', 'str', optional=True),
            P('encryption_key_type', 'str', optional=True),
            P('kms_key', 'str', optional=True),
            P('role_arn', 'str', optional=True),
            P('log_group', 'str', optional=True),
            P('created', 'str', optional=True),
        ),
    ),
    KindSpec(
        'kafka:cluster', 'MSK cluster', 'MSK clusters',
        sections=('3.3',),
        collectors=('kafka.clusters',),
        look=Look('integration', 'box', 'MSK'),
        zone='subnet',
        taggable=True,
        props=(
            P('kafka_version', 'str'),
            P('instance_type', 'str'),
            P('broker_count', 'int'),
            P('storage_gb', 'int', doc='EBS volume per broker, GiB'),
            P('encryption_in_transit', 'str', doc='ClientBroker: TLS, TLS_PLAINTEXT or PLAINTEXT (None: not stated)'),
            P('encrypted', 'bool', doc='at rest (MSK always encrypts the broker volumes)'),
            P('public_access', 'bool', doc='ConnectivityInfo.PublicAccess.Type SERVICE_PROVIDED_EIPS'),
            P('subnet_ids', 'list', items='str'),
            P('security_group_ids', 'list', items='str'),
            P('serverless', 'bool'),
            P('state', 'str', optional=True),
            P('kms_key', 'str', optional=True),
            P('in_cluster_tls', 'bool', optional=True),
            P('authentication', 'list', items='str', optional=True,
              doc='client authentication enabled: IAM, SASL/SCRAM, TLS, unauthenticated'),
            P('enhanced_monitoring', 'str', optional=True),
            P('public_access_type', 'str', optional=True),
            P('created', 'str', optional=True),
        ),
    ),
    KindSpec(
        'kinesis:stream', 'Kinesis data stream', 'Kinesis data streams',
        sections=('3.3',),
        collectors=('kinesis.streams',),
        look=Look('integration', 'box', 'Kinesis'),
        zone='region',
        taggable=True,
        props=(
            P('mode', 'str', doc='ON_DEMAND or PROVISIONED'),
            P('shard_count', 'int', doc='open shards'),
            P('retention_hours', 'int'),
            P('encryption', 'str', doc='EncryptionType: KMS or NONE (None: not read)'),
            P('kms_key', 'str'),
            P('status', 'str', optional=True),
            P('consumer_count', 'int', optional=True, doc='enhanced fan-out consumers'),
            P('shard_metrics', 'list', items='str', optional=True, doc='enhanced (shard-level) monitoring'),
            P('created', 'str', optional=True),
        ),
    ),
)

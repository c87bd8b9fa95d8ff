"""Encryption at rest, judged once for every kind that stores data."""

from __future__ import annotations

from typing import Any

from scanner.fact import Fact, no, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext

#: props that say something about encryption at rest, checked in this order
_BOOL_PROPS = ("encrypted", "at_rest_encryption", "secrets_encrypted")
_TEXT_PROPS = ("encryption", "sse")
_KEY_PROPS = ("kms_key", "kms_key_arn")
_OFF = {"", "none", "disabled", "false", "off", "no"}

#: kind -> the read its encryption setting comes from (a gap on it makes the fact unknown)
AT_REST: dict[str, str] = {
    "s3:bucket": "s3:GetEncryptionConfiguration",
    "ebs:volume": "ec2:DescribeVolumes", "ebs:snapshot": "ec2:DescribeSnapshots",
    "ec2:image": "ec2:DescribeImages",
    "efs:file-system": "elasticfilesystem:DescribeFileSystems", "fsx:file-system": "fsx:DescribeFileSystems",
    "rds:instance": "rds:DescribeDBInstances", "rds:cluster": "rds:DescribeDBClusters",
    "rds:snapshot": "rds:DescribeDBSnapshots",
    "dynamodb:table": "dynamodb:DescribeTable", "dax:cluster": "dax:DescribeClusters",
    "elasticache:replication-group": "elasticache:DescribeReplicationGroups",
    "sqs:queue": "sqs:GetQueueAttributes", "sns:topic": "sns:GetTopicAttributes",
    "ecr:repository": "ecr:DescribeRepositories", "logs:log-group": "logs:DescribeLogGroups",
    "backup:vault": "backup:ListBackupVaults", "eks:cluster": "eks:DescribeCluster",
}
#: no KMS key means no encryption at rest (SNS server-side encryption is opt-in)
_KEY_ONLY = {"sns:topic"}
#: the service always encrypts at rest once the setting could be read; only a customer key is a choice
_ALWAYS_ENCRYPTED = {"dynamodb:table", "logs:log-group", "s3:bucket", "backup:vault", "ecr:repository",
                     "sqs:queue"}


def key_ref(node: dict[str, Any], keys: list[str]) -> str | None:
    """The KMS key a resource is encrypted with: its ``encrypted_by`` edge, else its key prop."""
    props = node.get("props") or {}
    return keys[0] if keys else next((props[k] for k in _KEY_PROPS if props.get(k)), None)


def _state(node: dict[str, Any], has_key: bool) -> bool | None:
    props = node.get("props") or {}
    for k in _BOOL_PROPS:
        if isinstance(props.get(k), bool):
            return props[k]
    for k in _TEXT_PROPS:
        v = props.get(k)
        if v not in (None, {}, []):
            return bool(v) and str(v).strip().lower() not in _OFF
    return True if has_key else None


@judge(tuple(AT_REST), "encrypted")
def encrypted(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """Encrypted at rest (with which key, when one is named)."""
    kind = node["kind"]
    keys = [d for _, d, data in ctx.inv.graph.out_edges(node["id"], data=True) if data.get("rel") == "encrypted_by"]
    ref = key_ref(node, keys)
    state = _state(node, bool(ref))
    action = AT_REST[kind]
    unread = bool(ctx.gaps_by_resource.get(node["id"])) and ctx.why(node, (action,)) != f"{action} not read"
    if state is None and kind in _KEY_ONLY and not unread:
        return no("no KMS key configured")
    if state is None and kind in _ALWAYS_ENCRYPTED and not unread:
        return yes("always encrypted by the service" + (f" (key {ref})" if ref else ""))
    if state is None:
        return ctx.unknown(node, action)
    if state:
        return yes(f"KMS key {ref}" if ref else "service-managed key")
    return no("encryption at rest is off")

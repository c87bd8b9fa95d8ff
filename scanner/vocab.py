"""The one vocabulary of the graph: node kinds and edge relations.

Every collector, analysis rule, diagram and document section speaks these
words. A kind or relation not listed here is refused when the graph is built,
so the vocabulary only grows deliberately, here, in one place.

``KINDS`` maps each node kind to the ``props`` keys its collector promises to
fill (a key the account does not reveal is ``None``); it is read from the kind
specs in ``scanner/kinds/``, which also give each prop's type and nested shape.
Consumers (analysis, diagrams, document) may rely on the listed keys.
Shared conventions for props:

- ``*_ids`` lists hold raw AWS ids; graph edges carry the relationships.
- booleans are real booleans; ``None`` means "not known / not readable".
- dates are ISO-8601 strings in UTC (``2026-01-31T12:00:00+00:00``).
- secrets never appear: environment variables are kept as ``env_names`` only.
"""

from __future__ import annotations

from scanner import kinds as _kinds

# --- node kinds -------------------------------------------------------------
#: kind -> the props its collector promises (a view of scanner/kinds/, where each kind's
#: props, types, names, look and sections are specified once)
KINDS: dict[str, tuple[str, ...]] = {k: s.promised() for k, s in _kinds.SPECS.items()}

# --- edge relations ---------------------------------------------------------
RELATIONS: dict[str, str] = {
    "contains": "parent holds child (account > region > vpc > subnet; stack > resource)",
    "in_subnet": "resource sits in subnet",
    "in_vpc": "resource belongs to vpc (no subnet)",
    "member_of": "resource is a member of a group (instance of ASG, node of cluster)",
    "attached_to": "gateway/volume/interface/profile attached to its owner",
    "associated_with": "route table / nacl / web ACL / eip association",
    "routes_to": "route table sends traffic to a target (props: dest)",
    "allows": "network permission: source -> security group (props: protocol, ports, cidr)",
    "protected_by": "resource uses a security group",
    "targets": "load balancer/listener/target group/rule forwards to a target",
    "listens_on": "load balancer has listener",
    "peers_with": "vpc peering / transit gateway attachment",
    "assumes": "principal may assume role (trust relationship)",
    "uses_role": "compute/service runs with a role",
    "has_policy": "principal has policy attached",
    "encrypted_by": "resource encrypted with a KMS key",
    "deploys": "pipeline/deployment group/stack deploys to a target",
    "source_of": "repository/connection/bucket feeds a pipeline or build",
    "builds": "pipeline action runs a build project",
    "triggers": "event source triggers a function/target",
    "publishes_to": "resource sends notifications/messages to topic/queue",
    "logs_to": "resource writes logs to a bucket/log group",
    "delivers_to": "delivery stream writes its records to a destination (bucket, warehouse, search domain)",
    "reports_to": "bucket sends S3 Inventory (or analytics) reports to a bucket",
    "replicates_to": "replica/replication destination",
    "backs_up": "backup plan/vault protects a resource",
    "snapshot_of": "snapshot of a volume/database",
    "uses_image": "instance/template uses AMI/image",
    "uses_layer": "Lambda function runs with a layer (props: version, the pinned layer version)",
    "monitors": "alarm/health check watches a resource",
    "aliases": "DNS record / alias points at a resource",
    "integrates_with": "API integration / event target / subscription",
    "uses_certificate": "listener/distribution uses ACM certificate",
    "scales": "scaling policy/target scales a resource",
    "flows_to": "traffic flows from one tier to the next (drawn in diagrams)",
    "runs": "ECS service runs a task definition (its current revision)",
}

#: operation-level keys that must never leave memory, whatever the collector
SECRET_PROP_NAMES = frozenset({"environment", "env", "user_data", "userdata", "secret_string",
                               "secret_binary", "password", "value", "auth_token"})


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown node kind {kind!r}: add its spec to scanner/kinds/")
    return kind


def check_relation(rel: str) -> str:
    if rel not in RELATIONS:
        raise ValueError(f"unknown edge relation {rel!r}: add it to scanner/vocab.py RELATIONS")
    return rel

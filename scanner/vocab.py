"""The one vocabulary of the graph: node kinds and edge relations.

Every collector, analysis rule, diagram and document section speaks these
words. A kind or relation not listed here is refused when the graph is built,
so the vocabulary only grows deliberately, here, in one place.

``KINDS`` maps each node kind to the ``props`` keys its collector promises to
fill (more may be present; a key the account does not reveal is ``None``).
Consumers (analysis, diagrams, document) may rely on the listed keys.
Shared conventions for props:

- ``*_ids`` lists hold raw AWS ids; graph edges carry the relationships.
- booleans are real booleans; ``None`` means "not known / not readable".
- dates are ISO-8601 strings in UTC (``2026-01-31T12:00:00+00:00``).
- secrets never appear: environment variables are kept as ``env_names`` only.
"""

from __future__ import annotations

# --- node kinds -------------------------------------------------------------
KINDS: dict[str, tuple[str, ...]] = {
    # account level
    "aws:account": ("account_id", "alias", "partition", "organization_id", "management_account",
                    "is_management_account", "contacts"),
    "aws:region": ("enabled",),
    "internet": (),
    "external": ("reason",),
    "net:cidr": ("cidr", "ipv6"),  # a source/destination address range that is not the internet
  # a resource outside the scan (other account, unscanned region)
    # network
    "ec2:vpc": ("vpc_id", "cidr", "cidrs", "ipv6_cidrs", "is_default", "state", "dhcp_options_id",
                "instance_tenancy"),
    "ec2:subnet": ("subnet_id", "vpc_id", "cidr", "ipv6_cidrs", "az", "az_id", "public",
                   "map_public_ip", "assign_ipv6", "available_ips", "route_table_id",
                   "network_acl_id", "is_default"),
    "ec2:route-table": ("route_table_id", "vpc_id", "main", "routes", "subnet_ids"),
    # routes: list of {"dest": cidr|pl-id, "target": id, "target_type": igw|nat|eigw|tgw|pcx|vgw|vpce|eni|instance|local, "state"}
    "ec2:internet-gateway": ("igw_id", "vpc_ids"),
    "ec2:egress-only-internet-gateway": ("eigw_id", "vpc_ids"),
    "ec2:nat-gateway": ("nat_id", "vpc_id", "subnet_id", "az", "public_ip", "private_ip",
                        "connectivity", "state"),
    "ec2:elastic-ip": ("allocation_id", "public_ip", "association_id", "instance_id",
                       "eni_id", "domain"),
    "ec2:security-group": ("group_id", "group_name", "vpc_id", "description", "is_default",
                           "ingress", "egress"),
    # ingress/egress: list of {"protocol": "tcp"|"udp"|"icmp"|"-1", "from_port", "to_port",
    #   "cidr"|"ipv6_cidr"|"prefix_list"|"group_id", "description"}
    "ec2:network-acl": ("nacl_id", "vpc_id", "is_default", "subnet_ids", "entries"),
    # entries: list of {"rule": int, "egress": bool, "action": "allow"|"deny", "protocol",
    #   "cidr"|"ipv6_cidr", "from_port", "to_port"}
    "ec2:vpc-peering": ("peering_id", "requester_vpc", "accepter_vpc", "requester_owner",
                        "accepter_owner", "requester_region", "accepter_region", "status"),
    "ec2:transit-gateway": ("tgw_id", "owner", "asn", "state", "default_route_table"),
    "ec2:transit-gateway-attachment": ("attachment_id", "tgw_id", "resource_type", "resource_id",
                                       "state", "subnet_ids"),
    "ec2:transit-gateway-route-table": ("route_table_id", "tgw_id", "routes", "associations"),
    "ec2:vpn-gateway": ("vgw_id", "vpc_ids", "state", "asn"),
    "ec2:customer-gateway": ("cgw_id", "ip_address", "bgp_asn", "state"),
    "ec2:vpn-connection": ("vpn_id", "vgw_id", "tgw_id", "cgw_id", "state", "tunnels_up"),
    "directconnect:virtual-interface": ("vif_id", "type", "vlan", "state", "vgw_id", "dxgw_id"),
    "ec2:vpc-endpoint": ("endpoint_id", "vpc_id", "service_name", "endpoint_type", "state",
                         "subnet_ids", "route_table_ids", "security_group_ids", "private_dns",
                         "policy_is_default"),
    "ec2:flow-log": ("flow_log_id", "resource_id", "traffic_type", "destination_type",
                     "destination", "status"),
    "ec2:prefix-list": ("prefix_list_id", "name", "cidrs", "aws_managed"),
    "ec2:network-interface": ("eni_id", "subnet_id", "vpc_id", "private_ip", "public_ip",
                              "interface_type", "security_group_ids", "attached_to"),
    # compute
    "ec2:instance": ("instance_id", "instance_type", "state", "platform", "image_id", "key_name",
                     "subnet_id", "vpc_id", "az", "private_ip", "public_ip", "ipv6_ips",
                     "security_group_ids", "instance_profile_arn", "imds_v2_required",
                     "imds_enabled", "launch_time", "tenancy", "placement_group", "host_id",
                     "ebs_optimized", "monitoring", "asg_name", "root_device_type"),
    "ec2:image": ("image_id", "name", "owner_id", "owner_alias", "creation_date", "age_days",
                  "public", "platform", "state", "encrypted"),
    "ec2:key-pair": ("key_name", "key_pair_id", "key_type", "fingerprint"),
    "ec2:launch-template": ("launch_template_id", "name", "default_version", "latest_version",
                            "instance_type", "image_id", "imds_v2_required", "security_group_ids",
                            "instance_profile_arn", "user_data_present"),
    "ec2:placement-group": ("group_name", "strategy", "state"),
    "ec2:dedicated-host": ("host_id", "instance_type", "az", "state"),
    "autoscaling:group": ("name", "min", "max", "desired", "instance_ids", "subnet_ids", "azs",
                          "launch_template_id", "launch_configuration", "target_group_arns",
                          "load_balancer_names", "health_check_type", "instance_types"),
    "autoscaling:policy": ("name", "asg_name", "policy_type", "target_value", "metric",
                           "adjustment"),
    "autoscaling:scheduled-action": ("name", "asg_name", "recurrence", "min", "max", "desired"),
    "autoscaling:launch-configuration": ("name", "instance_type", "image_id", "imds_v2_required"),
    "application-autoscaling:target": ("service_namespace", "resource_id", "scalable_dimension",
                                       "min", "max"),
    "application-autoscaling:policy": ("name", "service_namespace", "resource_id", "policy_type",
                                       "target_value", "metric"),
    "application-autoscaling:scheduled-action": ("name", "service_namespace", "resource_id",
                                                 "schedule", "min", "max"),
    # load balancing
    "elbv2:load-balancer": ("name", "type", "scheme", "dns_name", "vpc_id", "subnet_ids", "azs",
                            "security_group_ids", "state", "ip_address_type",
                            "deletion_protection", "access_logs", "drop_invalid_headers"),
    "elbv2:listener": ("port", "protocol", "ssl_policy", "certificate_arns", "default_action",
                       "redirect_to_https", "lb_arn"),
    "elbv2:target-group": ("name", "protocol", "port", "target_type", "vpc_id", "health_check",
                           "targets"),
    # targets: list of {"id", "port", "health"}
    "elb:load-balancer": ("name", "scheme", "dns_name", "vpc_id", "subnet_ids", "azs",
                          "security_group_ids", "listeners", "instance_ids", "cross_zone"),
    # containers
    "ecs:cluster": ("name", "status", "active_services", "running_tasks", "container_insights",
                    "capacity_providers"),
    "ecs:service": ("name", "cluster", "desired", "running", "launch_type", "subnet_ids",
                    "security_group_ids", "assign_public_ip", "target_group_arns",
                    "task_definition", "deployment_circuit_breaker"),
    "ecs:task-definition": ("family", "revision", "images", "cpu", "memory", "network_mode",
                            "task_role_arn", "execution_role_arn", "env_names", "privileged",
                            "requires_compatibilities"),
    "ecr:repository": ("name", "uri", "scan_on_push", "tag_immutable", "lifecycle_policy",
                       "encryption"),
    "eks:cluster": ("name", "version", "endpoint_public", "endpoint_private", "public_cidrs",
                    "logging", "vpc_id", "subnet_ids", "security_group_ids", "role_arn",
                    "secrets_encrypted"),
    "eks:nodegroup": ("name", "cluster", "instance_types", "min", "max", "desired", "subnet_ids",
                      "ami_type", "capacity_type", "role_arn"),
    "eks:fargate-profile": ("name", "cluster", "subnet_ids", "selectors", "role_arn"),
    # serverless
    "lambda:function": ("name", "runtime", "memory", "timeout", "handler", "role_arn",
                        "vpc_id", "subnet_ids", "security_group_ids", "env_names", "package_type",
                        "architectures", "last_modified", "kms_key_arn", "dlq_arn",
                        "reserved_concurrency", "public_policy", "code_size"),
    "lambda:event-source-mapping": ("uuid", "function_arn", "source_arn", "state", "batch_size"),
    "apigateway:rest-api": ("api_id", "name", "endpoint_types", "stages", "integrations"),
    "apigateway:http-api": ("api_id", "name", "protocol", "endpoint", "stages", "integrations"),
    "events:rule": ("name", "event_bus", "schedule", "pattern", "state", "targets"),
    "sqs:queue": ("name", "url", "fifo", "dlq_arn", "max_receive_count", "kms_key", "sse",
                  "retention_seconds", "visibility_timeout"),
    "sns:topic": ("name", "kms_key", "subscriptions"),
    "states:state-machine": ("name", "type", "role_arn", "logging"),
    # storage
    "s3:bucket": ("name", "creation_date", "versioning", "mfa_delete", "encryption", "kms_key",
                  "public_access_block", "account_public_access_block", "policy_public",
                  "acl_public", "tls_only", "logging_target", "lifecycle_rules", "replication",
                  "object_lock", "size_bytes", "website"),
    # public_access_block: dict of the four flags or None (not configured)
    "ebs:volume": ("volume_id", "size_gb", "volume_type", "iops", "throughput", "encrypted",
                   "kms_key", "state", "az", "attached_instance_ids", "snapshot_id",
                   "create_time"),
    "ebs:snapshot": ("snapshot_id", "volume_id", "size_gb", "encrypted", "public", "start_time",
                     "age_days", "description"),
    "ebs:encryption-default": ("enabled", "kms_key"),
    "efs:file-system": ("fs_id", "name", "size_bytes", "encrypted", "kms_key", "performance_mode",
                        "throughput_mode", "backup_policy", "lifecycle"),
    "efs:mount-target": ("mount_target_id", "fs_id", "subnet_id", "az", "ip", "security_group_ids"),
    "fsx:file-system": ("fs_id", "type", "storage_gb", "deployment_type", "subnet_ids",
                        "encrypted", "kms_key"),
    # databases
    "rds:instance": ("identifier", "engine", "engine_version", "instance_class", "multi_az",
                     "storage_gb", "storage_type", "iops", "encrypted", "kms_key",
                     "publicly_accessible", "backup_retention", "deletion_protection",
                     "performance_insights", "cluster_id", "subnet_group", "subnet_ids", "vpc_id",
                     "az", "secondary_az", "security_group_ids", "endpoint", "port",
                     "read_replica_source", "iam_auth", "auto_minor_upgrade", "parameter_group",
                     "status", "ca_cert"),
    "rds:cluster": ("identifier", "engine", "engine_version", "engine_mode", "multi_az",
                    "members", "writer", "readers", "encrypted", "kms_key", "backup_retention",
                    "deletion_protection", "endpoint", "reader_endpoint", "port", "subnet_group",
                    "vpc_id", "security_group_ids", "azs", "global_cluster",
                    "replication_source", "storage_gb", "status"),
    "rds:snapshot": ("identifier", "source", "type", "encrypted", "public", "create_time",
                     "age_days", "storage_gb"),
    "rds:subnet-group": ("name", "vpc_id", "subnet_ids", "azs"),
    "rds:parameter-group": ("name", "family"),
    "dynamodb:table": ("name", "billing_mode", "read_capacity", "write_capacity", "item_count",
                       "size_bytes", "gsis", "pitr", "stream", "global_replicas", "encryption",
                       "kms_key", "autoscaling", "deletion_protection", "table_class"),
    "dax:cluster": ("name", "node_type", "nodes", "encrypted", "subnet_group", "status"),
    "elasticache:replication-group": ("id", "engine", "node_type", "members", "multi_az",
                                      "automatic_failover", "transit_encryption",
                                      "at_rest_encryption", "num_node_groups", "kms_key",
                                      "auth_token_enabled", "snapshot_retention"),
    "elasticache:cluster": ("id", "engine", "engine_version", "node_type", "num_nodes", "az",
                            "replication_group", "subnet_group", "subnet_ids", "vpc_id",
                            "security_group_ids", "transit_encryption", "at_rest_encryption",
                            "snapshot_retention"),
    # identity
    "iam:user": ("user_name", "user_id", "create_date", "password_enabled", "password_last_used",
                 "mfa_active", "access_keys", "attached_policies", "inline_policies", "groups"),
    # access_keys: list of {"id_suffix", "active", "created", "last_used", "age_days", "unused_days"}
    "iam:root": ("mfa_active", "access_keys_active", "password_last_used"),
    "iam:group": ("group_name", "attached_policies", "inline_policies"),
    "iam:role": ("role_name", "create_date", "trust", "attached_policies", "inline_policies",
                 "last_used", "service_linked", "permissions_boundary", "max_session_seconds"),
    # trust: list of {"principal_type": "AWS"|"Service"|"Federated"|"*", "principal", "external_id": bool,
    #   "conditions": bool}
    "iam:policy": ("policy_name", "aws_managed", "attachment_count", "default_version",
                   "statements", "admin_like", "wildcard_statements"),
    # statements: list of {"effect", "actions", "resources", "has_condition"} (policy documents only)
    "iam:instance-profile": ("name", "role_arns"),
    "iam:password-policy": ("present", "min_length", "require_symbols", "require_numbers",
                            "require_upper", "require_lower", "max_age", "reuse_prevention"),
    "iam:access-analyzer": ("name", "type", "status", "findings_active"),
    # security services
    "kms:key": ("key_id", "aliases", "manager", "state", "rotation_enabled", "key_spec",
                "usage", "principals", "description", "multi_region"),
    "acm:certificate": ("domain", "sans", "status", "type", "not_after", "days_to_expiry",
                        "in_use_by", "key_algorithm", "renewal_eligible"),
    "wafv2:web-acl": ("name", "scope", "default_action", "rule_count", "associated_arns"),
    "secretsmanager:secret": ("name", "rotation_enabled", "rotation_days", "last_rotated",
                              "last_accessed", "kms_key"),
    "ssm:parameter": ("name", "type", "tier", "kms_key", "last_modified"),
    "cloudtrail:trail": ("name", "home_region", "multi_region", "is_logging", "log_validation",
                         "s3_bucket", "kms_key", "cloudwatch_log_group", "organization_trail",
                         "management_events", "data_events"),
    "config:recorder": ("name", "recording", "all_supported", "include_global", "last_status"),
    "config:rule": ("name", "source", "compliance"),
    "guardduty:detector": ("detector_id", "status", "finding_frequency", "features"),
    "securityhub:hub": ("enabled", "standards", "auto_enable_controls"),
    # delivery
    "codepipeline:pipeline": ("name", "version", "role_arn", "artifact_bucket", "stages",
                              "source", "trigger"),
    # stages: list of {"name", "actions": [{"name", "category", "provider", "owner", "run_order",
    #   "configuration" (secrets-free subset), "target" (arn or None)}]}
    "codebuild:project": ("name", "source_type", "source_location", "image", "compute_type",
                          "environment_type", "privileged", "env_names", "plaintext_env_names",
                          "service_role", "buildspec_inline", "artifacts", "vpc_id", "logs",
                          "timeout"),
    "codedeploy:application": ("name", "compute_platform"),
    "codedeploy:deployment-group": ("name", "application", "deployment_config", "asg_names",
                                    "ec2_tag_filters", "ecs_services", "auto_rollback",
                                    "rollback_events", "alarms", "blue_green",
                                    "load_balancer_target_groups", "service_role"),
    "codedeploy:deployment-config": ("name", "minimum_healthy", "compute_platform"),
    "codecommit:repository": ("name", "default_branch", "clone_url", "last_modified"),
    "codestar-connections:connection": ("name", "provider", "status", "owner_account"),
    "cloudformation:stack": ("name", "status", "created", "updated", "drift_status",
                             "termination_protection", "role_arn", "parameters_names",
                             "noecho_parameter_names", "outputs_names", "resource_count"),
    # resilience
    "backup:vault": ("name", "recovery_points", "kms_key", "locked"),
    "backup:plan": ("name", "rules", "selections"),
    # rules: list of {"name", "schedule", "retention_days", "vault", "copy_to"}
    "route53:hosted-zone": ("zone_id", "name", "private", "record_count", "vpc_ids"),
    "route53:record": ("name", "type", "ttl", "values", "alias_target", "routing_policy",
                       "set_identifier", "health_check_id", "failover"),
    "route53:health-check": ("health_check_id", "type", "target", "port", "path"),
    "cloudfront:distribution": ("distribution_id", "domain", "aliases", "origins",
                                "viewer_protocol_policy", "min_tls", "web_acl", "enabled",
                                "price_class", "logging"),
    # operations
    "cloudwatch:alarm": ("name", "metric", "namespace", "dimensions", "threshold",
                         "comparison", "state", "actions_enabled", "alarm_actions",
                         "ok_actions"),
    "cloudwatch:dashboard": ("name", "size", "last_modified"),
    "logs:log-group": ("name", "retention_days", "stored_bytes", "kms_key", "metric_filters",
                       "created"),
    "ssm:maintenance-window": ("window_id", "name", "schedule", "duration", "enabled"),
    "ssm:patch-baseline": ("baseline_id", "name", "operating_system", "default"),
    "ssm:managed-instance": ("instance_id", "ping_status", "platform", "agent_version",
                             "patch_compliance"),
    "organizations:organization": ("organization_id", "management_account", "feature_set"),
    # cost
    "budgets:budget": ("name", "amount", "unit", "time_unit", "budget_type", "actual",
                       "forecast", "alerts"),
    "ce:anomaly-monitor": ("name", "type", "dimension", "subscriptions"),
    "ce:cost-allocation-tag": ("key", "status", "type"),
    "ce:monthly-spend": ("period_start", "period_end", "by_service", "total", "unit"),
}

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
    "reports_to": "bucket sends S3 Inventory (or analytics) reports to a bucket",
    "replicates_to": "replica/replication destination",
    "backs_up": "backup plan/vault protects a resource",
    "snapshot_of": "snapshot of a volume/database",
    "uses_image": "instance/template uses AMI/image",
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
        raise ValueError(f"unknown node kind {kind!r}: add it to scanner/vocab.py KINDS")
    return kind


def check_relation(rel: str) -> str:
    if rel not in RELATIONS:
        raise ValueError(f"unknown edge relation {rel!r}: add it to scanner/vocab.py RELATIONS")
    return rel

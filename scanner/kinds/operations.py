"""Alarms, logs, patching and the organization (section 12)."""

from __future__ import annotations

from scanner.kinds.spec import KindSpec, Look, P

SPECS = (
    KindSpec(
        'cloudwatch:alarm', 'CloudWatch alarm', 'CloudWatch alarms',
        sections=('12.1',),
        collectors=('cloudwatch.alarms',),
        zone='region',
        props=(
            P('name', 'str'),
            P('metric', 'str'),
            P('namespace', 'str'),
            P('dimensions', 'dict', shape=('AutoScalingGroupName', 'DBInstanceIdentifier', 'InstanceId', 'LoadBalancer', 'NatGatewayId')),
            P('threshold', 'float'),
            P('comparison', 'str'),
            P('state', 'str'),
            P('actions_enabled', 'bool'),
            P('alarm_actions', 'list', items='str'),
            P('ok_actions', 'list', items='str'),
            P('composite', 'bool', optional=True),
            P('rule', 'str', optional=True),
            P('evaluation_periods', 'int', optional=True),
            P('period', 'int', optional=True),
            P('unit', optional=True),
        ),
    ),
    KindSpec(
        'cloudwatch:dashboard', 'CloudWatch dashboard', 'CloudWatch dashboards',
        sections=('12.1',),
        collectors=('cloudwatch.dashboards',),
        zone='region',
        props=(
            P('name', 'str'),
            P('size', 'int'),
            P('last_modified', 'str'),
        ),
    ),
    KindSpec(
        'logs:log-group', 'log group', 'log groups',
        sections=('12.2',),
        collectors=('logs.groups',),
        look=Look('management', 'box', 'Log group'),
        zone='region',
        taggable=True,
        props=(
            P('name', 'str'),
            P('retention_days', 'int'),
            P('stored_bytes', 'int'),
            P('kms_key'),
            P('metric_filters', 'list', items='dict', shape=('metrics', 'name', 'pattern')),
            P('created', 'str'),
            P('log_class', optional=True),
        ),
    ),
    KindSpec(
        'organizations:organization', 'organization', 'organizations',
        sections=('12.3',),
        collectors=('organizations.organization',),
        zone='global',
        props=(
            P('organization_id', 'str'),
            P('management_account', 'str'),
            P('feature_set', 'str'),
            P('is_management_account', 'bool', optional=True),
        ),
    ),
    KindSpec(
        'ssm:maintenance-window', 'maintenance window', 'maintenance windows',
        sections=('12.4',),
        collectors=('ssm.maintenance',),
        zone='region',
        props=(
            P('window_id', 'str'),
            P('name', 'str'),
            P('schedule', 'str'),
            P('duration', 'int'),
            P('enabled', 'bool'),
            P('cutoff', 'int', optional=True),
            P('next_execution', optional=True),
        ),
    ),
    KindSpec(
        'ssm:managed-instance', 'SSM managed instance', 'SSM managed instances',
        sections=('12.4',),
        collectors=('ssm.maintenance',),
        zone='region',
        props=(
            P('instance_id'),
            P('ping_status'),
            P('platform'),
            P('agent_version'),
            P('patch_compliance'),
        ),
    ),
    KindSpec(
        'ssm:patch-baseline', 'patch baseline', 'patch baselines',
        sections=('12.4',),
        collectors=('ssm.maintenance',),
        zone='region',
        props=(
            P('baseline_id', 'str'),
            P('name', 'str'),
            P('operating_system', 'str'),
            P('default', 'bool'),
        ),
    ),
)

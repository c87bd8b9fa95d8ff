"""The scan's scaffolding: the account, its regions, the internet and what lies outside the scan."""

from __future__ import annotations

from scanner.kinds.spec import KindSpec, Look, P

SPECS = (
    KindSpec(
        'aws:account', 'account', 'accounts',
        sections=('1', '12.3'),
        collectors=('account.contacts', 'iam.authorization'),
        look=Look('external', 'box', 'Account'),
        zone='global',
        props=(
            P('account_id', 'str'),
            P('alias', 'str'),
            P('partition', 'str'),
            P('organization_id'),
            P('management_account'),
            P('is_management_account'),
            P('contacts', 'dict', shape=('billing', 'operations', 'security')),
        ),
    ),
    KindSpec(
        'aws:region', 'region', 'regions',
        sections=('1',),
        zone='region',
        props=(
            P('enabled', 'bool'),
        ),
    ),
    KindSpec(
        'external', 'resource outside the scan', 'resources outside the scan',
        sections=(),
        look=Look('external', 'box', 'External'),
        zone='outside',
        props=(
            P('reason', 'str'),
        ),
    ),
    KindSpec(
        'internet', 'internet', 'internet',
        sections=(),
        look=Look('internet', 'ellipse', 'Internet'),
        zone='outside',
        props=(
        ),
    ),
    KindSpec(
        'net:cidr', 'address range', 'address ranges',
        sections=('5.2',),
        collectors=('ec2.security_groups',),
        look=Look('external', 'box', 'Address range'),
        zone='outside',
        props=(
            P('cidr', 'str'),
            P('ipv6', 'bool'),
        ),
    ),
)

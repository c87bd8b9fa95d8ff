"""Budgets and Cost Explorer (section 10.3)."""

from __future__ import annotations

from scanner.kinds.spec import KindSpec, P

SPECS = (
    KindSpec(
        'budgets:budget', 'budget', 'budgets',
        sections=('10.3',),
        collectors=('budgets.budgets',),
        zone='global',
        props=(
            P('name', 'str'),
            P('amount', 'float'),
            P('unit', 'str'),
            P('time_unit', 'str'),
            P('budget_type', 'str'),
            P('actual', 'float'),
            P('forecast', 'float'),
            P('alerts', 'list', items='dict', shape=('comparison', 'threshold', 'threshold_type', 'type')),
        ),
    ),
    KindSpec(
        'ce:anomaly-monitor', 'cost anomaly monitor', 'cost anomaly monitors',
        sections=('10.3',),
        collectors=('ce.monitoring',),
        zone='global',
        props=(
            P('name'),
            P('type'),
            P('dimension'),
            P('subscriptions'),
        ),
    ),
    KindSpec(
        'ce:cost-allocation-tag', 'cost allocation tag', 'cost allocation tags',
        sections=('10.3',),
        collectors=('ce.monitoring',),
        zone='global',
        props=(
            P('key'),
            P('status'),
            P('type'),
        ),
    ),
    KindSpec(
        'ce:monthly-spend', 'monthly spend record', 'monthly spend records',
        sections=('10.3',),
        collectors=('ce.spend',),
        zone='global',
        props=(
            P('period_start', 'str'),
            P('period_end', 'str'),
            P('by_service', 'dict'),
            P('total', 'int'),
            P('unit', 'str'),
        ),
    ),
)

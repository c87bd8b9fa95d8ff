"""The network facts under their old name: sections 2.1-2.3 and 5.2 (``facts.network.*``).

The facts themselves live by what they state (the project keeps modules under ~500 lines):

- :mod:`renderers.facts.vpcs`: 2.1 VPCs and 2.2 subnets, and the raw-id lookups they share;
- :mod:`renderers.facts.connectivity`: 2.3 routes, NAT, gateways, endpoints, VPN, EIPs;
- :mod:`renderers.facts.network_security`: 5.2 security groups, NACLs, prefix lists and rule text;
- :mod:`renderers.facts.scan_gaps`: what the scan could not see, per subsection.

Why this module stays: templates (``{% set nf = facts.network %}``), other facts modules and
tests reach these names here; every one is re-exported so none of them has to change.
"""

from __future__ import annotations

from renderers.facts.connectivity import (
    CONNECTIVITY_KINDS,
    connectivity_sentence,
    connectivity_summary,
    dx_rows,
    eip_rows,
    endpoint_rows,
    gateway_rows,
    nat_per_vpc,
    nat_rows,
    public_interface_rows,
    route_table_rows,
    tgw_route_table_rows,
    transit_rows,
    vpn_rows,
)
from renderers.facts.network_security import (
    _sg_names,
    is_default_nacl_entry,
    is_open_egress,
    nacl_entry_text,
    nacl_rows,
    nacl_summary,
    peer_text,
    port_text,
    prefix_list_rows,
    rule_text,
    security_group_rows,
    sg_references,
    sg_summary,
    sg_users,
)
from renderers.facts.scan_gaps import (
    _gap_in,
    _run_reason,
    blocked,
    blocked_services,
    collector_blocked,
    gaps,
    services,
    services_of_kinds,
)
from renderers.facts.vpcs import (
    _AZ_SUFFIX,
    ANYWHERE,
    _by_id,
    _flow_logged,
    _names,
    _subnet_names,
    _usable_ips,
    _vpc_label,
    _vpc_name,
    _vpcs,
    effective_route_tables,
    layout_sentence,
    name_group,
    subnet_groups,
    subnet_public,
    subnet_tier,
    tier_counts,
    tier_unknown_why,
    unused_default_vpcs,
    vpc_connections,
    vpc_rows,
    vpc_summary,
)

__all__ = [
    # vpcs (2.1, 2.2)
    "ANYWHERE", "effective_route_tables", "layout_sentence", "name_group", "subnet_groups", "subnet_public",
    "subnet_tier", "tier_counts", "tier_unknown_why", "unused_default_vpcs", "vpc_connections", "vpc_rows",
    "vpc_summary",
    # connectivity (2.3)
    "CONNECTIVITY_KINDS", "connectivity_sentence", "connectivity_summary", "dx_rows", "eip_rows", "endpoint_rows",
    "gateway_rows", "nat_per_vpc", "nat_rows", "public_interface_rows", "route_table_rows", "tgw_route_table_rows",
    "transit_rows", "vpn_rows",
    # network_security (5.2)
    "is_default_nacl_entry", "is_open_egress", "nacl_entry_text", "nacl_rows", "nacl_summary", "peer_text",
    "port_text", "prefix_list_rows", "rule_text", "security_group_rows", "sg_references", "sg_summary", "sg_users",
    # scan_gaps
    "blocked", "blocked_services", "collector_blocked", "gaps", "services", "services_of_kinds",
    # package-internal helpers, kept importable under their old home
    "_AZ_SUFFIX", "_by_id", "_flow_logged", "_gap_in", "_names", "_run_reason", "_sg_names", "_subnet_names",
    "_usable_ips", "_vpc_label", "_vpc_name", "_vpcs",
]

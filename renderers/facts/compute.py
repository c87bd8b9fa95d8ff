"""The compute facts under their old name: sections 3.1, 8.1, 8.2 and 8.3 (``facts.compute.*``).

The facts themselves live by what they state (the project keeps modules under ~500 lines):

- :mod:`renderers.facts.instances`: 3.1 EC2 instances, AMIs, key pairs, launch templates;
- :mod:`renderers.facts.scaling`: 8.1 EC2 Auto Scaling and Application Auto Scaling;
- :mod:`renderers.facts.sizing`: 8.2 instance types, generations and sizes;
- :mod:`renderers.facts.load_balancing`: 8.3 load balancers, listeners, target groups;
- :mod:`renderers.facts.phrases`: "2 x t3.medium", "14 days", "a, b and c".

Why this module stays: templates of many sections call ``facts.compute.count_of`` /
``days`` / ``listing`` / ``services``, and tests and other facts modules (containers) import
from here; every name is re-exported so none of them has to change.
"""

from __future__ import annotations

from renderers.facts.instances import (
    _TIER_WORD,
    ASG_TAG,
    GONE_STATES,
    MAX_INSTANCE_ROWS,
    _lb_of,
    _or_unknown,
    _ports,
    _public_ip_cell,
    _reach_text,
    _reach_unknown,
    ami_rows,
    ami_text,
    imds_text,
    instance_counts,
    instance_rows,
    key_pair_rows,
    launch_configuration_rows,
    launch_template_rows,
    live_instances,
    other_rows,
    props,
    public_ip,
    public_ip_text,
    reach,
    role_of_profile,
    subnet_tier,
)
from renderers.facts.load_balancing import (
    classic_rows,
    feeder_label,
    https_summary,
    lb_rows,
    listener_rows,
    target_group_rows,
)
from renderers.facts.phrases import counts_text, days, listing
from renderers.facts.scaling import (
    _dash,
    app_scaling_candidates,
    app_scaling_rows,
    asg_rows,
    asg_summary,
    scaling_of,
)
from renderers.facts.scan_gaps import blocked_services, services, services_of_kinds
from renderers.facts.sizing import (
    _SERVICE_PROCESSORS,
    _TYPE_RE,
    _USE_WORDS,
    LATEST,
    PREVIOUS_GENERATION,
    SIZED_KINDS,
    SIZES,
    InstanceType,
    family_counts,
    family_text,
    generation_status,
    next_size,
    parse_type,
    sizing_rows,
    types_in_use,
    upgrade_path,
)
from renderers.facts.vpcs import subnet_public
from renderers.plural import count_of

__all__ = [
    "ami_rows", "ami_text", "app_scaling_candidates", "app_scaling_rows", "asg_rows", "asg_summary", "ASG_TAG",
    "blocked_services", "classic_rows", "count_of", "counts_text", "days", "family_counts", "family_text",
    "feeder_label", "generation_status", "GONE_STATES", "https_summary", "imds_text", "instance_counts",
    "instance_rows", "InstanceType", "key_pair_rows", "LATEST", "launch_configuration_rows",
    "launch_template_rows", "lb_rows", "listener_rows", "listing", "live_instances", "MAX_INSTANCE_ROWS",
    "next_size", "other_rows", "parse_type", "PREVIOUS_GENERATION", "props", "public_ip", "public_ip_text",
    "reach", "role_of_profile", "scaling_of", "services", "services_of_kinds", "SIZED_KINDS", "SIZES",
    "sizing_rows", "subnet_public", "subnet_tier", "target_group_rows", "types_in_use", "upgrade_path",
    # package-internal helpers, kept importable under their old home
    "_SERVICE_PROCESSORS", "_TIER_WORD", "_TYPE_RE", "_USE_WORDS", "_dash", "_lb_of", "_or_unknown", "_ports",
    "_public_ip_cell", "_reach_text", "_reach_unknown",
]

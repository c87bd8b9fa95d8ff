"""Recorded shapes for scanner/collectors/loadbalancing.py (ALB/NLB/GWLB, target groups, classic ELB)."""

from __future__ import annotations

from scanner.collectors import loadbalancing as lb
from scanner.context import tags_of
from tests.test_recorded_shapes import Case, items, one

F = "loadbalancing"


def _first_tags(r: dict, op: str) -> dict:
    descs = items(r, op, "TagDescriptions")
    return tags_of(descs[0]) if descs else {}


def _lbs(ctx, r: dict):
    lbs = items(r, "DescribeLoadBalancers#elbv2", "LoadBalancers")
    attrs = lb._attr_map(one(r, "DescribeLoadBalancerAttributes#elbv2").get("Attributes"))
    tags = _first_tags(r, "DescribeTags#elbv2")
    return lb.transform_load_balancers(ctx, lbs, {x.get("LoadBalancerArn"): attrs for x in lbs},
                                       {x.get("LoadBalancerArn"): tags for x in lbs})


def _listeners(ctx, r: dict):
    listeners = items(r, "DescribeListeners", "Listeners")
    rules = items(r, "DescribeRules", "Rules")
    certs = [c.get("CertificateArn") for c in items(r, "DescribeListenerCertificates", "Certificates")
             if c.get("CertificateArn")]
    return lb.transform_listeners(ctx, listeners, {x.get("ListenerArn"): rules for x in listeners},
                                  {x.get("ListenerArn"): certs for x in listeners})


def _target_groups(ctx, r: dict):
    groups = items(r, "DescribeTargetGroups", "TargetGroups")
    health = items(r, "DescribeTargetHealth", "TargetHealthDescriptions")
    tags = _first_tags(r, "DescribeTags#elbv2")
    return lb.transform_target_groups(ctx, groups, {g.get("TargetGroupArn"): health for g in groups},
                                      {g.get("TargetGroupArn"): tags for g in groups})


def _classic(ctx, r: dict):
    lbs = items(r, "DescribeLoadBalancers#elb", "LoadBalancerDescriptions")
    attrs = one(r, "DescribeLoadBalancerAttributes#elb").get("LoadBalancerAttributes") or {}
    health = items(r, "DescribeInstanceHealth", "InstanceStates")
    tags = _first_tags(r, "DescribeTags#elb")
    names = [x.get("LoadBalancerName") for x in lbs]
    return lb.transform_classic(ctx, lbs, dict.fromkeys(names, attrs), dict.fromkeys(names, health),
                                dict.fromkeys(names, tags))


CASES = [
    Case(F, lb.transform_load_balancers,
         ("elbv2:DescribeLoadBalancers", "elbv2:DescribeLoadBalancerAttributes", "elbv2:DescribeTags"), _lbs,
         names=("DescribeLoadBalancers#elbv2:LoadBalancers[].LoadBalancerName",), ids=("LoadBalancerArn",),
         allow={"access_logs": "attributes read without access_logs.s3.enabled: its documented default, false"}),
    Case(F, lb.transform_listeners,
         ("elbv2:DescribeListeners", "elbv2:DescribeRules", "elbv2:DescribeListenerCertificates"), _listeners,
         names=("DescribeListeners:Listeners[].ListenerArn",)),
    Case(F, lb.transform_target_groups,
         ("elbv2:DescribeTargetGroups", "elbv2:DescribeTargetHealth", "elbv2:DescribeTags"), _target_groups,
         names=("DescribeTargetGroups:TargetGroups[].TargetGroupName",), ids=("TargetGroupArn",),
         allow_enum={"healthy_count": "counts the targets AWS reports healthy; a state added later is not"}),
    Case(F, lb.transform_classic,
         ("elb:DescribeLoadBalancers", "elb:DescribeLoadBalancerAttributes", "elb:DescribeInstanceHealth",
          "elb:DescribeTags"), _classic,
         names=("DescribeLoadBalancers#elb:LoadBalancerDescriptions[].LoadBalancerName",)),
]

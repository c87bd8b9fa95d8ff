"""Recorded shapes for scanner/collectors/scaling.py (Application Auto Scaling)."""

from __future__ import annotations

from scanner.collectors import scaling as s
from tests.test_recorded_shapes import Case, items

F = "scaling"
TARGETS = "application-autoscaling:DescribeScalableTargets"


def _targets(r: dict) -> list:
    return items(r, "DescribeScalableTargets", "ScalableTargets")


CASES = [
    Case(F, s.transform_targets, (TARGETS,),
         lambda ctx, r: s.transform_targets(ctx, _targets(r)),
         names=("DescribeScalableTargets:ScalableTargets[].ResourceId",)),
    Case(F, s.transform_policies, ("application-autoscaling:DescribeScalingPolicies", TARGETS),
         lambda ctx, r: s.transform_policies(ctx, items(r, "DescribeScalingPolicies", "ScalingPolicies"),
                                             _targets(r)),
         names=("DescribeScalingPolicies:ScalingPolicies[].PolicyName",)),
    Case(F, s.transform_scheduled_actions, ("application-autoscaling:DescribeScheduledActions", TARGETS),
         lambda ctx, r: s.transform_scheduled_actions(
             ctx, items(r, "DescribeScheduledActions", "ScheduledActions"), _targets(r)),
         names=("DescribeScheduledActions:ScheduledActions[].ScheduledActionName",)),
]

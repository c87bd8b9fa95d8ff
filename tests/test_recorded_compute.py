"""Recorded shapes for scanner/collectors/compute.py and autoscaling.py (EC2 instances, AMIs, templates,
Auto Scaling)."""

from __future__ import annotations

from scanner.collectors import autoscaling
from scanner.collectors import compute as c
from tests.test_recorded_shapes import Case, items

F = "compute"


def _asg_arns(r: dict) -> dict:
    return {g.get("AutoScalingGroupName"): g.get("AutoScalingGroupARN")
            for g in items(r, "DescribeAutoScalingGroups", "AutoScalingGroups")}


CASES = [
    Case(F, c.transform_instances, ("ec2:DescribeInstances",),
         lambda ctx, r: c.transform_instances(ctx, items(r, "DescribeInstances", "Reservations")),
         names=("DescribeInstances:Reservations[].Instances[].InstanceId",),
         keep=("DescribeInstances:Reservations.Instances",)),
    Case(F, c.transform_images, ("ec2:DescribeImages",),
         lambda ctx, r: c.transform_images(ctx, items(r, "DescribeImages", "Images")),
         names=("DescribeImages:Images[].ImageId",)),
    Case(F, c.transform_placement_groups, ("ec2:DescribePlacementGroups",),
         lambda ctx, r: c.transform_placement_groups(ctx, items(r, "DescribePlacementGroups", "PlacementGroups")),
         names=("DescribePlacementGroups:PlacementGroups[].GroupName",)),
    Case(F, c.transform_key_pairs, ("ec2:DescribeKeyPairs",),
         lambda ctx, r: c.transform_key_pairs(ctx, items(r, "DescribeKeyPairs", "KeyPairs")),
         names=("DescribeKeyPairs:KeyPairs[].KeyName",)),
    Case(F, c.transform_hosts, ("ec2:DescribeHosts",),
         lambda ctx, r: c.transform_hosts(ctx, items(r, "DescribeHosts", "Hosts")),
         names=("DescribeHosts:Hosts[].HostId",)),
    Case(F, c.transform_launch_templates, ("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"),
         lambda ctx, r: c.transform_launch_templates(
             ctx, items(r, "DescribeLaunchTemplates", "LaunchTemplates"),
             items(r, "DescribeLaunchTemplateVersions", "LaunchTemplateVersions")),
         names=("DescribeLaunchTemplates:LaunchTemplates[].LaunchTemplateId",),
         allow={"user_data_present": "AWS omits UserData when a template has none",
                "public_ip_on_eni": "an absent AssociatePublicIpAddress asks for no public address",
                "spot": "a template without InstanceMarketOptions launches on-demand"}),
    Case(F, autoscaling.transform_asgs, ("autoscaling:DescribeAutoScalingGroups",),
         lambda ctx, r: autoscaling.transform_asgs(ctx, items(r, "DescribeAutoScalingGroups", "AutoScalingGroups")),
         names=("DescribeAutoScalingGroups:AutoScalingGroups[].AutoScalingGroupName",),
         allow={"mixed_instances": "AWS omits MixedInstancesPolicy when a group has none",
                "warm_pool": "AWS omits WarmPoolConfiguration when a group has no warm pool"}),
    Case(F, autoscaling.transform_policies, ("autoscaling:DescribePolicies", "autoscaling:DescribeAutoScalingGroups"),
         lambda ctx, r: autoscaling.transform_policies(ctx, items(r, "DescribePolicies", "ScalingPolicies"), _asg_arns(r)),
         names=("DescribePolicies:ScalingPolicies[].PolicyName",)),
    Case(F, autoscaling.transform_scheduled_actions,
         ("autoscaling:DescribeScheduledActions", "autoscaling:DescribeAutoScalingGroups"),
         lambda ctx, r: autoscaling.transform_scheduled_actions(
             ctx, items(r, "DescribeScheduledActions", "ScheduledUpdateGroupActions"), _asg_arns(r)),
         names=("DescribeScheduledActions:ScheduledUpdateGroupActions[].ScheduledActionName",)),
    Case(F, autoscaling.transform_launch_configurations, ("autoscaling:DescribeLaunchConfigurations",),
         lambda ctx, r: autoscaling.transform_launch_configurations(
             ctx, items(r, "DescribeLaunchConfigurations", "LaunchConfigurations")),
         names=("DescribeLaunchConfigurations:LaunchConfigurations[].LaunchConfigurationName",),
         allow={"user_data_present": "AWS omits UserData (or sends it empty) when there is none"}),
]


#: the modules of the compute family (split by what they hold; the sweep in test_recorded_all reads compute.py only)
MODULES = ("scanner.collectors.compute", "scanner.collectors.autoscaling")


def test_every_transform_of_the_family_modules_has_a_case() -> None:
    from tests.test_recorded_serverless import check_coverage

    check_coverage(CASES, MODULES, F)

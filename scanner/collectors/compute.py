"""EC2 compute: instances, AMIs, key pairs, launch templates, placement groups and dedicated
hosts (get / transform, after Cartography), and the helpers the compute family shares; EC2
Auto Scaling groups, their policies and scheduled actions and launch configurations are in
autoscaling.py beside this module.

User data is never kept: launch templates return it (base64) and it often holds secrets, so
the transforms reduce it to the boolean ``user_data_present`` and never copy a raw
``LaunchTemplateData`` dict into the graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from scanner.collectors._shape import ident, is_on
from scanner.collectors.registry import collector
from scanner.context import (
    ScanContext,
    age_days,
    iso,
    name_of,
    tags_of,
)
from scanner.inventory import Records

ASG_TAG = "aws:autoscaling:groupName"
#: ImageIds per DescribeImages call (the filter takes up to 200 values; stay well below)
IMAGE_BATCH = 100


# -- shared helpers ---------------------------------------------------------------------------
def optional_pages(ctx: ScanContext, out: Records, service: str, operation: str, key: str, *,
                   resource: str = "", missing: tuple[str, ...] = (), **kwargs: Any) -> list[Any]:
    """All items of a paginated per-resource call, or [] (a gap recorded) when it cannot be read,
    so one denied secondary listing (say, launch template versions) does not lose the primary one."""
    return ctx.optional_pages(out, service, operation, key, resource=resource, missing=missing, **kwargs) or []


def chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def imds(options: dict[str, Any] | None) -> tuple[bool | None, bool | None]:
    """(IMDSv2 required, IMDS enabled) from MetadataOptions; (None, None) when not returned."""
    if not options:
        return None, None
    tokens = options.get("HttpTokens")
    endpoint = options.get("HttpEndpoint")
    return (None if tokens is None else tokens == "required",
            None if endpoint is None else endpoint != "disabled")


def profile_arn(ctx: ScanContext, profile: dict[str, Any] | None) -> str | None:
    """Instance profile ARN from an ``IamInstanceProfile`` spec (ARN, or a name without path)."""
    if not profile:
        return None
    if profile.get("Arn"):
        return str(profile["Arn"])
    if profile.get("Name"):
        return ctx.arn("iam", f"instance-profile/{profile['Name']}", global_=True)
    return None


def platform_of(obj: dict[str, Any]) -> str:
    """Human platform name: PlatformDetails when AWS gives it, else Windows/Linux from Platform."""
    if obj.get("PlatformDetails"):
        return str(obj["PlatformDetails"])
    return "Windows" if str(obj.get("Platform", "")).lower() == "windows" else "Linux/UNIX"


def iso_any(value: Any) -> str | None:
    """ISO-8601 UTC for a datetime or an API date string ("2024-01-31T12:00:00.000Z")."""
    if isinstance(value, str):
        try:
            return iso(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return iso(value)


# -- instances ---------------------------------------------------------------------------------
def instance_ipv6(inst: dict[str, Any]) -> list[str]:
    addrs = [a.get("Ipv6Address") for eni in inst.get("NetworkInterfaces") or []
             for a in eni.get("Ipv6Addresses") or []]
    if inst.get("Ipv6Address"):
        addrs.append(inst["Ipv6Address"])
    return sorted({a for a in addrs if a})


def instance_sg_ids(inst: dict[str, Any]) -> list[str]:
    groups = [g.get("GroupId") for g in inst.get("SecurityGroups") or []]
    groups += [g.get("GroupId") for eni in inst.get("NetworkInterfaces") or [] for g in eni.get("Groups") or []]
    return sorted({g for g in groups if g})


def transform_instances(ctx: ScanContext, reservations: list[dict[str, Any]]) -> Records:
    """Instances from DescribeInstances reservations, with their subnet, SG, AMI and profile edges."""
    out = ctx.records()
    for res in reservations:
        for inst in res.get("Instances") or []:
            _instance(ctx, out, inst)
    return out


def all_true(values: list[Any]) -> bool | None:
    """All yes (True), one no (False), else not said (None): e.g. "every volume is encrypted"."""
    if any(v is False for v in values):
        return False
    return None if not values or any(v is None for v in values) else all(bool(v) for v in values)


def _instance(ctx: ScanContext, out: Records, inst: dict[str, Any]) -> None:
    iid = ident(out, inst, "InstanceId", "ec2", "ec2:DescribeInstances", "an instance")
    if not iid:
        return
    arn = ctx.ec2_arn("instance", iid)
    tags = tags_of(inst)
    placement = inst.get("Placement") or {}
    v2, enabled = imds(inst.get("MetadataOptions"))
    sgs = instance_sg_ids(inst)
    prof = profile_arn(ctx, inst.get("IamInstanceProfile"))
    monitoring = (inst.get("Monitoring") or {}).get("State")
    out.node(arn, "ec2:instance", name_of(inst, iid), tags=tags, instance_id=iid,
             instance_type=inst.get("InstanceType"), state=(inst.get("State") or {}).get("Name"),
             platform=platform_of(inst), image_id=inst.get("ImageId"), key_name=inst.get("KeyName"),
             subnet_id=inst.get("SubnetId"), vpc_id=inst.get("VpcId"),
             az=placement.get("AvailabilityZone"), private_ip=inst.get("PrivateIpAddress"),
             public_ip=inst.get("PublicIpAddress"), ipv6_ips=instance_ipv6(inst),
             security_group_ids=sgs, instance_profile_arn=prof, imds_v2_required=v2,
             imds_enabled=enabled, imds_hop_limit=(inst.get("MetadataOptions") or {}).get("HttpPutResponseHopLimit"),
             launch_time=iso(inst.get("LaunchTime")), tenancy=placement.get("Tenancy"),
             placement_group=placement.get("GroupName") or None, host_id=placement.get("HostId"),
             ebs_optimized=inst.get("EbsOptimized"),
             monitoring=is_on(monitoring, ("enabled", "pending"), ("disabled", "disabling")),
             asg_name=tags.get(ASG_TAG), root_device_type=inst.get("RootDeviceType"),
             architecture=inst.get("Architecture"), lifecycle=inst.get("InstanceLifecycle") or "on-demand",
             launch_template_id=tags.get("aws:ec2launchtemplate:id"),
             source_dest_check=inst.get("SourceDestCheck"))
    if inst.get("SubnetId"):
        out.edge(arn, ctx.ec2_arn("subnet", inst["SubnetId"]), "in_subnet")
    for sg in sgs:
        out.edge(arn, ctx.ec2_arn("security-group", sg), "protected_by")
    out.edge(arn, prof, "attached_to")
    if inst.get("ImageId"):
        out.edge(arn, ctx.ec2_arn("image", inst["ImageId"]), "uses_image")
    if placement.get("GroupName"):
        out.edge(arn, ctx.ec2_arn("placement-group", placement["GroupName"]), "member_of")
    if placement.get("HostId"):
        out.edge(ctx.ec2_arn("dedicated-host", placement["HostId"]), arn, "contains")


def transform_images(ctx: ScanContext, images: list[dict[str, Any]]) -> Records:
    """AMIs in use: owner, name, age, public flag, encryption of their snapshots."""
    out = ctx.records()
    for img in images:
        iid = ident(out, img, "ImageId", "ec2", "ec2:DescribeImages", "an AMI")
        if not iid:
            continue
        ebs = [b["Ebs"] for b in img.get("BlockDeviceMappings") or [] if b.get("Ebs")]
        out.node(ctx.ec2_arn("image", iid), "ec2:image", img.get("Name") or iid, tags=tags_of(img),
                 image_id=iid, name=img.get("Name"), owner_id=img.get("OwnerId"),
                 owner_alias=img.get("ImageOwnerAlias"), creation_date=iso_any(img.get("CreationDate")),
                 age_days=age_days(img.get("CreationDate")), public=img.get("Public"),
                 platform=platform_of(img), state=img.get("State"),
                 encrypted=all_true([e.get("Encrypted") for e in ebs]),
                 description=img.get("Description"), architecture=img.get("Architecture"),
                 deprecation_time=iso_any(img.get("DeprecationTime")),
                 owned_by_account=None if img.get("OwnerId") is None else img.get("OwnerId") == ctx.account)
    return out


def transform_placement_groups(ctx: ScanContext, groups: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for g in groups:
        name = ident(out, g, "GroupName", "ec2", "ec2:DescribePlacementGroups", "a placement group")
        if not name:
            continue
        out.node(ctx.ec2_arn("placement-group", name), "ec2:placement-group", name, tags=tags_of(g),
                 group_name=name, strategy=g.get("Strategy"), state=g.get("State"),
                 partition_count=g.get("PartitionCount"), group_id=g.get("GroupId"))
    return out


def images_in_use(ctx: ScanContext, out: Records, image_ids: list[str]) -> Records:
    """The AMIs with these ids; a filter, not ImageIds=, so one deregistered AMI cannot fail
    the batch (DescribeImages with ImageIds errors on an unknown id)."""
    images: list[dict[str, Any]] = []
    for batch in chunks(sorted({i for i in image_ids if i.startswith("ami-")}), IMAGE_BATCH):
        images += optional_pages(ctx, out, "ec2", "describe_images", "Images",
                                 Filters=[{"Name": "image-id", "Values": batch}], IncludeDeprecated=True)
    return transform_images(ctx, images)


def _image_ids(reservations: list[dict[str, Any]]) -> list[str]:
    return sorted({i["ImageId"] for r in reservations for i in r.get("Instances") or [] if i.get("ImageId")})


def _placement_names(reservations: list[dict[str, Any]]) -> list[str]:
    return sorted({(i.get("Placement") or {}).get("GroupName") for r in reservations
                   for i in r.get("Instances") or []} - {None, ""})


@collector("ec2.instances", "ec2",
           reads="ec2:DescribeInstances, ec2:DescribeImages, ec2:DescribePlacementGroups")
def collect_instances(ctx: ScanContext) -> Records:
    """Instances, then the AMIs and placement groups they use (read only for what is in use)."""
    reservations = list(ctx.paginate("ec2", "describe_instances", "Reservations"))
    out = transform_instances(ctx, reservations)
    out.extend(images_in_use(ctx, out, _image_ids(reservations)))
    names = _placement_names(reservations)
    if names:
        resp = ctx.optional(out, "ec2", "describe_placement_groups", GroupNames=names,
                            missing=("InvalidPlacementGroup.Unknown",))
        out.extend(transform_placement_groups(ctx, (resp or {}).get("PlacementGroups") or []))
    return out


# -- key pairs, hosts ----------------------------------------------------------------------------
def transform_key_pairs(ctx: ScanContext, keys: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for k in keys:
        name = k.get("KeyName") or k.get("KeyPairId")
        if not name:
            ident(out, k, "KeyName", "ec2", "ec2:DescribeKeyPairs", "a key pair")
            continue
        kid = k.get("KeyPairId") or name
        arn = ctx.ec2_arn("key-pair", kid)
        out.node(arn, "ec2:key-pair", name, tags=tags_of(k), key_name=k.get("KeyName"),
                 key_pair_id=k.get("KeyPairId"), key_type=k.get("KeyType"),
                 fingerprint=k.get("KeyFingerprint"), create_time=iso(k.get("CreateTime")))
        out.edge(ctx.region_node, arn, "contains")
    return out


@collector("ec2.key_pairs", "ec2", reads="ec2:DescribeKeyPairs")
def collect_key_pairs(ctx: ScanContext) -> Records:
    return transform_key_pairs(ctx, list(ctx.paginate("ec2", "describe_key_pairs", "KeyPairs")))


def transform_hosts(ctx: ScanContext, hosts: list[dict[str, Any]]) -> Records:
    out = ctx.records()
    for h in hosts:
        hid = ident(out, h, "HostId", "ec2", "ec2:DescribeHosts", "a dedicated host")
        if not hid:
            continue
        arn = ctx.ec2_arn("dedicated-host", hid)
        props = h.get("HostProperties") or {}
        out.node(arn, "ec2:dedicated-host", name_of(h, hid), tags=tags_of(h), host_id=hid,
                 instance_type=props.get("InstanceType") or props.get("InstanceFamily"),
                 az=h.get("AvailabilityZone"), state=h.get("State"),
                 instance_ids=sorted(i["InstanceId"] for i in h.get("Instances") or [] if i.get("InstanceId")),
                 auto_placement=h.get("AutoPlacement"), host_recovery=h.get("HostRecovery"))
        out.edge(ctx.region_node, arn, "contains")
        for i in h.get("Instances") or []:
            if i.get("InstanceId"):
                out.edge(arn, ctx.ec2_arn("instance", i["InstanceId"]), "contains")
    return out


@collector("ec2.dedicated_hosts", "ec2", reads="ec2:DescribeHosts")
def collect_hosts(ctx: ScanContext) -> Records:
    return transform_hosts(ctx, list(ctx.paginate("ec2", "describe_hosts", "Hosts")))


# -- launch templates ------------------------------------------------------------------------------
def template_sg_ids(data: dict[str, Any]) -> list[str]:
    ids = list(data.get("SecurityGroupIds") or [])
    ids += [g for eni in data.get("NetworkInterfaces") or [] for g in eni.get("Groups") or []]
    return sorted(set(ids))


TEMPLATE_FACTS = ("instance_type", "image_id", "imds_v2_required", "imds_enabled", "security_group_ids",
                  "instance_profile_arn", "user_data_present", "key_name", "public_ip_on_eni", "ebs_encrypted", "spot")


def template_summary(ctx: ScanContext, data: dict[str, Any] | None) -> dict[str, Any]:
    """The secret-free facts of one LaunchTemplateData: never the data itself (user data!).

    No data (the version was not read) leaves every fact unknown. Within the data, AWS omits
    what a template does not ask for: no UserData is no user data, no market options is
    on-demand, no AssociatePublicIpAddress asks for no public address.
    """
    if data is None:
        return dict.fromkeys(TEMPLATE_FACTS)
    v2, enabled = imds(data.get("MetadataOptions"))
    reqs = data.get("InstanceRequirements")
    return {
        "instance_type": data.get("InstanceType") or ("attribute-based" if reqs else None),
        "image_id": data.get("ImageId"),
        "imds_v2_required": v2, "imds_enabled": enabled,
        "security_group_ids": template_sg_ids(data),
        "instance_profile_arn": profile_arn(ctx, data.get("IamInstanceProfile")),
        "user_data_present": bool(data.get("UserData")),
        "key_name": data.get("KeyName"),
        "public_ip_on_eni": any(bool(n.get("AssociatePublicIpAddress"))
                                for n in data.get("NetworkInterfaces") or []),
        "ebs_encrypted": _all_encrypted(data.get("BlockDeviceMappings")),
        "spot": False if not data.get("InstanceMarketOptions") else
        is_on(data["InstanceMarketOptions"].get("MarketType"), ("spot",), ("capacity-block",)),
    }


def _all_encrypted(mappings: list[dict[str, Any]] | None) -> bool | None:
    return all_true([m["Ebs"].get("Encrypted") for m in mappings or [] if m.get("Ebs")])


def transform_launch_templates(ctx: ScanContext, templates: list[dict[str, Any]],
                               versions: list[dict[str, Any]]) -> Records:
    """Launch templates with the facts of their default version (the latest when no default seen)."""
    out = ctx.records()
    by_id: dict[str, dict[int, dict[str, Any]]] = {}
    for v in versions:
        by_id.setdefault(v.get("LaunchTemplateId") or "", {})[int(v.get("VersionNumber") or 0)] = v
    for t in templates:
        tid = ident(out, t, "LaunchTemplateId", "ec2", "ec2:DescribeLaunchTemplates", "a launch template")
        if not tid:
            continue
        arn = ctx.ec2_arn("launch-template", tid)
        vers = by_id.get(tid, {})
        default_no, latest_no = t.get("DefaultVersionNumber"), t.get("LatestVersionNumber")
        chosen = vers.get(default_no) or vers.get(latest_no) or next(iter(vers.values()), None)
        s = template_summary(ctx, (chosen or {}).get("LaunchTemplateData"))
        latest = template_summary(ctx, (vers.get(latest_no) or {}).get("LaunchTemplateData")) \
            if latest_no in vers and latest_no != default_no else None
        out.node(arn, "ec2:launch-template", t.get("LaunchTemplateName") or tid, tags=tags_of(t),
                 launch_template_id=tid, name=t.get("LaunchTemplateName"),
                 default_version=default_no, latest_version=latest_no,
                 versions_read=chosen is not None,
                 latest_instance_type=latest["instance_type"] if latest else None,
                 create_time=iso(t.get("CreateTime")), **s)
        out.edge(ctx.region_node, arn, "contains")
        if str(s["image_id"] or "").startswith("ami-"):  # not "resolve:ssm:/aws/service/..."
            out.edge(arn, ctx.ec2_arn("image", s["image_id"]), "uses_image")
        for sg in s["security_group_ids"] or []:
            out.edge(arn, ctx.ec2_arn("security-group", sg), "protected_by")
    return out


@collector("ec2.launch_templates", "ec2",
           reads="ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions, ec2:DescribeImages")
def collect_launch_templates(ctx: ScanContext) -> Records:
    templates = list(ctx.paginate("ec2", "describe_launch_templates", "LaunchTemplates"))
    out = ctx.records()
    versions: list[dict[str, Any]] = []
    if templates:
        # $Default and $Latest of every template in one paginated call (no template id given)
        versions = optional_pages(ctx, out, "ec2", "describe_launch_template_versions",
                                  "LaunchTemplateVersions", Versions=["$Default", "$Latest"])
    out.extend(transform_launch_templates(ctx, templates, versions))
    # the templates' AMIs too: an ASG scaled to zero still launches from them
    ami_ids = [str((v.get("LaunchTemplateData") or {}).get("ImageId") or "") for v in versions]
    return out.extend(images_in_use(ctx, out, ami_ids))



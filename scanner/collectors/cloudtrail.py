"""CloudTrail trails: where they log, whether they log now, and what they select (part of the
security family).

Get / transform split as in security.py: read-only calls, a pure ``transform_trails`` that
tests feed with recorded shapes. Each trail is read once: in its home region, or in the scan's
home region when its own is not scanned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.collectors.security import kms_ref, soft
from scanner.context import (
    ScanContext,
    iso,
)
from scanner.inventory import Records

#: the collector family this module belongs to (``--services security`` names it with security.py)
FAMILY = "security"

# --- CloudTrail --------------------------------------------------------------------

def parse_event_selectors(sel: dict[str, Any] | None) -> tuple[str | None, list[str]]:
    """(management events read/write type or None when not logged, data event resource types)."""
    if not sel:
        return None, []
    mgmt: str | None = None
    data: list[str] = []
    for s in sel.get("EventSelectors") or []:
        if s.get("IncludeManagementEvents", True):
            mgmt = "All" if mgmt == "All" else s.get("ReadWriteType", "All")
        data += [d.get("Type") for d in s.get("DataResources") or [] if d.get("Type")]
    for a in sel.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f.get("Equals") or [] for f in a.get("FieldSelectors") or []}
        if "Management" in fields.get("eventCategory", []):
            ro = fields.get("readOnly")
            mgmt = "All" if not ro or mgmt == "All" else ("ReadOnly" if "true" in ro else "WriteOnly")
        elif "Data" in fields.get("eventCategory", []):
            data += fields.get("resources.type", []) or ["(all data events)"]
    return mgmt, sorted(set(data))


def _log_group_id(arn: str | None) -> str | None:
    """CloudTrail names the log group as ``...:log-group:NAME:*``; the graph uses the ARN without ``:*``."""
    return arn[:-2] if arn and arn.endswith(":*") else arn


def transform_trails(ctx: ScanContext, trails: list[dict[str, Any]]) -> Records:
    """``trails``: describe_trails entries with ``status`` and ``selectors`` added (None when unreadable)."""
    out = ctx.records()
    for t in trails:
        arn = t.get("TrailARN") or (t.get("Name") and ctx.arn("cloudtrail", f"trail/{t['Name']}"))
        if not arn:
            skipped(out, "cloudtrail", "cloudtrail:DescribeTrails", "a trail", "Name")
            continue
        status = t.get("status") or {}
        mgmt, data = parse_event_selectors(t.get("selectors"))
        bucket = t.get("S3BucketName")
        out.node(arn, "cloudtrail:trail", t.get("Name") or arn.rsplit("/", 1)[-1], name=t.get("Name"),
                 home_region=t.get("HomeRegion"),
                 multi_region=t.get("IsMultiRegionTrail"),
                 is_logging=status.get("IsLogging") if t.get("status") is not None else None,
                 log_validation=t.get("LogFileValidationEnabled"), s3_bucket=bucket,
                 s3_prefix=t.get("S3KeyPrefix"), kms_key=t.get("KmsKeyId"),
                 cloudwatch_log_group=_log_group_id(t.get("CloudWatchLogsLogGroupArn")),
                 organization_trail=t.get("IsOrganizationTrail"),
                 management_events=mgmt if t.get("selectors") is not None else None,
                 data_events=data if t.get("selectors") is not None else None,
                 latest_delivery_error=status.get("LatestDeliveryError"),
                 latest_delivery=iso(status.get("LatestDeliveryTime")), sns_topic=t.get("SnsTopicARN"))
        out.edge(ctx.region_node, arn, "contains")
        out.edge(arn, f"arn:{ctx.partition}:s3:::{bucket}" if bucket else None, "logs_to")
        out.edge(arn, _log_group_id(t.get("CloudWatchLogsLogGroupArn")), "logs_to")
        out.edge(arn, kms_ref(ctx, t.get("KmsKeyId")), "encrypted_by")
    return out


def _trail_details(ctx: ScanContext, out: Records, t: dict[str, Any]) -> dict[str, Any]:
    arn = t.get("TrailARN") or t.get("Name")
    status = soft(ctx, out, "cloudtrail", "GetTrailStatus",
                  lambda: ctx.call("cloudtrail", "get_trail_status", Name=arn), resource=arn)
    sel = soft(ctx, out, "cloudtrail", "GetEventSelectors",
               lambda: ctx.call("cloudtrail", "get_event_selectors", TrailName=arn), resource=arn)
    return {**t, "status": status, "selectors": sel}


def reads_trail_here(ctx: ScanContext, trail: dict[str, Any]) -> bool:
    """Each trail is read once: in its home region, or (home region not scanned) in the scan's home region.

    Shadow copies must be listed: without them a member account does not see the
    organization trail that records its activity and would wrongly look unaudited.
    """
    home = trail.get("HomeRegion") or ctx.region
    return home == ctx.region or (home not in ctx.regions and ctx.region == ctx.home_region)


@collector("cloudtrail.trails", "cloudtrail", reads="cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus, "
                                                    "cloudtrail:GetEventSelectors")
def collect_trails(ctx: ScanContext) -> Records:
    gaps = ctx.records()
    raw: Iterable[dict[str, Any]] = ctx.call("cloudtrail", "describe_trails",
                                             includeShadowTrails=True).get("trailList") or []
    trails = [_trail_details(ctx, gaps, t) for t in raw if reads_trail_here(ctx, t)]
    return transform_trails(ctx, trails).extend(gaps)

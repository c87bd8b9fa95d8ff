"""Logging, detection and monitoring rules: CloudTrail, KMS rotation, GuardDuty, Config, logs, alarms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner import naming, status
from scanner.analysis.exposure import as_id, as_strs
from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import count_of, judged_each
from scanner.context import account_id_node

TRAILS = ("cloudtrail:DescribeTrails",)
ALARMS = ("cloudwatch:DescribeAlarms",)


@rule("LOG-001", "No multi-region CloudTrail trail is logging", severity="high", section="12.2",
      category="security", needs=TRAILS,
      remediation="Create one multi-region trail (or an organization trail) with management events, "
                  "log file validation and a KMS key, delivering to a locked-down S3 bucket.")
def no_multi_region_trail(ctx: RuleContext) -> Iterator[Hit]:
    regions = ctx.regions()
    if not regions or not all(ctx.ran_ok(TRAILS[0], r) for r in regions):
        return  # a region whose trails could not be read may hold the multi-region trail
    trails = ctx.nodes("cloudtrail:trail")
    acct = account_id_node(str(ctx.inv.meta.get("account", "")))
    multi = [(t, ctx.fact(t, "logging")) for t in trails if t["props"].get("multi_region")]
    if any(f is not None and f.yes for _, f in multi):
        return
    unknown = [f for _, f in multi if f is not None and f.unknown]
    if unknown:  # a multi-region trail whose logging status could not be read may be the one
        yield Hit([acct], [], region=regions[0], unknown=unknown[0].why or "trail status not read")
        return
    desc = ", ".join(f"{naming.node_name(t)} (multi-region {t['props'].get('multi_region')}, logging "
                     f"{_logging_word(ctx, t)})" for t in trails) or "no trails at all"
    yield Hit([acct], [f"trails found: {desc}"], region=regions[0])


def _logging_word(ctx: RuleContext, trail: dict[str, Any]) -> str:
    f = ctx.fact(trail, "logging")
    return "unknown" if f is None or f.unknown else ("True" if f.yes else "False")


@rule("LOG-002", "CloudTrail trail is not logging", severity="high", section="12.2", category="security",
      needs=("cloudtrail:GetTrailStatus",),
      remediation="Start logging (cloudtrail start-logging --name <trail>) and alarm on StopLogging events.")
def trail_not_logging(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("cloudtrail:trail"), "logging", "no",
                           lambda t: f"trail {naming.node_label(t)} IsLogging=false")


@rule("LOG-003", "CloudTrail log file validation is off", severity="medium", section="12.2",
      category="security", needs=TRAILS,
      remediation="Enable log file validation (update-trail --enable-log-file-validation) so tampering "
                  "with delivered logs can be detected.")
def trail_validation(ctx: RuleContext) -> Iterator[Hit]:
    for t in ctx.nodes("cloudtrail:trail"):
        if t["props"].get("log_validation") is False:
            yield Hit([t["id"]], [f"trail {naming.node_label(t)} LogFileValidationEnabled=false"])


@rule("LOG-004", "Customer managed KMS key without automatic rotation", severity="medium", section="5.3",
      category="security", needs=("kms:ListKeys", "kms:GetKeyRotationStatus"),
      remediation="Enable automatic key rotation (kms enable-key-rotation), yearly or at a shorter "
                  "rotation period.")
def kms_rotation(ctx: RuleContext) -> Iterator[Hit]:
    for k in ctx.nodes("kms:key"):
        p = k["props"]
        if str(p.get("manager") or "").upper() != "CUSTOMER" or str(p.get("state") or "Enabled") != "Enabled":
            continue
        if p.get("key_spec") not in (None, "SYMMETRIC_DEFAULT") or p.get("origin") not in (None, "AWS_KMS"):
            continue
        hit = ctx.judged(k, "rotation", "no", f"key {naming.node_label(k)} KeyRotationEnabled=false")
        if hit:
            yield hit


def _region_rule(ctx: RuleContext, action: str, kind: str, fact: str, what: str) -> Iterator[Hit]:
    """One hit per scanned region where the service was read and the region's judged guard fact
    (scanner/judge/guards.py) is "no"; "not assessed" where that fact is unknown."""
    by_region: dict[str, list[dict[str, Any]]] = {}
    for n in ctx.nodes(kind):
        by_region.setdefault(str(n.get("region")), []).append(n)
    for region in ctx.regions():
        if not ctx.ran_ok(action, region):
            continue  # denied or failed: the engine says "not assessed"; unavailable: nothing to judge
        found = by_region.get(region, [])
        state = "; ".join(f"{naming.node_label(n)} {_state_word(ctx, n)}" for n in found)
        hit = _judged_region(ctx, region, fact, what, state)
        if hit:
            yield hit


def _judged_region(ctx: RuleContext, region: str, fact: str, what: str, state: str) -> Hit | None:
    f = ctx.region_fact(region, fact)
    if f is None:
        return None
    if f.unknown:
        return Hit([ctx.region_node(region)], [], region=region, unknown=f.why or f"{fact} not read")
    if f.no:
        return Hit([ctx.region_node(region)], [f"{what} in {region}" + (f" ({state})" if state else "")],
                   region=region)
    return None


def _state_word(ctx: RuleContext, n: dict[str, Any]) -> str:
    """How a detector/recorder/hub stands, for the evidence (the judged fact where there is one)."""
    p = n["props"]
    if n.get("kind") == "config:recorder":
        f = ctx.fact(n, "recording")
        return "unknown" if f is None or f.unknown else ("True" if f.yes else "False")
    return str(p.get("status") or p.get("enabled"))


@rule("LOG-005", "GuardDuty not enabled in a region", severity="medium", section="5.4", category="security",
      needs=("guardduty:ListDetectors",),
      remediation="Enable GuardDuty in every region (delegate administration to a security account in an "
                  "organization) so threats such as credential exfiltration are detected.")
def guardduty(ctx: RuleContext) -> Iterator[Hit]:
    yield from _region_rule(ctx, "guardduty:ListDetectors", "guardduty:detector", "guardduty",
                            "no enabled GuardDuty detector")


@rule("LOG-006", "AWS Config not recording in a region", severity="medium", section="5.4", category="security",
      needs=("config:DescribeConfigurationRecorders",),
      remediation="Turn on an AWS Config recorder for all resource types in every region, delivering to a "
                  "central bucket, so configuration history exists for audits and incidents.")
def config_recorder(ctx: RuleContext) -> Iterator[Hit]:
    yield from _region_rule(ctx, "config:DescribeConfigurationRecorders", "config:recorder", "config",
                            "no recording AWS Config recorder")


@rule("LOG-007", "Log group keeps logs forever (no retention)", severity="low", section="12.2",
      category="cost", needs=("logs:DescribeLogGroups",),
      remediation="Set a retention period that matches your policy (e.g. 30-400 days) with "
                  "put-retention-policy; export to S3 for longer archival.")
def log_retention(ctx: RuleContext) -> Iterator[Hit]:
    for g in ctx.nodes("logs:log-group"):
        if g["props"].get("retention_days") is None:
            size = g["props"].get("stored_bytes")
            yield Hit([g["id"]], [f"log group {g['props'].get('name') or naming.node_label(g)} retention: never expire"
                                  + (f", {size} bytes stored" if size is not None else "")])


def _alarmed(ctx: RuleContext) -> set[str]:
    return {dst for src, dst, _ in ctx.inv.edges("monitors")
            if (ctx.inv.node(src) or {}).get("kind") == "cloudwatch:alarm"}


def _dimension_values(ctx: RuleContext) -> set[str]:
    vals: set[str] = set()
    for a in ctx.nodes("cloudwatch:alarm"):
        dims = a["props"].get("dimensions") or {}
        if isinstance(dims, dict):
            vals.update(str(v) for v in dims.values())
    return vals


@rule("LOG-008", "Load balancer without CloudWatch alarms", severity="medium", section="12.1",
      category="operations", needs=(*ALARMS, "elasticloadbalancing:DescribeLoadBalancers"),
      remediation="Alarm on the load balancer's 5XX count, target response time and unhealthy host count, "
                  "notifying the on-call SNS topic.")
def lb_alarms(ctx: RuleContext) -> Iterator[Hit]:
    alarmed, dims = _alarmed(ctx), _dimension_values(ctx)
    for lb in ctx.nodes("elbv2:load-balancer", "elb:load-balancer"):
        suffix = lb["id"].split(":loadbalancer/", 1)[-1]
        if lb["id"] in alarmed or suffix in dims or as_id(lb.get("name")) in dims:
            continue
        yield Hit([lb["id"]], [f"no CloudWatch alarm watches {naming.node_label(lb)}"])


@rule("LOG-009", "Database without CloudWatch alarms", severity="medium", section="12.1",
      category="operations", needs=(*ALARMS, "rds:DescribeDBInstances"),
      remediation="Alarm on CPUUtilization, FreeStorageSpace, FreeableMemory and DatabaseConnections of "
                  "every production database, notifying the on-call SNS topic.")
def db_alarms(ctx: RuleContext) -> Iterator[Hit]:
    alarmed, dims = _alarmed(ctx), _dimension_values(ctx)
    for db in [*ctx.nodes("rds:instance"), *ctx.nodes("rds:cluster")]:
        if db["props"].get("cluster_id"):
            continue  # judged at cluster level
        if db["id"] in alarmed or as_id(db["props"].get("identifier")) in dims:
            continue
        yield Hit([db["id"]], [f"no CloudWatch alarm watches {naming.node_label(db)}"])


@rule("LOG-010", "Security Hub not enabled in a region", severity="low", section="5.4", category="security",
      needs=("securityhub:DescribeHub",),
      remediation="Enable Security Hub with the AWS Foundational Security Best Practices standard to "
                  "track these controls continuously.")
def security_hub(ctx: RuleContext) -> Iterator[Hit]:
    yield from _region_rule(ctx, "securityhub:DescribeHub", "securityhub:hub", "securityhub",
                            "Security Hub is not enabled")


@rule("LOG-011", "Alarm without notification actions", severity="low", section="12.1",
      category="operations", needs=ALARMS,
      remediation="Add an SNS topic (or incident tool) to the alarm's AlarmActions, and keep actions "
                  "enabled, so that someone is told when it fires.")
def alarm_actions(ctx: RuleContext) -> Iterator[Hit]:
    # alarms that gate CodeDeploy deployments act through the rollback, not through notifications
    gating = {str(n) for g in ctx.nodes("codedeploy:deployment-group") for n in as_strs(g["props"].get("alarms"))}
    for a in ctx.nodes("cloudwatch:alarm"):
        p = a["props"]
        if a.get("name") in gating or ctx.inv.out(a["id"], "monitors", "codedeploy:deployment-group"):
            continue
        if p.get("actions_enabled") is False or p.get("alarm_actions") == []:
            # whether a deployment group is gated by it is known only if CodeDeploy was read there
            blind = status.unread(ctx.inv.meta, a.get("region"), "codedeploy:ListApplications",
                                  "codedeploy:ListDeploymentGroups", "codedeploy:BatchGetDeploymentGroups",
                                  "codedeploy:GetDeploymentGroup", "codedeploy:BatchGetApplications") \
                or next((f"{r.get('collector')} {r.get('status')}" for r in status.blocked_runs(
                    ctx.inv.meta.get("runs", []), collectors=("codedeploy.applications",), region=a.get("region"))), "")
            if blind:
                yield Hit([a["id"]], [], unknown=f"whether a CodeDeploy deployment group acts on it is unknown ({blind})")
                continue
            yield Hit([a["id"]], [f"alarm {naming.node_label(a)} notifies nobody (actions enabled "
                                  f"{p.get('actions_enabled')}, {count_of(len(as_strs(p.get('alarm_actions'))), 'action')})"])

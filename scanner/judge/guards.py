"""The account's guards: detective services per region, the root user, key rotation, MFA."""

from __future__ import annotations

from typing import Any

from scanner import status
from scanner.fact import Fact, no, unknown, yes
from scanner.judge import judge
from scanner.judge.context import JudgeContext


def _regional(ctx: JudgeContext, kind: str, region: str) -> list[dict[str, Any]]:
    idx = ctx.memo(f"by_region:{kind}", lambda: _index(ctx, kind))
    return idx.get(region, [])


def _index(ctx: JudgeContext, kind: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for n in ctx.inv.nodes(kind):
        out.setdefault(n["region"], []).append(n)
    return out


def _service_fact(ctx: JudgeContext, region: str, services: tuple[str, ...], collectors: tuple[str, ...],
                  present: Fact) -> Fact:
    """A region-wide fact: unknown when its collector could not read, else what was found."""
    state, why = ctx.run_state(services, region, collectors)
    if state == "blocked":
        return unknown(why)
    if state == "absent":
        return unknown(why)
    if state == "unavailable" and not present.yes:
        return no(f"not available here ({why})")
    return present


@judge("aws:region", "guardduty", "guardduty:ListDetectors", "guardduty:GetDetector")
def guardduty_on(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """GuardDuty has an enabled detector in the region."""
    dets = _regional(ctx, "guardduty:detector", node["region"])
    statuses = [d["props"].get("status") for d in dets]
    if "ENABLED" in statuses:
        found = yes("detector enabled")
    elif None in statuses:
        found = ctx.unknown(dets[statuses.index(None)], "guardduty:GetDetector")
    else:
        found = no("detector suspended") if dets else no("no detector")
    return _service_fact(ctx, node["region"], ("guardduty",), (), found)


@judge("config:recorder", "recording", "config:DescribeConfigurationRecorderStatus")
def recorder_recording(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The Config recorder is recording."""
    return ctx.flag(node, "recording", "recording", "recorder stopped")


@judge("aws:region", "config", "config:DescribeConfigurationRecorders",
       "config:DescribeConfigurationRecorderStatus")
def config_on(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """AWS Config records in the region."""
    recs = _regional(ctx, "config:recorder", node["region"])
    facts = [Fact.from_dict((r.get("facts") or {}).get("recording")) if r.get("facts") else
             recorder_recording(ctx, r) for r in recs]
    if any(f.yes for f in facts):
        found = yes("recorder recording")
    elif any(f.unknown for f in facts):
        found = next(f for f in facts if f.unknown)
    else:
        found = no("recorder stopped") if recs else no("no recorder")
    return _service_fact(ctx, node["region"], ("config",), (), found)


@judge("aws:region", "securityhub", "securityhub:DescribeHub")
def securityhub_on(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """Security Hub is enabled in the region."""
    hubs = _regional(ctx, "securityhub:hub", node["region"])
    states = [h["props"].get("enabled") for h in hubs]
    if True in states:
        found = yes("enabled")
    elif None in states:
        found = ctx.unknown(hubs[states.index(None)])
    else:
        found = no("not enabled")
    return _service_fact(ctx, node["region"], ("securityhub",), (), found)


@judge("aws:region", "access_analyzer", "access-analyzer:ListAnalyzers")
def access_analyzer_on(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """IAM Access Analyzer has an active analyzer in the region."""
    found_nodes = _regional(ctx, "iam:access-analyzer", node["region"])
    states = [a["props"].get("status") for a in found_nodes]
    found = yes("analyzer active") if "ACTIVE" in states else (no("analyzer not active") if states
                                                               else no("no analyzer"))
    return _service_fact(ctx, node["region"], ("accessanalyzer",), (), found)


@judge("cloudtrail:trail", "logging", "cloudtrail:GetTrailStatus")
def trail_logging(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The trail is logging."""
    return ctx.flag(node, "is_logging", "logging", "logging stopped")


@judge("aws:region", "cloudtrail", "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus")
def cloudtrail_on(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """A logging trail records this region's API activity."""
    region = node["region"]
    trails = [t for t in ctx.inv.nodes("cloudtrail:trail")
              if t["props"].get("multi_region") or (t["props"].get("home_region") or t["region"]) == region]
    facts = [trail_logging(ctx, t) for t in trails]
    if any(f.yes for f in facts):
        found = yes("trail " + next(t["name"] for t, f in zip(trails, facts, strict=True) if f.yes))
    elif any(f.unknown for f in facts):
        found = next(f for f in facts if f.unknown)
    else:
        found = no("trail not logging") if trails else no("no trail")
    # trails are listed from every region (shadow trails included): a home-region denial hides them all
    state, why = ctx.run_state(("cloudtrail",), region)
    if state == "blocked" and not found.yes:
        return unknown(why)
    return found


@judge("kms:key", "rotation", "kms:GetKeyRotationStatus")
def key_rotation(ctx: JudgeContext, node: dict[str, Any]) -> Fact | None:
    """Automatic rotation is on (customer managed symmetric keys only; otherwise not applicable)."""
    p = node["props"]
    if p.get("manager") == "AWS":
        return None
    if p.get("key_spec") not in (None, "SYMMETRIC_DEFAULT") or p.get("state") in ("PendingDeletion", "Disabled"):
        return None
    return ctx.flag(node, "rotation_enabled", "rotates yearly", "rotation off")


@judge("iam:user", "mfa", "iam:GenerateCredentialReport", "iam:GetCredentialReport")
def user_mfa(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The user has an MFA device."""
    v = node["props"].get("mfa_active")
    if v is None:
        return _report_unknown(ctx, node)
    return yes("MFA active") if v else no("no MFA device")


def _report_unknown(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    runs = [r for r in ctx.runs if r.get("collector") == "iam.credential_report"]
    bad = [r for r in runs if r.get("status") != status.OK]
    if bad:
        r = bad[0]
        return unknown(f"{r.get('action') or 'iam:GetCredentialReport'}: {r.get('message') or r.get('status')}")
    if not runs:
        return unknown("the IAM credential report was not read")
    return ctx.unknown(node, "iam:GetCredentialReport")


def _root(ctx: JudgeContext) -> dict[str, Any] | None:
    roots = ctx.memo("root", lambda: ctx.inv.nodes("iam:root"))
    return roots[0] if roots else None


def _root_fact(ctx: JudgeContext, node: dict[str, Any], prop: str, yes_text: str, no_text: str) -> Fact:
    root = _root(ctx)
    if root is None:
        runs = [r for r in ctx.runs if r.get("collector") == "iam.credential_report"]
        if runs and all(r.get("status") == status.OK for r in runs):
            return unknown("the IAM credential report has no root account row")
        return _report_unknown(ctx, node)
    v = root["props"].get(prop)
    if v is None:
        return unknown("the credential report's root row does not say")
    return yes(yes_text) if v else no(no_text)


@judge("aws:account", "root_mfa", "iam:GetCredentialReport")
def root_mfa(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The root user has MFA."""
    return _root_fact(ctx, node, "mfa_active", "root MFA active", "root user has no MFA")


@judge("aws:account", "root_access_keys", "iam:GetCredentialReport")
def root_keys(ctx: JudgeContext, node: dict[str, Any]) -> Fact:
    """The root user has active access keys (yes is the risk)."""
    return _root_fact(ctx, node, "access_keys_active", "root user has active access keys",
                      "no active root access keys")

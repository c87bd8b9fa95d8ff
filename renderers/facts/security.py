"""Facts for section 5.1 (IAM), and the one name templates use for all of section 5's facts.

Data protection (5.3) lives in facts/data_protection.py, monitoring (5.4) in facts/monitoring.py,
what uses each security group (5.2) in facts/security_groups.py; their functions are re-exported
here, so ``facts.security.<name>`` keeps working for the templates and callers.

Pure functions of the Inventory; the 5.x templates only lay out the rows these
return. Every judged property (encrypted, rotation, MFA, root MFA and keys, trail
logging, the guard services per region) is the fact stored at scan time by
scanner/judge/, so 5.3 agrees with 4.x and 5.4 with 12.3 and 11.1; a kind with an
``encrypted`` judge shows up in 5.3 without touching this module.
"""

from __future__ import annotations

from typing import Any

from renderers.document import fact_text
from renderers.facts.storage import counts, fact_cell, read_cell
from scanner import status
from scanner.fact import Fact
from scanner.inventory import Inventory

IAM_SERVICES = ("iam", "accessanalyzer")
DATA_SERVICES = ("kms", "acm", "secretsmanager", "ssm")
MONITORING_SERVICES = ("cloudtrail", "guardduty", "config", "securityhub", "accessanalyzer", "wafv2")

# --- 5.1 IAM ---------------------------------------------------------------------

def iam_counts(inv: Inventory) -> dict[str, int]:
    roles = inv.nodes("iam:role")
    policies = inv.nodes("iam:policy")
    return {"users": len(inv.nodes("iam:user")), "groups": len(inv.nodes("iam:group")),
            "roles": len(roles), "service_linked_roles": sum(1 for r in roles if r["props"].get("service_linked")),
            "customer_policies": sum(1 for p in policies if not p["props"].get("aws_managed")),
            "aws_policies_attached": sum(1 for p in policies if p["props"].get("aws_managed")),
            "instance_profiles": len(inv.nodes("iam:instance-profile"))}


def root_account(inv: Inventory) -> dict[str, Any] | None:
    roots = inv.nodes("iam:root")
    return roots[0]["props"] if roots else None


def root_facts(inv: Inventory) -> dict[str, Any]:
    """The root user's MFA and active access keys as stored account facts (5.1 and 12.3 read these),
    and when its password was last used (from the credential report row, when there is one)."""
    mfa, keys = inv.account_fact("root_mfa"), inv.account_fact("root_access_keys")
    root = root_account(inv) or {}
    both_unknown = bool(mfa and keys and mfa.unknown and keys.unknown)
    return {"mfa": mfa, "keys": keys, "mfa_text": fact_text(mfa, na="not known"),
            "keys_text": fact_text(keys, na="not known"),
            "unknown": both_unknown or (mfa is None and keys is None),
            "password_last_used": root.get("password_last_used") if root else None, "row": bool(root)}


def root_unknown_reason(inv: Inventory) -> str:
    """Why the root user's MFA and keys are not known: report unreadable, or it had no root row."""
    runs = [r for r in inv.meta.get("runs", []) if r.get("collector") == "iam.credential_report"]
    if runs and all(r.get("status") == status.OK for r in runs):
        return "The credential report had no root account row, so root MFA and access keys are not known."
    return "The root user's MFA and access keys are not known: the IAM credential report could not be read."


def _key_text(k: dict[str, Any]) -> str:
    state = "active" if k.get("active") else "inactive"
    age = f", {k['age_days']} days old" if k.get("age_days") is not None else ""
    used = f", last used {_date(k.get('last_used'))}" if k.get("last_used") else ", never used"
    return f"key {k.get('slot', '?')}: {state}{age}{used}"


def _last_activity(p: dict[str, Any]) -> str | None:
    dates = [p.get("password_last_used")] + [k.get("last_used") for k in p.get("access_keys") or []]
    dates = [d for d in dates if d]
    return _date(max(dates)) if dates else None


def user_rows(inv: Inventory) -> list[list[Any]]:
    """Per user: console access, MFA, access keys with age, last activity, groups."""
    rows = []
    for u in inv.nodes("iam:user"):
        p = u["props"]
        keys = p.get("access_keys")
        unread = _report_gap(inv, u)
        rows.append([u["name"], p.get("password_enabled") if p.get("password_enabled") is not None else unread,
                     fact_cell(inv, u["id"], "mfa"),
                     "; ".join(_key_text(k) for k in keys) if keys else ("none" if keys == [] else unread),
                     _last_activity(p) or ("never" if p.get("password_enabled") is not None else unread),
                     read_cell(inv, u, p.get("groups"), "iam:GetAccountAuthorizationDetails", empty="-")])
    return rows


def _report_gap(inv: Inventory, user: dict[str, Any]) -> str:
    """"unknown (why)" for a credential-report column of a user the report did not cover (the
    reason the ``mfa`` fact gives, which rests on the same report)."""
    f = inv.fact(user["id"], "mfa")
    return f.text() if f is not None and f.unknown else "unknown"


#: access keys older than this (days) are called out; the CIS benchmark asks for 90-day rotation
KEY_ROTATION_DAYS = 90


def user_summary(inv: Inventory) -> dict[str, int]:
    """Counts behind the users table: console users without MFA, old and idle access keys."""
    nodes = inv.nodes("iam:user")
    users = [u["props"] for u in nodes]
    keys = [k for p in users for k in p.get("access_keys") or [] if k.get("active")]
    mfa = counts(inv, [u for u in nodes if u["props"].get("password_enabled")], "mfa")
    return {"users": len(users),
            "report_unknown": sum(1 for p in users if p.get("password_enabled") is None),
            "console": sum(1 for p in users if p.get("password_enabled")),
            "console_without_mfa": mfa["no"], "console_mfa_unknown": mfa["unknown"],
            "active_keys": len(keys),
            "old_keys": sum(1 for k in keys if (k.get("age_days") or 0) > KEY_ROTATION_DAYS),
            "idle_keys": sum(1 for k in keys if (k.get("unused_days") or 0) > KEY_ROTATION_DAYS)}


def trust_text(t: dict[str, Any], account: str | None = None) -> str:
    """One trusted principal in words: ``service ec2.amazonaws.com``, ``account 210987654321 (external id)``."""
    ptype, principal = t.get("principal_type"), str(t.get("principal"))
    if ptype == "*":
        text = "anyone (*)"
    elif ptype == "Service":
        text = f"service {principal}"
    elif ptype == "Federated":
        text = f"federated {principal.rsplit('/', 1)[-1] if principal.startswith('arn:') else principal}"
    elif ptype == "AWS":
        acct = principal.split(":")[4] if principal.startswith("arn:") and principal.count(":") >= 5 else principal
        if principal.endswith(":root") or principal.isdigit():
            text = "this account" if acct == account else f"account {acct}"
        else:
            where = "" if acct == account else f" in account {acct}"
            text = f"{principal.rsplit(':', 1)[-1]}{where}"
    else:
        text = f"{ptype} {principal}"
    if t.get("external_id"):
        text += " (external id required)"
    elif t.get("conditions"):
        text += " (with conditions)"
    return text


def role_last_used_known(inv: Inventory) -> bool:
    """Whether any role reports a last-used date (else the column would say "never" on every row)."""
    return any(r["props"].get("last_used") for r in inv.nodes("iam:role"))


def role_rows(inv: Inventory, include_service_linked: bool = False, last_used: bool = True) -> list[list[Any]]:
    """Per role: trusted principals, attached and inline policies, last used (when ``last_used``)."""
    account = inv.meta.get("account")
    rows = []
    for r in inv.nodes("iam:role"):
        p = r["props"]
        if p.get("service_linked") and not include_service_linked:
            continue
        trusted = "; ".join(dict.fromkeys(trust_text(t, account) for t in p.get("trust") or [])) or "nobody"
        policies = list(p.get("attached_policies") or []) + [
            f"{i.get('name')} (inline)" for i in p.get("inline_policies") or []]
        profile = bool(inv.into(r["id"], "uses_role", "iam:instance-profile"))
        row = [r["name"], trusted, ", ".join(policies) or "none", "yes" if profile else "no"]
        if last_used:
            row.append(_date(p.get("last_used")) or "never / unknown")
        rows.append(row)
    return rows


def cross_account_roles(inv: Inventory) -> list[list[Any]]:
    """Roles another account (or anyone) can assume: the trust a reviewer must check first."""
    account = inv.meta.get("account")
    rows = []
    for r in inv.nodes("iam:role"):
        for t in r["props"].get("trust") or []:
            if t.get("principal_type") == "*":
                rows.append([r["name"], "anyone (*)", t.get("external_id"), t.get("conditions")])
            elif t.get("principal_type") == "AWS":
                p = str(t.get("principal"))
                acct = p if p.isdigit() else (p.split(":")[4] if p.count(":") >= 5 else None)
                if acct and acct != account:
                    rows.append([r["name"], trust_text(t, account).split(" (")[0], t.get("external_id"),
                                 t.get("conditions")])
    return rows


def admin_policy_rows(inv: Inventory) -> list[list[Any]]:
    """Policies that allow every action on every resource, managed or inline, and who holds them."""
    rows = []
    for pol in inv.nodes("iam:policy"):
        if pol["props"].get("admin_like"):
            holders = [h["name"] for h in inv.into(pol["id"], "has_policy")]
            kind = "AWS managed" if pol["props"].get("aws_managed") else "customer managed"
            rows.append([pol["name"], kind, ", ".join(holders) or "not attached"])
    for kind in ("iam:user", "iam:group", "iam:role"):
        for n in inv.nodes(kind):
            for i in n["props"].get("inline_policies") or []:
                if i.get("admin_like"):
                    rows.append([i.get("name"), f"inline on {kind.split(':')[1]}", n["name"]])
    return rows


def customer_policy_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for pol in inv.nodes("iam:policy"):
        p = pol["props"]
        if p.get("aws_managed"):
            continue
        holders = [h["name"] for h in inv.into(pol["id"], "has_policy")]
        rows.append([pol["name"], len(p.get("statements") or []), p.get("wildcard_statements"),
                     p.get("admin_like"), ", ".join(holders) or "not attached"])
    return rows


def password_policy(inv: Inventory) -> dict[str, Any] | None:
    pols = inv.nodes("iam:password-policy")
    return pols[0]["props"] if pols else None


def password_policy_text(p: dict[str, Any]) -> str:
    parts = [f"minimum length {p.get('min_length')}"]
    kinds = [w for k, w in (("require_upper", "upper case"), ("require_lower", "lower case"),
                            ("require_numbers", "numbers"), ("require_symbols", "symbols")) if p.get(k)]
    parts.append(f"requires {', '.join(kinds)}" if kinds else "no character classes required")
    parts.append(f"expires after {p['max_age']} days" if p.get("max_age") else "no expiry")
    parts.append(f"prevents reuse of the last {p['reuse_prevention']}" if p.get("reuse_prevention")
                 else "no reuse prevention")
    return "; ".join(parts)


def unread_reason(inv: Inventory, service: str) -> str | None:
    """Why a service could not be listed in any scanned region (None when at least one read worked).

    ``h.nothing`` only knows denied and failed reads; an API the endpoint does not offer
    ("unavailable") must not read as "none were found" either."""
    runs = [r for r in inv.meta.get("runs", []) if r.get("service") == service]
    if not runs or any(r.get("status") == status.OK for r in runs):
        return None
    first = runs[0].get("status")
    return {status.DENIED: "access was denied", status.UNAVAILABLE: "the API is not available from this endpoint",
            status.REGION_DISABLED: "the regions are disabled"}.get(str(first), "the read failed")


def _analyzer_facts(inv: Inventory) -> list[Fact]:
    return [f for r in inv.regions if (f := inv.region_fact(r, "access_analyzer")) is not None]


def analyzer_unknown(inv: Inventory) -> str | None:
    """Why IAM Access Analyzer could not be read (the stored region fact 5.4 shows), when no analyzer
    was listed and some region's fact is unknown."""
    if inv.nodes("iam:access-analyzer"):
        return None
    gone = [f for f in _analyzer_facts(inv) if f.unknown]
    return gone[0].why or "not read" if gone else None


def analyzer_unavailable(inv: Inventory) -> str | None:
    """"not available here (why)" when the service is not offered in any scanned region."""
    fs = _analyzer_facts(inv)
    if fs and all(f.no and f.why.startswith("not available here") for f in fs) and not inv.nodes("iam:access-analyzer"):
        return fs[0].why
    return None


def analyzer_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for a in inv.nodes("iam:access-analyzer"):
        p = a["props"]
        findings = p.get("findings_active")
        rows.append([a["region"], a["name"], p.get("type"), p.get("status"),
                     "1000+" if findings is not None and findings >= 1000 else findings])
    return rows


# --- re-exported from the modules 5.2, 5.3 and 5.4 are split into ----------------------------
from renderers.facts.data_protection import (  # noqa: E402,F401
    _date,
    _key_aliases,
    _key_label,
    _words,
    at_rest_rows,
    at_rest_summary,
    aws_managed_keys,
    certificate_rows,
    certificate_summary,
    encryption_unknown_rows,
    in_transit_rows,
    key_users,
    kms_rows,
    parameter_gaps,
    parameter_summary,
    secret_rows,
    secure_parameter_rows,
    unencrypted_rows,
)
from renderers.facts.monitoring import (  # noqa: E402,F401
    GUARDS,
    config_rule_rows,
    detector_rows,
    guard_cell,
    service_matrix,
    trail_coverage,
    trail_rows,
    web_acl_rows,
)
from renderers.facts.security_groups import security_group_rows, sg_users, used_by_text  # noqa: E402,F401

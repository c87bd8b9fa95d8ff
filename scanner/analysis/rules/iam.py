"""Identity rules: root account, MFA, access keys, admin policies, role trust."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner import naming
from scanner.analysis.exposure import _int, as_dicts, as_strs
from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import count_of
from scanner.context import account_id_node

CREDS = ("iam:GetCredentialReport",)
AUTH = ("iam:GetAccountAuthorizationDetails",)
KEY_MAX_AGE = 90
KEY_MAX_UNUSED = 90


@rule("IAM-001", "Root account has active access keys", severity="critical", section="5.1",
      category="security", needs=CREDS,
      remediation="Delete the root user's access keys (IAM console, signed in as root -> Security "
                  "credentials) and use IAM roles for programmatic access.")
def root_keys(ctx: RuleContext) -> Iterator[Hit]:
    f = ctx.account_fact("root_access_keys")
    root = _root(ctx)
    where = [root["id"] if root else account_id_node(str(ctx.inv.meta.get("account", "")))]
    if f is None:
        return
    if f.unknown:  # no root row, or the report could not be read: not a pass
        yield Hit(where, [], unknown=f.why or "root access keys not read")
    elif f.yes and root:
        n = len([k for k in as_dicts(root["props"].get("access_keys")) if k.get("active")])
        keys = count_of(n, "active access key") if n else "an active access key"
        yield Hit(where, [f"root account has {keys}"])


def _root(ctx: RuleContext) -> dict[str, Any] | None:
    roots = ctx.nodes("iam:root")
    return roots[0] if roots else None


@rule("IAM-002", "Root account without MFA", severity="critical", section="5.1", category="security",
      needs=CREDS,
      remediation="Enable MFA on the root user (a hardware key or passkey for production accounts) and "
                  "store the recovery material offline.")
def root_mfa(ctx: RuleContext) -> Iterator[Hit]:
    f = ctx.account_fact("root_mfa")
    root = _root(ctx)
    where = [root["id"] if root else account_id_node(str(ctx.inv.meta.get("account", "")))]
    if f is None:
        return
    if f.unknown:
        yield Hit(where, [], unknown=f.why or "root MFA not read")
    elif f.no:
        yield Hit(where, ["root account mfa_active=false in the credential report"])


@rule("IAM-003", "Console user without MFA", severity="high", section="5.1", category="security",
      needs=CREDS,
      remediation="Require MFA for every user with a console password (enforce with an IAM policy that "
                  "denies actions without aws:MultiFactorAuthPresent), or move people to IAM Identity Center.")
def user_mfa(ctx: RuleContext) -> Iterator[Hit]:
    for u in ctx.nodes("iam:user"):
        p = u["props"]
        if p.get("password_enabled"):
            used = p.get("password_last_used") or "never"
            hit = ctx.judged(u, "mfa", "no", f"user {p.get('user_name') or naming.node_label(u)} has a console "
                                             f"password (last used {used}) and no MFA device")
            if hit:
                yield hit


def _keys(u: dict[str, Any]) -> list[dict[str, Any]]:
    return [k for k in as_dicts(u["props"].get("access_keys")) if k.get("active")]


def _key_name(k: dict[str, Any]) -> str:
    return f"key {k.get('slot') or k.get('id_suffix') or ''}".strip()


@rule("IAM-004", "Access key older than 90 days", severity="medium", section="5.1", category="security",
      needs=CREDS,
      remediation="Rotate the key: create a second key, switch the application, deactivate and delete "
                  "the old one; prefer roles (instance profiles, IRSA, Identity Center) to long-lived keys.")
def key_age(ctx: RuleContext) -> Iterator[Hit]:
    for u in ctx.nodes("iam:user"):
        old = [k for k in _keys(u) if (k.get("age_days") or 0) > KEY_MAX_AGE]
        if old:
            yield Hit([u["id"]], [f"user {u['props'].get('user_name') or naming.node_label(u)} {_key_name(k)} created "
                                  f"{k.get('created')} ({k.get('age_days')} days old)" for k in old])


@rule("IAM-005", "Access key unused for 90 days", severity="low", section="5.1", category="security",
      needs=CREDS,
      remediation="Deactivate and then delete access keys that have not been used for 90 days.")
def key_unused(ctx: RuleContext) -> Iterator[Hit]:
    for u in ctx.nodes("iam:user"):
        stale = [k for k in _keys(u) if (k.get("unused_days") or 0) > KEY_MAX_UNUSED]
        if stale:
            yield Hit([u["id"]], [f"user {u['props'].get('user_name') or naming.node_label(u)} {_key_name(k)} last used "
                                  f"{k.get('last_used') or 'never'} ({k.get('unused_days')} days)" for k in stale])


def _admin_statements(stmts: Any) -> list[dict[str, Any]]:
    out = []
    for s in as_dicts(stmts):
        if str(s.get("effect")).lower() != "allow" or s.get("not_action") or s.get("not_resource"):
            continue
        if {"*", "*:*"} & set(as_strs(s.get("actions"))) and "*" in as_strs(s.get("resources")):
            out.append(s)
    return out


@rule("IAM-006", "Policy allows Action * on Resource *", severity="high", section="5.1",
      category="security", needs=AUTH,
      remediation="Replace the statement with the actions and resources the principal needs (IAM Access "
                  "Analyzer can generate a policy from CloudTrail activity); keep full admin to a few "
                  "break-glass roles with MFA.")
def admin_policies(ctx: RuleContext) -> Iterator[Hit]:
    for p in ctx.nodes("iam:policy"):
        if p["props"].get("aws_managed"):
            continue
        stm = _admin_statements(p["props"].get("statements"))
        if stm:
            n = p["props"].get("attachment_count")
            attached = "attachments unknown" if n is None else f"attached {count_of(n, 'time')}"
            yield Hit([p["id"]], [f"customer managed policy {p['props'].get('policy_name') or naming.node_label(p)} "
                                  f"allows Action * on Resource * ({attached})"])
    for kind in ("iam:user", "iam:group", "iam:role"):
        for n in ctx.nodes(kind):
            if n["props"].get("service_linked"):
                continue
            for ip in as_dicts(n["props"].get("inline_policies")):
                if _admin_statements(ip.get("statements")):
                    yield Hit([n["id"]], [f"{kind.split(':')[1]} {naming.node_label(n)} inline policy {ip.get('name')} "
                                          "allows Action * on Resource *"])


@rule("IAM-007", "Role can be assumed by anyone (Principal *)", severity="critical", section="5.1",
      category="security", needs=AUTH,
      remediation="Replace Principal \"*\" in the trust policy with the specific accounts, roles or "
                  "services that need it, with conditions (sts:ExternalId, aws:PrincipalOrgID).")
def role_trust_anyone(ctx: RuleContext) -> Iterator[Hit]:
    for r in ctx.nodes("iam:role"):
        for t in as_dicts(r["props"].get("trust")):
            if t.get("principal_type") == "*" and not t.get("conditions"):
                yield Hit([r["id"]], [f"role {naming.node_label(r)} trust policy allows Principal * without conditions"])
                break


def _account_of(principal: str) -> str | None:
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit() else None


@rule("IAM-008", "Role trusts another account without an ExternalId", severity="high", section="5.1",
      category="security", needs=AUTH,
      remediation="Add a Condition with sts:ExternalId (for third parties) or aws:PrincipalOrgID (for "
                  "your organization) to the trust policy, and trust specific roles rather than :root.")
def role_trust_cross_account(ctx: RuleContext) -> Iterator[Hit]:
    acct = str(ctx.inv.meta.get("account", ""))
    for r in ctx.nodes("iam:role"):
        ev = []
        for t in as_dicts(r["props"].get("trust")):
            if t.get("principal_type") != "AWS" or t.get("external_id"):
                continue
            other = _account_of(str(t.get("principal") or ""))
            if other and other != acct:
                ev.append(f"role {naming.node_label(r)} trusts {t.get('principal')} (account {other}) without sts:ExternalId")
        if ev:
            yield Hit([r["id"]], ev)


@rule("IAM-009", "Weak or missing account password policy", severity="medium", section="5.1",
      category="security", needs=("iam:GetAccountPasswordPolicy",),
      remediation="Set a password policy: at least 14 characters, reuse prevention of 24, and require "
                  "MFA; better, move people to IAM Identity Center.")
def password_policy(ctx: RuleContext) -> Iterator[Hit]:
    for p in ctx.nodes("iam:password-policy"):
        pp = p["props"]
        if pp.get("present") is False:
            yield Hit([p["id"]], ["no account password policy is set (AWS defaults apply)"])
        elif pp.get("present") and (_int(pp.get("min_length")) or 0) < 14:
            yield Hit([p["id"]], [f"minimum password length {pp.get('min_length')} (< 14)"])


@rule("IAM-010", "Users with directly attached policies", severity="info", section="5.1",
      category="operations", needs=AUTH,
      remediation="Grant permissions through groups or roles rather than to individual users, so access "
                  "is reviewed in one place.")
def user_direct_policies(ctx: RuleContext) -> Iterator[Hit]:
    for u in ctx.nodes("iam:user"):
        direct = [*as_strs(u["props"].get("attached_policies")),
                  *[str(i.get("name")) for i in as_dicts(u["props"].get("inline_policies"))]]
        if direct:
            yield Hit([u["id"]], [f"user {naming.node_label(u)} has policies {', '.join(map(str, direct))}"])

"""Facts for the Cognito part of 5.1: user pools (MFA, threat protection) and identity pools (guests,
roles). MFA and guest access are the judged facts (scanner/judge/streams.py); an unread setting
reads ``unknown (why)``, never "off" or "none"."""

from __future__ import annotations

from typing import Any

from renderers.document import fact_text
from renderers.facts.storage import unread_why
from renderers.facts.streams import cell
from renderers.facts.streams import unseen as _unseen
from scanner import kinds, naming
from scanner.inventory import Inventory

POOL_KINDS = ("cognito:user-pool", "cognito:identity-pool")
USER_POOL = "cognito-idp:DescribeUserPool"
IDENTITY_POOL = "cognito-identity:DescribeIdentityPool"
POOL_ROLES = "cognito-identity:GetIdentityPoolRoles"

MFA_WORDS = {"ON": "required", "OPTIONAL": "optional (each user chooses)", "OFF": "off"}
ADVANCED_WORDS = {"OFF": "off", "AUDIT": "audit only", "ENFORCED": "enforced"}


def summary(inv: Inventory) -> dict[str, int]:
    return {"user_pools": len(inv.nodes("cognito:user-pool")),
            "identity_pools": len(inv.nodes("cognito:identity-pool"))}


def unseen(inv: Inventory) -> list[str]:
    """The pool kinds whose list could not be read somewhere, and why."""
    return _unseen(inv, *POOL_KINDS)


def overview(inv: Inventory) -> str:
    n = summary(inv)
    return f"{kinds.count('cognito:user-pool', n['user_pools'])} and " \
           f"{kinds.count('cognito:identity-pool', n['identity_pools'])}"


def _mfa_cell(inv: Inventory, pool: dict[str, Any]) -> str:
    f = inv.fact(pool["id"], "mfa")
    mfa = pool["props"].get("mfa")
    if f is None or f.unknown:
        return fact_text(f)
    return MFA_WORDS.get(str(mfa), str(mfa))


def _words(inv: Inventory, node: dict[str, Any], value: Any, words: dict[str, str], action: str) -> Any:
    if value is None:
        return cell(inv, node, None, action)
    return words.get(str(value), str(value))


def user_pool_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for u in inv.nodes("cognito:user-pool"):
        p = u["props"]
        protection = p.get("deletion_protection")
        rows.append([u["region"], u["name"], _mfa_cell(inv, u),
                     _words(inv, u, p.get("advanced_security"), ADVANCED_WORDS, USER_POOL),
                     cell(inv, u, p.get("users_estimated"), USER_POOL),
                     cell(inv, u, p.get("triggers"), USER_POOL),
                     cell(inv, u, None if protection is None else ("on" if protection else "off"), USER_POOL),
                     p.get("custom_domain") or p.get("domain") or "none"])
    return rows


def _role_cell(inv: Inventory, pool: dict[str, Any], key: str) -> str:
    p = pool["props"]
    if p.get(key):
        return naming.label(inv, p[key])
    if p.get("roles_read"):
        return "none"
    why = unread_why(inv, pool, POOL_ROLES)
    return f"unknown ({why or POOL_ROLES + ' not read'})"


def identity_pool_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for i in inv.nodes("cognito:identity-pool"):
        p = i["props"]
        providers = p.get("providers")
        rows.append([i["region"], i["name"], fact_text(inv.fact(i["id"], "unauthenticated"), yes="allowed", no="off"),
                     cell(inv, i, providers if providers or p.get("allow_unauthenticated") is not None else None,
                               IDENTITY_POOL),
                     _role_cell(inv, i, "auth_role"), _role_cell(inv, i, "unauth_role")])
    return rows

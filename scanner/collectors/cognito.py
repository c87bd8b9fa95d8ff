"""Cognito: user pools (MFA, advanced security, size, Lambda triggers) and identity pools
(guest access, the roles they hand out).

Only configuration is read. ``cognito-identity:GetId``, ``GetCredentialsForIdentity`` and
``GetOpenIdToken`` mint identities and AWS credentials; the guard refuses them and nothing
here names them. ``GetIdentityPoolRoles`` answers role ARNs and role-mapping rules only.
User pool clients are not described: ``DescribeUserPoolClient`` returns the client secret.

Get / transform split as in storage.py; transforms take recorded AWS-shaped answers in the tests.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.collectors.storage import opt_int, read_optional
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records

#: ListUserPools / ListIdentityPools require MaxResults; 60 is the most either allows
PAGE = 60


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def user_pool_arn(ctx: ScanContext, pool_id: str) -> str:
    """``arn:aws:cognito-idp:<region>:<acct>:userpool/<id>``; the id starts with its region."""
    region = pool_id.split("_", 1)[0] if "_" in pool_id else None
    return ctx.arn("cognito-idp", f"userpool/{pool_id}", region=region if region and "-" in region else None)


def _triggers(config: Any) -> list[tuple[str, str]]:
    """(trigger name, Lambda ARN) of a pool's LambdaConfig (plain ARNs and ``{LambdaArn}`` dicts)."""
    found = []
    for name, value in sorted(_dict(config).items()):
        arn = value if isinstance(value, str) else _dict(value).get("LambdaArn")
        if isinstance(arn, str) and arn.startswith("arn:") and ":lambda:" in arn:
            found.append((name, arn))
    return found


def transform_user_pools(ctx: ScanContext, pools: list[dict[str, Any]]) -> Records:
    """User pools: ListUserPools items, merged with DescribeUserPool's ``UserPool`` where that was read
    (a pool known only from the list has no MFA setting: unknown, with the gap's reason)."""
    out = ctx.records()
    for p in pools:
        if not isinstance(p, dict) or not isinstance(p.get("Id"), str) or not p.get("Id"):
            if isinstance(p, dict):
                skipped(out, "cognito-idp", "cognito-idp:ListUserPools", "a user pool", "Id")
            continue
        pid = p["Id"]
        arn = p.get("Arn") if isinstance(p.get("Arn"), str) and p.get("Arn") else user_pool_arn(ctx, pid)
        advanced = _dict(p.get("UserPoolAddOns")).get("AdvancedSecurityMode")
        protection = p.get("DeletionProtection")
        triggers = _triggers(p.get("LambdaConfig"))
        mfa = p.get("MfaConfiguration")
        out.node(arn, "cognito:user-pool", p.get("Name") if isinstance(p.get("Name"), str) else pid,
                 tags=tags_of(_dict(p.get("UserPoolTags"))), pool_id=pid,
                 mfa=mfa if isinstance(mfa, str) else None,
                 advanced_security=advanced if isinstance(advanced, str) else None,
                 users_estimated=opt_int(p.get("EstimatedNumberOfUsers")),
                 status=p.get("Status") if isinstance(p.get("Status"), str) else None,
                 deletion_protection={"ACTIVE": True, "INACTIVE": False}.get(protection) if isinstance(protection, str) else None,
                 domain=p.get("Domain"), custom_domain=p.get("CustomDomain"), tier=p.get("UserPoolTier"),
                 password_min_length=opt_int(_dict(_dict(p.get("Policies")).get("PasswordPolicy")).get("MinimumLength")),
                 triggers=[name for name, _ in triggers] if "LambdaConfig" in p else None,
                 created=iso(p.get("CreationDate")))
        out.edge(ctx.region_node, arn, "contains")
        for name, fn in triggers:
            out.edge(arn, fn, "triggers", trigger=name)
    return out


@collector("cognito-idp.user_pools", "cognito-idp", reads="cognito-idp:ListUserPools, DescribeUserPool")
def collect_user_pools(ctx: ScanContext) -> Records:
    out = ctx.records()
    pools = []
    for p in ctx.paginate("cognito-idp", "list_user_pools", "UserPools", MaxResults=PAGE):
        if not isinstance(p, dict) or not p.get("Id"):
            continue
        pid = str(p["Id"])
        resp = read_optional(ctx, out, "cognito-idp", "describe_user_pool", resource=user_pool_arn(ctx, pid),
                             missing=("ResourceNotFoundException",), UserPoolId=pid)
        if resp == {}:
            continue  # deleted between the list and the describe
        pools.append(user_pool_item(p, resp))
    return out.extend(transform_user_pools(ctx, pools))


def user_pool_item(listed: dict[str, Any], described: dict[str, Any] | None) -> dict[str, Any]:
    """A ListUserPools item with its DescribeUserPool answer laid over it (None: not read)."""
    stated = _dict((described or {}).get("UserPool"))
    return {**listed, **{k: v for k, v in stated.items() if v is not None}}  # a null never hides the list's value


# --- identity pools ---------------------------------------------------------------------------------

def identity_pool_arn(ctx: ScanContext, pool_id: str) -> str:
    return ctx.arn("cognito-identity", f"identitypool/{pool_id}")


def _providers(d: dict[str, Any]) -> list[str]:
    """Every login provider an identity pool trusts: Cognito user pools, social, OIDC, SAML, developer."""
    names = [str(k) for k in _dict(d.get("SupportedLoginProviders"))]
    names += [str(c.get("ProviderName")) for c in map(_dict, _list(d.get("CognitoIdentityProviders")))
              if c.get("ProviderName")]
    names += [str(a) for a in _list(d.get("OpenIdConnectProviderARNs")) + _list(d.get("SamlProviderARNs")) if a]
    if isinstance(d.get("DeveloperProviderName"), str):
        names.append(d["DeveloperProviderName"])
    return sorted(set(names))


def _user_pools(d: dict[str, Any]) -> list[str]:
    """User pool ids behind ``cognito-idp.<region>.amazonaws.com/<pool id>`` providers."""
    ids = []
    for c in map(_dict, _list(d.get("CognitoIdentityProviders"))):
        name = c.get("ProviderName")
        if isinstance(name, str) and name.startswith("cognito-idp.") and "/" in name:
            ids.append(name.rsplit("/", 1)[-1])
    return sorted(set(ids))


def _mapped_roles(roles: dict[str, Any]) -> list[str]:
    """Role ARNs named by rules-based role mappings."""
    arns = []
    for mapping in map(_dict, _dict(roles.get("RoleMappings")).values()):
        for r in map(_dict, _list(_dict(mapping.get("RulesConfiguration")).get("Rules"))):
            if isinstance(r.get("RoleARN"), str):
                arns.append(r["RoleARN"])
    return sorted(set(arns))


def transform_identity_pools(ctx: ScanContext, pools: list[dict[str, Any]],
                             roles: dict[str, dict[str, Any] | None] | None = None) -> Records:
    """Identity pools from DescribeIdentityPool (or only the list item where that was not read:
    ``AllowUnauthenticatedIdentities`` absent means unknown); ``roles`` maps a pool id to its
    GetIdentityPoolRoles answer (None: not read)."""
    out = ctx.records()
    roles = roles or {}
    for d in pools:
        if not isinstance(d, dict) or not isinstance(d.get("IdentityPoolId"), str) or not d["IdentityPoolId"]:
            if isinstance(d, dict):
                skipped(out, "cognito-identity", "cognito-identity:ListIdentityPools", "an identity pool",
                        "IdentityPoolId")
            continue
        pid = d["IdentityPoolId"]
        arn = identity_pool_arn(ctx, pid)
        r = roles.get(pid)
        given = _dict(_dict(r).get("Roles"))
        auth, unauth = given.get("authenticated"), given.get("unauthenticated")
        user_pools = _user_pools(d)
        out.node(arn, "cognito:identity-pool", d.get("IdentityPoolName") if isinstance(d.get("IdentityPoolName"), str) else pid,
                 tags=tags_of(_dict(d.get("IdentityPoolTags"))), pool_id=pid,
                 allow_unauthenticated=d.get("AllowUnauthenticatedIdentities")
                 if isinstance(d.get("AllowUnauthenticatedIdentities"), bool) else None,
                 classic_flow=d.get("AllowClassicFlow") if isinstance(d.get("AllowClassicFlow"), bool) else None,
                 providers=_providers(d), user_pool_ids=user_pools,
                 auth_role=auth if isinstance(auth, str) else None,
                 unauth_role=unauth if isinstance(unauth, str) else None, roles_read=r is not None)
        out.edge(ctx.region_node, arn, "contains")
        for up in user_pools:
            out.edge(arn, user_pool_arn(ctx, up), "integrates_with")
        if isinstance(auth, str):
            out.edge(arn, auth, "uses_role", role="authenticated")
        if isinstance(unauth, str):
            out.edge(arn, unauth, "uses_role", role="unauthenticated")
        for mapped in _mapped_roles(_dict(r)):
            if mapped not in (auth, unauth):
                out.edge(arn, mapped, "uses_role", role="mapped")
    return out


@collector("cognito-identity.identity_pools", "cognito-identity",
           reads="cognito-identity:ListIdentityPools, DescribeIdentityPool, GetIdentityPoolRoles")
def collect_identity_pools(ctx: ScanContext) -> Records:
    out = ctx.records()
    pools, roles = [], {}
    for p in ctx.paginate("cognito-identity", "list_identity_pools", "IdentityPools", MaxResults=PAGE):
        if not isinstance(p, dict) or not p.get("IdentityPoolId"):
            continue
        pid = str(p["IdentityPoolId"])
        arn = identity_pool_arn(ctx, pid)
        d = read_optional(ctx, out, "cognito-identity", "describe_identity_pool", resource=arn,
                          missing=("ResourceNotFoundException",), IdentityPoolId=pid)
        if d == {}:
            continue  # deleted between the list and the describe
        pools.append(identity_pool_item(p, d))
        # role ARNs and mapping rules only (no identity, no credentials)
        roles[pid] = read_optional(ctx, out, "cognito-identity", "get_identity_pool_roles", resource=arn,
                                   missing=("ResourceNotFoundException",), IdentityPoolId=pid)
    return out.extend(transform_identity_pools(ctx, pools, roles))


def identity_pool_item(listed: dict[str, Any], described: dict[str, Any] | None) -> dict[str, Any]:
    """A ListIdentityPools item with its DescribeIdentityPool answer laid over it (None: not read)."""
    return {**listed, **{k: v for k, v in (described or {}).items() if v is not None}}

"""IAM: users, groups, roles, policies, instance profiles, the credential report,
the password policy, and IAM Access Analyzer (get / transform).

One paginated ``GetAccountAuthorizationDetails`` returns every principal with its
policies and trust documents, so no per-role or per-user call is needed. MFA and
access-key facts come from the credential report (one CSV for the whole account)
rather than ``ListMFADevices``/``ListAccessKeys`` per user, which would not scale.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import botocore.exceptions as bexc

from scanner.collectors._shape import skipped
from scanner.collectors.registry import collector
from scanner.context import ScanContext, account_id_node, age_days, iam_action, iso, tags_of
from scanner.inventory import Records

#: statement keys whose values may be a string or a list
_LISTY = ("Action", "NotAction", "Resource", "NotResource")
#: how many actions/resources to keep per statement (AWS managed policies list thousands)
MAX_ITEMS = 60
#: credential report: how long to wait for AWS to finish generating it
REPORT_ATTEMPTS = 8
REPORT_WAIT_SECONDS = 2.0
_REPORT_PENDING = ("ReportInProgress", "ReportNotPresent", "ReportExpired")


# --- policy documents --------------------------------------------------------

def load_document(doc: Any) -> dict[str, Any]:
    """A policy document as a dict, whatever form the SDK handed us.

    botocore normally decodes IAM's URL-encoded JSON, but recorded shapes and
    other SDKs may still carry the raw string; a document that cannot be read
    becomes an empty dict rather than an exception.
    """
    if isinstance(doc, dict):
        return doc
    if not isinstance(doc, str) or not doc.strip():
        return {}
    for text in (doc, unquote(doc)):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        return data if isinstance(data, dict) else {}
    return {}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _statements(doc: Any) -> list[dict[str, Any]]:
    raw = load_document(doc).get("Statement")
    return [s for s in _as_list(raw) if isinstance(s, dict)]


def is_admin_statement(stmt: dict[str, Any]) -> bool:
    """Allow of every action on every resource: full administrator rights."""
    if stmt.get("Effect") != "Allow" or "NotAction" in stmt or "NotResource" in stmt:
        return False
    actions = {str(a) for a in _as_list(stmt.get("Action"))}
    resources = {str(r) for r in _as_list(stmt.get("Resource"))}
    return bool(actions & {"*", "*:*"}) and "*" in resources


def _is_wildcard(stmt: dict[str, Any]) -> bool:
    """Allow with a whole-service wildcard (``s3:*``/``*``) or NotAction: broader than least privilege."""
    if stmt.get("Effect") != "Allow":
        return False
    if "NotAction" in stmt:
        return True
    return any(str(a) == "*" or str(a).endswith(":*") for a in _as_list(stmt.get("Action")))


def parse_statements(doc: Any) -> list[dict[str, Any]]:
    """Statements as ``{effect, actions, resources, has_condition}`` (lists capped at MAX_ITEMS)."""
    out = []
    for s in _statements(doc):
        actions = [str(a) for a in _as_list(s.get("Action") or s.get("NotAction"))]
        resources = [str(r) for r in _as_list(s.get("Resource") or s.get("NotResource"))]
        out.append({
            "effect": s.get("Effect"),
            "actions": actions[:MAX_ITEMS],
            "actions_total": len(actions),
            "not_action": "NotAction" in s,
            "resources": resources[:MAX_ITEMS],
            "not_resource": "NotResource" in s,
            "has_condition": bool(s.get("Condition")),
        })
    return out


def policy_summary(doc: Any) -> dict[str, Any]:
    """statements, admin_like and wildcard_statements of one policy document."""
    stmts = _statements(doc)
    return {"statements": parse_statements(doc),
            "admin_like": any(is_admin_statement(s) for s in stmts),
            "wildcard_statements": sum(1 for s in stmts if _is_wildcard(s))}


def inline_policies(items: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Inline policies (UserPolicyList/GroupPolicyList/RolePolicyList) summarised."""
    out = []
    for p in items or []:
        summary = policy_summary(p.get("PolicyDocument"))
        out.append({"name": p.get("PolicyName"), **summary})
    return out


# --- trust policies ----------------------------------------------------------

def _has_external_id(cond: Any) -> bool:
    if not isinstance(cond, dict):
        return False
    return any(isinstance(kv, dict) and any(str(k).lower() == "sts:externalid" for k in kv)
               for kv in cond.values())


def parse_trust(doc: Any) -> list[dict[str, Any]]:
    """Who may assume a role: one entry per principal in the Allow statements.

    ``Principal: "*"`` (anyone) is kept as principal_type ``*``; a Deny
    statement narrows trust and is not listed as a trusted principal.
    """
    out: list[dict[str, Any]] = []
    for s in _statements(doc):
        if s.get("Effect") != "Allow":
            continue
        cond = s.get("Condition")
        common = {"external_id": _has_external_id(cond), "conditions": bool(cond),
                  "actions": [str(a) for a in _as_list(s.get("Action"))]}
        principal = s.get("Principal")
        if principal == "*":
            out.append({"principal_type": "*", "principal": "*", **common})
            continue
        if not isinstance(principal, dict):
            continue
        for ptype, values in principal.items():
            for v in _as_list(values):
                ptype_norm = "*" if v == "*" and ptype == "AWS" else ptype
                out.append({"principal_type": ptype_norm, "principal": str(v), **common})
    return out


def principal_account(principal: str) -> str | None:
    """The account of an AWS principal (``123456789012``, ``arn:aws:iam::123456789012:root``, role ARN)."""
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None


def trust_edges(ctx: ScanContext, out: Records, role_arn: str, trust: list[dict[str, Any]]) -> None:
    """``assumes`` edges from AWS principals (accounts, roles, users) to the role.

    Whole accounts become account nodes (other accounts as external
    ``aws:account`` nodes); services and federated providers have no graph
    node, so they stay in the role's ``trust`` prop only.
    """
    for t in trust:
        if t["principal_type"] != "AWS":
            continue
        p = t["principal"]
        acct = principal_account(p)
        if acct is None:
            continue
        if p.isdigit() or p.endswith(":root"):
            src = account_id_node(acct)
            if acct != ctx.account:
                out.node(src, "aws:account", acct, region="global", external=True, account_id=acct,
                         alias=None, partition=ctx.partition, organization_id=None,
                         management_account=None, is_management_account=None)
        else:
            src = p
        out.edge(src, role_arn, "assumes", external_id=t["external_id"], conditions=t["conditions"])


# --- authorization details ---------------------------------------------------

def _attached(items: Iterable[dict[str, Any]] | None) -> list[str]:
    return [p.get("PolicyName") or p.get("PolicyArn", "") for p in items or []]


def _policy_edges(out: Records, src: str, items: Iterable[dict[str, Any]] | None) -> None:
    for p in items or []:
        out.edge(src, p.get("PolicyArn"), "has_policy")


def principal_arn(ctx: ScanContext, out: Records, item: dict[str, Any], kind: str) -> str | None:
    """The ARN of a user/group/role/policy detail; built from path and name when absent (None and
    a gap when there is neither)."""
    if item.get("Arn"):
        return str(item["Arn"])
    name = item.get(f"{kind.capitalize()}Name")
    if not name:
        skipped(out, "iam", "iam:GetAccountAuthorizationDetails", f"a {kind}", "Arn")
        return None
    return ctx.arn("iam", f"{kind}{item.get('Path') or '/'}{name}", global_=True)


def transform_users(ctx: ScanContext, users: list[dict[str, Any]]) -> Records:
    out = ctx.records(region="global")
    for u in users:
        arn = principal_arn(ctx, out, u, "user")
        if not arn:
            continue
        out.node(arn, "iam:user", u.get("UserName"), region="global", tags=tags_of(u),
                 user_name=u.get("UserName"), user_id=u.get("UserId"), create_date=iso(u.get("CreateDate")),
                 password_enabled=None, password_last_used=None, mfa_active=None, access_keys=None,
                 attached_policies=_attached(u.get("AttachedManagedPolicies")),
                 inline_policies=inline_policies(u.get("UserPolicyList")),
                 groups=list(u.get("GroupList") or []),
                 permissions_boundary=(u.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"))
        _policy_edges(out, arn, u.get("AttachedManagedPolicies"))
        for g in u.get("GroupList") or []:
            out.edge(arn, ctx.arn("iam", f"group/{g}", global_=True), "member_of")
    return out


def transform_groups(ctx: ScanContext, groups: list[dict[str, Any]]) -> Records:
    out = ctx.records(region="global")
    for g in groups:
        arn = principal_arn(ctx, out, g, "group")
        if not arn:
            continue
        out.node(arn, "iam:group", g.get("GroupName"), region="global", group_name=g.get("GroupName"),
                 attached_policies=_attached(g.get("AttachedManagedPolicies")),
                 inline_policies=inline_policies(g.get("GroupPolicyList")),
                 create_date=iso(g.get("CreateDate")))
        _policy_edges(out, arn, g.get("AttachedManagedPolicies"))
    return out


def transform_roles(ctx: ScanContext, roles: list[dict[str, Any]]) -> Records:
    out = ctx.records(region="global")
    for r in roles:
        for ip in r.get("InstanceProfileList") or []:
            _instance_profile(ctx, out, ip)
        arn = principal_arn(ctx, out, r, "role")
        if not arn:
            continue
        trust = parse_trust(r.get("AssumeRolePolicyDocument"))
        last = r.get("RoleLastUsed") or {}
        path = r.get("Path")
        out.node(arn, "iam:role", r.get("RoleName"), region="global", tags=tags_of(r),
                 role_name=r.get("RoleName"), path=path, create_date=iso(r.get("CreateDate")), trust=trust,
                 attached_policies=_attached(r.get("AttachedManagedPolicies")),
                 inline_policies=inline_policies(r.get("RolePolicyList")),
                 last_used=iso(last.get("LastUsedDate")), last_used_region=last.get("Region"),
                 service_linked=None if path is None else path.startswith("/aws-service-role/"),
                 permissions_boundary=(r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
                 max_session_seconds=r.get("MaxSessionDuration"))
        _policy_edges(out, arn, r.get("AttachedManagedPolicies"))
        trust_edges(ctx, out, arn, trust)
    return out


def _instance_profile(ctx: ScanContext, out: Records, ip: dict[str, Any]) -> None:
    arn = principal_arn(ctx, out, {**ip, "Instance-profileName": ip.get("InstanceProfileName")}, "instance-profile")
    if not arn:
        return
    role_arns = [r["Arn"] for r in ip.get("Roles") or [] if r.get("Arn")]
    out.node(arn, "iam:instance-profile", ip.get("InstanceProfileName"), region="global",
             name=ip.get("InstanceProfileName"), role_arns=role_arns)
    for ra in role_arns:
        out.edge(arn, ra, "uses_role")


def _default_document(p: dict[str, Any]) -> Any:
    for v in p.get("PolicyVersionList") or []:
        if v.get("IsDefaultVersion") or v.get("VersionId") == p.get("DefaultVersionId"):
            return v.get("Document")
    return None


def transform_policies(ctx: ScanContext, policies: list[dict[str, Any]]) -> Records:
    """Managed policies: every customer policy, and AWS managed ones only where attached."""
    out = ctx.records(region="global")
    for p in policies:
        arn = principal_arn(ctx, out, p, "policy")
        if not arn:
            continue
        aws_managed = ":iam::aws:policy/" in arn
        count = p.get("AttachmentCount") or 0
        if aws_managed and not count:
            continue
        name = p.get("PolicyName") or arn.rsplit("/", 1)[-1]
        out.node(arn, "iam:policy", name, region="global", policy_name=name,
                 aws_managed=aws_managed, attachment_count=count, default_version=p.get("DefaultVersionId"),
                 path=p.get("Path"), description=p.get("Description"),
                 **policy_summary(_default_document(p)))
    return out


def transform_authorization_details(ctx: ScanContext, pages: Iterable[dict[str, Any]]) -> Records:
    """Merge every GetAccountAuthorizationDetails page into one set of records."""
    users: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    policies: list[dict[str, Any]] = []
    for page in pages:
        users += page.get("UserDetailList") or []
        groups += page.get("GroupDetailList") or []
        roles += page.get("RoleDetailList") or []
        policies += page.get("Policies") or []
    out = ctx.records(region="global")
    for part in (transform_users(ctx, users), transform_groups(ctx, groups),
                 transform_roles(ctx, roles), transform_policies(ctx, policies)):
        out.extend(part)
    return out


@collector("iam.authorization", "iam", scope="global",
           reads="iam:GetAccountAuthorizationDetails")
def collect_authorization(ctx: ScanContext) -> Records:
    return transform_authorization_details(ctx, ctx.paginate("iam", "get_account_authorization_details"))


# --- credential report -------------------------------------------------------

def _flag(value: str | None) -> bool | None:
    v = (value or "").strip().lower()
    if v == "true":
        return True
    if v == "false":
        return False
    return None


def _date(value: str | None) -> str | None:
    v = (value or "").strip()
    if not v or v.upper() == "N/A" or v in ("no_information", "not_supported"):
        return None
    return v


def _access_keys(row: dict[str, str]) -> list[dict[str, Any]]:
    keys = []
    for slot in (1, 2):
        active = _flag(row.get(f"access_key_{slot}_active"))
        created = _date(row.get(f"access_key_{slot}_last_rotated"))
        if not active and created is None:
            continue
        last_used = _date(row.get(f"access_key_{slot}_last_used_date"))
        keys.append({"slot": slot, "id_suffix": None, "active": bool(active), "created": created,
                     "last_used": last_used, "age_days": age_days(created),
                     "unused_days": age_days(last_used or created),
                     "last_used_service": _date(row.get(f"access_key_{slot}_last_used_service"))})
    return keys


def parse_credential_report(content: bytes | str) -> list[dict[str, str]]:
    """The credential report CSV as rows (dicts keyed by its header)."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def transform_credential_report(ctx: ScanContext, rows: list[dict[str, str]]) -> Records:
    """Fold the report into iam:user props and one iam:root node (user ``<root_account>``)."""
    out = ctx.records(region="global")
    for row in rows:
        arn = row.get("arn") or ""
        keys = _access_keys(row)
        if row.get("user") == "<root_account>":
            out.node(arn or ctx.arn("iam", "root", global_=True), "iam:root", "root account",
                     region="global", mfa_active=_flag(row.get("mfa_active")),
                     access_keys_active=any(k["active"] for k in keys),
                     password_last_used=_date(row.get("password_last_used")), access_keys=keys,
                     created=_date(row.get("user_creation_time")))
            continue
        if not arn:
            continue
        password = _flag(row.get("password_enabled"))
        out.node(arn, "iam:user", row.get("user"), region="global", user_name=row.get("user"),
                 password_enabled=password,
                 password_last_used=_date(row.get("password_last_used")) if password else None,
                 password_last_changed=_date(row.get("password_last_changed")),
                 mfa_active=_flag(row.get("mfa_active")), access_keys=keys,
                 create_date=_date(row.get("user_creation_time")))
    return out


def fetch_credential_report(ctx: ScanContext, sleep: float = REPORT_WAIT_SECONDS) -> bytes:
    """Ask AWS to (re)build the report, then read it, waiting while it is being generated."""
    for _ in range(REPORT_ATTEMPTS):
        ctx.call("iam", "generate_credential_report")
        try:
            return ctx.call("iam", "get_credential_report").get("Content") or b""
        except bexc.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _REPORT_PENDING:
                raise
        time.sleep(sleep)
    raise TimeoutError("the IAM credential report was still being generated; try again")


@collector("iam.credential_report", "iam", scope="global",
           reads="iam:GenerateCredentialReport, iam:GetCredentialReport")
def collect_credential_report(ctx: ScanContext) -> Records:
    return transform_credential_report(ctx, parse_credential_report(fetch_credential_report(ctx)))


# --- password policy ---------------------------------------------------------

def password_policy_id(account: str) -> str:
    return f"{account_id_node(account)}/iam/password-policy"


def transform_password_policy(ctx: ScanContext, policy: dict[str, Any] | None) -> Records:
    """The account password policy; ``None`` (NoSuchEntity) means no policy: AWS defaults apply."""
    out = ctx.records(region="global")
    p = policy or {}
    nid = password_policy_id(ctx.account)
    out.node(nid, "iam:password-policy", "account password policy", region="global",
             present=policy is not None, min_length=p.get("MinimumPasswordLength"),
             require_symbols=p.get("RequireSymbols"), require_numbers=p.get("RequireNumbers"),
             require_upper=p.get("RequireUppercaseCharacters"),
             require_lower=p.get("RequireLowercaseCharacters"), max_age=p.get("MaxPasswordAge"),
             reuse_prevention=p.get("PasswordReusePrevention"), hard_expiry=p.get("HardExpiry"),
             allow_users_to_change=p.get("AllowUsersToChangePassword"))
    out.edge(account_id_node(ctx.account), nid, "contains")
    return out


@collector("iam.password_policy", "iam", scope="global", reads="iam:GetAccountPasswordPolicy")
def collect_password_policy(ctx: ScanContext) -> Records:
    try:
        policy = ctx.call("iam", "get_account_password_policy").get("PasswordPolicy")
    except bexc.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        policy = None
    return transform_password_policy(ctx, policy)


# --- IAM Access Analyzer -------------------------------------------------------

#: stop counting active findings here; the table then says "1000+"
MAX_FINDINGS_COUNTED = 1000


def transform_analyzers(ctx: ScanContext, analyzers: list[dict[str, Any]],
                        findings: dict[str, int | None]) -> Records:
    out = ctx.records()
    for a in analyzers:
        arn = a.get("arn")
        if not arn:
            skipped(out, "accessanalyzer", "access-analyzer:ListAnalyzers", "an analyzer", "arn")
            continue
        out.node(arn, "iam:access-analyzer", a.get("name"), tags=tags_of(a.get("tags") or {}),
                 name=a.get("name"), type=a.get("type"), status=a.get("status"),
                 findings_active=findings.get(arn), last_analyzed=iso(a.get("lastResourceAnalyzedAt")),
                 created=iso(a.get("createdAt")))
        out.edge(ctx.region_node, arn, "contains")
    return out


def _count_active_findings(ctx: ScanContext, out: Records, arn: str) -> int | None:
    n = 0
    try:
        for _ in ctx.paginate("accessanalyzer", "list_findings", "findings", analyzerArn=arn,
                              filter={"status": {"eq": ["ACTIVE"]}}):
            n += 1
            if n >= MAX_FINDINGS_COUNTED:
                break
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        out.gap("accessanalyzer", iam_action("accessanalyzer", "ListFindings"), f"error {code}",
                resource=arn)
        return None
    return n


@collector("accessanalyzer.analyzers", "accessanalyzer",
           reads="access-analyzer:ListAnalyzers, access-analyzer:ListFindings")
def collect_analyzers(ctx: ScanContext) -> Records:
    analyzers = list(ctx.paginate("accessanalyzer", "list_analyzers", "analyzers"))
    gaps = ctx.records()
    findings = {a["arn"]: _count_active_findings(ctx, gaps, a["arn"]) for a in analyzers
                if a.get("status") == "ACTIVE" and a.get("type") in ("ACCOUNT", "ORGANIZATION")}
    return transform_analyzers(ctx, analyzers, findings).extend(gaps)

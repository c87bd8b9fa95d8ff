"""EKS add-ons and access entries (section 3.2; access entries also feed the security facts).

Add-ons are the cluster components AWS manages (VPC CNI, CoreDNS, kube-proxy, the EBS CSI
driver...): their version, health and the IAM role their service account runs with.

Access entries are who may use the cluster's Kubernetes API through IAM: each names an IAM
principal, its Kubernetes groups and the EKS access policies associated with it.
``cluster_admin`` on an entry says whether it holds ``AmazonEKSClusterAdminPolicy`` on the
whole cluster (or the ``system:masters`` group), None when the policies could not be read;
``external_principal`` whether the principal belongs to another account. A cluster in ``CONFIG_MAP``
authentication mode has no access entries: its mapping lives in the aws-auth ConfigMap,
which no AWS API returns (the cluster's ``authentication_mode`` says so in the document).

An endpoint without these APIs (an older partition, an emulator) leaves a gap per cluster
("not implemented by this endpoint"), never an empty list. ``configurationValues`` of an
add-on is free text and is never kept.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions as bexc

from scanner.collectors._shape import ident
from scanner.collectors.registry import collector
from scanner.context import ScanContext, error_message, guarded, iso, tags_of
from scanner.inventory import Records

CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
#: EKS answers this for access-entry calls on a cluster in CONFIG_MAP mode
CONFIG_MAP_ONLY = ("InvalidRequestException",)


def _camel(op: str) -> str:
    return "".join(p.capitalize() for p in op.split("_"))


def eks_read(ctx: ScanContext, out: Records, op: str, resource: str, key: str | None = None,
             missing: tuple[str, ...] = ("ResourceNotFoundException",), **kw: Any) -> Any:
    """One EKS read (all pages with ``key``) that can only leave a gap; ``[]``/None for ``missing``.

    An endpoint that answers "404 not yet implemented" (an emulator) is recorded as not
    implemented, like a botocore NotImplementedError, so the gap says so plainly."""
    def go() -> Any:
        try:
            return list(ctx.paginate("eks", op, key, **kw)) if key else ctx.call("eks", op, **kw)
        except bexc.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "404" and "not yet implemented" in error_message(exc).lower():
                raise NotImplementedError(op) from None
            raise
    return guarded(out, "eks", _camel(op), go, resource=resource, missing=missing, region=ctx.region,
                   missing_value=[] if key else None)


def cluster_arn(ctx: ScanContext, name: str) -> str:
    return ctx.arn("eks", f"cluster/{name}")


def addon_id(ctx: ScanContext, cluster: str, name: str) -> str:
    """The add-on's id when describe_addon did not give its ARN (the gap names this id)."""
    return ctx.arn("eks", f"addon/{cluster}/{name}")


def entry_id(ctx: ScanContext, cluster: str, principal: str) -> str:
    """The access entry's id when describe_access_entry did not give its ARN."""
    return ctx.arn("eks", f"access-entry/{cluster}/{principal}")


def _account_of(arn: str | None) -> str | None:
    parts = str(arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


def _policy_name(arn: Any) -> str:
    return str(arn or "").rsplit("/", 1)[-1]


# --- add-ons ------------------------------------------------------------------------------------

def transform_addons(ctx: ScanContext, addons: list[dict[str, Any]]) -> Records:
    """describe_addon's ``addon`` dicts; an add-on whose describe failed is {addonName, clusterName}."""
    out = ctx.records()
    for a in addons:
        name = ident(out, a, "addonName", "eks", "eks:DescribeAddon", "an add-on")
        cluster = ident(out, a, "clusterName", "eks", "eks:DescribeAddon", "an add-on") if name else None
        if not name or not cluster:
            continue
        arn = a.get("addonArn") or addon_id(ctx, cluster, name)
        health = [str(i.get("code")) for i in (x or {} for x in (a.get("health") or {}).get("issues") or [])
                  if i.get("code")]
        out.node(arn, "eks:addon", name, tags=tags_of(a.get("tags")), name=name, cluster=cluster,
                 version=a.get("addonVersion"), status=a.get("status"),
                 service_account_role=a.get("serviceAccountRoleArn"),
                 health_issues=None if "status" not in a else sorted(set(health)),
                 publisher=a.get("publisher"), owner=a.get("owner"), created=iso(a.get("createdAt")))
        out.edge(cluster_arn(ctx, cluster), arn, "contains")
        out.edge(arn, a.get("serviceAccountRoleArn"), "uses_role", role="service-account")
    return out


@collector("eks.addons", "eks", reads="eks:ListClusters, eks:ListAddons, eks:DescribeAddon")
def collect_addons(ctx: ScanContext) -> Records:
    out = ctx.records()
    found: list[dict[str, Any]] = []
    for cluster in ctx.paginate("eks", "list_clusters", "clusters"):
        names = eks_read(ctx, out, "list_addons", cluster_arn(ctx, cluster), "addons", clusterName=cluster)
        for name in names or []:
            got = eks_read(ctx, out, "describe_addon", addon_id(ctx, cluster, name), clusterName=cluster,
                           addonName=name)
            found.append((got or {}).get("addon") or {"addonName": name, "clusterName": cluster})
    return out.extend(transform_addons(ctx, found))


# --- access entries -----------------------------------------------------------------------------

def _policies(items: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    out = []
    for p in (x or {} for x in items):
        scope = p.get("accessScope") or {}
        out.append({"policy": _policy_name(p.get("policyArn")), "scope": scope.get("type"),
                    "namespaces": sorted(str(n) for n in scope.get("namespaces") or [])})
    return sorted(out, key=lambda x: (x["policy"], str(x["scope"])))


def is_cluster_admin(policies: list[dict[str, Any]] | None, groups: list[str] | None) -> bool | None:
    """Cluster-wide admin: AmazonEKSClusterAdminPolicy on the cluster scope, or system:masters.

    None when the policies were not read (and the groups do not already say yes)."""
    if groups and "system:masters" in groups:
        return True
    if policies is None:
        return None
    scopes = {str(p.get("scope") or "").lower() for p in policies if p["policy"] == CLUSTER_ADMIN_POLICY}
    if "cluster" in scopes:
        return True
    return None if scopes - {"namespace"} else False  # a scope type AWS added later: not guessed


def transform_access_entries(ctx: ScanContext, entries: list[dict[str, Any]]) -> Records:
    """Each entry is {clusterName, principalArn, ``_entry`` (describe_access_entry's accessEntry,
    None = not read), ``_policies`` (list_associated_access_policies items, None = not read)}."""
    out = ctx.records()
    for e in entries:
        principal = ident(out, e, "principalArn", "eks", "eks:ListAccessEntries", "an access entry")
        cluster = ident(out, e, "clusterName", "eks", "eks:ListAccessEntries", "an access entry") if principal else None
        if not cluster or not principal:
            continue
        entry = e.get("_entry")
        d = entry or {}
        arn = d.get("accessEntryArn") or entry_id(ctx, cluster, principal)
        groups = None if entry is None else sorted(str(g) for g in d.get("kubernetesGroups") or [])
        policies = _policies(e.get("_policies"))
        account = _account_of(principal)
        out.node(arn, "eks:access-entry", principal, tags=tags_of(d.get("tags")),
                 cluster=cluster, principal_arn=principal, principal_account=account,
                 external_principal=None if account is None else account != ctx.account,
                 type=d.get("type"), username=d.get("username"), kubernetes_groups=groups,
                 access_policies=policies, cluster_admin=is_cluster_admin(policies, groups),
                 created=iso(d.get("createdAt")))
        out.edge(cluster_arn(ctx, cluster), arn, "contains")
        out.edge(arn, principal, "associated_with", role="access-entry")
    return out


@collector("eks.access_entries", "eks",
           reads="eks:ListClusters, eks:ListAccessEntries, eks:DescribeAccessEntry, "
                 "eks:ListAssociatedAccessPolicies")
def collect_access_entries(ctx: ScanContext) -> Records:
    out = ctx.records()
    found: list[dict[str, Any]] = []
    for cluster in ctx.paginate("eks", "list_clusters", "clusters"):
        principals = eks_read(ctx, out, "list_access_entries", cluster_arn(ctx, cluster), "accessEntries",
                              missing=("ResourceNotFoundException", *CONFIG_MAP_ONLY), clusterName=cluster)
        for principal in principals or []:
            fallback = entry_id(ctx, cluster, principal)
            got = eks_read(ctx, out, "describe_access_entry", fallback, clusterName=cluster, principalArn=principal)
            entry = (got or {}).get("accessEntry") if got is not None else None
            res = (entry or {}).get("accessEntryArn") or fallback  # gaps name the node's id
            if entry is None or str(entry.get("type") or "STANDARD") == "STANDARD":
                pols = eks_read(ctx, out, "list_associated_access_policies", res, "associatedAccessPolicies",
                                clusterName=cluster, principalArn=principal)
            else:
                pols = []  # node-role entries (EC2_LINUX, FARGATE_LINUX...) cannot hold access policies
            found.append({"clusterName": cluster, "principalArn": principal, "_entry": entry, "_policies": pols})
    return out.extend(transform_access_entries(ctx, found))

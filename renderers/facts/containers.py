"""Section 3.2 facts: ECS, ECR and EKS as rows for the document's tables.

Pure functions of the Inventory. Cells are plain strings/numbers; the document
environment escapes them, so nothing here builds Markup.
"""

from __future__ import annotations

from typing import Any

from renderers.document import fact_text, yesno
from renderers.facts.compute import subnet_tier
from renderers.facts.storage import unread_why
from renderers.plural import count_of
from scanner import naming, status
from scanner.fact import Fact
from scanner.inventory import Inventory

CONTAINER_KINDS = ("ecs:cluster", "ecs:service", "ecs:task-definition", "ecr:repository", "eks:cluster",
                   "eks:nodegroup", "eks:fargate-profile", "eks:addon", "eks:access-entry")


def subnet_tiers(inv: Inventory, nid: str) -> str:
    """Where a resource's subnets sit: names grouped by tier (:func:`compute.subnet_tier`: its Tier
    tag or name, else public/private from the subnet's judged fact)."""
    groups: dict[str, list[str]] = {}
    for s in inv.out(nid, "in_subnet"):
        groups.setdefault(subnet_tier(inv, s["id"]), []).append(naming.node_name(s))
    if not groups:
        return "-"
    return "; ".join(f"{tier}: {', '.join(sorted(names))}" for tier, names in sorted(groups.items()))


def encrypted(inv: Inventory, nid: str, yes: str = "yes", no: str = "no") -> str:
    """A resource's judged at-rest ``encrypted`` fact as a cell (unknown says why)."""
    return fact_text(inv.fact(nid, "encrypted") or Fact.from_dict(None), yes, no)


def group_names(inv: Inventory, nid: str) -> str:
    sgs = [naming.node_name(g) for g in inv.out(nid, "protected_by")]
    return ", ".join(sorted(sgs)) or "-"


def _load_balancers_of(inv: Inventory, tg_id: str) -> list[str]:
    """Load balancers in front of a target group (through its listeners, or directly)."""
    names: set[str] = set()
    for src in inv.into(tg_id, "targets"):
        if src["kind"] == "elbv2:listener":
            names.update(str(lb.get("name")) for lb in inv.into(src["id"], "listens_on"))
        elif src["kind"] == "elbv2:load-balancer":
            names.add(str(src.get("name")))
    return sorted(names)


def service_load_balancing(inv: Inventory, svc: dict[str, Any]) -> str:
    """"target group (via load balancer)" for each target group the service registers in."""
    tgs = {t["id"] for t in inv.into(svc["id"], "targets")} | set(svc["props"].get("target_group_arns") or [])
    parts = []
    for tg in sorted(tgs):
        lbs = _load_balancers_of(inv, tg)
        parts.append(f"{naming.name(inv, tg)}" + (f" (via {', '.join(lbs)})" if lbs else ""))
    return "; ".join(parts) or "none"


def summary(inv: Inventory) -> dict[str, int]:
    """How many of each container resource the scan found."""
    return {k.replace(":", "_").replace("-", "_"): len(inv.nodes(k)) for k in CONTAINER_KINDS}


def ecs_cluster_rows(inv: Inventory) -> list[list[Any]]:
    """Clusters with the services the scan listed in each (ECS's own active-service count lags
    behind, and some endpoints never fill it, so the listed services are what the table counts)."""
    listed: dict[str, int] = {}
    for s in inv.nodes("ecs:service"):
        listed[str(s["props"].get("cluster"))] = listed.get(str(s["props"].get("cluster")), 0) + 1
    rows = []
    for c in inv.nodes("ecs:cluster"):
        p = c["props"]
        services = listed.get(c["id"], 0) or p.get("active_services")
        if not listed.get(c["id"]):
            why = status.unread(inv.meta, c["region"], "ecs:ListServices", "ecs:DescribeServices", resource=c["id"])
            services = f"unknown ({why})" if why else services
        rows.append([c["region"], c["name"], p.get("status"), services, p.get("running_tasks"),
                     yesno(p.get("container_insights")), ", ".join(p.get("capacity_providers") or []) or "-"])
    return rows


def ecs_service_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for s in inv.nodes("ecs:service"):
        p = s["props"]
        rows.append([naming.name(inv, p.get("cluster")), s["name"], p.get("launch_type"),
                     f"{_n(p.get('desired'))} / {_n(p.get('running'))}", subnet_tiers(inv, s["id"]),
                     group_names(inv, s["id"]), yesno(p.get("assign_public_ip")),
                     service_load_balancing(inv, s), naming.name(inv, p.get("task_definition"))])
    return rows


def task_definition_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for t in inv.nodes("ecs:task-definition"):
        p = t["props"]
        env = len(p.get("env_names") or [])
        secrets = len(p.get("secret_names") or [])
        rows.append([t["name"], ", ".join(image_text(i, inv.meta.get("account")) for i in p.get("images") or [])
                     or "-",
                     f"{_n(p.get('cpu'))} / {_n(p.get('memory'))}", p.get("network_mode"),
                     naming.short_id(p.get("task_role_arn")) or "none", naming.short_id(p.get("execution_role_arn")) or "none",
                     f"{count_of(env, 'variable', zero='0')}, {count_of(secrets, 'secret', zero='0')}",
                     yesno(p.get("privileged"))])
    return rows


def image_text(image: Any, account: str | None) -> str:
    """A container image as a reader wants it: this account's ECR registry host is shortened to
    "ECR (region)"; other registries (Docker Hub, other accounts) stay in full."""
    img = str(image)
    host, _, rest = img.partition("/")
    parts = host.split(".")
    if rest and account and len(parts) >= 6 and parts[0] == account and parts[1:3] == ["dkr", "ecr"]:
        return f"ECR {parts[3]}: {rest}"
    return img


def env_name_lines(inv: Inventory) -> list[tuple[str, str]]:
    """(task definition, variable names): names only, values are never collected."""
    out = []
    for t in inv.nodes("ecs:task-definition"):
        names = list(t["props"].get("env_names") or []) + [f"{n} (secret)" for n in t["props"].get("secret_names") or []]
        if names:
            out.append((t["name"], ", ".join(names)))
    return out


def ecr_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for r in inv.nodes("ecr:repository"):
        p = r["props"]
        rows.append([r["region"], r["name"], yesno(p.get("scan_on_push")), yesno(p.get("tag_immutable")),
                     yesno(p.get("lifecycle_policy")),
                     _ecr_encryption(p) if (inv.fact(r["id"], "encrypted") or Fact.from_dict(None)).yes
                     else encrypted(inv, r["id"]),
                     yesno(p.get("policy_public"))])
    return rows


def _ecr_encryption(p: dict[str, Any]) -> str:
    """"AES-256 (ECR managed key)" for the default, "KMS (key)" for a KMS key."""
    enc = p.get("encryption")
    if enc == "AES256":
        return "AES-256 (ECR managed key)"
    if enc in ("KMS", "KMS_DSSE"):
        return f"{enc} ({naming.short_id(p.get('kms_key')) or 'aws/ecr'})"
    return str(enc or "unknown")


def eks_cluster_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("eks:cluster"):
        p = c["props"]
        access = []
        if p.get("endpoint_public"):
            access.append("public (" + (", ".join(p.get("public_cidrs") or []) or "any address") + ")")
        if p.get("endpoint_private"):
            access.append("private")
        rows.append([c["region"], c["name"], p.get("version"), "; ".join(access) or "-",
                     ", ".join(p.get("logging") or []) or "none", subnet_tiers(inv, c["id"]),
                     group_names(inv, c["id"]), naming.short_id(p.get("role_arn")), encrypted(inv, c["id"])])
    return rows


def eks_nodegroup_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for g in inv.nodes("eks:nodegroup"):
        p = g["props"]
        rows.append([p.get("cluster"), g["name"], ", ".join(p.get("instance_types") or []) or "-",
                     f"{_n(p.get('min'))} / {_n(p.get('desired'))} / {_n(p.get('max'))}", p.get("ami_type"),
                     p.get("capacity_type"), subnet_tiers(inv, g["id"]), naming.short_id(p.get("role_arn"))])
    return rows


def fargate_profile_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for f in inv.nodes("eks:fargate-profile"):
        p = f["props"]
        sel = ", ".join(str(s.get("namespace")) + (f" {s['labels']}" if s.get("labels") else "")
                        for s in p.get("selectors") or [])
        rows.append([p.get("cluster"), f["name"], sel or "-", subnet_tiers(inv, f["id"]), naming.short_id(p.get("role_arn"))])
    return rows


def eks_addon_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for a in inv.nodes("eks:addon"):
        p = a["props"]
        issues = p.get("health_issues")
        health = "unknown (not described)" if issues is None else ", ".join(issues) or "no issues"
        rows.append([p.get("cluster"), a["name"], p.get("version") or "unknown", p.get("status") or "unknown",
                     health, naming.short_id(p.get("service_account_role")) or "none (node role)"])
    return rows


def _access_policies(inv: Inventory, e: dict[str, Any]) -> str:
    pols = e["props"].get("access_policies")
    if pols is None:
        why = unread_why(inv, e, "eks:ListAssociatedAccessPolicies")
        return f"unknown ({why or 'eks:ListAssociatedAccessPolicies not read'})"
    return "; ".join(f"{p.get('policy')} ({p.get('scope') or '?'}"
                     + (f": {', '.join(p['namespaces'])}" if p.get("namespaces") else "") + ")"
                     for p in pols) or "none"


def eks_access_rows(inv: Inventory) -> list[list[Any]]:
    """Who may use each cluster's Kubernetes API through IAM, and with which access policies."""
    rows = []
    for e in inv.nodes("eks:access-entry"):
        p = e["props"]
        groups = p.get("kubernetes_groups")
        admin = inv.fact(e["id"], "cluster_admin") or Fact.from_dict(None)
        who = str(p.get("principal_arn"))
        if p.get("external_principal"):
            who += f" (account {p.get('principal_account')}, outside this account)"
        rows.append([p.get("cluster"), who, p.get("type") or "unknown",
                     "unknown (not described)" if groups is None else ", ".join(groups) or "none",
                     _access_policies(inv, e), fact_text(admin)])
    return rows


def eks_unread(inv: Inventory, action: str) -> str:
    """Why an EKS per-cluster listing was not read in some region ("" when it was read everywhere)."""
    return status.unread(inv.meta, None, action)


def eks_config_map_clusters(inv: Inventory) -> list[str]:
    """Clusters whose IAM mapping is only the aws-auth ConfigMap (no AWS API lists it)."""
    return [c["name"] for c in inv.nodes("eks:cluster") if c["props"].get("authentication_mode") == "CONFIG_MAP"]


def _n(v: Any) -> str:
    return "unknown" if v is None else str(v)

"""Section 11 from the graph: which area each resource (and so each finding) belongs to, and what
each workload depends on and touches.

Areas are the layers a platform team owns (security, network, data, compute, delivery,
operations), read from the kind's family in ``scanner/kinds/`` (the module that specifies it),
with a few kinds placed where a team would look for them (DNS with the network, a CDN with the
traffic it serves). A finding lands in the area of the resources it names, never in the area of
the section that reports it: a VPC without flow logs is network work even though 5.4 lists it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from functools import cache
from typing import Any

from renderers.facts.storage import unread_why
from scanner import naming
from scanner.analysis.model import Finding
from scanner.inventory import Inventory
from scanner.vocab import KINDS

#: areas in build order: (key, name in the plan, what it holds)
AREAS: tuple[tuple[str, str, str], ...] = (
    ("security", "Account foundation", "identity, audit logging, keys, secrets and threat detection"),
    ("network", "Network", "VPCs, subnets, routing, gateways, DNS and network security"),
    ("data", "Data", "object, block and file storage, databases, caches, warehouses and streams"),
    ("compute", "Compute and traffic", "load balancers, instances, containers, functions, APIs and CDN"),
    ("delivery", "Delivery", "source, build, artifacts and deployment automation"),
    ("operations", "Operations and resilience", "monitoring, alerting, logs, backups and cost control"),
)
AREA_NAMES = {key: name for key, name, _ in AREAS}

#: the kind-spec family (scanner/kinds/<family>.py) -> area
FAMILY_AREA = {"identity": "security", "security": "security", "network": "network", "database": "data",
               "storage": "data", "streaming": "data", "compute": "compute", "containers": "compute",
               "serverless": "compute", "loadbalancing": "compute", "delivery": "delivery",
               "operations": "operations", "resilience": "operations", "cost": "operations"}
#: kinds a team looks for somewhere other than their family's area
KIND_AREA = {"route53:hosted-zone": "network", "route53:record": "network", "cloudfront:distribution": "compute",
             "organizations:organization": "security", "ecr:repository": "delivery", "ssm:parameter": "security",
             "aws:account": "security"}
#: a finding that names no resource in the scan: its category decides
CATEGORY_AREA = {"security": "security", "resilience": "operations", "operations": "operations", "cost": "operations"}


@cache
def _families() -> dict[str, str]:
    import scanner.kinds as kinds_pkg

    out: dict[str, str] = {}
    for m in pkgutil.iter_modules(kinds_pkg.__path__):
        if m.name.startswith("_") or m.name == "spec":
            continue
        mod = importlib.import_module(f"scanner.kinds.{m.name}")
        for s in getattr(mod, "SPECS", ()):
            out[s.kind] = m.name
    return out


def area_of_kind(kind: str) -> str | None:
    """The area a kind belongs to (None for scaffolding: regions, the internet, placeholders)."""
    return KIND_AREA.get(kind) or FAMILY_AREA.get(_families().get(kind, ""))


def area_of_finding(inv: Inventory, f: Finding) -> str:
    """The area of most of the resources a finding names; its category when it names none."""
    nodes = inv.graph._node  # the kind only: no copy of each resource's node
    votes = Counter(a for r in f.resources if (n := nodes.get(r)) and (a := area_of_kind(str(n.get("kind")))))
    if votes:
        order = [key for key, _, _ in AREAS]
        return min(votes, key=lambda a: (-votes[a], order.index(a)))
    return CATEGORY_AREA.get(f.category, "operations")


# --- dependencies -----------------------------------------------------------------------------
#: the workloads 11.2 lists (kinds that do not exist in this build are skipped)
WORKLOAD_KINDS = ("cloudfront:distribution", "apigateway:rest-api", "apigateway:http-api", "elbv2:load-balancer",
                  "elb:load-balancer", "autoscaling:group", "ec2:instance", "ecs:service", "eks:cluster",
                  "eks:nodegroup", "lambda:function", "states:state-machine", "rds:proxy", "rds:cluster",
                  "rds:instance", "elasticache:replication-group", "elasticache:serverless-cache",
                  "memorydb:cluster", "dax:cluster", "redshift:cluster", "opensearch:domain", "kafka:cluster",
                  "kinesis:stream", "firehose:delivery-stream", "efs:file-system", "codepipeline:pipeline")
#: relations from a resource to what must exist before it (and whose change affects it)
DEPENDS = ("in_subnet", "in_vpc", "protected_by", "uses_role", "encrypted_by", "targets", "member_of",
           "uses_certificate", "attached_to", "logs_to", "replicates_to", "integrates_with", "runs", "uses_image",
           "listens_on", "associated_with", "builds", "deploys", "publishes_to")
#: relations into a resource from what a change to it touches (alarms, routes to it, deployments, ...)
TOUCHED_BY = ("monitors", "aliases", "targets", "deploys", "integrates_with", "triggers", "scales", "backs_up",
              "member_of", "source_of", "flows_to")
#: definitions a workload is built from: their own dependencies are the workload's too
THROUGH = ("ec2:launch-template", "autoscaling:launch-configuration", "ecs:task-definition", "iam:instance-profile",
           "elbv2:listener", "rds:subnet-group", "elasticache:cluster")
SKIP = ("internet", "aws:region", "aws:account", "net:cidr", "ec2:route-table", "ec2:network-acl")
#: links a workload's collector reads with a call of its own (the prop is None when that call was
#: not read): what the workload depends on is then incomplete, and 11.2 says so with why instead of
#: leaving those links out. kind -> ((prop, IAM action, the links' name as a kind-like key), ...)
UNREAD_LINKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "lambda:function": (("destinations", "lambda:ListFunctionEventInvokeConfigs", "lambda:asynchronous-destination"),),
}


def _by_prop(inv: Inventory, kind: str, prop: str) -> dict[tuple[str, str], dict[str, Any]]:
    if kind not in KINDS:
        return {}
    return {(n["region"], str(n["props"].get(prop) or n["name"])): n for n in inv.nodes(kind)}


class Walker:
    """Dependencies and reverse dependencies of workloads, edges plus the few links kept as props."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.templates = _by_prop(inv, "ec2:launch-template", "launch_template_id")
        self.configs = _by_prop(inv, "autoscaling:launch-configuration", "name")
        self.profiles = {n["id"]: n for n in inv.nodes("iam:instance-profile")}
        self.key_pairs = _by_prop(inv, "ec2:key-pair", "key_name")
        self.log_groups = _by_prop(inv, "logs:log-group", "name")
        #: what a CloudFront origin domain names: load balancers by DNS name, buckets by their S3 domain
        self.origins: dict[str, dict[str, Any]] = {}
        for lb in inv.nodes("elbv2:load-balancer", "elb:load-balancer"):
            if lb["props"].get("dns_name"):
                self.origins[str(lb["props"]["dns_name"]).lower()] = lb
        for b in inv.nodes("s3:bucket"):
            self.origins[f"{b['name']}.s3.amazonaws.com".lower()] = b
            self.origins[f"{b['name']}.s3.{b['region']}.amazonaws.com".lower()] = b
        self.acls = {n["id"]: n for n in inv.nodes("wafv2:web-acl")}
        #: reverse links kept as props, indexed once: alias targets, CloudFront origins, web ACL associations
        self.aliased: dict[str, list[dict[str, Any]]] = {}
        for rec in inv.nodes("route53:record"):
            target = str(rec["props"].get("alias_target") or "").lower().rstrip(".").removeprefix("dualstack.")
            if target:
                self.aliased.setdefault(target, []).append(rec)
        self.fronted: dict[str, list[dict[str, Any]]] = {}
        for cf in inv.nodes("cloudfront:distribution"):
            for o in cf["props"].get("origins") or []:
                if isinstance(o, dict) and o.get("domain"):
                    self.fronted.setdefault(str(o["domain"]).lower().removeprefix("dualstack."), []).append(cf)
        self.guarded: dict[str, list[dict[str, Any]]] = {}
        for acl in self.acls.values():
            for arn in acl["props"].get("associated_arns") or []:
                self.guarded.setdefault(str(arn), []).append(acl)

    def _prop_links(self, n: dict[str, Any]) -> list[dict[str, Any]]:
        """Links the collectors record as props, not edges (a group's launch template, ...)."""
        p, r = n["props"], n["region"]
        out = [self.templates.get((r, str(p.get("launch_template_id")))) if p.get("launch_template_id") else None,
               self.configs.get((r, str(p.get("launch_configuration")))) if p.get("launch_configuration") else None,
               self.profiles.get(str(p.get("instance_profile_arn"))) if p.get("instance_profile_arn") else None,
               self.key_pairs.get((r, str(p.get("key_name")))) if p.get("key_name") else None]
        for lg in [*(p.get("log_groups") or []), p.get("log_group")]:
            out.append(self.log_groups.get((r, str(lg))) if lg else None)
        if n.get("kind") == "cloudfront:distribution":
            for o in p.get("origins") or []:
                domain = str(o.get("domain") or "").lower().removeprefix("dualstack.") if isinstance(o, dict) else ""
                out.append(self.origins.get(domain))
            out.append(self.acls.get(str(p.get("web_acl"))) if p.get("web_acl") else None)
        return [x for x in out if x]

    def needs(self, n: dict[str, Any]) -> list[dict[str, Any]]:
        """What the workload needs in place: its direct dependencies and those of its definitions."""
        seen: dict[str, dict[str, Any]] = {}
        todo, depth = [n], 0
        while todo and depth < 3:
            nxt = []
            for cur in todo:
                for dep in [d for rel in DEPENDS for d in self.inv.out(cur["id"], rel)] + self._prop_links(cur):
                    if dep["id"] in seen or dep["id"] == n["id"] or dep.get("kind") in SKIP:
                        continue
                    seen[dep["id"]] = dep
                    if dep.get("kind") in THROUGH:
                        nxt.append(dep)
            todo, depth = nxt, depth + 1
        return list(seen.values())

    def touches(self, n: dict[str, Any], needs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What a change to the workload touches: what points at it (alarms, records, deployments, origins)."""
        out = {d["id"]: d for rel in TOUCHED_BY for d in self.inv.into(n["id"], rel) if d.get("kind") not in SKIP}
        p = n["props"]
        dns = str(p.get("dns_name") or p.get("domain") or "").lower().rstrip(".")
        pointing = [*self.aliased.get(dns, []), *self.fronted.get(dns, [])] if dns else []
        for d in pointing + self.guarded.get(n["id"], []):
            out[d["id"]] = d
        need_ids = {d["id"] for d in needs}
        return [d for i, d in out.items() if i not in need_ids and i != n["id"]]


def grouped(nodes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Nodes by kind with their names (sorted), the shape 11.2's cells print; two resources of one
    kind with the same name are told apart by their ids (two instances named web-app)."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for d in nodes:
        by_kind.setdefault(d.get("kind") or "external", []).append(d)
    out = {}
    for k, ds in sorted(by_kind.items()):
        names = Counter(naming.node_name(d) for d in ds)  # counted once, not once per node
        out[k] = sorted({naming.node_label(d) if names[naming.node_name(d)] > 1 else naming.node_name(d)
                         for d in ds})
    return out


def unread_links(inv: Inventory, n: dict[str, Any]) -> dict[str, list[str]]:
    """The links of a workload the scan could not read (:data:`UNREAD_LINKS`), each as
    ``unknown (why)`` under its key: a denied call is never shown as "depends on nothing"."""
    out: dict[str, list[str]] = {}
    for prop, action, key in UNREAD_LINKS.get(str(n.get("kind")), ()):
        props = n.get("props") or {}
        if props.get(prop) is not None:
            continue
        why = unread_why(inv, n, action)
        if why or prop in props:  # an older snapshot without the prop at all says nothing
            out[key] = [f"unknown ({why or action + ' not read'})"]
    return out


def dependencies(inv: Inventory) -> list[dict[str, Any]]:
    """Every workload with what it depends on (through its launch template, task definition,
    instance profile, listeners) and what a change to it touches, read from the graph; links the
    scan could not read are stated as unknown (:func:`unread_links`)."""
    w = Walker(inv)
    rows = []
    for kind in WORKLOAD_KINDS:
        if kind not in KINDS:
            continue
        for n in inv.nodes(kind):
            if kind == "ec2:instance" and n["props"].get("asg_name"):
                continue  # a group member: the group is the workload (its template, subnets, targets)
            needs = w.needs(n)
            touches = w.touches(n, needs)
            unread = unread_links(inv, n)
            if needs or touches or unread:
                rows.append({"id": n["id"], "kind": kind, "name": naming.node_name(n), "region": n["region"],
                             "area": area_of_kind(kind), "needs": {**grouped(needs), **unread},
                             "touches": grouped(touches)})
    return rows

"""High availability per VPC and tier: which AZs each tier spans and what is a single point of failure.

Tiers are what a reader of section 9.1 thinks in: the web tier (load
balancers), the app tier (Auto Scaling groups, standalone instances, ECS
services, EKS node groups), the data tier (RDS, Aurora, EFS), the cache tier
(ElastiCache) and the network (NAT gateways per AZ). Everything is derived from
props the collectors promise (vocab.KINDS); a prop that is ``None`` is reported
as unknown, never guessed.

``analysis.ha`` = ``{"vpcs": [{"id", "name", "region", "cidr", "azs", "tiers": [...],
"spofs": [...]}], "spofs": [...]}`` where a tier is ``{"tier", "label", "azs", "items"}``
and an item ``{"id", "name", "kind", "azs", "detail", "spof"}``; every SPOF is
``{"resource", "name", "vpc", "tier", "reason"}``.
"""

from __future__ import annotations

from typing import Any

from scanner.analysis.exposure import Net, _int, as_dicts, as_id, as_strs
from scanner.analysis.model import Analysis
from scanner.analysis.rules._util import count_of
from scanner.inventory import Inventory

TIERS = (("web", "Web / load balancing"), ("app", "Application / compute"), ("data", "Data"),
         ("cache", "Cache"), ("network", "Network egress (NAT)"))


def _azs(values: Any) -> list[str]:
    """AZ names from a list of strings or AWS-shaped dicts ({"ZoneName": ...})."""
    out: list[str] = []
    if not isinstance(values, list | tuple) and not hasattr(values, "__next__"):
        return out
    for v in values:
        z = v.get("ZoneName") or v.get("zone") or v.get("az") if isinstance(v, dict) else v
        if isinstance(z, str) and z and z not in out:
            out.append(z)
    return sorted(out)


class HA:
    """Builds the per-VPC availability picture."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.net = Net(inv)
        self.vpcs: dict[str, dict[str, Any]] = {}
        for v in inv.nodes("ec2:vpc"):
            vid = as_id(v["props"].get("vpc_id")) or v["id"].rsplit("/", 1)[-1]
            self.vpcs[vid] = {"id": v["id"], "name": v.get("name"), "region": v.get("region"),
                              "cidr": v["props"].get("cidr"), "azs": [], "tiers": {}, "spofs": []}
        for s in self.net.subnets.values():
            vid, az = as_id(s["props"].get("vpc_id")), as_id(s["props"].get("az"))
            if vid in self.vpcs and az:
                self.vpcs[vid]["azs"] = sorted({*self.vpcs[vid]["azs"], az})

    # -- helpers -----------------------------------------------------------
    def subnet_azs(self, node: dict[str, Any]) -> list[str]:
        return _azs(s["props"].get("az") for s in self.net.subnets_of(node))

    def vpc_of(self, node: dict[str, Any]) -> str | None:
        vid = as_id(node["props"].get("vpc_id"))
        if vid:
            return vid
        for s in self.net.subnets_of(node):
            if as_id(s["props"].get("vpc_id")):
                return str(s["props"]["vpc_id"])
        return None

    def add(self, vpc_id: str | None, tier: str, node: dict[str, Any], azs: list[str], detail: str,
            spof: str = "") -> None:
        vpc = self.vpcs.get(vpc_id or "")
        if vpc is None:
            key = f"(no VPC) {node.get('region') or ''}".strip()
            vpc = self.vpcs.setdefault(key, {"id": None, "name": key, "region": node.get("region"),
                                             "cidr": None, "azs": [], "tiers": {}, "spofs": []})
        t = vpc["tiers"].setdefault(tier, {"tier": tier, "label": dict(TIERS)[tier], "azs": [], "items": []})
        t["items"].append({"id": node["id"], "name": node.get("name"), "kind": node.get("kind"),
                           "azs": azs, "detail": detail, "spof": bool(spof)})
        t["azs"] = sorted({*t["azs"], *azs})
        if spof:
            vpc["spofs"].append({"resource": node["id"], "name": node.get("name"), "vpc": vpc["name"],
                                 "tier": tier, "reason": spof})

    # -- tiers -------------------------------------------------------------
    def web(self) -> None:
        for lb in self.inv.nodes("elbv2:load-balancer", "elb:load-balancer"):
            p = lb["props"]
            azs = _azs(p.get("azs")) or self.subnet_azs(lb)
            kind = p.get("type") or "classic"
            spof = f"{kind} load balancer in one AZ ({azs[0]})" if len(azs) == 1 else ""
            self.add(self.vpc_of(lb), "web", lb, azs, f"{kind}, {p.get('scheme') or 'scheme unknown'}", spof)

    def app(self) -> None:
        in_asg: set[str] = set()
        for asg in self.inv.nodes("autoscaling:group"):
            p = asg["props"]
            azs = _azs(p.get("azs")) or self.subnet_azs(asg)
            in_asg.update(as_strs(p.get("instance_ids")))
            detail = f"min {p.get('min')}, desired {p.get('desired')}, max {p.get('max')}"
            spof = ""
            if len(azs) == 1:
                spof = f"Auto Scaling group spans one AZ ({azs[0]})"
            elif p.get("max") == 1:
                spof = "Auto Scaling group runs at most one instance"
            self.add(self.vpc_of(asg), "app", asg, azs, detail, spof)
        for inst in self.inv.nodes("ec2:instance"):
            p = inst["props"]
            if p.get("state") not in (None, "running", "pending", "stopped") or p.get("asg_name") \
                    or as_id(p.get("instance_id")) in in_asg or self.inv.out(inst["id"], "member_of", "autoscaling:group"):
                continue
            azs = _azs([p.get("az")])
            self.add(self.vpc_of(inst), "app", inst, azs, f"standalone {p.get('instance_type') or 'instance'}",
                     "standalone instance (no Auto Scaling group): nothing replaces it if it or its AZ fails")
        for svc in self.inv.nodes("ecs:service"):
            p = svc["props"]
            azs = self.subnet_azs(svc)
            spof = ""
            if p.get("desired") == 1:
                spof = "ECS service runs one task"
            elif len(azs) == 1:
                spof = f"ECS service subnets are in one AZ ({azs[0]})"
            self.add(self.vpc_of(svc), "app", svc, azs, f"{p.get('launch_type') or 'ECS'}, desired {p.get('desired')}",
                     spof)
        for ng in self.inv.nodes("eks:nodegroup"):
            azs = self.subnet_azs(ng)
            self.add(self.vpc_of(ng), "app", ng, azs, f"EKS node group, desired {ng['props'].get('desired')}",
                     f"EKS node group in one AZ ({azs[0]})" if len(azs) == 1 else "")

    def data(self) -> None:
        replicas: dict[str, list[str]] = {}
        for db in self.inv.nodes("rds:instance"):
            src = db["props"].get("read_replica_source")
            if src:
                replicas.setdefault(str(src).rsplit(":", 1)[-1], []).append(db["props"].get("identifier") or db["id"])
        for db in self.inv.nodes("rds:instance"):
            p = db["props"]
            if p.get("cluster_id"):
                continue
            azs = _azs([p.get("az"), p.get("secondary_az")])
            reps = replicas.get(str(p.get("identifier")), [])
            detail = f"{p.get('engine')}, Multi-AZ {_yn(p.get('multi_az'))}"
            if p.get("multi_az") and not p.get("secondary_az"):
                detail += " (standby AZ not reported)"
            if reps:
                detail += f", {count_of(len(reps), 'read replica')}"
            if p.get("read_replica_source"):
                detail += f", replica of {str(p['read_replica_source']).rsplit(':', 1)[-1]}"
            spof = ""
            if p.get("multi_az") is False and not reps and not p.get("read_replica_source"):
                spof = f"database instance in one AZ ({azs[0] if azs else 'unknown AZ'}), no standby or replica"
            self.add(self.vpc_of(db), "data", db, azs, detail, spof)
        for cl in self.inv.nodes("rds:cluster"):
            p = cl["props"]
            readers = p.get("readers") if isinstance(p.get("readers"), list) else []
            azs = _azs(p.get("azs"))
            detail = f"{p.get('engine')}, {count_of(len(readers), 'reader')}"
            spof = ""
            if p.get("readers") is not None and not readers and p.get("multi_az") is not True:
                spof = "cluster has a writer and no reader in another AZ: failover has to create an instance"
            self.add(self.vpc_of(cl), "data", cl, azs, detail, spof)
        mts: dict[str, list[str]] = {}
        vpc_of_fs: dict[str, str | None] = {}
        for mt in self.inv.nodes("efs:mount-target"):
            fs = str(mt["props"].get("fs_id"))
            mts.setdefault(fs, []).append(mt["props"].get("az") or "")
            vpc_of_fs.setdefault(fs, self.vpc_of(mt))
        for fs in self.inv.nodes("efs:file-system"):
            fid = str(fs["props"].get("fs_id"))
            azs = _azs(mts.get(fid, []))
            spof = f"file system mountable in one AZ only ({azs[0]})" if len(azs) == 1 else ""
            unread = fid not in mts and any(g.get("resource") in (fs["id"], fid) and "MountTargets" in
                                            str(g.get("action")) for g in self.inv.meta.get("gaps", []))
            self.add(vpc_of_fs.get(fid), "data", fs, azs,
                     "mount targets unknown (elasticfilesystem:DescribeMountTargets not read)" if unread
                     else count_of(len(mts.get(fid, [])), "mount target"), spof)

    def cache(self) -> None:
        clusters = self.inv.nodes("elasticache:cluster")
        by_group: dict[str, list[dict[str, Any]]] = {}
        for c in clusters:
            if c["props"].get("replication_group"):
                by_group.setdefault(str(c["props"]["replication_group"]), []).append(c)
        for rg in self.inv.nodes("elasticache:replication-group"):
            p = rg["props"]
            members = by_group.get(str(p.get("id")), [])
            azs = _azs(m["props"].get("az") for m in members)
            vpc = next((self.vpc_of(m) for m in members if self.vpc_of(m)), None)
            failover = str(p.get("automatic_failover") or "").lower()
            spof = ""
            if failover in ("disabled", "false") or p.get("automatic_failover") is False:
                spof = "replication group without automatic failover"
            elif len(azs) == 1:
                spof = f"all cache nodes in one AZ ({azs[0]})"
            failover_text = "unknown" if p.get("automatic_failover") is None else (
                "on" if p.get("automatic_failover") not in (False, "disabled", "false") else "off")
            self.add(vpc, "cache", rg, azs, f"{p.get('engine')}, automatic failover {failover_text}", spof)
        for c in clusters:
            p = c["props"]
            if p.get("replication_group"):
                continue
            azs = _azs([p.get("az")])
            spof = "cache cluster without replication" if (_int(p.get("num_nodes")) or 1) <= 1 or \
                p.get("engine") == "redis" else ""
            self.add(self.vpc_of(c), "cache", c, azs, f"{p.get('engine')}, {_nodes(p.get('num_nodes'))}", spof)

    def network(self) -> None:
        """NAT gateways per AZ, and private subnets that depend on a NAT in another AZ."""
        nats = {as_id(n["props"].get("nat_id")) or n["id"].rsplit("/", 1)[-1]: n
                for n in self.inv.nodes("ec2:nat-gateway")}
        served: dict[str, set[str]] = {}
        for subnet in self.net.subnets.values():
            rt = self.net.route_table(subnet)
            for r in as_dicts((rt or {}).get("props", {}).get("routes")):
                target = str(r.get("target") or "")
                is_nat = r.get("target_type") == "nat" or target.startswith("nat-")
                if r.get("dest") == "0.0.0.0/0" and is_nat and as_id(subnet["props"].get("az")):
                    served.setdefault(target, set()).add(subnet["props"]["az"])
        for nid, nat in nats.items():
            p = nat["props"]
            az = as_id(p.get("az")) or as_id((self.net.subnet(p.get("subnet_id")) or {}).get("props", {}).get("az"))
            azs_served = sorted(served.get(nid, set()))
            others = [z for z in azs_served if z != az]
            spof = ""
            if others:
                spof = (f"NAT gateway in {az or 'unknown AZ'} is the internet egress for subnets in "
                        f"{', '.join(others)} too: if {az or 'its AZ'} fails, they lose egress")
            detail = f"in {az or 'unknown AZ'}" + (f", serves {', '.join(azs_served)}" if azs_served else "")
            self.add(as_id(p.get("vpc_id")), "network", nat, _azs([az]), detail, spof)

    def result(self) -> dict[str, Any]:
        self.web()
        self.app()
        self.data()
        self.cache()
        self.network()
        vpcs = []
        for v in sorted(self.vpcs.values(), key=lambda v: (str(v["region"]), str(v["name"]))):
            tiers = [v["tiers"][t] for t, _ in TIERS if t in v["tiers"]]
            if not tiers and v["id"] is None:
                continue
            vpcs.append({**v, "tiers": tiers})
        return {"vpcs": vpcs, "spofs": [s for v in vpcs for s in v["spofs"]]}


def _yn(v: Any) -> str:
    return "unknown" if v is None else ("yes" if v else "no")


def compute(inv: Inventory) -> dict[str, Any]:
    return HA(inv).result()


def run(inv: Inventory, analysis: Analysis, options: dict[str, Any]) -> None:
    analysis.ha = compute(inv)


def _nodes(n: Any) -> str:
    """"1 node" / "3 nodes" ("nodes unknown" when the count was not reported)."""
    k = _int(n)
    return "nodes unknown" if k is None else count_of(k, "node")

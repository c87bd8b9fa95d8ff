"""AWS_ARCHITECTURE, part 2: the links between placed items (traffic paths, not rules).

Internet -> internet gateway -> load balancer -> compute -> data store, private subnet ->
NAT gateway -> internet gateway (egress), peering and transit gateway attachments between
VPC boxes, VPN to customer gateways, services to what they call, replication between
stores. Security-group rules decide whether compute reaches a data store, but their ports
are the security diagram's business: here such a path is one unlabelled line per tier.
A link to a collapsed group keeps the members it concerns, so the scene can say "1 of 5".
"""

from __future__ import annotations

from renderers.diagrams.architecture_model import (
    BALANCER_KINDS,
    COMPUTE_KINDS,
    DATA_KINDS,
    Item,
    Model,
    _Index,
)
from scanner import naming
from scanner.inventory import Inventory

#: relations between drawn services that are traffic or data paths
SERVICE_RELS = ("integrates_with", "triggers", "aliases", "targets")


def link_all(inv: Inventory, m: Model, idx: _Index) -> None:
    """Every link of the model, in a fixed order (the DOT stays deterministic)."""
    _link_internet(inv, m)
    _link_load_balancers(inv, m)
    _link_data(inv, m)
    _link_egress(inv, m, idx)
    _link_connectivity(inv, m, idx)
    _link_services(inv, m)
    _link_replication(inv, m)


def _link_internet(inv: Inventory, m: Model) -> None:
    """Internet -> IGW -> internet-facing load balancers and public-IP instances; Internet -> edge services."""
    igw_by_vpc: dict[str, str] = {}
    for key, it in sorted(m.items.items()):
        if it.kind == "ec2:internet-gateway" and it.vpc:
            igw_by_vpc.setdefault(it.vpc, key)
    for igw in sorted(igw_by_vpc.values()):
        m.link("internet", igw, "public")
    for key, it in sorted(m.items.items()):
        igw = igw_by_vpc.get(it.vpc or "")
        if it.kind in BALANCER_KINDS:
            n = inv.node(it.members[0]) or {}
            if (n.get("props") or {}).get("scheme") == "internet-facing" and igw:
                m.link(igw, key, "public")
        elif it.kind == "ec2:instance" and igw and it.subnet and m.public.get(it.subnet):
            if any((f := inv.fact(mid, "public_ip")) is not None and f.yes for mid in it.members):
                m.link(igw, key, "public", "public IP", at="node")
        elif it.kind in ("cloudfront:distribution", "apigateway:rest-api", "apigateway:http-api"):
            m.link("internet", key, "public")
        elif it.kind == "route53:hosted-zone" and not any(
                ((inv.node(mid) or {}).get("props") or {}).get("private") for mid in it.members):
            m.link("internet", key, "public", "DNS", at="node")
    for key, it in sorted(m.items.items()):
        if it.kind == "ec2:nat-gateway" and it.vpc in igw_by_vpc:
            m.link(key, igw_by_vpc[it.vpc], "egress")
        if it.kind == "ec2:egress-only-internet-gateway":
            # labels on their lines (label nodes, scene.py): an end label may sit over the node it names
            m.link(key, "internet", "egress", "IPv6 egress", at="node")    # on its line, never over the gateway


def _link_load_balancers(inv: Inventory, m: Model) -> None:
    """Load balancer -> listener -> target group -> instances / IPs / Lambda / ASGs, drawn LB -> target.

    A balancer drawn in several subnets reaches a target from its node in the target's AZ
    (from each of its nodes when the target spans subnets or sits where it has no node)."""
    by_lb: dict[str, list[str]] = {}
    for key, it in sorted(m.items.items()):
        if it.kind in BALANCER_KINDS:
            by_lb.setdefault(it.members[0], []).append(key)
    for lb, nodes in sorted(by_lb.items()):
        targets: set[str] = set()
        groups = {tg["id"] for ls in inv.out(lb, "listens_on") for tg in inv.out(ls["id"], "targets")}
        groups.update(n["id"] for n in inv.out(lb, "targets"))
        for tg in sorted(groups):
            targets.add(tg)
            targets.update(n["id"] for n in inv.out(tg, "targets"))
            targets.update(n["id"] for n in inv.into(tg, "targets", "autoscaling:group"))
            targets.update(n["id"] for n in inv.into(tg, "targets", "ecs:service"))
        lbn = inv.node(lb) or {}
        for raw in (lbn.get("props") or {}).get("instance_ids") or []:
            targets.update(n["id"] for n in inv.by_prop("ec2:instance", "instance_id", raw))
        node_az = {k: _az(m, m.items[k]) for k in nodes}
        for t in sorted(targets):
            for dst in _compute_keys(inv, m, t):
                az = _az(m, m.items[dst])
                near = [k for k in nodes if az and node_az[k] == az] or nodes
                for key in near:
                    for member in _members_for(inv, m.items[dst], t):
                        m.link(key, dst, "traffic", dst_member=member)


def _az(m: Model, it: Item) -> str | None:
    return (m.subnets.get(it.subnet or "", {}).get("props") or {}).get("az") if it.subnet else None


def _members_for(inv: Inventory, it: Item, inv_id: str) -> list[str]:
    """The members of an item that a link to ``inv_id`` concerns (an ASG: its instances there)."""
    if inv_id in it.members:
        return [inv_id]
    inside = {n["id"] for n in inv.into(inv_id, "member_of", "ec2:instance")} & set(it.members)
    return sorted(inside) or list(it.members)


def _compute_keys(inv: Inventory, m: Model, inv_id: str) -> list[str]:
    """Items standing for a resource; an ASG stands for the items of its instances."""
    keys = list(m.keys(inv_id))
    n = inv.node(inv_id)
    if n and n.get("kind") == "autoscaling:group" and not keys:
        for inst in inv.into(inv_id, "member_of", "ec2:instance"):
            keys.extend(m.keys(inst["id"]))
    return sorted(set(keys))


def _link_data(inv: Inventory, m: Model) -> None:
    """compute -> data store where the store's security group lets the compute's group in.

    One unlabelled line per source tier (the subnet box) or spanning service: the ports and
    the rules themselves are drawn in the security diagram."""
    for key, it in sorted(m.items.items()):
        if it.kind not in DATA_KINDS:
            continue
        for member in it.members:
            for sg in inv.out(member, "protected_by", "ec2:security-group"):
                for src in inv.into(sg["id"], "allows", "ec2:security-group"):
                    for user in inv.into(src["id"], "protected_by"):
                        for ck in m.keys(user["id"]):
                            source = m.items[ck]
                            if source.kind not in COMPUTE_KINDS:
                                continue
                            if source.subnet and source.subnet == it.subnet:
                                continue      # same subnet: the box already says they sit together
                            origin = f"box:{source.subnet}" if source.subnet else ck
                            m.link(origin, key, "data", dst_member=member)


def _link_egress(inv: Inventory, m: Model, idx: _Index) -> None:
    """Private subnet -> its NAT gateway (from the subnet's route table)."""
    nat_keys = {it.members[0]: k for k, it in m.items.items() if it.kind == "ec2:nat-gateway"}
    nat_by_raw = {(inv.node(n) or {}).get("props", {}).get("nat_id"): k for n, k in nat_keys.items()}
    for t in inv.nodes("ec2:route-table"):
        nats = {nat_keys[n["id"]] for n in inv.out(t["id"], "routes_to", "ec2:nat-gateway") if n["id"] in nat_keys}
        for r in t["props"].get("routes") or []:
            if r.get("target_type") == "nat" and r.get("target") in nat_by_raw:
                nats.add(nat_by_raw[r["target"]])
        if not nats:
            continue
        subnets = {s["id"] for s in inv.out(t["id"], "associated_with", "ec2:subnet")}
        subnets.update(idx.subnet_by_raw[r] for r in t["props"].get("subnet_ids") or [] if r in idx.subnet_by_raw)
        for s in sorted(subnets):
            if not m.public.get(s):
                m.egress.setdefault(s, []).extend(m.items[n].title for n in sorted(nats))


def _link_connectivity(inv: Inventory, m: Model, idx: _Index) -> None:
    """Peering between VPC boxes, transit gateway attachments, VPN to customer gateways."""
    pairs: dict[tuple[str, str], str] = {}
    for p in inv.nodes("ec2:vpc-peering"):
        a = idx.vpc_by_raw.get(p["props"].get("requester_vpc"))
        b = idx.vpc_by_raw.get(p["props"].get("accepter_vpc"))
        a = a or _outside_vpc(m, p["props"].get("requester_vpc"), p["props"].get("requester_owner"))
        b = b or _outside_vpc(m, p["props"].get("accepter_vpc"), p["props"].get("accepter_owner"))
        if a and b:
            pairs[tuple(sorted((a, b)))] = p["props"].get("peering_id") or naming.node_name(p)
    for src, dst, _ in inv.edges("peers_with"):
        if src in idx.vpc_ids and dst in idx.vpc_ids:
            pairs.setdefault(tuple(sorted((src, dst))), "peering")
    for (a, b), label in sorted(pairs.items()):
        m.link(_vpc_end(a, idx), _vpc_end(b, idx), "peering", label)
    tgw_keys = {it.members[0]: k for k, it in m.items.items() if it.kind == "ec2:transit-gateway"}
    tgw_by_raw = {(inv.node(t) or {}).get("props", {}).get("tgw_id"): k for t, k in tgw_keys.items()}
    for att in inv.nodes("ec2:transit-gateway-attachment"):
        p = att["props"]
        tgw = tgw_by_raw.get(p.get("tgw_id"))
        tgw = tgw or next((tgw_keys[n["id"]] for n in inv.out(att["id"], "peers_with") if n["id"] in tgw_keys), None)
        vpc = idx.vpc_by_raw.get(p.get("resource_id")) if p.get("resource_type") in (None, "vpc") else None
        vpc = vpc or next((n["id"] for n in inv.into(att["id"], "peers_with", "ec2:vpc")), None)
        if tgw and vpc:
            m.link(f"box:{vpc}", tgw, "attach", "TGW attachment")
    cgws = {c["props"].get("cgw_id"): c for c in inv.nodes("ec2:customer-gateway")}
    vgw_keys = {(inv.node(it.members[0]) or {}).get("props", {}).get("vgw_id"): k
                for k, it in m.items.items() if it.kind == "ec2:vpn-gateway"}
    for vpn in inv.nodes("ec2:vpn-connection"):
        p = vpn["props"]
        cgw = cgws.get(p.get("cgw_id"))
        if not cgw:
            continue
        if cgw["id"] not in m.items:
            m.add(Item(key=cgw["id"], kind="ec2:customer-gateway", title=naming.node_name(cgw),
                       lines=["Customer gateway", cgw["props"].get("ip_address")], members=(cgw["id"],),
                       region=cgw.get("region") or "global", zone="outside"))
        src = vgw_keys.get(p.get("vgw_id")) or tgw_by_raw.get(p.get("tgw_id"))
        if src:
            m.link(src, cgw["id"], "attach", f"VPN {p.get('vpn_id') or ''}".strip(), at="node")


def _vpc_end(vpc: str, idx: _Index) -> str:
    return f"box:{vpc}" if vpc in idx.vpc_ids else vpc


def _outside_vpc(m: Model, raw: str | None, owner: str | None) -> str | None:
    if not raw:
        return None
    key = f"outside-vpc:{raw}"
    if key not in m.items:
        m.add(Item(key=key, kind="external", title=raw, lines=[f"VPC in account {owner or '?'}"],
                   members=(key,), region="global", zone="outside"))
    return key


def _link_services(inv: Inventory, m: Model) -> None:
    """Edges between drawn services: API -> function, queue -> function, DNS alias -> target, endpoints."""
    record_zone = {}
    for z in inv.nodes("route53:hosted-zone"):
        for rec in inv.out(z["id"], "contains", "route53:record"):
            record_zone[rec["id"]] = z["id"]
    for rel in SERVICE_RELS:
        for src, dst, _data in sorted(inv.edges(rel), key=lambda e: (e[0], e[1])):
            origin = record_zone.get(src, src)
            src_keys = m.keys(origin)
            if not src_keys:
                continue
            src_kind = m.items[src_keys[0]].kind
            if rel == "targets" and src_kind not in ("cloudfront:distribution",):
                continue
            balancer = any(m.items[k].kind in BALANCER_KINDS for k in m.keys(dst))
            ends = m.primary(dst) if balancer else _compute_keys(inv, m, dst)
            for s in src_keys:
                for d in ends:
                    if s != d:
                        m.link(s, d, "integration" if rel != "aliases" else "traffic",
                               src_member=origin, dst_member=dst)
    _link_cloudfront_origins(inv, m)
    _link_endpoints(inv, m)


def _link_replication(inv: Inventory, m: Model) -> None:
    """Store -> its replica (S3 replication, DynamoDB global tables, RDS read replicas, ...)."""
    for src, dst, _data in sorted(inv.edges("replicates_to"), key=lambda e: (e[0], e[1])):
        for s in m.keys(src):
            for d in m.keys(dst):
                if s != d:
                    m.link(s, d, "replication", "replicates to", src_member=src, dst_member=dst)


def _link_cloudfront_origins(inv: Inventory, m: Model) -> None:
    by_domain: dict[str, str] = {}
    for key, it in m.items.items():
        for mid in it.members:
            p = (inv.node(mid) or {}).get("props") or {}
            if it.kind == "s3:bucket" and p.get("name"):
                by_domain[f"{p['name']}.s3"] = key
            if p.get("dns_name"):
                by_domain.setdefault(str(p["dns_name"]).lower(), key)
    for key, it in sorted(m.items.items()):
        if it.kind != "cloudfront:distribution":
            continue
        for o in (inv.node(it.members[0]) or {}).get("props", {}).get("origins") or []:
            domain = str(o.get("domain") if isinstance(o, dict) else o).lower()
            for cand, dst in sorted(by_domain.items()):
                if domain == cand or domain.startswith(cand + "."):
                    m.link(key, dst, "traffic")


def _link_endpoints(inv: Inventory, m: Model) -> None:
    """Gateway/interface endpoints to the regional service they reach (S3, DynamoDB, SQS, ...)."""
    svc_kind = {"s3": "s3:bucket", "dynamodb": "dynamodb:table", "sqs": "sqs:queue", "sns": "sns:topic",
                "lambda": "lambda:function", "execute-api": "apigateway:rest-api"}
    for key, it in sorted(m.items.items()):
        if it.kind != "ec2:vpc-endpoint":
            continue
        p = (inv.node(it.members[0]) or {}).get("props") or {}
        kind = svc_kind.get(str(p.get("service_name") or "").rsplit(".", 1)[-1])
        for dst, other in sorted(m.items.items()):
            if other.kind == kind and other.region == it.region and other.zone == "regional":
                m.link(key, dst, "private")


"""Pricers for the network: NAT gateways, VPN connections, transit gateways and their attachments,
interface endpoints, load balancers, and every public IPv4 address (Elastic or not).

Public IPv4 addresses are billed per address-hour whatever holds them. Each address is priced
once: on its Elastic IP when it is one, else on the instance, NAT gateway, load balancer or
network interface that holds it (:func:`public_ipv4_lines`).
"""

from __future__ import annotations

from typing import Any

from scanner.analysis.prices import PriceBook
from scanner.analysis.pricing import CostContext, Line, Pricer, Result, hours_line
from scanner.plural import count_of

GONE = ("deleted", "deleting", "failed", "rejected", "pending-acceptance")
PUBLIC_IPV4 = "VPC (public IPv4)"


def _gone(n: dict[str, Any]) -> bool:
    return str(n["props"].get("state") or "available").lower() in GONE


def price_nat(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    if _gone(n):
        return None
    r = hours_line(pb, n["region"], "nat_gateway_hourly", "NAT gateway")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (data processing not estimated)")
    return r


def price_vpn(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    if _gone(n):
        return None
    r = hours_line(pb, n["region"], "vpn_connection_hourly", "Site-to-Site VPN connection")
    if isinstance(r, Line):
        r = Line(r.monthly, r.detail + " (data transfer out not estimated)")
    return r


def price_tgw(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """A transit gateway has no hourly charge of its own: each attachment is billed (and data processed)."""
    if _gone(n):
        return None
    attached = [a for a in (ctx.nodes("ec2:transit-gateway-attachment") if ctx else [])
                if a["props"].get("tgw_id") == n["props"].get("tgw_id") and not _gone(a)]
    return Line(0.0, f"no hourly charge of its own; {count_of(attached, 'attachment')} priced separately "
                     "(data processing per GB not estimated)")


def price_tgw_attachment(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    if _gone(n):
        return None
    kind = n["props"].get("resource_type") or "?"
    r = hours_line(pb, n["region"], "transit_gateway_attachment_hourly", f"transit gateway attachment ({kind})")
    return r


def price_endpoint(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    """Interface and Gateway Load Balancer endpoints are billed per AZ (one network interface each);
    gateway endpoints (S3, DynamoDB) are free."""
    p = n["props"]
    etype = p.get("endpoint_type") or ""
    if _gone(n) or etype.lower() == "gateway":
        return None
    azs = len(p.get("eni_ids") or []) or len(p.get("subnet_ids") or [])
    if not azs:
        return f"{etype or 'unknown type'} endpoint with no subnets read: the AZ count is unknown"
    r = hours_line(pb, n["region"], "vpc_endpoint_az_hourly", f"{etype} endpoint", sub=etype, count=azs, unit="AZ")
    if isinstance(r, str):
        return f"no price for {etype or 'unknown type'} endpoints in {n['region']}"
    return Line(r.monthly, r.detail + " (data processed not estimated)")


def price_lb(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    lb_type = "classic" if n["kind"] == "elb:load-balancer" else (n["props"].get("type") or "application")
    hourly = pb.per_month("load_balancer_hourly", n["region"], lb_type)
    if hourly is None:
        return f"no price for {lb_type} load balancers in {n['region']}"
    return hourly * pb.hours, f"{lb_type} load balancer, {pb.hours} h at ${hourly:.4f}/h (capacity units not estimated)"


def price_eip(n: dict[str, Any], pb: PriceBook, ctx: CostContext | None = None) -> Result:
    hourly = pb.per_month("public_ipv4_hourly", n["region"])
    if hourly is None:
        return f"no public IPv4 price for {n['region']}"
    state = "idle" if not n["props"].get("association_id") else "in use"
    return hourly * pb.hours, f"public IPv4 address ({state}), {pb.hours} h at ${hourly:.4f}/h"


def _ipv4_line(pb: PriceBook, region: str, ips: list[str], how: str) -> Line | None:
    hourly = pb.per_month("public_ipv4_hourly", region)
    if hourly is None or not ips:
        return None
    return Line(hourly * pb.hours * len(ips), f"{count_of(ips, 'public IPv4 address')} ({how}), "
                                              f"{pb.hours} h at ${hourly:.4f}/h each",
                service=PUBLIC_IPV4, label="public IPv4")


def _lb_of_eni(eni: dict[str, Any], lbs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The load balancer a managed interface belongs to (its description: ``ELB app/<name>/<id>``)."""
    desc = str(eni["props"].get("description") or "")
    if not desc.startswith("ELB "):
        return None
    for lb in lbs:
        name = str(lb["props"].get("name") or lb["name"])
        if f"/{name}/" in desc or desc == f"ELB {name}":
            return lb
    return None


def public_ipv4_lines(ctx: CostContext, pb: PriceBook) -> list[tuple[dict[str, Any], Line]]:
    """Every public IPv4 address that is not an Elastic IP, priced once on what holds it.

    Instances (running), NAT gateways' secondary addresses and network interfaces carry
    theirs; an internet-facing load balancer with no interface in the scan is counted as one
    address per AZ (how ALBs and CLBs are placed), stated as an estimate.
    """
    seen = set(ctx.eip_ips)
    out: list[tuple[dict[str, Any], Line]] = []

    def add(owner: dict[str, Any], ips: list[str], how: str) -> None:
        fresh = [ip for ip in dict.fromkeys(ips) if ip and ip not in seen]
        seen.update(fresh)
        line = _ipv4_line(pb, owner["region"], fresh, how)
        if line:
            out.append((owner, line))

    for i in ctx.nodes("ec2:instance"):
        if str(i["props"].get("state") or "running").lower() == "running" and i["props"].get("public_ip"):
            add(i, [str(i["props"]["public_ip"])], "auto-assigned")
    for nat in ctx.nodes("ec2:nat-gateway"):
        if not _gone(nat):
            add(nat, [str(x) for x in nat["props"].get("public_ips") or [nat["props"].get("public_ip")] if x],
                "NAT gateway addresses that are not Elastic IPs")
    lbs = ctx.nodes("elbv2:load-balancer") + ctx.nodes("elb:load-balancer")
    lbs_with_enis: set[str] = set()
    by_owner: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for eni in ctx.nodes("ec2:network-interface"):
        ip = eni["props"].get("public_ip")
        if not ip or ip in seen:
            continue
        lb = _lb_of_eni(eni, lbs)
        owner = lb or eni
        if lb:
            lbs_with_enis.add(lb["id"])
        by_owner.setdefault(owner["id"], (owner, []))[1].append(str(ip))
    for owner, ips in by_owner.values():
        add(owner, ips, "on its network interfaces" if owner["kind"] != "ec2:network-interface"
            else f"attached to {owner['props'].get('attached_to') or 'nothing'}")
    for lb in lbs:
        p = lb["props"]
        if lb["id"] in lbs_with_enis or str(p.get("scheme") or "") != "internet-facing":
            continue
        if lb["kind"] == "elbv2:load-balancer" and (p.get("type") or "application") not in ("application",):
            continue  # an NLB's addresses are its Elastic IPs or interfaces; without them, nothing to count
        azs = len(p.get("azs") or []) or len(p.get("subnet_ids") or [])
        hourly = pb.per_month("public_ipv4_hourly", lb["region"])
        if azs and hourly is not None:
            out.append((lb, Line(hourly * pb.hours * azs,
                                 f"{count_of(azs, 'public IPv4 address')} (internet-facing, estimated one per AZ), "
                                 f"{pb.hours} h at ${hourly:.4f}/h each", service=PUBLIC_IPV4, label="public IPv4")))
    return out


PRICERS: dict[str, Pricer] = {
    "ec2:nat-gateway": price_nat, "ec2:vpn-connection": price_vpn, "ec2:transit-gateway": price_tgw,
    "ec2:transit-gateway-attachment": price_tgw_attachment, "ec2:vpc-endpoint": price_endpoint,
    "elbv2:load-balancer": price_lb, "elb:load-balancer": price_lb, "ec2:elastic-ip": price_eip,
}

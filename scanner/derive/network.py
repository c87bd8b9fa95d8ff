"""Network facts that need two collectors' records: subnet routing, NACLs, NAT AZs, peering routes.

A subnet is *public* when the route table it uses (its explicit association,
else its VPC's main table) sends 0.0.0.0/0 or ::/0 to an internet gateway.
The subnet collector cannot know that and the route-table collector does not
know the implicit (main-table) members, so it is resolved here, after merge.
"""

from __future__ import annotations

from typing import Any

from scanner.derive import deriver
from scanner.inventory import Edge, Inventory

DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")


def _props(inv: Inventory, nid: str) -> dict[str, Any]:
    return inv.graph.nodes[nid].setdefault("props", {})


def route_table_is_public(routes: list[dict[str, Any]] | None) -> bool:
    """True when a default route (IPv4 or IPv6) goes to an internet gateway and is not a blackhole."""
    return any(r.get("dest") in DEFAULT_ROUTES and r.get("target_type") == "igw"
               and r.get("state") != "blackhole" for r in routes or [])


def _route_tables(inv: Inventory) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    """(explicit: (region, subnet id) -> table, main: (region, vpc id) -> table)."""
    explicit: dict[tuple[str, str], dict[str, Any]] = {}
    main: dict[tuple[str, str], dict[str, Any]] = {}
    for rt in inv.nodes("ec2:route-table"):
        p = rt["props"]
        for sid in p.get("subnet_ids") or []:
            explicit[(rt["region"], sid)] = rt
        if p.get("main") and p.get("vpc_id"):
            main[(rt["region"], p["vpc_id"])] = rt
    return explicit, main


@deriver
def subnet_routing(inv: Inventory) -> None:
    """Fill each subnet's route_table_id and public flag; draw the main table's implicit associations."""
    if not inv.nodes("ec2:route-table"):
        return  # route tables not read: public stays None (unknown), never guessed
    explicit, main = _route_tables(inv)
    for s in inv.nodes("ec2:subnet"):
        p = s["props"]
        rt = explicit.get((s["region"], p.get("subnet_id")))
        implicit = rt is None
        if implicit:
            rt = main.get((s["region"], p.get("vpc_id")))
        if rt is None:
            continue
        props = _props(inv, s["id"])
        props["route_table_id"] = rt["props"].get("route_table_id")
        props["route_table_implicit"] = implicit
        props["public"] = route_table_is_public(rt["props"].get("routes"))
        if implicit:
            inv.add_edge(Edge(rt["id"], s["id"], "associated_with", {"implicit": True}))


@deriver
def subnet_nacls(inv: Inventory) -> None:
    """Fill each subnet's network_acl_id from the NACLs' associations."""
    by_subnet = {(n["region"], sid): n["props"].get("nacl_id")
                 for n in inv.nodes("ec2:network-acl") for sid in n["props"].get("subnet_ids") or []}
    for s in inv.nodes("ec2:subnet"):
        nacl = by_subnet.get((s["region"], s["props"].get("subnet_id")))
        if nacl:
            _props(inv, s["id"])["network_acl_id"] = nacl


@deriver
def nat_gateway_azs(inv: Inventory) -> None:
    """DescribeNatGateways has no AZ: take it from the NAT's subnet."""
    subnets = {(s["region"], s["props"].get("subnet_id")): s["props"] for s in inv.nodes("ec2:subnet")}
    for n in inv.nodes("ec2:nat-gateway"):
        sp = subnets.get((n["region"], n["props"].get("subnet_id")))
        if sp and not n["props"].get("az"):
            _props(inv, n["id"])["az"] = sp.get("az")


@deriver
def peering_routes(inv: Inventory) -> None:
    """Point routes to a cross-region peering at the one peering node (keyed in the requester region).

    A route table in the accepter region names only ``pcx-...``, so its edge
    lands on a placeholder in its own region; move it to the real node.
    """
    real = {n["props"].get("peering_id"): n["id"] for n in inv.nodes("ec2:vpc-peering")}
    for node in inv.nodes("external", include_external=True):
        nid = node["id"]
        if ":vpc-peering-connection/" not in nid:
            continue
        target = real.get(nid.rsplit("/", 1)[-1])
        if not target or target == nid:
            continue
        for src, _, data in list(inv.graph.in_edges(nid, data=True)):
            inv.add_edge(Edge(src, target, data["rel"], dict(data.get("props") or {})))
        if inv.graph.out_degree(nid) == 0:
            inv.graph.remove_node(nid)


@deriver
def service_interfaces(inv: Inventory) -> None:
    """Name the owner of NAT-gateway and interface-endpoint ENIs, which AWS reports only on the owner.

    An emulator (and older API versions) may report these as plain
    ``interface`` ENIs with no attachment; exposure analysis would then take a
    NAT's public IP for a host.
    """
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for n in inv.nodes("ec2:nat-gateway"):
        for eni in n["props"].get("eni_ids") or []:
            owners[(n["region"], eni)] = ("nat_gateway", n["props"].get("nat_id"))
    for e in inv.nodes("ec2:vpc-endpoint"):
        for eni in e["props"].get("eni_ids") or []:
            owners[(e["region"], eni)] = ("vpc_endpoint", e["props"].get("endpoint_id"))
    for eni in inv.nodes("ec2:network-interface"):
        owner = owners.get((eni["region"], eni["props"].get("eni_id")))
        if not owner:
            continue
        props = _props(inv, eni["id"])
        if props.get("interface_type") in (None, "interface"):
            props["interface_type"] = owner[0]
        if not props.get("attached_to"):
            props["attached_to"] = owner[1]

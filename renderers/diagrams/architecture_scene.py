"""AWS_ARCHITECTURE, part 3: the model drawn as a scene (boxes, nodes, edges, legend).

Boxes nest account > region > VPC > availability zone > subnet; public and private subnets
are styled apart from the judged ``public`` fact (a subnet whose routes could not be read is
"public/private unknown"). Inside each AZ the tiers stack public -> compute -> data, and the
things that span subnets sit at the tier they serve, so the picture reads from the internet
down to the data. The overview (large accounts) draws one node per VPC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from renderers.diagrams import collapse as cl
from renderers.diagrams import style as st
from renderers.diagrams.architecture_model import BALANCER_KINDS, COMPUTE_KINDS, DATA_KINDS, Item, Link, Model
from renderers.plural import count_of
from scanner import naming
from scanner.inventory import Inventory


def _account_box(inv: Inventory, scene: st.Scene) -> st.Box:
    accounts = inv.nodes("aws:account")
    if accounts:
        a = accounts[0]
        label = st.box_title("account", naming.node_name(a), a["props"].get("account_id"))
        return scene.box(None, a["id"], "account", label)
    acct = inv.meta.get("account") or ""
    return scene.box(None, f"account/{acct}", "account", st.box_title("account", acct or "(unknown)"))


def _region_box(scene: st.Scene, parent: st.Box, region: str) -> st.Box:
    if region == "global":
        return scene.box(parent, "global-services", "services", st.html_label("Global services"), sort_key="~")
    return scene.box(parent, f"region/{region}", "region", st.box_title("region", region), sort_key=region)


def _empty_vpc_node(scene: st.Scene, region: st.Box, vpc: dict[str, Any], m: Model) -> None:
    """A VPC with no drawable resources is one node (its subnets counted), not a box of empty boxes."""
    raw = vpc["props"].get("vpc_id")
    subnets = [s for s in m.subnets.values() if s["props"].get("vpc_id") == raw]
    azs = {s["props"].get("az") for s in subnets if s["props"].get("az")}
    extra = "default VPC · " if vpc["props"].get("is_default") else ""
    label = st.html_label(f"VPC {naming.node_name(vpc)}", f"{raw or ''} · {vpc['props'].get('cidr') or ''}",
                          f"{extra}{st.count_words('ec2:subnet', len(subnets))} · {count_of(azs, 'AZ', zero='0')} · empty")
    attrs = st.node_attrs("ec2:vpc")
    attrs["style"] = "filled,dashed"
    scene.node(region, vpc["id"], label, attrs, members=(vpc["id"],), kind="ec2:vpc")


def _subnet_style(public: bool | None) -> str:
    return {True: "subnet_public", False: "subnet_private"}.get(public, "subnet_unknown")


def _vpc_box(scene: st.Scene, region_box: st.Box, vpc: dict[str, Any]) -> st.Box:
    p = vpc["props"]
    extra = " · default VPC" if p.get("is_default") else ""
    label = st.box_title("vpc", naming.node_name(vpc), f"{p.get('vpc_id') or ''} · {p.get('cidr') or ''}{extra}")
    return scene.box(region_box, vpc["id"], "vpc", label)


def _subnet_label(s: dict[str, Any], public: bool | None, egress: list[str] | None = None,
                  why: str = "") -> str:
    p = s["props"]
    route = "default route: internet gateway" if public else (
        f"egress via {', '.join(sorted(set(egress)))}" if egress else "")
    if public is None:
        route = f"not known: {why}" if why else "not known"
    return st.box_title(_subnet_style(public), naming.node_name(s), p.get("cidr") or "", p.get("subnet_id") or "",
                        route)


def render_scene(inv: Inventory, m: Model, only_vpc: str | None = None) -> st.Scene:
    """The scene of the model; with ``only_vpc``, one VPC plus what its edges reach."""
    scene = st.Scene()
    account = _account_box(inv, scene)
    vpc_by_id = {v["id"]: v for v in m.vpcs}
    vpc_boxes: dict[str, st.Box] = {}
    subnet_boxes: dict[str, st.Box] = {}
    ix = _index(m)
    wanted = _wanted_items(m, only_vpc)
    occupied_vpcs = ix.occupied_vpcs
    for vpc in m.vpcs:
        if only_vpc and vpc["id"] != only_vpc:
            continue
        region = _region_box(scene, account, vpc.get("region") or "global")
        if vpc["id"] in occupied_vpcs or only_vpc:
            vpc_boxes[vpc["id"]] = _vpc_box(scene, region, vpc)
        else:
            _empty_vpc_node(scene, region, vpc, m)
    # subnets: a box when something is in them, a subnet-styled node when empty
    occupied = ix.occupied_subnets
    placed, by_vpc = _subnets_by_vpc(inv, m, vpc_by_id)
    rows = placed if only_vpc is None else [(sid, only_vpc) for sid in by_vpc.get(only_vpc, ())]
    # the subnets of the VPCs drawn as boxes, in the model's order: what the layout steps read
    drawn_subnets = sorted((sid for sid, vpc in rows if vpc in vpc_boxes), key=ix.subnet_order.__getitem__)
    for sid, vpc in rows:
        s = m.subnets[sid]
        if vpc not in vpc_boxes:
            continue
        az = s["props"].get("az") or "unknown AZ"
        az_box = scene.box(vpc_boxes[vpc], f"{vpc}/az/{az}", "az", st.box_title("az", az), sort_key=az)
        public = m.public.get(sid)
        if sid in occupied:
            subnet_boxes[sid] = scene.box(az_box, sid, _subnet_style(public), _subnet_label(s, public, m.egress.get(sid), m.public_why.get(sid, "")),
                                          sort_key=_tier_order(public, s))
        else:
            attrs = st.box_attrs(_subnet_style(public), "")
            for k in ("label", "margin", "labeljust"):
                attrs.pop(k, None)
            attrs.update(shape="box", style="filled,dashed", fontsize="9")
            scene.node(az_box, sid, _subnet_label(s, public, m.egress.get(sid), m.public_why.get(sid, "")), attrs, members=(sid,), kind="ec2:subnet")
    node_of: dict[str, str] = {}
    for key in sorted(wanted):
        it = m.items[key]
        box = _item_box(scene, account, it, vpc_boxes, subnet_boxes)
        attrs = st.node_attrs(it.kind, exposed=it.exposed, reached=it.reached, finding=it.finding,
                              collapsed=it.collapsed)
        node_of[key] = scene.node(box, key, st.html_label(it.title, *it.lines), attrs,
                                  members=it.members, kind=it.kind, icon=_icon(inv, it))
    if any(link.src == "internet" or link.dst == "internet" for link in m.links):
        node_of["internet"] = scene.node(None, "internet", st.html_label("Internet"), st.node_attrs("internet"),
                                         members=("internet",), kind="internet")
    stacks = _stack_tiers(scene, m, subnet_boxes, node_of, drawn_subnets)
    mine = _own_ends(m, only_vpc) if only_vpc else None
    for link in (m.links if mine is None else ix.links_at(mine)):
        _draw_link(scene, link, node_of, subnet_boxes, vpc_boxes, m, only_vpc)
    _legend(scene, m)
    _arrange(scene, m, node_of, vpc_boxes, subnet_boxes, stacks, drawn_subnets)
    return scene


@dataclass
class _ModelIndex:
    """What every VPC's part reads of the whole model, worked out once per model: a VPC's part
    then costs what that VPC holds, not what the account holds (the parts of a large account
    read every item, subnet and link of it once each, which grew with the square of it)."""

    occupied_vpcs: set[str]
    occupied_subnets: set[str]
    #: VPC (graph id) -> its item keys
    items_of: dict[str | None, set[str]]
    #: raw VPC id -> its subnet ids (by the subnet's ``vpc_id`` prop)
    subnets_of_raw: dict[Any, set[str]]
    #: subnet -> its position in ``m.subnets`` (the order the layout steps read subnets in)
    subnet_order: dict[str, int]
    #: link end -> positions in ``m.links`` of the links that start or end there
    link_ends: dict[str, list[int]]
    links: list[Link]
    vpc_ids: set[str]
    sorted_keys: list[str]

    def links_at(self, ends: set[str]) -> list[Link]:
        """The links with an end in ``ends``, in the model's order."""
        found = sorted({i for end in ends for i in self.link_ends.get(end, ())})
        return [self.links[i] for i in found]


def _index(m: Model) -> _ModelIndex:
    found = m.cache.get("index")
    if found is None:
        items_of: dict[str | None, set[str]] = defaultdict(set)
        for k, it in m.items.items():
            items_of[it.vpc].add(k)
        subnets_of_raw: dict[Any, set[str]] = defaultdict(set)
        for sid, sub in m.subnets.items():
            subnets_of_raw[sub["props"].get("vpc_id")].add(sid)
        link_ends: dict[str, list[int]] = defaultdict(list)
        for i, link in enumerate(m.links):
            link_ends[link.src].append(i)
            if link.dst != link.src:
                link_ends[link.dst].append(i)
        found = m.cache["index"] = _ModelIndex(
            {it.vpc for it in m.items.values() if it.vpc}, {it.subnet for it in m.items.values() if it.subnet},
            dict(items_of), dict(subnets_of_raw), {sid: i for i, sid in enumerate(m.subnets)}, dict(link_ends),
            list(m.links), {v["id"] for v in m.vpcs}, sorted(m.items))
    return found


#: rows of a grid of unrelated services (regional services, VPC-wide gateways and endpoints)
GRID_ROWS = 4


def _arrange(scene: st.Scene, m: Model, node_of: dict[str, str], vpc_boxes: dict[str, st.Box],
             subnet_boxes: dict[str, st.Box], stacks: list[list[list[str]]], drawn_subnets: list[str]) -> None:
    """Top to bottom: the internet and what is outside the account, global services, then per
    region its services and its VPCs, the legend last (scene.Scene.stack), so the picture is a
    column that reads at page width instead of one very wide row. Unrelated services and the
    VPC-wide gateways and endpoints form small grids."""
    outside = [node_of["internet"]] if "internet" in node_of else []
    global_, beyond, by_region, in_vpc = [], [], defaultdict(list), defaultdict(list)
    gateways: dict[str, list[str]] = defaultdict(list)
    drawn_keys = sorted(k for k in node_of if k in m.items)       # the items drawn, in key order
    for key in drawn_keys:
        it, nid = m.items[key], node_of[key]
        if it.zone == "outside":
            (outside if it.kind == "internet" else beyond).append(nid)
        elif it.zone == "global":
            global_.append(nid)
        elif it.zone == "regional" or not it.vpc or it.vpc not in vpc_boxes:
            by_region[it.region].append(nid)
        else:
            in_vpc[it.region].append(nid)
            if it.zone == "vpc" and it.kind not in COMPUTE_KINDS | DATA_KINDS | BALANCER_KINDS \
                    and it.kind != "ec2:internet-gateway":
                gateways[it.vpc].append(nid)
    for vpc in m.vpcs:                     # empty VPCs and subnets drawn as nodes
        nid = st.dot_id(vpc["id"])
        if nid in scene.nodes and vpc["id"] not in vpc_boxes:
            by_region[vpc.get("region") or "global"].append(nid)
    for sid in drawn_subnets:
        nid = st.dot_id(sid)
        if nid in scene.nodes and scene.nodes[nid].kind == "ec2:subnet":
            in_vpc[m.subnets[sid].get("region") or "global"].append(nid)
    for nodes in by_region.values():
        scene.column(_unlinked(scene, nodes), GRID_ROWS)
    for _vpc, nodes in sorted(gateways.items()):
        scene.column(nodes, GRID_ROWS)
    for box in subnet_boxes.values():       # a subnet's nodes one above the other, not in a row
        scene.column(_unlinked(scene, sorted(box.nodes)), GRID_ROWS)
    spanning = [node_of[k] for k in drawn_keys if m.items[k].zone == "vpc" and m.items[k].kind in COMPUTE_KINDS]
    scene.column(_unlinked(scene, spanning), 2)
    for levels in stacks:                   # each AZ: public, then compute, then data, whole tiers
        scene.stack(levels)
    # the region with the most in it first: that is where the account lives
    regions = sorted(set(by_region) | set(in_vpc), key=lambda r: (-len(in_vpc[r]) - len(by_region[r]), r))
    bands = [outside, global_]
    for r in regions:
        bands += [by_region[r], in_vpc[r]]
    bands += [beyond, ["legend"]]        # customer gateways and other accounts' VPCs below
    scene.stack(bands)


def _unlinked(scene: st.Scene, nodes: list[str]) -> list[str]:
    """The nodes with no drawn edge among them (linked ones are laid out by their edges)."""
    inside = set(nodes)
    linked = {end for e in scene.edges.values() if e.role != "invisible" and e.src in inside and e.dst in inside
              for end in (e.src, e.dst)}
    return [n for n in nodes if n not in linked]


def _subnet_tier(m: Model, sid: str) -> int:
    """0 public, 1 compute, 2 data, 3 other: the order subnets stack in inside an AZ box."""
    if m.public.get(sid):
        return 0
    kinds = {it.kind for it in m.items.values() if it.subnet == sid}
    if kinds & COMPUTE_KINDS:
        return 1
    return 2 if kinds & DATA_KINDS else 3


def _stack_tiers(scene: st.Scene, m: Model, subnet_boxes: dict[str, st.Box],
                 node_of: dict[str, str], drawn_subnets: list[str]) -> list[list[list[str]]]:
    """Invisible edges public -> compute -> data inside each AZ, so tiers stack along the rank
    direction and AZs sit side by side (the usual way AWS diagrams are drawn). Things drawn at
    VPC level (spanning subnets) join the tier they serve, so they sit beside it."""
    by_az: dict[tuple[str, str], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for sid, box in sorted(subnet_boxes.items()):
        s = m.subnets[sid]["props"]
        by_az[(str(s.get("vpc_id")), str(s.get("az")))][_subnet_tier(m, sid)].extend(sorted(box.nodes))
    for sid in sorted(drawn_subnets):
        nid = st.dot_id(sid)
        if sid not in subnet_boxes and nid in scene.nodes:     # an empty subnet drawn as a node
            s = m.subnets[sid]["props"]
            by_az[(str(s.get("vpc_id")), str(s.get("az")))][0 if m.public.get(sid) else 3].append(nid)
    spanning: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key in sorted(k for k in node_of if k in m.items):
        it = m.items[key]
        if it.zone == "vpc" and it.vpc:
            tier = 1 if it.kind in COMPUTE_KINDS else 2 if it.kind in DATA_KINDS else 0
            spanning[it.vpc][tier].append(node_of[key])
    raw_of = {v["id"]: str(v["props"].get("vpc_id")) for v in m.vpcs}
    for vpc, tiers in sorted(spanning.items()):
        first_az = next((k for k in sorted(by_az) if k[0] == raw_of.get(vpc)), None)
        if first_az is None:
            continue
        for tier, nodes in tiers.items():
            by_az[(first_az[0], f"~span{tier}")][tier].extend(nodes)
            above = by_az[first_az].get(tier - 1) if tier else None
            if above:
                by_az[(first_az[0], f"~span{tier}")][tier - 1].extend(above[:1])
            below = by_az[first_az].get(tier + 1)
            if below:
                by_az[(first_az[0], f"~span{tier}")][tier + 1].extend(below[:1])
    stacks: list[list[list[str]]] = []
    for az_key, tiers in sorted(by_az.items()):
        levels = [tiers[t] for t in sorted(tiers) if tiers[t]]
        if not az_key[1].startswith("~"):
            stacks.append(levels)        # stacked whole, once the subnets' own columns exist
            continue
        for upper, lower in zip(levels, levels[1:], strict=False):
            for b in lower:          # a spanning item below one node of the tier above it
                scene.edge(upper[0], b, "invisible")
    return stacks


def _tier_order(public: bool | None, s: dict[str, Any]) -> str:
    return f"{0 if public else 1 if public is False else 2}-{naming.node_name(s)}-{s['id']}"


def _subnets_by_vpc(inv: Inventory, m: Model, vpc_by_id: dict[str, dict[str, Any]]
                    ) -> tuple[list[tuple[str, str | None]], dict[str | None, list[str]]]:
    """(subnet, its VPC) in subnet order, and each VPC's subnets in that order: worked out once per
    model, not once per VPC's diagram (which read every subnet of the account each time)."""
    found = m.cache.get("subnets_by_vpc")
    if found is None:
        placed = [(sid, _subnet_vpc(inv, s, vpc_by_id)) for sid, s in sorted(m.subnets.items())]
        by_vpc: dict[str | None, list[str]] = defaultdict(list)
        for sid, vpc in placed:
            by_vpc[vpc].append(sid)
        found = m.cache["subnets_by_vpc"] = (placed, dict(by_vpc))
    return found


def _subnet_vpc(inv: Inventory, s: dict[str, Any], vpc_by_id: dict[str, dict[str, Any]]) -> str | None:
    parents = inv.into(s["id"], "contains", "ec2:vpc")
    if parents:
        return parents[0]["id"]
    raw = s["props"].get("vpc_id")
    for vid, v in vpc_by_id.items():
        if v["props"].get("vpc_id") == raw:
            return vid
    return None


def _own_ends(m: Model, vpc: str) -> set[str]:
    """Link ends that belong to one VPC: its box, its subnets' boxes, its items."""
    raw = next((v["props"].get("vpc_id") for v in m.vpcs if v["id"] == vpc), None)
    ix = _index(m)
    ends = {f"box:{vpc}"} | ix.items_of.get(vpc, set())
    ends |= {f"box:{sid}" for sid in ix.subnets_of_raw.get(raw, ())}
    return ends


def _wanted_items(m: Model, only_vpc: str | None) -> set[str]:
    """Items of the diagram: all of them, or one VPC's plus the outside things linked to it."""
    if not only_vpc:
        return set(m.items)
    mine = _own_ends(m, only_vpc)
    inside = set(_index(m).items_of.get(only_vpc, set()))
    extra = set()
    for link in _index(m).links_at(mine):
        for a, b in ((link.src, link.dst), (link.dst, link.src)):
            if a in mine and b in m.items and m.items[b].vpc in (None, only_vpc):
                extra.add(b)
    return inside | extra


def _item_box(scene: st.Scene, account: st.Box, it: Item, vpc_boxes: dict[str, st.Box],
              subnet_boxes: dict[str, st.Box]) -> st.Box | None:
    if it.zone == "subnet" and it.subnet in subnet_boxes:
        return subnet_boxes[it.subnet]
    if it.zone in ("subnet", "vpc") and it.vpc in vpc_boxes:
        return vpc_boxes[it.vpc]
    if it.zone == "outside":
        return None
    region = _region_box(scene, account, "global" if it.zone == "global" else it.region)
    if it.zone == "regional" and it.kind != "ec2:transit-gateway":
        return scene.box(region, f"region/{it.region}/services", "services",
                         st.html_label("Regional services", "outside the VPCs"), sort_key="~")
    return region


def _draw_link(scene: st.Scene, link: Link, node_of: dict[str, str], subnet_boxes: dict[str, st.Box],
               vpc_boxes: dict[str, st.Box], m: Model, only_vpc: str | None) -> None:
    """Draw one model link; a ``box:`` end becomes a compound edge clipped at that box."""
    attrs: dict[str, str] = {}
    ends: list[str] = []
    vpc_ids = _index(m).vpc_ids
    for end, side in ((link.src, "ltail"), (link.dst, "lhead")):
        rid = end[4:] if end.startswith("box:") else end
        box = subnet_boxes.get(rid) or vpc_boxes.get(rid) if end.startswith("box:") else None
        if box is not None:
            anchor = scene.first_node(box)
            if anchor is None:
                return
            attrs[side] = box.id
            ends.append(anchor)
            continue
        nid = node_of.get(end) or (st.dot_id(rid) if st.dot_id(rid) in scene.nodes else None)
        if nid is None and only_vpc and rid in vpc_ids:
            nid = _stub_vpc(scene, rid, m)
        if nid is None:
            return
        ends.append(nid)
    if attrs.get("ltail") and attrs.get("ltail") == attrs.get("lhead"):
        return
    scene.edge(ends[0], ends[1], link.role, link_label(link, m), link.at, **attrs)


def link_label(link: Link, m: Model) -> str:
    """The link's label, with "N of M" where only some members of a collapsed group have it."""
    parts = [link.label] if link.label else []
    for end, members in ((link.src, link.src_members), (link.dst, link.dst_members)):
        it = m.items.get(end)
        if it is not None and it.collapsed and members and len(members) < len(it.members):
            parts.append(f"{len(members)} of {len(it.members)}")
    return " · ".join(parts)


def _stub_vpc(scene: st.Scene, vpc_id: str, m: Model) -> str:
    vpc = next(v for v in m.vpcs if v["id"] == vpc_id)
    label = st.html_label(f"VPC {naming.node_name(vpc)}", f"{vpc['props'].get('cidr') or ''} · see its own diagram")
    return scene.node(None, vpc_id, label, st.node_attrs("ec2:vpc"), members=(vpc_id,), kind="ec2:vpc")


def overview_scene(inv: Inventory, m: Model) -> st.Scene:
    """One node per VPC (with counts), gateways to the internet, peering/TGW, regional services."""
    scene = st.Scene()
    account = _account_box(inv, scene)
    node_of: dict[str, str] = {}
    with_igw = {it.vpc for it in m.items.values() if it.kind == "ec2:internet-gateway"}
    # beyond a few, one edge per VPC from the internet only adds clutter: the label says it instead
    igw_edges = len(with_igw) <= cl.OVERVIEW_INTERNET_EDGES
    for vpc in m.vpcs:
        region = _region_box(scene, account, vpc.get("region") or "global")
        inside = [it for it in m.items.values() if it.vpc == vpc["id"]]
        subnets = [s for s in m.subnets.values() if s["props"].get("vpc_id") == vpc["props"].get("vpc_id")]
        azs = sorted({s["props"].get("az") for s in subnets if s["props"].get("az")})
        public = sum(1 for s in subnets if m.public.get(s["id"]))
        unknown = sum(1 for s in subnets if m.public.get(s["id"]) is None)
        split = f"{public} public" + (f", {unknown} not known" if unknown else "")
        counts = _kind_counts(inside)
        label = st.html_label(f"VPC {naming.node_name(vpc)}", f"{vpc['props'].get('vpc_id') or ''} · {vpc['props'].get('cidr') or ''}",
                              f"{st.count_words('ec2:subnet', len(subnets))} ({split}) · {count_of(azs, 'AZ', zero='0')}"
                              + (" · internet gateway" if vpc["id"] in with_igw else ""), *counts)
        exposed = any(it.exposed or it.reached for it in inside)
        node_of[f"box:{vpc['id']}"] = scene.node(region, vpc["id"], label,
                                                  st.node_attrs("ec2:vpc", exposed=exposed),
                                                  members=(vpc["id"],), kind="ec2:vpc")
        if igw_edges and vpc["id"] in with_igw:
            node_of.setdefault("internet", scene.node(None, "internet", st.html_label("Internet"),
                                                      st.node_attrs("internet"), ("internet",), "internet"))
            scene.edge(node_of["internet"], node_of[f"box:{vpc['id']}"], "public", "IGW")
    for key, it in sorted(m.items.items()):
        if it.zone in ("regional", "global", "outside"):
            box = None if it.zone == "outside" else _region_box(scene, account, "global" if it.zone == "global" else it.region)
            if it.zone == "regional" and it.kind != "ec2:transit-gateway":
                box = scene.box(box, f"region/{it.region}/services", "services",
                                st.html_label("Regional services", "outside the VPCs"), sort_key="~")
            node_of[key] = scene.node(box, key, st.html_label(it.title, *it.lines),
                                      st.node_attrs(it.kind, exposed=it.exposed, reached=it.reached,
                                                    finding=it.finding,
                                                    collapsed=it.collapsed), members=it.members, kind=it.kind)
    if any(link.src == "internet" for link in m.links) and "internet" not in node_of:
        node_of["internet"] = scene.node(None, "internet", st.html_label("Internet"), st.node_attrs("internet"),
                                         ("internet",), "internet")
    for link in m.links:
        into_vpc = link.dst in m.items and m.items[link.dst].vpc is not None
        if link.src == "internet" and into_vpc and not igw_edges:
            continue
        src, dst = _overview_end(link.src, m, node_of), _overview_end(link.dst, m, node_of)
        if src and dst and src != dst and link.role != "egress":
            scene.edge(src, dst, link.role, link.label if link.role in ("peering", "attach") else "")
    _legend(scene, m)
    return scene


def _overview_end(end: str, m: Model, node_of: dict[str, str]) -> str | None:
    if end in node_of:
        return node_of[end]
    if end.startswith("box:"):
        rid = end[4:]
        sub = m.subnets.get(rid)
        if sub:
            for v in m.vpcs:
                if v["props"].get("vpc_id") == sub["props"].get("vpc_id"):
                    return node_of.get(f"box:{v['id']}")
        return node_of.get(end)
    it = m.items.get(end)
    if it and it.vpc:
        return node_of.get(f"box:{it.vpc}")
    return None


def _kind_counts(items: list[Item]) -> list[str]:
    """The four most frequent kinds in a VPC, counted in their spec words, two per line."""
    counts: dict[str, int] = defaultdict(int)
    for it in items:
        if it.kind in ("ec2:internet-gateway", "ec2:vpc-endpoint", "ec2:egress-only-internet-gateway"):
            continue
        counts[it.kind] += len(it.members)
    words = [st.count_words(k, n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]]
    return [" · ".join(words[i:i + 2]) for i in range(0, len(words), 2)]


def _icon(inv: Inventory, it: Item) -> str | None:
    """The item's icon, from one prop where the kind has variants (NLB vs ALB)."""
    props = (inv.node(it.members[0]) or {}).get("props") if it.members else None
    return st.icon_of(it.kind, props)


def _legend(scene: st.Scene, m: Model) -> None:
    entries = [st.box_entry("vpc"), st.box_entry("az")]
    # only the subnet styles drawn: a scan that could not read routes shows no "Private subnet"
    states = set(m.public.values()) or {True, False}
    entries += [st.box_entry(_subnet_style(v)) for v in (True, False, None) if v in states]
    entries.append((st.EXPOSED[0], st.EXPOSED[1], "Reachable from the internet on its own address"))
    if any(it.reached and not it.exposed for it in m.items.values()):
        entries.append((st.REACHED[0], st.REACHED[1], "Reachable only through a load balancer (dashed)"))
    entries.append((st.FINDING, "#FFFFFF", "Has open findings (thick border)"))
    entries.append((st.INK, "#FFFFFF", "Double border: more than 3 identical resources"))
    entries.append((st.EDGES["public"]["color"], "#FFFFFF", "Red line: internet traffic"))
    entries.append((st.EDGES["traffic"]["color"], "#FFFFFF", "Dark line: balancer / service traffic"))
    entries.append((st.EDGES["data"]["color"], "#FFFFFF", "Blue line: compute reaches the data store"))
    entries.append((st.EDGES["egress"]["color"], "#FFFFFF", "Dashed grey: egress (NAT, endpoints)"))
    if any(link.role == "replication" for link in m.links):
        entries.append((st.EDGES["replication"]["color"], "#FFFFFF", "Dashed green: replication"))
    kinds_drawn = {it.kind for it in m.items.values()} | ({"internet"} if m.links else set())
    scene.node(None, "legend", st.legend_label(entries, st.icon_entries(kinds_drawn)), {"shape": "plain"},
               kind="legend")

"""Section 5.2's opening table: every resource the internet can reach, on which ports, through which
path (internet gateway, route, NACL, security group; load balancer; CloudFront; API), and the
findings about it. Read from the exposure analysis (``analysis.exposure`` and
``analysis.exposure_unknown``), the same data findings.json, 3.1 and the diagrams use."""

from __future__ import annotations

from typing import Any

from renderers.escape import md
from scanner import kinds, naming, status
from scanner.analysis.exposure import ALL_V4, ALL_V6, INTERNET, as_dicts
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory
from scanner.judge.access import lambda_routes
from scanner.plural import count_of

#: how the internet gets in, by the exposure analysis' ``via``
WAYS = {"public-ip": "its own public address", "load-balancer": "a load balancer",
        "cloudfront": "CloudFront", "api": "API Gateway", "function-url": "a Lambda function URL"}
#: the path of an entry point that is public by design (nothing in a VPC stands in the way)
EDGE = {"cloudfront": "internet → its edge locations (public by design)",
        "api": "internet → its public execute-api endpoint",
        "function-url": "internet → its function URL"}
#: the reads without which reachability in a region is not known
REACH_COLLECTORS = ("ec2.security_groups", "ec2.route_tables", "ec2.subnets", "ec2.instances",
                    "ec2.network_interfaces", "elbv2.load_balancers")
PATHS_SHOWN = 1
#: a path cell may be longer than an ordinary cell: cutting it would hide a hop
LONG = 900


def _route_dests(inv: Inventory, rt_id: str, igw_hop: str | None) -> str:
    """The default routes of a route table that lead to the internet gateway on the path."""
    rt = inv.node(rt_id) or {}
    igw = (igw_hop or "").rsplit("/", 1)[-1].removeprefix("igw:")
    dests = [str(r.get("dest")) for r in as_dicts((rt.get("props") or {}).get("routes"))
             if r.get("dest") in (ALL_V4, ALL_V6) and (not igw or str(r.get("target") or "") == igw)]
    return f" ({', '.join(dests)})" if dests else ""


def hop_text(inv: Inventory, hop: str, path: list[str]) -> str:
    """One hop of a path as a reader names it: "security group web-sg", "route table rt (0.0.0.0/0)"."""
    if hop == INTERNET:
        return "internet"
    if hop.startswith("igw:"):
        return f"internet gateway {hop[4:]}"
    n = inv.node(hop)
    if not n:
        return naming.short_id(hop) or hop
    kind = str(n.get("kind"))
    text = f"{kinds.singular(kind)} {naming.name(inv, hop)}"
    if kind == "ec2:route-table":
        igw = next((h for h in path if h.startswith("igw:") or
                    (inv.node(h) or {}).get("kind") == "ec2:internet-gateway"), None)
        text += _route_dests(inv, hop, igw)
    return text


def path_text(inv: Inventory, path: list[str], resource: str, via: str = "") -> str:
    """internet → internet gateway … → security group … (the resource itself is the row's subject).

    Behind a load balancer the path starts at the balancer, whose own row gives the way to it."""
    hops = [h for h in path if h != resource] or [INTERNET]
    if via == "load-balancer":
        lb = next((i for i, h in enumerate(hops) if str((inv.node(h) or {}).get("kind", "")).endswith(":load-balancer")),
                  None)
        hops = hops[lb:] if lb is not None else hops
    return " → ".join(hop_text(inv, h, path) for h in hops)


def _api_routes(inv: Inventory, node: dict[str, Any]) -> str:
    """For an HTTP API: the routes that invoke functions, with their authorization."""
    pairs = lambda_routes(node) if node.get("kind") == "apigateway:http-api" else None
    if not pairs:
        return ""
    parts = [f"{r.get('key')} (authorization {r.get('auth') or 'NONE'}) → function {naming.name(inv, fn)}"
             for r, fn in pairs[:4]]
    more = f"; and {len(pairs) - 4} more" if len(pairs) > 4 else ""
    return "; routes: " + "; ".join(parts) + more


def _findings(analysis: Analysis, nid: str) -> str:
    ids = sorted({f.rule for f in analysis.for_resource(nid)})
    return ", ".join(ids) if ids else "no finding"


def _subject(inv: Inventory, nid: str) -> tuple[str, str]:
    n = inv.node(nid) or {}
    kind = str(n.get("kind") or "")
    return str(n.get("region") or "global"), f"{kinds.singular(kind)} {naming.label(inv, nid)}".strip()


def _paths(inv: Inventory, paths: list[list[str]], nid: str, via: str = "") -> str:
    if via in EDGE:
        return EDGE[via]
    # the shortest path first, then by what it reads (not by ids, which differ between accounts)
    texts = sorted((len(p), path_text(inv, p, nid, via)) for p in paths)
    shown = list(dict.fromkeys(t for _, t in texts))
    more = len(shown) - PATHS_SHOWN
    return "; ".join(shown[:PATHS_SHOWN]) + (f" (and {count_of(more, 'other path')})" if more > 0 else "")


def rows(inv: Inventory, analysis: Analysis) -> list[list[Any]]:
    """One row per exposed resource and way in; resources possibly exposed over an unread route
    follow, their path marked unknown with the reason."""
    out: list[tuple[tuple[str, ...], list[Any]]] = []
    for nid, e in (analysis.exposure or {}).items():
        region, subject = _subject(inv, nid)
        data = inv.node(nid)
        node = {"id": nid, **data} if data else {}
        by_via = e.get("by_via") or {str(e.get("via") or "public-ip"): {"paths": e.get("paths") or [],
                                                                      "ports": e.get("ports") or []}}
        for via, part in sorted(by_via.items()):
            if not part.get("paths"):
                continue
            path = _paths(inv, part["paths"], nid, via) + _api_routes(inv, node)
            out.append(((region, subject, via), [region, subject, ", ".join(part.get("ports") or []) or "unknown",
                                                 md(f"through {WAYS.get(via, via)}: {path}", LONG),
                                                 _findings(analysis, nid)]))
    for nid, u in (analysis.exposure_unknown or {}).items():
        region, subject = _subject(inv, nid)
        out.append(((region, subject, "~"), [region, subject, ", ".join(u.get("ports") or []) or "unknown",
                                             md(f"unknown ({u.get('why') or 'route not read'}): "
                                                f"{_paths(inv, u.get('paths') or [], nid)}", LONG),
                                             _findings(analysis, nid)]))
    return [row for _, row in sorted(out, key=lambda x: x[0])]


def exposed_ids(analysis: Analysis) -> list[str]:
    """The resources the table names as reachable (the keys of ``analysis.exposure``)."""
    return sorted(analysis.exposure or {})


def blind_regions(inv: Inventory) -> list[str]:
    """"region: why" where a read reachability depends on was denied or failed (so "not in the
    table" is not "not reachable" there)."""
    out: dict[str, str] = {}
    for r in status.blocked_runs(inv.meta.get("runs", []), collectors=REACH_COLLECTORS):
        out.setdefault(str(r.get("region")), f"{r.get('collector')} {r.get('status')}"
                       + (f" ({r.get('action')})" if r.get("action") else ""))
    return [f"{region}: {why}" for region, why in sorted(out.items())]


def summary(inv: Inventory, analysis: Analysis) -> str:
    """One sentence before the table: how many resources are reachable, and by which ways."""
    exp = analysis.exposure or {}
    ways: dict[str, int] = {}
    for e in exp.values():
        for via in (e.get("by_via") or {e.get("via") or "public-ip": {}}):
            ways[via] = ways.get(via, 0) + 1
    text = (f"{count_of(len(exp), 'resource')} {'is' if len(exp) == 1 else 'are'} reachable from the internet"
            + (": " + ", ".join(f"{n} through {WAYS.get(v, v)}" for v, n in sorted(ways.items())) if ways else ""))
    unknown = analysis.exposure_unknown or {}
    if unknown:
        text += (f"; {count_of(len(unknown), 'more resource')} may be, over routes that could not be read")
    return text + "."

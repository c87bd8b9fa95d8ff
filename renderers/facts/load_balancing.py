"""Section 8.3 facts (load balancing): Application/Network/Gateway and Classic load balancers,
their listeners and target groups, and how much of the traffic they take is TLS.

Pure functions of the Inventory returning rows of plain strings/numbers; a target group that
nothing points at is called "unused" only when everything that could point at it was read.
"""

from __future__ import annotations

from typing import Any

from renderers.document import yesno
from renderers.facts.instances import props
from renderers.facts.storage import unread_or
from scanner import naming, status
from scanner.inventory import Inventory


def lb_rows(inv: Inventory) -> list[list[Any]]:
    """Name, type, scheme, DNS name, AZs, listeners, deletion protection, access logs, WAF-relevant flags."""
    rows = []
    for lb in inv.nodes("elbv2:load-balancer"):
        p = props(lb)
        listeners = sorted(inv.out(lb["id"], "listens_on"), key=lambda x: props(x).get("port") or 0)
        logs = p.get("access_logs")
        rows.append([p.get("name") or lb.get("name"), p.get("type"), p.get("scheme"), p.get("dns_name"),
                     ", ".join(p.get("azs") or []) or "-",
                     ", ".join(f"{props(li).get('protocol')}:{props(li).get('port')}" for li in listeners)
                     or unread_or(inv, lb, "none", "elasticloadbalancing:DescribeListeners"),
                     yesno(p.get("deletion_protection")),
                     (f"to {logs.get('bucket')}" if logs.get("enabled") else "off") if logs else "unknown",
                     yesno(p.get("drop_invalid_headers")) if p.get("type") == "application" else "n/a"])
    return rows


def listener_rows(inv: Inventory) -> list[list[Any]]:
    """LB, listener, TLS policy, certificates, default action, rules."""
    rows = []
    for li in inv.nodes("elbv2:listener"):
        p = props(li)
        certs = [naming.name(inv, c["id"]) for c in inv.out(li["id"], "uses_certificate")]
        rules = p.get("rules") or []
        rows.append([naming.name(inv, p.get("lb_arn")), f"{p.get('protocol')}:{p.get('port')}",
                     p.get("ssl_policy") or "-", ", ".join(c for c in certs if c) or "-",
                     p.get("default_action"),
                     "; ".join(f"{r.get('priority')}: {r.get('conditions')} → {r.get('action')}" for r in rules[:5])
                     + (f"; and {len(rules) - 5} more" if len(rules) > 5 else "") or "none"])
    return sorted(rows, key=lambda r: (str(r[0]), str(r[1])))


def target_group_rows(inv: Inventory) -> list[list[Any]]:
    """Name, protocol:port, target type, health check, targets healthy/total, used by."""
    rows = []
    for tg in inv.nodes("elbv2:target-group"):
        p = props(tg)
        hc = p.get("health_check") or {}
        check = f"{hc.get('protocol') or '-'} {hc.get('path') or ''} every {hc.get('interval') or '?'} s".strip()
        targets = p.get("targets")
        health = ("not readable" if targets is None else "none registered" if not targets
                  else f"{p.get('healthy_count', 0)} healthy of {len(targets)}")
        into = inv.into(tg["id"], "targets")
        feeders = [feeder_label(inv, x) for x in into]
        ecs = [f"ECS service {x.get('name')}" for x in inv.out(tg["id"], "targets", kind="ecs:service")]
        used = ", ".join(sorted(f for f in feeders + ecs if f))
        if not used:
            # whatever could point at it (listeners, groups, services) must have been read to say "unused"
            blocked = status.blocked_runs(inv.meta.get("runs", []), region=tg["region"],
                                          collectors=("elbv2.load_balancers", "autoscaling.groups", "ecs.clusters"))
            why = status.unread(inv.meta, tg["region"], "ecs:ListServices", "ecs:DescribeServices",
                                "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules")
            used = (f"unknown ({blocked[0].get('collector')} {blocked[0].get('status')}: "
                    f"{blocked[0].get('action') or blocked[0].get('message') or ''})" if blocked
                    else f"unknown ({why})" if why else "unused")
        if ecs and not any(x.get("kind") in ("elbv2:listener", "elbv2:load-balancer") for x in into):
            used += "; no listener forwards to it"
        rows.append([p.get("name") or tg.get("name"), f"{p.get('protocol') or '-'}:{p.get('port') or '-'}",
                     p.get("target_type"), check, health, used])
    return rows


def feeder_label(inv: Inventory, node: dict[str, Any]) -> str | None:
    """What sends traffic to a target group: "alb-name HTTPS:443" for a listener, else its name."""
    if node.get("kind") == "elbv2:listener":
        return f"{naming.name(inv, props(node).get('lb_arn'))} {node.get('name')}"
    return naming.name(inv, node["id"])


def classic_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for lb in inv.nodes("elb:load-balancer"):
        p = props(lb)
        lis = ", ".join(f"{li.get('protocol')}:{li.get('port')} → {li.get('instance_protocol')}:"
                        f"{li.get('instance_port')}" for li in p.get("listeners") or []) or "none"
        healthy = p.get("healthy_count")
        n = len(p.get("instance_ids") or [])
        rows.append([p.get("name") or lb.get("name"), p.get("scheme"), p.get("dns_name"),
                     ", ".join(p.get("azs") or []) or "-", lis,
                     f"{healthy} in service of {n}" if healthy is not None else f"{n} registered",
                     yesno(p.get("cross_zone"))])
    return rows


def https_summary(inv: Inventory) -> dict[str, int]:
    """Listener counts: TLS-terminating, plain HTTP redirecting to HTTPS, plain HTTP serving."""
    lis = [props(li) for li in inv.nodes("elbv2:listener")]
    return {"tls": sum(1 for p in lis if p.get("protocol") in ("HTTPS", "TLS")),
            "redirect": sum(1 for p in lis if p.get("protocol") == "HTTP" and p.get("redirect_to_https")),
            "plain_http": sum(1 for p in lis if p.get("protocol") == "HTTP" and not p.get("redirect_to_https"))}

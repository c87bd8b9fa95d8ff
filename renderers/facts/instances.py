"""Section 3.1 facts: EC2 instances, AMIs, key pairs, launch templates and configurations,
placement groups and dedicated hosts, and how the internet reaches an instance.

Pure functions of the Inventory returning rows of plain strings/numbers for the document's
tables; the document environment escapes every cell, so nothing here builds Markup. ``props``,
``live_instances`` and ``subnet_tier`` are shared with the other compute facts (scaling, sizing,
load_balancing, containers).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from renderers.document import fact_text, yesno
from renderers.facts import _lookup as lookup
from renderers.facts.phrases import listing
from renderers.facts.vpcs import subnet_public
from scanner import naming, status
from scanner.fact import Fact, tally
from scanner.inventory import Inventory

GONE_STATES = ("terminated", "shutting-down")

ASG_TAG = "aws:autoscaling:groupName"


# -- small helpers -----------------------------------------------------------------------------
def props(n: dict[str, Any] | None) -> dict[str, Any]:
    return (n or {}).get("props") or {}


def imds_text(required: bool | None, enabled: bool | None = True) -> str:
    if enabled is False:
        return "disabled"
    if required is None:
        return "unknown"
    return "required (v2)" if required else "optional (v1 allowed)"


#: tier words a subnet's name or Tier tag may declare; public/private is never taken from a name or
#: tag, only from the subnet's judged ``public`` fact
_TIER_WORD = re.compile(r"(app|web|data|db|database|isolated)")


def subnet_tier(inv: Inventory, subnet_nid: str | None) -> str:
    """A subnet's tier: its Tier tag, else an app/web/data word in its name ("inferred"), else
    public/private from its judged ``public`` fact (``unknown (why)`` when that was not read)."""
    s = inv.node(subnet_nid) if subnet_nid else None
    if not s or s.get("external"):
        return "unknown (subnet not scanned)"
    tags = s.get("tags") or {}
    tier = tags.get("Tier") or tags.get("tier")
    if tier and str(tier).lower() not in ("public", "private"):
        return str(tier)
    m = None if tier else _TIER_WORD.search(str(s.get("name", "")).lower())
    if m:
        return f"{m.group(1)} (inferred from name)"
    return fact_text(subnet_public(inv, s["id"]), "public", "private")


def live_instances(inv: Inventory) -> list[dict[str, Any]]:
    return [i for i in inv.nodes("ec2:instance") if props(i).get("state") not in GONE_STATES]


# -- 3.1 EC2 instances -------------------------------------------------------------------------
def instance_counts(inv: Inventory) -> dict[str, Any]:
    """Counts by type and by state (all instances the scan saw, terminated included)."""
    nodes = inv.nodes("ec2:instance")
    by_type = Counter(str(props(n).get("instance_type") or "unknown") for n in nodes)
    by_state = Counter(str(props(n).get("state") or "unknown") for n in nodes)
    return {"total": len(nodes), "by_type": sorted(by_type.items()), "by_state": sorted(by_state.items()),
            "public": tally(public_ip(inv, n) for n in nodes)["yes"],
            "imds_v1": sum(1 for n in live_instances(inv) if props(n).get("imds_v2_required") is False),
            "in_asg": sum(1 for n in nodes if props(n).get("asg_name")),
            "with_key": sum(1 for n in live_instances(inv) if props(n).get("key_name"))}


def public_ip(inv: Inventory, node: dict[str, Any]) -> Fact:
    """An instance's judged ``public_ip`` fact (its own public IPv4 address; reachability is the
    exposure analysis')."""
    f = inv.fact(node["id"], "public_ip")
    return f if f is not None else Fact.from_dict(None)


def _ports(ports: Any) -> list[str]:
    """Ports as the exposure analysis names them ("tcp/443"), in number order, once each."""
    def key(p: str) -> tuple[str, int, str]:
        proto, _, num = p.partition("/")
        return (proto, int(num.split("-")[0]) if num.split("-")[0].isdigit() else -1, p)
    return sorted(set(ports or []), key=key)


def _lb_of(inv: Inventory, path: list[str]) -> str | None:
    nodes = inv.graph._node  # the kind only: no copy of each hop's node
    return next((x for x in path if (nodes.get(x) or {}).get("kind") in ("elbv2:load-balancer", "elb:load-balancer")),
                None)


def reach(inv: Inventory, analysis: Any, node_id: str) -> dict[str, Any]:
    """How the internet reaches one resource, from the exposure analysis (the diagrams' source):
    ``direct``: ports open on its own public address; ``lbs``: load balancer name -> the ports
    it forwards to the resource."""
    exposure = getattr(analysis, "exposure", None) or {}
    by = (exposure.get(node_id) or {}).get("by_via") or {}
    direct = _ports((by.get("public-ip") or {}).get("ports"))
    via = by.get("load-balancer") or {}
    lbs: dict[str, list[str]] = {}
    for path in via.get("paths") or []:
        lb = _lb_of(inv, path)
        if not lb:
            continue
        own = set((exposure.get(lb) or {}).get("ports") or [])   # the listener ports of that LB
        ports = lbs.setdefault(naming.name(inv, lb), [])
        ports += [x for x in via.get("ports") or [] if (not own or x in own) and x not in ports]
    return {"direct": direct, "lbs": {lb: _ports(p) for lb, p in sorted(lbs.items())}}


def _reach_text(r: dict[str, Any]) -> str:
    parts = []
    if r["direct"]:
        parts.append(f"on its public IP on {', '.join(r['direct'])}")
    for lb, ports in r["lbs"].items():
        parts.append(f"through load balancer {lb}" + (f" on {', '.join(ports)}" if ports else ""))
    return " and ".join(parts)


def public_ip_text(inv: Inventory, analysis: Any = None) -> str:
    """3.1's sentence on public addresses and internet reach, agreeing with the exposure analysis
    (and so with the diagrams): "none has a public IP address of its own; 2 are reachable from the
    internet through load balancer alb on tcp/443". Unknown addresses are counted as unknown."""
    nodes = inv.nodes("ec2:instance")
    facts = [public_ip(inv, n) for n in nodes]
    t = tally(facts)
    own = t["yes"]
    if t["unknown"]:
        whys = "; ".join(dict.fromkeys(f.why for f in facts if f.unknown and f.why)) or "not read"
        text = (f"{own} {'is' if own == 1 else 'are'} known to have a public IP address of "
                f"{'its' if own == 1 else 'their'} own and {t['unknown']} unknown ({whys})")
    else:
        text = f"{own or 'none'} {'has' if own <= 1 else 'have'} a public IP address of its own"
    reached = [reach(inv, analysis, n["id"]) for n in nodes]
    direct = [r for r in reached if r["direct"]]
    lines = []
    if direct:
        ports = _ports(x for r in direct for x in r["direct"])
        lines.append(f"{len(direct)} {'is' if len(direct) == 1 else 'are'} reachable from the internet on "
                     f"{'its' if len(direct) == 1 else 'their'} public IP on {', '.join(ports)}")
    by_lb: dict[str, tuple[int, list[str]]] = {}
    for r in reached:
        for lb, ports in r["lbs"].items():
            n, seen = by_lb.get(lb, (0, []))
            by_lb[lb] = (n + 1, seen + [x for x in ports if x not in seen])
    for lb, (n, ports) in sorted(by_lb.items()):
        on = f" on {', '.join(_ports(ports))}" if ports else ""
        lines.append(f"{n} {'is' if n == 1 else 'are'} reachable from the internet through load balancer {lb}{on}")
    unknown = _reach_unknown(inv)
    if unknown and len(nodes) > len([r for r in reached if r["direct"] or r["lbs"]]):
        who = "the others are" if lines else ("it is" if len(nodes) == 1 else "they are")
        lines.append(f"whether {who} reachable from the internet is unknown ({unknown})")
    return text + ("; " + listing(lines) if lines else "")


def _reach_unknown(inv: Inventory) -> str:
    """Why internet reach cannot be judged: the unknown ``public`` facts of the subnets that
    instances and load balancers sit in ("" when every one is known)."""
    subnets = {s["id"] for n in inv.nodes("ec2:instance", "elbv2:load-balancer", "elb:load-balancer")
               for s in inv.out(n["id"], "in_subnet")}
    whys = [f.why or "not read" for sid in sorted(subnets) if (f := subnet_public(inv, sid)).unknown]
    return "; ".join(dict.fromkeys(whys))


def role_of_profile(inv: Inventory, profile_arn: str | None) -> str | None:
    """"profile (role x)" for an instance profile (role from the IAM scan when it was seen)."""
    if not profile_arn:
        return None
    roles = [naming.name(inv, r["id"]) for r in inv.out(profile_arn, "uses_role")]
    if not roles:
        roles = [naming.short_id(r) for r in props(inv.node(profile_arn)).get("role_arns") or []]
    name = naming.short_id(profile_arn)
    return f"{name} (role {', '.join(r for r in roles if r)})" if roles else name


def ami_text(inv: Inventory, image_id: str | None, region: str) -> str:
    """The AMI's name (its id when unnamed); age and owner are in the "AMIs in use" table."""
    if not image_id:
        return "-"
    partition = inv.meta.get("partition") or "aws"
    img = inv.node(f"arn:{partition}:ec2:{region}:{inv.meta.get('account', '')}:image/{image_id}")
    if not img:
        img = lookup.first_by_id(inv, "ec2:image", "image_id").get(image_id)
    p = props(img)
    if not p:
        return f"{image_id} (not readable)"
    return str(p.get("name") or image_id)


#: instance rows shown in 3.1; a fleet of thousands belongs in inventory.json, not in a table
MAX_INSTANCE_ROWS = 150


def instance_rows(inv: Inventory, limit: int = MAX_INSTANCE_ROWS, analysis: Any = None) -> list[list[Any]]:
    """Instance (name and id), type, state, AZ, subnet tier, AMI, IMDS, profile/role, public IP, ASG.

    Standalone instances first (they are the ones a reader must know one by one), then
    ASG members; at most ``limit`` rows.
    """
    rows = []
    nodes = sorted(inv.nodes("ec2:instance"), key=lambda n: (bool(props(n).get("asg_name")),
                                                              props(n).get("state") in GONE_STATES,
                                                              n.get("region", ""), str(n.get("name"))))
    for n in nodes[:limit]:
        p = props(n)
        subnet = next((s["id"] for s in inv.out(n["id"], "in_subnet")), None)
        rows.append([naming.node_label(n), p.get("instance_type"), p.get("state"),
                     p.get("az"), subnet_tier(inv, subnet) if subnet else "no subnet (EC2-Classic?)",
                     ami_text(inv, p.get("image_id"), n.get("region", "")),
                     imds_text(p.get("imds_v2_required"), p.get("imds_enabled")),
                     role_of_profile(inv, p.get("instance_profile_arn")) or "none",
                     _public_ip_cell(inv, analysis, n), p.get("asg_name") or "-"])
    return rows


def _public_ip_cell(inv: Inventory, analysis: Any, n: dict[str, Any]) -> str:
    """The instance's own public IP (or "none", or unknown with why), and how the internet reaches
    it where the exposure analysis found a way (so the cell agrees with the diagrams)."""
    f = public_ip(inv, n)
    cell = str(props(n).get("public_ip") or "") if f.yes else fact_text(f, no="none")
    how = _reach_text(reach(inv, analysis, n["id"]))
    return f"{cell or 'yes'}; reachable {how}" if how and f.yes else (f"{cell} (reachable {how})" if how else cell)


def ami_rows(inv: Inventory) -> list[list[Any]]:
    """AMIs in use: name, id, owner, created, age, public, platform, instances and templates using it."""
    users = Counter(props(i).get("image_id") for i in live_instances(inv))
    templates = Counter(props(t).get("image_id") for t in inv.nodes("ec2:launch-template"))
    account = inv.meta.get("account")
    rows = []
    for img in inv.nodes("ec2:image"):
        p = props(img)
        owner = "this account" if p.get("owner_id") == account else (p.get("owner_alias") or p.get("owner_id"))
        rows.append([p.get("name") or img.get("name"), p.get("image_id"), owner,
                     (p.get("creation_date") or "")[:10] or "unknown", _or_unknown(p.get("age_days")),
                     fact_text(inv.fact(img["id"], "public") or Fact.from_dict(None)),
                     p.get("platform"), users.get(p.get("image_id"), 0), templates.get(p.get("image_id"), 0)])
    return rows


def _or_unknown(v: Any) -> Any:
    return "unknown" if v is None else v


def key_pair_rows(inv: Inventory) -> list[list[Any]]:
    users = Counter((i.get("region"), props(i).get("key_name")) for i in live_instances(inv))
    blind = {str(r.get("region")): f"{r.get('action') or r.get('collector')}: {r.get('message') or r.get('status')}"
             for r in status.blocked_runs(inv.meta.get("runs", []), collectors=("ec2.instances",))}
    return [[k.get("region"), props(k).get("key_name"), props(k).get("key_type"),
             (props(k).get("create_time") or "")[:10] or None,
             f"unknown ({blind[k['region']]})" if k.get("region") in blind
             else users.get((k.get("region"), props(k).get("key_name")), 0)] for k in inv.nodes("ec2:key-pair")]


def launch_template_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for t in inv.nodes("ec2:launch-template"):
        p = props(t)
        versions = f"{p.get('default_version')} / {p.get('latest_version')}"
        rows.append([p.get("name") or t.get("name"), p.get("launch_template_id"), versions,
                     p.get("instance_type"), p.get("image_id"),
                     imds_text(p.get("imds_v2_required"), p.get("imds_enabled"))
                     if p.get("versions_read", True) else "not readable",
                     naming.short_id(p.get("instance_profile_arn")) or "none", yesno(p.get("user_data_present"))])
    return rows


def launch_configuration_rows(inv: Inventory) -> list[list[Any]]:
    return [[props(c).get("name"), props(c).get("instance_type"), props(c).get("image_id"),
             imds_text(props(c).get("imds_v2_required"), props(c).get("imds_enabled"))]
            for c in inv.nodes("autoscaling:launch-configuration")]


def other_rows(inv: Inventory) -> list[list[Any]]:
    """Placement groups and dedicated hosts: kind, name/id, detail, state."""
    rows: list[list[Any]] = [["placement group", props(g).get("group_name"), props(g).get("strategy"),
                              props(g).get("state")] for g in inv.nodes("ec2:placement-group")]
    rows += [["dedicated host", props(h).get("host_id"),
              f"{props(h).get('instance_type')} in {props(h).get('az')}", props(h).get("state")]
             for h in inv.nodes("ec2:dedicated-host")]
    return rows

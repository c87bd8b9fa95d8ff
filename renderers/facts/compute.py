"""Sections 3.1, 8.1, 8.2 and 8.3 facts: EC2, Auto Scaling, instance sizing and load balancing.

Pure functions of the Inventory returning rows of plain strings/numbers for the document's
tables; the document environment escapes every cell, so nothing here builds Markup.
Instance-type reasoning (generation, processor, upgrade path, next size) is derived from
the type string alone, so it works offline and for any account; it is labelled "inferred"
in the document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from renderers.document import fact_text, yesno
from renderers.facts import _lookup as lookup
from renderers.facts.network import blocked_services, services, services_of_kinds, subnet_public
from renderers.facts.storage import unread_or
from renderers.plural import count_of  # also facts.compute.count_of for the templates
from scanner import naming, status
from scanner.fact import Fact, tally
from scanner.inventory import Inventory

GONE_STATES = ("terminated", "shutting-down")
ASG_TAG = "aws:autoscaling:groupName"
#: what 8.2 sizes: every kind with an instance type or class
SIZED_KINDS = ("ec2:instance", "autoscaling:group", "ec2:launch-template", "rds:instance", "elasticache:cluster")

__all__ = ["blocked_services", "services", "services_of_kinds", "count_of"]


# -- small helpers -------------------------------------------------------------------------------
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


# -- 3.1 EC2 instances ----------------------------------------------------------------------------
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


def counts_text(pairs: list[tuple[str, int]]) -> str:
    """"2 x t3.medium, 1 x m6i.large" (or "none")."""
    return ", ".join(f"{v} x {k}" for k, v in pairs) or "none"


def days(n: Any) -> str:
    """An age or a period: "0 days", "1 day", "14 days" (never "no days"); :func:`count_of` with a
    zero of "0" (templates of other sections call ``facts.compute.days``)."""
    return count_of(int(n or 0), "day", zero="0")


def listing(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    parts = [p for p in parts if p]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] if parts else ""


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


# -- 8.1 horizontal scaling -------------------------------------------------------------------------
def scaling_of(inv: Inventory, asg_id: str) -> tuple[list[str], list[str]]:
    """(policies, scheduled actions) that scale one group, as short phrases."""
    pols, sched = [], []
    for src in inv.into(asg_id, "scales"):
        p = props(src)
        if src.get("kind") == "autoscaling:policy":
            if p.get("target_value") is not None:
                pols.append(f"{p.get('name')}: target tracking {p.get('metric')} at {p.get('target_value'):g}")
            else:
                pols.append(f"{p.get('name')}: {p.get('policy_type')} {p.get('adjustment') or ''} "
                            f"{('on ' + p['metric']) if p.get('metric') else ''}".strip())
        elif src.get("kind") == "autoscaling:scheduled-action":
            when = p.get("recurrence") or p.get("start_time") or "once"
            sched.append(f"{p.get('name')}: {when} → min {_dash(p.get('min'))}/desired "
                         f"{_dash(p.get('desired'))}/max {_dash(p.get('max'))}")
    return sorted(pols), sorted(sched)


def _dash(v: Any) -> str:
    return "-" if v is None else str(v)


def asg_rows(inv: Inventory) -> list[list[Any]]:
    """Group, min/desired/max, in service, AZ span, subnet tiers, health check, types, policies, schedules."""
    rows = []
    for g in inv.nodes("autoscaling:group"):
        p = props(g)
        pols, sched = scaling_of(inv, g["id"])
        tiers = sorted({subnet_tier(inv, s["id"]) for s in inv.out(g["id"], "in_subnet")})
        azs = p.get("azs") or []
        rows.append([p.get("name") or g.get("name"), f"{_dash(p.get('min'))} / {_dash(p.get('desired'))} / "
                     f"{_dash(p.get('max'))}", len(p.get("instance_ids") or []),
                     f"{count_of(azs, 'AZ')} ({', '.join(azs)})" if azs else "unknown", ", ".join(tiers) or "-",
                     p.get("health_check_type"), ", ".join(p.get("instance_types") or []) or "-",
                     "; ".join(pols) or unread_or(inv, g, "none (fixed size)", "autoscaling:DescribePolicies"),
                     "; ".join(sched) or unread_or(inv, g, "none", "autoscaling:DescribeScheduledActions")])
    return rows


def asg_summary(inv: Inventory) -> dict[str, Any]:
    groups = inv.nodes("autoscaling:group")
    return {"count": len(groups),
            "instances": sum(len(props(g).get("instance_ids") or []) for g in groups),
            "single_az": [g.get("name") for g in groups if len(props(g).get("azs") or []) < 2],
            "no_policy": [g.get("name") for g in groups if not scaling_of(inv, g["id"])[0]
                          and not status.unread(inv.meta, g.get("region"), "autoscaling:DescribePolicies")]}


def app_scaling_rows(inv: Inventory) -> list[list[Any]]:
    """Application Auto Scaling targets: service, resource, dimension, min/max, policies, schedules."""
    rows = []
    for t in inv.nodes("application-autoscaling:target"):
        p = props(t)
        pols = [f"{props(s).get('name')}: {props(s).get('metric') or props(s).get('policy_type')}"
                + (f" at {props(s)['target_value']:g}" if props(s).get("target_value") is not None else "")
                for s in inv.into(t["id"], "scales", kind="application-autoscaling:policy")]
        sched = [f"{props(s).get('name')}: {props(s).get('schedule')} → {_dash(props(s).get('min'))} - "
                 f"{_dash(props(s).get('max'))}"
                 for s in inv.into(t["id"], "scales", kind="application-autoscaling:scheduled-action")]
        scaled = next((naming.name(inv, r["id"]) for r in inv.out(t["id"], "scales")), None)
        rows.append([p.get("service_namespace"), scaled or p.get("resource_id"), p.get("scalable_dimension"),
                     f"{_dash(p.get('min'))} - {_dash(p.get('max'))}", "; ".join(sorted(pols)) or "none",
                     "; ".join(sorted(sched)) or "none"])
    return rows


def app_scaling_candidates(inv: Inventory) -> str:
    """Resources Application Auto Scaling could scale but nothing does: ECS services, provisioned
    DynamoDB tables and Aurora clusters without a scalable target ("" when there are none)."""
    scaled = {r["id"] for t in inv.nodes("application-autoscaling:target") for r in inv.out(t["id"], "scales")}
    found = [f"ECS service {s.get('name')}" for s in inv.nodes("ecs:service") if s["id"] not in scaled]
    found += [f"DynamoDB table {t.get('name')} (provisioned)" for t in inv.nodes("dynamodb:table")
              if props(t).get("billing_mode") == "PROVISIONED" and t["id"] not in scaled]
    found += [f"Aurora cluster {c.get('name')}" for c in inv.nodes("rds:cluster")
              if str(props(c).get("engine") or "").startswith("aurora") and c["id"] not in scaled]
    return ", ".join(found[:20]) + (f" and {len(found) - 20} more" if len(found) > 20 else "")


# -- 8.2 vertical scaling -----------------------------------------------------------------------------
SIZES = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge",
         "8xlarge", "9xlarge", "10xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge",
         "48xlarge", "56xlarge", "96xlarge", "112xlarge")
#: families treated as previous generation; kept in step with rule EC2-005 (scanner/analysis/rules/compute.py)
#: so the 8.2 table and the 8.2 findings agree
PREVIOUS_GENERATION = frozenset({"t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "cc2", "cg1", "cr1", "g2",
                                 "g3", "g3s", "h1", "a1", "hi1", "hs1", "i2", "r3", "r4", "d2", "p2", "x1", "x1e",
                                 "f1"})
#: newest families per class letter: Intel, AMD, Graviton (where AWS offers each)
LATEST = {"t": ("t3", "t3a", "t4g"), "m": ("m7i", "m7a", "m7g"), "c": ("c7i", "c7a", "c7g"),
          "r": ("r7i", "r7a", "r7g"), "x": ("x2idn", "x2gd"), "i": ("i4i", "i4g"), "d": ("d3",),
          "z": ("z1d",), "g": ("g6", "g5g"), "p": ("p5",), "inf": ("inf2",), "hpc": ("hpc7a", "hpc7g")}
_TYPE_RE = re.compile(r"^(?P<cls>[a-z]+)(?P<gen>\d+)(?P<attrs>[a-z\-]*)\.(?P<size>[a-z0-9\-]+)$")


@dataclass(frozen=True)
class InstanceType:
    raw: str
    prefix: str          # "db." / "cache." or ""
    cls: str             # class letters: m, c, r, t, inf, hpc, ...
    gen: int
    attrs: str           # g, a, i, d, n, e, ... and -flex
    size: str

    @property
    def family(self) -> str:
        return f"{self.cls}{self.gen}{self.attrs}"

    @property
    def processor(self) -> str:
        core = self.attrs.split("-")[0]
        if self.cls == "mac":
            return "Apple Mac"
        if "g" in core or self.cls == "a":
            return "AWS Graviton (arm64)"
        if "a" in core:
            return "AMD"
        return "Intel"


def parse_type(value: str | None) -> InstanceType | None:
    """"m6g.large" / "db.r6g.xlarge" / "cache.t3.micro" -> parts; None when the form is unknown."""
    if not value:
        return None
    prefix = ""
    for p in ("db.", "cache."):
        if value.startswith(p):
            prefix, value = p, value[len(p):]
    m = _TYPE_RE.match(value)
    if not m:
        return None
    return InstanceType(raw=prefix + value, prefix=prefix, cls=m["cls"], gen=int(m["gen"]),
                        attrs=m["attrs"], size=m["size"])


def generation_status(t: InstanceType) -> str:
    if t.family in PREVIOUS_GENERATION or f"{t.cls}{t.gen}" in PREVIOUS_GENERATION:
        return "previous generation"
    newest = max((parse_type(f"{f}.large") for f in LATEST.get(t.cls, ())), key=lambda x: x.gen if x else 0,
                 default=None)
    if newest and t.gen < newest.gen - 1:
        return "current, but two or more generations old"
    return "current generation"


#: processors each managed service offers in the newest families: RDS has no AMD (7a) classes and
#: ElastiCache offers only Graviton in its newest generation (cache.m7g / cache.r7g / cache.t4g)
_SERVICE_PROCESSORS = {"db.": ("Intel", "AWS Graviton (arm64)"), "cache.": ("AWS Graviton (arm64)",)}


def upgrade_path(t: InstanceType) -> str:
    """Newer or cheaper families of the same class (same size), e.g. t3 -> t3a / t4g.

    For database and cache nodes only the families that service offers are named
    (no ``db.m7a``, no ``cache.r7i``)."""
    cands = []
    allowed = _SERVICE_PROCESSORS.get(t.prefix)
    for fam in LATEST.get(t.cls, ()):
        if allowed:
            f = parse_type(f"{fam}.large")
            if f is None or f.processor not in allowed:
                continue
        c = parse_type(f"{fam}.{t.size}")
        if c and c.family != t.family and c.gen >= t.gen:
            cands.append(f"{t.prefix}{fam}.{t.size}")
    return " / ".join(cands) or "already on a current family"


def next_size(t: InstanceType, step: int) -> str | None:
    """The next size up or down in the same family; None where none exists (inferred from the name).

    Sizes below ``large`` exist only in burstable (t) families, and on EC2 also ``medium`` in
    Graviton families (m6g.medium); RDS and ElastiCache start their other families at large."""
    if t.size not in SIZES:
        return None
    i = SIZES.index(t.size) + step
    if not 0 <= i < len(SIZES):
        return None
    size = SIZES[i]
    if SIZES.index(size) < SIZES.index("large") and t.cls != "t":
        graviton_medium = not t.prefix and size == "medium" and t.processor == "AWS Graviton (arm64)"
        if not graviton_medium:
            return None
    return f"{t.prefix}{t.family}.{size}"


def types_in_use(inv: Inventory) -> dict[str, list[str]]:
    """Instance type -> where it is used (instances, ASGs, launch templates, databases, caches)."""
    uses: dict[str, list[str]] = {}

    def add(t: str | None, what: str) -> None:
        if t:
            uses.setdefault(t, []).append(what)

    for i in live_instances(inv):
        add(props(i).get("instance_type"), "instance")
    for g in inv.nodes("autoscaling:group"):
        for t in props(g).get("instance_types") or []:
            add(t, "ASG")
    for lt in inv.nodes("ec2:launch-template"):
        add(props(lt).get("instance_type"), "launch template")
    for db in inv.nodes("rds:instance"):
        add(props(db).get("instance_class"), "RDS")
    for c in inv.nodes("elasticache:cluster"):
        add(props(c).get("node_type"), "ElastiCache")
    return uses


#: how a use reads in the "Used by" cell, singular and plural
_USE_WORDS = {"instance": ("instance", "instances"), "ASG": ("Auto Scaling group", "Auto Scaling groups"),
              "launch template": ("launch template", "launch templates"), "RDS": ("RDS instance", "RDS instances"),
              "ElastiCache": ("ElastiCache cluster", "ElastiCache clusters")}


def sizing_rows(inv: Inventory) -> list[list[Any]]:
    """Type, used by, family, processor, generation, smaller/larger size, upgrade path."""
    rows = []
    for raw, uses in sorted(types_in_use(inv).items()):
        t = parse_type(raw)
        used = ", ".join(f"{n} {_USE_WORDS.get(w, (w, w))[0 if n == 1 else 1]}"
                         for w, n in sorted(Counter(uses).items()))
        if not t:
            rows.append([raw, used, "-", "-", "unknown form", "-", "-", "-"])
            continue
        rows.append([raw, used, t.family, t.processor, generation_status(t),
                     next_size(t, -1) or "smallest size", next_size(t, 1) or "largest size", upgrade_path(t)])
    return rows


def family_text(pairs: list[tuple[str, int]]) -> str:
    """"t3: 2 instances, m6i: 1 instance"."""
    return ", ".join(f"{fam}: {count_of(n, 'instance')}" for fam, n in pairs)


def family_counts(inv: Inventory) -> list[tuple[str, int]]:
    c = Counter()
    for i in live_instances(inv):
        t = parse_type(props(i).get("instance_type"))
        c[t.family if t else str(props(i).get("instance_type"))] += 1
    return sorted(c.items())


# -- 8.3 load balancing ---------------------------------------------------------------------------
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

"""The organization roll-up, built from the saved files only.

Input: ``OUT/organization.json`` (the structure read and each account's outcome) and the
snapshots ``OUT/accounts/<id>/inventory.json`` of the accounts scanned. Output: one plain
dict the renderer (renderers/org_report.py) turns into org.md, org.html and the overview
diagram. Nothing here calls AWS, so ``awsscan org-render`` gives the same bytes as the run.

Facts keep their three states: a count of a kind whose collector did not run in an account
says "not scanned" or "not read", never 0; a guard service is "unknown (why)" where it could
not be read, never "off".
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from scanner import kinds, naming, status
from scanner.analysis.model import SEVERITIES, STATUS_NOT_ASSESSED
from scanner.errors import UserError
from scanner.org.model import SCANNED, Organization
from scanner.org.scan import account_dir

#: the scan's scaffolding, not resources: left out of "what runs where"
SCAFFOLD = frozenset({"aws:account", "aws:region", "internet"})
#: the region-level judged guard facts (scanner/judge/guards.py), in the order the table shows them
GUARDS = (("cloudtrail", "CloudTrail"), ("guardduty", "GuardDuty"), ("securityhub", "Security Hub"),
          ("config", "AWS Config"), ("access_analyzer", "IAM Access Analyzer"))
#: the kinds whose absence a roll-up section states, so it must know where they were not read
READ_CHECKED = ("iam:role", "ec2:vpc", "ec2:vpc-peering", "ec2:transit-gateway", "cloudtrail:trail")
#: the delegated administrators the issue names first (others are listed after them)
GUARD_PRINCIPALS = {"guardduty.amazonaws.com": "GuardDuty", "securityhub.amazonaws.com": "Security Hub",
                    "config.amazonaws.com": "AWS Config", "access-analyzer.amazonaws.com": "IAM Access Analyzer",
                    "cloudtrail.amazonaws.com": "CloudTrail", "inspector2.amazonaws.com": "Inspector",
                    "macie.amazonaws.com": "Macie", "detective.amazonaws.com": "Detective"}


def load_snapshots(out: Path, org: Organization) -> tuple[dict[str, Any], list[str]]:
    """The snapshot of every account organization.json says was scanned; warnings for the rest.

    A folder under accounts/ that this run did not scan (an account since excluded) is left
    out with a warning rather than mixed into this run's picture.
    """
    from scanner.inventory import Inventory, SnapshotError

    snapshots: dict[str, Any] = {}
    warnings: list[str] = []
    for acct in org.accounts:
        if acct.outcome != SCANNED:
            continue
        path = account_dir(out, acct.id) / "inventory.json"
        try:
            inv = Inventory.load(path)
        except SnapshotError as exc:
            raise UserError(f"account {acct.id}: {exc}") from None
        if inv.meta.get("account") != acct.id:
            raise UserError(f"{path} is a snapshot of account {inv.meta.get('account')}, not {acct.id}")
        snapshots[acct.id] = inv
    folder = Path(out) / "accounts"
    if folder.is_dir():
        for stray in sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name not in snapshots):
            if (folder / stray / "inventory.json").exists():
                warnings.append(f"accounts/{stray}/ is not from this run (organization.json does not list it as "
                                "scanned): left out of the roll-up")
    return snapshots, warnings


def _read_state(inv: Any, kind: str) -> str | None:
    """None when the kind's collectors read this account; else "not scanned" or "not read"."""
    spec = kinds.get(kind)
    feeds = set(spec.collectors) if spec else set()
    runs = [r for r in inv.meta.get("runs", []) if r.get("collector") in feeds]
    if not feeds or any(r.get("status") == status.OK for r in runs):
        return None
    if runs and all(status.is_excluded(r) for r in runs):
        return "not scanned"
    return "not read"


def what_runs_where(org: Organization, snapshots: dict[str, Any]) -> dict[str, Any]:
    counts = {aid: inv.kind_counts() for aid, inv in snapshots.items()}
    present = sorted({k for c in counts.values() for k in c if k not in SCAFFOLD},
                     key=lambda k: (kinds.plural(k).lower(), k))
    rows = []
    for kind in present:
        cells: dict[str, Any] = {}
        for aid, inv in snapshots.items():
            n = counts[aid].get(kind, 0)
            cells[aid] = n if n else (_read_state(inv, kind) or 0)
        rows.append({"kind": kind, "plural": kinds.plural(kind), "counts": cells,
                     "total": sum(v for v in cells.values() if isinstance(v, int))})
    return {"accounts": list(snapshots), "rows": rows}


def _principal_account(principal: str) -> str | None:
    """The account of an AWS principal: ``123456789012``, ``arn:aws:iam::123456789012:root``, a role ARN."""
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit() else None


def trusts(org: Organization, snapshots: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """IAM roles whose trust policy names another account: of the organization, or outside it."""
    members = {a.id for a in org.accounts}
    inside: list[dict[str, Any]] = []
    outside: list[dict[str, Any]] = []
    for aid, inv in snapshots.items():
        for role in inv.nodes("iam:role"):
            for t in role["props"].get("trust") or []:
                if t.get("principal_type") != "AWS":
                    continue
                other = _principal_account(str(t.get("principal") or ""))
                if other is None or other == aid:
                    continue
                row = {"account": aid, "role": naming.node_name(role), "role_id": role["id"], "trusted": other,
                       "principal": str(t.get("principal")), "external_id": bool(t.get("external_id")),
                       "conditions": bool(t.get("conditions"))}
                (inside if other in members else outside).append(row)
    key = lambda r: (r["account"], r["role"], r["trusted"], r["principal"])  # noqa: E731
    return {"inside": sorted(inside, key=key), "outside": sorted(outside, key=key)}


def networks(snapshots: dict[str, Any]) -> dict[str, Any]:
    """Peering between accounts, transit gateways used by several accounts, VPCs seen in several."""
    peerings: dict[str, dict[str, Any]] = {}
    tgws: dict[str, dict[str, Any]] = {}
    vpcs_seen: dict[tuple[str, str], dict[str, Any]] = {}
    per_account: dict[str, list[dict[str, Any]]] = {}
    for aid, inv in snapshots.items():
        for p in inv.nodes("ec2:vpc-peering"):
            pr = p["props"]
            req, acc = pr.get("requester_owner"), pr.get("accepter_owner")
            if req and acc and req != acc:
                peerings.setdefault(pr.get("peering_id") or p["id"], {
                    "id": pr.get("peering_id") or p["id"], "status": pr.get("status"),
                    "requester": {"account": req, "vpc": pr.get("requester_vpc"), "cidr": pr.get("requester_cidr"),
                                  "region": pr.get("requester_region")},
                    "accepter": {"account": acc, "vpc": pr.get("accepter_vpc"), "cidr": pr.get("accepter_cidr"),
                                 "region": pr.get("accepter_region")}, "seen_in": set()})["seen_in"].add(aid)
        for t in inv.nodes("ec2:transit-gateway"):
            tid = t["props"].get("tgw_id") or t["id"]
            entry = tgws.setdefault(tid, {"id": tid, "owner": t["props"].get("owner"), "region": t.get("region"),
                                          "name": naming.node_name(t), "seen_in": set(), "attachments": []})
            entry["seen_in"].add(aid)
        for a in inv.nodes("ec2:transit-gateway-attachment"):
            ap = a["props"]
            tid = ap.get("tgw_id")
            if not tid:
                continue
            entry = tgws.setdefault(tid, {"id": tid, "owner": None, "region": a.get("region"), "name": tid,
                                          "seen_in": set(), "attachments": []})
            entry["seen_in"].add(aid)
            att = {"account": ap.get("resource_owner") or aid, "type": ap.get("resource_type"),
                   "resource": ap.get("resource_id"), "state": ap.get("state"), "id": ap.get("attachment_id")}
            if att not in entry["attachments"]:
                entry["attachments"].append(att)
        vpcs = []
        for v in inv.nodes("ec2:vpc"):
            vp = v["props"]
            vid = vp.get("vpc_id") or v["id"]
            vpcs.append({"id": vid, "name": naming.node_name(v), "cidr": vp.get("cidr"), "region": v.get("region"),
                         "default": bool(vp.get("is_default"))})
            vpcs_seen.setdefault((v.get("region") or "", vid), {"id": vid, "region": v.get("region"),
                                                                "cidr": vp.get("cidr"), "seen_in": set()})["seen_in"].add(aid)
        per_account[aid] = vpcs
    for t in tgws.values():
        t["attachments"].sort(key=lambda x: (str(x["account"]), str(x["resource"]), str(x["id"])))
        t["accounts"] = sorted({str(x["account"]) for x in t["attachments"]} | ({t["owner"]} if t["owner"] else set())
                               | t["seen_in"])
    shared_tgws = [t for t in tgws.values() if len(t["accounts"]) > 1]
    return {
        "peerings": [{**p, "seen_in": sorted(p["seen_in"])} for _, p in sorted(peerings.items())],
        "tgws": [{**t, "seen_in": sorted(t["seen_in"])} for t in sorted(tgws.values(), key=lambda t: t["id"])],
        "shared_tgws": [t["id"] for t in sorted(shared_tgws, key=lambda t: t["id"])],
        "shared_vpcs": [{**v, "seen_in": sorted(v["seen_in"])} for _, v in sorted(vpcs_seen.items())
                        if len(v["seen_in"]) > 1],
        "vpcs": per_account,
    }


def _guard_cell(inv: Any, fact: str) -> dict[str, Any]:
    """One guard service over an account's regions: how many yes, no, unknown (with the first why)."""
    regions = inv.regions
    states = {"yes": 0, "no": 0, "unknown": 0}
    why = ""
    for r in regions:
        f = inv.region_fact(r, fact)
        state = f.state if f is not None else "unknown"
        states[state] += 1
        if state == "unknown" and not why:
            why = (f.why if f is not None else "") or "not judged"
    return {"regions": len(regions), **states, "why": why}


def guards(org: Organization, snapshots: dict[str, Any]) -> dict[str, Any]:
    trails: dict[str, dict[str, Any]] = {}
    for aid, inv in snapshots.items():
        for t in inv.nodes("cloudtrail:trail"):
            if t["props"].get("organization_trail") is True:
                entry = trails.setdefault(t["id"], {"id": t["id"], "name": naming.node_name(t),
                                                    "owner": _principal_account(t["id"]) or aid,
                                                    "home_region": t["props"].get("home_region") or t.get("region"),
                                                    "logging": t["props"].get("is_logging"), "seen_in": set()})
                entry["seen_in"].add(aid)
    per_account = [{"account": aid, **{name: _guard_cell(inv, name) for name, _ in GUARDS}}
                   for aid, inv in snapshots.items()]
    delegated = None
    if org.delegated is not None:
        by_service: dict[str, list[str]] = defaultdict(list)
        for d in org.delegated:
            for s in d.get("services") or []:
                by_service[s].append(d["account"])
        delegated = [{"principal": p, "service": GUARD_PRINCIPALS.get(p, p), "accounts": sorted(by_service.get(p, []))}
                     for p in sorted(set(GUARD_PRINCIPALS) | set(by_service),
                                     key=lambda p: (p not in GUARD_PRINCIPALS, list(GUARD_PRINCIPALS).index(p)
                                                    if p in GUARD_PRINCIPALS else 0, p))]
    # no collector reads config:DescribeConfigurationAggregators today: the document says so, never "none"
    collected = "config:aggregator" in kinds.SPECS
    aggregators = sorted({(aid, naming.node_name(n)) for aid, inv in snapshots.items()
                          for n in inv.nodes("config:aggregator")}) if collected else None
    return {"org_trails": [{**t, "seen_in": sorted(t["seen_in"])} for _, t in sorted(trails.items())],
            "per_account": per_account, "delegated": delegated, "aggregators": aggregators,
            "aggregators_collected": collected, "scps": org.policies}


def findings_and_cost(snapshots: dict[str, Any]) -> dict[str, Any]:
    """Open findings per account and severity, rules open in several accounts, cost per account."""
    from scanner.analysis import analyze

    per_account = []
    rules: dict[str, dict[str, Any]] = {}
    cost = []
    for aid, inv in snapshots.items():
        a = analyze(inv, {"pricing": "embedded"})
        counts = a.counts()
        per_account.append({"account": aid, **counts, "open": sum(counts.values()),
                            "not_assessed": sum(1 for f in a.findings if f.status == STATUS_NOT_ASSESSED)})
        for f in a.open_findings():
            r = rules.setdefault(f.rule, {"rule": f.rule, "title": f.title, "severity": f.severity,
                                          "accounts": set(), "findings": 0})
            r["accounts"].add(aid)
            r["findings"] += 1
        excluded = bool(inv.meta.get("excluded_services") or inv.meta.get("selection"))
        cost.append({"account": aid, "total": a.cost.get("total") if a.cost else None, "partial": excluded})
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    recurring = sorted(({**r, "accounts": sorted(r["accounts"])} for r in rules.values() if len(r["accounts"]) > 1),
                       key=lambda r: (rank.get(r["severity"], 9), -len(r["accounts"]), r["rule"]))
    return {"findings": per_account, "recurring": recurring, "cost": cost,
            "cost_total": round(sum(c["total"] or 0.0 for c in cost), 2)}


def build(org: Organization, snapshots: dict[str, Any]) -> dict[str, Any]:
    """Everything org.md shows, as plain data (the renderer escapes and lays it out)."""
    names = {a.id: a.name for a in org.accounts}
    for aid, inv in snapshots.items():
        names.setdefault(aid, inv.meta.get("name") or aid)
    # every per-account list and column in the order a reader looks accounts up: by name, then id
    snapshots = {aid: snapshots[aid] for aid in sorted(snapshots, key=lambda a: (names[a].lower(), a))}
    by_ou: dict[str, list[Any]] = defaultdict(list)
    for a in org.accounts:
        path = a.ou_path or ("(not read: " + org.unread["ous"] + ")" if "ous" in org.unread else
                             "(outside the organization's OUs)")
        by_ou[path].append(a)
    outcomes: dict[str, int] = defaultdict(int)
    for a in org.accounts:
        outcomes[a.outcome or "not started"] += 1
    return {
        "org": org, "names": names,
        "by_ou": [{"path": p, "accounts": sorted(accts, key=lambda a: (a.name.lower(), a.id))}
                  for p, accts in sorted(by_ou.items())],
        "outcomes": dict(sorted(outcomes.items())),
        "kinds": what_runs_where(org, snapshots),
        "trusts": trusts(org, snapshots),
        "network": networks(snapshots),
        "guards": guards(org, snapshots),
        # where a section's kinds could not be read, per account: "none found" would be a lie there
        "unread": {k: {aid: st for aid, inv in snapshots.items() if (st := _read_state(inv, k))}
                   for k in READ_CHECKED},
        **findings_and_cost(snapshots),
    }

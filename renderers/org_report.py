"""The organization document of ``awsscan org``: org.md, org.html and diagrams/org_overview.svg.

Built from :func:`scanner.org.rollup.build` only, so ``awsscan org-render`` writes the same
bytes offline. Everything from the accounts (names, OU names, role names, error messages) is
escaped for its output: Markdown here, HTML by the design document's own renderer, DOT labels.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import graphviz

from renderers.diagrams import Diagram
from renderers.escape import code, dot_label, md
from renderers.html import render_html
from renderers.report import render_diagram
from scanner.analysis.model import SEVERITIES
from scanner.inventory import atomic_write
from scanner.org import model
from scanner.org.rollup import GUARDS
from scanner.plural import count_of

#: account columns per "what runs where" table (more accounts: several tables)
COLUMNS = 8
#: VPCs drawn per account in the overview (the rest are counted)
VPCS_DRAWN = 12
RESULT_TEXT = {model.SCANNED: "scanned", model.SUSPENDED: "skipped (suspended)", model.EXCLUDED: "excluded",
               model.NOT_ASSUMED: "not assumed", model.FAILED: "scan failed", model.INTERRUPTED: "interrupted"}


def _acct(r: dict[str, Any], aid: str | None) -> str:
    """An account as the document names it: ``name (id)``; an account outside the organization by id."""
    if not aid:
        return "unknown account"
    name = r["names"].get(aid)
    if name and name != aid:
        return f"{md(name)} ({md(aid)})"
    return f"{md(aid)}" + ("" if aid in r["names"] else " (outside the organization)")


def _unread_note(r: dict[str, Any], kind: str, what: str) -> list[str]:
    where = r["unread"].get(kind) or {}
    if not where:
        return []
    return [f"{what} could not be seen in: " + "; ".join(f"{_acct(r, a)} ({md(s)})" for a, s in sorted(where.items()))
            + ", so \"none\" does not hold there.", ""]


def _header(r: dict[str, Any]) -> list[str]:
    org = r["org"]
    title = f"Organization {org.id}" if org.id else f"Accounts read with the credentials of {org.caller_account}"
    lines = [f"# {md(title)}", ""]
    who = f"Read on {md(org.read_at)} with the credentials of {code(org.caller_arn)}"
    if org.management_account:
        who += f"; management account {_acct(r, org.management_account)}"
    lines += [who + ".", ""]
    if org.source == "profiles":
        lines += ["The accounts come from `--accounts-from-profiles`; the organization itself (OUs, SCPs, "
                  "delegated administrators) was not read.", ""]
    counts = ", ".join(f"{n} {RESULT_TEXT.get(o, o)}" for o, n in r["outcomes"].items())
    lines += [f"{count_of(len(org.accounts), 'account')}: {md(counts)}.", ""]
    s = org.settings or {}
    parts = [f"regions: {md(', '.join(s['regions']))}" if s.get("regions") else "regions: every region enabled "
             "for each account"]
    if s.get("services"):
        parts.append(f"services: {md(', '.join(s['services']))}")
    if s.get("exclude"):
        parts.append(f"services left out: {md(', '.join(s['exclude']))}")
    if s.get("role_name"):
        parts.append(f"role assumed: {code(s['role_name'])}")
    lines += ["Scan settings: " + "; ".join(parts) + ". Each scanned account's full design document is in "
              "`accounts/<account id>/design.md`.", ""]
    for part, why in sorted(org.unread.items()):
        if part != "organization" or org.source != "profiles":
            lines += [f"- Not read ({md(part)}): {md(why)}"]
    if org.unread:
        lines.append("")
    return lines + ["![Organization overview](diagrams/org_overview.svg)", ""]


def _accounts(r: dict[str, Any]) -> list[str]:
    lines = ["## 1. Accounts by organizational unit", ""]
    for group in r["by_ou"]:
        lines += [f"### {md(group['path'])}", "", "| Account | Id | Status | Result | Access | Details |",
                  "|---|---|---|---|---|---|"]
        for a in group["accounts"]:
            detail = md(a.reason) if a.reason else ""
            if a.outcome == model.SCANNED:
                detail = f"[design.md](accounts/{a.id}/design.md) {detail}".rstrip()
            lines.append(f"| {md(a.name)} | {md(a.id)} | {md(a.status)} | {md(RESULT_TEXT.get(a.outcome, a.outcome or 'not started'))} "
                         f"| {md(a.access)} | {detail} |")
        lines.append("")
    missed = [a for g in r["by_ou"] for a in g["accounts"] if a.outcome != model.SCANNED]
    lines += ["### Accounts not scanned", ""]
    if not missed:
        lines += ["Every account of the organization was scanned.", ""]
    else:
        lines += ["| Account | Organizational unit | Result | Reason |", "|---|---|---|---|"]
        lines += [f"| {_acct(r, a.id)} | {md(a.ou_path or '-')} | {md(RESULT_TEXT.get(a.outcome, a.outcome))} | "
                  f"{md(a.reason or '-')} |" for a in sorted(missed, key=lambda a: a.id)]
        lines.append("")
    return lines


def _kinds(r: dict[str, Any]) -> list[str]:
    k = r["kinds"]
    lines = ["## 2. What runs where", ""]
    if not k["accounts"]:
        return lines + ["No account was scanned.", ""]
    if not k["rows"]:
        return lines + ["The scanned accounts hold no resources of the kinds scanned.", ""]
    lines += ["Resources per account (\"not scanned\": left out by choice; \"not read\": denied or failed there).", ""]
    for start in range(0, len(k["accounts"]), COLUMNS):
        cols = k["accounts"][start:start + COLUMNS]
        last = start + COLUMNS >= len(k["accounts"])
        lines.append("| Resource | " + " | ".join(_acct(r, a) for a in cols) + (" | Total |" if last else " |"))
        lines.append("|---|" + "---:|" * len(cols) + ("---:|" if last else ""))
        for row in k["rows"]:
            cells = [md(row["counts"].get(a, 0)) for a in cols]
            lines.append(f"| {md(row['plural'])} | " + " | ".join(cells) + (f" | {row['total']} |" if last else " |"))
        lines.append("")
    return lines


def _trusts(r: dict[str, Any]) -> list[str]:
    t = r["trusts"]
    lines = ["## 3. Cross-account access and shared networks", "",
             "### 3.1 Roles that accounts of the organization may assume", ""]
    head = ["| Account | Role | Trusted account | Principal | External id | Conditions |", "|---|---|---|---|---|---|"]

    def rows(items: list[dict[str, Any]]) -> list[str]:
        return [f"| {_acct(r, x['account'])} | {md(x['role'])} | {_acct(r, x['trusted'])} | {code(x['principal'])} | "
                f"{'yes' if x['external_id'] else 'no'} | {'yes' if x['conditions'] else 'no'} |" for x in items]

    lines += (head + rows(t["inside"]) if t["inside"] else
              ["No IAM role of a scanned account trusts another account of the organization."]) + [""]
    lines += _unread_note(r, "iam:role", "IAM roles")
    lines += ["### 3.2 Roles that accounts outside the organization may assume", ""]
    lines += (head + rows(t["outside"]) if t["outside"] else
              ["No IAM role of a scanned account trusts an account outside the organization."]) + [""]
    return lines


def _networks(r: dict[str, Any]) -> list[str]:
    n = r["network"]
    lines = ["### 3.3 VPC peering between accounts", ""]
    if n["peerings"]:
        lines += ["| Peering | Requester | Accepter | Status |", "|---|---|---|---|"]
        for p in n["peerings"]:
            side = [f"{_acct(r, s['account'])}: {md(s['vpc'])} {md(s['cidr'] or '')} ({md(s['region'])})"
                    for s in (p["requester"], p["accepter"])]
            lines.append(f"| {md(p['id'])} | {side[0]} | {side[1]} | {md(p['status'])} |")
    else:
        lines.append("No VPC peering connection joins two accounts.")
    lines += [""] + _unread_note(r, "ec2:vpc-peering", "VPC peering connections")
    lines += ["### 3.4 Transit gateways shared between accounts", ""]
    shared = [t for t in n["tgws"] if t["id"] in n["shared_tgws"]]
    if shared:
        lines += ["| Transit gateway | Owner | Region | Accounts | Attachments |", "|---|---|---|---|---|"]
        for t in shared:
            atts = "; ".join(f"{_acct(r, a['account'])}: {md(a['type'] or '')} {md(a['resource'] or '')} "
                             f"({md(a['state'] or '')})" for a in t["attachments"]) or "none read"
            lines.append(f"| {md(t['name'])} ({md(t['id'])}) | {_acct(r, t['owner'])} | {md(t['region'])} | "
                         f"{', '.join(_acct(r, a) for a in t['accounts'])} | {atts} |")
    else:
        lines.append("No transit gateway is used by more than one account.")
    lines += [""] + _unread_note(r, "ec2:transit-gateway", "Transit gateways")
    lines += ["### 3.5 VPCs seen in several accounts (shared VPCs)", ""]
    if n["shared_vpcs"]:
        lines += ["| VPC | CIDR | Region | Seen in |", "|---|---|---|---|"]
        lines += [f"| {md(v['id'])} | {md(v['cidr'])} | {md(v['region'])} | {', '.join(_acct(r, a) for a in v['seen_in'])} |"
                  for v in n["shared_vpcs"]]
    else:
        lines.append("No VPC appears in more than one account (no VPC is shared through AWS RAM).")
    return lines + [""] + _unread_note(r, "ec2:vpc", "VPCs")


def _guard_text(c: dict[str, Any]) -> str:
    total = c["regions"]
    if not total:
        return "no region scanned"
    parts = []
    for state, word in (("yes", "on"), ("no", "off")):
        if c[state]:
            parts.append(f"{word} in {'all ' + str(total) if c[state] == total else str(c[state]) + ' of ' + str(total)}"
                         f" {'region' if total == 1 else 'regions'}")
    if c["unknown"]:
        parts.append(f"unknown in {c['unknown']} of {total} ({c['why']})")
    return "; ".join(parts)


def _guards(r: dict[str, Any]) -> list[str]:
    g = r["guards"]
    lines = ["## 4. Organization-wide guards", "", "### 4.1 Organization trails", ""]
    if g["org_trails"]:
        lines += ["| Trail | Owner | Home region | Logging | Seen in |", "|---|---|---|---|---|"]
        for t in g["org_trails"]:
            logging = {True: "yes", False: "no"}.get(t["logging"], "unknown (trail status not read)")
            lines.append(f"| {md(t['name'])} | {_acct(r, t['owner'])} | {md(t['home_region'])} | {logging} | "
                         f"{', '.join(_acct(r, a) for a in t['seen_in'])} |")
    else:
        lines.append("No organization trail was found in the scanned accounts.")
    lines += [""] + _unread_note(r, "cloudtrail:trail", "CloudTrail trails")
    lines += ["### 4.2 Guard services per account", "",
              "| Account | " + " | ".join(label for _, label in GUARDS) + " |", "|---|" + "---|" * len(GUARDS)]
    for row in g["per_account"]:
        lines.append(f"| {_acct(r, row['account'])} | " + " | ".join(md(_guard_text(row[name])) for name, _ in GUARDS) + " |")
    lines += ["", "### 4.3 Config aggregators", ""]
    if not g["aggregators_collected"]:
        lines.append("Not collected: awsscan does not read Config aggregators "
                     "(config:DescribeConfigurationAggregators) yet, so none are listed here.")
    elif g["aggregators"]:
        lines += [f"- {_acct(r, a)}: {md(name)}" for a, name in g["aggregators"]]
    else:
        lines.append("No Config aggregator was found in the scanned accounts.")
    lines += ["", "### 4.4 Delegated administrators", ""]
    org = r["org"]
    if g["delegated"] is None:
        lines.append(f"Not read: {md(org.unread.get('delegated', 'the organization was not read'))}.")
    else:
        lines += ["| Service | Delegated administrator |", "|---|---|"]
        lines += [f"| {md(d['service'])} ({code(d['principal'])}) | "
                  f"{', '.join(_acct(r, a) for a in d['accounts']) or 'none: administered from the management account'} |"
                  for d in g["delegated"]]
    lines += ["", "### 4.5 Service control policies", ""]
    if g["scps"] is None:
        lines.append(f"Not read: {md(org.unread.get('policies', 'the organization was not read'))}.")
    elif not g["scps"]:
        lines.append("The organization has no service control policy.")
    else:
        ous = {o["id"]: o["path"] for o in org.ous}
        lines += ["| Policy | AWS managed | Attached to |", "|---|---|---|"]
        for p in g["scps"]:
            targets = []
            for t in p["targets"]:
                if t.get("type") == "ACCOUNT":
                    targets.append("account " + _acct(r, t.get("id")))
                else:
                    targets.append(f"{'root' if t.get('type') == 'ROOT' else 'OU'} {md(ous.get(t.get('id'), t.get('name') or t.get('id')))}")
            lines.append(f"| {md(p['name'])} ({md(p['id'])}) | {'yes' if p['aws_managed'] else 'no'} | "
                         f"{'; '.join(targets) or 'not attached'} |")
    return lines + [""]


def _findings_cost(r: dict[str, Any]) -> list[str]:
    lines = ["## 5. Findings by account", ""]
    if r["findings"]:
        lines += ["| Account | " + " | ".join(s.capitalize() for s in SEVERITIES) + " | Open | Not assessed |",
                  "|---|" + "---:|" * (len(SEVERITIES) + 2)]
        for f in r["findings"]:
            lines.append(f"| {_acct(r, f['account'])} | " + " | ".join(str(f[s]) for s in SEVERITIES)
                         + f" | {f['open']} | {f['not_assessed']} |")
        lines.append("")
        if r["recurring"]:
            lines += ["### Findings open in several accounts", "", "| Severity | Rule | Finding | Accounts |", "|---|---|---|---|"]
            lines += [f"| {x['severity'].upper()} | {md(x['rule'])} | {md(x['title'])} | "
                      f"{', '.join(_acct(r, a) for a in x['accounts'])} |" for x in r["recurring"]]
            lines.append("")
    else:
        lines += ["No account was scanned.", ""]
    lines += ["## 6. Estimated monthly cost by account", ""]
    if r["cost"]:
        lines += ["| Account | Estimated monthly cost (USD) |", "|---|---:|"]
        for c in r["cost"]:
            value = "not estimated" if c["total"] is None else f"${c['total']:,.2f}"
            lines.append(f"| {_acct(r, c['account'])} | {value}{' (scanned services only)' if c['partial'] else ''} |")
        lines += [f"| **All scanned accounts** | **${r['cost_total']:,.2f}** |", "",
                  "On-demand list prices of what each account runs (section 10 of its design document says what "
                  "is and is not included).", ""]
    return lines


def markdown(r: dict[str, Any]) -> str:
    lines = (_header(r) + _accounts(r) + _kinds(r) + _trusts(r) + _networks(r) + _guards(r) + _findings_cost(r))
    return "\n".join(lines).rstrip() + "\n"


def _nid(*parts: str) -> str:
    """A DOT node id from resource ids: stable, never account text."""
    return "n" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def diagram(r: dict[str, Any]) -> Diagram:
    """Accounts as clusters holding their VPCs and transit gateways; peering, attachments and
    cross-account role trusts drawn between them."""
    g = graphviz.Digraph("org_overview", graph_attr={"rankdir": "LR", "compound": "true", "fontname": "Helvetica",
                                                     "label": "Organization overview", "labelloc": "t", "fontsize": "14"},
                         node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                    "fontsize": "11", "fillcolor": "#ffffff"},
                         edge_attr={"fontname": "Helvetica"})
    net = r["network"]
    scanned = r["kinds"]["accounts"]
    drawn: dict[tuple[str, str], str] = {}      # (account, vpc id) -> node
    outside: set[str] = set()
    omitted: list[str] = []
    tgw_home = {t["id"]: t["owner"] for t in net["tgws"]}

    def anchor(aid: str) -> str:
        if aid not in scanned and aid not in outside:
            outside.add(aid)
            g.node(_nid("acct", aid), label=dot_label(r["names"].get(aid, aid)) + "\\n" + dot_label(aid),
                   style="rounded,dashed", color="#78909c")
        return _nid("acct", aid)

    for n, aid in enumerate(scanned):
        with g.subgraph(name=f"cluster_{n}") as sub:
            sub.attr(label=dot_label(r["names"].get(aid, aid)) + "\\n" + dot_label(aid), style="rounded",
                     color="#455a64", fontname="Helvetica")
            sub.node(_nid("acct", aid), label="account", shape="plaintext", style="", fontsize="9")
            vpcs = net["vpcs"].get(aid, [])
            custom = [v for v in vpcs if not v["default"]]
            for v in custom[:VPCS_DRAWN]:
                node = _nid("vpc", v["region"] or "", v["id"])
                if node not in drawn.values():
                    sub.node(node, label="\\n".join(dot_label(x) for x in (v["name"], v["cidr"] or "", v["region"] or "")),
                             fillcolor="#e3f2fd", color="#1565c0")
                drawn[(aid, v["id"])] = node
            defaults = len(vpcs) - len(custom)
            if len(custom) > VPCS_DRAWN:
                omitted.append(f"{count_of(len(custom) - VPCS_DRAWN, 'more VPC')} in {r['names'].get(aid, aid)}")
            if defaults:
                sub.node(_nid("defaults", aid), label=dot_label(count_of(defaults, "default VPC")), color="#90a4ae",
                         fillcolor="#eceff1", fontsize="9")
            for t in net["tgws"]:
                if t["owner"] == aid or (t["owner"] not in scanned and t["seen_in"][:1] == [aid]):
                    sub.node(_nid("tgw", t["id"]), label=dot_label(t["name"]) + "\\n" + dot_label(t["id"]),
                             shape="octagon", fillcolor="#fff3e0", color="#ef6c00")
    vpc_node = {vid: node for (_, vid), node in drawn.items()}
    for p in net["peerings"]:
        a, b = (vpc_node.get(p[s]["vpc"]) or anchor(p[s]["account"]) for s in ("requester", "accepter"))
        g.edge(a, b, label=dot_label(f"peering {p['status'] or ''}", 30), dir="both", color="#1565c0", fontsize="9")
    for t in net["tgws"]:
        if t["id"] not in net["shared_tgws"] and tgw_home.get(t["id"]) not in scanned:
            continue
        for att in t["attachments"]:
            src = vpc_node.get(att["resource"]) if att["type"] == "vpc" else None
            g.edge(src or anchor(att["account"]), _nid("tgw", t["id"]), color="#ef6c00", fontsize="9",
                   label=dot_label(att["type"] or "attachment", 20))
    pairs: dict[tuple[str, str], int] = {}
    for x in r["trusts"]["inside"] + r["trusts"]["outside"]:
        pairs[(x["trusted"], x["account"])] = pairs.get((x["trusted"], x["account"]), 0) + 1
    for (src, dst), count in sorted(pairs.items()):
        g.edge(anchor(src), anchor(dst), label=dot_label(f"may assume {count_of(count, 'role')}", 40),
               color="#6a1b9a", fontcolor="#6a1b9a", style="dashed", fontsize="9")
    return Diagram(marker="ORG", filename="org_overview", title="Organization overview", graph=g, omitted=omitted,
                   nodes=len(drawn) + len(scanned), edges=0)


def write_org(r: dict[str, Any], out: Path) -> tuple[list[Path], list[str]]:
    """Write org.md, org.html and the overview diagram into ``out``; the files and any warnings."""
    out = Path(out)
    warnings: list[str] = []
    text = markdown(r)
    diagrams = out / "diagrams"
    diagrams.mkdir(parents=True, exist_ok=True)
    files = render_diagram(diagram(r), diagrams, warnings)
    title = f"Organization {r['org'].id}" if r["org"].id else "Organization"
    files.append(atomic_write(out / "org.md", text))
    files.append(atomic_write(out / "org.html", render_html(text, diagrams, title)))
    return files, warnings

"""AWS_SECURITY, the rest of the story: admin rights, cross-account trusts, encryption, guards.

Beside the network picture (security.py: sources -> groups -> workloads -> roles -> keys)
the security diagram states, from the judged facts and the IAM props:

- **IAM principals with admin rights**: users, groups and roles holding AdministratorAccess,
  a policy or inline policy that allows ``*`` on ``*`` (``admin_like``, as IAM-006 reads it),
  or, for users, such a group. Drawn as a panel (principal, why), the principals used by a
  drawn workload are also flagged on their node.
- **Cross-account trusts**: a role another account (or anyone, ``Principal *``) may assume is
  drawn with an edge from that account, labelled with whether an ExternalId is required.
- **Encryption at rest**: one compact table, one row per kind, from the judged ``encrypted``
  fact: how many are encrypted, which are NOT (named), and how many could not be read (with
  why; never counted as either).
- **Account guards** (CloudTrail, GuardDuty, Config, Security Hub, Access Analyzer): present,
  MISSING, or not assessed (a denied read is never "missing").

The panels are tables in the diagram's label (scene.Scene.panels), above the drawing: they
take no part in the layout, so the diagram stays as wide as its network picture.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from renderers.diagrams import style as st
from renderers.escape import dot_label
from scanner import naming
from scanner.inventory import Inventory

#: AWS managed policies that grant everything
ADMIN_POLICIES = frozenset({"AdministratorAccess"})
#: rows of the admin panel before "and N more"
MAX_ADMIN_ROWS = 12
#: names listed in a NOT encrypted cell before "…"
MAX_NAMES = 3


# --- admin rights -----------------------------------------------------------------

def _allows_everything(statements: Any) -> bool:
    for s in statements if isinstance(statements, list) else []:
        if not isinstance(s, dict) or str(s.get("effect")).lower() != "allow":
            continue
        if s.get("not_action") or s.get("not_resource"):
            continue
        actions = {str(a) for a in s.get("actions") or []}
        if actions & {"*", "*:*"} and "*" in {str(r) for r in s.get("resources") or []}:
            return True
    return False


def admin_reason(inv: Inventory, n: dict[str, Any], policies: dict[str, dict[str, Any]]) -> str | None:
    """Why a user, group or role has admin rights (None: it has not, as far as the scan read)."""
    p = n.get("props") or {}
    attached = [str(a) for a in p.get("attached_policies") or []]
    attached += [str((pol.get("props") or {}).get("policy_name") or pol["id"]) for pol in inv.out(n["id"], "has_policy")]
    for name in dict.fromkeys(attached):
        short = name.rsplit("/", 1)[-1]
        if short in ADMIN_POLICIES:
            return f"{short} attached"
        pol = policies.get(short)
        if pol and ((pol.get("props") or {}).get("admin_like")
                    or _allows_everything((pol.get("props") or {}).get("statements"))):
            return f"policy {short} allows * on *"
    for ip in p.get("inline_policies") or []:
        if isinstance(ip, dict) and (ip.get("admin_like") or _allows_everything(ip.get("statements"))):
            return f"inline policy {ip.get('name') or '?'} allows * on *"
    return None


def admin_principals(inv: Inventory) -> list[tuple[dict[str, Any], str]]:
    """(principal, why) for every user, group and role with admin rights, users through groups too."""
    policies = {str((pol.get("props") or {}).get("policy_name") or ""): pol for pol in inv.nodes("iam:policy")}
    found: list[tuple[dict[str, Any], str]] = []
    admin_groups: dict[str, str] = {}
    for g in inv.nodes("iam:group"):
        why = admin_reason(inv, g, policies)
        if why:
            admin_groups[g["id"]] = why
            found.append((g, why))
    for kind in ("iam:user", "iam:role"):
        for n in inv.nodes(kind):
            if (n.get("props") or {}).get("service_linked"):
                continue
            why = admin_reason(inv, n, policies)
            if not why and kind == "iam:user":
                groups = [g for g in inv.out(n["id"], "member_of", "iam:group") if g["id"] in admin_groups]
                if groups:
                    why = f"through group {naming.node_name(groups[0])}"
            if why:
                found.append((n, why))
    return sorted(found, key=lambda nw: (nw[0]["kind"], naming.node_name(nw[0])))


def admin_panel(inv: Inventory) -> str:
    """The panel of principals with admin rights (it says so when there are none)."""
    rows = admin_principals(inv)
    head = _head("IAM principals with admin rights", "principal", "why")
    if not rows:
        read = bool(inv.nodes("iam:role") or inv.nodes("iam:user"))
        text = "none found" if read else "not assessed: IAM could not be read"
        return _table(head + [f'<TR><TD COLSPAN="2" ALIGN="LEFT">{_small(text)}</TD></TR>'])
    body = []
    for n, why in rows[:MAX_ADMIN_ROWS]:
        body.append(f'<TR><TD ALIGN="LEFT" BGCOLOR="{st.ALERT_FILL}">{_small(st.title_of(n["kind"]) + " " + naming.node_name(n))}'
                    f'</TD><TD ALIGN="LEFT">{_small(why)}</TD></TR>')
    if len(rows) > MAX_ADMIN_ROWS:
        body.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{_small(f"and {len(rows) - MAX_ADMIN_ROWS} more (section 5.1)")}</TD></TR>')
    return _table(head + body)


# --- cross-account trusts ---------------------------------------------------------

def _account_of(principal: str) -> str | None:
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit() else None


def trusts(inv: Inventory) -> list[tuple[str, dict[str, Any], bool]]:
    """(other account or "*", role, ExternalId required) for each role another account may assume."""
    own = str(inv.meta.get("account") or "")
    out: list[tuple[str, dict[str, Any], bool]] = []
    for r in inv.nodes("iam:role"):
        seen: set[str] = set()
        for t in (r.get("props") or {}).get("trust") or []:
            if not isinstance(t, dict):
                continue
            if t.get("principal_type") == "*" or t.get("principal") == "*":
                other = "*"
            elif t.get("principal_type") == "AWS":
                other = _account_of(str(t.get("principal") or "")) or ""
                if not other or other == own:
                    continue
            else:
                continue
            if other not in seen:
                seen.add(other)
                out.append((other, r, bool(t.get("external_id") or t.get("conditions"))))
    return out


def draw_trusts(inv: Inventory, scene: st.Scene) -> int:
    """Other account -> role edges ("can assume"); returns how many were drawn."""
    drawn = 0
    for other, role, guarded in trusts(inv):
        if other == "*":
            label = st.html_label("Anyone", "Principal * in the trust policy")
            attrs = st.node_attrs("external", exposed=True)
        else:
            label = st.html_label(f"Account {other}", "another AWS account")
            attrs = st.node_attrs("aws:account")
        src = scene.node(None, f"trust/{other}", label, attrs, members=(f"aws://account/{other}",), kind="aws:account")
        rid = st.dot_id(role["id"])
        if rid not in scene.nodes:
            rid = scene.node(None, role["id"], st.html_label(naming.node_name(role), "IAM role"),
                             st.node_attrs("iam:role"), members=(role["id"],), kind="iam:role")
        scene.edge(src, rid, "trust", "can assume · " + ("ExternalId / condition" if guarded else "no ExternalId"))
        drawn += 1
    return drawn


# --- encryption at rest -------------------------------------------------------------

def encryption_panel(inv: Inventory) -> str | None:
    """Per kind: encrypted / NOT encrypted (named) / not known (why), from the judged fact."""
    by_kind: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    reasons: dict[str, list[str]] = defaultdict(list)
    for n in inv.nodes():
        f = inv.fact(n["id"], "encrypted")
        if f is None:
            continue
        by_kind[n["kind"]][f.state].append(n)
        if f.unknown and f.why:
            reasons[n["kind"]].append(f.why)
    if not by_kind:
        return None
    rows = _head("Encryption at rest", "kind", "encrypted", "NOT encrypted", "not known")
    for kind in sorted(by_kind, key=lambda k: st.title_of(k).lower()):
        states = by_kind[kind]
        yes, no, unknown = states.get("yes", []), states.get("no", []), states.get("unknown", [])
        names = sorted(naming.node_name(n) for n in no)
        no_text = (f"{len(no)}: " + ", ".join(names[:MAX_NAMES]) + (", …" if len(names) > MAX_NAMES else "")) if no else "–"
        why = "; ".join(dict.fromkeys(reasons[kind])) or "not read"
        unknown_text = f"{len(unknown)}: {why}" if unknown else "–"
        border = ' BORDER="1"' if no else ""
        rows.append(
            "<TR>"
            f'<TD ALIGN="LEFT">{_small(st.count_words(kind, len(yes) + len(no) + len(unknown)))}</TD>'
            f'<TD BGCOLOR="{st.PRESENT[1] if yes else "#FFFFFF"}">{_small(str(len(yes)) if yes else "–")}</TD>'
            f'<TD ALIGN="LEFT" BGCOLOR="{st.ALERT_FILL if no else "#FFFFFF"}" COLOR="{st.MISSING[0]}"'
            f'{border}>{_small(no_text, 60, bold=bool(no))}</TD>'
            f'<TD ALIGN="LEFT" BGCOLOR="{st.UNKNOWN[1] if unknown else "#FFFFFF"}">{_small(unknown_text, 50)}</TD>'
            "</TR>")
    return _table(rows)


# --- account guards -----------------------------------------------------------------

def guards_panel(inv: Inventory, guards: tuple[tuple[str, str], ...], state_of: Any) -> str:
    rows = _head("Account guards", "guard", "state")
    for kind, fact in guards:
        state, detail = state_of(inv, kind, fact)
        word = {"present": "present", "missing": "MISSING", "unknown": "not assessed"}[state]
        fill = {"present": st.PRESENT[1], "missing": st.ALERT_FILL, "unknown": st.UNKNOWN[1]}[state]
        rows.append(f'<TR><TD ALIGN="LEFT"><B>{dot_label(st.title_of(kind), 40)}</B></TD>'
                    f'<TD ALIGN="LEFT" BGCOLOR="{fill}">{_small(f"{word}: {detail}", 60)}</TD></TR>')
    return _table(rows)


# --- table helpers --------------------------------------------------------------------

def _small(text: str, limit: int = 48, bold: bool = False) -> str:
    inner = dot_label(text, limit)
    inner = f"<B>{inner}</B>" if bold else inner
    return f'<FONT POINT-SIZE="{st.MIN_FONT}">{inner}</FONT>'


def _head(title: str, *columns: str) -> list[str]:
    cells = "".join(f'<TD ALIGN="LEFT" BGCOLOR="#E9EDF1">{_small(c, 30, bold=True)}</TD>' for c in columns)
    return [f'<TR><TD COLSPAN="{len(columns)}" ALIGN="LEFT"><B>{dot_label(title, 60)}</B></TD></TR>',
            f"<TR>{cells}</TR>"]


def _table(rows: list[str]) -> str:
    return ('<TABLE BORDER="1" COLOR="#B8C0CA" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
            + "".join(rows) + "</TABLE>")

"""Saying that a list is empty without saying "none" where the scan could not look.

A subsection that lists several kinds ("internet gateways, NAT gateways, VPC endpoints, ...
or Direct Connect virtual interfaces") used to say either "none were found" or, when any one
feed could not be read, "none could be listed" for all of them. Both are wrong when only one
feed failed: the others were read and really are empty. Here each kind is judged on its own
feeds (its collectors, from the kind specs), and the sentence names each group for what it is:
found none, could not be read (and where), or left out by choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scanner import kinds, status
from scanner.inventory import Inventory

#: how a kind's feeds ended, in the order a sentence states them
READ, BLOCKED, EXCLUDED = "read", "blocked", "excluded"


def state_of(runs: Sequence[Mapping[str, Any]], kind: str) -> tuple[str, list[str]]:
    """READ, BLOCKED (with the regions where a feed could not read) or EXCLUDED for one kind."""
    colls = set(kinds.spec(kind).collectors)
    blocked = status.blocked_runs(runs, collectors=colls) if colls else []
    if not blocked:
        return READ, []
    if all(status.is_excluded(r) for r in blocked):
        return EXCLUDED, []
    return BLOCKED, sorted({str(r.get("region")) for r in blocked if not status.is_excluded(r)})


def or_list(words: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def none_of(inv: Inventory, node_kinds: Iterable[str], *, labels: Mapping[str, str] | None = None,
            summary: str = "") -> str:
    """One sentence for a list of kinds of which none exists in the graph.

    ``labels`` may name a kind better than its spec's plural in context ("VPN connections"
    for the VPN kinds); kinds with the same label are judged together (blocked if any is).
    ``summary`` names the whole list ("container services (ECS, ECR or EKS)") for the plain
    cases, every feed read or every feed unread; a mixed case names each group.
    """
    runs = inv.meta.get("runs", []) or []
    groups: dict[str, tuple[str, set[str]]] = {}
    rank = {READ: 0, EXCLUDED: 1, BLOCKED: 2}
    for kind in node_kinds:
        label = (labels or {}).get(kind) or kinds.spec(kind).plural
        state, regions = state_of(runs, kind)
        old_state, old_regions = groups.get(label, (READ, set()))
        worst = state if rank[state] >= rank[old_state] else old_state
        groups[label] = (worst, old_regions | set(regions))
    read = [label for label, (s, _) in groups.items() if s == READ]
    excluded = [label for label, (s, _) in groups.items() if s == EXCLUDED]
    blocked = [(label, regions) for label, (s, regions) in groups.items() if s == BLOCKED]
    scanned = list(inv.regions)
    if summary and not blocked and not excluded:
        return f"No {summary} were found in the scanned regions ({', '.join(scanned) or 'no region'})."
    if summary and not read and not excluded and all(set(r) >= set(scanned) for _, r in blocked):
        return f"No {summary} could be listed: the scan could not read them (see below)."
    if summary and not read and not blocked:
        return (f"No {summary} are listed: not scanned, "
                f"{inv.meta.get('selection') or 'excluded by choice'}.")
    parts: list[str] = []
    if read:
        where = ", ".join(scanned) if scanned else "no region"
        parts.append(f"No {or_list(read)} were found in the scanned regions ({where})")
    if blocked:
        every = all(set(regions) >= set(scanned) for _, regions in blocked) if scanned else True
        names = or_list([label for label, _ in blocked])
        if not read and not excluded and every:
            return f"No {names} could be listed: the scan could not read them (see below)."
        by_region = [f"{label} could not be read" + ("" if set(regions) >= set(scanned) else
                                                        f" in {', '.join(regions)} (none in the other scanned regions; see below)")
                     for label, regions in blocked]
        text = "; ".join(by_region)
        text = text if text.endswith("see below)") else text + " (see below)"
        parts.append(text[0].upper() + text[1:] if not parts else text)
    if excluded:
        why = inv.meta.get("selection") or "excluded by choice"
        text = f"{or_list(excluded)} are not listed: not scanned, {why}"
        parts.append(text[0].upper() + text[1:] if not parts else text)
    return "; ".join(parts) + "."

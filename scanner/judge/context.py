"""What a judge reads besides the node: the scan's gaps and runs, indexed once per scan."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from scanner import status
from scanner.fact import Fact, no, unknown, yes
from scanner.inventory import Inventory

if TYPE_CHECKING:
    from scanner.judge import Judge


class JudgeContext:
    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.current: Judge | None = None
        self.gaps_by_resource: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.gaps_by_action: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for gp in inv.meta.get("gaps", []):
            if gp.get("resource"):
                self.gaps_by_resource[str(gp["resource"])].append(gp)
            self.gaps_by_action[str(gp.get("action") or "")].append(gp)
        self.runs = list(inv.meta.get("runs", []))
        self._cache: dict[str, Any] = {}

    def memo(self, key: str, fn: Any) -> Any:
        """A per-scan index built on first use (e.g. backup selections by region)."""
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def why(self, node: dict[str, Any], actions: tuple[str, ...] = ()) -> str:
        """Why something about ``node`` is not known: the failed read of it, naming its IAM action."""
        actions = actions or (self.current.actions if self.current else ())
        gaps = self.gaps_by_resource.get(node["id"], [])
        name = node.get("name")
        if not gaps and name:
            gaps = self.gaps_by_resource.get(str(name), [])
        wanted = [gp for gp in gaps if gp.get("action") in actions] if actions else gaps
        for gp in wanted or ([] if actions else gaps):
            return f"{gp.get('action')}: {gp.get('reason') or 'not read'}"
        if actions:
            # an account-wide or regional read of that action that failed (no resource named)
            for a in actions:
                for gp in self.gaps_by_action.get(a, []):
                    if not gp.get("resource") and gp.get("region") in (node.get("region"), "global", None):
                        return f"{a}: {gp.get('reason') or 'not read'}"
            return f"{actions[0]} not read"
        return "not collected"

    def unknown(self, node: dict[str, Any], *actions: str) -> Fact:
        return unknown(self.why(node, tuple(actions)))

    def not_stated(self, node: dict[str, Any], action: str, field: str, value: Any = None) -> Fact:
        """Unknown: the read failed (its gap's reason), or it answered without ``field`` / with a
        value of it this code does not understand (a new enum), which is not "no" either."""
        if value is not None:
            return unknown(f"{field} {value!r} not understood")
        why = self.why(node, (action,))
        return unknown(why if why != f"{action} not read" else f"{field} not stated in the {action} answer")

    def flag(self, node: dict[str, Any], prop: str, yes_why: str, no_why: str, *actions: str,
             field: str = "") -> Fact:
        """A yes/no prop as a fact with its words; ``None`` (not read) is unknown with the failed
        read's reason: the gap of ``actions`` (default: the current judge's), or, with ``field``,
        "<field> not stated in the <action> answer" when the read itself succeeded.

        One reading for the many judges of a single boolean setting (encrypted, TLS, public, ...),
        so "not read" is said the same way everywhere and never becomes "no"."""
        v = (node.get("props") or {}).get(prop)
        if v is None:
            if field:
                read = next(iter(actions or (self.current.actions if self.current else ())), "the")
                return self.not_stated(node, read, field)
            return self.unknown(node, *actions)
        return yes(yes_why) if v else no(no_why)

    def run_state(self, services: tuple[str, ...], region: str, collectors: tuple[str, ...] = ()
                  ) -> tuple[str, str]:
        """How the collectors of some services ended in one region (for region-wide facts):
        ("ok" | "blocked" | "unavailable" | "absent", why)."""
        runs = [r for r in self.runs if (r.get("service") in services or r.get("collector") in collectors)
                and r.get("region") == region]
        if not runs:
            return "absent", "not scanned in this region"
        blocked = [r for r in runs if status.is_blocked(r)]
        if blocked:
            r = blocked[0]
            if status.is_excluded(r):
                return "blocked", f"{r.get('collector')}: {r.get('message') or 'excluded by choice'}"
            if r.get("status") == status.DENIED:
                return "blocked", f"{r.get('action') or r.get('collector')}: {r.get('message') or 'access denied'}"
            return "blocked", f"{r.get('collector')} failed: {r.get('message') or 'error'}"
        if all(r.get("status") in (status.UNAVAILABLE, status.REGION_DISABLED) for r in runs):
            msg = str(runs[0].get("message") or "not offered in this region")
            if "not implemented" in msg:  # an emulator without the API: we could not look
                return "blocked", f"{runs[0].get('collector')}: {msg}"
            return "unavailable", msg
        return "ok", ""

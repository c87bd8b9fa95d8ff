"""Sections 4.1-4.3 facts: S3 buckets, EBS volumes/snapshots/defaults, EFS and FSx as table rows.

Pure functions of the Inventory. Cells are plain values; ``None`` (not readable)
is rendered as "unknown" here rather than guessed, so a denied read never looks
like a safe setting. Judged properties (encrypted, versioned, public, backup policy)
are the facts stored at scan time (scanner/judge/), read with :func:`fact_cell`.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from renderers.document import fact_text
from renderers.facts import _lookup as lookup
from scanner import kinds, naming
from scanner.fact import Fact, tally
from scanner.inventory import Inventory

PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


# --- shared cell formatting (database.py uses these too) ----------------------------------

def yn(value: Any) -> str:
    """yes / no / unknown: None means the scan could not read it."""
    if value is None:
        return "unknown"
    return "yes" if value else "no"


def human_bytes(value: Any) -> str:
    """A byte count as B/KiB/MiB/GiB/TiB; "unknown" when not readable."""
    if value is None:
        return "unknown"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


# --- judged facts and the services behind a kind (shared by the facts modules of 4, 5, 6, 9, 12) ---

def fact_cell(inv: Inventory, nid: str, name: str, yes: str = "yes", no: str = "no",
              na: str = "not applicable") -> str:
    """A node's stored fact as a cell: the yes/no words, ``unknown (why)``, or ``na``."""
    return fact_text(inv.fact(nid, name), yes, no, na)


def unread_why(inv: Inventory, node: dict[str, Any], *actions: str) -> str:
    """Why one of ``actions`` was not read for a node: a gap naming it (by id or name) or its
    region, or a run that failed on that action ("" when it was read)."""
    # status.unread's answers, from an index of the gaps built once per render (facts/_lookup.py)
    return (lookup.unread(inv, node.get("region"), *actions, resource=node["id"])
            or (lookup.unread(inv, node.get("region"), *actions, resource=node["name"]) if node.get("name") else "")
            or lookup.unread(inv, None, *actions, resource=node["id"]))


def unread_or(inv: Inventory, node: dict[str, Any], empty: str, *actions: str) -> str:
    """``empty`` for a list that was read and found nothing; ``unknown (why)`` when it was not read."""
    why = unread_why(inv, node, *actions)
    return f"unknown ({why})" if why else empty


def read_cell(inv: Inventory, node: dict[str, Any], value: Any, *actions: str, empty: str = "none",
              sep: str = ", ") -> Any:
    """A cell read from one call: the value (a list joined), ``empty`` when the read found nothing,
    and ``unknown (why)`` when it was not read (None), so "not read" never looks like "none"."""
    if value is None:
        why = unread_why(inv, node, *actions)
        return f"unknown ({why or (actions[0] + ' not read' if actions else 'not read')})"
    if isinstance(value, list | tuple | set):
        return sep.join(str(v) for v in value if v not in (None, "")) or empty
    return value if value not in ("", {}) else empty


def facts_of(inv: Inventory, nodes: list[dict[str, Any]], name: str) -> list[Fact]:
    """The stored facts ``name`` of some nodes (those where it applies)."""
    return [f for n in nodes if (f := inv.fact(n["id"], name)) is not None]


def counts(inv: Inventory, nodes: list[dict[str, Any]], name: str) -> dict[str, int]:
    """``tally`` of a fact over some nodes: {"yes": n, "no": m, "unknown": k}."""
    return tally(facts_of(inv, nodes, name))


def tally_text(t: dict[str, int], yes: str, no: str = "not", unknown: str = "unknown") -> str:
    """"2 encrypted, 1 not, 1 unknown" (the unknown part only when there is one)."""
    parts = [f"{t['yes']} {yes}", f"{t['no']} {no}"]
    if t["unknown"]:
        parts.append(f"{t['unknown']} {unknown}")
    return ", ".join(parts)


@cache
def _registry_services() -> dict[str, str]:
    from scanner.collectors import load_all
    from scanner.collectors.registry import REGISTRY

    load_all()
    return {name: c.service for name, c in REGISTRY.items()}


def services_of(inv: Inventory, *kind_names: str) -> tuple[str, ...]:
    """The services (as the scan's runs name them) whose collectors feed these kinds (for h.nothing)."""
    recorded = inv.meta.get("collectors") or {}
    out = set()
    for k in kind_names:
        for c in kinds.spec(k).collectors:
            svc = (recorded.get(c) or {}).get("service") if isinstance(recorded, dict) else None
            out.add(svc or _registry_services().get(c) or c.split(".", 1)[0])
    return tuple(sorted(out))


def services(inv: Inventory, subsection: str) -> tuple[str, ...]:
    """The services behind every kind a subsection states (kinds.in_section)."""
    return services_of(inv, *kinds.in_section(subsection))


def key_label(inv: Inventory, kms_key: Any, aws_managed_word: str = "AWS managed key") -> str:
    """How a KMS key reads in a table: its aliases when known, else the key id."""
    if not kms_key:
        return aws_managed_word
    n = inv.node(str(kms_key))
    aliases = ((n or {}).get("props") or {}).get("aliases") or []
    if aliases:
        return ", ".join(str(a) for a in aliases)
    return naming.short_id(kms_key)


def subnet_names(inv: Inventory, nid: str) -> list[str]:
    """Names of the subnets a resource sits in (``in_subnet`` edges)."""
    return sorted(naming.label(inv, s["id"]) for s in inv.out(nid, "in_subnet"))


def subnet_azs(inv: Inventory, nid: str) -> list[str]:
    return sorted({s["props"].get("az") for s in inv.out(nid, "in_subnet")
                   if (s.get("props") or {}).get("az")})


# --- 4.1 S3 ---------------------------------------------------------------------------------

def pab_text(flags: dict[str, bool] | None, read: bool | None = True) -> str:
    """Public access block flags as text; ``read`` False means the scan could not read them."""
    if read is False:
        return "unknown"
    if not flags:
        return "not configured"
    on = sum(1 for f in PAB_FLAGS if flags.get(f))
    return "all on" if on == len(PAB_FLAGS) else ("off" if on == 0 else f"{on} of 4 on")


def encryption_text(inv: Inventory, b: dict[str, Any]) -> str:
    """The bucket's default encryption as set (SSE-S3, SSE-KMS with its key), or the stored
    ``encrypted`` fact's ``unknown (why)`` when the setting was not read."""
    f = inv.fact(b["id"], "encrypted")
    p = b["props"]
    enc = p.get("encryption")
    if f is not None and f.unknown:
        return f.text()
    if enc is None:
        return (f.why or "yes") if f is not None and f.yes else fact_text(f)
    if enc in ("SSE-KMS", "DSSE-KMS"):
        return f"{enc} ({key_label(inv, p.get('kms_key'), 'aws/s3')})"
    return enc


def bucket_summary(inv: Inventory) -> dict[str, int]:
    nodes = inv.nodes("s3:bucket")
    bs = [b["props"] for b in nodes]
    versioned = counts(inv, nodes, "versioned")
    public = counts(inv, nodes, "public")
    replicated = counts(inv, nodes, "replicated")
    return {
        "total": len(bs),
        "regions": len({b.get("region") for b in nodes}),
        "kms": sum(1 for p in bs if p.get("encryption") in ("SSE-KMS", "DSSE-KMS")),
        "versioned": versioned["yes"], "versioning_unknown": versioned["unknown"],
        "public": public["yes"], "public_unknown": public["unknown"],
        "tls_only": sum(1 for p in bs if p.get("tls_only")),
        "logged": sum(1 for p in bs if p.get("logging_target")),
        "replicated": replicated["yes"], "replication_unknown": replicated["unknown"],
    }


def account_pab(inv: Inventory) -> str | None:
    """The account-level public access block as text (the same on every bucket node)."""
    for b in inv.nodes("s3:bucket"):
        p = b["props"]
        return pab_text(p.get("account_public_access_block"), p.get("account_public_access_block_read"))
    return None


def _logging_cell(p: dict[str, Any]) -> str:
    target = p.get("logging_target")
    if target is None:
        return "unknown"
    return f"to {target}" if target else "off"


def _lifecycle_cell(p: dict[str, Any]) -> str:
    rules = p.get("lifecycle_rules")
    if rules is None:
        return "unknown"
    enabled = [r for r in rules if r.get("enabled")]
    return str(len(enabled)) if len(enabled) == len(rules) else f"{len(enabled)} (+{len(rules) - len(enabled)} disabled)"


def _replication_cell(p: dict[str, Any]) -> str:
    rules = p.get("replication")
    if rules is None:
        return "unknown"
    dests = sorted({naming.short_id(r.get("destination")) for r in rules if r.get("destination")})
    return ", ".join(f"to {d}" for d in dests) if dests else "none"


def bucket_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for b in sorted(inv.nodes("s3:bucket"), key=lambda n: n["name"]):
        p = b["props"]
        versioned = inv.fact(b["id"], "versioned")
        versioning = versioned.text() if versioned is None or versioned.unknown else (
            p.get("versioning") or versioned.text("Enabled", "Disabled"))
        if p.get("mfa_delete"):
            versioning += " (MFA delete)"
        block = pab_text(p.get("public_access_block"), p.get("public_access_block_read"))
        rows.append([b["name"], b["region"], versioning, encryption_text(inv, b),
                     f"{fact_cell(inv, b['id'], 'public', 'YES', 'no')} (block: {block})",
                     yn(p.get("tls_only")), _logging_cell(p), _lifecycle_cell(p),
                     _replication_cell(p), human_bytes(p.get("size_bytes"))])
    return rows


def bucket_notes(inv: Inventory) -> list[str]:
    """Facts worth a sentence: public grants, websites, object lock, lifecycle transitions."""
    notes = []
    for b in sorted(inv.nodes("s3:bucket"), key=lambda n: n["name"]):
        p = b["props"]
        if p.get("acl_public_grants"):
            notes.append(f"{b['name']}: ACL grants {', '.join(p['acl_public_grants'])}")
        if p.get("policy_public"):
            notes.append(f"{b['name']}: bucket policy allows anyone (Principal \"*\") without a restricting condition")
        if p.get("website"):
            notes.append(f"{b['name']}: static website hosting is enabled")
        if p.get("notifications"):
            targets = [f"{t['type']} {naming.short_id(t['arn']) if t.get('arn') else 'default bus'}"
                       for t in p["notifications"]]
            notes.append(f"{b['name']}: sends object events to {', '.join(targets)}")
        if p.get("object_lock"):
            notes.append(f"{b['name']}: Object Lock is enabled")
        for r in p.get("inventory") or []:
            state = "" if r.get("enabled") else " [disabled]"
            notes.append(f"{b['name']}: S3 Inventory {r.get('id')}{state} reports {str(r.get('frequency') or '').lower()} "
                         f"to {r.get('destination') or 'an unnamed bucket'}")
        for r in p.get("lifecycle_rules") or []:
            parts = [f"after {t.get('days')} days to {t.get('storage_class')}" for t in r.get("transitions") or []]
            if r.get("expiration_days"):
                parts.append(f"expire after {r['expiration_days']} days")
            if r.get("noncurrent_expiration_days"):
                parts.append(f"old versions expire after {r['noncurrent_expiration_days']} days")
            if parts:
                scope = f" (prefix {r['prefix']})" if r.get("prefix") else ""
                state = "" if r.get("enabled") else " [disabled]"
                notes.append(f"{b['name']}: lifecycle rule {r.get('id') or '?'}{scope}{state}: {'; '.join(parts)}")
    return notes


# --- 4.2 EBS --------------------------------------------------------------------------------

def volume_summary(inv: Inventory) -> dict[str, Any]:
    vols = inv.nodes("ebs:volume")
    by_type: dict[str, list[int]] = {}
    for v in vols:
        t = v["props"].get("volume_type") or "unknown"
        agg = by_type.setdefault(t, [0, 0])
        agg[0] += 1
        agg[1] += int(v["props"].get("size_gb") or 0)
    return {
        "count": len(vols),
        "total_gib": sum(a[1] for a in by_type.values()),
        "encrypted": counts(inv, vols, "encrypted")["yes"],
        "encryption_unknown": counts(inv, vols, "encrypted")["unknown"],
        "unattached": sum(1 for v in vols if not v["props"].get("attached_instance_ids")),
        "by_type": [[t, n, f"{gib} GiB"] for t, (n, gib) in sorted(by_type.items())],
    }


def volume_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for v in inv.nodes("ebs:volume"):
        p = v["props"]
        attached = [naming.label(inv, i["id"]) for i in inv.out(v["id"], "attached_to")]
        perf = []
        if p.get("iops"):
            perf.append(f"{p['iops']} IOPS")
        elif p.get("volume_type") == "gp2" and p.get("size_gb"):
            perf.append(gp2_performance(int(p["size_gb"])))
        if p.get("throughput"):
            perf.append(f"{p['throughput']} MiB/s")
        rows.append([v["region"], naming.label(inv, v["id"]), p.get("volume_type"), f"{p.get('size_gb')} GiB",
                     ", ".join(perf) or "-", p.get("az"),
                     encrypted_cell(inv, v, "aws/ebs"),
                     ", ".join(attached) or "not attached", p.get("state")])
    return rows


def encrypted_cell(inv: Inventory, n: dict[str, Any], default_key: str) -> str:
    """``yes (key)`` / ``no`` / ``unknown (why)`` from the stored ``encrypted`` fact."""
    f = inv.fact(n["id"], "encrypted")
    key = key_label(inv, n["props"].get("kms_key"), default_key)
    return fact_text(f, f"yes ({key})", "no")


def gp2_performance(size_gib: int) -> str:
    """gp2 performance follows from size: 3 IOPS per GiB (100 to 16,000), and volumes up to
    1 TiB burst to 3,000 IOPS (AWS documentation; stated, not measured)."""
    base = max(100, min(16000, 3 * size_gib))
    burst = ", burst 3000" if size_gib < 1000 and base < 3000 else ""
    return f"{base} IOPS baseline{burst} (from size)"


def snapshot_summary(inv: Inventory) -> dict[str, Any]:
    snaps = inv.nodes("ebs:snapshot")
    ages = [s["props"].get("age_days") for s in snaps if s["props"].get("age_days") is not None]
    return {
        "count": len(snaps),
        "total_gib": sum(int(s["props"].get("size_gb") or 0) for s in snaps),
        "oldest_days": max(ages) if ages else None,
        "unencrypted": counts(inv, snaps, "encrypted")["no"],
        "encryption_unknown": counts(inv, snaps, "encrypted")["unknown"],
        "public": counts(inv, snaps, "public")["yes"],
        "public_unknown": counts(inv, snaps, "public")["unknown"],
        "by_region": sorted(Counter(s["region"] for s in snaps).items()),
    }


def ebs_default_rows(inv: Inventory) -> list[list[Any]]:
    return [[n["region"], yn(n["props"].get("enabled")),
             key_label(inv, n["props"].get("kms_key"), "aws/ebs") if n["props"].get("enabled") else "-"]
            for n in sorted(inv.nodes("ebs:encryption-default"), key=lambda n: n["region"])]


# --- 4.3 EFS / FSx --------------------------------------------------------------------------

_EFS_LIFECYCLE = {"TransitionToIA": "to Infrequent Access", "TransitionToArchive": "to Archive",
                  "TransitionToPrimaryStorageClass": "back to Standard"}


def efs_lifecycle_text(key: Any, value: Any) -> str:
    """``TransitionToIA: AFTER_30_DAYS`` -> "to Infrequent Access after 30 days"."""
    what = _EFS_LIFECYCLE.get(str(key), str(key))
    when = str(value or "")
    if when.startswith("AFTER_") and when.endswith("_DAYS"):
        n = when[len("AFTER_"):-len("_DAYS")]
        when = f"after {n} day" + ("" if n == "1" else "s")
    elif when == "AFTER_1_ACCESS":
        when = "on first access"
    else:
        when = when.replace("_", " ").lower()
    return f"{what} {when}".strip()


def efs_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for fs in inv.nodes("efs:file-system"):
        p = fs["props"]
        mts = inv.out(fs["id"], "contains", "efs:mount-target")
        per_az = Counter(m["props"].get("az") or "?" for m in mts)
        mt_text = ", ".join(f"{az}: {n}" for az, n in sorted(per_az.items())) or "none"
        lifecycle = p.get("lifecycle")
        lc_text = "unknown" if lifecycle is None else (
            ", ".join(efs_lifecycle_text(k, v) for pol in lifecycle for k, v in pol.items()) or "none")
        rows.append([fs["region"], naming.label(inv, fs["id"]), human_bytes(p.get("size_bytes")),
                     f"{p.get('performance_mode')} / {p.get('throughput_mode')}",
                     encrypted_cell(inv, fs, "aws/elasticfilesystem"),
                     fact_cell(inv, fs["id"], "backup_policy", "enabled", "disabled"), lc_text, mt_text])
    return rows


def efs_mount_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for m in inv.nodes("efs:mount-target"):
        p = m["props"]
        sgs = [naming.label(inv, g["id"]) for g in inv.out(m["id"], "protected_by")]
        subnet = [naming.label(inv, s["id"]) for s in inv.out(m["id"], "in_subnet")]
        fs = next(iter(inv.into(m["id"], "contains", "efs:file-system")), None)
        rows.append([naming.label(inv, fs["id"]) if fs else p.get("fs_id"), p.get("mount_target_id"), p.get("az"),
                     ", ".join(subnet) or "-",
                     p.get("ip"), ", ".join(sgs) if p.get("security_group_ids") is not None else "unknown"])
    return rows


def fsx_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for fs in inv.nodes("fsx:file-system"):
        p = fs["props"]
        rows.append([fs["region"], naming.label(inv, fs["id"]), p.get("type"), p.get("deployment_type"),
                     f"{p.get('storage_gb')} GiB", ", ".join(subnet_names(inv, fs["id"])) or "-",
                     encrypted_cell(inv, fs, "aws/fsx"),
                     p.get("backup_retention") if p.get("backup_retention") is not None else "-"])
    return rows

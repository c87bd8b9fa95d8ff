"""Facts for section 5.3 (data protection): encryption at rest and in transit, KMS keys,
certificates, secrets and parameters, each read from the judged facts (scanner/judge/)."""

from __future__ import annotations

from typing import Any

from renderers.facts.storage import counts, fact_cell, facts_of, read_cell, tally_text
from scanner import judge, kinds, naming, status
from scanner.fact import tally
from scanner.inventory import Inventory
from scanner.judge.encryption import key_ref


def _date(value: Any) -> str | None:
    return str(value)[:10] if value else None


# --- 5.3 data protection ------------------------------------------------------------

def _key_aliases(inv: Inventory) -> dict[str, str]:
    """Alias ARN/name and key ARN -> key graph id, to resolve references made by alias."""
    out: dict[str, str] = {}
    for k in inv.nodes("kms:key"):
        out[k["id"]] = k["id"]
        prefix = k["id"].split(":key/")[0]
        for a in k["props"].get("aliases") or []:
            out[f"{prefix}:{a}"] = k["id"]
            out[a] = k["id"]
    return out


def key_users(inv: Inventory) -> dict[str, list[str]]:
    """KMS key id -> resources encrypted with it (edges made by key ARN or by alias)."""
    resolve = _key_aliases(inv)
    users: dict[str, list[str]] = {}
    for src, dst, _ in inv.edges("encrypted_by"):
        key = resolve.get(dst, dst)
        users.setdefault(key, []).append(src)
    return users


def _key_label(inv: Inventory, ref: Any, resolve: dict[str, str]) -> str:
    ref = str(ref)
    key = resolve.get(ref)
    if key:
        n = inv.node(key) or {}
        aliases = (n.get("props") or {}).get("aliases") or []
        return aliases[0] if aliases else key.rsplit("/", 1)[-1]
    if "alias/" in ref:
        return "alias/" + ref.split("alias/", 1)[1]
    return ref.rsplit("/", 1)[-1]


def _at_rest_kinds() -> list[str]:
    """Kinds judged for encryption at rest (scanner/judge/encryption.py), in kind order."""
    return sorted(k for k, fs in judge.catalog().items() if "encrypted" in fs)


def _key_of(inv: Inventory, node: dict[str, Any], resolve: dict[str, str]) -> str | None:
    """The label of the KMS key a resource names (edge or prop), for the "KMS keys used" column."""
    keys = [d for _, d, data in inv.graph.out_edges(node["id"], data=True) if data.get("rel") == "encrypted_by"]
    ref = key_ref(node, keys)
    return _key_label(inv, ref, resolve) if ref else None


def _key_labels(inv: Inventory) -> dict[str, str | None]:
    """Resource id -> :func:`_key_of` for every resource judged for encryption at rest, once per
    render: 5.3's table and its list of AWS managed keys both read every such resource's key."""
    def build() -> dict[str, str | None]:
        resolve = _key_aliases(inv)
        return {n["id"]: _key_of(inv, n, resolve) for kind in _at_rest_kinds() for n in inv.nodes(kind)}
    return inv.memo("data_protection.key_labels", build)


def _kind_words(kind: str) -> str:
    """The kind's plural (kinds.plural) as the first word of a table row."""
    p = kinds.plural(kind)
    return p[:1].upper() + p[1:]


def at_rest_rows(inv: Inventory) -> list[list[Any]]:
    """Per resource kind: how many resources, encrypted, not encrypted, not known (the stored
    ``encrypted`` facts), and the KMS keys they name."""
    labels = _key_labels(inv)
    rows = []
    for kind in _at_rest_kinds():
        nodes = [n for n in inv.nodes(kind) if inv.fact(n["id"], "encrypted") is not None]
        if not nodes:
            continue
        t = counts(inv, nodes, "encrypted")
        keys = {k for n in nodes if (k := labels[n["id"]])}
        rows.append([_kind_words(kind), len(nodes), t["yes"], t["no"], t["unknown"],
                     ", ".join(sorted(keys)) or "-"])
    return rows


def at_rest_summary(inv: Inventory) -> str:
    """"40 encrypted, 9 not, 2 unknown" over every resource judged for encryption at rest."""
    t = tally(f for kind in _at_rest_kinds() for f in facts_of(inv, inv.nodes(kind), "encrypted"))
    return tally_text(t, "encrypted")


def _encryption_list(inv: Inventory, state: str, limit: int) -> list[list[Any]]:
    rows = []
    for kind in _at_rest_kinds():
        for n in inv.nodes(kind):
            f = inv.fact(n["id"], "encrypted")
            if f is not None and f.state == state:
                rows.append([_kind_words(kind), n["region"], naming.name(inv, n["id"])]
                            + ([f.why or "not read"] if state == "unknown" else []))
    return sorted(rows)[:limit]


def unencrypted_rows(inv: Inventory, limit: int = 50) -> list[list[Any]]:
    return _encryption_list(inv, "no", limit)


def encryption_unknown_rows(inv: Inventory, limit: int = 50) -> list[list[Any]]:
    """Resources whose encryption setting could not be read, with why."""
    return _encryption_list(inv, "unknown", limit)


def kms_rows(inv: Inventory) -> list[list[Any]]:
    """Customer managed keys (and keys whose manager is unknown) with rotation and users."""
    users = key_users(inv)
    rows = []
    for k in inv.nodes("kms:key"):
        p = k["props"]
        if p.get("manager") == "AWS":
            continue
        rows.append([k["region"], ", ".join(p.get("aliases") or []) or "(no alias)", p.get("key_id"),
                     read_cell(inv, k, p.get("state"), "kms:DescribeKey"), fact_cell(inv, k["id"], "rotation"),
                     read_cell(inv, k, p.get("key_spec"), "kms:DescribeKey"), len(users.get(k["id"], [])),
                     read_cell(inv, k, p.get("principals"), "kms:GetKeyPolicy", "kms:DescribeKey", sep="; ")])
    return rows


def aws_managed_keys(inv: Inventory) -> list[str]:
    """AWS managed keys (alias/aws/...) in use: those listed by KMS and those resources name
    only by alias (an SQS queue on alias/aws/sqs), so the list agrees with the at-rest table."""
    names = []
    for k in inv.nodes("kms:key"):
        if k["props"].get("manager") == "AWS":
            names.extend(a for a in k["props"].get("aliases") or [k["props"].get("key_id")] if a)
    for key in _key_labels(inv).values():
        if key and key.startswith("alias/aws/"):
            names.append(key)
    return sorted(set(names))


def certificate_rows(inv: Inventory) -> list[list[Any]]:
    rows = []
    for c in inv.nodes("acm:certificate"):
        p = c["props"]
        unread = _cert_unread(inv, c)
        extra = [s for s in p.get("sans") or [] if s != p.get("domain")]
        used = [_user_label(inv, u) for u in p.get("in_use_by") or []]
        if p.get("in_use_by") is None:
            used_text = ("in use (by what: " if p.get("in_use") else "unknown (") + unread + ")"
        else:
            used_text = ", ".join(u for u in used if u) or "not in use"
        names = ", ".join(extra) or "-" if p.get("sans") is not None else f"unknown ({unread})"
        rows.append([c["region"], p.get("domain"), names, _words(p.get("status")),
                     _CERT_TYPES.get(str(p.get("type")), _words(p.get("type"))),
                     _date(p.get("not_after")), p.get("days_to_expiry"), used_text])
    return sorted(rows, key=lambda r: (r[6] is None, r[6] if r[6] is not None else 0))


def _cert_unread(inv: Inventory, cert: dict[str, Any]) -> str:
    """Why a certificate's details are missing (its DescribeCertificate gap)."""
    for g in inv.meta.get("gaps", []):
        if g.get("resource") == cert["id"]:
            return f"{g.get('action')}: {g.get('reason')}"
    return "acm:DescribeCertificate not read"


_CERT_TYPES = {"AMAZON_ISSUED": "issued by ACM", "IMPORTED": "imported", "PRIVATE": "private CA"}


def _words(value: Any) -> str | None:
    """An API enum as words: ``PENDING_VALIDATION`` -> "pending validation"."""
    return None if value is None else str(value).replace("_", " ").lower()


def _user_label(inv: Inventory, ref: str) -> str | None:
    """What uses a certificate: a listener reads "web-alb HTTPS:443", anything else by name."""
    n = inv.node(ref) or {}
    if n.get("kind") == "elbv2:listener":
        lb = naming.name(inv, (n.get("props") or {}).get("lb_arn")) or None
        return f"{lb} {n.get('name')}" if lb else n.get("name")
    if ":listener/" in ref:  # a listener the scan did not see: name its load balancer
        parts = ref.split(":listener/", 1)[1].split("/")
        return f"{parts[1]} listener" if len(parts) > 1 else (naming.name(inv, ref) or None)
    return (naming.name(inv, ref) or None)


def certificate_summary(inv: Inventory, soon: int = 30) -> dict[str, int]:
    certs = [c["props"] for c in inv.nodes("acm:certificate")]
    days = [p.get("days_to_expiry") for p in certs]
    return {"total": len(certs), "expired": sum(1 for d in days if d is not None and d < 0),
            "expiring": sum(1 for d in days if d is not None and 0 <= d <= soon),
            "imported": sum(1 for p in certs if p.get("type") == "IMPORTED"),
            "unused": sum(1 for p in certs if p.get("in_use") is False), "soon": soon}


def in_transit_rows(inv: Inventory) -> list[list[Any]]:
    """Encryption in transit where the graph says something: listeners, CDN, caches, bucket policies."""
    rows = []
    for li in inv.nodes("elbv2:listener"):
        p = li["props"]
        proto = p.get("protocol")
        setting = (f"{proto}, policy {p.get('ssl_policy')}" if proto in ("HTTPS", "TLS")
                   else f"{proto}" + (" (redirects to HTTPS)" if p.get("redirect_to_https") else " (plain text)"))
        rows.append(["load balancer listener", li["region"], f"{naming.name(inv, p.get('lb_arn'))}:{p.get('port')}",
                     setting])
    for d in inv.nodes("cloudfront:distribution"):
        p = d["props"]
        rows.append(["CloudFront distribution", "global", d["name"],
                     f"viewer {p.get('viewer_protocol_policy')}, minimum TLS {p.get('min_tls')}"])
    for kind, label in (("elasticache:replication-group", "ElastiCache"), ("elasticache:cluster", "ElastiCache")):
        for n in inv.nodes(kind):
            if kind == "elasticache:cluster" and n["props"].get("replication_group"):
                continue
            rows.append([label, n["region"], n["name"], f"in-transit encryption {_yes(n['props'].get('transit_encryption'))}"])
    for b in inv.nodes("s3:bucket"):
        if b["props"].get("tls_only") is not None:
            rows.append(["S3 bucket policy", b["region"], b["name"],
                         "denies non-TLS requests" if b["props"]["tls_only"] else "does not require TLS"])
    return rows


def _yes(v: Any) -> str:
    return "unknown" if v is None else ("on" if v else "off")


def secret_rows(inv: Inventory) -> list[list[Any]]:
    resolve = _key_aliases(inv)
    rows = []
    for s in inv.nodes("secretsmanager:secret"):
        p = s["props"]
        if p.get("rotation_enabled"):
            rot = f"every {p['rotation_days']} days" if p.get("rotation_days") else (p.get("rotation_schedule") or "on")
        else:
            rot = "off"
        key = p.get("kms_key")
        key_text = _key_label(inv, key, resolve) if key and str(key).startswith(("arn:", "alias/")) else (key or "-")
        if key_text.startswith("aws/"):  # the AWS managed key, named as everywhere else in 5.3
            key_text = "alias/" + key_text
        rows.append([s["region"], s["name"], rot, _date(p.get("last_rotated")) or "never",
                     _date(p.get("last_accessed")) or "never / unknown", key_text])
    return rows


def parameter_summary(inv: Inventory) -> list[list[Any]]:
    """SSM parameters counted by region, type and tier; SecureStrings split by key."""
    counts: dict[tuple[str, str, str], int] = {}
    for p in inv.nodes("ssm:parameter"):
        pr = p["props"]
        counts[(p["region"], pr.get("type") or "?", pr.get("tier") or "Standard")] = \
            counts.get((p["region"], pr.get("type") or "?", pr.get("tier") or "Standard"), 0) + 1
    return [[r, t, tier, n] for (r, t, tier), n in sorted(counts.items())]


def parameter_gaps(inv: Inventory) -> list[tuple[str, str, str]]:
    """(action, region, reason) for what was not seen of SSM *parameters*.

    Other SSM reads (managed instances, patching) belong to 12.4, so 5.3 lists only these."""
    out = []
    for r in inv.meta.get("runs", []):
        if r.get("collector") == "ssm.parameters" and r.get("status") not in (status.OK, None):
            out.append((str(r.get("action") or "ssm:DescribeParameters"), str(r.get("region")),
                        str(r.get("message") or r.get("status"))))
    for g in inv.meta.get("gaps", []):
        if g.get("service") == "ssm" and "Parameter" in str(g.get("action")):
            out.append((str(g.get("action")), str(g.get("region")), str(g.get("reason"))))
    return sorted(set(out))


def secure_parameter_rows(inv: Inventory, limit: int = 50) -> list[list[Any]]:
    resolve = _key_aliases(inv)
    rows = []
    for p in inv.nodes("ssm:parameter"):
        if p["props"].get("type") == "SecureString":
            key = p["props"].get("kms_key")
            rows.append([p["region"], p["name"], _key_label(inv, key, resolve) if key else "alias/aws/ssm",
                         _date(p["props"].get("last_modified"))])
    return rows[:limit]

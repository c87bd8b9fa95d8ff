"""The diagrams say what the scan knows, in the document's words ("One truth per fact").

A subnet whose route tables could not be read is neither public nor private; a guard whose
read was denied is "not assessed", never missing; what is not encrypted is drawn next to what
is; counts and collapsed groups use the kind specs' names; a resource reached through a load
balancer is labelled as reached through it. One scan (the insecure account with two reads
denied) serves the scan tests; the rest read the fast Records fixture.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from fixtures.large import build_inventory
from renderers.diagrams import architecture, build, security
from renderers.diagrams import style as st
from scanner import kinds, naming
from scanner.analysis.model import Analysis
from tests.conftest import scan_account

DENIED = ("ec2.DescribeRouteTables", "guardduty.ListDetectors")


def _deny(*operations: str):
    def hook(session: Any) -> None:
        from botocore.exceptions import ClientError

        def refuse(model: Any = None, **_: Any) -> None:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}},
                              model.name if model is not None else "denied")

        for op in operations:
            session.events.register(f"before-call.{op}", refuse)
    return hook


@pytest.fixture(scope="module")
def denied(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from fixtures.insecure import build_insecure

    res = scan_account(build_insecure, tmp_path_factory.mktemp("truth-diagrams"), regions=["us-east-1"],
                       before_scan=_deny(*DENIED))
    dots = {p.stem: p.read_text(encoding="utf-8") for p in res.files.diagrams if p.suffix == ".dot"}
    res.arch = "\n".join(src for name, src in dots.items() if name.startswith("aws_architecture"))
    res.sec = "\n".join(src for name, src in dots.items() if name.startswith("aws_security"))
    return res


def _node_lines(src: str, *words: str) -> list[str]:
    """DOT node statements whose label holds every word."""
    return [line for line in src.splitlines() if "label=<" in line and all(w in line for w in words)]


def test_routes_denied_no_subnet_is_called_private_or_public(denied):
    assert denied.inv.nodes("ec2:subnet")
    assert all(denied.inv.fact(s["id"], "public").unknown for s in denied.inv.nodes("ec2:subnet"))
    boxes = re.findall(r"<B>((?:Public|Private) subnet|Subnet \(public/private unknown\)): ", denied.arch)
    assert boxes and set(boxes) == {"Subnet (public/private unknown)"}
    assert "Private subnet" not in denied.arch and "Public subnet" not in denied.arch    # nor in the legend
    assert f'color="{st.BOXES["subnet_unknown"][0]}"' in denied.arch
    assert "ec2:DescribeRouteTables" in denied.arch                                     # why it is unknown


def _rows(src: str, *words: str) -> list[str]:
    """Rows (innermost <TR>) of the security diagram's panels that hold every word."""
    return [r for r in re.findall(r"<TR>((?:(?!<TR>).)*?)</TR>", src) if all(w in r for w in words)]


def test_guardduty_denied_is_not_assessed_never_missing(denied):
    fact = denied.inv.region_fact("us-east-1", "guardduty")
    assert fact is not None and fact.unknown
    [row] = _rows(denied.sec, "<B>GuardDuty</B>")
    assert "not assessed" in row and "MISSING" not in row
    assert f'BGCOLOR="{st.UNKNOWN[1]}"' in row
    # a guard that was read and is absent is still drawn missing
    [config] = _rows(denied.sec, "<B>AWS Config</B>")
    assert "MISSING" in config and f'BGCOLOR="{st.ALERT_FILL}"' in config


def test_unencrypted_volume_is_drawn_not_encrypted_next_to_the_encrypted(denied):
    vol = denied.ids["volume_arn"]
    assert denied.inv.fact(vol, "encrypted").no
    assert _rows(denied.sec, "Encryption at rest") and _rows(denied.sec, ">NOT encrypted<", ">encrypted<")
    [row] = _rows(denied.sec, "EBS volume", naming.name(denied.inv, vol))   # "orphan-data", named as everywhere
    assert f'BGCOLOR="{st.ALERT_FILL}"' in row
    encrypted = [n for n in denied.inv.nodes() if (f := denied.inv.fact(n["id"], "encrypted")) and f.yes]
    assert encrypted
    word = kinds.count(encrypted[0]["kind"], 1).split(" ", 1)[1]          # "EBS snapshot"
    assert any(f'BGCOLOR="{st.PRESENT[1]}"' in r for r in _rows(denied.sec, word))
    # one compact table, not a column of nodes: no encryption node in the layout
    assert "encryption_" not in denied.sec and "encrypted at rest" not in denied.sec


def test_admin_principals_and_cross_account_trusts_are_drawn(denied):
    """legacy-admin holds a policy allowing * on *; legacy-vendor-access trusts another account."""
    [admin] = _rows(denied.sec, "IAM user legacy-admin")
    assert "legacy-god-mode allows * on *" in admin and f'BGCOLOR="{st.ALERT_FILL}"' in admin
    role = st.dot_id(denied.ids["role_arn"])
    trust = [line for line in denied.sec.splitlines() if f"-> {role}" in line and "can assume" in line]
    assert trust and "no ExternalId" in trust[0]
    assert re.search(r"Account \d{12}", denied.sec)


# --- offline: the Records fixture ------------------------------------------------------

def test_collapsed_groups_and_counts_use_the_spec_words():
    inv, analysis = build_inventory("medium")              # 6 buckets per region collapse into one node
    sources = "\n".join(d.graph.source for d in build(inv, analysis))
    per_region = {r: sum(1 for b in inv.nodes("s3:bucket") if b.get("region") == r) for r in inv.regions}
    groups = re.findall(r"<B>(\d+) S3 buckets</B>", sources)              # "6 S3 buckets"
    assert groups and {int(n) for n in groups} <= set(per_region.values())
    assert kinds.count("s3:bucket", 6) == "6 S3 buckets"
    assert "× S3" not in sources and "× EC2" not in sources
    small, small_analysis = build_inventory("small")
    sec = security.build(small, small_analysis)[0].graph.source
    efs = len(small.nodes("efs:mount-target"))
    assert f"used by {kinds.count('efs:mount-target', efs)}" in sec       # "used by 2 EFS mount targets"


def test_kind_lists_and_looks_come_from_the_specs():
    for kind in architecture.VPC_KINDS:
        assert kinds.spec(kind).zone in ("vpc", "subnet"), kind
    for kind in architecture.DATA_KINDS:
        assert kinds.spec(kind).look.family in ("database", "storage"), kind
    for kind, spec in kinds.SPECS.items():
        if spec.look:
            assert st.kind_look(kind) == (spec.look.family, spec.look.shape, spec.look.title)
    assert not hasattr(st, "KIND_LOOK")


def test_reached_through_a_load_balancer_is_labelled_so():
    inv, analysis = build_inventory("small")
    lb = inv.nodes("elbv2:load-balancer")[0]
    target = next(i for i in inv.nodes("ec2:instance") if i["id"] not in analysis.exposure)
    path = ["internet", lb["id"], target["id"]]
    exposure = dict(analysis.exposure)
    exposure[target["id"]] = {"paths": [path], "ports": ["tcp/443"], "via": "load-balancer",
                              "by_via": {"load-balancer": {"paths": [path], "ports": ["tcp/443"]}}}
    reached = Analysis(findings=analysis.findings, exposure=exposure)
    ex = st.exposure_of(inv, exposure, [target["id"]])
    assert ex.lb_reached and not ex.direct_reached
    assert ex.lines() == [f"reachable through {naming.name(inv, lb['id'])}", "from the internet: tcp/443"]
    for d in build(inv, reached):
        if d.marker in ("AWS_ARCHITECTURE", "AWS_SECURITY"):
            lines = _node_lines(d.graph.source, f"reachable through {naming.name(inv, lb['id'])}")
            assert lines, d.filename
            assert not any("exposed to the internet" in line for line in lines
                           if "Load balancer" not in line and "ALB" not in line)

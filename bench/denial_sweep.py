"""Deny each read once on the sample account; report every table cell that changes without saying
unknown / not read, and every finding that opens only because a read was denied.

    .venv/bin/python bench/denial_sweep.py report.json                # every read the guard allows
    .venv/bin/python bench/denial_sweep.py report.json s3:GetBucketAcl  # chosen reads

A development tool (minutes per hundred reads), not a test: the regressions it found are pinned in
tests/test_truth_sweep.py. Count changes of what was found are expected (the section names the gap);
look for cells that turn into "none", "no", "-", "0", "unused" or "NOT PROTECTED".
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false", "MOTO_ACM_VALIDATION_WAIT": "0"})
from pathlib import Path

from fixtures.sample import build_sample
from tests.conftest import scan_account
from tests.support.denials import deny

OK_WORDS = ("unknown", "not read", "could not", "not seen", "not known", "not assessed", "not listed",
            "partly", "unread", "not implemented")

def tables(doc):
    out = {}
    sec = None
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(("### ", "## ")):
            sec = line
        if line.startswith("| ") and i + 1 < len(lines) and lines[i+1].startswith("|---"):
            head = tuple(c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|")))
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", lines[j].strip().strip("|"))]
                key = (sec, head, cells[0], cells[1] if len(cells) > 1 else "")
                out.setdefault(key, []).append(dict(zip(head, cells, strict=False)))
                j += 1
            i = j
            continue
        i += 1
    return out

def scan(before=None):
    d = tempfile.mkdtemp(prefix="sweep-")
    s = scan_account(build_sample, Path(d), regions=["us-east-1"], before_scan=before)
    return s

def norm(v):
    v = re.sub(r"\b([a-z]+)-[0-9a-f]{8,}\b", r"\1-X", v)
    v = re.sub(r"\b\d{1,3}(\.\d{1,3}){3}\b", "IP", v)
    v = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", v)
    v = re.sub(r"\d{4}-\d\d-\d\dT[0-9:]+\+00:00", "TS", v)
    v = re.sub(r"\d+ min \d+ s|\d+ s\b", "DUR", v)
    v = re.sub(r"\b[0-9A-Z]{12,14}\b", "CFID", v)
    v = re.sub(r"[0-9a-f]{16,}", "HEX", v)
    return v

def main(ops):
    clean = scan()
    ct = tables(clean.doc)
    def fkey(f, inv):
        from scanner import naming
        return (f.rule, f.status, tuple(sorted(norm(naming.name(inv, r)) for r in f.resources)))
    clean_findings = {fkey(f, clean.inv) for f in clean.analysis.findings}
    report = {}
    for op in ops:
        try:
            s = scan(deny(op))
        except Exception as exc:
            report[op] = [f"CRASH {type(exc).__name__}: {exc}"]
            continue
        dt = tables(s.doc)
        bad = []
        for key, rows in ct.items():
            new = dt.get(key)
            if not new:
                continue
            for a, b in zip(rows, new, strict=False):
                for col, va in a.items():
                    vb = b.get(col, "")
                    if norm(va) != norm(vb) and not any(w in vb.lower() for w in OK_WORDS):
                        bad.append(f"{key[0]} | {key[2]} | {col}: {va!r} -> {vb!r}")
        # findings that newly open with the read denied (a claim built on a missing read)
        for f in s.analysis.open_findings():
            if fkey(f, s.inv) not in clean_findings:
                bad.append(f"NEW OPEN FINDING {f.rule} {f.resources[:3]} {f.evidence[:1]}")
        report[op] = bad[:15]
        print(op, len(bad), flush=True)
        for b_ in bad[:15]:
            print("   ", b_[:300], flush=True)
    return report

if __name__ == "__main__":
    ops = sys.argv[2:]
    if not ops:
        from scanner.guard import SCANNER_READS_BY_SERVICE
        skip = {"sts", "pricing"}
        ops = [f"{svc}:{op}" for svc, o in sorted(SCANNER_READS_BY_SERVICE.items()) if svc not in skip for op in o]
    rep = main(ops)
    with open(sys.argv[1], "w") as fh:
        json.dump(rep, fh, indent=1)

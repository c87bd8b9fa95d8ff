"""Write the output folder: design.md, diagrams/, inventory.json, inventory.csv, findings.json.

Every file is written atomically (temp file + rename). The folder is checked up
front (no symlinks among the files we write, nothing in their way), and a
manifest (``.awsscan-manifest.json``) records what each run wrote, so a diagram
an earlier run drew for a VPC that is gone is removed rather than left to look
current. Diagrams are rendered with Graphviz ``dot`` when it is installed;
without it the ``.dot`` sources are still written and the caller gets a
warning, never a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renderers.appendix import CSV_NAME, inventory_csv
from renderers.diagrams import Diagram, build
from renderers.diagrams.render import render_many
from renderers.document import render_document
from renderers.html import render_html
from scanner.analysis import compliance
from scanner.analysis.model import Analysis
from scanner.errors import UserError
from scanner.inventory import Inventory, atomic_write

DOT_TIMEOUT = 300


@dataclass
class ReportFiles:
    out: Path
    document: Path
    inventory: Path | None
    findings: Path
    diagrams: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    html: Path | None = None
    #: inventory.csv: one row per resource, the full tables' facts (renderers/appendix.py)
    csv: Path | None = None


#: what a run wrote, so the next run can remove what it no longer writes (and nothing else)
MANIFEST = ".awsscan-manifest.json"
TOP_FILES = ("design.md", "design.html", "findings.json", "inventory.json", CSV_NAME, MANIFEST)
DIAGRAM_SUFFIXES = (".dot", ".svg", ".png")
#: a diagram file the manifest may name: diagrams/<safe stem>.<dot|svg|png>, nothing else
_DIAGRAM_ENTRY = re.compile(r"^diagrams/[A-Za-z0-9_][A-Za-z0-9_.-]*\.(dot|svg|png)$")
#: never removed even when a run did not write them: a snapshot is data, not a rendering
_KEEP = frozenset({"inventory.json", MANIFEST})
_MANIFEST_MAX_BYTES = 4 * 1024 * 1024


def _check_target(path: Path) -> None:
    """One file we are about to write: absent or a regular file, never a symlink or a folder.

    A symlink would be replaced (or, for diagrams/, followed) and a folder would make the
    atomic rename fail after the whole scan; both are refused before any work.
    """
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return  # absent (creating the folder reports a blocked parent)
    except OSError as exc:
        raise UserError(f"cannot check output file {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise UserError(f"refusing to write through a symlink in the output folder: {path}")
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"a folder is in the way of an output file: {path}")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"an output file's place is taken by something that is not a regular file: {path}")


def prepare_out(out: Path) -> Path:
    """Check the whole output tree is usable before any work is done (one-line errors).

    --out itself may be a symlink to a folder (the user chose it); inside it, every file we
    write and diagrams/ must be real files and a real folder, so a report never overwrites
    files elsewhere and never fails on a blocked file after a long scan.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"output path {out} exists and is not a folder")
    diagrams = out / "diagrams"
    if diagrams.is_symlink():
        raise UserError(f"refusing to write through a symlink in the output folder: {diagrams}")
    if diagrams.exists() and not diagrams.is_dir():
        raise UserError(f"a file is in the way of the output folder: {diagrams}")
    for name in TOP_FILES:
        _check_target(out / name)
    if diagrams.is_dir():
        for entry in sorted(diagrams.iterdir()):
            if entry.suffix in DIAGRAM_SUFFIXES:
                _check_target(entry)
    try:
        diagrams.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK) or not os.access(diagrams, os.W_OK):
        raise UserError(f"output folder {out} is not writable")
    return out


def read_manifest(out: Path) -> set[str]:
    """The files the previous run listed in its manifest; empty when there is none or it is unreadable.

    Only names that awsscan itself writes are returned (top-level report files, diagrams/<stem>.<ext>),
    so an edited manifest can never make a run delete anything else.
    """
    path = out / MANIFEST
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MANIFEST_MAX_BYTES:
            return set()
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return set()
    return {f for f in files if isinstance(f, str) and (f in TOP_FILES or _DIAGRAM_ENTRY.match(f))}


def remove_stale(out: Path, previous: set[str], written: set[str], only_diagrams: bool = False) -> list[Path]:
    """Delete what the previous run wrote and this one did not (a VPC's diagram that is gone)."""
    removed: list[Path] = []
    for rel in sorted(previous - written - _KEEP):
        if only_diagrams and not rel.startswith("diagrams/"):
            continue
        path = out / rel
        try:
            if stat.S_ISREG(os.lstat(path).st_mode):
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # already gone, or not ours to remove: leave it
    return removed


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_diagram(d: Diagram, folder: Path, warnings: list[str],
                   outputs: dict[str, Any] | None = None) -> list[Path]:
    """Write one diagram's .dot, .svg and .png; ``outputs`` (format -> what dot returned) when
    they were rendered already (``render_many``: every diagram of a report in a thread pool)."""
    source = d.graph.source
    files = [atomic_write(folder / f"{d.filename}.dot", source)]
    if not dot_available():
        return files
    if outputs is None:
        outputs = render_many([d], ("svg", "png"), timeout=DOT_TIMEOUT)[0]  # with the icons, inlined as data
    for fmt in ("svg", "png"):
        proc = outputs[fmt]
        if isinstance(proc, BaseException):
            if not isinstance(proc, (OSError, subprocess.TimeoutExpired)):
                raise proc
            warnings.append(f"dot could not render {d.filename}.{fmt}: {proc}")
            continue
        if proc.returncode != 0:
            warnings.append(f"dot failed on {d.filename}.{fmt}: {proc.stderr.decode(errors='replace')[:200]}")
            continue
        files.append(atomic_write(folder / f"{d.filename}.{fmt}", proc.stdout))
    return files


def findings_data(analysis: Analysis) -> dict[str, Any]:
    """What findings.json holds: the analysis (findings, counts, exposure), each finding with the
    framework controls it bears on (``controls``: {"cis": [...], "fsbp": [...]}), and the
    compliance summary of the frameworks ``--compliance`` selected."""
    data = analysis.to_dict()
    ordered = sorted(analysis.findings, key=lambda f: (f.rule, f.resources))  # the order to_dict uses
    for item, f in zip(data["findings"], ordered, strict=True):
        item["controls"] = compliance.controls_of(f)
    data["compliance"] = compliance.to_dict(analysis)
    return data


def _start_drawing(diagrams: list[Diagram]) -> Future[list[dict[str, Any]]] | None:
    """Every diagram drawn as SVG and PNG, in the background (None without Graphviz)."""
    if not dot_available():
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="awsscan-dot")
    try:
        return pool.submit(render_many, diagrams, ("svg", "png"), DOT_TIMEOUT)
    finally:
        pool.shutdown(wait=False)


def write_report(inv: Inventory, analysis: Analysis, out: Path, *, project_name: str | None = None,
                 write_inventory: bool = True) -> ReportFiles:
    """Render everything, then write it; remove the previous run's files this run no longer writes.

    The document, findings and snapshot are rendered in memory first, so a failure there
    leaves the folder as it was; the manifest is written last.
    """
    out = prepare_out(out)
    warnings: list[str] = []
    diagrams = build(inv, analysis)
    for d in diagrams:
        for suffix in DIAGRAM_SUFFIXES:
            _check_target(out / "diagrams" / f"{d.filename}{suffix}")
    # Graphviz runs in processes of its own: started first, it draws on the other core while
    # this one renders the document (the HTML, which inlines the SVGs, waits for it)
    drawing = _start_drawing(diagrams)
    try:
        text = render_document(inv, analysis, diagrams, project_name=project_name)
        findings_text = json.dumps(findings_data(analysis), indent=1, sort_keys=True, default=str) + "\n"
        inventory_text = inv.to_json() if write_inventory else None
        csv_text = inventory_csv(inv)  # a rendering of the snapshot: written by `awsscan render` too
    except BaseException:
        if drawing is not None:  # nothing is written: the running dot processes end on their own
            drawing.cancel()
        raise
    rendered = drawing.result() if drawing is not None else []
    previous = read_manifest(out)
    diagram_files: list[Path] = []
    if drawing is None:
        warnings.append("Graphviz 'dot' is not installed: diagrams were written as .dot sources only "
                        "(install graphviz, then run `awsscan render` to draw them)")
    for i, d in enumerate(diagrams):
        diagram_files.extend(render_diagram(d, out / "diagrams", warnings, rendered[i] if rendered else None))
    written = {f"diagrams/{p.name}" for p in diagram_files}
    # before the HTML inlines diagrams/*.svg: a picture this run did not draw must not look current
    remove_stale(out, previous, written, only_diagrams=True)
    doc = atomic_write(out / "design.md", text)
    html_doc = atomic_write(out / "design.html", render_html(text, out / "diagrams", None))
    findings = atomic_write(out / "findings.json", findings_text)
    csv_path = atomic_write(out / CSV_NAME, csv_text)
    inv_path = atomic_write(out / "inventory.json", inventory_text) if inventory_text is not None else None
    written |= {p.name for p in (doc, html_doc, findings, csv_path, inv_path) if p is not None}
    remove_stale(out, previous, written)
    atomic_write(out / MANIFEST, json.dumps({"tool": "awsscan", "files": sorted(written)}, indent=1) + "\n")
    return ReportFiles(out=out, document=doc, inventory=inv_path, findings=findings,
                       diagrams=diagram_files, warnings=warnings, html=html_doc, csv=csv_path)

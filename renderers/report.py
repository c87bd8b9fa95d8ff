"""Write the output folder: design.md, diagrams/, inventory.json, findings.json.

Every file is written atomically (temp file + rename). Diagrams are rendered
with Graphviz ``dot`` when it is installed; without it the ``.dot`` sources are
still written and the caller gets a warning, never a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from renderers.diagrams import Diagram, build
from renderers.document import render_document
from renderers.html import render_html
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


def prepare_out(out: Path) -> Path:
    """Check the output folder is usable before any work is done (one-line errors)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"output path {out} exists and is not a folder")
    for sub in (out, out / "diagrams"):
        if sub.exists() and not sub.is_dir():
            raise UserError(f"a file is in the way of the output folder: {sub}")
    try:
        (out / "diagrams").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK) or not os.access(out / "diagrams", os.W_OK):
        raise UserError(f"output folder {out} is not writable")
    return out


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_diagram(d: Diagram, folder: Path, warnings: list[str]) -> list[Path]:
    source = d.graph.source
    files = [atomic_write(folder / f"{d.filename}.dot", source)]
    if not dot_available():
        return files
    for fmt in ("svg", "png"):
        try:
            proc = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"),
                                  capture_output=True, timeout=DOT_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            warnings.append(f"dot could not render {d.filename}.{fmt}: {exc}")
            continue
        if proc.returncode != 0:
            warnings.append(f"dot failed on {d.filename}.{fmt}: {proc.stderr.decode(errors='replace')[:200]}")
            continue
        files.append(atomic_write(folder / f"{d.filename}.{fmt}", proc.stdout))
    return files


def write_report(inv: Inventory, analysis: Analysis, out: Path, *, project_name: str | None = None,
                 write_inventory: bool = True) -> ReportFiles:
    out = prepare_out(out)
    warnings: list[str] = []
    diagrams = build(inv, analysis)
    diagram_files: list[Path] = []
    if not dot_available():
        warnings.append("Graphviz 'dot' is not installed: diagrams were written as .dot sources only "
                        "(install graphviz, then run `awsscan render` to draw them)")
    for d in diagrams:
        diagram_files.extend(render_diagram(d, out / "diagrams", warnings))
    text = render_document(inv, analysis, diagrams, project_name=project_name)
    doc = atomic_write(out / "design.md", text)
    html_doc = atomic_write(out / "design.html", render_html(text, out / "diagrams", None))
    findings = atomic_write(out / "findings.json",
                            json.dumps(analysis.to_dict(), indent=1, sort_keys=True, default=str) + "\n")
    inv_path = inv.save(out / "inventory.json") if write_inventory else None
    return ReportFiles(out=out, document=doc, inventory=inv_path, findings=findings,
                       diagrams=diagram_files, warnings=warnings, html=html_doc)

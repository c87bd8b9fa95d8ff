"""Exports other tools read: SARIF, OCSF, CSV, GraphML and Neo4j import files, from a snapshot.

Each format is one module with ``write(inv, analysis, out) -> list[Path]``; ``out`` is a file for
the one-file formats (sarif, ocsf, graphml) and a folder for the others (csv, neo4j). Like the
document, an export is a pure function of the snapshot and its analysis: no AWS call, and every
value from the account is data (escaped by the format's own encoder, never spliced into code).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

#: format -> (module, writes a folder?, what it is)
FORMATS: dict[str, tuple[str, bool, str]] = {
    "sarif": ("sarif", False, "SARIF 2.1.0 (code-scanning dashboards): one result per finding and resource"),
    "ocsf": ("ocsf", False, "OCSF 1.2.0 Detection Finding events, one JSON object per line (security lakes)"),
    "csv": ("tables", True, "findings.csv and resources.csv"),
    "graphml": ("graph", False, "the resource graph as GraphML (networkx, Gephi, yEd)"),
    "neo4j": ("neo4j", True, "nodes.csv and relationships.csv for neo4j-admin import, plus load.cypher"),
}


def write(fmt: str, inv: Any, analysis: Any, out: Path) -> list[Path]:
    module, _folder, _what = FORMATS[fmt]
    return importlib.import_module(f"{__name__}.{module}").write(inv, analysis, out)


def writes_folder(fmt: str) -> bool:
    return FORMATS[fmt][1]

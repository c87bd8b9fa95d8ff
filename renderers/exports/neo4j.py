"""Neo4j: nodes.csv and relationships.csv in ``neo4j-admin database import`` format, and load.cypher.

    neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv awsscan

or, into a running database, copy the two files to its import folder and run load.cypher
(``cypher-shell -f load.cypher``). Labels are ``Resource`` plus one per kind (``Ec2Instance``),
relationship types the graph's relations in upper case (``IN_SUBNET``). The Cypher file holds
no account data: every value is read from the CSV files, never spliced into a query.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from renderers.exports.common import scalar
from scanner.inventory import atomic_write

NODE_HEADER = ["id:ID", "name", "kind", "region", "account", "external:boolean", "tags", "props", ":LABEL"]
REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "attrs"]


def _csv(rows: list[list[Any]], header: list[str]) -> str:
    """Plain CSV (the importer reads values as they are: no spreadsheet formula guard here)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([[str(v) for v in row] for row in rows])
    return buf.getvalue()


def kind_label(kind: str) -> str:
    """``ec2:vpc-endpoint`` -> ``Ec2VpcEndpoint`` (letters and digits only: a valid label)."""
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", kind) if p) or "Unknown"


def rel_type(rel: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", rel).upper().strip("_") or "RELATED_TO"


def _cypher(labels: list[str], types: list[str]) -> str:
    lines = ["// awsscan graph: load nodes.csv and relationships.csv from the import folder",
             "CREATE CONSTRAINT awsscan_resource_id IF NOT EXISTS FOR (r:Resource) REQUIRE r.id IS UNIQUE;"]
    for lab in labels:
        lines.append(
            "LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row WITH row "
            f"WHERE row.`:LABEL` = 'Resource;{lab}' "
            f"MERGE (n:Resource:{lab} {{id: row.`id:ID`}}) "
            "SET n.name = row.name, n.kind = row.kind, n.region = row.region, n.account = row.account, "
            "n.external = row.`external:boolean` = 'true', n.tags = row.tags, n.props = row.props;")
    for t in types:
        lines.append(
            "LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row WITH row "
            f"WHERE row.`:TYPE` = '{t}' "
            "MATCH (a:Resource {id: row.`:START_ID`}), (b:Resource {id: row.`:END_ID`}) "
            f"CREATE (a)-[r:{t}]->(b) SET r.attrs = row.attrs;")
    return "\n".join(lines) + "\n"


def write(inv: Any, analysis: Any, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nodes, labels = [], set()
    for n in inv.nodes(include_external=True):
        lab = kind_label(n["kind"])
        labels.add(lab)
        nodes.append([n["id"], n.get("name") or "", n["kind"], n.get("region") or "", n.get("account") or "",
                      "true" if n.get("external") else "false", scalar(n.get("tags") or {}),
                      scalar(n.get("props") or {}), f"Resource;{lab}"])
    rels, types = [], set()
    for src, dst, data in inv.edges():
        t = rel_type(str(data.get("rel") or "related_to"))
        types.add(t)
        rels.append([src, dst, t, scalar({k: v for k, v in data.items() if k != "rel"})])
    return [atomic_write(out / "nodes.csv", _csv(nodes, NODE_HEADER)),
            atomic_write(out / "relationships.csv", _csv(rels, REL_HEADER)),
            atomic_write(out / "load.cypher", _cypher(sorted(labels), sorted(types)))]

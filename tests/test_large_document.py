"""A document that stays readable at any size (issue 15, item 5): long tables are summarised with
counts, the full tables go to the appendix after section 12 and to inventory.csv, and no resource
is lost; below the thresholds the tables are exactly what they were."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from fixtures.large import Size, build_inventory
from renderers import appendix
from renderers.document import DocHelpers, render_document
from renderers.report import MANIFEST, write_report
from scanner import naming
from scanner.analysis.model import Analysis
from scanner.inventory import Inventory, Records
from tests.conftest import section

#: one region, one VPC: 30 ASG instances + 9 workers + 2 bastions and 30 buckets, over the threshold
MID = Size(regions=("us-east-1",), vpcs_per_region=1, azs=3, asg_size=30, workers=3, bastions=2, extra_sgs=2,
           buckets=30, pipelines=1)


@pytest.fixture(scope="module")
def mid(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    inv, analysis = build_inventory(MID)
    files = write_report(inv, analysis, Path(tmp_path_factory.mktemp("large-doc")), project_name="Large")
    doc = files.document.read_text(encoding="utf-8")
    return SimpleNamespace(inv=inv, files=files, doc=doc, appendix=doc[doc.index(f"## {appendix.TITLE}"):],
                           html=files.html.read_text(encoding="utf-8"),
                           csv=list(csv.DictReader(io.StringIO(files.csv.read_text(encoding="utf-8")))))


def test_a_long_instance_table_is_summarised_with_counts_and_names_its_appendix(mid):
    s = section(mid.doc, "3.1")
    instances = mid.inv.nodes("ec2:instance")
    assert len(instances) > appendix.SUMMARY_ROWS
    rows = [line for line in s.splitlines() if line.startswith("| ")]
    assert len(rows) <= appendix.MAX_GROUPS + 1
    assert re.search(r"^\| 30 x m5\.large \|.*\| 3 AZs \(us-east-1a, us-east-1b, us-east-1c\) \|", s, re.M), s
    m = re.search(rf"All {len(instances)} EC2 instances are listed in \[Appendix (A\.\d+)\]\(#([\w-]+)\) "
                  r"and in inventory\.csv\.", s)
    assert m, s
    label, anchor = m.groups()
    assert f"### {label} EC2 instances" in mid.appendix
    assert f'id="{anchor}"' in mid.html, "the link to the appendix lands on its heading in design.html"
    full = mid.appendix.split(f"### {label} ", 1)[1].split("\n### ", 1)[0]
    assert "Summarised in section 3.1 EC2 Instances" in full
    for n in instances:
        assert naming.node_label(n) in full


def test_every_appendix_link_lands_on_a_heading_and_the_toc_lists_the_appendix(mid):
    links = set(re.findall(r"\[Appendix A\.\d+\]\(#([\w-]+)\)", mid.doc))
    assert links
    for a in links:
        assert f'id="{a}"' in mid.html, a
    assert 'href="#h-appendix-full-resource-tables"' in mid.html
    headings = re.findall(r"^### (A\.\d+) ", mid.appendix, re.M)
    assert headings == [f"A.{i}" for i in range(1, len(headings) + 1)], "numbered in the order shown"
    assert mid.doc.index("## 12.") < mid.doc.index(f"## {appendix.TITLE}")


def test_inventory_csv_has_one_row_per_resource_and_every_resource_is_listed(mid):
    resources = appendix.resource_nodes(mid.inv)
    assert [r["id"] for r in mid.csv] == [n["id"] for n in resources]
    assert len({r["id"] for r in mid.csv}) == len(mid.csv)
    assert set(mid.csv[0]) == set(appendix.CSV_COLUMNS)
    every = {nid for nid, d in mid.inv.graph.nodes(data=True) if d.get("kind") not in appendix.NOT_RESOURCES}
    assert every == {r["id"] for r in mid.csv}
    vol = next(r for r in mid.csv if r["kind"] == "ebs:volume")
    assert vol["az"] and vol["type"] == "gp3" and "attached_to" in vol["relations"] and "encrypted=yes" in vol["facts"]
    assert "inventory.csv" in (mid.files.out / MANIFEST).read_text()


def test_small_tables_are_unchanged_and_the_thresholds_hold():
    inv = Inventory(meta={"regions": ["us-east-1"]})
    h = DocHelpers(inv, Analysis(), {})
    rows = [[f"i-{i}", "m5.large", f"us-east-1{'abc'[i % 3]}"] for i in range(appendix.SUMMARY_ROWS)]
    headers = ["Instance", "Type", "AZ"]
    assert h.big_table(headers, rows, what="EC2 instances") == h.table(headers, rows)
    assert not h.appendix.entries
    more = rows + [["i-x", "t3.micro", "us-east-1a"]]
    out = str(h.big_table(headers, more, what="EC2 instances", group_by=["Type"]))
    assert "| 25 x m5.large | i-0 and 24 more | 3 AZs (us-east-1a, us-east-1b, us-east-1c) |" in out
    assert "| 1 x t3.micro | i-x | us-east-1a |" in out
    assert "All 26 EC2 instances are listed in Appendix A.1 and in inventory.csv." in out
    many = [[f"r-{i}", "x"] for i in range(appendix.HARD_ROWS + 1)]
    assert "| 201 x x | r-0 and 200 more |" in str(h.table(["Id", "Value"], many)), "no table is unbounded"


def test_a_long_table_written_by_a_template_itself_is_summarised_too():
    rows = "".join(f"| w-{i} | EC2 instance | us-east-1 | subnet: app-a |\n" for i in range(appendix.HARD_ROWS + 5))
    text = ("## 11. Implementation\n\n### 11.2 Dependencies\n\n| Workload | Kind | Region | Depends on |\n"
            "|---|---|---|---|\n" + rows + "\nAfter.\n")
    out = appendix.Appendix().finish(text)
    body, tail = out.split(f"## {appendix.TITLE}")
    assert "| 205 x EC2 instance | subnet: app-a | w-0 and 204 more | us-east-1 |" in body
    assert "The full table (205 rows) is in [Appendix A.1](#h-a-1-table-of-11-2-dependencies)." in body
    assert "\nAfter.\n" in body
    assert "### A.1 Table of 11.2 Dependencies" in tail and "| w-204 | EC2 instance |" in tail


def test_a_table_too_long_for_the_line_budget_says_where_its_rows_are():
    book = appendix.Appendix(line_budget=50)
    cells = [[f"vol-{i}", "gp3"] for i in range(60)]
    text = "## 4. Storage\n\n### 4.2 Block Storage (EBS)\n\n" + str(book.summary(["Volume", "Type"], cells,
                                                                       what="EBS volumes", kinds=["ebs:volume"]))
    out = book.finish(text)
    assert ("All 60 EBS volumes are listed in inventory.csv, one row each with its props, judged facts and "
            "relations; the full table (60 rows) is too long for [Appendix A.1](#h-a-1-ebs-volumes).") in out
    assert "vol-59" not in out and "a row of inventory.csv (kind ebs:volume)" in out


def test_inventory_csv_cells_are_never_spreadsheet_formulas():
    out = Records("us-east-1", "123456789012")
    out.node("arn:aws:sqs:us-east-1:123456789012:q", "sqs:queue", "=HYPERLINK(\"http://x\")\nevil")
    inv = Inventory(meta={"regions": ["us-east-1"]})
    inv.merge([out])
    row = next(csv.DictReader(io.StringIO(appendix.inventory_csv(inv))))
    assert row["name"].startswith("'=") and "\n" not in row["name"]


def test_the_large_fixture_at_full_size_stays_under_2500_lines():
    """About 7,900 resources (the ``huge`` preset, as `make bench` renders it): ~6 s."""
    inv, analysis = build_inventory("huge")
    doc = render_document(inv, analysis, project_name="Large")
    assert doc.count("\n") < 2500
    assert f"## {appendix.TITLE}" in doc
    assert re.search(r"^\| 60 x m5\.large \|.*\| app-asg-", section(doc, "3.1"), re.M)
    for number in ("2.3", "3.1", "4.1", "4.2", "9.2"):
        assert re.search(r"Appendix A\.\d+", section(doc, number)), number


def test_a_folder_in_the_way_of_inventory_csv_fails_before_any_work(tmp_path):
    from scanner.errors import UserError

    inv, analysis = build_inventory("tiny")
    (tmp_path / "inventory.csv").mkdir()
    with pytest.raises(UserError, match="in the way"):
        write_report(inv, analysis, tmp_path)
    assert not (tmp_path / "design.md").exists()

"""The foundation end to end: the sample account scanned into a document with all sections."""

from __future__ import annotations

import json
import re

from tests.conftest import section

TEMPLATE_HEADINGS = [
    "## 1. Overview", "## 2. Network Architecture", "### 2.1 VPC Design", "### 2.2 Subnet Architecture",
    "### 2.3 Internet Connectivity", "## 3. Compute Resources", "### 3.1 EC2 Instances",
    "### 3.2 Container Services", "### 3.3 Serverless Components", "## 4. Storage Strategy",
    "### 4.1 Object Storage (S3)", "### 4.2 Block Storage (EBS)", "### 4.3 File Storage (EFS/FSx)",
    "### 4.4 Database Storage", "## 5. Security Design", "### 5.1 Identity and Access Management",
    "### 5.2 Network Security", "### 5.3 Data Protection", "### 5.4 Monitoring and Compliance",
    "## 6. Database Architecture", "### 6.1 Relational Databases", "### 6.2 NoSQL Databases",
    "### 6.3 In-Memory Databases", "## 7. Deployment Pipeline", "### 7.1 Source Control Integration",
    "### 7.2 Build and Test", "### 7.3 Deployment Automation", "### 7.4 Monitoring and Rollback",
    "## 8. Scaling Strategy", "### 8.1 Horizontal Scaling", "### 8.2 Vertical Scaling",
    "### 8.3 Load Balancing", "## 9. Disaster Recovery and High Availability", "### 9.1 Multi-AZ Strategy",
    "### 9.2 Backup and Restore", "### 9.3 Failover Mechanisms", "## 10. Cost Estimation",
    "### 10.1 Resource Costs", "### 10.2 Optimization Strategies", "### 10.3 Cost Monitoring",
    "## 11. Implementation Plan", "### 11.1 Phases and Milestones", "### 11.2 Dependencies",
    "### 11.3 Timeline", "## 12. Operational Procedures", "### 12.1 Monitoring and Alerting",
    "### 12.2 Logging and Auditing", "### 12.3 Incident Response", "### 12.4 Routine Maintenance",
]


def test_all_headings_in_template_order(sample):
    headings = [line for line in sample.doc.splitlines() if re.match(r"^#{2,3} \d", line)]
    assert headings == TEMPLATE_HEADINGS
    assert sample.doc.startswith("# Test Platform - AWS Infrastructure Design\n")
    assert "<!-- DIAGRAM" not in sample.doc


def test_vpc_cidr_in_section_2_1(sample):
    s = section(sample.doc, "2.1")
    assert "10.0.0.0/16" in s
    assert "web-platform-prod" in s


def test_snapshot_is_deterministic_and_round_trips(sample, tmp_path):
    from scanner.inventory import Inventory

    text = sample.files.inventory.read_text()
    data = json.loads(text)
    assert data["schema"] == 1
    again = Inventory.load(sample.files.inventory)
    assert again.to_json() == text


def test_the_sample_facts_appear_in_their_sections(sample):
    ids = sample.ids
    s21, s22 = section(sample.doc, "2.1"), section(sample.doc, "2.2")
    assert "10.0.0.0/16" in s21
    assert "us-east-1a" in s22 and "us-east-1b" in s22
    assert ids["alb_dns"] in section(sample.doc, "8.3")
    s61 = section(sample.doc, "6.1")
    assert "postgres" in s61 and "Multi-AZ" in s61
    s73 = section(sample.doc, "7.3")
    stages = [st["name"] for p in sample.inv.nodes("codepipeline:pipeline") for st in p["props"]["stages"]]
    assert stages == ["Source", "Build", "Deploy"]
    assert "Source → Build → Deploy" in s73, "stages appear in pipeline order"


def test_the_three_svgs_are_valid_and_carry_vpc_and_subnet_labels(sample):
    import xml.etree.ElementTree as ET

    diagrams = sample.out / "diagrams"
    texts = {}
    for stem in ("aws_architecture", "aws_security", "cicd"):
        root = ET.parse(diagrams / f"{stem}.svg").getroot()
        assert root.tag.endswith("svg")
        texts[stem] = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "web-platform-prod" in texts["aws_architecture"]
    assert "public-a" in texts["aws_architecture"] and "app-b" in texts["aws_architecture"]
    assert "Build" in texts["cicd"] and "Deploy" in texts["cicd"]
    # the sample's security diagram is close to the 1400 px budget: with some of moto's random ids it
    # is drawn as an account overview plus one part per VPC; the group is then in the VPC's part
    security = " ".join(" ".join(t.text or "" for t in ET.parse(p).getroot().iter() if t.tag.endswith("text"))
                        for p in sorted(diagrams.glob("aws_security*.svg")))
    assert "alb-sg" in security


def test_a_denied_service_is_a_gap_and_the_rest_is_complete(tmp_path):
    from botocore.exceptions import ClientError

    from fixtures.sample import build_sample
    from tests.conftest import scan_account

    def deny_elbv2(session):
        def refuse(model=None, **_):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, model.name)
        session.events.register("before-call.elastic-load-balancing", refuse)

    res = scan_account(lambda: build_sample(parts=("network", "identity", "storage", "compute", "loadbalancing")),
                       tmp_path, regions=["us-east-1"], before_scan=deny_elbv2)
    s83 = section(res.doc, "8.3")
    assert "elasticloadbalancing:DescribeLoadBalancers" in s83
    assert "10.0.0.0/16" in section(res.doc, "2.1")
    assert "t3.medium" in section(res.doc, "3.1")

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

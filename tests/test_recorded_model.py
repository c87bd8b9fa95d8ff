"""Recorded AWS shapes, part one: the botocore service model and realistic responses built from it.

``realistic(service, operation)`` is the full response a fixture under tests/data/recorded/ starts
from: every member of the operation's output shape (one item per list, recursive shapes cut at a
depth), values shaped like AWS's for the member's name (ids with their prefixes, ARNs, CIDRs, AZs,
policy documents, dates), laid under the AWS documentation example of the operation where botocore
ships one (``examples-1.json``). The variants and checks live in tests/test_recorded_shapes.py.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape

ACCOUNT = "123456789012"
REGION = "us-east-1"
WHEN = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
MAX_DEPTH = 12


# --- the service model ---------------------------------------------------------------------------
@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def output_shape(service: str, operation: str) -> StructureShape:
    return _session().get_service_model(service).operation_model(operation).output_shape


@cache
def doc_example(service: str, operation: str) -> dict[str, Any] | None:
    """The first documentation example's output for the operation (AWS's own sample), if any."""
    try:
        examples = _session().get_component("data_loader").load_service_model(service, "examples-1")
    except Exception:  # noqa: BLE001 - most services ship no examples
        return None
    for ex in (examples.get("examples") or {}).get(operation) or []:
        if ex.get("output"):
            return ex["output"]
    return None


def known_enums(service: str, operation: str) -> frozenset[str]:
    """Every enum value of the operation's output shape (the values the API documents)."""
    found: set[str] = set()

    def visit(shape: Shape, seen: tuple[str, ...]) -> None:
        if shape.name in seen:
            return
        if getattr(shape, "enum", None):
            found.update(shape.enum)
        if isinstance(shape, StructureShape):
            for m in shape.members.values():
                visit(m, (*seen, shape.name))
        elif isinstance(shape, ListShape):
            visit(shape.member, (*seen, shape.name))
        elif isinstance(shape, MapShape):
            visit(shape.key, (*seen, shape.name))
            visit(shape.value, (*seen, shape.name))

    visit(output_shape(service, operation), ())
    return frozenset(found)


# --- realistic values from the model -------------------------------------------------------------
EC2_PREFIX = {
    "VpcId": "vpc", "SubnetId": "subnet", "GroupId": "sg", "SecurityGroupId": "sg", "InstanceId": "i",
    "ImageId": "ami", "VolumeId": "vol", "SnapshotId": "snap", "NetworkInterfaceId": "eni",
    "RouteTableId": "rtb", "NatGatewayId": "nat", "InternetGatewayId": "igw", "GatewayId": "igw",
    "EgressOnlyInternetGatewayId": "eigw", "AllocationId": "eipalloc", "AssociationId": "eipassoc",
    "NetworkAclId": "acl", "VpcPeeringConnectionId": "pcx", "VpcEndpointId": "vpce", "FlowLogId": "fl",
    "PrefixListId": "pl", "TransitGatewayId": "tgw", "TransitGatewayAttachmentId": "tgw-attach",
    "TransitGatewayRouteTableId": "tgw-rtb", "VpnGatewayId": "vgw", "CustomerGatewayId": "cgw",
    "VpnConnectionId": "vpn", "HostId": "h", "KeyPairId": "key", "LaunchTemplateId": "lt",
    "DhcpOptionsId": "dopt", "PlacementGroupId": "pg", "CapacityReservationId": "cr",
    "virtualInterfaceId": "dxvif", "virtualGatewayId": "vgw", "connectionId": "dxcon",
    "directConnectGatewayId": "dxgw", "CarrierGatewayId": "cagw", "LocalGatewayId": "lgw",
    "SecurityGroupIdentifier": "sg", "SubnetIdentifier": "subnet", "VpcSecurityGroupId": "sg",
}
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadOnly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower().strip("-") or "item"


def _arn_for(service: str, member: str) -> str:
    m = member.lower()
    if "role" in m:
        return f"arn:aws:iam::{ACCOUNT}:role/web-platform-service"
    if "profile" in m:
        return f"arn:aws:iam::{ACCOUNT}:instance-profile/web-platform-app"
    if "kms" in m or m.startswith("key") or "encryptionkey" in m:
        return KEY_ARN
    if "topic" in m or m.startswith("sns"):
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:web-platform-alerts"
    if "queue" in m:
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:web-platform-jobs"
    if "function" in m or "lambda" in m:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:web-platform-worker"
    if "certificate" in m:
        return f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0f2c3d4e-5a6b-7c8d-9e0f-a1b2c3d4e5f6"
    if "targetgroup" in m:
        return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web-platform-tg/73e2d6bc24d8a067"
    if "loadbalancer" in m:
        return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web-platform-alb/50dc6c495c0c9188"
    if "loggroup" in m:
        return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/web-platform/app:*"
    if "connection" in m:
        return f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/4f1c2d3e-github-acme"
    if "vault" in m:
        return f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:web-platform-vault"
    if "alarm" in m:
        return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:web-platform-5xx"
    base = _kebab(member[:-3] if member.lower().endswith("arn") else member) or "resource"
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{base}/web-platform-{base}"


#: enum values a running account mostly shows (the first enum value is often a transient state)
TYPICAL = ("available", "active", "associated", "attached", "enabled", "running", "in-use", "completed",
           "InService", "healthy", "ISSUED", "ACTIVE", "ENABLED", "AVAILABLE", "Enabled", "Active",
           "CREATE_COMPLETE", "UP", "up", "OK", "ok", "Success", "SUCCEEDED", "Succeeded", "COMPLETED",
           "IN_SYNC", "INSYNC", "PASSED", "COMPLIANT", "Healthy", "Available", "RUNNING", "x86_64", "xen",
           "gp3", "internet-facing", "application", "HTTPS", "ipv4", "STANDARD", "Linux/UNIX", "ACTIVE_ONLY")


def string_value(service: str, member: str, shape: Shape, owner: str = "") -> str:
    """A value shaped like what AWS returns for this member name (``owner``: the structure it is in)."""
    if getattr(shape, "enum", None):
        return next((v for v in TYPICAL if v in shape.enum), shape.enum[0])
    if member in ("Name", "name", "Id", "id", "Arn", "ARN", "arn", "Identifier") and owner:
        if member.lower() == "arn":
            return _arn_for(service, owner)
        if member.lower() == "id" and f"{owner}Id" in EC2_PREFIX:
            return f"{EC2_PREFIX[owner + 'Id']}-0a1b2c3d4e5f67890"
        return f"web-platform-{_kebab(owner)}"
    m, low = member, member.lower()
    if m in EC2_PREFIX:
        return f"{EC2_PREFIX[m]}-0a1b2c3d4e5f67890"
    if low in ("ownerid", "accountid", "owneraccount", "owneraccountid", "resourceownerid", "awsaccountid",
               "masteraccountid", "requesterid"):
        return ACCOUNT
    if low.endswith("arn") or low == "arn" or low.endswith("arnlist"):
        return _arn_for(service, m)
    if low in ("kmskeyid", "kmsmasterkeyid", "kmsmasterkeyarn", "encryptionkey", "kmskey", "keyid",
               "targetkeyid", "sourcekmskeyid"):
        return KEY_ARN
    if "ipv6" in low and ("cidr" in low or "block" in low):
        return "2600:1f18:abc:de00::/56"
    if "cidr" in low:
        return "10.0.0.0/16"
    if "ipv6" in low:
        return "2600:1f18:abc:de00::25"
    if low in ("publicip", "publicipaddress", "ipaddress", "carrierip", "customerownedip"):
        return "203.0.113.25"
    if "ip" in low and ("address" in low or low.endswith("ip")):
        return "10.0.1.25"
    if low in ("availabilityzone", "zonename", "availabilityzonename", "preferredavailabilityzone",
               "secondaryavailabilityzone", "location"):
        return f"{REGION}a"
    if low in ("availabilityzoneid", "zoneid"):
        return "use1-az1"
    if low.endswith("region") or low == "regionname":
        return REGION
    if "policy" in low and ("document" in low or low in ("policy", "accesspolicies", "resourcepolicy")):
        return TRUST if "assume" in low else POLICY
    if low in ("key", "tagkey"):
        return "Name"
    if low in ("value", "tagvalue"):
        return "web-platform-value"
    if "date" in low or low.endswith("time") or low.endswith("timestamp"):
        return "2024-05-14T09:30:00.000Z"
    if "dnsname" in low or "domainname" in low or low in ("address", "endpoint", "hostname", "fqdn",
                                                        "fullyqualifieddomainname"):
        return "web-platform.example.com"
    if "url" in low or "uri" in low:
        return "https://web-platform.example.com/path"
    if low in ("description", "comment"):
        return f"Web platform {_kebab(service)} resource"
    if low.endswith("name") or low.endswith("identifier") or low in ("id", "name"):
        stem = _kebab(re.sub(r"(Name|Identifier|Id)$", "", m)) or _kebab(service)
        return f"web-platform-{stem}"
    if low.endswith("id"):
        return f"{_kebab(m[:-2]) or 'id'}-0a1b2c3d4e5f67890"
    return f"web-platform-{_kebab(m)}"


def int_value(member: str) -> int:
    low = member.lower()
    if "port" in low:
        return 443
    if "asn" in low:
        return 65000
    if "percent" in low:
        return 50
    if "days" in low or "retention" in low:
        return 30
    if "seconds" in low or "interval" in low or "timeout" in low:
        return 60
    if low.startswith("max"):
        return 4
    return 2


def generate(service: str, shape: Shape, member: str = "", depth: int = 0, seen: tuple[str, ...] = (),
             owner: str = "") -> Any:
    """A maximal value of ``shape``: every member present, one item per list, realistic scalars."""
    t = shape.type_name
    if t == "structure":
        assert isinstance(shape, StructureShape)
        out: dict[str, Any] = {}
        for name, sub in shape.members.items():
            if name in ("NextToken", "Marker", "NextMarker", "nextToken", "NextPageToken", "PaginationToken"):
                continue
            if (depth >= MAX_DEPTH or seen.count(sub.name) >= 1) and name not in shape.required_members:
                continue  # deep enough, or a recursive shape (WAF statements)
            out[name] = generate(service, sub, name, depth + 1, (*seen, shape.name), owner=member or shape.name)
        return out
    if t == "list":
        assert isinstance(shape, ListShape)
        if depth >= MAX_DEPTH + 2:
            return []
        single = re.sub(r"(List|Set|Summaries|s)$", "", member) or member
        return [generate(service, shape.member, single, depth + 1, (*seen, shape.name), owner=owner)]
    if t == "map":
        assert isinstance(shape, MapShape)
        key = string_value(service, "Key", shape.key) if shape.key.type_name == "string" else "key"
        return {key: generate(service, shape.value, member, depth + 1, (*seen, shape.name))}
    if t == "string":
        return string_value(service, member, shape, owner)
    if t in ("integer", "long"):
        return int_value(member)
    if t in ("double", "float"):
        return 75.5
    if t == "boolean":
        return True
    if t == "timestamp":
        return WHEN
    if t == "blob":
        return b"web-platform"
    return None


def merge(base: Any, example: Any, shape: Shape) -> Any:
    """``base`` with the documentation example's values laid over it (type-checked against the model)."""
    t = shape.type_name
    if t == "structure" and isinstance(example, dict) and isinstance(base, dict):
        assert isinstance(shape, StructureShape)
        out = dict(base)
        for k, v in example.items():
            if k in shape.members:
                sub = shape.members[k]
                out[k] = merge(base.get(k, generate("x", sub, k)), v, sub)
        return out
    if t == "list" and isinstance(example, list):
        assert isinstance(shape, ListShape)
        template = base[0] if isinstance(base, list) and base else generate("x", shape.member)
        return [merge(copy.deepcopy(template), item, shape.member) for item in example]
    if t == "timestamp":
        parsed = parse_timestamp(example)
        return parsed if parsed is not None else base
    if t in ("integer", "long") and isinstance(example, int) and not isinstance(example, bool):
        return example
    if t in ("double", "float") and isinstance(example, (int, float)) and not isinstance(example, bool):
        return example
    if t == "boolean" and isinstance(example, bool):
        return example
    if t == "string" and isinstance(example, str):
        return example
    return base


def parse_timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            got = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return got if got.tzinfo else got.replace(tzinfo=UTC)
    return None


def realistic(service: str, operation: str) -> dict[str, Any]:
    """The full response a fixture starts from: the model's maximal shape under AWS's doc example."""
    shape = output_shape(service, operation)
    full = generate(service, shape)
    example = doc_example(service, operation)
    return merge(full, example, shape) if example else full

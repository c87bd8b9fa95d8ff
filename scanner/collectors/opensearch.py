"""OpenSearch Service domains, legacy Elasticsearch domains included.

The ``opensearch`` API lists both engines (``EngineType``), so ``es`` is never called and
no domain is counted twice. ``describe_domains`` takes at most five names per call; a
batch that cannot be read still leaves its domains in the graph, with every setting
unknown and a gap naming ``es:DescribeDomains`` for each.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors.redshift import flag, strs
from scanner.collectors.registry import collector
from scanner.collectors.storage import guarded, opt_int, parse_policy, policy_is_public
from scanner.context import ScanContext, tags_of
from scanner.inventory import Records

#: describe_domains accepts up to five domain names per call
BATCH = 5
DESCRIBE = "es:DescribeDomains"


def domain_arn(ctx: ScanContext, name: str) -> str:
    return ctx.arn("es", f"domain/{name}")


def policy_open(text: Any) -> bool | None:
    """Does the access policy let anyone ("*") in with no condition that narrows who?
    No policy at all ("") is not open (IAM alone decides); None when unreadable."""
    if text is None:
        return None
    if isinstance(text, str) and not text.strip():
        return False
    doc = parse_policy(text)
    return None if doc is None else policy_is_public(doc)


def _status(d: dict[str, Any]) -> str | None:
    if d.get("Deleted"):
        return "deleted"
    if d.get("DomainProcessingStatus"):
        return str(d["DomainProcessingStatus"])
    if d.get("Processing") is None and d.get("Created") is None:
        return None
    return "processing" if d.get("Processing") else "active"


def transform_domains(ctx: ScanContext, listed: list[dict[str, Any]],
                      described: dict[str, dict[str, Any] | None],
                      tags: dict[str, list[dict[str, Any]] | None] | None = None) -> Records:
    """``listed``: list_domain_names items; ``described``: name -> DomainStatus (None: not read);
    ``tags``: name -> list_tags TagList (None: not read)."""
    out = ctx.records()
    tags = tags or {}
    for item in listed:
        name = item.get("DomainName")
        if not name:
            continue
        d = described.get(name)
        arn = str((d or {}).get("ARN") or domain_arn(ctx, name))
        engine = item.get("EngineType") or _engine_of((d or {}).get("EngineVersion"))
        if d is None:
            out.node(arn, "opensearch:domain", name, tags=tags_of(tags.get(name) or []), engine=engine,
                     engine_version=None, instance_type=None, instance_count=None, dedicated_master=None,
                     master_type=None, master_count=None, zone_awareness=None, vpc_id=None, subnet_ids=None,
                     security_group_ids=None, endpoint=None, encrypted_at_rest=None, node_to_node=None,
                     policy_open=None, storage_gb=None)
            out.edge(ctx.region_node, arn, "contains")
            continue
        _domain(ctx, out, d, arn, name, engine, tags.get(name))
    return out


def _engine_of(version: Any) -> str | None:
    """"OpenSearch_2.11" -> "OpenSearch", "Elasticsearch_7.10" -> "Elasticsearch"."""
    text = str(version or "")
    return text.split("_", 1)[0] if "_" in text else None


def _domain(ctx: ScanContext, out: Records, d: dict[str, Any], arn: str, name: str, engine: str | None,
            tag_list: list[dict[str, Any]] | None) -> None:
    cc = d.get("ClusterConfig") or {}
    vpc = d.get("VPCOptions") or {}
    ebs = d.get("EBSOptions") or {}
    rest = d.get("EncryptionAtRestOptions")
    n2n = d.get("NodeToNodeEncryptionOptions")
    fgac = d.get("AdvancedSecurityOptions") or {}
    endpoints = d.get("Endpoints") or {}
    count = opt_int(cc.get("InstanceCount"))
    volume = opt_int(ebs.get("VolumeSize")) if flag(ebs.get("EBSEnabled")) else None
    encrypted = flag(rest.get("Enabled")) if isinstance(rest, dict) else None
    kms = ctx.kms_key_arn(rest.get("KmsKeyId")) if rest and encrypted else None
    subnets = strs(vpc.get("SubnetIds"))
    sgs = strs(vpc.get("SecurityGroupIds"))
    in_vpc = bool(vpc.get("VPCId") or subnets or any(str(k).startswith("vpc") for k in endpoints))
    public = False if in_vpc else (True if d.get("Endpoint") or d.get("EndpointV2") or endpoints else None)
    if public is None:
        out.gap("opensearch", DESCRIBE, "the answer names neither a VPC nor a public endpoint", resource=arn)
    is_open = policy_open(d.get("AccessPolicies"))
    if is_open is None and d.get("AccessPolicies") is not None:
        out.gap("opensearch", DESCRIBE, "the domain access policy could not be parsed", resource=arn)
    endpoint_opts = d.get("DomainEndpointOptions") or {}
    out.node(arn, "opensearch:domain", name, tags=tags_of(tag_list or []), engine=engine,
             engine_version=d.get("EngineVersion"), instance_type=cc.get("InstanceType"),
             instance_count=count, dedicated_master=flag(cc.get("DedicatedMasterEnabled")),
             master_type=cc.get("DedicatedMasterType") if cc.get("DedicatedMasterEnabled") else None,
             master_count=opt_int(cc.get("DedicatedMasterCount")) if cc.get("DedicatedMasterEnabled") else None,
             zone_awareness=flag(cc.get("ZoneAwarenessEnabled")),
             az_count=opt_int((cc.get("ZoneAwarenessConfig") or {}).get("AvailabilityZoneCount")),
             vpc_id=vpc.get("VPCId"), subnet_ids=subnets, security_group_ids=sgs,
             endpoint=endpoints.get("vpc") or d.get("Endpoint") or d.get("EndpointV2"),
             public_endpoint=public, encrypted_at_rest=encrypted, kms_key=kms,
             node_to_node=flag(n2n.get("Enabled")) if isinstance(n2n, dict) else None,
             policy_open=is_open, storage_gb=volume * count if volume is not None and count else None,
             volume_type=ebs.get("VolumeType"), warm_count=opt_int(cc.get("WarmCount")) if cc.get("WarmEnabled") else None,
             fine_grained_access=flag(fgac.get("Enabled")) if d.get("AdvancedSecurityOptions") is not None else None,
             anonymous_auth=flag(fgac.get("AnonymousAuthEnabled")),
             enforce_https=flag(endpoint_opts.get("EnforceHTTPS")),
             tls_policy=endpoint_opts.get("TLSSecurityPolicy"), status=_status(d))
    out.edge(ctx.region_node, arn, "contains")
    for s in subnets:
        out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
    for g in sgs:
        out.edge(arn, ctx.ec2_arn("security-group", g), "protected_by")
    out.edge(arn, kms, "encrypted_by")


@collector("opensearch.domains", "opensearch",
           reads="es:ListDomainNames, es:DescribeDomains, es:ListTags")
def collect_domains(ctx: ScanContext) -> Records:
    out = ctx.records()
    listed = [i for i in ctx.call("opensearch", "list_domain_names").get("DomainNames") or []
              if isinstance(i, dict) and i.get("DomainName")]
    names = [i["DomainName"] for i in listed]
    described: dict[str, dict[str, Any] | None] = {}
    for start in range(0, len(names), BATCH):
        batch = names[start:start + BATCH]
        before = len(out.gaps)
        found = guarded(out, "opensearch", DESCRIBE, ctx.region, "",
                        lambda b=batch: ctx.call("opensearch", "describe_domains", DomainNames=b))
        if found is None:
            # one failed call: every domain of the batch is "not read", each named in the gaps
            lost = out.gaps[before:]
            del out.gaps[before:]
            for n in batch:
                described[n] = None
                for g in lost:
                    out.gap(g.service, g.action, g.reason, resource=domain_arn(ctx, n), region=g.region)
            continue
        for d in found.get("DomainStatusList") or []:
            if isinstance(d, dict) and d.get("DomainName"):
                described[d["DomainName"]] = d
    tags: dict[str, list[dict[str, Any]] | None] = {}
    for n in names:
        arn = (described.get(n) or {}).get("ARN") or domain_arn(ctx, n)
        resp = guarded(out, "opensearch", "es:ListTags", ctx.region, arn,
                       lambda a=arn: ctx.call("opensearch", "list_tags", ARN=a))
        tags[n] = None if resp is None else list(resp.get("TagList") or [])
    return out.extend(transform_domains(ctx, listed, described, tags))

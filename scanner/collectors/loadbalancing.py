"""Elastic Load Balancing: ALB/NLB/GWLB with listeners, rules and target groups (ELBv2), and
classic ELBs (get / transform, after Cartography).

Edges follow the contract: LB -listens_on-> listener -targets-> target group -targets->
instance/Lambda/ALB; listener -uses_certificate-> certificate; LB -logs_to-> bucket.
Listener actions are summarised (type and non-secret settings) and never copied raw:
an ``authenticate-oidc`` action can carry a client secret.
"""

from __future__ import annotations

from typing import Any

from scanner.collectors._fanout import Read, gather, kept, merged
from scanner.collectors._shape import flag, ident
from scanner.collectors.compute import chunks, optional_pages
from scanner.collectors.registry import collector
from scanner.context import ScanContext, iso, tags_of
from scanner.inventory import Records

TAG_BATCH = 20  # DescribeTags accepts at most 20 resources per call (both ELB APIs)
TLS_PROTOCOLS = ("HTTPS", "TLS")


# -- attribute and action helpers -------------------------------------------------------------
def attr_bool(attrs: dict[str, str], key: str) -> bool | None:
    val = attrs.get(key)
    return None if val is None else str(val).lower() == "true"


def access_logs(attrs: dict[str, str]) -> dict[str, Any] | None:
    """{"enabled", "bucket", "prefix"} from LB attributes; None when attributes were not read."""
    if not attrs:
        return None
    # the attributes were read: an attribute not listed has its documented default (false)
    return {"enabled": bool(attr_bool(attrs, "access_logs.s3.enabled")),
            "bucket": attrs.get("access_logs.s3.bucket") or None,
            "prefix": attrs.get("access_logs.s3.prefix") or None}


def action_target_groups(action: dict[str, Any]) -> list[str]:
    tgs = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
    tgs += [t["TargetGroupArn"] for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            if t.get("TargetGroupArn")]
    return sorted(set(tgs))


def _tg_name(arn: str) -> str:
    parts = arn.split(":")[-1].split("/")
    return parts[1] if len(parts) > 1 else arn


def describe_action(action: dict[str, Any]) -> str:
    """One action as a short, secret-free phrase ("redirect to HTTPS:443 (HTTP_301)")."""
    kind = action.get("Type", "?")
    if kind == "forward":
        names = [_tg_name(t) for t in action_target_groups(action)]
        return f"forward to {', '.join(names)}" if names else "forward"
    if kind == "redirect":
        r = action.get("RedirectConfig") or {}
        proto = r.get("Protocol") or "#{protocol}"
        port = r.get("Port") or "#{port}"
        host = r.get("Host")
        where = f"{proto}:{port}" + (f" host {host}" if host and host != "#{host}" else "")
        return f"redirect to {where} ({r.get('StatusCode', 'HTTP_301')})"
    if kind == "fixed-response":
        return f"fixed response {(action.get('FixedResponseConfig') or {}).get('StatusCode', '')}".strip()
    if kind == "authenticate-cognito":
        return "authenticate with Cognito"
    if kind == "authenticate-oidc":
        return "authenticate with OIDC"
    return str(kind)


def describe_actions(actions: list[dict[str, Any]] | None) -> str:
    ordered = sorted(actions or [], key=lambda a: a.get("Order") or 0)
    return "; then ".join(describe_action(a) for a in ordered) or "none"


def redirects_to_https(actions: list[dict[str, Any]] | None) -> bool:
    return any(a.get("Type") == "redirect" and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
               for a in actions or [])


def describe_conditions(conds: list[dict[str, Any]] | None) -> str:
    """Rule conditions as text ("host-header app.example.com; path-pattern /api/*")."""
    parts = []
    for c in conds or []:
        field = c.get("Field", "?")
        values = list(c.get("Values") or [])
        for key in ("HostHeaderConfig", "PathPatternConfig", "HttpRequestMethodConfig", "SourceIpConfig"):
            values += (c.get(key) or {}).get("Values") or []
        if c.get("HttpHeaderConfig"):
            values.append(str(c["HttpHeaderConfig"].get("HttpHeaderName") or "") + "=" +
                          ",".join(str(v) for v in c["HttpHeaderConfig"].get("Values") or []))
        parts.append(f"{field} {', '.join(dict.fromkeys(values))}".strip())
    return "; ".join(parts) or "any request"


# -- ELBv2 load balancers ------------------------------------------------------------------------
def transform_load_balancers(ctx: ScanContext, lbs: list[dict[str, Any]],
                             attributes: dict[str, dict[str, str]],
                             tags: dict[str, dict[str, str]]) -> Records:
    """Load balancers; ``attributes`` maps LB ARN to its attributes as a dict (absent: not read)."""
    out = ctx.records()
    for lb in lbs:
        arn = ident(out, lb, "LoadBalancerArn", "elbv2", "elasticloadbalancing:DescribeLoadBalancers",
                    "a load balancer")
        if not arn:
            continue
        attrs = attributes.get(arn, {})
        zones = lb.get("AvailabilityZones") or []
        subnets = sorted(z["SubnetId"] for z in zones if z.get("SubnetId"))
        logs = access_logs(attrs)
        out.node(arn, "elbv2:load-balancer", lb.get("LoadBalancerName"), tags=tags.get(arn, {}),
                 name=lb.get("LoadBalancerName"), type=lb.get("Type"), scheme=lb.get("Scheme"),
                 dns_name=lb.get("DNSName"), vpc_id=lb.get("VpcId"), subnet_ids=subnets,
                 azs=sorted({z["ZoneName"] for z in zones if z.get("ZoneName")}),
                 security_group_ids=sorted(lb.get("SecurityGroups") or []),
                 state=(lb.get("State") or {}).get("Code"), ip_address_type=lb.get("IpAddressType"),
                 deletion_protection=attr_bool(attrs, "deletion_protection.enabled"),
                 access_logs=logs,
                 drop_invalid_headers=attr_bool(attrs, "routing.http.drop_invalid_header_fields.enabled"),
                 cross_zone=attr_bool(attrs, "load_balancing.cross_zone.enabled"),
                 idle_timeout=attrs.get("idle_timeout.timeout_seconds"),
                 desync_mitigation=attrs.get("routing.http.desync_mitigation_mode"),
                 attributes_read=arn in attributes, created=iso(lb.get("CreatedTime")),
                 hosted_zone_id=lb.get("CanonicalHostedZoneId"))
        out.edge(ctx.region_node, arn, "contains")
        for s in subnets:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for sg in lb.get("SecurityGroups") or []:
            out.edge(arn, ctx.ec2_arn("security-group", sg), "protected_by")
        if logs and logs["enabled"] and logs["bucket"]:
            out.edge(arn, f"arn:{ctx.partition}:s3:::{logs['bucket']}", "logs_to")
    return out


def transform_listeners(ctx: ScanContext, listeners: list[dict[str, Any]],
                        rules: dict[str, list[dict[str, Any]]],
                        extra_certs: dict[str, list[str]]) -> Records:
    """Listeners with their default action, non-default rules and certificates."""
    out = ctx.records()
    for li in listeners:
        arn, lb = ident(out, li, "ListenerArn", "elbv2", "elasticloadbalancing:DescribeListeners", "a listener"), \
            li.get("LoadBalancerArn")
        if not arn:
            continue
        certs = sorted({c["CertificateArn"] for c in li.get("Certificates") or [] if c.get("CertificateArn")}
                       | set(extra_certs.get(arn, [])))
        actions = li.get("DefaultActions") or []
        tgs = set(action_target_groups_all(actions))
        rule_rows = []
        for r in rules.get(arn, []):
            if r.get("IsDefault"):
                continue
            tgs |= set(action_target_groups_all(r.get("Actions") or []))
            rule_rows.append({"priority": r.get("Priority"), "conditions": describe_conditions(r.get("Conditions")),
                              "action": describe_actions(r.get("Actions"))})
        proto = li.get("Protocol")
        tls = proto in TLS_PROTOCOLS
        out.node(arn, "elbv2:listener", f"{proto}:{li.get('Port')}", port=li.get("Port"), protocol=proto,
                 ssl_policy=li.get("SslPolicy") if tls else None, certificate_arns=certs,
                 default_action=describe_actions(actions), redirect_to_https=redirects_to_https(actions),
                 lb_arn=lb, rules=sorted(rule_rows, key=lambda x: _prio(x["priority"])),
                 target_group_arns=sorted(tgs), alpn_policy=li.get("AlpnPolicy") or None)
        out.edge(lb, arn, "listens_on")
        for c in certs:
            out.edge(arn, c, "uses_certificate")
        for tg in sorted(tgs):
            out.edge(arn, tg, "targets")
    return out


def action_target_groups_all(actions: list[dict[str, Any]]) -> list[str]:
    return sorted({tg for a in actions for tg in action_target_groups(a)})


def _prio(p: Any) -> int:
    try:
        return int(p)
    except (TypeError, ValueError):
        return 1_000_000


def _attr_map(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {a["Key"]: a.get("Value", "") for a in items or [] if a.get("Key")}


def _tag_reads(ctx: ScanContext, service: str, names: list[str]) -> list[Read[dict[str, Any] | None]]:
    """DescribeTags in batches of 20 (LB or target group ARNs for elbv2, LB names for elb)."""
    key = "ResourceArns" if service == "elbv2" else "LoadBalancerNames"
    return [lambda sub, batch=batch: ctx.optional(sub, service, "describe_tags", **{key: batch})
            for batch in chunks(names, TAG_BATCH)]


def _tags_from(answers: list[dict[str, Any] | None], key: str = "ResourceArn") -> dict[str, dict[str, str]]:
    return {d[key]: tags_of(d) for resp in answers for d in (resp or {}).get("TagDescriptions") or []
            if d.get(key)}


@collector("elbv2.load_balancers", "elbv2",
           reads="elasticloadbalancing:DescribeLoadBalancers, DescribeLoadBalancerAttributes, "
                 "DescribeListeners, DescribeListenerCertificates, DescribeRules, DescribeTags")
def collect_load_balancers(ctx: ScanContext) -> Records:
    """Load balancers with their attributes, listeners, rules, certificates and tags.

    The per-load-balancer reads (attributes, listeners) wait together in the ELBv2 lane, then
    the per-listener ones (rules, SNI certificates) with the tags (scanner/collectors/_fanout.py);
    the gaps are added in the order a sequential run meets them, so the records do not depend
    on how wide the lane was."""
    lbs = list(ctx.paginate("elbv2", "describe_load_balancers", "LoadBalancers"))
    out = ctx.records()
    named = [lb for lb in lbs if lb.get("LoadBalancerArn")]  # the transform says which it did not understand
    first = kept(ctx, [read for lb in named for read in (
        lambda sub, arn=lb["LoadBalancerArn"]: ctx.optional(sub, "elbv2", "describe_load_balancer_attributes",
                                                            resource=arn, LoadBalancerArn=arn),
        lambda sub, arn=lb["LoadBalancerArn"]: optional_pages(ctx, sub, "elbv2", "describe_listeners",
                                                              "Listeners", resource=arn, LoadBalancerArn=arn))])
    details: list[Read[list[Any]]] = []
    for i, lb in enumerate(named):
        details += [read for li in first[2 * i + 1][0] if li.get("ListenerArn")
                    for read in _listener_reads(ctx, lb, li)]
    arns = [lb["LoadBalancerArn"] for lb in named]
    tag_reads = _tag_reads(ctx, "elbv2", arns)
    second = kept(ctx, [*details, *tag_reads])
    attributes: dict[str, dict[str, str]] = {}
    listeners: list[dict[str, Any]] = []
    rules: dict[str, list[dict[str, Any]]] = {}
    certs: dict[str, list[str]] = {}
    later = iter(second)
    for i, lb in enumerate(named):
        (attrs, attrs_gaps), (lis, lis_gaps) = first[2 * i], first[2 * i + 1]
        out.extend(attrs_gaps).extend(lis_gaps)
        if attrs is not None:
            attributes[lb["LoadBalancerArn"]] = _attr_map(attrs.get("Attributes"))
        listeners += lis
        for li in lis:
            if not li.get("ListenerArn"):
                continue
            arn = li["ListenerArn"]
            if _has_rules(lb):
                rules[arn] = merged(out, [next(later)])[0]
            if _has_sni(li):
                certs[arn] = [c["CertificateArn"] for c in merged(out, [next(later)])[0] if c.get("CertificateArn")]
    tags = _tags_from(merged(out, list(later)))
    out.extend(transform_load_balancers(ctx, lbs, attributes, tags))
    return out.extend(transform_listeners(ctx, listeners, rules, certs))


def _has_rules(lb: dict[str, Any]) -> bool:
    return lb.get("Type") == "application"  # NLB/GWLB listeners have no rules


def _has_sni(li: dict[str, Any]) -> bool:
    return li.get("Protocol") in TLS_PROTOCOLS  # only TLS listeners have (SNI) certificates


def _listener_reads(ctx: ScanContext, lb: dict[str, Any], li: dict[str, Any]) -> list[Read[list[Any]]]:
    """The reads of one listener: its rules (ALB only) and SNI certificates (TLS listeners), in that order."""
    arn = li["ListenerArn"]
    reads: list[Read[list[Any]]] = []
    if _has_rules(lb):
        reads.append(lambda sub: optional_pages(ctx, sub, "elbv2", "describe_rules", "Rules", resource=arn,
                                                ListenerArn=arn))
    if _has_sni(li):
        reads.append(lambda sub: optional_pages(ctx, sub, "elbv2", "describe_listener_certificates",
                                                "Certificates", resource=arn, ListenerArn=arn))
    return reads


# -- ELBv2 target groups -------------------------------------------------------------------------
def health_check(tg: dict[str, Any]) -> dict[str, Any]:
    matcher = tg.get("Matcher") or {}
    return {"enabled": tg.get("HealthCheckEnabled"), "protocol": tg.get("HealthCheckProtocol"),
            "port": tg.get("HealthCheckPort"), "path": tg.get("HealthCheckPath"),
            "interval": tg.get("HealthCheckIntervalSeconds"), "timeout": tg.get("HealthCheckTimeoutSeconds"),
            "healthy_threshold": tg.get("HealthyThresholdCount"),
            "unhealthy_threshold": tg.get("UnhealthyThresholdCount"),
            "matcher": matcher.get("HttpCode") or matcher.get("GrpcCode")}


def target_node_id(ctx: ScanContext, target_type: str | None, target_id: str) -> str | None:
    """Graph id of a registered target; IP targets have no node (kept in the ``targets`` prop)."""
    if target_type == "instance" or target_id.startswith("i-"):
        return ctx.ec2_arn("instance", target_id)
    if target_id.startswith("arn:"):
        return target_id  # lambda function or ALB
    return None


def transform_target_groups(ctx: ScanContext, groups: list[dict[str, Any]],
                            health: dict[str, list[dict[str, Any]] | None],
                            tags: dict[str, dict[str, str]]) -> Records:
    """Target groups; ``health`` maps TG ARN to DescribeTargetHealth items (None: not readable)."""
    out = ctx.records()
    for tg in groups:
        arn = ident(out, tg, "TargetGroupArn", "elbv2", "elasticloadbalancing:DescribeTargetGroups", "a target group")
        if not arn:
            continue
        ttype = tg.get("TargetType")
        seen = health.get(arn)
        targets = [{"id": (d.get("Target") or {}).get("Id"), "port": (d.get("Target") or {}).get("Port"),
                    "az": (d.get("Target") or {}).get("AvailabilityZone"),
                    "health": (d.get("TargetHealth") or {}).get("State"),
                    "reason": (d.get("TargetHealth") or {}).get("Reason")} for d in seen or []]
        out.node(arn, "elbv2:target-group", tg.get("TargetGroupName"), tags=tags.get(arn, {}),
                 name=tg.get("TargetGroupName"), protocol=tg.get("Protocol"), port=tg.get("Port"),
                 target_type=ttype, vpc_id=tg.get("VpcId"), health_check=health_check(tg),
                 targets=None if seen is None else targets,
                 healthy_count=None if seen is None else sum(t["health"] == "healthy" for t in targets),
                 lb_arns=sorted(tg.get("LoadBalancerArns") or []), protocol_version=tg.get("ProtocolVersion"))
        for t in targets:
            out.edge(arn, target_node_id(ctx, ttype, str(t["id"] or "")), "targets", port=t["port"])
    return out


@collector("elbv2.target_groups", "elbv2",
           reads="elasticloadbalancing:DescribeTargetGroups, DescribeTargetHealth, DescribeTags")
def collect_target_groups(ctx: ScanContext) -> Records:
    """Target groups with the health of their targets and their tags, the per-group reads
    waiting together in the ELBv2 lane (scanner/collectors/_fanout.py)."""
    groups = list(ctx.paginate("elbv2", "describe_target_groups", "TargetGroups"))
    out = ctx.records()
    arns = [tg["TargetGroupArn"] for tg in groups if tg.get("TargetGroupArn")]
    answers = gather(ctx, out, [
        *[lambda sub, arn=arn: ctx.optional(sub, "elbv2", "describe_target_health", resource=arn,
                                            TargetGroupArn=arn) for arn in arns],
        *_tag_reads(ctx, "elbv2", arns)])
    health: dict[str, list[dict[str, Any]] | None] = {
        arn: None if resp is None else resp.get("TargetHealthDescriptions") or []
        for arn, resp in zip(arns, answers, strict=False)}
    return out.extend(transform_target_groups(ctx, groups, health, _tags_from(answers[len(arns):])))


# -- classic ELB -------------------------------------------------------------------------------------
def classic_arn(ctx: ScanContext, name: str) -> str:
    return ctx.arn("elasticloadbalancing", f"loadbalancer/{name}")


def classic_listeners(lb: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for d in lb.get("ListenerDescriptions") or []:
        li = d.get("Listener") or {}
        rows.append({"protocol": li.get("Protocol"), "port": li.get("LoadBalancerPort"),
                     "instance_protocol": li.get("InstanceProtocol"), "instance_port": li.get("InstancePort"),
                     "certificate_arn": li.get("SSLCertificateId"), "policies": d.get("PolicyNames") or []})
    return rows


def transform_classic(ctx: ScanContext, lbs: list[dict[str, Any]], attributes: dict[str, dict[str, Any]],
                      health: dict[str, list[dict[str, Any]]], tags: dict[str, dict[str, str]]) -> Records:
    """Classic ELBs; ``attributes``/``health``/``tags`` are keyed by LB name (absent: not read)."""
    out = ctx.records()
    for lb in lbs:
        name = ident(out, lb, "LoadBalancerName", "elb", "elasticloadbalancing:DescribeLoadBalancers",
                     "a classic load balancer")
        if not name:
            continue
        arn = classic_arn(ctx, name)
        attrs = attributes.get(name) or {}
        logs = attrs.get("AccessLog") or {}
        listeners = classic_listeners(lb)
        hc = lb.get("HealthCheck") or {}
        states = health.get(name)
        out.node(arn, "elb:load-balancer", name, tags=tags.get(name, {}), name=name, scheme=lb.get("Scheme"),
                 dns_name=lb.get("DNSName"), vpc_id=lb.get("VPCId"), subnet_ids=sorted(lb.get("Subnets") or []),
                 azs=sorted(lb.get("AvailabilityZones") or []),
                 security_group_ids=sorted(lb.get("SecurityGroups") or []), listeners=listeners,
                 instance_ids=sorted(i["InstanceId"] for i in lb.get("Instances") or [] if i.get("InstanceId")),
                 cross_zone=(attrs.get("CrossZoneLoadBalancing") or {}).get("Enabled") if attrs else None,
                 access_logs={"enabled": flag(logs.get("Enabled")), "bucket": logs.get("S3BucketName"),
                              "prefix": logs.get("S3BucketPrefix")} if attrs else None,
                 connection_draining=(attrs.get("ConnectionDraining") or {}).get("Enabled") if attrs else None,
                 health_check={"target": hc.get("Target"), "interval": hc.get("Interval"),
                               "timeout": hc.get("Timeout"), "healthy_threshold": hc.get("HealthyThreshold"),
                               "unhealthy_threshold": hc.get("UnhealthyThreshold")},
                 healthy_count=None if states is None else sum(s.get("State") == "InService" for s in states),
                 created=iso(lb.get("CreatedTime")))
        out.edge(ctx.region_node, arn, "contains")
        for s in lb.get("Subnets") or []:
            out.edge(arn, ctx.ec2_arn("subnet", s), "in_subnet")
        for sg in lb.get("SecurityGroups") or []:
            out.edge(arn, ctx.ec2_arn("security-group", sg), "protected_by")
        for i in lb.get("Instances") or []:
            if i.get("InstanceId"):
                out.edge(arn, ctx.ec2_arn("instance", i["InstanceId"]), "targets")
        for li in listeners:
            if li["certificate_arn"]:
                out.edge(arn, li["certificate_arn"], "uses_certificate")
        if logs.get("Enabled") and logs.get("S3BucketName"):
            out.edge(arn, f"arn:{ctx.partition}:s3:::{logs['S3BucketName']}", "logs_to")
    return out


@collector("elb.load_balancers", "elb",
           reads="elasticloadbalancing:DescribeLoadBalancers, DescribeLoadBalancerAttributes, "
                 "DescribeInstanceHealth, DescribeTags")
def collect_classic(ctx: ScanContext) -> Records:
    """Classic ELBs with their attributes, instance health and tags, the per-LB reads waiting
    together in the ELB lane (scanner/collectors/_fanout.py)."""
    lbs = list(ctx.paginate("elb", "describe_load_balancers", "LoadBalancerDescriptions"))
    out = ctx.records()
    reads: list[tuple[str, str, Read[dict[str, Any] | None]]] = []
    for lb in lbs:
        name = lb.get("LoadBalancerName")
        if not name:
            continue
        reads.append(("attributes", name, lambda sub, name=name: ctx.optional(
            sub, "elb", "describe_load_balancer_attributes", resource=name, LoadBalancerName=name)))
        if lb.get("Instances"):
            reads.append(("health", name, lambda sub, name=name: ctx.optional(
                sub, "elb", "describe_instance_health", resource=name, LoadBalancerName=name)))
    names = [lb["LoadBalancerName"] for lb in lbs if lb.get("LoadBalancerName")]
    answers = gather(ctx, out, [read for _, _, read in reads] + _tag_reads(ctx, "elb", names))
    attributes: dict[str, dict[str, Any]] = {}
    health: dict[str, list[dict[str, Any]]] = {}
    for (what, name, _), resp in zip(reads, answers, strict=False):
        if resp is None:
            continue
        if what == "attributes":
            attributes[name] = resp.get("LoadBalancerAttributes") or {}
        else:
            health[name] = resp.get("InstanceStates") or []
    tags = _tags_from(answers[len(reads):], "LoadBalancerName")
    return out.extend(transform_classic(ctx, lbs, attributes, health, tags))

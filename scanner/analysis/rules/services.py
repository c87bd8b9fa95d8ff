"""Rules for containers, messaging, secrets, certificates and the edge (CloudFront, WAF, LB logs)."""

from __future__ import annotations

from collections.abc import Iterator

from scanner import naming
from scanner.analysis.exposure import as_strs
from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import count_of, judged_each
from scanner.judge.access import HTTP_API_ROUTE_READS, lambda_routes, unauthorized

CERT_WARN_DAYS = 30
OLD_CLOUDFRONT_TLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1 (default certificate)")


@rule("SVC-001", "EKS API endpoint open to the whole internet", severity="high", section="3.2",
      category="security", needs=("eks:DescribeCluster",),
      remediation="Turn on the private endpoint and either turn off public access or restrict "
                  "publicAccessCidrs to the addresses of your administrators and CI.")
def eks_public_endpoint(ctx: RuleContext) -> Iterator[Hit]:
    for c in ctx.nodes("eks:cluster"):
        p = c["props"]
        cidrs = as_strs(p.get("public_cidrs"))
        if p.get("endpoint_public") and (not cidrs or "0.0.0.0/0" in cidrs):
            yield Hit([c["id"]], [f"cluster {naming.node_label(c)} endpointPublicAccess=true from "
                                  f"{', '.join(cidrs) or '0.0.0.0/0'}"])


@rule("SVC-002", "EKS secrets not encrypted with a KMS key", severity="medium", section="5.3",
      category="security", needs=("eks:DescribeCluster",),
      remediation="Enable envelope encryption of Kubernetes secrets with a KMS key "
                  "(associate-encryption-config).")
def eks_secrets(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("eks:cluster"), "encrypted", "no",
                           lambda c: f"cluster {naming.node_label(c)} has no encryptionConfig for secrets")


@rule("SVC-003", "ECR repository does not scan images on push", severity="low", section="7.2",
      category="security", needs=("ecr:DescribeRepositories",),
      remediation="Enable scan on push (or registry-level enhanced scanning with Inspector) so vulnerable "
                  "images are reported before they are deployed.")
def ecr_scan(ctx: RuleContext) -> Iterator[Hit]:
    for r in ctx.nodes("ecr:repository"):
        if r["props"].get("scan_on_push") is False:
            yield Hit([r["id"]], [f"repository {naming.node_label(r)} scanOnPush=false"])


def _public_policy_rule(rid: str, kind: str, what: str, action: str) -> None:
    """Register the "resource policy allows anyone" rule for one resource kind."""

    @rule(rid, f"{what} policy allows any principal", severity="high", section="5.1", category="security",
          needs=(action,),
          remediation="Replace Principal \"*\" with the accounts or services that need access, or add "
                      "aws:SourceArn / aws:PrincipalOrgID conditions.")
    def check(ctx: RuleContext) -> Iterator[Hit]:
        for n in ctx.nodes(kind):
            if n["props"].get("policy_public"):
                yield Hit([n["id"]], [f"{what} {naming.node_label(n)} policy grants access to Principal * "
                                      "without a restricting condition"])

    check.__qualname__ = f"public_policy_{rid}"


_public_policy_rule("SVC-004", "sqs:queue", "SQS queue", "sqs:GetQueueAttributes")
_public_policy_rule("SVC-012", "sns:topic", "SNS topic", "sns:GetTopicAttributes")
_public_policy_rule("SVC-013", "ecr:repository", "ECR repository", "ecr:GetRepositoryPolicy")


@rule("SVC-005", "SQS queue not encrypted", severity="low", section="5.3", category="security",
      needs=("sqs:GetQueueAttributes",),
      remediation="Enable server-side encryption (SqsManagedSseEnabled, or a KMS key for audit and "
                  "revocation) with set-queue-attributes.")
def sqs_sse(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("sqs:queue"), "encrypted", "no",
                           lambda q: f"queue {naming.node_label(q)} has no server-side encryption")


@rule("SVC-006", "Secret without automatic rotation", severity="medium", section="5.3", category="security",
      needs=("secretsmanager:ListSecrets",),
      remediation="Configure rotation (rotate-secret with a rotation function, or managed rotation for "
                  "RDS credentials) at an interval your policy sets, e.g. 30-90 days.")
def secret_rotation(ctx: RuleContext) -> Iterator[Hit]:
    for s in ctx.nodes("secretsmanager:secret"):
        p = s["props"]
        # "rds!" secrets belong to RDS (ManageMasterUserPassword), which rotates them itself
        if p.get("rotation_enabled") is False and not p.get("deleted") and \
                not str(p.get("name") or "").startswith("rds!"):
            yield Hit([s["id"]], [f"secret {naming.node_label(s)} RotationEnabled=false (last changed "
                                  f"{p.get('last_changed') or 'unknown'})"])


@rule("SVC-007", "Certificate expired or expiring within 30 days", severity="high", section="5.3",
      category="operations", needs=("acm:DescribeCertificate",),
      remediation="Renew or re-issue the certificate (for DNS-validated ACM certificates, make sure the "
                  "validation CNAME still exists so managed renewal succeeds) and replace it where used.")
def cert_expiry(ctx: RuleContext) -> Iterator[Hit]:
    for c in ctx.nodes("acm:certificate"):
        p = c["props"]
        days = p.get("days_to_expiry")
        if isinstance(days, int | float) and days <= CERT_WARN_DAYS and p.get("status") in (None, "ISSUED", "EXPIRED"):
            state = "expired" if days < 0 else f"expires in {count_of(int(days), 'day')}"
            used = (f", in use by {count_of(len(p.get('in_use_by') or []), 'resource')}" if p.get("in_use")
                    else ", not in use" if p.get("in_use") is False else "")
            yield Hit([c["id"]], [f"certificate {p.get('domain') or naming.node_label(c)} {state} ({p.get('not_after')}){used}"])


@rule("SVC-008", "CloudFront distribution allows plain HTTP or old TLS", severity="medium", section="5.3",
      category="security", needs=("cloudfront:ListDistributions",),
      remediation="Set every cache behaviour's viewer protocol policy to redirect-to-https (or https-only) "
                  "and use a custom certificate with minimum protocol TLSv1.2_2021.")
def cloudfront_tls(ctx: RuleContext) -> Iterator[Hit]:
    for d in ctx.nodes("cloudfront:distribution"):
        p = d["props"]
        ev = []
        policies = p.get("viewer_protocol_policies") or [p.get("viewer_protocol_policy")]
        if "allow-all" in policies:
            ev.append(f"distribution {naming.node_label(d)} viewer protocol policy allow-all (HTTP accepted)")
        if p.get("min_tls") in OLD_CLOUDFRONT_TLS:
            ev.append(f"distribution {naming.node_label(d)} minimum viewer TLS {p.get('min_tls')}")
        if ev:
            yield Hit([d["id"]], ev)


@rule("SVC-009", "Internet-facing web entry point without a WAF web ACL", severity="low", section="5.2",
      category="security", needs=("wafv2:ListWebACLs", "wafv2:ListResourcesForWebACL",
                                  "elasticloadbalancing:DescribeLoadBalancers"),
      remediation="Associate an AWS WAF web ACL (AWS managed rule groups for common exploits and bad "
                  "inputs, plus rate limiting) with the internet-facing ALB or CloudFront distribution.")
def no_waf(ctx: RuleContext) -> Iterator[Hit]:
    wafs = ctx.nodes("wafv2:web-acl")
    protected = {a for w in wafs for a in as_strs(w["props"].get("associated_arns"))}
    protected |= {n["id"] for w in wafs for n in ctx.inv.out(w["id"], "associated_with")}
    # a web ACL whose associations could not be read may protect any ALB of its region
    unknown = {w.get("region") for w in wafs if w["props"].get("associated_arns") is None}
    for lb in ctx.nodes("elbv2:load-balancer"):
        p = lb["props"]
        if lb.get("region") in unknown:
            continue
        if p.get("type") == "application" and p.get("scheme") == "internet-facing" and lb["id"] not in protected:
            yield Hit([lb["id"]], [f"internet-facing ALB {naming.node_label(lb)} has no WAF web ACL"])
    for d in ctx.nodes("cloudfront:distribution"):
        if d["props"].get("enabled") is not False and not d["props"].get("web_acl") and d["id"] not in protected:
            yield Hit([d["id"]], [f"distribution {naming.node_label(d)} has no WAF web ACL"])


@rule("SVC-010", "Load balancer access logs are off", severity="low", section="12.2", category="operations",
      needs=("elasticloadbalancing:DescribeLoadBalancerAttributes",),
      remediation="Enable access logs to an S3 bucket (access_logs.s3.enabled) so requests can be "
                  "investigated after an incident.")
def lb_access_logs(ctx: RuleContext) -> Iterator[Hit]:
    for lb in ctx.nodes("elbv2:load-balancer"):
        logs = lb["props"].get("access_logs")
        if isinstance(logs, dict) and logs.get("enabled") is False:
            yield Hit([lb["id"]], [f"{naming.node_label(lb)} access_logs.s3.enabled=false"])


@rule("SVC-011", "ECS task definition runs a privileged container", severity="high", section="3.2",
      category="security", needs=("ecs:DescribeTaskDefinition",),
      remediation="Remove privileged: true from the container definition; grant only the Linux "
                  "capabilities the container needs.")
def ecs_privileged(ctx: RuleContext) -> Iterator[Hit]:
    for t in ctx.nodes("ecs:task-definition"):
        if t["props"].get("privileged"):
            yield Hit([t["id"]], [f"task definition {naming.node_label(t)} has a privileged container"])


def _registrants(ctx: RuleContext, tg: dict) -> list[str]:
    """Who puts targets into a target group: ECS services and Auto Scaling groups naming it."""
    out = []
    for kind, word in (("ecs:service", "ECS service"), ("autoscaling:group", "Auto Scaling group")):
        for n in ctx.nodes(kind):
            if tg["id"] in as_strs(n["props"].get("target_group_arns")):
                out.append(f"{word} {naming.node_label(n)}")
    return out


@rule("SVC-014", "Target group receives no traffic: no listener or rule forwards to it", severity="low",
      section="8.3", category="operations", needs=("elasticloadbalancing:DescribeTargetGroups",),
      remediation="Add a listener rule (or default action) that forwards to the target group, or point the "
                  "service or Auto Scaling group that registers into it at the target group its load "
                  "balancer actually uses; delete the target group if it is left over.")
def orphan_target_group(ctx: RuleContext) -> Iterator[Hit]:
    for tg in ctx.nodes("elbv2:target-group"):
        p = tg["props"]
        who = _registrants(ctx, tg)
        targets = p.get("targets")
        regs = (f"; registered into by {', '.join(who)}" if who else "") + (
            f"; {count_of(len(targets), 'target')} registered" if isinstance(targets, list) else "")
        hit = ctx.judged(tg, "forwarded_to", "no",
                         f"target group {naming.node_label(tg)} ({p.get('protocol')}:{p.get('port')}) is the "
                         f"target of no listener or listener rule{regs}")
        if hit:
            yield hit


@rule("SVC-015", "HTTP API route invokes a Lambda function without authorization", severity="medium",
      section="3.3", category="security", needs=("apigateway:GetApis", *HTTP_API_ROUTE_READS),
      remediation="Attach an authorizer to the route (JWT from your identity provider, IAM, or a Lambda "
                  "authorizer) with update-route --authorization-type; if the route must be public, say so "
                  "in the design, throttle it and validate input in the function.")
def open_lambda_route(ctx: RuleContext) -> Iterator[Hit]:
    for api in ctx.nodes("apigateway:http-api"):
        pairs = [(r, fn) for r, fn in lambda_routes(api) or [] if unauthorized(r)]
        functions = list(dict.fromkeys(fn for _, fn in pairs))
        ev = [f"HTTP API {naming.node_label(api)} route {r.get('key')} authorization {r.get('auth') or 'NONE'} "
              f"invokes {naming.label(ctx.inv, fn) if ctx.inv.node(fn) else fn.rsplit(':', 1)[-1]}"
              for r, fn in pairs]
        hit = ctx.judged(api, "lambda_routes_authorized", "no", ev,
                         resources=[api["id"], *[f for f in functions if ctx.inv.node(f)]])
        if hit:
            yield hit


@rule("SVC-016", "SNS topic not encrypted at rest", severity="low", section="5.3", category="security",
      needs=("sns:GetTopicAttributes",),
      remediation="Enable server-side encryption with a KMS key (set-topic-attributes KmsMasterKeyId, the AWS "
                  "managed alias/aws/sns or a customer key whose policy lets the publishing services use it).")
def sns_unencrypted(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_each(ctx, ctx.nodes("sns:topic"), "encrypted", "no",
                           lambda t: f"topic {naming.node_label(t)} has no KmsMasterKeyId")

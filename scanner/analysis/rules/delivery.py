"""Delivery and edge rules: listeners without TLS, old TLS policies, CodeBuild, CloudFormation."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner import naming
from scanner.analysis.exposure import as_strs
from scanner.analysis.findings import Hit, RuleContext, rule

LISTENERS = ("elasticloadbalancing:DescribeListeners",)
BUILDS = ("codebuild:BatchGetProjects",)
SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)", re.I)


def _lb_of(ctx: RuleContext, listener: dict) -> dict | None:
    for lb in ctx.inv.into(listener["id"], "listens_on"):
        return lb
    arn = listener["props"].get("lb_arn")
    return ctx.inv.node(arn) if isinstance(arn, str) and arn else None


@rule("DEL-001", "Load balancer HTTP listener does not redirect to HTTPS", severity="medium", section="5.3",
      category="security", needs=LISTENERS,
      remediation="Change the port 80 listener's default action to a redirect to HTTPS (port 443, "
                  "HTTP_301) and serve the application only on the HTTPS listener.")
def http_listener(ctx: RuleContext) -> Iterator[Hit]:
    for li in ctx.nodes("elbv2:listener"):
        p = li["props"]
        if str(p.get("protocol") or "").upper() == "HTTP" and p.get("redirect_to_https") is False:
            lb = _lb_of(ctx, li)
            where = f" on {naming.node_label(lb)}" if lb else ""
            yield Hit([li["id"], *([lb["id"]] if lb else [])],
                      [f"listener HTTP:{p.get('port')}{where} default action {p.get('default_action')}, "
                       "no redirect to HTTPS"])


@rule("DEL-002", "Load balancer listener allows TLS 1.0/1.1 (old security policy)", severity="medium",
      section="5.3", category="security", needs=LISTENERS,
      remediation="Switch the listener to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy).")
def old_tls(ctx: RuleContext) -> Iterator[Hit]:
    for li in ctx.nodes("elbv2:listener"):
        pol = str(li["props"].get("ssl_policy") or "")
        if pol and not re.search(r"TLS13|TLS-1-2|TLS-1-3", pol, re.I):
            lb = _lb_of(ctx, li)
            yield Hit([li["id"], *([lb["id"]] if lb else [])],
                      [f"listener {li['props'].get('protocol')}:{li['props'].get('port')} uses {pol}, which "
                       "accepts TLS 1.0/1.1"])


@rule("DEL-003", "CodeBuild project runs in privileged mode", severity="medium", section="7.2",
      category="security", needs=BUILDS,
      remediation="Turn off privileged mode unless the build must run Docker; if it must, keep the "
                  "project's role minimal and build only trusted sources.")
def codebuild_privileged(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("codebuild:project"):
        if b["props"].get("privileged"):
            yield Hit([b["id"]], [f"project {naming.node_label(b)} privilegedMode=true (root access to the Docker daemon)"])


@rule("DEL-004", "CodeBuild plaintext environment variable looks like a secret", severity="high",
      section="7.2", category="security", needs=BUILDS,
      remediation="Move the value to Secrets Manager or SSM Parameter Store (SecureString) and reference "
                  "it with type SECRETS_MANAGER / PARAMETER_STORE; rotate the exposed secret.")
def codebuild_plaintext_secret(ctx: RuleContext) -> Iterator[Hit]:
    for b in ctx.nodes("codebuild:project"):
        names = [n for n in as_strs(b["props"].get("plaintext_env_names")) if SECRET_NAME.search(n)]
        if names:
            yield Hit([b["id"]], [f"project {naming.node_label(b)} plaintext {_variables(names)} (value not read)"])


@rule("DEL-005", "CloudFormation stack without termination protection", severity="low", section="7.3",
      category="resilience", needs=("cloudformation:DescribeStacks",),
      remediation="Enable termination protection on long-lived stacks "
                  "(update-termination-protection --enable-termination-protection).")
def stack_termination(ctx: RuleContext) -> Iterator[Hit]:
    for s in ctx.nodes("cloudformation:stack"):
        if s["props"].get("termination_protection") is False and \
                not str(s["props"].get("status") or "").startswith("DELETE"):
            yield Hit([s["id"]], [f"stack {naming.node_label(s)} EnableTerminationProtection=false"])


@rule("DEL-006", "CodeDeploy deployment group without automatic rollback", severity="low", section="7.4",
      category="operations", needs=("codedeploy:BatchGetDeploymentGroups",),
      remediation="Enable automatic rollback on deployment failure (and on alarm) for the deployment group.")
def codedeploy_rollback(ctx: RuleContext) -> Iterator[Hit]:
    for g in ctx.nodes("codedeploy:deployment-group"):
        if g["props"].get("auto_rollback") is False:
            yield Hit([g["id"]], [f"deployment group {naming.node_label(g)} autoRollbackConfiguration disabled"])


@rule("DEL-007", "Lambda environment variable holds what looks like a plaintext secret", severity="high",
      section="3.3", category="security", needs=("lambda:ListFunctions",),
      remediation="Store the value in Secrets Manager or SSM Parameter Store (SecureString), read it at "
                  "start-up (or via the Parameters and Secrets extension), and rotate the exposed secret.")
def lambda_plaintext_secret(ctx: RuleContext) -> Iterator[Hit]:
    for f in ctx.nodes("lambda:function"):
        names = as_strs(f["props"].get("plaintext_secret_names"))
        if names:
            yield Hit([f["id"]], [f"function {naming.node_label(f)} {_variables(names, 'look')} secret "
                                  "(judged during the scan; the value was not kept)"])


@rule("DEL-008", "ECS task definition environment holds what looks like a plaintext secret", severity="high",
      section="3.2", category="security", needs=("ecs:DescribeTaskDefinition",),
      remediation="Move the value to the container definition's `secrets` (Secrets Manager or SSM "
                  "Parameter Store) so it is injected at start, and rotate the exposed secret.")
def ecs_plaintext_secret(ctx: RuleContext) -> Iterator[Hit]:
    for t in ctx.nodes("ecs:task-definition"):
        names = as_strs(t["props"].get("plaintext_secret_names"))
        if names:
            yield Hit([t["id"]], [f"task definition {naming.node_label(t)} {_variables(names, 'look')} secret "
                                  "(judged during the scan; the value was not kept)"])


def _variables(names: list[str], verb: str = "") -> str:
    """"variable A looks" / "variables A, B look" (names only; values are never read)."""
    one = len(names) == 1
    verb = (verb + "s" if one else verb) if verb else ""
    return " ".join(w for w in ("variable" if one else "variables", ", ".join(names), verb) if w)

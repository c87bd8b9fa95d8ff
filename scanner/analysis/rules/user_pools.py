"""Cognito rules: user pools without MFA, identity pools open to guests (section 5.1).

Judged through the stored facts (scanner/judge/streams.py): an unread setting is "not
assessed" with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.analysis.findings import Hit, RuleContext, rule
from scanner.analysis.rules._util import judged_kind


@rule("IAM-101", "Cognito user pool without MFA", severity="medium", section="5.1", category="security",
      needs=("cognito-idp:DescribeUserPool",),
      remediation="Set MFA to required (set-user-pool-mfa-config --mfa-configuration ON with TOTP software "
                  "tokens, or OPTIONAL while users enrol) and consider threat protection (advanced security) "
                  "to challenge risky sign-ins.")
def user_pool_no_mfa(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_kind(ctx, "cognito:user-pool", "mfa", "no", "user pool")


@rule("IAM-102", "Cognito identity pool allows unauthenticated identities", severity="medium", section="5.1",
      category="security", needs=("cognito-identity:DescribeIdentityPool",),
      remediation="Turn off unauthenticated identities (update-identity-pool --no-allow-unauthenticated-identities) "
                  "unless guests really need AWS access; if they do, give the unauthenticated role only the "
                  "few actions and resources guests need, and use the enhanced (not classic) flow.")
def identity_pool_guests(ctx: RuleContext) -> Iterator[Hit]:
    yield from judged_kind(ctx, "cognito:identity-pool", "unauthenticated", "yes", "identity pool")

"""The read-only guard: a botocore ``before-call`` hook that refuses any write.

It is installed on every session the scanner uses, in production, so a bug in
a collector can never change an account. Reads are Describe*/List*/Get*
plus the explicit allow-list below, each with the reason it is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

READ_PREFIXES = ("Describe", "List", "Get")

#: operations that are not named like reads but change nothing in the account.
ALLOWED_OPERATIONS: dict[str, str] = {
    "GenerateCredentialReport": "iam: builds the credential report (root/user MFA, key ages); no account change",
    "BatchGetProjects": "codebuild: reads up to 100 build projects per call",
    "BatchGetBuilds": "codebuild: reads each project's latest build (status, time)",
    "BatchGetApplications": "codedeploy: reads applications in batches",
    "BatchGetDeploymentGroups": "codedeploy: reads deployment groups in batches",
    "BatchGetRepositories": "codecommit: reads repository metadata in batches",
    "SearchTransitGatewayRoutes": "ec2: lists a transit gateway route table's routes (the only API that does)",
    "AssumeRole": "sts: used only by the SDK to resolve role_arn profiles, as the AWS CLI does",
    "AssumeRoleWithWebIdentity": "sts: SDK credential resolution for web-identity profiles",
    "AssumeRoleWithSAML": "sts: SDK credential resolution for SAML profiles",
}

#: named like reads but return secret material: never called by the scanner.
DENIED_READS = frozenset({
    "GetSecretValue", "BatchGetSecretValue", "GetParameter", "GetParameters",
    "GetParametersByPath", "GetPasswordData", "GetConsoleOutput", "GetConsoleScreenshot",
    "GetObject", "GetAuthorizationToken", "GetSessionToken", "GetFederationToken",
    "GetLoginProfile", "GetQueryResults", "GetRecords", "GetItem",
    "GetShardIterator", "GetLaunchTemplateData", "GetDataKey",
})


class WriteRefused(RuntimeError):
    """A collector tried to call an operation that is not a read."""


def is_read(operation: str) -> bool:
    if operation in DENIED_READS:
        return False
    if operation in ALLOWED_OPERATIONS:
        return True
    return operation.startswith(READ_PREFIXES)


def install_guard(events: Any, recorder: Callable[[str, str], None] | None = None) -> None:
    """Register the guard on a botocore event emitter (a session's or a client's).

    ``recorder(service, operation)`` sees every operation allowed through; tests
    use it to prove a whole scan is reads only.
    """

    def _guard(model: Any = None, **_: Any) -> None:
        op = model.name
        service = model.service_model.service_name
        if not is_read(op):
            raise WriteRefused(f"awsscan is read-only: refused {service}:{op}")
        if recorder is not None:
            recorder(service, op)

    events.register("before-call", _guard, unique_id="awsscan-read-only-guard")

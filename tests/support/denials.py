"""Deny single API operations in process, as an IAM policy missing one action would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions as bexc


def deny(*operations: str, code: str = "AccessDenied") -> Callable[[Any], None]:
    """A ``before_scan`` hook for ``scan_account``: each ``"service:Operation"`` (boto3 service name,
    botocore operation name) answers AccessDenied; everything else is read as usual."""

    def install(session: Any) -> None:
        for op in operations:
            service, name = op.split(":", 1)

            def refuse(*_: Any, _name: str = name, **__: Any) -> None:
                raise bexc.ClientError({"Error": {"Code": code, "Message": f"not authorized to perform {_name}"},
                                        "ResponseMetadata": {"HTTPStatusCode": 403}}, _name)

            session.events.register(f"before-call.{service}.{name}", refuse)

    return install

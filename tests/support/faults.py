"""In-process fault injection: a botocore hook that answers a share of requests with a throttling
or 5xx error before they reach moto, so the real retry path of botocore runs without a server."""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


@dataclass
class HookFaults:
    throttle: float = 0.2
    server_error: float = 0.05
    seed: int = 3
    counts: dict[str, int] = field(default_factory=lambda: {"requests": 0, "throttle": 0, "5xx": 0})

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def install(self, session: Any) -> None:
        session.events.register_first("before-send", self._before_send, unique_id="awsscan-test-faults")

    def _before_send(self, request: Any = None, **_: Any) -> AWSResponse | None:
        with self._lock:
            self.counts["requests"] += 1
            x = self._rng.random()
        if x >= self.throttle + self.server_error:
            return None
        kind = "throttle" if x < self.throttle else "5xx"
        with self._lock:
            self.counts[kind] += 1
        ctype = request.headers.get("Content-Type", b"")
        ctype = ctype.decode() if isinstance(ctype, bytes) else str(ctype)
        status = 400 if kind == "throttle" else 503
        if "x-amz-json" in ctype:
            code = "ThrottlingException" if kind == "throttle" else "ServiceUnavailableException"
            body = json.dumps({"__type": code, "message": "injected"}).encode()
            headers = {"Content-Type": ctype}
        elif "x-www-form-urlencoded" in ctype:
            code = "Throttling" if kind == "throttle" else "ServiceUnavailable"
            body = (f"<Response><Errors><Error><Code>{code}</Code><Message>injected</Message></Error></Errors>"
                    f"<RequestID>x</RequestID></Response>").encode()
            headers = {"Content-Type": "text/xml"}
        elif "s3." in request.url or ".s3" in request.url:
            code = "SlowDown" if kind == "throttle" else "ServiceUnavailable"
            body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            status, headers = 503, {"Content-Type": "application/xml"}
        else:
            code = "TooManyRequestsException" if kind == "throttle" else "ServiceUnavailableException"
            status = 429 if kind == "throttle" else 503
            body = json.dumps({"message": "injected"}).encode()
            headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
        return AWSResponse(request.url, status, headers, _Raw(body))

"""Scan lanes: every AWS request is scheduled in the lane of its (service, region).

A fixed pool of workers lets one slow collector (retrying an endpoint that will never
answer) hold a worker while a queue of quick ones waits behind it, and it knows nothing of
AWS's limits, which are per account, per region and per service (often per API). A lane is
one (service, region) pair with

- its own concurrency: at most ``Limit.concurrency`` collector runs of the lane, and as many
  requests in flight (:meth:`Lane.slot`), so a lane that stalls holds only its own threads;
- a token bucket per API (or one for the service) that starts at AWS's documented rate
  (:data:`LIMITS`, :data:`OPERATION_LIMITS`) and adapts: halved on a throttling answer,
  recovering slowly with each answer that is not throttled;
- its own retries (botocore's are turned off for lane clients): throttling and transient
  errors back off and are retried, answers that will not change (an HTML error page, HTTP
  501, "not implemented", an unknown operation) are given up at once, so the error reaches
  the one place that turns errors into gaps (``scanner.context.guarded`` for a read,
  ``scanner.runner.run_one`` for a collector run) after one request instead of eight.

``--max-rate`` adds one more bucket shared by every lane: requests per second for the whole
scan. Every request (retries included) takes a token from its API's bucket and from that one.

Lanes keep counters only (requests, throttles, retries, seconds), never a response.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import botocore.exceptions as bexc

#: outcome of one request, as the retry policy sees it
OK, THROTTLED, TRANSIENT, PERMANENT = "ok", "throttled", "transient", "permanent"


@dataclass(frozen=True)
class Limit:
    """A documented request rate: ``rate`` requests a second sustained, ``burst`` at once, and
    how many requests (and collector runs) of the lane may be in flight together."""

    rate: float
    burst: float
    concurrency: int = 4
    per_api: bool = False  # AWS counts each API on its own bucket (EC2) rather than the service's


#: a service without a documented read rate: gentle, yet enough for a 100 ms round trip
DEFAULT_LIMIT = Limit(rate=10, burst=20, concurrency=4)

# Documented read (Describe/List/Get) rates per account and region, as the pages below
# stated them when this table was written. AWS raises some per account on request; a lane that
# is throttled anyway halves its rate, so a table value that is too high costs a few retries.
#   EC2 (per API: bucket 100, refill 20/s for non-mutating actions):
#     https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
#   ECS (token bucket per account and region; cluster and service reads sustained 20, burst 50):
#     https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
#   Lambda (control plane 15/s; GetFunction 100/s; GetPolicy 15/s):
#     https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
#   API Gateway (management API: 10 requests/s, burst 40, per account and region):
#     https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
#   Route 53 (five requests per second per account, all of the API):
#     https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests
#   CloudWatch (DescribeAlarms 9 TPS, GetMetricData 50 TPS, ListMetrics 25 TPS):
#     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
#   CloudTrail (LookupEvents 2 TPS; other read APIs 10 TPS):
#     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
#   KMS (ListKeys, ListAliases, ListGrants, ListResourceTags 100/s; DescribeKey, GetKeyPolicy,
#     GetKeyRotationStatus share higher quotas): https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
#   S3 (3,500 writes and 5,500 reads a second per prefix; bucket configuration reads are cheap):
#     https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html
#   Cost Explorer (billed per request; no published rate, kept low):
#     https://docs.aws.amazon.com/cost-management/latest/userguide/ce-api.html
LIMITS: dict[str, Limit] = {
    "ec2": Limit(rate=20, burst=100, concurrency=8, per_api=True),
    "ecs": Limit(rate=20, burst=50, concurrency=6),
    "lambda": Limit(rate=15, burst=15, concurrency=4),
    "apigateway": Limit(rate=10, burst=40, concurrency=4),
    "apigatewayv2": Limit(rate=10, burst=40, concurrency=4),
    "route53": Limit(rate=5, burst=5, concurrency=2),
    "cloudwatch": Limit(rate=9, burst=9, concurrency=4, per_api=True),
    "cloudtrail": Limit(rate=10, burst=10, concurrency=3, per_api=True),
    "kms": Limit(rate=100, burst=100, concurrency=8),
    "s3": Limit(rate=100, burst=100, concurrency=16),
    "ce": Limit(rate=5, burst=5, concurrency=2),
}

#: APIs whose documented rate differs from their service's (rates per account and region)
OPERATION_LIMITS: dict[tuple[str, str], Limit] = {
    ("cloudwatch", "GetMetricData"): Limit(rate=50, burst=50),
    ("cloudwatch", "ListMetrics"): Limit(rate=25, burst=25),
    ("cloudwatch", "DescribeAlarms"): Limit(rate=9, burst=9),
    ("cloudtrail", "LookupEvents"): Limit(rate=2, burst=2),
    ("lambda", "GetFunction"): Limit(rate=100, burst=100),
}

#: error codes AWS uses for "slow down" (botocore's list for its standard retry mode, plus 429)
THROTTLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
    "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
})
#: error codes of a server that may answer next time
TRANSIENT_CODES = frozenset({
    "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "InternalServerError",
    "InternalServerException", "InternalServiceError", "ServiceUnavailable", "ServiceUnavailableException",
    "Unavailable", "ServerException", "ServiceException", "IDPCommunicationError",
})
#: answers that say the API is not there: asking again gets the same answer
NOT_THERE_CODES = frozenset({
    "UnknownOperationException", "UnknownOperation", "InvalidAction", "NotImplemented",
    "NotImplementedException", "UnsupportedOperation", "UnsupportedOperationException",
})
#: connection-level failures worth another try (a timeout only once more: a hung endpoint stays hung)
TRANSIENT_EXCEPTIONS: tuple[type[Exception], ...] = (
    bexc.ConnectionClosedError, bexc.EndpointConnectionError, bexc.ConnectTimeoutError,
    bexc.ReadTimeoutError, bexc.HTTPClientError, bexc.ConnectionError,
)

MAX_ATTEMPTS = 8            # every attempt of one call, throttled ones included
MAX_TRANSIENT_ATTEMPTS = 5  # attempts that met a server error or a dropped connection
MAX_TIMEOUT_ATTEMPTS = 2    # attempts that timed out reading (a hung endpoint stays hung)
BACKOFF_BASE = 0.25         # seconds; doubled per attempt, full jitter
BACKOFF_CAP = 8.0


class LaneClosed(Exception):
    """The scan stopped (Ctrl-C, expired credentials): a request waiting in a lane is not sent."""


def is_html(message: str, content_type: str = "") -> bool:
    """An HTML page where an AWS answer was expected (a proxy's, a load balancer's, an emulator's)."""
    head = message.lstrip()[:15].lower()
    return "text/html" in content_type.lower() or head.startswith(("<!doctype", "<html"))


def classify(status: int | None, code: str = "", message: str = "", content_type: str = "",
             exception: BaseException | None = None) -> str:
    """How one request ended, for the retry policy: OK, THROTTLED, TRANSIENT or PERMANENT.

    PERMANENT is every answer that asking again cannot change: a client error (denied, not
    found, invalid), and what says the API is not there: HTTP 501, "not implemented", an
    unknown operation, or an HTML error page instead of an AWS answer.
    """
    if exception is not None:
        return TRANSIENT if isinstance(exception, TRANSIENT_EXCEPTIONS) else PERMANENT
    if status is None or status < 300:
        return OK
    low = message.lower()
    if status == 501 or code in NOT_THERE_CODES or "not implemented" in low or "not yet implemented" in low:
        return PERMANENT
    if is_html(message, content_type):
        return PERMANENT
    if code in THROTTLE_CODES or status == 429:
        return THROTTLED
    if code in TRANSIENT_CODES or status in (500, 502, 503, 504):
        return TRANSIENT
    return PERMANENT


def backoff(attempt: int, rng: random.Random) -> float:
    """Seconds before retry number ``attempt`` (1, 2, ...): exponential with full jitter."""
    return rng.random() * min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved; a request takes one.

    :meth:`reserve` takes the token at once, leaving the bucket in debt when it is empty, and
    says how long the caller must wait: waiters are served in arrival order and no lock is held
    while they sleep. ``clock`` is injectable so tests need no real time.
    """

    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("a token bucket needs a positive rate")
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self.tokens = self.burst
        self._clock = clock
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def reserve(self) -> float:
        """Take one token; the seconds to wait before using it (0.0 when there was one)."""
        with self._lock:
            self._refill(self._clock())
            self.tokens -= 1.0
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class AdaptiveBucket(TokenBucket):
    """A token bucket whose rate halves on throttling and recovers slowly (AIMD, as TCP does).

    One throttling answer per token interval counts: the requests already in flight when the
    first came back were sent at the old rate and say nothing new. Each answer that is not
    throttled adds 1/16 of the starting rate back, never above it; the rate never falls
    below 1/32 of it.
    """

    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(rate, burst, clock)
        self.ceiling = self.rate
        self.floor = self.rate / 32
        self.throttles = 0
        self._last_cut = float("-inf")

    def throttled(self) -> None:
        with self._lock:
            now = self._clock()
            self.throttles += 1
            if now - self._last_cut < 1.0 / self.rate:
                return
            self._refill(now)
            self.rate = max(self.floor, self.rate / 2)
            self.tokens = min(self.tokens, 0.0)  # what was saved at the old rate is not ours to spend
            self._last_cut = now

    def succeeded(self) -> None:
        if self.rate >= self.ceiling:
            return
        with self._lock:
            self._refill(self._clock())
            self.rate = min(self.ceiling, self.rate + self.ceiling / 16)


@dataclass
class LaneStats:
    """What a lane did, for the benchmark and ``--verbose`` (never part of the snapshot)."""

    service: str
    region: str
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    gave_up: int = 0
    runs: int = 0
    first: float | None = None
    last: float | None = None

    @property
    def span(self) -> float:
        """Seconds from the lane's first request to its last answer: its share of the critical path."""
        return 0.0 if self.first is None or self.last is None else self.last - self.first

    def as_dict(self) -> dict[str, Any]:
        return {"lane": f"{self.service}@{self.region}", "requests": self.requests, "throttled": self.throttled,
                "retries": self.retries, "gave_up": self.gave_up, "runs": self.runs,
                "span_s": round(self.span, 3)}


class Lane:
    """One (service, region): its buckets, its in-flight slots and its counters."""

    def __init__(self, lanes: Lanes, service: str, region: str, limit: Limit) -> None:
        self.lanes = lanes
        self.service = service
        self.region = region
        self.limit = limit
        self.concurrency = max(1, min(limit.concurrency, lanes.concurrency_cap))
        self._slots = threading.Semaphore(self.concurrency)
        self._buckets: dict[str, AdaptiveBucket] = {}
        self._lock = threading.Lock()
        self.stats = LaneStats(service, region)

    def bucket(self, operation: str) -> AdaptiveBucket:
        """The bucket an API's requests take their tokens from (its own where AWS counts it apart)."""
        own = OPERATION_LIMITS.get((self.service, operation))
        key = operation if own is not None or self.limit.per_api else ""
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                lim = own or self.limit
                b = self._buckets[key] = AdaptiveBucket(lim.rate, lim.burst, self.lanes.clock)
            return b

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """One of the lane's in-flight places, for one call (with its retries) or one page."""
        while not self._slots.acquire(timeout=0.2):
            self.lanes.check_open()
        try:
            yield
        finally:
            self._slots.release()

    # -- botocore hooks (one shared client per lane) --------------------------------------
    def before_send(self, event_name: str = "", **_: Any) -> None:
        """Take the request's tokens (its API's bucket, and --max-rate's), waiting if need be.

        Runs before every attempt, retries included (``before-send.<service>.<Operation>``),
        and is the last word before a request leaves: once the scan stopped, it is not sent."""
        self.lanes.check_open()
        self.lanes.wait(self.bucket(event_name.rsplit(".", 1)[-1] if event_name else "").reserve())
        self.lanes.take_global()
        now = self.lanes.clock()
        with self._lock:
            self.stats.requests += 1
            if self.stats.first is None:
                self.stats.first = now

    def needs_retry(self, response: Any = None, caught_exception: Any = None, attempts: int = 1,
                    operation: Any = None, request_dict: Any = None, **_: Any) -> float | bool:
        """The retry policy; botocore sleeps the number returned (we wait ourselves and return 0).

        ``attempts`` counts every attempt of the call; the call's own context (kept across its
        retries) counts its transient errors and timeouts, so a throttled attempt does not use
        up the retries a dropped connection gets."""
        name = getattr(operation, "name", "") or ""
        status, code, message, ctype = _answer(response)
        outcome = classify(status, code, message, ctype, caught_exception)
        bucket = self.bucket(name)
        with self._lock:
            self.stats.last = self.lanes.clock()
        if outcome == OK:
            bucket.succeeded()
            return False
        if outcome == THROTTLED:
            bucket.throttled()
            with self._lock:
                self.stats.throttled += 1
        else:
            bucket.succeeded()  # an answer that is not "slow down" is no reason to stay slow
        give_up = (outcome == PERMANENT or attempts >= MAX_ATTEMPTS
                   or (outcome == TRANSIENT and self._too_many(caught_exception, request_dict)))
        if give_up:
            if outcome != PERMANENT or status is None or status >= 500:  # not a plain client error
                with self._lock:
                    self.stats.gave_up += 1
            return False
        with self._lock:
            self.stats.retries += 1
        self.lanes.wait(backoff(attempts, self.lanes.rng))
        return 0

    @staticmethod
    def _too_many(exc: Any, request_dict: Any) -> bool:
        """Count one more transient failure of this call; True when it has had its share."""
        ctx = request_dict.get("context") if isinstance(request_dict, dict) else None
        if not isinstance(ctx, dict):
            ctx = {}
        key, limit = (("awsscan_timeouts", MAX_TIMEOUT_ATTEMPTS) if isinstance(exc, bexc.ReadTimeoutError)
                      else ("awsscan_transient", MAX_TRANSIENT_ATTEMPTS))
        ctx[key] = ctx.get(key, 0) + 1
        return ctx[key] >= limit


def _answer(response: Any) -> tuple[int | None, str, str, str]:
    """(HTTP status, error code, message, content type) of a botocore (http_response, parsed) pair."""
    if not response:
        return None, "", "", ""
    http, parsed = response
    status = getattr(http, "status_code", None)
    err = (parsed or {}).get("Error") or {} if isinstance(parsed, dict) else {}
    headers = getattr(http, "headers", None) or {}
    ctype = str(headers.get("Content-Type") or headers.get("content-type") or "")
    message = str(err.get("Message") or "")
    if not message and status and status >= 300:
        raw = getattr(http, "content", b"") or b""
        message = raw[:200].decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)[:200]
    return status, str(err.get("Code") or ""), message, ctype


class Lanes:
    """Every lane of one scan, their shared clients, and the scan-wide ``--max-rate`` bucket.

    ``clock`` and ``sleeper`` are injectable so tests run without real waiting; ``sleeper``
    waits on the scan's stop event by default, so :meth:`close` wakes every waiting request.
    """

    def __init__(self, session: Any = None, *, max_rate: float | None = None, concurrency_cap: int = 64,
                 limits: dict[str, Limit] | None = None, clock: Callable[[], float] = time.monotonic,
                 sleeper: Callable[[float], None] | None = None, seed: int | None = None) -> None:
        self.session = session
        self.limits = LIMITS if limits is None else limits
        self.concurrency_cap = max(1, concurrency_cap)
        self.clock = clock
        self.rng = random.Random(seed)
        self._closed = threading.Event()
        self._sleeper = sleeper
        self._global = TokenBucket(max_rate, max(1.0, max_rate), clock) if max_rate else None
        self.max_rate = max_rate
        self._lanes: dict[tuple[str, str], Lane] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self.stop_check: Callable[[], BaseException | None] | None = None
        self._lock = threading.Lock()

    def lane(self, service: str, region: str) -> Lane:
        key = (service, region)
        with self._lock:
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = Lane(self, service, region, self.limits.get(service, DEFAULT_LIMIT))
            return lane

    def client(self, service: str, region: str) -> Any:
        """The lane's one botocore client (clients are thread-safe; making one costs ~10 ms of CPU,
        so a scan of 17 regions makes one per lane rather than one per collector run)."""
        key = (service, region)
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        from scanner.context import SESSION_LOCK
        from scanner.session import LANE_CONFIG

        lane = self.lane(service, region)
        with SESSION_LOCK:
            with self._lock:
                found = self._clients.get(key)
            if found is not None:
                return found
            c = self.session.client(service, region_name=region, config=LANE_CONFIG)
            # on the service's own event, so it runs before the session-wide before-send handlers
            # (an emulator's or a test's stand-in for the network): a request that must not be
            # sent (the scan stopped, the credentials expired) never reaches them
            sid = c.meta.service_model.service_id.hyphenize()
            c.meta.events.register_first(f"before-send.{sid}", lane.before_send, unique_id="awsscan-lane-send")
            c.meta.events.register_first("needs-retry", lane.needs_retry, unique_id="awsscan-lane-retry")
            with self._lock:
                self._clients[key] = c
        return c

    # -- waiting -------------------------------------------------------------------------
    def wait(self, seconds: float) -> None:
        """Wait ``seconds`` unless the scan stops first (then :class:`LaneClosed`)."""
        if seconds > 0:
            if self._sleeper is not None:
                self._sleeper(seconds)
            elif self._closed.wait(seconds):
                raise LaneClosed("scan stopped")
        self.check_open()

    def take_global(self) -> None:
        if self._global is not None:
            self.wait(self._global.reserve())

    def check_open(self) -> None:
        """Raise when requests must stop: :class:`LaneClosed`, or what ``stop_check`` returns (the
        runner's: the credentials expired, so no further request may be sent)."""
        if self._closed.is_set():
            raise LaneClosed("scan stopped")
        if self.stop_check is not None:
            exc = self.stop_check()
            if exc is not None:
                raise exc

    def close(self) -> None:
        """Stop: every waiting request raises :class:`LaneClosed`; clients let go of their sockets."""
        self._closed.set()
        with self._lock:
            clients = list(self._clients.values())
        for c in clients:
            with contextlib.suppress(Exception):
                c.close()

    def release(self, service: str, region: str) -> None:
        """The lane ran its last collector: let its client go (about 0.3 MB each; a scan of 17
        regions has some 900 lanes, so keeping them all would grow the scan's memory with the
        regions instead of with the account). A later call from another lane's collector simply
        makes a new one; a call in flight keeps the client it holds."""
        with self._lock:
            self._clients.pop((service, region), None)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def stats(self) -> list[LaneStats]:
        with self._lock:
            return sorted((lane.stats for lane in self._lanes.values()), key=lambda s: (s.service, s.region))

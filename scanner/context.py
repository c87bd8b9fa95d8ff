"""What a collector gets: clients for its region, pagination, ARNs and tag helpers.

One ``ScanContext`` serves one (collector, region) run. In a scan its clients are
its lanes' (scanner/lanes.py: one shared client per (service, region), pacing and
retrying every request), and every call or page also takes one of its lane's
in-flight places, so a collector's own per-resource calls (S3 per bucket, ELB
attributes per load balancer) go through the same lane as its listing. A collector
fans those calls out with :meth:`ScanContext.fan_out` (threads, results in the order
of its tasks), as wide as :meth:`ScanContext.lane_width` says its lanes allow: the lanes
still pace and bound every request, and the call counter takes a lock.
Without lanes (tests, a context made by hand) it makes its own clients with the
standard botocore retries. The shared boto3 Session is only touched under
``SESSION_LOCK`` because Session.client() is not thread-safe.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.exceptions as bexc
from botocore.parsers import ResponseParserError

from scanner.inventory import Records
from scanner.secrets import WITHHELD, withhold_secret_tags
from scanner.session import BOTO_CONFIG, SESSION_LOCK

if TYPE_CHECKING:
    from scanner.lanes import Lanes

T = TypeVar("T")

#: threads of one fan-out when there are no lanes to size it (tests, a context made by hand)
FAN_OUT_WIDTH = 8

DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "AuthorizationError", "AuthorizationErrorException", "Forbidden", "ForbiddenException",
    "AccessDeniedFault", "InsufficientPermissionsException", "NotAuthorized",
    "UnrecognizedClientException_Denied",
})
#: the service is not offered or not subscribed in this region/account: quiet, not an error.
UNAVAILABLE_CODES = frozenset({
    "OptInRequired", "SubscriptionRequiredException", "InvalidAction", "UnsupportedOperation",
    "UnknownOperationException", "NotSignedUp", "AWSOrganizationsNotInUseException",
    "InvalidAccessException", "ServiceNotAvailableException",
})

#: boto3 service name -> IAM action prefix, where they differ
IAM_PREFIX = {
    "elbv2": "elasticloadbalancing", "s3control": "s3", "elb": "elasticloadbalancing", "logs": "logs",
    "stepfunctions": "states", "apigatewayv2": "apigateway", "ce": "ce",
    "codestar-connections": "codestar-connections", "application-autoscaling": "application-autoscaling",
    "resourcegroupstaggingapi": "tag", "es": "es", "opensearch": "es", "efs": "elasticfilesystem",
    "accessanalyzer": "access-analyzer",
}


#: API operations whose IAM action has another name
ACTION_NAMES = {("s3", "ListBuckets"): "ListAllMyBuckets", ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
                ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
                ("s3", "GetBucketReplication"): "GetReplicationConfiguration",
                ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
                ("s3control", "GetPublicAccessBlock"): "GetAccountPublicAccessBlock",
                ("budgets", "DescribeBudgets"): "ViewBudget",
                ("budgets", "DescribeNotificationsForBudget"): "ViewBudget"}


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{ACTION_NAMES.get((service, operation), operation)}"


def account_id_node(account: str) -> str:
    """Graph id of the account node (AWS has no ARN for "the account" itself)."""
    return f"aws://account/{account}"


def region_id_node(account: str, region: str) -> str:
    """Graph id of a region node; VPCs and regional services hang under it with ``contains``."""
    return f"aws://account/{account}/region/{region}"


def now() -> datetime:
    return datetime.now(UTC)


class ScanContext:
    def __init__(self, session: Any, region: str, account: str, partition: str = "aws",
                 service: str = "", home_region: str = "us-east-1",
                 regions: tuple[str, ...] = (), lanes: Lanes | None = None) -> None:
        self.session = session
        self.region = region
        self.account = account
        self.partition = partition
        self.service = service
        self.home_region = home_region
        self.regions = regions
        self.lanes = lanes
        self.calls = 0
        #: the (service, operation) last sent: names the read when an answer cannot even be parsed
        self.last_call: tuple[str, str] | None = None
        self._calls_lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}

    # -- clients -------------------------------------------------------------
    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if self.lanes is not None:
            return self.lanes.client(*key)
        found = self._clients.get(key)
        if found is None:
            with SESSION_LOCK:  # threads of a fan-out may ask at once: one client per key
                found = self._clients.get(key)
                if found is None:
                    found = self._clients[key] = self.session.client(service, region_name=key[1],
                                                                     config=BOTO_CONFIG)
        return found

    # -- fan-out -------------------------------------------------------------
    def lane_width(self, service: str, region: str | None = None) -> int:
        """How many requests the (service, region) lane lets fly at once: the most threads a
        fan-out over that lane can keep busy (``FAN_OUT_WIDTH`` without lanes)."""
        if self.lanes is None:
            return FAN_OUT_WIDTH
        return self.lanes.lane(service, region or self.region).concurrency

    def fan_out(self, tasks: Sequence[Callable[[], T]], width: int) -> list[T]:
        """Run a collector's own per-resource reads on up to ``width`` threads; results in task order.

        A collector that reads a dozen settings per bucket one after another waits a dozen
        round trips per bucket; fanned out, its reads wait together. Every request still goes
        through its lane (a lane place, the lane's and ``--max-rate``'s tokens), so the lanes
        bound it, not ``width``; ``width`` only keeps threads from idling on a full lane (use
        :meth:`lane_width`), and the scan's ``--workers`` caps it (1: one after another).

        The results come back in the order of ``tasks`` whatever order they finished in, so
        the records built from them are the same as a sequential run's. When tasks fail,
        the ones not started are dropped and the failure of the first task (in task order)
        is raised, the one a sequential run would have met.
        """
        cap = FAN_OUT_WIDTH if self.lanes is None else self.lanes.concurrency_cap
        width = max(1, min(width, len(tasks), cap))
        if width == 1:
            return [task() for task in tasks]
        pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix=f"awsscan-{self.service or 'fan'}")
        try:
            futures = [pool.submit(task) for task in tasks]
            wait(futures, return_when=FIRST_EXCEPTION)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        # tasks start in order, so every task before a failed one ran: the first failure raises
        # here before any dropped (cancelled) task is reached
        return [f.result() for f in futures]

    def _count(self) -> None:
        with self._calls_lock:
            self.calls += 1

    def _slot(self, service: str, region: str | None) -> contextlib.AbstractContextManager[Any]:
        """An in-flight place in the call's lane (none without lanes)."""
        if self.lanes is None:
            return contextlib.nullcontext()
        return self.lanes.lane(service, region or self.region).slot()

    def call(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> dict:
        """One API call; errors propagate so the runner can classify them."""
        c = self.client(service, region)
        self.last_call = (service, operation)
        with self._slot(service, region):
            self._count()
            return getattr(c, operation)(**kwargs)

    def paginate(self, service: str, operation: str, key: str | None = None,
                 region: str | None = None, **kwargs: Any) -> Iterator[Any]:
        """Every page of a paginated call; with ``key``, the items under that key.

        Each page takes its lane place only while it is fetched: the caller's work between
        pages (and its own per-resource calls) never holds one."""
        c = self.client(service, region)
        if not c.can_paginate(operation):
            page = self.call(service, operation, region=region, **kwargs)
            if key is None:
                yield page
            else:
                yield from page.get(key) or []
            return
        pages = iter(c.get_paginator(operation).paginate(**kwargs))
        self.last_call = (service, operation)
        while True:
            with self._slot(service, region):
                page = next(pages, None)
                if page is None:
                    return
                self._count()
            if key is None:
                yield page
            else:
                yield from page.get(key) or []

    def optional(self, out: Records, service: str, operation: str, *, resource: str = "",
                 missing: tuple[str, ...] = (), region: str | None = None, **kwargs: Any) -> dict | None:
        """A per-resource call whose denial must not stop the collector.

        Returns None when the call was denied or failed (recorded as a gap naming the
        missing action) or when its error code is one of ``missing`` (the resource
        simply has no such configuration, e.g. NoSuchBucketPolicy).
        """
        return guarded(out, service, _camel(operation),
                       lambda: self.call(service, operation, region=region, **kwargs),
                       resource=resource, missing=missing, region=region or self.region)

    def optional_pages(self, out: Records, service: str, operation: str, key: str, *, resource: str = "",
                       missing: tuple[str, ...] = (), region: str | None = None,
                       **kwargs: Any) -> list[Any] | None:
        """Every item of a paginated per-resource call; [] when ``missing`` says there is no such
        configuration, None (with a gap) when it could not be read."""
        result = guarded(out, service, _camel(operation),
                         lambda: list(self.paginate(service, operation, key, region=region, **kwargs)),
                         resource=resource, missing=missing, region=region or self.region, missing_value=[])
        return result

    # -- identifiers -----------------------------------------------------------
    @property
    def region_node(self) -> str:
        return region_id_node(self.account, self.region)

    def records(self, region: str | None = None) -> Records:
        return Records(region=region or self.region, account=self.account)

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None,
            global_: bool = False) -> str:
        reg = "" if global_ else (region or self.region)
        acct = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}"

    def kms_key_arn(self, ref: str | None, region: str | None = None) -> str | None:
        """A KMS key reference (key id, key ARN or alias ARN/name) as the id used in the graph."""
        if not ref:
            return None
        if ref.startswith("arn:"):
            return ref
        if ref.startswith("alias/"):
            return self.arn("kms", ref, region=region)
        return self.arn("kms", f"key/{ref}", region=region)

    def ec2_arn(self, resource_type: str, rid: str, region: str | None = None) -> str:
        """ARN of an EC2-family resource (vpc, subnet, security-group, instance, ...)."""
        return self.arn("ec2", f"{resource_type}/{rid}", region=region)


def guarded(out: Records, service: str, operation: str, fn: Callable[[], T], *, resource: str = "",
            missing: tuple[str, ...] = (), region: str = "", missing_value: Any = None,
            action: str | None = None) -> T | Any | None:
    """Run a read (one call or a whole pagination) whose failure must only leave a gap.

    The one place that turns an error into "what was not seen": a denial names the
    missing IAM action (and an SCP deny as such), any other error its code, and an
    endpoint without the API (an emulator, a new partition) says so. Error codes in
    ``missing`` mean "not configured" and return ``missing_value`` without a gap.
    """
    try:
        return fn()
    except bexc.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in missing:
            return missing_value
        act = action or iam_action(service, exc.operation_name or operation)
        if code in DENIED_CODES:
            reason = denied_reason(exc)
        elif not_implemented(exc):
            reason = "not implemented by this endpoint"
        else:
            reason = f"error {code}: {error_message(exc)}"
        out.gap(service, act, reason, resource=resource, region=region or None)
    except NotImplementedError:  # an emulator (moto) without this API; real AWS never raises it
        out.gap(service, action or iam_action(service, operation), "not implemented by this endpoint",
                resource=resource, region=region or None)
    except (bexc.ConnectionError, bexc.HTTPClientError, ResponseParserError) as exc:
        # still failing after every retry (connection reset, timeout, unreadable answer):
        # this one read is lost, the collector goes on
        out.gap(service, action or iam_action(service, operation),
                f"no answer after retries ({type(exc).__name__})", resource=resource, region=region or None)
    return None


def not_implemented(exc: bexc.ClientError) -> bool:
    """The endpoint says it has no such API (HTTP 501, "not implemented", moto's 404 "not yet
    implemented"): the lanes do not retry it, and it is recorded as not implemented, not failed."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(exc.response.get("Error", {}).get("Code", ""))
    msg = str(exc.response.get("Error", {}).get("Message", "")).lower()
    return status == 501 or code in ("501", "NotImplemented", "NotImplementedException") or (
        "not implemented" in msg or "not yet implemented" in msg) and not msg.lstrip().startswith("<")


def _camel(operation: str) -> str:
    return "".join(p.capitalize() for p in operation.split("_"))


def denied_reason(exc: bexc.ClientError) -> str:
    msg = error_message(exc)
    if "service control policy" in msg.lower():
        return "access denied by an explicit deny in a service control policy (SCP)"
    if "permissions boundary" in msg.lower():
        return "access denied by a permissions boundary"
    return "access denied"


def error_message(exc: bexc.ClientError) -> str:
    """The error's message as one short line; an HTML error page (a proxy's or an emulator's) is named, not quoted."""
    msg = " ".join(str(exc.response.get("Error", {}).get("Message", "")).split())
    meta = exc.response.get("ResponseMetadata", {})
    ctype = str((meta.get("HTTPHeaders") or {}).get("content-type", ""))
    if msg.lower().startswith(("<!doctype", "<html")) or "text/html" in ctype.lower():
        status = meta.get("HTTPStatusCode", "?")
        return f"the endpoint answered with an HTML error page (HTTP {status})"
    return msg[:300]


def tags_of(obj: dict[str, Any] | list | None) -> dict[str, str]:
    """AWS tags in any of their shapes (Tags/TagSet/TagList lists, or a dict) as a dict.

    Secret-looking values (``db_password=...``, an access key id) are withheld here, where
    every collector reads its tags, so none can forget: the key is kept and the value becomes
    ``scanner.secrets.WITHHELD`` (judged like environment values, in memory).
    """

    if obj is None:
        return {}
    raw: Any = obj
    if isinstance(obj, dict):
        for key in ("Tags", "TagSet", "TagList", "tags"):
            if key in obj:
                raw = obj[key]
                break
        else:
            return {}
    if isinstance(raw, dict):
        return withhold_secret_tags({str(k): "" if v is None else str(v) for k, v in raw.items()})
    out: dict[str, str] = {}
    for t in raw if isinstance(raw, (list, tuple)) else []:
        if not isinstance(t, dict):
            continue  # a recording or another SDK may hand over anything: only key/value pairs are tags
        k = t.get("Key", t.get("key", t.get("TagKey")))
        v = t.get("Value", t.get("value", t.get("TagValue", "")))
        if k is not None:
            out[str(k)] = "" if v is None else str(v)
    return withhold_secret_tags(out)


def name_of(obj: dict[str, Any], default: str) -> str:
    """The Name tag, else ``default`` (also when the Name tag's value was withheld as a secret)."""
    name = tags_of(obj).get("Name")
    return name if name and name != WITHHELD else default


def iso(value: Any) -> str | None:
    """A datetime (or ISO string) as an ISO-8601 UTC string.

    AWS answers carry aware datetimes, recordings and some APIs naive ones (read as UTC)
    or date strings ("2024-05-14T09:30:00.000Z"): all give the same text. A string that
    is not a date is kept as it came (it says what AWS sent).
    """
    if value is None or value == "":
        return None
    when = parse_time(value)
    if when is not None:
        return when.astimezone(UTC).isoformat(timespec="seconds")
    return str(value)


def parse_time(value: Any) -> datetime | None:
    """A datetime or ISO-8601 string as an aware UTC datetime (None when unreadable)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def age_days(value: Any, at: datetime | None = None) -> int | None:
    when = parse_time(value)
    return None if when is None else max(0, ((at or now()) - when).days)


def days_until(value: Any, at: datetime | None = None) -> int | None:
    """Whole days from now until a date (negative once it has passed)."""
    when = parse_time(value)
    return None if when is None else (when - (at or now())).days


def cidr_node_id(cidr: str) -> str:
    """Graph id for an address range; 0.0.0.0/0 and ::/0 are the one ``internet`` node."""
    return "internet" if cidr in ("0.0.0.0/0", "::/0") else f"cidr:{cidr}"

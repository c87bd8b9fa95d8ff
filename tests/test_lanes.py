"""Scan lanes (scanner/lanes.py): token buckets, adaptive throttling, the retry policy, --max-rate,
and the runner's promise that a slow or failing lane never holds the others.

Fakes only: a fake clock for the buckets, botocore ``before-send`` hooks that answer in place of
AWS (no network, no moto), collectors that are plain functions. No wait is longer than a fraction
of a second.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ConnectionClosedError

from scanner import lanes as lanes_mod
from scanner.collectors.registry import Collector
from scanner.context import ScanContext, guarded
from scanner.inventory import Records
from scanner.lanes import (
    OK,
    PERMANENT,
    THROTTLED,
    TRANSIENT,
    AdaptiveBucket,
    LaneClosed,
    Lanes,
    Limit,
    TokenBucket,
    classify,
)
from scanner.runner import LaneQueue, scan
from scanner.session import Identity

IDENTITY = Identity(account="123456789012", arn="arn:aws:iam::123456789012:user/test", user_id="AID")


class FakeClock:
    """Time that only moves when a waiter sleeps: waits are measured, never spent."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# --- token buckets ------------------------------------------------------------------------
def test_a_token_bucket_spends_its_burst_then_paces_at_its_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    waits = [bucket.reserve() for _ in range(3)]  # in debt: each waits one more token interval
    assert waits == pytest.approx([0.1, 0.2, 0.3])
    clock.now = 10.0  # a long pause refills it, never beyond the burst
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == pytest.approx(0.1)


def test_throttling_halves_the_rate_once_per_interval_and_it_recovers_slowly():
    clock = FakeClock()
    bucket = AdaptiveBucket(rate=16, burst=16, clock=clock)
    bucket.throttled()
    assert bucket.rate == 8
    bucket.throttled()  # the other answers in flight say nothing new
    assert bucket.rate == 8 and bucket.throttles == 2
    clock.now += 1.0
    bucket.throttled()
    assert bucket.rate == 4
    bucket.succeeded()
    assert bucket.rate == 5  # + 1/16 of the starting rate per answer that was not throttled
    for _ in range(100):
        bucket.succeeded()
    assert bucket.rate == 16, "never above the documented rate"
    for _ in range(20):
        clock.now += 10
        bucket.throttled()
    assert bucket.rate == 16 / 32, "never below 1/32 of it"


def test_after_throttling_the_saved_burst_is_not_spent():
    clock = FakeClock()
    bucket = AdaptiveBucket(rate=10, burst=10, clock=clock)
    bucket.throttled()
    assert bucket.reserve() == pytest.approx(1 / 5)


# --- the retry policy ---------------------------------------------------------------------
@pytest.mark.parametrize(("status", "code", "message", "ctype", "exc", "outcome"), [
    (200, "", "", "", None, OK),
    (400, "Throttling", "Rate exceeded", "text/xml", None, THROTTLED),
    (400, "ThrottlingException", "", "", None, THROTTLED),
    (503, "SlowDown", "", "", None, THROTTLED),
    (429, "", "", "", None, THROTTLED),
    (503, "ServiceUnavailable", "", "", None, TRANSIENT),
    (500, "InternalError", "", "", None, TRANSIENT),
    (502, "502", "", "", None, TRANSIENT),
    (None, "", "", "", ConnectionClosedError(endpoint_url="http://x"), TRANSIENT),
    (501, "501", "", "", None, PERMANENT),
    (500, "500", "<!DOCTYPE html><html><body>Internal Server Error</body></html>", "", None, PERMANENT),
    (502, "502", "Bad gateway", "text/html; charset=utf-8", None, PERMANENT),
    (404, "404", "The get_anomaly_monitors action has not been implemented", "", None, PERMANENT),
    (400, "UnknownOperationException", "", "", None, PERMANENT),
    (400, "AccessDenied", "", "", None, PERMANENT),
    (400, "ExpiredToken", "", "", None, PERMANENT),
    (None, "", "", "", ValueError("a bug"), PERMANENT),
])
def test_classify_retries_what_may_change_and_gives_up_on_what_will_not(status, code, message, ctype, exc, outcome):
    assert classify(status, code, message, ctype, exc) == outcome


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def _json(status: int, body: dict[str, Any], ctype: str = "application/x-amz-json-1.0") -> tuple:
    return status, {"Content-Type": ctype}, json.dumps(body).encode()


OK_TABLES = _json(200, {"TableNames": ["orders"]})
THROTTLE = _json(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
UNAVAILABLE = _json(503, {"__type": "ServiceUnavailableException", "message": "try again"})
HTML_502 = (502, {"Content-Type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
NOT_IMPLEMENTED = _json(501, {"__type": "NotImplemented", "message": "ListTables is not implemented"})


class Script:
    """A botocore before-send hook answering each attempt from a list (the last answer repeats)."""

    def __init__(self, *answers: tuple) -> None:
        self.answers = list(answers)
        self.attempts = 0
        self.operations: list[str] = []

    def __call__(self, request: Any = None, event_name: str = "", **_: Any) -> AWSResponse:
        self.attempts += 1
        self.operations.append(event_name.rsplit(".", 1)[-1])
        status, headers, body = self.answers[min(self.attempts, len(self.answers)) - 1]
        return AWSResponse(request.url, status, headers, _Raw(body))


def _lanes(script: Script, **kwargs: Any) -> tuple[Lanes, FakeClock]:
    clock = FakeClock()
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    session.events.register_first("before-send", script)
    return Lanes(session, clock=clock, sleeper=clock.sleep, seed=1, **kwargs), clock


def test_a_throttled_call_is_retried_in_its_lane_and_slows_the_lane_down():
    script = Script(THROTTLE, THROTTLE, OK_TABLES)
    lanes, _ = _lanes(script)
    ctx = ScanContext(None, "us-east-1", "123456789012", lanes=lanes)
    assert ctx.call("dynamodb", "list_tables")["TableNames"] == ["orders"]
    stats = lanes.lane("dynamodb", "us-east-1").stats
    assert script.attempts == 3 and stats.requests == 3 and stats.throttled == 2 and stats.retries == 2
    assert lanes.lane("dynamodb", "us-east-1").bucket("ListTables").rate < lanes_mod.DEFAULT_LIMIT.rate
    assert ctx.calls == 1, "a call is counted once, whatever its retries"


def test_a_transient_error_is_retried_a_bounded_number_of_times():
    script = Script(UNAVAILABLE)
    lanes, clock = _lanes(script)
    ctx = ScanContext(None, "us-east-1", "123456789012", lanes=lanes)
    with pytest.raises(ClientError):
        ctx.call("dynamodb", "list_tables")
    assert script.attempts == lanes_mod.MAX_TRANSIENT_ATTEMPTS
    assert len(clock.slept) >= lanes_mod.MAX_TRANSIENT_ATTEMPTS - 1, "every retry backs off"


def test_throttled_attempts_do_not_use_up_the_retries_of_a_dropped_connection():
    script = Script(THROTTLE, THROTTLE, THROTTLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, OK_TABLES)
    lanes, _ = _lanes(script)
    ctx = ScanContext(None, "us-east-1", "123456789012", lanes=lanes)
    assert ctx.call("dynamodb", "list_tables")["TableNames"] == ["orders"]
    assert script.attempts == 8 == lanes_mod.MAX_ATTEMPTS


@pytest.mark.parametrize(("answer", "reason"), [
    (HTML_502, "error 502: the endpoint answered with an HTML error page (HTTP 502)"),
    (NOT_IMPLEMENTED, "not implemented by this endpoint"),
])
def test_an_answer_that_will_not_change_is_given_up_at_once_and_recorded_as_a_gap(answer, reason):
    script = Script(answer)
    lanes, clock = _lanes(script)
    ctx = ScanContext(None, "us-east-1", "123456789012", lanes=lanes)
    out = Records(region="us-east-1", account="123456789012")
    assert guarded(out, "dynamodb", "ListTables", lambda: ctx.call("dynamodb", "list_tables"),
                   region="us-east-1") is None
    assert script.attempts == 1, "one request, not eight"
    assert clock.slept == []
    assert [(g.action, g.reason) for g in out.gaps] == [("dynamodb:ListTables", reason)]
    assert lanes.lane("dynamodb", "us-east-1").stats.gave_up == 1


def test_a_collector_that_meets_a_501_is_recorded_as_not_implemented_after_one_request():
    from scanner.runner import run_one

    script = Script(NOT_IMPLEMENTED)
    lanes, _ = _lanes(script)
    coll = Collector(name="dynamodb.tables", service="dynamodb", scope="regional",
                     fn=lambda ctx: ctx.call("dynamodb", "list_tables"))
    res = run_one(coll, ScanContext(None, "us-east-1", "123456789012", lanes=lanes))
    assert (res.status, res.message, script.attempts) == ("unavailable", "not implemented by this endpoint", 1)


def test_each_ec2_api_has_its_own_bucket_as_aws_counts_them():
    lanes = Lanes(None)
    ec2 = lanes.lane("ec2", "us-east-1")
    assert ec2.bucket("DescribeInstances") is not ec2.bucket("DescribeVpcs")
    assert ec2.bucket("DescribeVpcs").rate == 20 and ec2.bucket("DescribeVpcs").burst == 100
    ddb = lanes.lane("dynamodb", "us-east-1")
    assert ddb.bucket("ListTables") is ddb.bucket("DescribeTable"), "one bucket for the service"
    cw = lanes.lane("cloudwatch", "us-east-1")
    assert cw.bucket("GetMetricData").rate == 50 and cw.bucket("DescribeAlarms").rate == 9


# --- --max-rate -------------------------------------------------------------------------------
def test_max_rate_caps_every_request_of_the_scan_retries_included():
    script = Script(THROTTLE, OK_TABLES)
    lanes, clock = _lanes(script, max_rate=4)
    ctxs = [ScanContext(None, region, "123456789012", lanes=lanes) for region in ("us-east-1", "eu-west-1")]
    for i in range(6):
        script.attempts = 0  # each call: one throttled attempt, then the answer
        ctxs[i % 2].call("dynamodb", "list_tables")
    requests = sum(s.requests for s in lanes.stats())
    assert requests == 12
    burst = 4
    # 12 requests at 4 a second after a burst of 4: at least two seconds, whichever lane sent them
    assert clock.now >= (requests - burst) / 4 - 1e-9


def test_without_max_rate_nothing_is_shared_between_lanes():
    lanes = Lanes(None, clock=FakeClock())
    lanes.take_global()  # no bucket: returns at once
    assert lanes.max_rate is None


# --- lanes in the runner ----------------------------------------------------------------------
def _coll(name: str, service: str, fn: Any) -> Collector:
    return Collector(name=name, service=service, scope="regional", fn=fn)


def test_a_slow_lane_never_holds_the_others():
    """Three runs of a stalled lane queued first, four workers: the quick lane still finishes
    while the stalled one waits (a FIFO pool would have given it three of the four workers)."""
    quick_done = threading.Event()
    finished: list[str] = []
    lock = threading.Lock()

    def stalled(ctx: ScanContext) -> Records:
        waited = quick_done.wait(timeout=5)
        with lock:
            finished.append(f"stalled:{waited}")
        return ctx.records()

    def quick(ctx: ScanContext) -> Records:
        with lock:
            finished.append("quick")
            if finished.count("quick") == 5:
                quick_done.set()
        return ctx.records()

    colls = [_coll(f"slow.c{i}", "slowsvc", stalled) for i in range(3)]
    colls += [_coll(f"quick.c{i}", "quicksvc", quick) for i in range(5)]
    lanes = Lanes(None, limits={"slowsvc": Limit(rate=10, burst=10, concurrency=1)})
    started = time.monotonic()
    inv = scan(None, IDENTITY, ["us-east-1"], collectors=colls, workers=4, lanes=lanes)
    assert time.monotonic() - started < 4
    assert finished.count("quick") == 5
    assert finished.count("stalled:True") == 3, finished
    assert finished.index("stalled:True") > max(i for i, f in enumerate(finished) if f == "quick")
    assert {r["status"] for r in inv.meta["runs"]} == {"ok"}
    assert lanes.lane("slowsvc", "us-east-1").stats.runs == 3


def test_a_failing_lane_does_not_stop_the_others():
    def failing(ctx: ScanContext) -> Records:
        raise ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, "ListThings")

    def fine(ctx: ScanContext) -> Records:
        out = ctx.records()
        out.node(ctx.ec2_arn("vpc", f"vpc-{ctx.region}"), "ec2:vpc", "v", vpc_id=f"vpc-{ctx.region}")
        return out

    colls = [_coll("bad.things", "badsvc", failing), _coll("good.vpcs", "ec2", fine)]
    inv = scan(None, IDENTITY, ["us-east-1", "eu-west-1"], collectors=colls, workers=2, lanes=Lanes(None))
    runs = {(r["collector"], r["region"]): r["status"] for r in inv.meta["runs"]}
    assert runs[("bad.things", "us-east-1")] == "failed" and runs[("good.vpcs", "eu-west-1")] == "ok"
    assert len(inv.nodes("ec2:vpc")) == 2


def test_runs_go_to_the_lane_with_most_work_left_within_each_lanes_concurrency():
    noop = lambda ctx: ctx.records()  # noqa: E731
    jobs = [(_coll(f"ec2.c{i}", "ec2", noop), r) for i in range(3) for r in ("us-east-1", "eu-west-1")]
    jobs += [(_coll("sqs.queues", "sqs", noop), r) for r in ("us-east-1", "eu-west-1")]
    jobs += [(Collector(name="iam.roles", service="iam", scope="global", fn=noop), "us-east-1")]
    queue = LaneQueue(jobs, Lanes(None, limits={"ec2": Limit(rate=1, burst=1, concurrency=2)}))
    lanes_of = lambda runs: [(c.service, r) for c, r in runs]  # noqa: E731
    # the global run first, then the ec2 lanes (3 runs for 2 places each), alternating regions
    assert lanes_of(queue.take(3)) == [("iam", "us-east-1"), ("ec2", "us-east-1"), ("ec2", "eu-west-1")]
    assert lanes_of(queue.take(10)) == [("ec2", "us-east-1"), ("ec2", "eu-west-1"),
                                        ("sqs", "us-east-1"), ("sqs", "eu-west-1")], "2 places per ec2 lane"
    queue.finished("ec2", "us-east-1")
    assert lanes_of(queue.take(10)) == [("ec2", "us-east-1")]
    assert len(queue) == 1 and lanes_of(queue.take(10)) == []


def test_a_collectors_own_calls_share_its_lanes_places():
    """S3 reads each bucket from eight threads: the lane still has no more in flight than its concurrency."""
    in_flight, peak = [0], [0]
    lock = threading.Lock()

    def slow_answer(request: Any = None, **_: Any) -> AWSResponse:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.02)
        with lock:
            in_flight[0] -= 1
        status, headers, body = OK_TABLES
        return AWSResponse(request.url, status, headers, _Raw(body))

    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    session.events.register_first("before-send", slow_answer)
    lanes = Lanes(session, limits={"dynamodb": Limit(rate=1000, burst=1000, concurrency=2)})
    ctx = ScanContext(session, "us-east-1", "123456789012", lanes=lanes)
    threads = [threading.Thread(target=ctx.call, args=("dynamodb", "list_tables")) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2
    assert ctx.calls == 8, "counted from every thread"
    assert ctx.client("dynamodb") is ScanContext(session, "us-east-1", "1", lanes=lanes).client("dynamodb"), \
        "one client per lane, shared by the lane's runs"


def test_closing_the_lanes_wakes_a_waiting_request():
    lanes = Lanes(None)
    caught: list[BaseException] = []

    def waiter() -> None:
        try:
            lanes.wait(30)
        except LaneClosed as exc:
            caught.append(exc)

    t = threading.Thread(target=waiter)
    started = time.monotonic()
    t.start()
    time.sleep(0.05)
    lanes.close()
    t.join(timeout=2)
    assert caught and time.monotonic() - started < 2


def test_once_the_credentials_expired_no_request_leaves_its_lane():
    from scanner.errors import CredentialsExpired

    script = Script(OK_TABLES)
    lanes, _ = _lanes(script)
    expired = CredentialsExpired("ExpiredToken", "dynamodb:ListTables", "us-east-1")
    lanes.stop_check = lambda: expired.again()
    ctx = ScanContext(None, "us-east-1", "123456789012", lanes=lanes)
    with pytest.raises(CredentialsExpired):
        ctx.call("dynamodb", "list_tables")
    assert script.attempts == 0, "refused before the request reached the wire (or the stand-in for it)"


def test_max_rate_is_an_option_of_the_scan_and_the_demo():
    from typer.testing import CliRunner

    from scanner.cli import app

    for args in ([], ["demo"]):
        result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
        assert "--max-rate" in result.output, args


# --- a collector's own fan-out ----------------------------------------------------------------
def test_a_fan_out_returns_results_in_task_order_whatever_order_they_finish_in():
    active, peak = [0], [0]
    lock = threading.Lock()

    def task(i: int) -> Any:
        def run() -> int:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.01 * (6 - i))  # the first task finishes last
            with lock:
                active[0] -= 1
            return i
        return run

    ctx = ScanContext(None, "us-east-1", "123456789012", service="s3", lanes=Lanes(None))
    assert ctx.fan_out([task(i) for i in range(6)], width=4) == list(range(6))
    assert peak[0] == 4, "as wide as asked"
    assert ctx.fan_out([], width=4) == []


def test_a_fan_out_raises_the_failure_a_sequential_run_would_meet_first():
    def task(i: int) -> Any:
        def run() -> int:
            if i == 2:
                time.sleep(0.05)
                raise ValueError("second")
            if i == 4:
                raise ValueError("fourth")  # fails first in time, later in task order
            return i
        return run

    ctx = ScanContext(None, "us-east-1", "123456789012", lanes=Lanes(None))
    with pytest.raises(ValueError, match="second"):
        ctx.fan_out([task(i) for i in range(40)], width=8)


def test_workers_1_makes_every_fan_out_one_read_after_another():
    threads: set[int] = set()

    def read(ctx: ScanContext) -> Records:
        ctx.fan_out([lambda: threads.add(threading.get_ident()) for _ in range(5)],
                    width=ctx.lane_width("s3") + 2)
        return ctx.records()

    lanes = Lanes(None)
    scan(None, IDENTITY, ["us-east-1"], collectors=[_coll("s3.things", "s3", read)], workers=1, lanes=lanes)
    assert len(threads) == 1 and lanes.lane("s3", "us-east-1").concurrency == 1


def test_s3_buckets_fan_out_in_their_lanes_and_give_what_a_sequential_run_gives():
    """Fourteen reads per bucket, the sizes and the account's public access block wait together,
    never more at once than the S3 lane allows; the records (gaps included, one read denied) are
    those of the same collector run one read after another."""
    from moto import mock_aws

    from scanner.collectors.storage import collect_buckets
    from tests.support.denials import deny

    active, peak = [0], [0]
    lock = threading.Lock()

    def in_flight(**_: Any) -> None:  # before moto answers: counts the requests on the wire
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.005)
        with lock:
            active[0] -= 1

    def records(cap: int) -> tuple[str, int, int]:
        session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
        session.events.register_first("before-send", in_flight)
        deny("s3:GetBucketPolicy")(session)
        lanes = Lanes(session, concurrency_cap=cap, limits={"s3": Limit(rate=1000, burst=1000, concurrency=3)})
        ctx = ScanContext(session, "us-east-1", "123456789012", service="s3", home_region="us-east-1",
                          regions=("us-east-1",), lanes=lanes)
        peak[0] = 0
        out = collect_buckets(ctx)
        dump = json.dumps([[n.__dict__ for n in out.nodes], [e.__dict__ for e in out.edges],
                           [g.__dict__ for g in out.gaps]], sort_keys=True, default=str)
        return dump, peak[0], ctx.calls

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for name in ("alpha", "beta", "gamma"):
            s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket="beta", VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_tagging(Bucket="gamma", Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
        fanned, fanned_peak, fanned_calls = records(64)
        sequential, sequential_peak, sequential_calls = records(1)
    assert fanned == sequential and fanned_calls == sequential_calls
    assert '"GetBucketPolicy"' in fanned or "s3:GetBucketPolicy" in fanned, "the denied read is a gap"
    assert sequential_peak == 1
    assert 2 <= fanned_peak <= 3 + 2, "the S3 lane's 3 places, plus CloudWatch's and S3 Control's"


def test_parse_timestamp_gives_what_botocore_gives():
    import botocore.utils

    from scanner.session import parse_timestamp

    for value in ("2024-05-14T09:30:00.123Z", "2024-05-14T09:30:00Z", "2024-05-14T09:30:00.123456789Z",
                  "2024-05-14T09:30:00+00:00", "2024-05-14T09:30:00.5+00:00", "2024-05-14T09:30:00",
                  "2024-05-14T09:30:00+01:00", "Wed, 02 Dec 2026 03:00:00 GMT", 1700000000.5, "1700000000"):
        ours, theirs = parse_timestamp(value), botocore.utils.parse_timestamp(value)
        assert ours == theirs and str(ours) == str(theirs) and ours.isoformat() == theirs.isoformat(), value
    with pytest.raises(ValueError):
        parse_timestamp("2024-02-30T00:00:00Z")


def test_a_scan_session_parses_timestamps_with_the_fast_parser():
    from scanner.session import make_session, parse_timestamp

    session = make_session(None, "us-east-1")
    factory = session._session.get_component("response_parser_factory")
    assert factory._defaults.get("timestamp_parser") is parse_timestamp

"""The CLI under hostile conditions, as a user sees it: credentials expiring mid-scan, a CI gate
on an unreadable account, Ctrl-C and SIGTERM with a stalled call, bad environments, S3 Control
behind a custom endpoint, and escape sequences in account text.

Every test asserts what the user gets: the exit code, the one line on stderr, no traceback,
and the files left in the output folder.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from typer.testing import CliRunner

from scanner.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_STRICT, EXIT_TERMINATED, EXIT_USAGE, app
from tests.support.servers import free_port, moto_server

HOSTILE = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m\x9b2J"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text and "Exception ignored" not in text, text


# --- in-process fault hooks ------------------------------------------------------------------

class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def error_for(request: Any, code: str, message: str, status: int) -> AWSResponse:
    """An AWS error answer in the request's protocol (JSON, query, S3 XML, REST-JSON)."""
    ctype = request.headers.get("Content-Type", b"")
    ctype = ctype.decode() if isinstance(ctype, bytes) else str(ctype)
    if "x-amz-json" in ctype:
        body, headers = json.dumps({"__type": code, "message": message}).encode(), {"Content-Type": ctype}
    elif "x-www-form-urlencoded" in ctype:
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                "<RequestID>x</RequestID></Response>").encode()
        headers = {"Content-Type": "text/xml"}
    elif "s3." in request.url or ".s3" in request.url:
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
        headers = {"Content-Type": "application/xml"}
    else:
        body = json.dumps({"message": message}).encode()
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return AWSResponse(request.url, status, headers, _Raw(body))


def _body(request: Any) -> bytes:
    body = request.body or b""
    return body.encode() if isinstance(body, str) else bytes(body) if isinstance(body, bytes | bytearray) else b""


class Answer:
    """A botocore ``before-send`` hook: once ``after`` requests went through, every request that
    ``when`` selects is answered with the AWS error ``code`` (before moto sees it)."""

    def __init__(self, code: str, *, after: int = 0, status: int = 400, message: str = "injected",
                 when: Callable[[Any], bool] = lambda request: True) -> None:
        self.code, self.after, self.status, self.message, self.when = code, after, status, message, when
        self.requests = 0
        self.answered = 0
        self._lock = threading.Lock()

    def install(self, session: Any) -> None:
        session.events.register_first("before-send", self, unique_id=f"awsscan-test-answer-{id(self)}")

    def __call__(self, request: Any = None, **_: Any) -> AWSResponse | None:
        with self._lock:
            self.requests += 1
            if self.requests <= self.after or not self.when(request):
                return None
            self.answered += 1
        return error_for(request, self.code, self.message, self.status)


def not_setup(request: Any) -> bool:
    """Everything but the CLI's own set-up calls (identity, regions, alias)."""
    body = _body(request)
    return not any(a in body for a in (b"GetCallerIdentity", b"DescribeRegions", b"ListAccountAliases"))


@pytest.fixture
def hooked(monkeypatch: pytest.MonkeyPatch) -> Callable[[Answer], None]:
    """Install a fault hook on the session the CLI makes (make_session is looked up at call time)."""
    import scanner.session as session_mod

    real = session_mod.make_session

    def use(hook: Answer) -> None:
        def make(*args: Any, **kwargs: Any) -> Any:
            session = real(*args, **kwargs)
            hook.install(session)
            return session

        monkeypatch.setattr(session_mod, "make_session", make)

    return use


def few_collectors(monkeypatch: pytest.MonkeyPatch, *services: str) -> None:
    """Scan with the collectors of a few services only (seconds, not tens of seconds)."""
    import scanner.runner as runner_mod
    from scanner.collectors import load_all

    chosen = [c for c in load_all() if c.service in services]
    monkeypatch.setattr(runner_mod, "load_all", lambda: chosen)


# --- 1. credentials expiring mid-scan ------------------------------------------------------------

@pytest.mark.parametrize(("code", "said"), [("ExpiredToken", "the credentials expired during the scan (ExpiredToken from "),
                                            ("InvalidClientTokenId", "expired or were revoked during the scan "
                                                                     "(InvalidClientTokenId from ")])
def test_credentials_expiring_mid_scan_stop_it_with_one_line_and_exit_2(tmp_path, hooked, code, said):
    """Before: 88 of 90 collectors became "failed" and the run exited 0, even with --fail-on high."""
    hook = Answer(code, after=12, status=403, when=not_setup)
    hooked(hook)
    out = tmp_path / "report"
    with mock_aws():
        started = time.monotonic()
        result = invoke("--region", "us-east-1", "--out", str(out), "--fail-on", "high")
        seconds = time.monotonic() - started
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == EXIT_USAGE, result.stderr
    line = last_line(result.stderr)
    assert line.startswith("awsscan: error: ") and said in line, line
    assert "inventory.json (marked partial)" in line
    # stopped promptly: the calls already in flight met the error, the rest were never sent
    assert hook.answered <= 24, hook.answered
    assert seconds < 60
    snap = json.loads((out / "inventory.json").read_text())
    assert snap["meta"]["partial"] is True
    assert snap["meta"]["credentials_expired"]["error"] == code
    assert not [r for r in snap["meta"]["runs"] if code in r.get("message", "")], "no collector recorded as failed"
    assert "**Partial scan.**" in (out / "design.md").read_text()


def test_expiry_is_caught_even_without_the_session_hook():
    """A session made elsewhere (no CredentialWatch): the runner still stops on the first expired answer."""
    from botocore.exceptions import ClientError

    from scanner.collectors.registry import Collector
    from scanner.context import ScanContext
    from scanner.errors import CredentialsExpired
    from scanner.runner import run_one

    def expired(ctx):
        raise ClientError({"Error": {"Code": "ExpiredTokenException", "Message": "expired"}}, "ListFunctions")

    ctx = ScanContext(None, "eu-west-1", "123456789012", home_region="us-east-1")
    with pytest.raises(CredentialsExpired, match="ExpiredTokenException from lambda:ListFunctions"):
        run_one(Collector(name="lambda.functions", service="lambda", scope="regional", fn=expired), ctx)


def test_a_rejected_token_outside_the_home_region_is_still_a_disabled_region(monkeypatch):
    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, verify_identity

    hook = Answer("InvalidClientTokenId", status=403, when=lambda r: "eu-west-1" in r.url)
    chosen = [c for c in load_all() if c.name in ("ec2.vpcs", "ec2.subnets", "ec2.security_groups")] or \
        [c for c in load_all() if c.service == "ec2"][:3]
    with mock_aws():
        session = make_session(None, "us-east-1")
        identity = verify_identity(session)
        hook.install(session)
        inv = scan(session, identity, ["us-east-1", "eu-west-1"], collectors=chosen)
    assert inv.meta["partial"] is False
    status = {(r["collector"], r["region"]): r["status"] for r in inv.meta["runs"]}
    assert {s for (_, region), s in status.items() if region == "eu-west-1"} == {"region_disabled"}
    assert {s for (_, region), s in status.items() if region == "us-east-1"} == {"ok"}


# --- 1b. --fail-on never passes on a report that could not read the account ----------------------

def test_fail_on_does_not_pass_when_the_account_could_not_be_read(tmp_path, hooked):
    """Before: every collector denied, "no open findings", exit 0: a green CI gate on nothing."""
    hook = Answer("AccessDenied", status=403, when=not_setup, message="not authorized")
    hooked(hook)
    out = tmp_path / "report"
    with mock_aws():
        result = invoke("--region", "us-east-1", "--out", str(out), "--fail-on", "critical")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == EXIT_STRICT, result.stderr
    line = last_line(result.stderr)
    assert line.startswith("awsscan: error: --fail-on critical cannot pass: ") and "denied or failed" in line, line
    # the same verdict offline, from the snapshot
    again = invoke("render", str(out / "inventory.json"), "--out", str(tmp_path / "again"), "--fail-on", "critical")
    assert again.exit_code == EXIT_STRICT and "cannot pass" in last_line(again.stderr)
    # without --fail-on the report is still written and the run warns, as before
    assert (out / "design.md").exists()


def test_fail_on_rule_counts_only_real_reads():
    from scanner.analysis.model import Analysis
    from scanner.cli import exit_code, unreadable
    from scanner.inventory import Inventory

    def inv(*statuses: str, **meta: Any) -> Inventory:
        return Inventory(meta={"runs": [{"collector": f"c{i}", "service": "ec2", "region": "us-east-1", "status": s}
                                        for i, s in enumerate(statuses)], **meta})

    assert unreadable(inv("ok", "ok", "denied", "unavailable", "region_disabled")) is None
    assert unreadable(inv("ok", "denied", "failed")) == "2 of 3 collector runs were denied or failed"
    assert unreadable(inv("unavailable")) == "no collector run read the account"
    assert "did not finish" in unreadable(inv("ok", partial=True, interrupted="scan interrupted (Ctrl-C)"))
    assert exit_code(inv("denied", "denied", "ok"), Analysis(), {"fail_on": "high"}, strict=False) == EXIT_STRICT
    assert exit_code(inv("denied", "denied", "ok"), Analysis(), {}, strict=False) == 0


# --- 2. Ctrl-C and SIGTERM ------------------------------------------------------------------------

def test_ctrl_c_while_writing_the_report_leaves_the_snapshot(tmp_path, monkeypatch):
    """Before: inventory.json was written last, so Ctrl-C during analysis or rendering left none."""
    import scanner.analysis as analysis_mod

    few_collectors(monkeypatch, "ec2")

    def interrupted(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(analysis_mod, "analyze", interrupted)
    out = tmp_path / "report"
    with mock_aws():
        result = invoke("--region", "us-east-1", "--out", str(out))
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == EXIT_INTERRUPTED
    line = last_line(result.stderr)
    assert line.startswith("awsscan: interrupted (Ctrl-C) while writing the report: the scan was saved to "), line
    assert "awsscan render" in line
    snap = json.loads((out / "inventory.json").read_text())
    assert snap["meta"]["partial"] is False and snap["meta"]["runs"]


class StallProxy:
    """A forwarding proxy in front of moto that never answers a request containing ``stall_on``
    (until it is closed): a call stalled in the network, as a hung endpoint or firewall makes."""

    def __init__(self, upstream: str, stall_on: bytes) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.stall_on = stall_on
        self.stalled = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.stall_on in body or proxy.stall_on in self.path.encode():
                    proxy.stalled.set()
                    proxy.release.wait(120)
                    self.close_connection = True
                    return
                conn = http.client.HTTPConnection(proxy.upstream, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body,
                                 headers={k: v for k, v in self.headers.items() if k.lower() != "connection"})
                    resp = conn.getresponse()
                    payload = resp.read()
                    self.send_response(resp.status)
                    for k, v in resp.getheaders():
                        if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                            self.send_header(k, v)
                finally:
                    conn.close()
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StallProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def cli_env(tmp_path: Path, endpoint: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSSCAN_"))}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials")})
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.mark.parametrize(("sig", "code", "name"), [(signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C"),
                                                    (signal.SIGTERM, EXIT_TERMINATED, "SIGTERM")])
def test_a_signal_during_a_stalled_call_exits_promptly_and_keeps_the_snapshot(tmp_path, moto_url, sig, code, name):
    """Before: Ctrl-C hung for minutes (the stalled worker was joined at exit); SIGTERM killed the
    run with nothing written."""
    out = tmp_path / "report"
    with StallProxy(moto_url, b"/analyzer") as proxy:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner.cli", "--region", "us-east-1", "--workers", "2", "--out", str(out)],
            env=cli_env(tmp_path, proxy.url, AWSSCAN_READ_TIMEOUT="90"), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            assert proxy.stalled.wait(120), "the scan reached the stalled call"
            time.sleep(0.5)
            sent = time.monotonic()
            proc.send_signal(sig)
            stdout, stderr = proc.communicate(timeout=30)
            seconds = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    no_traceback(stdout, stderr)
    assert proc.returncode == code, stderr
    assert seconds < 15, f"took {seconds:.1f}s to stop"
    line = last_line(stderr)
    assert line.startswith(f"awsscan: interrupted ({name}): the collectors that finished were saved to "), line
    snap = json.loads((out / "inventory.json").read_text())
    assert snap["meta"]["partial"] is True
    assert "accessanalyzer.analyzers" not in {r["collector"] for r in snap["meta"]["runs"]}, "the stalled one is not in it"


def test_a_second_ctrl_c_stops_at_once_without_a_traceback(tmp_path, moto_url):
    out = tmp_path / "report"
    with StallProxy(moto_url, b"/analyzer") as proxy:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner.cli", "--region", "us-east-1", "--workers", "2", "--out", str(out)],
            env=cli_env(tmp_path, proxy.url, AWSSCAN_READ_TIMEOUT="90"), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            assert proxy.stalled.wait(120)
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            time.sleep(0.3)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    no_traceback(stdout, stderr)
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    line = last_line(stderr)
    assert line.startswith(("awsscan: interrupted again: stopping now", "awsscan: interrupted (Ctrl-C)")), line
    if "saved to" in line or line.startswith("awsscan: interrupted (Ctrl-C)"):
        assert json.loads((out / "inventory.json").read_text())["meta"]["partial"] is True


# --- 5. bad environments: one line, exit 2; a bug: one line, exit 4 -----------------------------

class HtmlEndpoint:
    """Answers sts:GetCallerIdentity like AWS, and everything else with an HTML page and HTTP 200
    (a captive portal or a web server where an endpoint was expected)."""

    IDENTITY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AID</UserId>"
                b"<Account>123456789012</Account></GetCallerIdentityResult>"
                b"<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetCallerIdentityResponse>")

    def __init__(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if b"Action=GetCallerIdentity" in body:
                    data, ctype = endpoint.IDENTITY, "text/xml"
                else:
                    data, ctype = b"<!doctype html><html><body><h1>Welcome</h1></body></html>", "text/html"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def html_endpoint() -> Iterator[str]:
    endpoint = HtmlEndpoint()
    yield endpoint.url
    endpoint.close()


CONFIG = """\
[profile badproc]
credential_process = "{python}" -c "print('this is not JSON')"
region = us-east-1

[profile webid]
role_arn = arn:aws:iam::123456789012:role/ci
web_identity_token_file = {missing}
region = us-east-1
"""


@pytest.mark.parametrize(("case", "needle"), [
    ("credential_process", "credential_process of profile 'badproc' did not print valid JSON"),
    ("web_identity_env", "cannot read the web identity token file"),
    ("web_identity_profile", "cannot read the web identity token file"),
    ("endpoint_not_a_url", "invalid endpoint URL 'not a url'"),
    ("html_endpoint", "the endpoint's answer to ec2:DescribeRegions is not an AWS response"),
    ("unknown_profile", "unknown AWS profile 'ghost'"),
    ("no_credentials", "no AWS credentials found"),
])
def test_a_bad_environment_is_one_line_and_exit_2(tmp_path, html_endpoint, case, needle):
    """Before: credential_process, web identity, endpoint URL and HTML answers ended in a traceback."""
    cfg = tmp_path / "config"
    cfg.write_text(CONFIG.format(python=sys.executable, missing=tmp_path / "missing-token"))
    env = cli_env(tmp_path, AWS_CONFIG_FILE=str(cfg))
    keyless = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    if case == "credential_process":
        env = {k: v for k, v in env.items() if k not in keyless} | {"AWS_PROFILE": "badproc"}
    elif case == "web_identity_env":
        env = {k: v for k, v in env.items() if k not in keyless} | {
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "missing-token"), "AWS_ROLE_ARN": "arn:aws:iam::1:role/x"}
    elif case == "web_identity_profile":
        env = {k: v for k, v in env.items() if k not in keyless} | {"AWS_PROFILE": "webid"}
    elif case == "endpoint_not_a_url":
        env["AWS_ENDPOINT_URL"] = "not a url"
    elif case == "html_endpoint":
        env["AWS_ENDPOINT_URL"] = html_endpoint
    elif case == "unknown_profile":
        env["AWS_PROFILE"] = "ghost"
    elif case == "no_credentials":
        env = {k: v for k, v in env.items() if k not in keyless}
    proc = subprocess.run([sys.executable, "-m", "scanner.cli", "--region", "us-east-1", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    no_traceback(proc.stdout, proc.stderr)
    assert proc.returncode == EXIT_USAGE, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("awsscan: error: ") and needle in lines[0], lines[0]


def test_a_bug_is_one_line_and_exit_4_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    import scanner.session as session_mod

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("an awsscan bug")

    monkeypatch.setattr(session_mod, "identify", broken)
    with mock_aws():
        result = invoke("--region", "us-east-1", "--out", str(tmp_path / "o"))
        debug = invoke("--debug", "--region", "us-east-1", "--out", str(tmp_path / "o"))
    assert result.exit_code == EXIT_INTERNAL
    no_traceback(result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("awsscan: internal error: RuntimeError: an awsscan bug at tests/test_hardening_cli.py:")
    assert "--debug" in lines[0]
    assert debug.exit_code == EXIT_INTERNAL
    assert "Traceback (most recent call last)" in debug.stderr and "an awsscan bug" in debug.stderr
    assert last_line(debug.stderr).startswith("awsscan: internal error: RuntimeError")


# --- 6. S3 Control behind a custom endpoint -------------------------------------------------------

def test_account_public_access_block_is_readable_through_aws_endpoint_url(moto_url, monkeypatch):
    """Before: botocore sent s3control to 123456789012.127.0.0.1:<port>, so it was never readable."""
    import boto3

    from scanner.collectors import load_all
    from scanner.runner import scan
    from scanner.session import make_session, strip_s3control_account_prefix, verify_identity

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    setup = boto3.Session(region_name="us-east-1")
    setup.events.register("before-call.s3-control", strip_s3control_account_prefix)
    setup.client("s3").create_bucket(Bucket="pab-probe")
    setup.client("s3control").put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    session = make_session(None, "us-east-1")
    identity = verify_identity(session)
    inv = scan(session, identity, ["us-east-1"], collectors=[c for c in load_all() if c.name == "s3.buckets"])
    bucket = inv.graph.nodes["arn:aws:s3:::pab-probe"]
    assert bucket["props"]["account_public_access_block_read"] is True
    assert all(bucket["props"]["account_public_access_block"].values())
    assert not [g for g in inv.meta.get("gaps", []) if "AccountPublicAccessBlock" in str(g)]


def test_the_s3control_fix_keeps_aws_hosts_as_aws_expects():
    from scanner.session import strip_s3control_account_prefix

    def url_after(url: str) -> str:
        params = {"url": url, "headers": {"x-amz-account-id": "123456789012"}}
        strip_s3control_account_prefix(params=params)
        return params["url"]

    assert url_after("https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/configuration/"
                     "publicAccessBlock") == ("https://123456789012.s3-control.us-east-1.amazonaws.com/"
                                              "v20180820/configuration/publicAccessBlock")
    assert url_after("http://123456789012.127.0.0.1:5000/v20180820/x") == "http://127.0.0.1:5000/v20180820/x"
    assert url_after("http://123456789012.localstack.internal:4566/v20180820/x") == \
        "http://localstack.internal:4566/v20180820/x"


# --- 7. control characters never reach the terminal ----------------------------------------------

def test_escape_sequences_in_account_text_never_reach_the_terminal(tmp_path, hooked, monkeypatch):
    """Before: rich's escape only handled markup; ESC ] 0 ; title BEL and colour codes went out raw.

    EC2 tags travel in XML, which cannot carry ESC, so the hostile text comes in where AWS does
    carry it: a JSON-protocol error message (printed as a warning), the project name, a snapshot."""
    few_collectors(monkeypatch, "ec2", "lambda")
    hook = Answer("ValidationException", status=400, message=f"bad function {HOSTILE}",
                  when=lambda r: "lambda." in r.url)
    hooked(hook)
    out = tmp_path / "report"
    with mock_aws():
        import boto3

        boto3.client("ec2", region_name="us-east-1").create_vpc(
            CidrBlock="10.7.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
                {"Key": "Name", "Value": "vpc-looks-fine"}]}])
        result = invoke("--region", "us-east-1", "--out", str(out), "--name", f"Shop {HOSTILE}")
    assert result.exit_code == 0, result.stderr
    assert hook.answered, "the hostile error message was served"
    assert "bad function" in result.stderr and "Shop" in result.stdout
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, repr(text)

    snap = json.loads((out / "inventory.json").read_text())
    snap["meta"]["name"] = f"Evil {HOSTILE}"
    snap["meta"]["account"] = f"1234{HOSTILE}"
    hostile_snap = tmp_path / "hostile.json"
    hostile_snap.write_text(json.dumps(snap))
    rendered = invoke("render", str(hostile_snap), "--out", str(tmp_path / "again"))
    assert "Evil" in rendered.stdout
    for text in (rendered.stdout, rendered.stderr):
        assert "\x1b" not in text and "\x07" not in text, repr(text)

    profile = invoke("--profile", f"x{HOSTILE}", "--out", str(tmp_path / "p"))
    assert profile.exit_code == EXIT_USAGE
    assert "\x1b" not in profile.stderr and last_line(profile.stderr).startswith("awsscan: error: unknown AWS profile")

"""Local servers for whole-tool tests: moto's server mode and a fault-injecting proxy.

Both bind to 127.0.0.1 only. The proxy sits between awsscan (AWS_ENDPOINT_URL)
and moto and, at configurable rates, answers with a throttling error in the
caller's protocol, a 5xx, or drops the connection, so the real retry path of
botocore is exercised end to end.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run ``moto.server`` in a child process on 127.0.0.1; yields its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")


@dataclass
class FaultRates:
    throttle: float = 0.0
    server_error: float = 0.0
    reset: float = 0.0
    slow: float = 0.0          # answer only after ``delay`` seconds, beyond the client's read timeout
    delay: float = 0.0
    seed: int = 7
    counts: dict[str, int] = field(default_factory=lambda: {"requests": 0, "throttle": 0, "5xx": 0, "reset": 0,
                                                            "slow": 0})


def error_response(headers: dict[str, str], body: bytes, kind: str) -> tuple[int, dict[str, str], bytes]:
    """A throttling ("throttle") or server ("5xx") error shaped for the request's protocol, as AWS sends it."""
    ctype = headers.get("content-type", "")
    scope = _SCOPE.search(headers.get("authorization", ""))
    service = scope.group(2) if scope else ""
    status = 400 if kind == "throttle" else 503
    if "x-amz-json" in ctype:
        code = "ThrottlingException" if kind == "throttle" else "ServiceUnavailableException"
        return status, {"Content-Type": ctype}, json.dumps({"__type": code, "message": "Rate exceeded"}).encode()
    if "x-www-form-urlencoded" in ctype:
        if kind == "throttle":
            code = "RequestLimitExceeded" if b"Version=2016-11-15" in body else "Throttling"
        else:
            code = "Unavailable" if b"Version=2016-11-15" in body else "ServiceUnavailable"
        xml = (f"<Response><Errors><Error><Code>{code}</Code><Message>Try again</Message></Error>"
               f"</Errors><RequestID>fault</RequestID></Response>")
        return status, {"Content-Type": "text/xml"}, xml.encode()
    if service == "s3":
        code = "SlowDown" if kind == "throttle" else "ServiceUnavailable"
        xml = f"<Error><Code>{code}</Code><Message>Please reduce your request rate.</Message></Error>"
        return 503, {"Content-Type": "application/xml"}, xml.encode()
    if kind == "throttle":
        return 429, {"Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException"}, \
            json.dumps({"message": "Too Many Requests"}).encode()
    return 503, {"Content-Type": "application/json", "x-amzn-ErrorType": "ServiceUnavailableException"}, \
        json.dumps({"message": "Service Unavailable"}).encode()


class FaultProxy:
    """A forwarding HTTP proxy in front of moto that injects faults at the given rates."""

    def __init__(self, upstream: str, rates: FaultRates) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.rates = rates
        self._rng = random.Random(rates.seed)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.pick()
                if fault == "slow":
                    time.sleep(proxy.rates.delay)
                if fault == "reset":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault in ("throttle", "5xx"):
                    status, headers, payload = error_response(
                        {k.lower(): v for k, v in self.headers.items()}, body, fault)
                elif fault == "empty5xx":  # a load balancer in front of the service: 502, no body
                    status, headers, payload = 502, {}, b""
                else:
                    status, headers, payload = proxy.forward(self.command, self.path, self.headers, body)
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def pick(self) -> str:
        with self._lock:
            self.rates.counts["requests"] += 1
            x = self._rng.random()
            r = self.rates
            if x < r.throttle:
                kind = "throttle"
            elif x < r.throttle + r.server_error:
                kind = "5xx" if self._rng.random() < 0.5 else "empty5xx"
            elif x < r.throttle + r.server_error + r.reset:
                kind = "reset"
            elif x < r.throttle + r.server_error + r.reset + r.slow:
                kind = "slow"
            else:
                return "pass"
            r.counts["5xx" if kind == "empty5xx" else kind] += 1
            return kind

    def forward(self, method: str, path: str, headers: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.upstream, timeout=60)
        try:
            hdrs = {k: v for k, v in headers.items() if k.lower() not in ("connection",)}  # type: ignore[attr-defined]
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

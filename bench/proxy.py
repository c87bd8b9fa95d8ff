"""A latency proxy for the scan benchmark: forwards to moto, adding a round trip to every request.

Real AWS answers a Describe call in 50-200 ms; moto on the same machine in a few. A scan that
is fast against moto can still be slow against AWS if it waits for one answer after another,
so the benchmark puts this proxy between awsscan (AWS_ENDPOINT_URL) and moto. It binds to
127.0.0.1 only, sleeps ``latency`` seconds per request in the thread serving it (so requests
in flight overlap, as they do against AWS), and counts the requests of each lane (service and
region, read from the SigV4 credential scope) with the time of its first request and last
answer: what the proxy saw, independent of what the scanner says it did.

It can also stand in for the server: with ``record`` on, every answer is kept, keyed by what
identifies the request (service and region of its credential scope, method, X-Amz-Target, path,
body); with ``replay`` on, a request seen before gets the kept answer, after the same latency, without
reaching moto. moto answers from one Python process on the machine the scanner runs on (about
5 s of CPU for a 2-region scan of the large fixture); replayed, the server costs almost
nothing, as AWS's servers cost the scanner's machine nothing, so the row measures the scanner
alone. A request not recorded still goes to moto (``misses``).
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")
_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"})


@dataclass
class LaneSeen:
    requests: int = 0
    first: float = 0.0
    last: float = 0.0


@dataclass
class Seen:
    """What passed through the proxy, per (service, region)."""

    lanes: dict[tuple[str, str], LaneSeen] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, service: str, region: str, now: float) -> None:
        with self.lock:
            lane = self.lanes.setdefault((service, region), LaneSeen(first=now))
            lane.requests += 1

    def answered(self, service: str, region: str, now: float) -> None:
        with self.lock:
            lane = self.lanes.get((service, region))
            if lane is not None:
                lane.last = max(lane.last, now)

    @property
    def total(self) -> int:
        return sum(lane.requests for lane in self.lanes.values())

    def reset(self) -> None:
        with self.lock:
            self.lanes.clear()


Answer = tuple[int, list[tuple[str, str]], bytes]


class LatencyProxy:
    """A threaded forwarding HTTP proxy on 127.0.0.1 that adds ``latency`` seconds per request."""

    def __init__(self, upstream: str, latency: float = 0.1) -> None:
        self.upstream = upstream.removeprefix("http://").rstrip("/")
        self.latency = latency
        self.seen = Seen()
        self.record = False
        self.replay = False
        self.recorded: dict[tuple[str, str, str, str, str, bytes], Answer] = {}
        self.misses = 0
        self._local = threading.local()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                scope = _SCOPE.search(self.headers.get("Authorization", ""))
                region, service = (scope.group(1), scope.group(2)) if scope else ("?", "?")
                proxy.seen.request(service, region, time.monotonic())
                if proxy.latency > 0:
                    time.sleep(proxy.latency)
                status, headers, payload = proxy.answer(service, region, self.command, self.path, self.headers, body)
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in _HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                proxy.seen.answered(service, region, time.monotonic())

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="latency-proxy")

    def answer(self, service: str, region: str, method: str, path: str, headers: Any, body: bytes) -> Answer:
        """The kept answer when replaying one seen before, else moto's (kept when recording)."""
        # JSON APIs name the operation in a header, not in the path or the body (often "{}")
        key = (service, region, method, headers.get("X-Amz-Target", ""), path, body)
        if self.replay:
            kept = self.recorded.get(key)
            if kept is not None:
                return kept
            with self.seen.lock:
                self.misses += 1
        got = self.forward(method, path, headers, body)
        if self.record:
            self.recorded[key] = got
        return got

    def _connection(self) -> http.client.HTTPConnection:
        """One kept-alive connection to moto per serving thread."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.upstream, timeout=300)
        return conn

    def forward(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        hdrs = {k: v for k, v in headers.items() if k.lower() not in _HOP}
        for attempt in (1, 2):  # a kept-alive connection moto closed meanwhile: reconnect once
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                return resp.status, resp.getheaders(), resp.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def __enter__(self) -> LatencyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

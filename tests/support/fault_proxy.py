"""A fault-injecting HTTP proxy on loopback: in front of a real remote it answers some requests
with 500, 429 + Retry-After, a stall past the client's timeout, a dropped connection (before or
after the remote acted) or a truncated JSON body. Seeded, so a failing run can be repeated."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

FAULTS = ("500", "429", "stall", "drop_before", "drop_after", "truncate")


class FaultProxy:
    def __init__(self, upstream: str, *, rate: float = 0.25, seed: int = 7, stall: float = 1.5):
        parts = urlsplit(upstream)
        self.upstream_origin = f"{parts.scheme}://{parts.netloc}"
        self.rate, self.stall, self.rng, self.lock = rate, stall, random.Random(seed), threading.Lock()
        self.seen: Counter[str] = Counter()
        self.client = httpx.Client(base_url=self.upstream_origin, timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                proxy.handle(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address
        self.origin = f"http://{host}:{port}"
        self.url = self.origin + parts.path
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def pick(self) -> str:
        with self.lock:
            fault = self.rng.choice(FAULTS) if self.rng.random() < self.rate else "ok"
            self.seen[fault] += 1
            return fault

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        try:
            self._handle(h)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up on a stalled answer
            h.close_connection = True

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        fault = self.pick()
        if fault == "drop_before":
            return self._drop(h)
        if fault in ("500", "429"):
            return self._answer(h, int(fault), b'{"error": "injected"}', {"Retry-After": "1"} if fault == "429" else {})
        if fault == "stall":
            time.sleep(self.stall)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        if "Origin" in headers:
            headers["Origin"] = self.upstream_origin  # Roundup checks it against its own address
        response = self.client.request(h.command, h.path, content=body, headers=headers)
        if fault == "drop_after":
            return self._drop(h)
        content = response.content
        if fault == "truncate" and len(content) > 2:
            content = content[: len(content) // 2]
        keep = {k: v for k, v in response.headers.items()
                if k.lower() in ("content-type", "etag", "location", "x-count-total")}  # fmt: skip
        self._answer(h, response.status_code, content, keep)

    @staticmethod
    def _answer(h, status: int, content: bytes, headers: dict) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(content)))
        h.end_headers()
        h.wfile.write(content)

    @staticmethod
    def _drop(h) -> None:
        h.close_connection = True
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()

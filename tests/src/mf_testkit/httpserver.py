"""A local HTTP server that behaves like the sites the downloader meets, for tests.

Real files with Range support, HTML pages with <video>, cookie-guarded media, throttled
and hanging responses, error statuses, garbage, and routes the test registers itself
(feeds that change between polls). Bound to 127.0.0.1 (not localhost: yt-dlp sends no
cookie for a `localhost` domain). Quiet: client resets and request logs never reach stderr.
"""
from __future__ import annotations

import contextlib
import html
import logging
import os
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

log = logging.getLogger(__name__)

RouteFn = Callable[[BaseHTTPRequestHandler], "tuple[int, dict[str, str], bytes | str]"]

CONTENT_TYPES = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".m4a": "audio/mp4",
    ".webm": "video/webm", ".mkv": "video/x-matroska", ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg", ".opus": "audio/ogg", ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t", ".mpd": "application/dash+xml", ".html": "text/html; charset=utf-8",
    ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain",
}


def content_type_for(path: Path) -> str:
    """Explicit table: `mimetypes` misses .mkv/.m3u8 on some systems and guesses .ts wrong."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler stuck in /hang must never block shutdown
    allow_reuse_address = True

    def __init__(self, media: MediaServer) -> None:
        self.media = media
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address) -> None:
        """Clients hang up mid-body all the time (yt-dlp cancelling): not an error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        self.media.errors.append(exc)  # tests may assert `server.errors == []`
        log.error("MediaServer handler error", exc_info=exc)


class MediaServer:
    """Threaded HTTP server over a media directory. See the module docstring for paths:
    /files/, /page/, /page-source/, /cookie/files/, /cookie/page/, /set-cookie,
    /slow/files/?bps=N, /status/<code>, /hang, /garbage, plus `route()`/`route_fn()`.
    """

    def __init__(self, root: Path, *, cookie_value: str | None = None) -> None:
        self.root = Path(root).resolve()
        self.cookie_value = cookie_value or secrets.token_urlsafe(16)
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
        self._routes: dict[str, RouteFn] = {}
        self._requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> MediaServer:
        if self._httpd is None:
            self.stopping.clear()
            self._httpd = _Server(self)
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name="MediaServer", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, wake /hang and /slow handlers, cut open keep-alive sockets."""
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    __enter__ = start

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("MediaServer is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def route(self, path: str, body: bytes | str, *, status: int = 200,
              content_type: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        """Serve a fixed response at `path` (exact match, query ignored); re-register to
        change it. Registered routes win over the built-in paths."""
        extra = {"Content-Type": content_type, **(headers or {})}
        self.route_fn(path, lambda _h: (status, extra, body))

    def route_fn(self, path: str, fn: RouteFn) -> None:
        """Serve `fn(handler) -> (status, headers, body)` at `path`, called per request
        (GET, HEAD, POST), so a feed can change between polls."""
        with self._lock:
            self._routes["/" + path.lstrip("/")] = fn

    def find_route(self, path: str) -> RouteFn | None:
        return self._routes.get(path)

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        """Snapshot of (method, raw path incl. query, headers) in arrival order."""
        with self._lock:
            return list(self._requests)

    def hits(self, path_prefix: str = "/") -> int:
        """How many requests so far had a path (with query) starting with `path_prefix`."""
        return sum(1 for _, p, _ in self.requests if p.startswith(path_prefix))

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((method, path, headers))

    def track(self, conn: socket.socket, *, open_: bool) -> None:
        with self._lock:
            (self._conns.add if open_ else self._conns.discard)(conn)


class Unsatisfiable(ValueError):
    """The Range header asks only for bytes past the end (answer 416)."""


def parse_range(value: str | None, size: int) -> tuple[int, int] | None:
    """Parse a single `bytes=` range into inclusive (start, end) for a file of `size` bytes.

    None means "send the whole file": no header, a multi-range or a malformed one (RFC 9110
    lets a server ignore Range). Raises Unsatisfiable for ranges past the end.
    """
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value or "")
    if not m or m.groups() == ("", ""):
        return None
    first, last = m.groups()
    if first == "":
        if int(last) == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - int(last)), size - 1
    start, end = int(first), int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


class Handler(BaseHTTPRequestHandler):
    """Request handler; the server's MediaServer holds the state (`self.media`)."""

    protocol_version = "HTTP/1.1"   # keep-alive, like real servers (HLS reuses connections)
    timeout = 15                    # idle keep-alive connections do not live forever
    server: _Server
    body: bytes = b""

    @property
    def media(self) -> MediaServer:
        return self.server.media

    def setup(self) -> None:
        super().setup()
        self.media.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.media.track(self.connection, open_=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr line."""

    def do_GET(self) -> None:
        self._dispatch(head=False)

    do_POST = do_GET

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def _dispatch(self, *, head: bool) -> None:
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        self.media.record(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fn = self.media.find_route(path)
        if fn is not None:
            return self._send_route(fn, head=head)
        if self.command == "POST":
            return self.send_body(405, b"method not allowed\n", head=head)
        for prefix, name in _PREFIX_ROUTES.items():
            if path.startswith(prefix):
                return getattr(self, name)(path[len(prefix):], query, head)
        if path in _EXACT_ROUTES:
            return getattr(self, _EXACT_ROUTES[path])(head)
        self.send_body(404, b"not found\n", head=head)

    def send_body(self, status: int, body: bytes | str, *, head: bool,
                  headers: dict[str, str] | None = None) -> None:
        """Whole response with an exact Content-Length (required for keep-alive)."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        hdrs = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        for name, value in hdrs.items():
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, item)
        if "Content-Length" not in hdrs:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head and status not in (204, 304):
            self.wfile.write(data)

    def _send_route(self, fn: RouteFn, *, head: bool) -> None:
        try:
            status, headers, body = fn(self)
        except Exception as exc:  # noqa: BLE001 - a broken route must show, not hang the client
            self.media.errors.append(exc)
            status, headers, body = 500, {}, b"route function failed\n"
        self.send_body(status, body, head=head, headers=headers)

    def _files(self, rel: str, query: dict, head: bool, *, bps: int | None = None) -> None:
        """A file under the root, with single-range support (206/416) and HEAD."""
        path = (self.media.root / rel).resolve()
        if not path.is_relative_to(self.media.root) or not path.is_file():
            return self.send_body(404, b"no such file\n", head=head)
        size = path.stat().st_size
        try:
            rng = parse_range(self.headers.get("Range"), size)
        except Unsatisfiable:
            return self.send_body(416, b"", head=head, headers={"Content-Range": f"bytes */{size}"})
        start, end = rng or (0, size - 1)
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", content_type_for(path))
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not head:
            self._copy(path, start, end - start + 1, bps=bps)

    def _copy(self, path: Path, start: int, length: int, *, bps: int | None) -> None:
        """Stream a file slice; with `bps`, never ahead of bps * elapsed (a true rate cap)."""
        chunk = max(1024, (bps or 0) // 20) if bps else 64 * 1024
        began, sent = time.monotonic(), 0
        with open(path, "rb") as fh:
            fh.seek(start)
            while sent < length:
                data = fh.read(min(chunk, length - sent))
                if not data:
                    break
                if bps:
                    delay = (sent + len(data)) / bps - (time.monotonic() - began)
                    if delay > 0 and self.media.stopping.wait(delay):
                        self.close_connection = True
                        return
                self.wfile.write(data)
                sent += len(data)

    def _slow(self, rel: str, query: dict, head: bool) -> None:
        bps = int(query.get("bps", ["200000"])[0])
        self._files(rel, query, head, bps=max(1, bps))

    def _authorized(self) -> bool:
        try:
            jar = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            return False
        morsel = jar.get("mf_auth")
        return morsel is not None and secrets.compare_digest(morsel.value, self.media.cookie_value)

    def _cookie(self, rel: str, query: dict, head: bool) -> None:
        if not self._authorized():
            return self.send_body(403, b"forbidden: cookie mf_auth missing or wrong\n", head=head)
        if rel.startswith("files/"):
            return self._files(rel[len("files/"):], query, head)
        if rel.startswith("page/"):
            return self._page(rel[len("page/"):], query, head, files="/cookie/files/")
        self.send_body(404, b"not found\n", head=head)

    def _page_source(self, rel: str, query: dict, head: bool) -> None:
        self._page(rel, query, head, source=True)

    def _page(self, rel: str, query: dict, head: bool, *, files: str = "/files/",
              source: bool = False) -> None:
        """A page whose only media is one <video> (or <video><source>) pointing at `rel`."""
        src = html.escape(files + quote(rel))
        if source:
            kind = html.escape(content_type_for(Path(rel)))
            video = f'<video controls><source src="{src}" type="{kind}"></video>'
        else:
            video = f'<video controls src="{src}"></video>'
        title = html.escape(f"MediaFetcher test video {rel}")
        page = (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
                f"</head>\n<body><h1>{title}</h1>\n{video}\n</body></html>\n")
        self.send_body(200, page, head=head, headers={"Content-Type": "text/html; charset=utf-8"})

    def _status(self, rest: str, query: dict, head: bool) -> None:
        code = int(rest) if rest.isdigit() else 0
        if not 200 <= code <= 599:
            return self.send_body(400, b"bad status code\n", head=head)
        headers: dict[str, str] = {}
        if code in (429, 503):
            headers["Retry-After"] = query.get("retry_after", ["1"])[0]
        if "location" in query:
            headers["Location"] = query["location"][0]
        self.send_body(code, f"status {code}\n", head=head, headers=headers)

    def _hang(self, head: bool) -> None:
        """Read the request, answer nothing until the server stops (client timeouts)."""
        self.media.stopping.wait()
        self.close_connection = True

    def _garbage(self, head: bool) -> None:
        self.send_body(200, os.urandom(4096), head=head,
                       headers={"Content-Type": "text/html; charset=utf-8"})

    def _set_cookie(self, head: bool) -> None:
        """Sets the auth cookie plus an unrelated one (exporters must keep both)."""
        cookies = [f"mf_auth={self.media.cookie_value}; Path=/; Max-Age=3600; SameSite=Lax",
                   "mf_pref=dark; Path=/; Max-Age=3600"]
        page = "<!DOCTYPE html><html><head><title>cookies set</title></head><body>ok</body></html>"
        self.send_body(200, page, head=head,
                       headers={"Content-Type": "text/html; charset=utf-8", "Set-Cookie": cookies})


_PREFIX_ROUTES = {  # built-in paths -> Handler methods (test routes are checked first)
    "/files/": "_files", "/slow/files/": "_slow", "/cookie/": "_cookie", "/page/": "_page",
    "/page-source/": "_page_source", "/status/": "_status",
}
_EXACT_ROUTES = {"/hang": "_hang", "/garbage": "_garbage", "/set-cookie": "_set_cookie"}

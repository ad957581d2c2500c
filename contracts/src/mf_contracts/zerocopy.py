"""Zero-copy file bodies: ASGI's "http.response.zerocopysend" extension, for uvicorn.

uvicorn does not implement the extension, so a video went through Python on its way
out: read into a buffer (a thread hop per chunk), copied into the socket, then into
the client. That capped streaming at about 0.4x the throughput of nginx's sendfile on
the same file (bench/gateway_bench.py). With this protocol the kernel copies the file
straight into the socket (`os.sendfile`), as nginx does.

How: `ZeroCopyProtocol` is uvicorn's httptools protocol that advertises the extension
in each request's scope and gives the request's cycle a `send` that understands the
message; everything else is left to uvicorn. The body bypasses uvicorn's write buffer,
so it waits until that buffer is empty (the headers are out), then pumps the file:
each `sendfile` call runs in a worker thread (a cold read from a NAS blocks, and must
not block the event loop), and a full socket is awaited on the event loop, not in a
thread, so a paused player holds no thread. Plain-text HTTP only: over TLS the bytes
must go through the TLS layer, so the extension is not offered there.

`ZeroCopyFileResponse` is Starlette's FileResponse (Range, If-Range, ETag, HEAD) that
sends whole files and single ranges this way when the server offers it, and is
Starlette's own otherwise (tests using an in-process transport, multi-range requests).
"""
from __future__ import annotations

import asyncio
import errno
import os
from typing import Any

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import (FileResponse, MalformedRangeHeader, PlainTextResponse,
                                 RangeNotSatisfiable, Response)
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

EXTENSION = "http.response.zerocopysend"
SLICE = 16 * 1024 * 1024  # at most this much per sendfile call (one thread hop each)
# uvicorn's per-request bookkeeping that a zero-copy body must keep true (the byte count
# against Content-Length, completion, keep-alive); checked, not assumed, per request.
_CYCLE_STATE = ("response_started", "response_complete", "chunked_encoding",
                "expected_content_length", "disconnected", "keep_alive", "transport")
# The client is gone (or never will read again): stop, close the connection.
_GONE = (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.ECONNABORTED, errno.ESHUTDOWN)


class ZeroCopyProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus the zero-copy send extension (plain TCP only)."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # On an upgrade request no new cycle was made: leave the old one alone.
        if cycle is None or cycle.scope is not self.scope or cycle.response_started:
            return
        if self.transport.get_extra_info("sslcontext") is not None:
            return
        if not all(hasattr(cycle, name) for name in _CYCLE_STATE):
            return  # a uvicorn whose bookkeeping differs: the plain path still works
        self.scope.setdefault("extensions", {})[EXTENSION] = {}
        cycle.send = _ZeroCopySend(cycle)  # shadows the method: the ASGI task starts later


class _ZeroCopySend:
    def __init__(self, cycle: Any) -> None:
        self.cycle = cycle
        self.plain = type(cycle).send.__get__(cycle)

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] != EXTENSION:
            return await self.plain(message)
        cycle = self.cycle
        if cycle.disconnected:
            return
        count = int(message["count"])
        if (not cycle.response_started or cycle.response_complete or cycle.chunked_encoding
                or cycle.scope["method"] == "HEAD" or count > cycle.expected_content_length):
            raise RuntimeError("zerocopysend needs a started response whose Content-Length "
                               "covers the file part")
        file = message["file"]
        file_fd = file if isinstance(file, int) else file.fileno()
        offset = message.get("offset")
        if offset is None:
            offset = os.lseek(file_fd, 0, os.SEEK_CUR)
        sent = await _send_file(cycle.transport, file_fd, int(offset), count)
        if sent < count:  # the client left mid-file: the promised length cannot be kept
            cycle.keep_alive = False
            cycle.response_complete = True
            cycle.transport.close()
            return
        cycle.expected_content_length -= count
        if not message.get("more_body", False):
            await self.plain({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_file(transport: asyncio.Transport, file_fd: int, offset: int, count: int) -> int:
    """Bytes of the file sent to the transport's socket (fewer: the client went away)."""
    loop = asyncio.get_running_loop()
    # uvicorn may still hold the headers (or earlier body) in the transport's buffer.
    while transport.get_write_buffer_size() and not transport.is_closing():
        await asyncio.sleep(0.0005)
    if transport.is_closing():
        return 0
    # A duplicate of the socket: when the client disconnects, uvloop closes its own fd,
    # and that number could be reused by a new connection while a sendfile of ours is
    # still running. The duplicate keeps this socket alive until we are done.
    sock_fd = os.dup(transport.get_extra_info("socket").fileno())
    pending: asyncio.Future | None = None
    sent = 0
    try:
        while sent < count:
            pending = loop.run_in_executor(None, _sendfile, sock_fd, file_fd, offset + sent,
                                           min(SLICE, count - sent))
            n = await asyncio.shield(pending)
            pending = None
            if n is None:
                await _writable(loop, sock_fd)
            elif n <= 0:  # the client is gone (-1), or the file ended early (0)
                break
            else:
                sent += n
    finally:
        if pending is not None and not pending.done():
            # Cancelled while a sendfile runs: close the duplicate once it returns.
            pending.add_done_callback(lambda _: os.close(sock_fd))
        else:
            os.close(sock_fd)
    return sent


def _sendfile(sock_fd: int, file_fd: int, offset: int, count: int) -> int | None:
    """One sendfile call: bytes sent, None when the socket is full, -1 when it is dead."""
    try:
        return os.sendfile(sock_fd, file_fd, offset, count)
    except BlockingIOError:
        return None
    except OSError as exc:
        if exc.errno in _GONE:
            return -1
        raise


async def _writable(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    """Until the socket takes more (or fails: a dead peer wakes the writer too)."""
    ready = loop.create_future()
    loop.add_writer(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_writer(fd)


class ZeroCopyFileResponse(FileResponse):
    """FileResponse that lets the kernel send the bytes when the server offers it.

    On that path it also does less per request than Starlette: one thread hop opens
    and stats the file (Starlette stats, then opens, each in a thread), and no task
    group watches for a disconnect (a departed client fails the sendfile at once).
    Ranges are read by Starlette's own parser, with its answers (400, 416, If-Range).
    """

    chunk_size = 1024 * 1024  # the fallback's read size: fewer thread hops than 64 KiB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or EXTENSION not in scope.get("extensions", {}):
            return await super().__call__(scope, receive, send)
        fd, stat_result = await anyio.to_thread.run_sync(_open_and_stat, self.path)
        try:
            self.stat_result = stat_result
            self.set_stat_headers(stat_result)
            part = self._part(scope, stat_result.st_size)
            if part is None:  # several ranges: Starlette's multipart answer
                return await super().__call__(scope, receive, send)
            if isinstance(part, Response):
                return await part(scope, receive, send)
            status, offset, count = part
            headers = MutableHeaders(raw=list(self.raw_headers))
            if status == 206:
                headers["content-range"] = f"bytes {offset}-{offset + count - 1}/" \
                                           f"{stat_result.st_size}"
                headers["content-length"] = str(count)
            await send({"type": "http.response.start", "status": status, "headers": headers.raw})
            if scope["method"].upper() == "HEAD" or count == 0:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send({"type": EXTENSION, "file": fd, "offset": offset, "count": count,
                            "more_body": False})
        finally:
            os.close(fd)
        if self.background is not None:
            await self.background()

    def _part(self, scope: Scope, size: int) -> tuple[int, int, int] | Response | None:
        """(status, offset, count) to send; a Response for a bad Range; None for several."""
        headers = Headers(scope=scope)
        http_range, if_range = headers.get("range"), headers.get("if-range")
        if (self.status_code != 200 or http_range is None
                or scope["method"].upper() not in ("GET", "HEAD")
                or (if_range is not None and not self._should_use_range(if_range))):
            return self.status_code, 0, size
        try:
            ranges = self._parse_range_header(http_range, size)
        except MalformedRangeHeader as exc:
            return PlainTextResponse(exc.content, status_code=400)
        except RangeNotSatisfiable as exc:
            return PlainTextResponse(status_code=416,
                                     headers={"Content-Range": f"bytes */{exc.max_size}"})
        if not ranges:
            return self.status_code, 0, size
        if len(ranges) > 1:
            return None
        start, end = ranges[0]
        return 206, start, end - start


def _open_and_stat(path: str | os.PathLike[str]) -> tuple[int, os.stat_result]:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return fd, os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise

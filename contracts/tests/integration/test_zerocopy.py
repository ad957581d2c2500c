"""Zero-copy file bodies through a real uvicorn server (the runtime's configuration), on
uvloop and on plain asyncio: exact bytes for whole files and ranges, keep-alive intact
after each, HEAD, multi-range fallback, a client that leaves mid-file, and proof that
the kernel (sendfile) sent the bytes rather than Python."""
from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import struct
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from mf_contracts import zerocopy
from mf_contracts.zerocopy import ZeroCopyFileResponse, ZeroCopyProtocol
from starlette.applications import Starlette
from starlette.routing import Route

SIZE = 24 * 1024 * 1024 + 12345  # not a multiple of any slice or chunk


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("zc") / "big.bin"
    path.write_bytes(os.urandom(SIZE))
    return path


class ThreadedServer:
    """uvicorn with ZeroCopyProtocol on its own loop in a thread."""

    def __init__(self, app, loop_kind: str) -> None:
        self.config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                                     access_log=False, lifespan="off", http=ZeroCopyProtocol,
                                     loop="none")
        self.server = uvicorn.Server(self.config)
        self.loop_kind = loop_kind
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        if self.loop_kind == "uvloop":
            import uvloop
            loop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        loop.run_until_complete(self.server.serve(sockets=[self.sock]))

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(params=["uvloop", "asyncio"])
def served(request, big_file, monkeypatch):
    calls = []
    real = zerocopy._sendfile

    def counting(sock_fd, file_fd, offset, count):
        result = real(sock_fd, file_fd, offset, count)
        calls.append(result)
        return result

    monkeypatch.setattr(zerocopy, "_sendfile", counting)

    async def media(request):
        return ZeroCopyFileResponse(big_file, media_type="video/mp4")

    app = Starlette(routes=[Route("/media", media, methods=["GET", "HEAD"])])
    with ThreadedServer(app, request.param) as url:
        yield url, calls


def test_whole_file_and_ranges_are_exact_on_one_keep_alive_connection(served, big_file):
    url, calls = served
    data = big_file.read_bytes()
    with httpx.Client(base_url=url, timeout=30) as client:
        whole = client.get("/media")
        assert whole.status_code == 200
        assert whole.headers["content-length"] == str(SIZE)
        assert hashlib.sha256(whole.content).digest() == hashlib.sha256(data).digest()
        for header, start, end in (("bytes=1000-1999", 1000, 2000),
                                   ("bytes=5000000-", 5_000_000, SIZE),
                                   ("bytes=-4096", SIZE - 4096, SIZE),
                                   ("bytes=0-0", 0, 1)):
            part = client.get("/media", headers={"range": header})
            assert part.status_code == 206, header
            assert part.headers["content-range"] == f"bytes {start}-{end - 1}/{SIZE}"
            assert part.content == data[start:end], header
        unsatisfiable = client.get("/media", headers={"range": f"bytes={SIZE}-"})
        assert unsatisfiable.status_code == 416
        assert unsatisfiable.headers["content-range"] == f"bytes */{SIZE}"
        assert client.get("/media", headers={"range": "bytes=oops"}).status_code == 400
        # If-Range with a stale validator: the whole (changed) file, not the range.
        stale = client.get("/media", headers={"range": "bytes=0-9", "if-range": '"old"'})
        assert stale.status_code == 200 and len(stale.content) == SIZE
        fresh = client.get("/media", headers={"range": "bytes=0-9",
                                              "if-range": whole.headers["etag"]})
        assert fresh.status_code == 206 and fresh.content == data[:10]
        head = client.head("/media")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(SIZE)
        # Every request above went over the same connection: the byte counts were kept.
        assert client.get("/media", headers={"range": "bytes=10-19"}).content == data[10:20]
    sent = sum(n for n in calls if n and n > 0)
    assert sent == 2 * SIZE + 1000 + (SIZE - 5_000_000) + 4096 + 1 + 10 + 10, \
        "Python sent bytes itself"


def test_multiple_ranges_fall_back_to_multipart(served, big_file):
    url, _ = served
    data = big_file.read_bytes()
    r = httpx.get(f"{url}/media", headers={"range": "bytes=0-9,100-109"}, timeout=30)
    assert r.status_code == 206
    assert r.headers["content-type"].startswith("multipart/byteranges")
    assert data[0:10] in r.content and data[100:110] in r.content


def test_a_client_leaving_mid_file_harms_nothing(served, big_file):
    url, _ = served
    data = big_file.read_bytes()
    port = int(url.rsplit(":", 1)[1])
    for _ in range(3):  # players abort requests all the time (seeking)
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"GET /media HTTP/1.1\r\nhost: x\r\n\r\n")
            got = s.recv(256 * 1024)
            assert got.startswith(b"HTTP/1.1 200")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.get("/media", headers={"range": "bytes=123-456788"})
        assert r.status_code == 206 and r.content == data[123:456789]


def test_a_slow_reader_gets_every_byte(served, big_file):
    """The socket fills up (the reader pauses): the server waits for it on the event
    loop and goes on where it stopped."""
    url, calls = served
    port = int(url.rsplit(":", 1)[1])
    want = 8 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.sendall(b"GET /media HTTP/1.1\r\nhost: x\r\nrange: bytes=0-%d\r\n\r\n" % (want - 1))
        time.sleep(0.5)  # let the socket fill
        received = bytearray()
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < want:
            chunk = s.recv(256 * 1024)
            assert chunk, "the server closed the connection early"
            received += chunk
        head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 206")
    assert body == big_file.read_bytes()[: 8 * 1024 * 1024]
    assert None in calls, "the socket was never full: the wait path was not exercised"

"""Request body limits, enforced while reading (Content-Length can lie or be absent),
and NUL characters, refused wherever they come (query, path, JSON body)."""
from __future__ import annotations

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LIMIT = 1024 * 1024
LIMITS = {"/api/cookies": 8 * 1024 * 1024}  # 5,000 cookies of a few KB each


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes the limit. An HTTPException, because
    FastAPI's body parsing re-raises those and turns anything else into a 400 "error
    parsing the body": a chunked upload without Content-Length got that 400 instead of
    this 413 (tests/faults)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large (limit {limit} bytes)")


class NulCharacter(HTTPException):
    """No field of this API accepts a NUL, and Postgres cannot store one: text with it
    reached the database and came back as a 500 (token names, login names, search
    terms; tests/faults). Refused up front, for every route, as a 422."""

    def __init__(self) -> None:
        super().__init__(422, "the request contains a NUL character, which no field accepts")


_NUL_IN_QUERY = (b"\x00", b"%00")
_NUL_IN_BODY = (b"\x00", b"\\u0000")  # raw, or as a JSON escape


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        target = scope.get("query_string", b"") + scope.get("raw_path", b"")
        if any(marker in target for marker in _NUL_IN_QUERY):
            return await _refuse(send, NulCharacter())
        limit = LIMITS.get(scope["path"], DEFAULT_LIMIT)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return await _too_large(send, limit)
        seen = 0
        tail = b""  # the end of the previous chunk: an escape may straddle two chunks

        async def counted() -> Message:
            nonlocal seen, tail
            message = await receive()
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                raise BodyTooLarge(limit)
            if any(marker in tail + chunk for marker in _NUL_IN_BODY):
                raise NulCharacter()
            tail = chunk[-5:]
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _refuse(send: Send, exc: HTTPException) -> None:
    body = orjson.dumps({"detail": exc.detail})
    await send({"type": "http.response.start", "status": exc.status_code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"detail":"request body too large (limit %d bytes)"}' % limit
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})

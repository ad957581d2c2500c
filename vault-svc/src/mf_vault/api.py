"""The vault's internal HTTP API (service token required on every route).

Status codes: 401 no/bad service token; 404 no such jar; 413 too many cookies or too
large a body; 422 a malformed request (the detail says what and where, never echoing a
cookie value); 409 a stored jar that fails authentication (tampered with, or sealed
under a key this server no longer has): the request is fine, the stored state is not
usable until the user sends the cookies again or the operator restores the key.
"""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from mf_contracts.internal_api import require_service_token
from mf_contracts.service import Runtime

from . import jars, netscape, schemas
from .adapters.aesgcm import KeyRing
from .domain import JarTooLarge, JarUnreadable

UserId = Annotated[uuid.UUID, Query(description="the user whose jars these are")]


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the input back; this one says only where and what.
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:3])
        return _error(422, f"invalid request: {problems}")

    @app.exception_handler(schemas.Rejected)
    async def rejected(_: Request, exc: schemas.Rejected) -> JSONResponse:
        return _error(exc.status, exc.detail)

    @app.exception_handler(jars.JarNotFound)
    async def not_found(_: Request, exc: jars.JarNotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(JarUnreadable)
    async def unreadable(_: Request, exc: JarUnreadable) -> JSONResponse:
        return _error(409, str(exc))

    @app.exception_handler(JarTooLarge)
    async def too_large(_: Request, exc: JarTooLarge) -> JSONResponse:
        return _error(413, str(exc))


def build_api(rt: Runtime) -> FastAPI:
    app = FastAPI(title="mf-vault (internal)")  # the runtime puts its settings on app.state
    _install_error_handlers(app)
    app.include_router(_routes(rt))
    return app


def _routes(rt: Runtime) -> APIRouter:
    """Every route needs the service token (/healthz, added by the runtime, does not)."""
    api = APIRouter(dependencies=[Depends(require_service_token)])

    def ring() -> KeyRing:
        return rt.state["keyring"]

    @api.post("/internal/jars")
    async def upload(request: Request) -> dict:
        user_id, cookies = schemas.parse_upload(await _body(request))
        sites = await jars.store_cookies(pool=rt.pool, ring=ring(), user_id=user_id,
                                         cookies=cookies)
        return {"sites": [s.as_json() for s in sites]}

    @api.get("/internal/jars")
    async def listing(user_id: UserId) -> list[dict]:
        return await jars.list_jars(pool=rt.pool, user_id=user_id)

    @api.get("/internal/jars/netscape", response_class=PlainTextResponse)
    async def export(user_id: UserId, url: Annotated[str, Query(max_length=8192)]) -> Response:
        _, cookies = await jars.jar_for_url(pool=rt.pool, ring=ring(), user_id=user_id,
                                            url=schemas.checked_url(url))
        return PlainTextResponse(netscape.format_cookies(cookies),
                                 headers={"cache-control": "no-store"})

    @api.put("/internal/jars/netscape")
    async def import_netscape(request: Request) -> dict:
        user_id, url, cookies = schemas.parse_netscape_upload(await _body(request))
        sites = await jars.import_netscape(pool=rt.pool, ring=ring(), user_id=user_id, url=url,
                                           cookies=cookies)
        return {"sites": [s.as_json() for s in sites]}

    @api.delete("/internal/jars/{site}", status_code=204)
    async def delete(site: str, user_id: UserId) -> Response:
        await jars.delete_jar(pool=rt.pool, user_id=user_id, site=site)
        return Response(status_code=204)

    return api


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > schemas.MAX_BODY_BYTES:
        raise schemas.Rejected(413, f"the upload is larger than "
                                    f"{schemas.MAX_BODY_BYTES // 2**20} MiB")
    return await request.body()


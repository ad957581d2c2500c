"""The public FastAPI app: routers, CORS, body limits, JSON errors, the SPA."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from mf_contracts.db import DATABASE_DOWN, database_unreachable
from mf_contracts.logging import get_logger
from mf_contracts.service import Runtime
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .adapters.internal import InternalService
from .filecache import FileCache
from .limits import BodyLimit
from .routes import access, auth, cookies, events, feeds, jobs, library

log = get_logger(__name__)
RETRY_AFTER_S = 5
DEFAULT_DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"


def build_http(rt: Runtime) -> FastAPI:
    app = FastAPI(title="MediaFetcher", version="0.1.0", docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)
    app.state.rt = rt
    app.state.library = InternalService(rt.settings, name="library", base_url=rt.settings.library_url)
    app.state.vault = InternalService(rt.settings, name="vault", base_url=rt.settings.vault_url)
    app.state.feeds = InternalService(rt.settings, name="feeds", base_url=rt.settings.feeds_url)
    app.state.files = FileCache()
    for router in (auth.router, jobs.router, library.router, events.router, access.router,
                   cookies.router, feeds.router):
        app.include_router(router)
    _errors(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(CORSMiddleware, allow_origins=rt.settings.extension_origins,
                       allow_credentials=True, allow_methods=["GET", "POST", "PATCH", "DELETE"],
                       allow_headers=["authorization", "content-type", "last-event-id"],
                       max_age=600)
    _spa(app, Path(rt.settings.frontend_dist) if rt.settings.frontend_dist else DEFAULT_DIST)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse({"detail": "; ".join(parts) or "invalid request"}, status_code=422)

    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("request failed", path=request.url.path, error=repr(exc))
        return JSONResponse({"detail": "internal error"}, status_code=500)

    async def away(request: Request, exc: Exception) -> JSONResponse:
        """A restarting database or Redis is not a bug: say what is away and that trying
        again will work (a 500 said neither; tests/faults, real restarts of both).
        Registered per class, not under Exception: handlers of Exception run in the
        outermost middleware, which re-raises afterwards, and uvicorn then closes the
        keep-alive connection under the client's next request."""
        if not isinstance(exc, RedisError) and not database_unreachable(exc):
            return await crashed(request, exc)  # a file's OSError, say: a real 500
        what = "the event bus (Redis)" if isinstance(exc, RedisError) else "the database"
        log.warning("request failed, a backing service is away", path=request.url.path,
                    error=repr(exc))
        return JSONResponse({"detail": f"{what} is unreachable right now; try again in a "
                                       "moment"}, status_code=503,
                            headers={"retry-after": str(RETRY_AFTER_S)})

    for kind in (*DATABASE_DOWN, RedisError):
        app.add_exception_handler(kind, away)
    app.add_exception_handler(Exception, crashed)


def _spa(app: FastAPI, dist: Path) -> None:
    """Serve the built web app at /, with index.html for client-side routes."""
    index = dist / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str):
        if path.startswith("api/") or path == "api":
            raise StarletteHTTPException(404, "no such API route")
        if not index.is_file():
            raise HTTPException(404, "the web app is not built (run `make run`, or npm run build in frontend/)")
        target = (dist / path).resolve()
        if path and target.is_file() and dist.resolve() in target.parents:
            return FileResponse(target)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

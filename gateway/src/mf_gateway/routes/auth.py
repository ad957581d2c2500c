"""First-run setup, sign in, refresh rotation, sign out, users."""
from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, Response

from .. import domain, store
from ..deps import Admin, CurrentUser, Rt, rate_limit
from ..schemas import AccessToken, Credentials, LoginIn, NewUser, SetupStatus, UserOut
from ..security import REFRESH_TTL_S, hash_password, issue_access_token, verify_password

router = APIRouter(prefix="/api", tags=["auth"])
REFRESH_COOKIE = "mf_refresh"
_SETUP_LOCK = 7_331_001


@router.get("/setup", response_model=SetupStatus)
async def setup_status(rt: Rt) -> SetupStatus:
    async with rt.pool.acquire() as conn:
        return SetupStatus(needs_setup=await store.count_users(conn) == 0)


@router.post("/setup", response_model=UserOut, status_code=201)
async def setup(body: Credentials, rt: Rt) -> UserOut:
    """Create the first administrator; refused once any user exists."""
    async with rt.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _SETUP_LOCK)
        if await store.count_users(conn):
            raise HTTPException(409, "setup is done already; sign in instead")
        row = await store.create_user(conn, username=body.username,
                                      password_hash=hash_password(body.password), is_admin=True)
    return UserOut.model_validate(dict(row))


@router.post("/auth/login", response_model=AccessToken)
async def login(body: LoginIn, request: Request, response: Response, rt: Rt) -> AccessToken:
    await rate_limit(rt, bucket="login", key=_client(request), per_minute=20)
    async with rt.pool.acquire() as conn:
        user = await store.user_by_name(conn, body.username)
        if not verify_password(user["password_hash"] if user else None, body.password):
            raise HTTPException(401, "wrong username or password")
        async with conn.transaction():
            await _new_refresh(conn, response, request, user_id=user["id"], family_id=uuid.uuid4())
    return _access(rt, user_id=user["id"], is_admin=user["is_admin"])


@router.post("/auth/refresh", response_model=AccessToken)
async def refresh(request: Request, response: Response, rt: Rt) -> AccessToken:
    """Trade the refresh cookie for a new access token and a new refresh cookie."""
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise HTTPException(401, "no session; sign in")
    async with rt.pool.acquire() as conn, conn.transaction():
        row = await store.refresh_by_hash(conn, domain.sha256(token))
        if row is None or row["revoked_at"] or row["expires_at"] < _now():
            raise HTTPException(401, "session expired; sign in again")
        reused = row["rotated_at"] is not None
        if reused:
            # A rotated token came back: it was copied. End every session of that family
            # (committed before answering, hence no raise inside the transaction).
            await store.revoke_family(conn, row["family_id"])
        else:
            await store.mark_rotated(conn, row["id"])
            user = await store.user_by_id(conn, row["user_id"])
            await _new_refresh(conn, response, request, user_id=row["user_id"],
                               family_id=row["family_id"])
    if reused:
        raise HTTPException(401, "session was reused elsewhere and has been ended; sign in again")
    return _access(rt, user_id=user["id"], is_admin=user["is_admin"])


@router.post("/auth/logout", status_code=204)
async def logout(request: Request, response: Response, rt: Rt) -> Response:
    token = request.cookies.get(REFRESH_COOKIE)
    if token:
        async with rt.pool.acquire() as conn, conn.transaction():
            row = await store.refresh_by_hash(conn, domain.sha256(token))
            if row:
                await store.revoke_family(conn, row["family_id"])
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    response.status_code = 204
    return response


@router.get("/auth/me", response_model=UserOut)
async def me(user: CurrentUser, rt: Rt) -> UserOut:
    async with rt.pool.acquire() as conn:
        row = await store.user_by_id(conn, user.user_id)
    if row is None:
        raise HTTPException(401, "this account no longer exists")
    return UserOut.model_validate(dict(row))


@router.get("/users", response_model=list[UserOut])
async def users(_: Admin, rt: Rt) -> list[UserOut]:
    async with rt.pool.acquire() as conn:
        return [UserOut.model_validate(dict(r)) for r in await store.list_users(conn)]


@router.post("/users", response_model=UserOut, status_code=201)
async def add_user(body: NewUser, _: Admin, rt: Rt) -> UserOut:
    async with rt.pool.acquire() as conn:
        if await store.user_by_name(conn, body.username):
            raise HTTPException(409, f"the username {body.username!r} is taken")
        row = await store.create_user(conn, username=body.username,
                                      password_hash=hash_password(body.password), is_admin=body.is_admin)
    return UserOut.model_validate(dict(row))


def _access(rt, *, user_id: uuid.UUID, is_admin: bool) -> AccessToken:
    token, ttl = issue_access_token(rt.settings.jwt_secret, user_id=user_id, is_admin=is_admin)
    return AccessToken(access_token=token, expires_in=ttl)


async def _new_refresh(conn, response: Response, request: Request, *, user_id: uuid.UUID,
                       family_id: uuid.UUID) -> None:
    token = secrets.token_urlsafe(32)
    await store.add_refresh(conn, user_id=user_id, family_id=family_id, token_hash=domain.sha256(token),
                            expires_at=_now() + timedelta(seconds=REFRESH_TTL_S))
    response.set_cookie(REFRESH_COOKIE, token, max_age=REFRESH_TTL_S, path="/api/auth", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def _now() -> datetime:
    return datetime.now(UTC)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"

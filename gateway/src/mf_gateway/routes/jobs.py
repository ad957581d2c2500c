"""Submit URLs, follow, cancel and retry jobs."""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC

from fastapi import APIRouter, HTTPException, Query
from mf_contracts.bus.outbox import append
from mf_contracts.envelope import new_envelope
from mf_contracts.events import JobCancelled, UrlSubmitted
from mf_contracts.internal_api import PageOffset
from mf_contracts.netguard import UrlRefused, check_url

from .. import domain, store
from ..deps import AnyPrincipal, Rt, Submitter
from ..notify import notify
from ..schemas import JobIn, JobList, JobOut, Status
from ..views import job_view

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.post("", response_model=JobOut, status_code=202)
async def submit(body: JobIn, who: Submitter, rt: Rt) -> JobOut:
    try:
        url = await asyncio.to_thread(check_url, body.url,
                                      allow_private=rt.settings.allow_private_networks)
    except UrlRefused as exc:
        raise HTTPException(422, f"this URL cannot be fetched: {exc}") from None
    origin = "extension" if who.via == "extension" else "web"
    return await start_job(rt, user_id=who.user_id, url=url, origin=origin)


async def start_job(rt, *, user_id: uuid.UUID, url: str, origin: str) -> JobOut:
    """The job row and its UrlSubmitted commit together (transactional outbox)."""
    job_id = uuid.uuid4()
    env = new_envelope(UrlSubmitted(url=url, origin=origin), correlation_id=job_id, user_id=user_id)
    async with rt.pool.acquire() as conn, conn.transaction():
        row = await store.insert_job(conn, job_id=job_id, user_id=user_id, url=url, origin=origin)
        await append(conn, env)
    view = job_view(row)
    await notify(rt.redis, rt.keys.prefix, user_id=user_id, kind="job", data=view)
    return JobOut.model_validate(view)


@router.get("", response_model=JobList)
async def jobs(who: AnyPrincipal, rt: Rt, limit: int = Query(50, ge=1, le=200),
               offset: PageOffset = 0,
               status: Status | None = None) -> JobList:
    async with rt.pool.acquire() as conn:
        rows, total = await store.list_jobs(conn, user_id=who.user_id, limit=limit, offset=offset,
                                            status=status)
    return JobList(items=[JobOut.model_validate(job_view(r)) for r in rows], total=total)


@router.get("/{job_id}", response_model=JobOut)
async def job(job_id: uuid.UUID, who: AnyPrincipal, rt: Rt) -> JobOut:
    async with rt.pool.acquire() as conn:
        row = await store.get_job(conn, job_id=job_id, user_id=who.user_id)
    if row is None:
        raise HTTPException(404, "no such job")
    return JobOut.model_validate(job_view(row))


@router.post("/{job_id}/cancel", response_model=JobOut, status_code=202)
async def cancel(job_id: uuid.UUID, who: Submitter, rt: Rt) -> JobOut:
    env = new_envelope(JobCancelled(), correlation_id=job_id, user_id=who.user_id)
    async with rt.pool.acquire() as conn, conn.transaction():
        row = await store.get_job(conn, job_id=job_id, user_id=who.user_id)
        if row is None:
            raise HTTPException(404, "no such job")
        if row["status"] in domain.TERMINAL:
            raise HTTPException(409, f"the job is {row['status']} already")
        row = await store.update_job(conn, job_id, status="cancelled", finished_at=_now(),
                                     error="cancelled by you")
        await append(conn, env)
    view = job_view(row)
    await notify(rt.redis, rt.keys.prefix, user_id=who.user_id, kind="job", data=view)
    return JobOut.model_validate(view)


@router.post("/{job_id}/retry", response_model=JobOut, status_code=202)
async def retry(job_id: uuid.UUID, who: Submitter, rt: Rt) -> JobOut:
    """A failed or cancelled job again, as a new job for the same URL."""
    async with rt.pool.acquire() as conn:
        row = await store.get_job(conn, job_id=job_id, user_id=who.user_id)
    if row is None:
        raise HTTPException(404, "no such job")
    if row["status"] not in ("failed", "cancelled"):
        raise HTTPException(409, "only failed or cancelled jobs can be retried")
    return await start_job(rt, user_id=who.user_id, url=row["url"], origin=row["origin"])


def _now():
    from datetime import datetime

    return datetime.now(UTC)

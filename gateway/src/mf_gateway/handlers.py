"""The jobs projection: every pipeline event moves its job forward (never back)."""
from __future__ import annotations

from datetime import UTC, datetime

from mf_contracts.bus import Handler, HandlerContext
from mf_contracts.envelope import Envelope

from . import domain, store
from .notify import notify
from .views import job_view


def _fields(env: Envelope, current: str) -> dict:
    """What this event changes on its job (pure apart from the clock)."""
    status = domain.next_status(current, domain.EVENT_STATUS[env.type])
    fields: dict = {"status": status}
    p = env.payload
    if env.type == "DownloadStarted" and p.title:
        fields["title"] = p.title
    elif env.type == "MediaDownloaded":
        fields.update(title=p.info.title or None, stage="transcode", progress=None, speed=None, eta=None)
    elif env.type == "MediaTranscoded":
        fields.update(action=p.action, stage="store", progress=None)
    elif env.type == "LibraryItemAdded":
        fields.update(item_id=p.item_id, progress=100.0)
    elif env.type in ("DownloadFailed", "TranscodeFailed", "StoreFailed"):
        fields["error"] = p.reason
    elif env.type == "EventDeadLettered":
        fields["error"] = (f"the job failed after repeated internal errors in the {p.group} "
                           f"service ({p.error[:300]})")
    if status != current and status in domain.TERMINAL:
        fields["finished_at"] = datetime.now(UTC)
    if status != current or status not in domain.TERMINAL:
        return fields
    return {}  # a finished job ignores late events


async def on_job_event(ctx: HandlerContext, env: Envelope) -> None:
    async with ctx.transaction() as conn:
        job = await store.job_for_update(conn, env.correlation_id)
        if job is None:
            if env.type != "UrlSubmitted" or env.user_id is None:
                return  # not a user's job (e.g. a replay of something older than this table)
            job = await store.insert_job(conn, job_id=env.correlation_id, user_id=env.user_id,
                                         url=env.payload.url, origin=env.payload.origin)
        fields = _fields(env, job["status"])
        if not fields:
            return
        row = await store.update_job(conn, job["id"], **fields)
    rt_notify(ctx, user_id=row["user_id"], kind="job", data=job_view(row))


async def on_library_change(ctx: HandlerContext, env: Envelope) -> None:
    """Library changes go to the owner's live stream (the item list is the library's)."""
    if env.user_id is not None:
        data = {"type": env.type, **env.payload.model_dump(mode="json")}
        rt_notify(ctx, user_id=env.user_id, kind="library", data=data)
    if env.type == "LibraryItemAdded":
        await on_job_event(ctx, env)


def rt_notify(ctx: HandlerContext, *, user_id, kind: str, data: dict) -> None:
    publisher = ctx.publisher  # the runtime's EphemeralPublisher: its redis and key prefix
    ctx.after_commit(lambda: notify(publisher.redis, publisher.keys.prefix, user_id=user_id,
                                    kind=kind, data=data))


_job = Handler(on_job_event)
HANDLERS: dict[str, Handler] = {
    name: _job for name in domain.EVENT_STATUS if name != "LibraryItemAdded"
} | {"LibraryItemAdded": Handler(on_library_change), "LibraryItemDeleted": Handler(on_library_change)}

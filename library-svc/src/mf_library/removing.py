"""Deleting an item: one reference less; the last reference takes the file with it.

Under the sha's advisory lock (and the thumbnail's): one transaction deletes the item,
decrements ref_count (at 0 deletes the row) and appends the events → commit → unlink
the file while still holding the lock → unlock. An add of the same content waits for
the lock, then finds no row and stores its own copy: it can never count a reference to
a file that is about to be unlinked. A crash between commit and unlink leaves a file
without a row, which the GC removes.
"""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from mf_contracts.bus import append
from mf_contracts.envelope import new_envelope
from mf_contracts.events import LibraryItemDeleted, MediaFileDeleted
from mf_contracts.logging import get_logger

from . import store
from .context import Library

log = get_logger(__name__)


async def delete_item(lib: Library, *, item_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """False when the user has no such item (including someone else's)."""
    head = await store.get_item(lib.pool, item_id=item_id, user_id=user_id)
    if head is None:
        return False
    async with store.sha_locks(lib, head["sha256"], head["thumbnail"]) as conn:
        async with conn.transaction():
            gone = await store.delete_item(conn, item_id=item_id, user_id=user_id)
            if gone is None:  # a concurrent delete of the same item won
                return False
            left, ext = await store.drop_ref(conn, gone["sha256"])
            thumb_free = gone["thumbnail"] is not None and not await store.thumb_referenced(
                conn, sha256=gone["thumbnail"], ext=gone["thumbnail_ext"])
            await _log_events(conn, gone, user_id=user_id, last=left == 0)
        if left == 0:
            await _unlink(lib, lib.fs.object_path(sha256=gone["sha256"], ext=ext))
        if thumb_free:
            await _unlink(lib, lib.fs.thumb_path(sha256=gone["thumbnail"], ext=gone["thumbnail_ext"]))
    log.info("library item deleted", item_id=str(item_id), sha256=gone["sha256"],
             references_left=left)
    return True


async def _unlink(lib: Library, path: Path) -> None:
    """The item is gone either way (committed); a file we fail to unlink is an orphan
    the GC retries, not an error for the user."""
    try:
        await asyncio.to_thread(lib.fs.remove, path)
    except OSError as exc:
        log.error("could not unlink a file without references; the GC will retry",
                  path=str(path), error=str(exc))


async def _log_events(conn, gone, *, user_id: uuid.UUID, last: bool) -> None:
    payloads = [LibraryItemDeleted(item_id=str(gone["id"]), sha256=gone["sha256"])]
    if last:
        payloads.append(MediaFileDeleted(sha256=gone["sha256"]))
    for payload in payloads:
        await append(conn, new_envelope(payload, correlation_id=gone["job_id"], user_id=user_id))

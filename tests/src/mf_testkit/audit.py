"""After a storm, the checks that say nothing was lost and nothing doubled.

Read from the truth behind the API: every service's outbox (one terminal event per job),
the library's tables and invariants (hashes verified), every object on disk named and
owned by a row, staging empty.
"""
from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import asyncpg
from mf_contracts.settings import Settings

# Per schema: the event types that end a job there (EventDeadLettered: any schema).
TERMINAL_EVENTS = {"library": ("LibraryItemAdded", "StoreFailed"),
                   "downloader": ("DownloadFailed",), "transcoder": ("TranscodeFailed",)}


@dataclass
class AuditReport:
    terminal: dict[str, list[str]] = field(default_factory=dict)  # job -> terminal event types
    items: int = 0
    media_files: int = 0
    objects_on_disk: int = 0
    problems: list[str] = field(default_factory=list)


class Auditor:
    """Reads the truth behind the API: outboxes, the library's tables, the disk."""

    @staticmethod
    def schema(settings: Settings, service: str) -> str:
        return f"{settings.db_schema_prefix}{service}"

    async def fetch(self, settings: Settings, sql: str, *args) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(settings.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def terminal_events(self, settings: Settings) -> dict[str, list[str]]:
        """job id -> the terminal events logged for it, across every service's outbox."""
        found: dict[str, list[str]] = {}
        for service in ("library", "downloader", "transcoder", "gateway", "vault"):
            types = list(TERMINAL_EVENTS.get(service, ())) + ["EventDeadLettered"]
            rows = await self.fetch(settings, f"SELECT correlation_id, type FROM "
                                    f"{self.schema(settings, service)}.outbox WHERE type = ANY($1)"
                                    " ORDER BY seq", types)
            for r in rows:
                found.setdefault(str(r["correlation_id"]), []).append(f"{service}:{r['type']}")
        return found

    async def deleted_items(self, settings: Settings) -> set[str]:
        """Item ids the library logged as deleted (LibraryItemDeleted)."""
        from mf_contracts.envelope import decode

        rows = await self.fetch(settings, f"SELECT envelope FROM {self.schema(settings, 'library')}"
                                ".outbox WHERE type = 'LibraryItemDeleted'")
        return {decode(bytes(r["envelope"])).payload.item_id for r in rows}

    async def outbox_counts(self, settings: Settings, service: str) -> Counter:
        rows = await self.fetch(settings, f"SELECT type, count(*) AS n FROM "
                                f"{self.schema(settings, service)}.outbox GROUP BY type")
        return Counter({r["type"]: r["n"] for r in rows})

    async def outbox_types(self, settings: Settings, service: str, job: str) -> list[str]:
        rows = await self.fetch(settings, f"SELECT type FROM {self.schema(settings, service)}"
                                ".outbox WHERE correlation_id = $1 ORDER BY seq", uuid.UUID(job))
        return [r["type"] for r in rows]

    async def invariants(self, settings: Settings, *, verify_hashes: bool = True) -> list[str]:
        from mf_contracts.service import close_runtime, open_runtime
        from mf_library.app import SPEC as LIBRARY
        from mf_library.invariants import check_invariants

        rt = await open_runtime(LIBRARY, settings, pool_size=4)
        try:
            return await check_invariants(rt, verify_hashes=verify_hashes)
        finally:
            await close_runtime(rt)

    @staticmethod
    def object_files(settings: Settings) -> list[Path]:
        root = settings.media_root / "objects"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    @staticmethod
    def staging_files(settings: Settings) -> list[Path]:
        root = settings.media_root / "staging"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    @staticmethod
    def hashes(paths: list[Path]) -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}

    async def check(self, settings: Settings, jobs: dict[str, dict], *,
                    staging_timeout: float = 15) -> AuditReport:
        """Everything that must hold once every job in `jobs` (id -> API view) is over."""
        from mf_library.domain import parse_object_relpath

        report = AuditReport()
        report.terminal = await self.terminal_events(settings)
        lib = self.schema(settings, "library")
        items = {str(r["job_id"]): r for r in await self.fetch(
            settings, f"SELECT id, job_id, sha256 FROM {lib}.library_items")}
        rows = {r["sha256"]: r for r in await self.fetch(
            settings, f"SELECT sha256, ref_count, ext FROM {lib}.media_files")}
        report.items, report.media_files = len(items), len(rows)
        deleted = await self.deleted_items(settings)
        for job, view in jobs.items():
            events = report.terminal.get(job, [])
            if view["status"] == "cancelled":
                continue
            if len(events) != 1:
                report.problems.append(f"job {job} ({view['status']}): terminal events {events}")
            if view["status"] == "done":
                if job not in items:
                    if view["item_id"] not in deleted:
                        report.problems.append(f"job {job} done but has no library item")
                elif str(items[job]["id"]) != view["item_id"]:
                    report.problems.append(f"job {job}: item {view['item_id']} vs "
                                           f"{items[job]['id']} in the library")
            elif job in items:
                report.problems.append(f"job {job} is {view['status']} but has an item")
            if view["status"] == "failed" and not (view.get("error") or "").strip():
                report.problems.append(f"job {job} failed without a reason")
        report.problems += await self.invariants(settings)
        objects = self.object_files(settings)
        report.objects_on_disk = len(objects)
        for path in objects:
            parsed = parse_object_relpath(PurePosixPath(path.relative_to(
                settings.media_root / "objects").as_posix()))
            if parsed is None:
                report.problems.append(f"stray file in objects/: {path}")
            elif parsed[0] not in rows:
                report.problems.append(f"orphaned object {path}")
        if len(objects) != len(rows):
            report.problems.append(f"{len(objects)} object files for {len(rows)} media rows")
        deadline = time.monotonic() + staging_timeout  # cleanup runs just after the commit
        while (left := self.staging_files(settings)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        report.problems += [f"left in staging: {p}" for p in left]
        return report

"""The library's invariants, checked against the database and the disk together.

1. every media_files row has ref_count == its number of library_items, and >= 1;
2. every row's file is on disk with the row's size (unless the GC flagged it missing);
3. every well-formed object file on disk has a row;
4. every referenced thumbnail is on disk;
5. optionally, every object's bytes hash to its name.

Meaningful only while nothing is being stored or deleted (tests call it after a storm).
"""
from __future__ import annotations

import asyncio

from mf_contracts.service import Runtime

from . import store
from .adapters.fs import hash_file
from .context import library_of
from .domain import parse_object_relpath


async def check_invariants(rt: Runtime, *, verify_hashes: bool = False) -> list[str]:
    """Every violation found, in words; an empty list means the library is consistent."""
    lib = library_of(rt)
    problems = [f"{r['sha256']}: ref_count {r['ref_count']} but {r['items']} items"
                for r in await store.ref_count_mismatches(lib.pool)]
    rows = await store.media_index(lib.pool)
    on_disk = {}
    for f in await asyncio.to_thread(lib.fs.walk_objects):
        parsed = parse_object_relpath(f.rel)
        if parsed is not None:
            on_disk[parsed] = f.path
    for sha, row in rows.items():
        path = on_disk.get((sha, row["ext"]))
        if path is None:
            if row["missing_since"] is None:
                problems.append(f"{sha}: row without its file")
            continue
        size = (await asyncio.to_thread(path.stat)).st_size
        if size != row["size"]:
            problems.append(f"{sha}: file has {size} bytes, row says {row['size']}")
        if verify_hashes and (await asyncio.to_thread(hash_file, path)).sha256 != sha:
            problems.append(f"{sha}: file content does not hash to its name")
    for (sha, ext), path in on_disk.items():
        row = rows.get(sha)
        if row is None or row["ext"] != ext:
            problems.append(f"{path}: file without a row")
    for sha, ext in await store.referenced_thumbs(lib.pool):
        if not await asyncio.to_thread(lib.fs.thumb_path(sha256=sha, ext=ext).is_file):
            problems.append(f"thumbnail {sha}.{ext}: referenced but not on disk")
    return problems

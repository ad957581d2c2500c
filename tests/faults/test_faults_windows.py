"""The library killed exactly inside its two crash windows, not at a random moment.

`strace -e inject=…:signal=KILL` delivers SIGKILL on entry to one system call on one
path, so the kill lands at a known instruction:

- an add, after the file is published under its final name (the rename is done; the
  kill is at the fsync of its folder) and before the database commit: a file with no
  row. The event is redelivered and the job ends done exactly once.
- a delete, after the database commit and before the unlink: no row, the file still
  there. The GC at the next start removes it.

Either way the library's rows, reference counts and files agree afterwards, and no
event was emitted twice.
"""
from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(rig):
    if shutil.which("strace") is None:
        pytest.fail("strace is not installed (make install adds it)")
    async with rig.stack() as stack:
        stack.people = await stack.users(1)
        yield stack


class KillOnSyscall:
    """strace attached to a process: SIGKILL on entry to `syscalls` touching `path`."""

    def __init__(self, pid: int, *, path: Path, syscalls: str) -> None:
        self.proc = subprocess.Popen(
            ["strace", "-f", "-p", str(pid), "-P", str(path), "-e", f"trace={syscalls}",
             "-e", f"inject={syscalls}:signal=KILL"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()  # "strace: Process N attached"
        assert "attached" in line, f"strace could not attach: {line}{self.proc.stderr.read()}"

    def finish(self) -> str:
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


async def wait_dead(stack, name: str, *, timeout: float = 60) -> None:
    proc, deadline = stack.procs[name], time.monotonic() + timeout
    while proc.poll() is None:
        assert time.monotonic() < deadline, f"{name} was never killed:\n{stack.tail(name)}"
        await asyncio.sleep(0.05)
    assert proc.returncode == -9, proc.returncode


def object_path(settings, sha: str) -> Path:
    return (settings.media_root / "objects" / sha[:2] / sha[2:4] / f"{sha}.mp4").resolve()


async def library_rows(rig, settings, sha: str) -> tuple[int, int]:
    lib = rig.audit.schema(settings, "library")
    files = await rig.audit.fetch(settings, f"SELECT 1 FROM {lib}.media_files WHERE sha256 = $1",
                                  sha)
    items = await rig.audit.fetch(settings, f"SELECT 1 FROM {lib}.library_items WHERE sha256 = $1",
                                  sha)
    return len(files), len(items)


async def test_killed_between_publishing_the_file_and_the_commit(stack, rig, fault_server,
                                                               fault_media, figures):
    user = stack.people[0]
    clip = fault_media / "v" / "clip11.mp4"  # browser-ready: stored as served
    sha = hashlib.sha256(clip.read_bytes()).hexdigest()
    final = object_path(stack.settings, sha)
    final.parent.mkdir(parents=True, exist_ok=True)  # so strace can name the folder
    trap = KillOnSyscall(stack.procs["library"].pid, path=final.parent, syscalls="fsync")
    job = (await stack.submit(user, fault_server.url("/files/v/clip11.mp4?w=add"))).json()["id"]
    await wait_dead(stack, "library")
    trapped = trap.finish()
    assert "fsync(" in trapped, trapped
    # The window: the file is published under its final name, the database knows nothing.
    assert final.is_file() and hashlib.sha256(final.read_bytes()).hexdigest() == sha
    assert await library_rows(rig, stack.settings, sha) == (0, 0)
    assert (await stack.job(user, job))["status"] not in ("done", "failed")

    await stack.restart("library")  # the unacked event is taken over and stored again
    done = await stack.wait_job(user, job, lambda j: j["status"] in ("done", "failed"),
                                timeout=90, what="finished")
    assert done["status"] == "done", done
    assert await library_rows(rig, stack.settings, sha) == (1, 1)
    assert await rig.audit.outbox_types(stack.settings, "library", job) == ["LibraryItemAdded"]
    report = await rig.audit.check(stack.settings, await stack.all_jobs(stack.people))
    assert report.problems == [], report.problems
    stack.trapped_item = (done["item_id"], sha)
    figures("library SIGKILLed at the fsync after publishing a file, before its commit: "
            "redelivered, stored once, LibraryItemAdded once, audit clean")


async def test_killed_between_the_delete_commit_and_the_unlink(stack, rig, figures):
    user = stack.people[0]
    item_id, sha = stack.trapped_item
    final = object_path(stack.settings, sha)
    trap = KillOnSyscall(stack.procs["library"].pid, path=final, syscalls="unlink,unlinkat")
    async with stack.client(user.token) as c:
        cut = await c.delete(f"/api/library/{item_id}")
    await wait_dead(stack, "library")
    assert "unlink" in trap.finish()
    assert cut.status_code in (502, 503, 504), (cut.status_code, cut.text)
    # The window: the delete committed (no row, the event logged), the file is still there.
    assert await library_rows(rig, stack.settings, sha) == (0, 0)
    assert final.is_file()

    await stack.restart("library")  # its GC at start finds the orphan
    deadline = time.monotonic() + 30
    while final.exists():
        assert time.monotonic() < deadline, "the orphaned file was never removed"
        await asyncio.sleep(0.2)
    async with stack.client(user.token) as c:
        assert (await c.delete(f"/api/library/{item_id}")).status_code == 404  # already gone
    deleted = await rig.audit.outbox_counts(stack.settings, "library")
    assert (deleted["LibraryItemDeleted"], deleted["MediaFileDeleted"]) == (1, 1)
    assert await rig.audit.invariants(stack.settings) == []
    assert rig.audit.object_files(stack.settings) == []
    figures("library SIGKILLed at the unlink after a delete's commit: the user saw a 5xx, the "
            "item was gone, the orphaned file was removed by the GC at restart, events once")

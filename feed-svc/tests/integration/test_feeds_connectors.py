"""The connectors' edges against a real server: the SSRF guard at fetch time (in this
process and inside the yt-dlp lister), the size cap, session cookies, and listers that
are reused when healthy and killed, with their whole group, when a listing overruns or
is cancelled."""
from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

import pytest
from mf_feeds.adapters import http_feed, ytdlp
from mf_feeds.adapters.http_feed import SourceError
from mf_feeds.adapters.listers import LISTER_MODULE, ListerPool

FETCH = {"timeout_s": 5.0, "max_bytes": 2**20, "user_agent": "test"}


def listers_of_this_process() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if LISTER_MODULE.encode() in cmdline and int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            found.add(int(entry.name))
    return found


async def test_fetching_a_private_address_is_refused_when_not_allowed(http_server):
    http_server.route("/feed.rss", "<rss/>", content_type="application/rss+xml")
    with pytest.raises(SourceError, match="may not be fetched: .*loopback"):
        await http_feed.fetch(http_server.url("/feed.rss"), cookies=None, allow_private=False,
                              **FETCH)
    pool = ListerPool(allow_private=False, keep_idle=0)
    with pytest.raises(SourceError, match="refused to connect to 127.0.0.1"):
        await ytdlp.list_entries(http_server.url("/feed.rss"), pool=pool, cookies=None,
                                 timeout_s=30, max_items=10)
    assert http_server.requests == []


async def test_a_feed_larger_than_the_cap_is_refused(http_server):
    http_server.route("/big.rss", b"<rss>" + b" " * (3 * 2**20), content_type="application/rss+xml")
    with pytest.raises(SourceError, match="larger than 1 MiB"):
        await http_feed.fetch(http_server.url("/big.rss"), cookies=None, allow_private=True, **FETCH)


async def test_session_cookies_from_the_vault_file_are_sent(http_server, tmp_path):
    """The vault writes session cookies with expiry 0; they must still be sent."""
    jar = tmp_path / "cookies.txt"
    jar.write_text("# Netscape HTTP Cookie File\n"
                   "127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tsession-one\n"
                   f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t{int(time.time()) + 600}\ttok\tkept\n")
    http_server.route("/feed.rss", "<rss/>", content_type="application/rss+xml")
    await http_feed.fetch(http_server.url("/feed.rss"), cookies=jar, allow_private=True, **FETCH)
    [(_, _, headers)] = http_server.requests
    assert sorted(headers["cookie"].split("; ")) == ["sid=session-one", "tok=kept"]


async def test_listers_are_reused_and_killed_when_a_listing_overruns(http_server, kit, tmp_path):
    http_server.route("/chan", kit.video_page(["/files/a.mp4", "/files/b.mp4"]),
                      content_type="text/html")
    pool = ListerPool(allow_private=True, keep_idle=1)
    await pool.warm()
    try:
        [warm] = pool.idle_pids
        for _ in range(2):  # the same warm process answers both
            listed = await ytdlp.list_entries(http_server.url("/chan"), pool=pool, cookies=None,
                                              timeout_s=30, max_items=10)
            assert [i.url for i in listed.items] == [http_server.url("/files/a.mp4"),
                                                     http_server.url("/files/b.mp4")]
            assert pool.idle_pids == [warm]

        # A lister that held a user's cookies is not reused for anyone.
        jar = tmp_path / "cookies.txt"
        jar.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tx\n")
        await ytdlp.list_entries(http_server.url("/chan"), pool=pool, cookies=jar, timeout_s=30,
                                 max_items=10)
        [fresh] = pool.idle_pids
        assert fresh != warm and warm not in listers_of_this_process()

        # Cancelled while the site hangs (the service stopping): the lister goes.
        task = asyncio.create_task(ytdlp.list_entries(
            http_server.url("/hang?cancelled"), pool=pool, cookies=None, timeout_s=60, max_items=10))

        async def reached():
            return http_server.hits("/hang?cancelled") == 1
        await kit.wait_until(reached, what="the listing reached the hanging site")
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert fresh not in listers_of_this_process() and pool.idle_pids == []

        # Past its deadline: an error in words, and no lister left behind.
        began = time.monotonic()
        with pytest.raises(SourceError, match="took longer than 2 seconds"):
            await ytdlp.list_entries(http_server.url("/hang?deadline"), pool=pool, cookies=None,
                                     timeout_s=2, max_items=10)
        assert time.monotonic() - began < 3
        # Only its replacement is left, idle (the overrun one was killed).
        assert listers_of_this_process() == set(pool.idle_pids) and len(pool.idle_pids) == 1
    finally:
        await pool.close()
    assert listers_of_this_process() == set()

"""Auto-download end to end: a new feed item becomes a job of the feed's owner and ends
in their library (downloader, transcoder, library and vault running for real); what the
feed listed when first read is not downloaded unless the subscription asks for it."""
from __future__ import annotations

from mf_contracts.envelope import decode
from mf_contracts.internal_api import internal_client
from mf_downloader.app import build_spec as downloader_spec
from mf_library.app import SPEC as LIBRARY
from mf_testkit.pipeline import watching
from mf_transcoder.app import SPEC as TRANSCODER
from mf_vault.app import SPEC as VAULT

OLD, NEW = "/files/h264_aac_mkv.mkv", "/files/h264_aac_mp4_faststart.mp4"


async def submitted(feeds) -> list:
    return [decode(r["envelope"]) for r in await feeds.outbox("UrlSubmitted")]


async def test_a_new_item_of_an_auto_download_feed_ends_in_the_library(
        start_feeds, http_server, media_files, kit):
    def show(paths):
        return kit.rss([{"guid": p, "link": http_server.url(p), "title": f"Show {p}"} for p in paths])

    http_server.route("/show.rss", show([OLD]), content_type="application/rss+xml")
    pipeline = [downloader_spec(warm_spare=False), TRANSCODER, LIBRARY, VAULT]
    async with start_feeds(others=pipeline) as feeds, watching(feeds.settings) as watch:
        feed = await feeds.subscribe(http_server.url("/show.rss"), auto_download=True)
        assert (await feeds.polled(feed["id"]))["item_count"] == 1
        assert await submitted(feeds) == []  # the backlog is not downloaded

        http_server.route("/show.rss", show([NEW, OLD]), content_type="application/rss+xml")
        assert await feeds.poll(feed["id"]) == {"new_items": 1, "error": None}
        [job] = await submitted(feeds)
        assert job.user_id == feeds.user_id
        assert (job.payload.url, job.payload.origin, job.payload.feed_id) == (
            http_server.url(NEW), "feed", feed["id"])
        items = {i["url"]: i for i in (await feeds.items(feed["id"]))["items"]}
        assert items[http_server.url(NEW)]["job_id"] == str(job.correlation_id)
        assert items[http_server.url(OLD)]["job_id"] is None

        added = await watch.wait_for(job.correlation_id, {"LibraryItemAdded", "DownloadFailed",
                                                          "TranscodeFailed", "StoreFailed"},
                                     timeout=60)
        assert added.type == "LibraryItemAdded" and added.user_id == feeds.user_id
        [found] = watch.of(job.correlation_id, "FeedItemDiscovered")
        assert found.payload.url == http_server.url(NEW)
        async with internal_client(feeds.settings, feeds.settings.library_url) as library:
            listing = (await library.get("/internal/items",
                                         params={"user_id": str(feeds.user_id)})).json()
        assert [(i["id"], i["source_url"]) for i in listing["items"]] == [
            (added.payload.item_id, http_server.url(NEW))]
        assert http_server.hits(OLD) == 0
        assert await feeds.poll(feed["id"]) == {"new_items": 0, "error": None}
        assert len(await submitted(feeds)) == 1


async def test_backlog_downloads_what_the_feed_lists_when_first_read(start_feeds, http_server, kit):
    """Only the events are checked here (the pipeline is the test above)."""
    paths = ["/files/one.mp4", "/files/two.mp4"]
    http_server.route("/back.rss", kit.rss([{"guid": p, "link": http_server.url(p), "title": p}
                                            for p in paths]), content_type="application/rss+xml")
    async with start_feeds() as feeds:
        with_backlog = await feeds.subscribe(http_server.url("/back.rss"), auto_download=True,
                                             backlog=True)
        await feeds.polled(with_backlog["id"])
        jobs = await submitted(feeds)
        assert sorted(j.payload.url for j in jobs) == sorted(http_server.url(p) for p in paths)
        assert len({j.correlation_id for j in jobs}) == 2  # one job per item

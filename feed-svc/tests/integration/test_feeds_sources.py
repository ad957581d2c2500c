"""RSS, Atom and a page yt-dlp lists: their items, no duplicates on a second poll, and a
new entry announced exactly once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mf_contracts.envelope import decode
from mf_testkit.pipeline import watching

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CLIPS = ["/files/clip1.mp4", "/files/clip2.mp4", "/files/clip3.mp4"]


def rss_entries(server, names):
    return [{"guid": f"guid-{n}", "link": server.url(f"/files/{n}.mp4"), "title": f"Episode {n}",
             "date": T0 + timedelta(hours=i)} for i, n in enumerate(names)]


def atom_entries(server, names):
    return [{"id": f"urn:entry:{n}", "link": server.url(f"/page/{n}.mp4"), "title": f"Post {n}",
             "date": T0 + timedelta(days=i)} for i, n in enumerate(names)]


def serve(server, kit, *, rss_names, atom_names, clips):
    server.route("/feed.rss", kit.rss(rss_entries(server, rss_names)),
                 content_type="application/rss+xml")
    # Atom served as text/plain: recognised by its root element, not its content type.
    server.route("/feed.atom", kit.atom(atom_entries(server, atom_names)),
                 content_type="text/plain; charset=utf-8")
    server.route("/channel", kit.video_page(clips), content_type="text/html; charset=utf-8")


async def discovered(feeds, feed_id: str) -> list:
    payloads = [decode(r["envelope"]).payload for r in await feeds.outbox("FeedItemDiscovered")]
    return [p for p in payloads if p.feed_id == feed_id]


async def check_first_read(feeds, subs, server) -> None:
    polled = {name: await feeds.polled(sub["id"]) for name, sub in subs.items()}
    assert {n: f["kind"] for n, f in polled.items()} == {"rss": "rss", "atom": "rss",
                                                          "page": "ytdlp"}
    assert all(f["last_error"] is None and f["consecutive_failures"] == 0
               for f in polled.values()), polled
    assert polled["rss"]["title"] == "A test feed" and polled["atom"]["title"] == "An Atom feed"
    rss_items = (await feeds.items(subs["rss"]["id"]))["items"]
    assert [(i["id"], i["url"], i["title"]) for i in rss_items] == [
        ("guid-b", server.url("/files/b.mp4"), "Episode b"),
        ("guid-a", server.url("/files/a.mp4"), "Episode a")]  # newest first
    assert rss_items[0]["published_at"].startswith("2026-01-05T13:00:00")
    atom_items = (await feeds.items(subs["atom"]["id"]))["items"]
    assert [i["id"] for i in atom_items] == ["urn:entry:z", "urn:entry:y", "urn:entry:x"]
    page_items = (await feeds.items(subs["page"]["id"]))["items"]
    assert sorted(i["url"] for i in page_items) == sorted(server.url(s) for s in CLIPS)


async def check_announced_once(feeds, subs, server) -> None:
    rss_found = await discovered(feeds, subs["rss"]["id"])
    assert [p.item_id for p in rss_found] == ["guid-a", "guid-b", "guid-c"]  # oldest first
    assert [p.item_id for p in await discovered(feeds, subs["atom"]["id"])] == [
        "urn:entry:x", "urn:entry:y", "urn:entry:z", "urn:entry:w"]
    page_found = await discovered(feeds, subs["page"]["id"])
    assert sorted(p.url for p in page_found) == sorted(
        server.url(s) for s in ["/files/clip0.mp4", *CLIPS])


async def test_rss_atom_and_a_page_give_their_items_once(start_feeds, http_server, kit):
    serve(http_server, kit, rss_names="ab", atom_names="xyz", clips=CLIPS)
    async with start_feeds(warm_lister=True) as feeds, watching(feeds.settings) as watch:
        subs = {name: await feeds.subscribe(http_server.url(path))
                for name, path in (("rss", "/feed.rss"), ("atom", "/feed.atom"),
                                   ("page", "/channel"))}
        await check_first_read(feeds, subs, http_server)

        # A second poll finds nothing new and stores nothing twice.
        for sub in subs.values():
            assert await feeds.poll(sub["id"]) == {"new_items": 0, "error": None}
        assert [len((await feeds.items(s["id"]))["items"]) for s in subs.values()] == [2, 3, 3]

        # A new entry in each appears once, however often the feed is polled afterwards.
        serve(http_server, kit, rss_names="abc", atom_names="xyzw",
              clips=["/files/clip0.mp4", *CLIPS])
        for sub in subs.values():
            assert await feeds.poll(sub["id"]) == {"new_items": 1, "error": None}
            assert await feeds.poll(sub["id"]) == {"new_items": 0, "error": None}
        await check_announced_once(feeds, subs, http_server)

        # Published on the bus too, each exactly once.
        async def all_published():
            await watch.poll()
            return len([e for e in watch.events if e.type == "FeedItemDiscovered"]) >= 11
        await kit.wait_until(all_published, what="FeedItemDiscovered on the feeds stream")
        keys = [(e.payload.feed_id, e.payload.item_id) for e in watch.events
                if e.type == "FeedItemDiscovered"]
        assert len(keys) == len(set(keys)) == 11
        assert not [e for e in watch.events if e.type == "UrlSubmitted"]  # no auto-download

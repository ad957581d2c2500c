"""Polite polling and JSON Feed, against a real server.

A feed whose last answer carried an ETag or a Last-Modified is asked for conditionally:
while it is unchanged the site answers 304 with no body, the poll counts as a success
with nothing new, and the first change is read in full. A JSON Feed subscribes and
lists like RSS."""
from __future__ import annotations

from datetime import UTC, datetime

import orjson

FEED_PATH = "/cond.rss"


class ConditionalFeed:
    """An RSS document that honours If-None-Match or If-Modified-Since (one of them,
    per `by`), counting full answers and 304s and keeping the headers it was sent."""

    def __init__(self, server, kit, *, by: str) -> None:
        self.server, self.kit, self.by = server, kit, by
        self.version, self.names = 1, ["a", "b"]
        self.full = self.not_modified = 0
        self.seen: list[dict[str, str]] = []
        server.route_fn(FEED_PATH, self.answer)

    def change(self, names: list[str]) -> None:
        self.version, self.names = self.version + 1, names

    @property
    def validator(self) -> str:
        if self.by == "etag":
            return f'W/"v{self.version}"'
        return datetime(2026, 11, self.version, 8, 0, tzinfo=UTC).strftime(
            "%a, %d %b %Y %H:%M:%S GMT")

    def answer(self, handler):
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.seen.append(headers)
        asked = headers.get("if-none-match" if self.by == "etag" else "if-modified-since")
        header = "ETag" if self.by == "etag" else "Last-Modified"
        if asked == self.validator:
            self.not_modified += 1
            return 304, {header: self.validator}, b""
        self.full += 1
        entries = [{"guid": f"g-{n}", "link": self.server.url(f"/files/{n}.mp4"),
                    "title": n} for n in self.names]
        return 200, {"Content-Type": "application/rss+xml", header: self.validator}, \
            self.kit.rss(entries).encode()


async def check_conditional(feeds, feed: ConditionalFeed, *, header: str) -> None:
    sub = await feeds.subscribe(feed.server.url(FEED_PATH))
    first = await feeds.polled(sub["id"])
    assert first["last_error"] is None and feed.full == 1
    assert header not in feed.seen[0]  # nothing to compare with yet

    for _ in range(3):  # unchanged: 304s, no body, no error, nothing new
        assert await feeds.poll(sub["id"]) == {"new_items": 0, "error": None}
    assert (feed.full, feed.not_modified) == (1, 3)
    assert all(h.get(header) == feed.validator for h in feed.seen[1:])
    after = await feeds.feed(sub["id"])
    assert after["last_error"] is None and after["consecutive_failures"] == 0
    assert after["title"] == "A test feed"  # a 304 keeps what the full answer said

    feed.change(["a", "b", "c"])  # the first change is read in full, once
    assert await feeds.poll(sub["id"]) == {"new_items": 1, "error": None}
    assert await feeds.poll(sub["id"]) == {"new_items": 0, "error": None}
    assert (feed.full, feed.not_modified) == (2, 4)
    # Newest first; undated items keep the feed's order (its top one is the newest).
    assert [i["id"] for i in (await feeds.items(sub["id"]))["items"]] == ["g-c", "g-a", "g-b"]


async def test_an_unchanged_feed_costs_the_site_a_304_by_etag(start_feeds, http_server, kit):
    feed = ConditionalFeed(http_server, kit, by="etag")
    async with start_feeds() as feeds:
        await check_conditional(feeds, feed, header="if-none-match")


async def test_an_unchanged_feed_costs_the_site_a_304_by_date(start_feeds, http_server, kit):
    feed = ConditionalFeed(http_server, kit, by="date")
    async with start_feeds() as feeds:
        await check_conditional(feeds, feed, header="if-modified-since")


async def test_a_json_feed_lists_its_items(start_feeds, http_server):
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "A JSON feed",
           "items": [{"id": "ep-2", "title": "Two", "url": "/posts/2",
                      "date_published": "2026-11-02T10:00:00Z",
                      "attachments": [{"url": "/files/two.mp3", "mime_type": "audio/mpeg"}]},
                     {"id": "ep-1", "title": "One", "url": "/posts/1",
                      "date_published": "2026-11-01T10:00:00Z"}]}
    # Served as plain JSON: recognised by its jsonfeed.org version.
    http_server.route("/feed.json", orjson.dumps(doc), content_type="application/json")
    async with start_feeds() as feeds:
        sub = await feeds.subscribe(http_server.url("/feed.json"))
        polled = await feeds.polled(sub["id"])
        assert polled["last_error"] is None, polled
        assert (polled["kind"], polled["title"]) == ("rss", "A JSON feed")
        items = (await feeds.items(sub["id"]))["items"]
        assert [(i["id"], i["url"], i["title"]) for i in items] == [
            ("ep-2", http_server.url("/files/two.mp3"), "Two"),
            ("ep-1", http_server.url("/posts/1"), "One")]

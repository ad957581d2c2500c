"""Two replicas of the service on one schema: every due feed is polled by one of them,
once (claims skip rows another replica holds, and a claim is a lease)."""
from __future__ import annotations

import time

from mf_testkit.pipeline import free_port


async def test_two_replicas_poll_each_due_feed_once(start_feeds, feeds_settings, http_server, kit):
    def slow_feed(name):
        def route(_handler):
            time.sleep(0.3)  # long enough for both schedulers to be claiming meanwhile
            return 200, {"Content-Type": "application/rss+xml"}, kit.rss(
                [{"guid": name, "link": http_server.url(f"/files/{name}.mp4"), "title": name}])
        return route

    names = [f"f{n}" for n in range(10)]
    for name in names:
        http_server.route_fn(f"/{name}.rss", slow_feed(name))
    port = free_port()
    other = feeds_settings.model_copy(update={"feeds_port": port,
                                              "feeds_url": f"http://127.0.0.1:{port}"})
    async with start_feeds(concurrency=2) as one, start_feeds(settings=other, concurrency=2):
        subs = [await one.subscribe(http_server.url(f"/{n}.rss")) for n in names]
        for sub in subs:
            feed = await one.polled(sub["id"])
            assert feed["item_count"] == 1 and feed["last_error"] is None
        listing = (await one.client.get("/internal/feeds", params={"user_id": str(one.user_id)})).json()
        assert len(listing) == 10
    assert {n: http_server.hits(f"/{n}.rss") for n in names} == {n: 1 for n in names}
    assert len(await one.outbox("FeedItemDiscovered")) == 10

"""Feeds that hang, fail, rate-limit or send garbage: an error on the feed, nothing
stored, a later next poll (later still for a rate limit), and the scheduler keeps
polling the healthy ones meanwhile."""
from __future__ import annotations

import os
import time
from datetime import datetime

INTERVAL = 60
TIMEOUT = 6.0


def delay_s(feed: dict) -> float:
    """How long after its last poll the feed is next due."""
    return (datetime.fromisoformat(feed["next_poll_at"])
            - datetime.fromisoformat(feed["last_polled_at"])).total_seconds()


def entries(server, names):
    return [{"guid": n, "link": server.url(f"/files/{n}.mp4"), "title": n} for n in names]


async def test_failing_feeds_back_off_without_holding_up_the_others(start_feeds, http_server, kit):
    http_server.route("/good.rss", kit.rss(entries(http_server, "ab")),
                      content_type="application/rss+xml")
    http_server.route("/noise.rss", os.urandom(3000), content_type="application/rss+xml")
    paths = {"500": "/status/500", "429": "/status/429",
             "429 retry-after": "/status/429?retry_after=7200", "garbage feed": "/noise.rss",
             "garbage page": "/garbage"}

    async with start_feeds(poll_timeout_s=TIMEOUT, concurrency=4, warm_lister=True) as feeds:
        hang = await feeds.subscribe(http_server.url("/hang"), interval_s=INTERVAL)

        async def hanging():
            return http_server.hits("/hang") == 1
        await kit.wait_until(hanging, what="the poll reached the hanging site")

        # While that poll hangs, a healthy feed is read, and the failing ones fail.
        good = await feeds.subscribe(http_server.url("/good.rss"), interval_s=INTERVAL)
        good = await feeds.polled(good["id"])
        assert (await feeds.feed(hang["id"]))["last_polled_at"] is None  # still hanging
        assert good["item_count"] == 2 and good["last_error"] is None
        assert delay_s(good) <= INTERVAL * 1.1
        subs = {name: await feeds.subscribe(http_server.url(p), interval_s=INTERVAL)
                for name, p in paths.items()}
        failed = {name: await feeds.polled(sub["id"]) for name, sub in subs.items()}
        failed["hang"] = await feeds.polled(hang["id"])

        for name, feed in failed.items():
            assert feed["item_count"] == 0 and feed["kind"] is None, name
            assert feed["consecutive_failures"] == 1 and feed["last_error_at"], name
            assert feed["last_ok_at"] is None, name
        assert f"did not answer within {TIMEOUT:g} seconds" in failed["hang"]["last_error"]
        assert "HTTP 500" in failed["500"]["last_error"]
        assert "limiting requests (HTTP 429)" in failed["429"]["last_error"]
        assert "could not be read" in failed["garbage feed"]["last_error"]
        # Random bytes sent as HTML go to yt-dlp, which takes anything that is not HTML
        # for one direct video: not a list (on a busy machine it may also take longer
        # than the deadline: an error either way).
        assert ("single video" in failed["garbage page"]["last_error"]
                or "took longer than" in failed["garbage page"]["last_error"])
        assert "Traceback" not in "".join(f["last_error"] for f in failed.values())

        # Twice the interval after a failure, four times after a rate limit, and no sooner
        # than the site's Retry-After (jitter: ±10 %).
        for name in ("hang", "500", "garbage feed", "garbage page"):
            assert 2 * INTERVAL * 0.9 <= delay_s(failed[name]) <= 2 * INTERVAL * 1.1, name
        assert 8 * INTERVAL * 0.9 <= delay_s(failed["429"]) <= 8 * INTERVAL * 1.1
        assert 7200 <= delay_s(failed["429 retry-after"]) <= 7200 * 1.01

        # A site that asked for a pause is not asked sooner, not even by "poll now".
        limited = failed["429 retry-after"]
        assert limited["rate_limited_until"] == limited["next_poll_at"]
        assert await feeds.poll(limited["id"]) == {"new_items": 0, "error": (
            "The site asked for a pause; the feed will be checked again at "
            f"{datetime.fromisoformat(limited['next_poll_at']):%Y-%m-%d %H:%M} UTC.")}
        assert http_server.hits("/status/429?retry_after=7200") == 1

        # Another failure doubles the wait again; no poll happened in between.
        result = await feeds.poll(subs["500"]["id"])
        assert result["new_items"] == 0 and "HTTP 500" in result["error"]
        again = await feeds.feed(subs["500"]["id"])
        assert again["consecutive_failures"] == 2
        assert 4 * INTERVAL * 0.9 <= delay_s(again) <= 4 * INTERVAL * 1.1
        assert http_server.hits("/status/500") == 2

        # The scheduler is still at work: a feed added now is read at once.
        http_server.route("/later.rss", kit.rss(entries(http_server, "c")),
                          content_type="application/rss+xml")
        later = await feeds.polled((await feeds.subscribe(http_server.url("/later.rss")))["id"])
        assert later["item_count"] == 1 and later["last_error"] is None


async def test_a_feed_that_recovers_is_polled_at_its_interval_again(start_feeds, http_server, kit):
    """A working feed that starts failing keeps its items, and one good poll ends the backoff."""
    http_server.route("/flaky.rss", kit.rss(entries(http_server, "ab")),
                      content_type="application/rss+xml")
    async with start_feeds() as feeds:
        feed = await feeds.polled((await feeds.subscribe(http_server.url("/flaky.rss"),
                                                         interval_s=INTERVAL))["id"])
        assert feed["item_count"] == 2

        http_server.route("/flaky.rss", "<html><body>Down for maintenance</body></html>",
                          status=503, content_type="text/html")
        result = await feeds.poll(feed["id"])
        assert result == {"new_items": 0, "error": "The site had an error (HTTP 503); checking "
                                                  "again later."}
        broken = await feeds.feed(feed["id"])
        assert broken["item_count"] == 2 and broken["consecutive_failures"] == 1
        assert broken["rate_limited_until"] is None  # no Retry-After: "poll now" may try

        http_server.route("/flaky.rss", kit.rss(entries(http_server, "abc")),
                          content_type="application/rss+xml")
        assert await feeds.poll(feed["id"]) == {"new_items": 1, "error": None}
        healed = await feeds.feed(feed["id"])
        assert healed["consecutive_failures"] == 0 and healed["last_error"] is None
        assert healed["last_error_at"] == broken["last_error_at"]  # history kept
        assert INTERVAL * 0.9 <= delay_s(healed) <= INTERVAL * 1.1


async def test_stopping_during_a_hanging_poll_is_prompt(start_feeds, http_server, kit):
    """SIGTERM must not wait for a site that never answers (the lease brings the feed back)."""
    async with start_feeds(poll_timeout_s=60) as feeds:
        await feeds.subscribe(http_server.url("/hang"))

        async def hanging():
            return http_server.hits("/hang") == 1
        await kit.wait_until(hanging, what="the poll reached the hanging site")
        began = time.monotonic()
    assert time.monotonic() - began < 3

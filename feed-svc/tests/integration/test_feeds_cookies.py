"""A feed behind a login: it fails cleanly until the user's cookie jar is in the vault,
then both connectors (feedparser over httpx, yt-dlp) read it with the user's cookies."""
from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from mf_contracts.internal_api import internal_client
from mf_vault.app import SPEC as VAULT

SECRET = "feed_session=s3cret-value"


def gated(body: str, content_type: str):
    """A route that answers only a request carrying the session cookie."""
    def route(handler):
        if SECRET in (handler.headers.get("Cookie") or ""):
            return 200, {"Content-Type": content_type}, body
        return 403, {"Content-Type": "text/plain"}, "log in first\n"
    return route


def chrome_cookie() -> dict:
    return {"name": "feed_session", "value": "s3cret-value", "domain": "127.0.0.1",
            "hostOnly": True, "path": "/", "secure": False, "httpOnly": False, "session": False,
            "expirationDate": time.time() + 3600, "storeId": "0"}


def leftover_cookie_files() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("mf-feed-cookies-*"))


async def test_a_private_feed_works_once_the_users_cookies_are_stored(start_feeds, http_server, kit):
    items = [{"guid": n, "link": http_server.url(f"/files/{n}.mp4"), "title": n} for n in "ab"]
    http_server.route_fn("/private.rss", gated(kit.rss(items), "application/rss+xml"))
    srcs = ["/files/p1.mp4", "/files/p2.mp4", "/files/p3.mp4"]
    http_server.route_fn("/private-channel", gated(kit.video_page(srcs), "text/html"))
    before = set(leftover_cookie_files())

    async with start_feeds(others=[VAULT], warm_lister=True) as feeds:
        subs = [await feeds.subscribe(http_server.url(p)) for p in ("/private.rss", "/private-channel")]
        for sub in subs:
            feed = await feeds.polled(sub["id"])
            assert feed["item_count"] == 0 and feed["consecutive_failures"] == 1
            assert feed["last_error"] == ("The site refused access (HTTP 403). If it needs a login, "
                                          "send your cookies for it with the browser extension.")

        async with internal_client(feeds.settings, feeds.settings.vault_url) as vault:
            resp = await vault.post("/internal/jars", json={"user_id": str(feeds.user_id),
                                                            "cookies": [chrome_cookie()]})
            assert resp.status_code == 200, resp.text

        assert await feeds.poll(subs[0]["id"]) == {"new_items": 2, "error": None}
        assert await feeds.poll(subs[1]["id"]) == {"new_items": 3, "error": None}
        assert sorted(i["url"] for i in (await feeds.items(subs[1]["id"]))["items"]) == sorted(
            http_server.url(s) for s in srcs)
        healed = await feeds.feed(subs[1]["id"])
        assert healed["kind"] == "ytdlp" and healed["last_error"] is None

        # yt-dlp itself sent the cookie (its requests are the ones not from our httpx client).
        page_requests = [h for _, p, h in http_server.requests if p == "/private-channel"]
        ytdlp_requests = [h for h in page_requests if "MediaFetcher" not in h.get("user-agent", "")]
        assert ytdlp_requests and all(SECRET in h.get("cookie", "") for h in ytdlp_requests)

        # Another user following the same feed does not get this user's cookies.
        other = await feeds.subscribe(http_server.url("/private.rss"), user_id=uuid.uuid4())
        feeds_of_other = await feeds.client.post(f"/internal/feeds/{other['id']}/poll",
                                                 params={"user_id": other["user_id"]})
        assert "HTTP 403" in feeds_of_other.json()["error"]

    # The 0600 temp files lived only for their poll.
    assert set(leftover_cookie_files()) <= before

"""The internal API as the gateway uses it: validation in plain words, one user's feeds
invisible to every other user, changes, paging, unsubscribe."""
from __future__ import annotations

import uuid

import httpx


async def test_subscriptions_are_validated_and_private(start_feeds, http_server, kit):
    entries = [{"guid": f"g{n}", "link": http_server.url(f"/files/{n}.mp4"), "title": f"n{n}"}
               for n in range(7)]
    http_server.route("/feed.rss", kit.rss(entries), content_type="application/rss+xml")
    url = http_server.url("/feed.rss")
    async with start_feeds(min_interval_s=300) as feeds:
        c, me = feeds.client, str(feeds.user_id)
        async with httpx.AsyncClient(base_url=feeds.settings.feeds_url) as anonymous:
            assert (await anonymous.get("/internal/feeds", params={"user_id": me})).status_code == 401

        bad = await c.post("/internal/feeds", json={"user_id": me, "url": "ftp://example.com/x"})
        assert bad.status_code == 422 and "only http and https" in bad.json()["detail"]
        fast = await c.post("/internal/feeds", json={"user_id": me, "url": url, "interval_s": 60})
        assert fast.json() == {"detail": "The check interval must be at least 5 minutes."}

        feed = await feeds.subscribe(url, title="My show", interval_s=900)
        assert (feed["title"], feed["interval_s"], feed["auto_download"], feed["backlog"]) == (
            "My show", 900, False, False)
        again = await c.post("/internal/feeds", json={"user_id": me, "url": url})
        assert again.status_code == 409 and again.json()["detail"] == "You already follow this feed."
        polled = await feeds.polled(feed["id"])
        assert polled["title"] == "My show" and polled["item_count"] == 7  # the user's title stays

        # Undated items keep the feed's order (newest first, as feeds list them).
        assert [i["id"] for i in (await feeds.items(feed["id"]))["items"]] == [
            f"g{n}" for n in range(7)]
        page = await feeds.items(feed["id"], limit=3, offset=5)
        assert page["total"] == 7 and [i["id"] for i in page["items"]] == ["g5", "g6"]

        changed = await c.patch(f"/internal/feeds/{feed['id']}", params={"user_id": me},
                                json={"auto_download": True, "interval_s": 600, "title": "Renamed"})
        assert changed.status_code == 200, changed.text
        assert (changed.json()["auto_download"], changed.json()["interval_s"],
                changed.json()["title"]) == (True, 600, "Renamed")
        too_slow = await c.patch(f"/internal/feeds/{feed['id']}", params={"user_id": me},
                                 json={"interval_s": 30 * 24 * 3600})
        assert too_slow.json() == {"detail": "The check interval must be at most 7 days."}

        # Someone else's feed id is as good as no feed at all.
        stranger = str(uuid.uuid4())
        fid = feed["id"]
        for method, path in (("GET", f"/internal/feeds/{fid}/items"),
                             ("POST", f"/internal/feeds/{fid}/poll"),
                             ("DELETE", f"/internal/feeds/{fid}")):
            resp = await c.request(method, path, params={"user_id": stranger})
            assert resp.status_code == 404 and resp.json() == {"detail": "No such feed."}, path
        resp = await c.patch(f"/internal/feeds/{fid}", params={"user_id": stranger},
                             json={"title": "mine now"})
        assert resp.status_code == 404
        assert (await c.get("/internal/feeds", params={"user_id": stranger})).json() == []
        # The same URL is a separate subscription for another user.
        theirs = await feeds.subscribe(url, user_id=uuid.UUID(stranger))
        assert theirs["id"] != fid and theirs["title"] is None

        assert (await c.delete(f"/internal/feeds/{fid}", params={"user_id": me})).status_code == 204
        assert (await c.delete(f"/internal/feeds/{fid}", params={"user_id": me})).status_code == 404
        assert (await c.get("/internal/feeds", params={"user_id": me})).json() == []
        gone = await c.get(f"/internal/feeds/{fid}/items", params={"user_id": me})
        assert gone.status_code == 404


async def test_private_addresses_are_refused_unless_allowed(start_feeds, http_server):
    async with start_feeds(allow_private_networks=False) as feeds:
        resp = await feeds.client.post("/internal/feeds", json={
            "user_id": str(feeds.user_id), "url": http_server.url("/feed.rss")})
        assert resp.status_code == 422
        assert resp.json()["detail"].startswith("This address cannot be followed: 127.0.0.1")
        assert "loopback" in resp.json()["detail"]
    assert http_server.requests == []

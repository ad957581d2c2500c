"""The feeds service's pure decisions: the backoff schedule, failures in plain words,
connector choice, item identity and dedup, what auto-download takes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from mf_feeds import domain
from mf_feeds.adapters import http_feed, ytdlp
from mf_feeds.adapters.http_feed import SourceError
from mf_feeds.domain import Failure, FeedItem

HOUR = 3600
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def delay(failures=0, rand=0.5, failure=None, interval=HOUR, **kw):
    return domain.next_poll_delay(interval_s=interval, failures=failures, rand=rand,
                                  failure=failure, **kw)


ERROR = Failure("boom")
RATE_LIMITED = Failure("slow down", rate_limited=True)


class TestBackoff:
    def test_healthy_feeds_poll_at_their_interval(self):
        assert delay(rand=0.5) == HOUR

    def test_each_failure_doubles_the_wait(self):
        assert [delay(failures=n, failure=ERROR) for n in range(1, 5)] == [
            2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR]

    def test_the_wait_is_capped_at_a_day(self):
        assert delay(failures=5, failure=ERROR, rand=0.99) == 24 * HOUR
        assert delay(failures=1000, failure=ERROR) == 24 * HOUR
        assert delay(failures=3, failure=ERROR, max_backoff_s=5 * HOUR) == 5 * HOUR

    def test_an_interval_longer_than_the_cap_is_kept(self):
        assert delay(interval=3 * 24 * HOUR, failures=2, failure=ERROR) == 3 * 24 * HOUR

    @pytest.mark.parametrize("failures", [0, 1, 3])
    def test_jitter_spreads_within_ten_percent(self, failures):
        base = HOUR * 2 ** failures
        low, high = delay(failures=failures, rand=0.0), delay(failures=failures, rand=0.999999)
        assert low == pytest.approx(base * 0.9) and high == pytest.approx(base * 1.1, rel=1e-5)
        assert all(low <= delay(failures=failures, rand=r / 10) <= high for r in range(10))

    def test_a_rate_limit_waits_two_doublings_longer(self):
        assert delay(failures=1, failure=RATE_LIMITED) == 8 * HOUR
        assert delay(failures=1, failure=RATE_LIMITED) > delay(failures=1, failure=ERROR)

    def test_retry_after_is_honoured_even_beyond_the_cap(self):
        asked = Failure("429", rate_limited=True, retry_after_s=2 * 24 * HOUR)
        assert delay(failures=1, failure=asked, rand=0.0) == 2 * 24 * HOUR
        short = Failure("429", rate_limited=True, retry_after_s=10)
        assert delay(failures=1, failure=short) == 8 * HOUR  # our backoff is longer already

    def test_an_absurd_retry_after_is_capped_at_a_week(self):
        asked = Failure("429", rate_limited=True, retry_after_s=10**9)
        assert delay(failures=1, failure=asked) == 7 * 24 * HOUR


class TestRetryAfter:
    def test_seconds(self):
        assert domain.retry_after_seconds("120", now=NOW) == 120

    def test_an_http_date(self):
        value = "Sun, 01 Mar 2026 12:30:00 GMT"
        assert domain.retry_after_seconds(value, now=NOW) == 1800

    def test_a_date_in_the_past_means_now(self):
        assert domain.retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", now=NOW) == 0

    @pytest.mark.parametrize("value", [None, "", "  ", "soon", "-5"])
    def test_nonsense_is_ignored(self, value):
        assert domain.retry_after_seconds(value, now=NOW) is None


class TestFailures:
    def test_429_is_a_rate_limit_with_its_retry_after(self):
        f = domain.http_failure(status=429, retry_after_s=60)
        assert (f.rate_limited, f.retry_after_s) == (True, 60)
        assert f.message == "The site is limiting requests (HTTP 429); checking again later."

    def test_403_with_retry_after_is_a_ban_and_without_it_a_login_question(self):
        assert domain.http_failure(status=403, retry_after_s=600).rate_limited
        plain = domain.http_failure(status=403, retry_after_s=None)
        assert not plain.rate_limited and "send your cookies" in plain.message

    @pytest.mark.parametrize("status, words", [(404, "no feed at this address"),
                                               (500, "had an error (HTTP 500)"),
                                               (418, "answered HTTP 418")])
    def test_other_statuses(self, status, words):
        failure = domain.http_failure(status=status, retry_after_s=None)
        assert words in failure.message and not failure.rate_limited

    def test_ytdlp_messages_lose_their_prefixes_and_reprs(self):
        f = domain.ytdlp_failure(message="ERROR: [generic] Unsupported URL: https://x.example/a")
        assert f.message == "Could not list the page: Unsupported URL: https://x.example/a."
        g = domain.ytdlp_failure(message="ERROR: [youtube:tab] abc: Unable to download API page: "
                                         "<urlopen error> (caused by TransportError('x'))")
        assert "caused by" not in g.message and "Unable to download API page" in g.message

    @pytest.mark.parametrize("message", [
        "ERROR: [youtube] x: Sign in to confirm you’re not a bot. Use --cookies",
        "ERROR: Unable to download webpage: HTTP Error 429: Too Many Requests",
        "ERROR: [instagram] rate-limit reached or login required"])
    def test_ytdlp_rate_limit_messages(self, message):
        assert domain.ytdlp_failure(message=message).rate_limited

    def test_a_site_that_asks_for_a_pause_gets_one(self):
        assert domain.asks_for_pause(domain.http_failure(status=429, retry_after_s=None))
        assert domain.asks_for_pause(domain.http_failure(status=503, retry_after_s=120))
        assert not domain.asks_for_pause(domain.http_failure(status=500, retry_after_s=None))
        until = datetime(2026, 3, 1, 14, 5, 59, tzinfo=UTC)
        assert domain.pause_message(until) == ("The site asked for a pause; the feed will be "
                                               "checked again at 2026-03-01 14:05 UTC.")

    def test_ytdlp_http_status_is_used_when_known(self):
        f = domain.ytdlp_failure(message="HTTP Error 429", status=429, retry_after_s=30)
        assert (f.rate_limited, f.retry_after_s) == (True, 30)
        assert "HTTP 404" in domain.ytdlp_failure(message="x", status=404).message


class TestConnectorChoice:
    @pytest.mark.parametrize("url", ["https://www.youtube.com/@someone",
                                     "https://youtube.com/playlist?list=PL1", "https://youtu.be/x",
                                     "https://m.youtube.com/channel/UC1"])
    def test_youtube_urls_go_to_ytdlp_without_a_fetch(self, url):
        assert domain.kind_for_url(url, known=None) == "youtube"

    def test_other_urls_are_fetched_first_unless_known(self):
        assert domain.kind_for_url("https://example.com/feed", known=None) is None
        assert domain.kind_for_url("https://example.com/feed", known="rss") == "rss"
        assert domain.kind_for_url("https://notyoutube.com/x", known=None) is None

    @pytest.mark.parametrize("content_type, head", [
        ("application/rss+xml", b"whatever"), ("application/atom+xml; charset=utf-8", b""),
        ("text/xml", b""), ("text/html", b"<?xml version='1.0'?>\n<rss version='2.0'>"),
        ("text/plain", b"\xef\xbb\xbf  <feed xmlns='http://www.w3.org/2005/Atom'>"),
        ("", b"<?xml version='1.0'?><!-- generated --><rdf:RDF xmlns:rdf='x'>")])
    def test_feeds_by_content_type_or_root(self, content_type, head):
        assert domain.looks_like_feed(content_type=content_type, head=head)

    @pytest.mark.parametrize("content_type, head", [
        ("text/html", b"<!DOCTYPE html><html><video src=a.mp4></video>"),
        ("application/xhtml+xml", b"<?xml version='1.0'?><html>"),
        ("text/html", b"<html><body>see <rss> below</body></html>"),
        ("application/octet-stream", b"\x00\x01garbage")])
    def test_pages_are_not_feeds(self, content_type, head):
        assert not domain.looks_like_feed(content_type=content_type, head=head)

    def test_a_channel_home_is_read_through_its_videos_tab(self):
        assert domain.listing_url("https://www.youtube.com/@someone") == \
            "https://www.youtube.com/@someone/videos"
        assert domain.listing_url("https://www.youtube.com/channel/UC123/") == \
            "https://www.youtube.com/channel/UC123/videos"
        for kept in ("https://www.youtube.com/@someone/shorts",
                     "https://www.youtube.com/playlist?list=PL1", "https://example.com/@someone"):
            assert domain.listing_url(kept) == kept


def item(id_, url=None, when=None):
    return FeedItem(id=id_, url=url or f"https://e.example/{id_}", published_at=when)


class TestItems:
    def test_dedupe_by_id_and_by_url_first_wins(self):
        items = [item("a"), item("b"), item("a", "https://e.example/other"),
                 item("c", "https://e.example/b")]
        assert [(i.id, i.url) for i in domain.dedupe(items)] == [
            ("a", "https://e.example/a"), ("b", "https://e.example/b")]

    def test_stable_ids_for_real_extractors_urls_for_page_positions(self):
        assert domain.ytdlp_item_id(extractor="Youtube", entry_id="dQw4", url="u") == "youtube:dQw4"
        for unstable in ("Generic", "HTML5MediaEmbed", None, ""):
            assert domain.ytdlp_item_id(extractor=unstable, entry_id="page-1", url="u") == "u"
        assert domain.ytdlp_item_id(extractor="Youtube", entry_id=None, url="u") == "u"

    def test_only_web_urls_of_indexable_length(self):
        assert domain.web_url(" https://e.example/a ") == "https://e.example/a"
        for bad in ("javascript:alert(1)", "mailto:a@b", "/relative", "", None, 42,
                    "https://e.example/" + "x" * 3000):
            assert domain.web_url(bad) is None

    def test_new_items_are_announced_oldest_first(self):
        dated = [item("c", when=NOW), item("a", when=NOW - timedelta(days=2)),
                 item("b", when=NOW - timedelta(days=1))]
        assert [i.id for i in domain.oldest_first(dated)] == ["a", "b", "c"]
        undated = [item("new"), item("mid", when=NOW), item("old")]  # a feed lists newest first
        assert [i.id for i in domain.oldest_first(undated)] == ["old", "mid", "new"]

    def test_ytdlp_publication_dates(self):
        assert domain.ytdlp_published(timestamp=1_700_000_000, upload_date=None) == \
            datetime.fromtimestamp(1_700_000_000, UTC)
        assert domain.ytdlp_published(timestamp=None, upload_date="20240131") == \
            datetime(2024, 1, 31, tzinfo=UTC)
        assert domain.ytdlp_published(timestamp=None, upload_date="2024-01-31") is None
        assert domain.ytdlp_published(timestamp=True, upload_date="20241399") is None


class TestAutoDownload:
    @pytest.mark.parametrize("auto, first, backlog, expected", [
        (False, False, False, False), (False, True, True, False),
        (True, False, False, True), (True, True, False, False), (True, True, True, True)])
    def test_new_items_only_unless_the_backlog_is_asked_for(self, auto, first, backlog, expected):
        assert domain.should_submit(auto_download=auto, first_poll=first, backlog=backlog) is expected

    def test_interval_bounds_in_words(self):
        assert domain.interval_problem(300, min_s=300, max_s=86400) is None
        assert domain.interval_problem(299, min_s=300, max_s=86400) == \
            "The check interval must be at least 5 minutes."
        assert domain.interval_problem(90000, min_s=300, max_s=86400) == \
            "The check interval must be at most 1 day."
        assert domain.interval_problem(0, min_s=1, max_s=10) == \
            "The check interval must be at least 1 second."


class TestEntries:
    """How the connectors turn what feedparser and yt-dlp give into items."""

    def test_an_rss_entry_prefers_its_media_enclosure(self):
        entry = {"id": "ep-1", "link": "https://e.example/episode-1", "title": " Episode 1 ",
                 "enclosures": [{"href": "https://cdn.example/ep1.jpg", "type": "image/jpeg"},
                                {"href": "https://cdn.example/ep1.mp3", "type": "audio/mpeg"}],
                 "published_parsed": NOW.timetuple()}
        assert http_feed.entry_item(entry) == FeedItem(
            id="ep-1", url="https://cdn.example/ep1.mp3", title="Episode 1", published_at=NOW)

    def test_an_rss_entry_without_id_is_known_by_its_link(self):
        got = http_feed.entry_item({"link": "https://e.example/p", "title": "P"})
        assert (got.id, got.url, got.published_at) == ("https://e.example/p", "https://e.example/p",
                                                       None)
        assert http_feed.entry_item({"link": "javascript:void(0)", "title": "x"}) is None

    def test_a_youtube_flat_entry(self):
        entry = {"_type": "url", "ie_key": "Youtube", "id": "abc123",
                 "url": "https://www.youtube.com/watch?v=abc123", "title": "A video",
                 "timestamp": 1_700_000_000}
        assert ytdlp.entry_item(entry) == FeedItem(
            id="youtube:abc123", url="https://www.youtube.com/watch?v=abc123", title="A video",
            published_at=datetime.fromtimestamp(1_700_000_000, UTC))

    def test_garbage_is_not_a_feed(self):
        page = http_feed.Page(url="https://e.example/f", content_type="application/rss+xml",
                              body=b"\x00\xffnot xml at all")
        with pytest.raises(SourceError, match="could not be read"):
            http_feed.parse(page, max_items=10)


# -- JSON Feed -------------------------------------------------------------------------
def test_json_feed_is_recognised_by_type_or_by_its_version():
    from mf_feeds.domain import is_json_feed, looks_like_feed

    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": []}'
    assert is_json_feed(content_type="application/feed+json", head=b"")
    assert is_json_feed(content_type="application/json; charset=utf-8", head=body)
    assert looks_like_feed(content_type="text/plain", head=b"\xef\xbb\xbf\n " + body)
    assert not is_json_feed(content_type="application/json", head=b'{"users": []}')
    assert not looks_like_feed(content_type="text/html", head=b"<html><body>{}</body></html>")


def test_json_feed_items_prefer_media_attachments_and_resolve_relative_urls():
    from mf_feeds.adapters.json_feed import parse_json_feed

    body = orjson.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": " My podcast ",
        "items": [
            {"id": 7, "url": "/posts/7", "title": "Seven", "date_published": "2026-11-01T10:00:00Z",
             "attachments": [{"url": "cover.jpg", "mime_type": "image/jpeg"},
                             {"url": "/audio/7.mp3", "mime_type": "audio/mpeg"}]},
            {"id": "page", "external_url": "https://example.org/watch?v=1",
             "date_modified": "2026-11-02T08:30:00+01:00"},
            {"id": "nowhere", "title": "no URL at all"},
            {"id": "bad", "url": "javascript:alert(1)"},
            "not an object",
        ]})
    title, items = parse_json_feed(body, url="https://example.com/feed.json", max_items=10)
    assert title == "My podcast"
    assert [(i.id, i.url, i.title) for i in items] == [
        ("7", "https://example.com/audio/7.mp3", "Seven"),
        ("page", "https://example.org/watch?v=1", "")]
    assert items[0].published_at == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert items[1].published_at == datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"version": "1"}',
                                  b'{"version": "https://jsonfeed.org/version/1", "items": 3}'])
def test_json_that_is_not_a_json_feed_is_refused(body):
    from mf_feeds.adapters.json_feed import NotAJsonFeed, parse_json_feed

    with pytest.raises(NotAJsonFeed):
        parse_json_feed(body, url="https://example.com/f", max_items=10)

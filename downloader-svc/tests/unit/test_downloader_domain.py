"""The downloader's pure decisions: yt-dlp options, failure reasons, progress, sources."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
import yt_dlp
from mf_downloader import domain, failures
from mf_downloader.domain import KnownSource, Throttle

STAGING = Path("/media/staging/0190e7a4-0000-7000-8000-000000000000")


# -- yt-dlp options ------------------------------------------------------------------
def test_options_keep_everything_inside_the_staging_folder():
    opts = domain.ytdlp_options(staging=STAGING, socket_timeout_s=7.5, retries=2)
    json.dumps(opts)  # they travel to the worker as JSON
    assert opts["outtmpl"]["default"].startswith(f"{STAGING}/")
    assert opts["paths"] == {"home": str(STAGING), "temp": str(STAGING)}
    assert opts["restrictfilenames"] and opts["noplaylist"]
    assert opts["writethumbnail"]
    assert {"key": "FFmpegThumbnailsConvertor", "format": "jpg", "when": "before_dl"} in \
        opts["postprocessors"]
    assert opts["noprogress"] and opts["quiet"] and opts["no_warnings"]
    assert (opts["socket_timeout"], opts["retries"], opts["fragment_retries"]) == (7.5, 2, 2)
    assert opts["format"] == "bv*+ba/b"
    assert opts["format_sort"] == ["res", "fps", "vcodec:h264", "acodec:aac"]
    assert opts["merge_output_format"] == "mp4/mkv"
    assert opts["external_downloader"] == {"default": "native"}  # the guarded HTTP stack


def _fmt(fid: str, ext: str, vcodec: str, acodec: str, height: int | None = None) -> dict:
    fmt = {"format_id": fid, "url": f"https://example.invalid/{fid}", "ext": ext,
           "vcodec": vcodec, "acodec": acodec, "protocol": "https"}
    if height:
        fmt.update(height=height, width=height * 16 // 9, fps=30)
    return fmt


FORMATS = [
    _fmt("vp9-1080", "webm", "vp9", "none", 1080),
    _fmt("h264-1080", "mp4", "avc1.640028", "none", 1080),
    _fmt("av01-1080", "mp4", "av01.0.08M.08", "none", 1080),
    _fmt("h264-720", "mp4", "avc1.4d401f", "none", 720),
    _fmt("opus", "webm", "none", "opus"),
    _fmt("aac", "m4a", "none", "mp4a.40.2"),
]


@pytest.mark.parametrize(("formats", "chosen", "ext"), [
    (FORMATS, "h264-1080+aac", "mp4"),                         # equal quality: H.264/AAC
    ([_fmt("vp9-2160", "webm", "vp9", "none", 2160), *FORMATS], "vp9-2160+aac", "mkv"),
    ([_fmt("only", "mp4", "avc1.4d401f", "mp4a.40.2", 480)], "only", "mp4"),
])
def test_real_yt_dlp_picks_best_quality_then_h264_aac(formats, chosen, ext):
    """yt-dlp's own format selector, run offline on a made-up format list."""
    opts = domain.ytdlp_options(staging=STAGING, socket_timeout_s=5, retries=0)
    info = {"id": "x", "title": "x", "formats": formats, "extractor": "test",
            "extractor_key": "Test", "webpage_url": "https://example.invalid/x"}
    with yt_dlp.YoutubeDL({**opts, "simulate": True}) as ydl:
        result = ydl.process_ie_result(info, download=False)
    assert (result["format_id"], result["ext"]) == (chosen, ext)


# -- failure reasons -----------------------------------------------------------------
# Messages as yt-dlp 2026.10 prints them (seen against the local media server).
@pytest.mark.parametrize(("message", "words"), [
    (("ERROR: [generic] 404: Unable to download webpage: HTTP Error 404: Not Found "
     "(caused by <HTTPError 404: Not Found>)"), "does not exist (HTTP 404)"),
    (("ERROR: [generic] 403: Unable to download webpage: HTTP Error 403: Forbidden "
     "(caused by <HTTPError 403: Forbidden>)"), "refused access to this media (HTTP 403)"),
    (("ERROR: [generic] 410: Unable to download webpage: HTTP Error 410: Gone "
     "(caused by <HTTPError 410: Gone>)"), "has been removed (HTTP 410)"),
    ("ERROR: unable to download video data: HTTP Error 503: Service Unavailable",
     "internal problem (HTTP 503)"),
    ("ERROR: [generic] x: HTTP Error 418: I'm a teapot", "answered with an error (HTTP 418)"),
    ("ERROR: Unsupported URL: http://127.0.0.1:8000/about.html", "No video or audio was found"),
    (("ERROR: [generic] hang: Unable to download webpage: HTTPConnectionPool(host='127.0.0.1', "
     "port=40969): Read timed out. (read timeout=1.0) (caused by TransportError(\"...\"))"),
     "did not answer in time"),
    (("ERROR: [generic] x: Unable to download webpage: HTTPConnection(host='nonexistent.invalid',"
     " port=80): Failed to resolve 'nonexistent.invalid' ([Errno -2] Name or service not known)"),
     "address could not be found"),
    (("ERROR: [generic] x: Unable to download webpage: HTTPConnection(host='127.0.0.1', port=1): "
     "Failed to establish a new connection: [Errno 111] Connection refused"),
     "refused the connection"),
    ("RequestError: refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address",
     "private or local network"),
    (("no audio or video stream in what was downloaded (garbage.unknown_video: Invalid data "
     "found when processing input)"), "not media"),
    ("ERROR: Postprocessing: Conversion failed!", "could not be put together (ffmpeg failed)"),
    (("UrlRefused: refused to let ffmpeg download this stream: its connections would bypass "
     "the private-address guard"), "ffmpeg's connections cannot be checked"),
    ("ERROR: [youtube] dQw4w9WgXcQ: Private video. Sign in if you've been granted access",
     "This media is private"),
    ("ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate",
     "signed in"),
    ("ERROR: [youtube] abc: Requested format is not available. Use --list-formats",
     "None of the formats"),
    ("ERROR: unable to write data: [Errno 28] No space left on device", "volume is full"),
    ("ERROR: something nobody has seen before", "The download failed"),
])
def test_failure_reason_reads_plainly_and_keeps_the_essence(message, words):
    reason = failures.failure_reason(message)
    assert words in reason
    assert "caused by" not in reason and not reason.startswith("ERROR")
    assert reason.endswith(failures.essence(message))


def test_essence_drops_prefix_cause_and_bug_report_boilerplate():
    message = ("ERROR: [requests] Unexpected error: UrlRefused: refused to connect to 10.0.0.5:"
               " 10.0.0.5 is a private network address; please report this issue on  "
               "https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the template")
    assert failures.essence(message) == \
        "refused to connect to 10.0.0.5: 10.0.0.5 is a private network address"
    assert len(failures.essence("ERROR: " + "x" * 1000)) == failures.ESSENCE_MAX


def test_a_dead_worker_is_explained():
    assert "killed by signal 9" in failures.worker_died_reason(-9)
    assert "exited with code 1" in failures.worker_died_reason(1)


# -- progress ------------------------------------------------------------------------
def test_throttle_lets_one_through_per_interval_and_keeps_the_last():
    t: Throttle[int] = Throttle(0.25)
    assert t.offer(1, now=10.0) == 1
    assert t.offer(2, now=10.1) is None
    assert t.offer(3, now=10.2) is None
    assert t.flush() == 3 and t.flush() is None
    assert t.offer(4, now=10.26) == 4
    assert t.offer(5, now=10.3, final=True) == 5   # the final state always goes out
    assert t.flush() is None


def test_throttle_caps_a_flood_to_four_per_second():
    t: Throttle[int] = Throttle(0.25)
    sent = [i for i in range(1000) if t.offer(i, now=i / 1000) is not None]
    assert len(sent) == 4 and t.flush() == 999


@pytest.mark.parametrize(("hook", "expected"), [
    ({"status": "downloading", "downloaded_bytes": 1024, "total_bytes": 4096, "speed": 512.0,
      "eta": 6}, {"percent": 25.0, "downloaded_bytes": 1024, "total_bytes": 4096,
                  "speed": 512.0, "eta": 6.0}),
    ({"status": "downloading", "downloaded_bytes": 300, "total_bytes_estimate": 200.0},
     {"percent": 100.0, "downloaded_bytes": 300, "total_bytes": 200, "speed": None, "eta": None}),
    ({"status": "downloading", "downloaded_bytes": 10, "fragment_index": 1, "fragment_count": 4},
     {"percent": 25.0, "downloaded_bytes": 10, "total_bytes": None, "speed": None, "eta": None}),
    ({"status": "finished", "downloaded_bytes": 4096, "total_bytes": 4096},
     {"percent": 100.0, "downloaded_bytes": 4096, "total_bytes": 4096, "speed": None,
      "eta": None}),
    ({"status": "downloading"},
     {"percent": None, "downloaded_bytes": None, "total_bytes": None, "speed": None, "eta": None}),
    ({"status": "error"}, None),
])
def test_progress_fields_from_yt_dlp_hooks(hook, expected):
    assert domain.progress_fields(hook) == expected


# -- known sources -------------------------------------------------------------------
def test_url_key_normalizes_what_does_not_select_the_media():
    assert domain.url_key(" HTTP://Example.COM:80/a/B.mp4?x=1#t=10 ") == \
        "http://example.com/a/B.mp4?x=1"
    assert domain.url_key("https://example.com:8443") == "https://example.com:8443/"
    assert domain.url_key("https://example.com/v?id=1") != domain.url_key("https://example.com/v?id=2")


def test_site_ids_are_global_url_derived_ids_are_scoped_by_page():
    key = domain.source_key
    assert key(extractor="Youtube", source_id="dQw4w9WgXcQ", webpage_url="https://youtu.be/x") \
        == key(extractor="Youtube", source_id="dQw4w9WgXcQ", webpage_url="https://m.youtube.com/y")
    a = key(extractor="Generic", source_id="video", webpage_url="http://h/a/video.mp4?x=1")
    assert a == key(extractor="Generic", source_id="video", webpage_url="http://H/a/video.mp4?x=2")
    assert a != key(extractor="Generic", source_id="video", webpage_url="http://h/b/video.mp4")
    assert a != key(extractor="Generic", source_id="video", webpage_url="http://other/a/video.mp4")
    assert key(extractor="HTML5MediaEmbed", source_id="clip-1", webpage_url="http://h/p?a") == \
        key(extractor="HTML5MediaEmbed", source_id="clip-1", webpage_url="http://h/p?b")


def test_linked_info_names_the_submitted_url_and_no_staging_file():
    known = KnownSource(extractor="Generic", source_id="clip", sha256="ab" * 32, info={
        "title": "Clip", "duration": 3.0, "uploader": "someone", "source_url": "http://h/clip?1",
        "thumbnail_path": "/media/staging/old/clip.jpg", "webpage_url": "http://h/clip?1"})
    info = domain.linked_info(known, submitted_url="http://h/clip?2")
    assert (info.title, info.duration, info.uploader) == ("Clip", 3.0, "someone")
    assert (info.extractor, info.source_id, info.source_url) == ("Generic", "clip", "http://h/clip?2")
    assert info.thumbnail_path is None


def test_downloaded_info_fills_duration_from_ffprobe_and_trims_the_description():
    raw = {"extractor_key": "Generic", "id": "clip", "title": "clip", "webpage_url": "http://h/c",
           "description": "d" * 9000, "upload_date": "20260101", "uploader": "u"}
    info = domain.downloaded_info(raw, submitted_url="http://h/c", thumbnail_path="/s/c.jpg",
                                  probed_duration=3.02)
    assert (info.duration, info.extractor, info.source_id) == (3.02, "Generic", "clip")
    assert len(info.description) == domain.DESCRIPTION_MAX
    assert (info.upload_date, info.uploader, info.thumbnail_path) == ("20260101", "u", "/s/c.jpg")
    assert domain.downloaded_info({**raw, "duration": 61}, submitted_url="u",
                                  thumbnail_path=None, probed_duration=3.0).duration == 61


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "is full"), (errno.EDQUOT, "quota"), (errno.EROFS, "read-only")])
def test_a_media_volume_refusing_writes_fails_the_job_in_plain_words(tmp_path, code, words):
    exc = OSError(code, os.strerror(code), str(tmp_path / "staging" / "job"))
    assert words in failures.disk_failure_reason(exc, media_root=tmp_path)


def test_other_os_errors_are_left_to_the_retries(tmp_path):
    assert failures.disk_failure_reason(OSError(errno.EIO, "I/O error"), media_root=tmp_path) \
        is None
    elsewhere = PermissionError(errno.EACCES, "Permission denied", "/etc/ssl/private")
    assert failures.disk_failure_reason(elsewhere, media_root=tmp_path) is None
    mine = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "staging"))
    assert "permission denied" in failures.disk_failure_reason(mine, media_root=tmp_path)


@pytest.mark.parametrize("raw, expected", [
    ("a\x00b", "a b"), ("  many   spaces\n\tand lines ", "many spaces and lines"),
    ("../../etc/passwd", "../../etc/passwd"),  # kept as text: it never becomes a path
    ("x" * 1200, "x" * 999 + "…"), (None, None), (42, "42")])
def test_clean_text_makes_site_text_storable_and_one_line(raw, expected):
    assert domain.clean_text(raw) == expected


def test_clean_text_keeps_line_breaks_in_descriptions():
    assert domain.clean_text("one\r\ntwo\rthree\x07", multiline=True) == "one\ntwo\nthree"


def test_the_only_video_of_a_page_is_titled_like_the_page():
    embed = {"extractor_key": "HTML5MediaEmbed", "id": "holiday-1", "title": "Holiday (1)"}
    assert domain.title_of(embed) == "Holiday"
    second = {"extractor_key": "HTML5MediaEmbed", "id": "holiday-2", "title": "Holiday (2)"}
    assert domain.title_of(second) == "Holiday (2)"
    elsewhere = {"extractor_key": "Generic", "id": "x-1", "title": "Top 10 (1)"}
    assert domain.title_of(elsewhere) == "Top 10 (1)"


@pytest.mark.parametrize("message, cured_by_cookies", [
    ("ERROR: [generic] x: Unable to download webpage: HTTP Error 403: Forbidden", True),
    ("ERROR: [generic] x: Unable to download webpage: HTTP Error 401: Unauthorized", True),
    ("ERROR: [youtube] x: Sign in to confirm your age", True),
    ("ERROR: [vimeo] x: This is a private video", True),
    ("ERROR: [generic] x: Unable to download webpage: HTTP Error 404: Not Found", False),
    ("ERROR: [generic] x: Unable to download webpage: <urlopen error timed out>", False),
])
def test_failures_the_users_cookies_may_cure_are_told_apart(message, cured_by_cookies):
    assert failures.needs_sign_in(failures.failure_reason(message)) is cured_by_cookies

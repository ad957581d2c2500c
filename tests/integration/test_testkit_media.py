"""The test rig itself is real: ffprobe agrees with every media kind's name, the local
server speaks correct HTTP (ranges, cookies, throttling, errors), and the real yt-dlp
downloads from it. Other suites build on these, so they must fail here first."""
from __future__ import annotations

import json
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import yt_dlp
from mf_testkit.httpserver import MediaServer
from mf_testkit.media import MEDIA_KINDS, generate_media

# Written out independently of MEDIA_KINDS: what each name promises.
EXPECTED = {
    "h264_aac_mp4": ("mp4", "h264", "aac", "yuv420p"),
    "h264_aac_mp4_faststart": ("mp4", "h264", "aac", "yuv420p"),
    "h264_aac_mkv": ("matroska", "h264", "aac", "yuv420p"),
    "vp9_opus_webm": ("webm", "vp9", "opus", "yuv420p"),
    "hevc_mkv": ("matroska", "hevc", "aac", "yuv420p"),
    "audio_only": ("mp3", None, "mp3", None),
    "h264_high10_mp4": ("mp4", "h264", "aac", "yuv420p10le"),
    "hls": ("hls", "h264", "aac", "yuv420p"),
}


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                          "-show_streams", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def streams(probe: dict, kind: str) -> list[dict]:
    return [s for s in probe["streams"] if s["codec_type"] == kind]


def moov_before_mdat(path: Path) -> bool:
    """Walk the top-level MP4 boxes: True when `moov` precedes `mdat` (faststart)."""
    order: list[str] = []
    with open(path, "rb") as fh:
        while header := fh.read(8):
            if len(header) < 8:
                break
            size, box = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0] - 8
            elif size == 0:
                order.append(box.decode("latin-1"))
                break
            order.append(box.decode("latin-1"))
            fh.seek(size - 8, 1)
    if "moov" not in order or "mdat" not in order:
        raise ValueError(f"{path}: top-level boxes {order} lack moov or mdat")
    return order.index("moov") < order.index("mdat")


def ytdlp(url: str, dest: Path, **opts: object) -> Path:
    """Download with the real yt-dlp API the way the downloader calls it; return the file."""
    params = {"quiet": True, "no_warnings": True, "noprogress": True,
              "outtmpl": str(dest / "%(id)s.%(ext)s"), **opts}
    with yt_dlp.YoutubeDL(params) as ydl:
        info = ydl.extract_info(url, download=True)
    return Path(info["requested_downloads"][0]["filepath"])


def has_video(path: Path) -> bool:
    return path.is_file() and bool(streams(ffprobe(path), "video"))


# --- media ------------------------------------------------------------------------------
def test_every_kind_is_generated(media_files: dict[str, Path]) -> None:
    assert set(media_files) == set(MEDIA_KINDS) == set(EXPECTED) | {"truncated"}
    assert all(p.is_file() and p.stat().st_size > 100 for p in media_files.values())


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_kind_matches_its_name(media_files: dict[str, Path], kind: str) -> None:
    fmt, vcodec, acodec, pix_fmt = EXPECTED[kind]
    probe = ffprobe(media_files[kind])
    assert fmt in probe["format"]["format_name"].split(",")
    assert 2.5 <= float(probe["format"]["duration"]) <= 3.6
    assert [s["codec_name"] for s in streams(probe, "audio")] == [acodec]
    video = streams(probe, "video")
    assert [s["codec_name"] for s in video] == ([vcodec] if vcodec else [])
    if vcodec:
        assert video[0]["pix_fmt"] == pix_fmt and video[0]["height"] == 240
    if vcodec == "h264":
        want = "High 10" if pix_fmt == "yuv420p10le" else "High"
        assert video[0]["profile"] == want


def test_moov_position(media_files: dict[str, Path]) -> None:
    assert moov_before_mdat(media_files["h264_aac_mp4"]) is False
    assert moov_before_mdat(media_files["h264_aac_mp4_faststart"]) is True


def test_truncated_file_is_broken(media_files: dict[str, Path]) -> None:
    whole = media_files["h264_aac_mp4"].stat().st_size
    assert media_files["truncated"].stat().st_size == pytest.approx(whole * 0.4, abs=2)
    proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(media_files["truncated"]),
                           "-f", "null", "-"], check=False, capture_output=True, text=True)
    assert proc.returncode != 0 or proc.stderr.strip()


def test_hls_segments_are_about_one_second(media_files: dict[str, Path]) -> None:
    lines = media_files["hls"].read_text().splitlines()
    durations = [float(ln.split(":")[1].rstrip(",")) for ln in lines if ln.startswith("#EXTINF")]
    assert len(durations) >= 3 and all(0.5 <= d <= 1.5 for d in durations)
    assert "#EXT-X-ENDLIST" in lines


def test_generation_is_cached(media_files: dict[str, Path]) -> None:
    before = {k: p.stat().st_mtime_ns for k, p in media_files.items()}
    started = time.monotonic()
    again = generate_media(media_files["h264_aac_mp4"].parent)
    assert time.monotonic() - started < 1.0
    assert {k: p.stat().st_mtime_ns for k, p in again.items()} == before


# --- HTTP server -----------------------------------------------------------------------
def test_range_requests(media_server: MediaServer, media_files: dict[str, Path]) -> None:
    data = media_files["h264_aac_mp4"].read_bytes()
    url = media_server.url("/files/h264_aac_mp4.mp4")
    r = httpx.get(url, headers={"Range": "bytes=1000-1999"})
    assert r.status_code == 206 and r.content == data[1000:2000]
    assert r.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    r = httpx.get(url, headers={"Range": "bytes=-500"})
    assert r.status_code == 206 and r.content == data[-500:]
    assert r.headers["content-range"] == f"bytes {len(data) - 500}-{len(data) - 1}/{len(data)}"
    r = httpx.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    r = httpx.head(url)
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(data)
    assert r.headers["accept-ranges"] == "bytes" and r.content == b""


@pytest.mark.parametrize(("path", "ctype"), [
    ("h264_aac_mp4.mp4", "video/mp4"), ("vp9_opus_webm.webm", "video/webm"),
    ("hevc_mkv.mkv", "video/x-matroska"), ("audio_only.mp3", "audio/mpeg"),
    ("hls/index.m3u8", "application/vnd.apple.mpegurl"), ("hls/seg_000.ts", "video/mp2t"),
])
def test_content_types(media_server: MediaServer, path: str, ctype: str) -> None:
    r = httpx.get(media_server.url(f"/files/{path}"))
    assert r.status_code == 200 and r.headers["content-type"] == ctype


def test_no_escape_from_the_media_dir(media_server: MediaServer) -> None:
    assert httpx.get(media_server.url("/files/%2e%2e/%2e%2e/etc/passwd")).status_code == 404


def test_cookie_guard(media_server: MediaServer) -> None:
    url = media_server.url("/cookie/files/h264_aac_mp4.mp4")
    assert httpx.get(url).status_code == 403
    assert httpx.get(url, cookies={"mf_auth": "wrong"}).status_code == 403
    assert httpx.get(url, cookies={"mf_auth": media_server.cookie_value}).status_code == 200
    page = httpx.get(media_server.url("/set-cookie"))
    assert page.cookies["mf_auth"] == media_server.cookie_value and "mf_pref" in page.cookies


def test_status_garbage_and_hang(media_server: MediaServer) -> None:
    assert httpx.get(media_server.url("/status/404")).status_code == 404
    r = httpx.get(media_server.url("/status/429"))
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    r = httpx.get(media_server.url("/garbage"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(media_server.url("/hang"), timeout=0.3)


def test_stop_is_not_blocked_by_hanging_or_slow_clients(media_dir: Path) -> None:
    server = MediaServer(media_dir).start()
    clients = [threading.Thread(target=_swallow, args=(server.url(p),), daemon=True)
               for p in ("/hang", "/slow/files/h264_aac_mp4.mp4?bps=1000")]
    for t in clients:
        t.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2.0


def _swallow(url: str) -> None:
    try:
        httpx.get(url, timeout=10)
    except httpx.HTTPError:
        pass


def test_slow_is_slow(media_server: MediaServer) -> None:
    started = time.monotonic()
    r = httpx.get(media_server.url("/slow/files/h264_aac_mp4.mp4?bps=200000"),
                  headers={"Range": "bytes=0-99999"})
    assert r.status_code == 206 and len(r.content) == 100_000
    assert time.monotonic() - started >= 0.3


def test_client_reset_is_quiet(http_server: MediaServer, capfd: pytest.CaptureFixture) -> None:
    with socket.create_connection(("127.0.0.1", int(http_server.base_url.rsplit(":", 1)[1]))) as s:
        s.sendall(b"GET /slow/files/h264_aac_mp4.mp4?bps=50000 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    time.sleep(0.4)
    assert http_server.errors == []
    assert capfd.readouterr().err == ""


def test_routes_can_change(http_server: MediaServer) -> None:
    http_server.route("/feed.xml", "<rss>one</rss>", content_type="application/rss+xml")
    url = http_server.url("/feed.xml")
    r = httpx.get(url)
    assert r.text == "<rss>one</rss>" and r.headers["content-type"] == "application/rss+xml"
    http_server.route("/feed.xml", "<rss>two</rss>", status=201, headers={"ETag": '"2"'})
    r = httpx.get(url)
    assert (r.status_code, r.text, r.headers["etag"]) == (201, "<rss>two</rss>", '"2"')
    polls = iter(["a", "b"])
    http_server.route_fn("/dyn", lambda h: (200, {"X-Path": h.path}, next(polls)))
    assert [httpx.get(http_server.url("/dyn?x=1")).text for _ in range(2)] == ["a", "b"]
    assert http_server.hits("/feed.xml") == 2 and http_server.hits("/dyn") == 2
    method, path, headers = http_server.requests[-1]
    assert (method, path) == ("GET", "/dyn?x=1") and "user-agent" in headers


# --- the real yt-dlp against the server ------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/files/h264_aac_mp4_faststart.mp4", "/page/h264_aac_mkv.mkv",
    "/page-source/vp9_opus_webm.webm", "/files/hls/index.m3u8",
])
def test_ytdlp_downloads(media_server: MediaServer, tmp_path: Path, path: str) -> None:
    assert has_video(ytdlp(media_server.url(path), tmp_path))


def test_ytdlp_cookie_page(http_server: MediaServer, tmp_path: Path) -> None:
    url = http_server.url("/cookie/page/h264_aac_mp4_faststart.mp4")
    with pytest.raises(yt_dlp.utils.DownloadError, match="403"):
        ytdlp(url, tmp_path / "without")
    jar = tmp_path / "cookies.txt"
    expires = int(time.time()) + 3600
    jar.write_text("# Netscape HTTP Cookie File\n"
                   f"127.0.0.1\tFALSE\t/\tFALSE\t{expires}\tmf_auth\t{http_server.cookie_value}\n")
    assert has_video(ytdlp(url, tmp_path / "with", cookiefile=str(jar)))
    assert http_server.hits("/cookie/files/") >= 1

"""Real yt-dlp reads the vault's cookie file: a cookie-guarded download works with it
and fails without it; the file yt-dlp rewrites (cookies the site set during the run)
goes back into the jar."""
from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
import yt_dlp

MEDIA = "h264_aac_mp4_faststart.mp4"


def _download(url: str, out: Path, cookiefile: Path | None) -> Path:
    opts = {"outtmpl": str(out / "%(id)s.%(ext)s"), "quiet": True, "no_warnings": True,
            "noprogress": True, "retries": 0, "socket_timeout": 10}
    if cookiefile is not None:
        opts["cookiefile"] = str(cookiefile)
    with yt_dlp.YoutubeDL(opts) as ydl:
        info = ydl.extract_info(url, download=True)
        return Path(ydl.prepare_filename(info))


def _private_file(tmp_path: Path, text: str) -> Path:
    """The way the downloader hands cookies to yt-dlp: a file only its owner can read."""
    path = tmp_path / "cookies.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return path


async def _export(vault, user, url) -> str:
    resp = await vault.get("/internal/jars/netscape", params={"user_id": str(user), "url": url})
    assert resp.status_code == 200, resp.text
    return resp.text


async def test_yt_dlp_downloads_a_cookie_guarded_page_with_the_exported_file(
        vault, user, chrome_cookie, media_server, media_files, tmp_path):
    page = media_server.url(f"/cookie/page/{MEDIA}")
    upload = await vault.post("/internal/jars", json={"user_id": str(user), "cookies": [
        chrome_cookie(domain="127.0.0.1", name="mf_auth", value=media_server.cookie_value)]})
    assert upload.json()["sites"] == [{"site": "127.0.0.1", "count": 1, "earliest_expiry": None}]

    with pytest.raises(yt_dlp.utils.DownloadError, match="403"):
        await asyncio.to_thread(_download, page, tmp_path / "without", None)

    cookiefile = _private_file(tmp_path, await _export(vault, user, page))
    got = await asyncio.to_thread(_download, page, tmp_path / "with", cookiefile)
    assert got.read_bytes() == media_files["h264_aac_mp4_faststart"].read_bytes()


async def test_cookies_the_site_sets_during_the_run_come_back_to_the_jar(
        vault, user, chrome_cookie, http_server, tmp_path):
    video = f'<video controls src="/cookie/files/{MEDIA}"></video>'
    http_server.route_fn("/rotating", lambda _h: (200, {
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": "mf_session=rotated-by-site; Path=/; Max-Age=3600"},
        f"<!DOCTYPE html><html><head><title>rot</title></head><body>{video}</body></html>"))
    page = http_server.url("/rotating")
    await vault.post("/internal/jars", json={"user_id": str(user), "cookies": [
        chrome_cookie(domain="127.0.0.1", name="mf_auth", value=http_server.cookie_value,
                      httpOnly=True, sameSite="strict")]})
    cookiefile = _private_file(tmp_path, await _export(vault, user, page))
    await asyncio.to_thread(_download, page, tmp_path / "out", cookiefile)

    rewritten = cookiefile.read_text()
    assert "rotated-by-site" in rewritten
    resp = await vault.put("/internal/jars/netscape",
                           json={"user_id": str(user), "url": page, "text": rewritten})
    assert resp.status_code == 200 and resp.json()["sites"][0]["count"] == 2
    again = await _export(vault, user, page)
    assert "\tmf_session\trotated-by-site" in again
    # yt-dlp's file lost the HttpOnly mark; the jar kept it from the stored cookie.
    assert f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tmf_auth\t{http_server.cookie_value}" in again

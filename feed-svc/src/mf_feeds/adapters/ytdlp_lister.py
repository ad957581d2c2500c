"""The listing process: one yt-dlp flat extraction, one JSON line on stdout.

Run as `python -m mf_feeds.adapters.ytdlp_lister [--allow-private]` in its own session,
so the service can kill it (and anything it started) when a site hangs. It warms up
before reading jobs (imports yt-dlp, compiles its extractors' patterns), then answers one
line per job line, one job at a time, until stdin closes:

  stdin   {"url", "cookiefile", "socket_timeout", "max_items"}
  stdout  {"type": "ok", "title", "entries": [{url, webpage_url, ie_key, extractor_key,
          id, title, timestamp, release_timestamp, upload_date}, ...]}
          {"type": "single"}  the address is one video, not a list of them
          {"type": "error", "message", "status", "retry_after"}

Each job builds its own YoutubeDL, so one job's cookies never reach another's requests.
Without --allow-private every name resolution in this process is guarded, so a redirect
or DNS rebinding to a private address is refused, not just the feed's URL.
"""
from __future__ import annotations

import json
import sys
from typing import Any

from mf_contracts.netguard import guard_resolver

WARM_UP_PAGE = ("<html><head><title>warm-up</title></head>"
                "<body><video src='/a.mp4'></video></body></html>")
ENTRY_KEYS = ("url", "webpage_url", "ie_key", "extractor_key", "id", "title", "timestamp",
              "release_timestamp", "upload_date")


class _Quiet:
    """yt-dlp's messages go to stderr (the service keeps a tail), never to stdout."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        print(msg, file=sys.stderr)

    def error(self, msg: str) -> None:
        print(msg, file=sys.stderr)


def params(job: dict[str, Any]) -> dict[str, Any]:
    out = {"extract_flat": "in_playlist", "skip_download": True, "quiet": True,
           "no_warnings": True, "noprogress": True, "logger": _Quiet(),
           "playlistend": int(job["max_items"]), "socket_timeout": float(job["socket_timeout"]),
           "retries": 0, "extractor_retries": 0}
    if job.get("cookiefile"):
        out["cookiefile"] = job["cookiefile"]
    return out


def entries_of(info: dict[str, Any]) -> list[dict[str, Any]]:
    from yt_dlp.utils import unsmuggle_url

    found = [e for e in info.get("entries") or [] if isinstance(e, dict)]
    trimmed = []
    for entry in found:
        item = {k: entry.get(k) for k in ENTRY_KEYS}
        if isinstance(item["url"], str):
            item["url"] = unsmuggle_url(item["url"])[0]
        trimmed.append(item)
    return trimmed


def http_details(exc: BaseException) -> tuple[int | None, str | None]:
    """The HTTP status and Retry-After behind yt-dlp's error, if one caused it."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        cur = todo.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        status = getattr(cur, "status", None)
        if isinstance(status, int) and 400 <= status <= 599:
            headers = getattr(getattr(cur, "response", None), "headers", None) or {}
            return status, headers.get("Retry-After") if hasattr(headers, "get") else None
        exc_info = getattr(cur, "exc_info", None)
        todo += [getattr(cur, "cause", None), cur.__cause__, cur.__context__,
                 exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) > 1 else None]
    return None, None


def warm_up() -> None:
    """What yt-dlp would otherwise do inside the first extract_info: match the URL against
    every extractor's pattern, then let the generic extractor look for every site's embeds
    in a page (together ~2000 regular expressions, most of a cold listing's second).
    Best effort: `_extract_embeds` is yt-dlp's internal API and may change."""
    import yt_dlp
    from yt_dlp.extractor import gen_extractor_classes

    try:
        for ie in gen_extractor_classes():
            ie.suitable("https://warm-up.invalid/")
        generic = yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True,
                                    "logger": _Quiet()}).get_info_extractor("Generic")
        list(generic._extract_embeds("https://warm-up.invalid/", WARM_UP_PAGE))
    except Exception as exc:  # noqa: BLE001 - only slower without it
        print(f"lister warm-up skipped: {exc!r}", file=sys.stderr)


def list_once(ydl_class, job: dict[str, Any]) -> dict[str, Any]:
    try:
        with ydl_class(params(job)) as ydl:
            info = ydl.sanitize_info(ydl.extract_info(job["url"], download=False))
    except Exception as exc:  # noqa: BLE001 - reported to the service, which decides
        status, retry_after = http_details(exc)
        return {"type": "error", "message": str(exc) or type(exc).__name__, "status": status,
                "retry_after": retry_after}
    if info.get("_type") in ("playlist", "multi_video"):
        return {"type": "ok", "title": info.get("title"), "entries": entries_of(info)}
    return {"type": "single"}  # yt-dlp reads anything that is not HTML (noise too) as a video


def main() -> None:
    if "--allow-private" not in sys.argv[1:]:
        guard_resolver(allow_private=False)
    import yt_dlp

    warm_up()
    for line in sys.stdin:  # EOF: the service closed us or died
        if not line.strip():
            continue
        answer = list_once(yt_dlp.YoutubeDL, json.loads(line))
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

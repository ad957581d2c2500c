"""The download process: one job, yt-dlp's Python API, JSON lines on stdout.

Run as `python -m mf_downloader.adapters.ytdlp_worker` in its own session (process
group), so the service can kill it with every ffmpeg it started. Protocol:

  stdin  line 1   {"url", "params" (YoutubeDL params), "allow_private", "staging"}; the
                  worker imports yt-dlp before reading it, so a spare started ahead is ready
         then     "go" once the service has checked the `info` line (not a stored source)
         EOF      the service is gone or gave up: the worker kills its own group at once
  stdout          {"type": "info", "info": {...}}       after extraction, before any download
                  {"type": "progress", ...hook fields}  a few per second
                  {"type": "done", "path", "thumbnail", "info", "probed_duration"}
                  {"type": "error", "message"}          yt-dlp's (or our) message, verbatim

With allow_private false, every name resolution in this process is guarded, so a
redirect or DNS rebinding to a private address is refused, not just the submitted URL.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mf_contracts.netguard import UrlRefused, guard_resolver

from ..domain import DESCRIPTION_MAX, Throttle

INFO_KEYS = ("extractor_key", "extractor", "id", "title", "webpage_url", "duration", "uploader",
             "channel", "uploader_id", "description", "upload_date", "ext")
HOOK_KEYS = ("status", "downloaded_bytes", "total_bytes", "total_bytes_estimate", "speed", "eta",
             "fragment_index", "fragment_count")
_out_lock = threading.Lock()


def send(message: dict[str, Any]) -> None:
    line = json.dumps(message, default=str)
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Control:
    """The service's side of stdin: the go-ahead, or EOF meaning "stop everything"."""

    def __init__(self) -> None:
        self.go = threading.Event()
        threading.Thread(target=self._read, name="control", daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            if line.strip() == "go":
                self.go.set()
        # The service died (or closed the pipe): nobody will use what we download,
        # and ffmpeg children must not outlive us.
        os.killpg(os.getpgrp(), signal.SIGKILL)


def guard_network(*, allow_private: bool = False) -> None:
    """Every connection this process makes must pass the private-address guard.

    yt-dlp's own HTTP stack resolves names through socket.getaddrinfo, which the guard
    wraps. ffmpeg used as a downloader (yt-dlp's fallback for HLS features its native
    downloader lacks) resolves names itself, out of the guard's sight: with the guard
    on it may not download at all. It still merges and converts local files.

    With private networks allowed the resolver is guarded all the same: the cloud
    metadata address (and multicast, unspecified, reserved ones) stays refused, also
    after a redirect. It used to be unguarded then, so a page redirecting to
    169.254.169.254 was fetched (tests/faults). ffmpeg keeps its own connections in
    that mode (LAN sources are what the operator asked for).
    """
    from yt_dlp.downloader.external import FFmpegFD

    guard_resolver(allow_private=allow_private)
    if allow_private:
        return

    def refuse(self, filename, info_dict):
        raise UrlRefused("refused to let ffmpeg download this stream: its connections "
                         "would bypass the private-address guard")

    FFmpegFD.real_download = refuse


def trimmed_info(info: dict[str, Any]) -> dict[str, Any]:
    out = {k: info.get(k) for k in INFO_KEYS if info.get(k) is not None}
    if isinstance(out.get("description"), str):
        out["description"] = out["description"][:DESCRIPTION_MAX + 1]
    return out


def make_announcer(control: Control):
    """A pre_process postprocessor: report the info, then wait for the go-ahead.

    Runs after extraction and before format selection, so a source the library already
    has is recognised before a single media byte is fetched.
    """
    from yt_dlp.postprocessor.common import PostProcessor

    class Announce(PostProcessor):
        announced = False

        def run(self, info):
            if not Announce.announced:
                Announce.announced = True
                send({"type": "info", "info": trimmed_info(info)})
                control.go.wait()
            return [], info

    return Announce()


def progress_hook():
    throttle: Throttle[dict] = Throttle(0.1)  # the service throttles again, per job

    def hook(d: dict[str, Any]) -> None:
        fields = {k: d.get(k) for k in HOOK_KEYS if d.get(k) is not None}
        item = throttle.offer(fields, now=time.monotonic(), final=d.get("status") == "finished")
        if item is not None:
            send({"type": "progress", **item})

    return hook


def probe(path: Path) -> tuple[bool, float | None, str]:
    """(has an audio or video stream, duration, ffprobe's complaint)."""
    done = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                           "stream=codec_type:format=duration", "-of", "json", str(path)],
                          check=False, capture_output=True, text=True, timeout=120)
    try:
        data = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        data = {}
    kinds = {s.get("codec_type") for s in data.get("streams", [])}
    try:
        duration = float(data.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        duration = None
    complaint = done.stderr.strip().replace(str(path), path.name)[:300]
    return bool(kinds & {"video", "audio"}), duration, complaint


def final_files(info: dict[str, Any], staging: Path) -> tuple[Path, Path | None]:
    downloads = info.get("requested_downloads") or [{}]
    path = Path(downloads[-1].get("filepath") or info.get("filepath") or "")
    thumbs = [Path(t["filepath"]) for t in info.get("thumbnails") or []
              if t.get("filepath") and Path(t["filepath"]).is_file()]
    thumb = thumbs[-1] if thumbs else None
    for leftover in staging.iterdir():  # .part, .ytdl, pre-merge formats: only results stay
        if leftover not in (path, thumb) and leftover.is_file():
            leftover.unlink()
    return path, thumb


def download(job: dict[str, Any], control: Control) -> dict[str, Any]:
    import yt_dlp

    staging = Path(job["staging"])

    class Quiet:
        def debug(self, msg: str) -> None: ...
        info = debug

        def warning(self, msg: str) -> None:
            print(msg, file=sys.stderr)

        error = warning

    params = {**job["params"], "logger": Quiet(), "progress_hooks": [progress_hook()]}
    with yt_dlp.YoutubeDL(params) as ydl:
        ydl.add_post_processor(make_announcer(control), when="pre_process")
        info = ydl.sanitize_info(ydl.extract_info(job["url"], download=True))
    if info and info.get("_type") == "playlist":
        entries = [e for e in info.get("entries") or [] if e]
        info = entries[0] if entries else None
    if not info:
        return {"type": "error", "message": "Unsupported URL: no media found at this address"}
    path, thumb = final_files(info, staging)
    is_media, duration, complaint = probe(path) if path.is_file() else (False, None, "no file")
    if not is_media:
        return {"type": "error", "message": f"no audio or video stream in what was downloaded "
                                            f"({complaint or 'ffprobe found none'})"}
    return {"type": "done", "path": str(path), "thumbnail": str(thumb) if thumb else None,
            "info": trimmed_info(info), "probed_duration": duration}


def warm_up() -> None:
    """What a job would otherwise pay first (about a second here), done before the job
    arrives so a spare worker starts at once: import yt-dlp, compile every extractor's
    URL pattern (a generic URL is tried against all of them), ask ffmpeg and ffprobe
    their versions (yt-dlp caches them per process)."""
    from yt_dlp import YoutubeDL
    from yt_dlp.extractor import gen_extractor_classes
    from yt_dlp.postprocessor import FFmpegPostProcessor

    for extractor in gen_extractor_classes():
        extractor.suitable("https://warm-up.invalid/video.mp4")
    with YoutubeDL({"quiet": True, "no_warnings": True}) as ydl:
        FFmpegPostProcessor.get_versions(ydl)


def main() -> int:
    warm_up()
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # a spare the service no longer needs
    job = json.loads(line)
    guard_network(allow_private=bool(job.get("allow_private")))
    control = Control()
    try:
        send(download(job, control))
    except Exception as exc:  # noqa: BLE001 - every failure is reported, never a traceback
        from yt_dlp.utils import YoutubeDLError

        message = str(exc)
        if not isinstance(exc, YoutubeDLError) or not message:  # say what broke
            message = f"{type(exc).__name__}: {message}"
        send({"type": "error", "message": message.replace(job["staging"] + "/", "")})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

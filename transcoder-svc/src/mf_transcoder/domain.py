"""Pure decisions of the transcoder service (no I/O).

What every browser plays, iOS Safari included, is narrower than "H.264 in MP4":
the MP4 (ISO BMFF) container; H.264 8-bit 4:2:0 (yuv420p, or yuvj420p) in the
Baseline/Main/High profiles up to level 5.2; AAC-LC or HE-AAC audio (MP3 or Opus
inside MP4 is not played everywhere); and the moov box before mdat, or playback
cannot start until the whole file has arrived. `decide` checks each stream
against that and does the least work that gets there, per stream.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from .probe import AudioStream, MediaProbe, VideoStream

Action = Literal["keep", "faststart", "remux", "transcode"]
StreamMode = Literal["copy", "encode"]

# Cheap guards against abuse: hours of CPU, or frames bigger than any screen.
MAX_DURATION_S = 12 * 3600
MAX_LONG_SIDE, MAX_SHORT_SIDE = 7680, 4320
# x264 output is bounded by level 5.2, so anything above 4K UHD is scaled into it.
ENCODE_LONG_SIDE, ENCODE_SHORT_SIDE = 3840, 2160

H264_PROFILES = {"baseline", "constrained baseline", "main", "high"}
PIX_FMTS = {"yuv420p", "yuvj420p"}
MAX_H264_LEVEL = 52
AAC_PROFILES = {"lc", "he-aac", "he-aacv2"}
# Containers whose AAC carries ADTS headers, which MP4 wants as AudioSpecificConfig.
ADTS_CONTAINERS = {"mpegts", "aac", "hls"}
# Formats that are lists of other files: opening their entries is not ours to do.
PLAYLISTS = {"hls", "dash", "concat"}
# (level, max macroblocks per second, max frame size in macroblocks), H.264 Table A-1.
H264_LEVELS = ((30, 40_500, 1_620), (31, 108_000, 3_600), (32, 216_000, 5_120),
               (40, 245_760, 8_192), (42, 522_240, 8_704), (50, 589_824, 22_080),
               (51, 983_040, 36_864), (52, 2_073_600, 36_864))


@dataclass(frozen=True)
class Refusal:
    reason: str


@dataclass(frozen=True)
class Plan:
    """What to do with one file; `video`/`audio` None means the output has no such track."""

    action: Action
    video: StreamMode | None = None
    audio: StreamMode | None = None
    video_index: int | None = None
    audio_index: int | None = None
    adts_to_asc: bool = False
    scale_to: tuple[int, int] | None = None   # encoded video only; display orientation
    level: str | None = None                  # encoded video only
    max_fps: int | None = None                # encoded video only, when the level needs it
    why: tuple[str, ...] = ()

    @property
    def audio_only(self) -> bool:
        return self.video is None


def video_problems(v: VideoStream) -> list[str]:
    """Why browsers would not play this video stream (empty: they would)."""
    if v.codec != "h264":
        return [f"video is {v.codec}, not H.264"]
    problems = []
    if (v.profile or "").lower() not in H264_PROFILES:
        problems.append(f"H.264 profile {v.profile or 'unknown'}")
    if v.pix_fmt not in PIX_FMTS:
        problems.append(f"pixel format {v.pix_fmt or 'unknown'}")
    if v.level is not None and v.level > MAX_H264_LEVEL:
        problems.append(f"H.264 level {v.level / 10:g}")
    return problems


def audio_problems(a: AudioStream) -> list[str]:
    if a.codec != "aac":
        return [f"audio is {a.codec}, not AAC"]
    if a.profile is not None and a.profile.lower() not in AAC_PROFILES:
        return [f"AAC profile {a.profile}"]
    return []


def refusal(probe: MediaProbe) -> Refusal | None:
    if probe.container in PLAYLISTS:
        return Refusal(f"The download is a playlist ({probe.container}), not a media file")
    if probe.video is None and probe.audio is None:
        return Refusal("The downloaded file has no audio or video in it")
    if probe.duration and probe.duration > MAX_DURATION_S:
        return Refusal(f"The media is {probe.duration / 3600:.1f} hours long; "
                       f"the limit is {MAX_DURATION_S // 3600} hours")
    if probe.video:
        w, h = probe.video.width, probe.video.height
        if max(w, h) > MAX_LONG_SIDE or min(w, h) > MAX_SHORT_SIDE:
            return Refusal(f"The video is {w}x{h}; the largest size accepted is 8K "
                           f"({MAX_LONG_SIDE}x{MAX_SHORT_SIDE})")
    return None


def decide(probe: MediaProbe) -> Plan | Refusal:
    """The least work that makes `probe`'s file play in every browser."""
    refused = refusal(probe)
    if refused:
        return refused
    v, a = probe.video, probe.audio
    v_bad = video_problems(v) if v else []
    a_bad = audio_problems(a) if a else []
    base = {"video_index": v.index if v else None, "audio_index": a.index if a else None,
            "why": tuple(v_bad + a_bad)}
    video: StreamMode | None = ("encode" if v_bad else "copy") if v else None
    audio: StreamMode | None = ("encode" if a_bad else "copy") if a else None
    if v_bad or a_bad:
        geometry = encode_geometry(v) if v_bad and v else {}
        return Plan("transcode", video, audio, **base, **geometry,
                    adts_to_asc=audio == "copy" and probe.container in ADTS_CONTAINERS)
    if probe.container != "mp4":
        return Plan("remux", video, audio, **base,
                    adts_to_asc=probe.container in ADTS_CONTAINERS)
    if probe.moov_first is not True:
        return Plan("faststart", video, audio, **base)
    return Plan("keep", video, audio, **base)


def encode_geometry(v: VideoStream) -> dict:
    """Output size, H.264 level and frame-rate cap for an encoded video stream.

    Sizes are in display orientation: ffmpeg rotates frames (autorotate) before the
    scaler, so a portrait phone clip comes out portrait without a display matrix.
    libx264 with 4:2:0 needs even dimensions.
    """
    dw, dh = v.display_size
    if dw <= 0 or dh <= 0:  # size unknown until decoded: let x264 choose the level
        return {"scale_to": None, "level": None, "max_fps": None}
    box = ((ENCODE_LONG_SIDE, ENCODE_SHORT_SIDE) if dw >= dh
           else (ENCODE_SHORT_SIDE, ENCODE_LONG_SIDE))
    scale = min(1.0, box[0] / dw, box[1] / dh)
    tw, th = (max(2, int(dw * scale) // 2 * 2), max(2, int(dh * scale) // 2 * 2))
    fps = v.fps if v.fps and v.fps <= 240 else 60.0  # unknown or absurd: assume the worst
    level, max_fps = h264_level(width=tw, height=th, fps=fps)
    return {"scale_to": (tw, th) if (tw, th) != (dw, dh) else None, "level": level,
            "max_fps": max_fps}


def h264_level(*, width: int, height: int, fps: float) -> tuple[str, int | None]:
    """The lowest level (3.0 at least) that fits; past 5.2, a frame-rate cap that fits.

    3.0 is the floor because a CRF encode has no bitrate cap, and a level below 3.0
    would promise a bitrate a small but detailed picture can exceed.
    """
    wmb, hmb = math.ceil(width / 16), math.ceil(height / 16)
    mbs = wmb * hmb
    for level, max_mbps, max_fs in H264_LEVELS:
        # A level bounds each side too: neither may exceed sqrt(8 * MaxFS) macroblocks.
        side_ok = max(wmb, hmb) <= math.sqrt(8 * max_fs)
        if mbs <= max_fs and side_ok and mbs * fps <= max_mbps:
            return f"{level / 10:.1f}", None
    return "5.2", max(1, min(60, H264_LEVELS[-1][1] // mbs))


def verify(plan: Plan, *, source: MediaProbe, result: MediaProbe) -> str | None:
    """None if `result` is what `plan` promised; else what is wrong, in plain words."""
    if result.container != "mp4":
        return f"it is not an MP4 file ({result.format_name or 'unknown format'})"
    if result.moov_first is not True:
        return "its index (moov) is not at the front of the file"
    for kind, expected, track, problems in (
            ("video", plan.video, result.video, video_problems),
            ("audio", plan.audio, result.audio, audio_problems)):
        if expected and track is None:
            return f"its {kind} track is missing"
        if not expected and track is not None:
            return f"it has a {kind} track the source did not have"
        if track is not None and problems(track):
            return ", ".join(problems(track))
    if plan.video == "encode" and source.video and result.video:
        sw, sh = source.video.display_size
        rw, rh = result.video.display_size
        if (sw > sh) != (rw > rh) and sw != sh:
            return f"its picture is {rw}x{rh} where the source shows {sw}x{sh}"
    return _duration_mismatch(source.duration, result.duration)


def _duration_mismatch(source: float | None, result: float | None) -> str | None:
    if not source:
        return None
    if not result:
        return "its length is unknown"
    if abs(source - result) > max(1.0, 0.01 * source):
        return f"it is {result:.1f} s long where the source is {source:.1f} s"
    return None


def output_name(*, source_stem: str, audio_only: bool) -> str:
    """`<stem>.mf.mp4` (or .m4a): distinct from any downloaded name, short enough for
    every filesystem once the temporary prefix and suffix are added."""
    return f"{source_stem[:100]}.mf.{'m4a' if audio_only else 'mp4'}"


def progress_percent(line: str, *, duration: float | None) -> float | None:
    """Percent done from one line of `ffmpeg -progress`; None if the line says nothing.

    `out_time_us` is the muxed position (ffmpeg 5.1's `out_time_ms` is microseconds
    too, a known bug, so it is not used). It is capped below 100 until `progress=end`.
    """
    key, _, value = line.strip().partition("=")
    if key == "progress":
        return 100.0 if value == "end" else None
    if key != "out_time_us" or not duration:
        return None
    try:
        position_s = int(value) / 1_000_000
    except ValueError:
        return None  # "N/A" before the first packet
    return round(max(0.0, min(99.9, position_s / duration * 100)), 1)


@dataclass
class Throttle:
    """At most one update per `interval` seconds; the last one always goes out."""

    interval: float
    last: float = -math.inf

    def ready(self, now: float, *, final: bool = False) -> bool:
        if final or now - self.last >= self.interval:
            self.last = now
            return True
        return False


_LOG_PREFIX = re.compile(r"^\[[^\]]*@ ?0x[0-9a-fA-F]+\]\s*")


def error_detail(stderr: str, *, paths: tuple[str, ...] = ()) -> str:
    """The first error ffmpeg/ffprobe printed, without its `[demuxer @ 0x..]` prefix or
    file names (they mean nothing to a user and leak server paths)."""
    for raw in stderr.splitlines():
        line = _LOG_PREFIX.sub("", raw.strip())
        for path in paths:
            for form in (f"file:{path}", path):  # ffmpeg echoes the name as it was given
                line = line.replace(f"{form}: ", "").replace(form, "the file")
        if line:
            return line[:200]
    return "no error message"


def unreadable_reason(detail: str) -> str:
    return f"The downloaded file is not playable media ({detail})"


# ffmpeg 5.1 reports a failed write of its output (the volume filled up mid-file) with
# these lines and still exits 0; the truncated file then looked merely "unplayable".
_OUTPUT_WRITE_ERRORS = ("Error writing trailer", "Error closing file", "No space left on device")


def output_write_error(stderr: str) -> str | None:
    """ffmpeg's line saying it could not finish writing its output (whatever its exit
    code), or None."""
    return next((line for line in stderr.splitlines()
                 if any(marker in line for marker in _OUTPUT_WRITE_ERRORS)), None)


def ffmpeg_failure_reason(detail: str) -> str:
    if "No space left on device" in detail:
        return ("The media volume is full (no space left on device while converting); free "
                "some space and submit the link again")
    return f"The downloaded file could not be converted ({detail})"


def unplayable_result_reason(problem: str) -> str:
    return f"The converted file would not play in browsers: {problem}"

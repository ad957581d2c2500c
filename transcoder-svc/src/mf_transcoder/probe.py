"""ffprobe's JSON turned into the facts the decisions need (pure, no I/O).

`parse_probe` is total: any JSON ffprobe can print gives a `MediaProbe`; fields
ffprobe leaves out become None. Only the first *real* video stream counts (cover
art is a video stream with `disposition.attached_pic`, not a picture track), and
only the first audio stream: those are the two streams the output carries.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mf_contracts.events import Probe

# format_name of ffmpeg's mov demuxer; which of these it really is, the ftyp brand says.
MOV_FAMILY = {"mov", "mp4", "m4a", "3gp", "3g2", "mj2"}
# ftyp major brands of ISO/MP4 files browsers treat as MP4 (QuickTime `qt  ` and 3GPP are not).
MP4_BRANDS = {"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso8", "iso9", "mp41", "mp42",
              "avc1", "m4v", "m4a", "m4b", "f4v", "dash", "msnv", "ndas", "mmp4", "xavc"}


@dataclass(frozen=True)
class VideoStream:
    index: int
    codec: str
    profile: str | None = None
    pix_fmt: str | None = None
    level: int | None = None
    width: int = 0
    height: int = 0
    fps: float | None = None
    rotation: int = 0  # degrees, multiple of 90, from the display matrix

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as a viewer sees them (rotation applied)."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    profile: str | None = None
    channels: int | None = None


@dataclass(frozen=True)
class MediaProbe:
    container: str            # normalised: mp4, mov, 3gp, matroska, mpegts, mp3, hls, ...
    format_name: str          # ffprobe's own, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float | None
    size: int
    video: VideoStream | None
    audio: AudioStream | None
    moov_first: bool | None   # None: not an MP4-family file, or the boxes were not found

    def to_contract(self) -> Probe:
        width, height = self.video.display_size if self.video else (None, None)
        return Probe(
            container=self.container,
            video_codec=self.video.codec if self.video else None,
            video_profile=self.video.profile if self.video else None,
            pix_fmt=self.video.pix_fmt if self.video else None,
            audio_codec=self.audio.codec if self.audio else None,
            audio_profile=self.audio.profile if self.audio else None,
            width=width, height=height, duration=self.duration, size=self.size,
            faststart=self.moov_first is True)


def is_mov_family(format_name: str) -> bool:
    """True for files the mov demuxer reads: the only ones with moov/mdat boxes."""
    return bool(MOV_FAMILY & set(format_name.split(",")))


def container_of(format_name: str, major_brand: str | None) -> str:
    """One word for the container. The mov demuxer reports the same format_name for
    MP4, QuickTime and 3GPP; the ftyp major brand tells them apart."""
    if is_mov_family(format_name):
        brand = (major_brand or "").strip().lower()
        if brand in MP4_BRANDS:
            return "mp4"
        return "3gp" if brand.startswith("3g") else "mov"
    names = format_name.split(",")
    return "matroska" if "matroska" in names else (names[0] or "unknown")


def parse_probe(data: dict[str, Any], *, moov_first: bool | None) -> MediaProbe:
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    format_name = str(fmt.get("format_name") or "")
    video = next((_video(s) for s in streams if _is_picture_track(s)), None)
    audio = next((_audio(s) for s in streams if s.get("codec_type") == "audio"), None)
    return MediaProbe(
        container=container_of(format_name, (fmt.get("tags") or {}).get("major_brand")),
        format_name=format_name,
        duration=_duration(fmt, streams),
        size=_int(fmt.get("size")) or 0,
        video=video, audio=audio,
        moov_first=moov_first if is_mov_family(format_name) else None)


def _is_picture_track(stream: dict[str, Any]) -> bool:
    disposition = stream.get("disposition") or {}
    return stream.get("codec_type") == "video" and not disposition.get("attached_pic")


def _video(s: dict[str, Any]) -> VideoStream:
    level = _int(s.get("level"))
    return VideoStream(
        index=int(s.get("index", 0)), codec=str(s.get("codec_name") or "unknown"),
        profile=s.get("profile"), pix_fmt=s.get("pix_fmt"),
        level=level if level is not None and level > 0 else None,
        width=_int(s.get("width")) or 0, height=_int(s.get("height")) or 0,
        fps=_rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate")),
        rotation=_rotation(s))


def _audio(s: dict[str, Any]) -> AudioStream:
    return AudioStream(index=int(s.get("index", 0)), codec=str(s.get("codec_name") or "unknown"),
                       profile=s.get("profile"), channels=_int(s.get("channels")))


def _rotation(s: dict[str, Any]) -> int:
    """Display-matrix rotation (ffmpeg >= 5) or the older `rotate` tag, as 0/90/180/270."""
    for side in s.get("side_data_list") or []:
        if "rotation" in side:
            return round(float(side["rotation"]) / 90) * 90 % 360
    tag = (s.get("tags") or {}).get("rotate")
    return round(float(tag) / 90) * 90 % 360 if _float(tag) is not None else 0


def _duration(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> float | None:
    value = _float(fmt.get("duration"))
    if value is not None and value > 0:
        return value
    per_stream = [d for s in streams if (d := _float(s.get("duration"))) is not None and d > 0]
    return max(per_stream) if per_stream else None


def _rate(text: Any) -> float | None:
    try:
        num, _, den = str(text).partition("/")
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None

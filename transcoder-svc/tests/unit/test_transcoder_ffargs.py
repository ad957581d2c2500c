"""The ffmpeg argument builder, and the top-level MP4 box walk (on real files)."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest
from mf_transcoder.adapters.ffmpeg import build_args
from mf_transcoder.adapters.ffprobe import moov_before_mdat
from mf_transcoder.domain import Plan

SRC, OUT = Path("/m/staging/j/in put:1.webm"), Path("/m/staging/j/.in.mf.mp4.part")


def args_for(plan: Plan, **kw) -> list[str]:
    return build_args(source=SRC, output=OUT, plan=plan, preset=kw.get("preset", "veryfast"),
                      crf=kw.get("crf", 21))


def after(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def test_every_run_reports_progress_reads_only_local_files_and_writes_faststart_mp4():
    args = args_for(Plan("remux", "copy", "copy", video_index=0, audio_index=1))
    assert args[0] == "ffmpeg"
    assert after(args, "-progress") == "pipe:1" and "-nostats" in args and "-y" in args
    assert after(args, "-protocol_whitelist") == "file"
    # file: prefixes: a colon in a downloaded name is never read as a protocol
    assert after(args, "-i") == f"file:{SRC}" and args[-1] == f"file:{OUT}"
    assert after(args, "-f") == "mp4" and after(args, "-movflags") == "+faststart"
    assert args.index("-protocol_whitelist") < args.index("-i")  # an input option


def test_faststart_and_remux_copy_exactly_the_chosen_streams():
    args = args_for(Plan("faststart", "copy", "copy", video_index=2, audio_index=5))
    maps = [args[i + 1] for i, a in enumerate(args) if a == "-map"]
    assert maps == ["0:2", "0:5"]
    assert after(args, "-c:v") == "copy" and after(args, "-c:a") == "copy"
    assert "-bsf:a" not in args and "libx264" not in args and "aac" not in args


def test_remux_from_mpegts_converts_adts_headers():
    args = args_for(Plan("remux", "copy", "copy", video_index=0, audio_index=1, adts_to_asc=True))
    assert after(args, "-bsf:a") == "aac_adtstoasc"


def test_transcode_uses_the_configured_preset_and_crf_for_browser_h264():
    plan = Plan("transcode", "encode", "encode", video_index=0, audio_index=1, level="4.0")
    args = args_for(plan, preset="medium", crf=23)
    assert after(args, "-c:v") == "libx264" and after(args, "-preset") == "medium"
    assert after(args, "-crf") == "23" and after(args, "-pix_fmt") == "yuv420p"
    assert after(args, "-profile:v") == "high" and after(args, "-level:v") == "4.0"
    assert after(args, "-c:a") == "aac" and after(args, "-b:a") == "160k"
    assert "-vf" not in args and "-fpsmax" not in args


def test_transcode_scales_and_caps_the_frame_rate_only_when_planned():
    plan = Plan("transcode", "encode", "copy", video_index=0, audio_index=1, level="5.2",
                scale_to=(3840, 2160), max_fps=60, adts_to_asc=True)
    args = args_for(plan)
    assert after(args, "-vf") == "scale=3840:2160" and after(args, "-fpsmax") == "60"
    assert after(args, "-c:a") == "copy" and after(args, "-bsf:a") == "aac_adtstoasc"


def test_per_stream_work_copies_the_video_when_only_audio_needs_it():
    args = args_for(Plan("transcode", "copy", "encode", video_index=0, audio_index=1))
    assert after(args, "-c:v") == "copy" and after(args, "-c:a") == "aac"
    assert "-level:v" not in args


def test_audio_only_maps_no_video_at_all():
    args = args_for(Plan("transcode", None, "encode", audio_index=0))
    assert [args[i + 1] for i, a in enumerate(args) if a == "-map"] == ["0:0"]
    assert "-c:v" not in args


# -- moov before mdat --------------------------------------------------------------------

def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "f.mp4"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("layout", "expected"), [
    ([box(b"ftyp", b"isom"), box(b"moov", b"x" * 20), box(b"mdat", b"y" * 100)], True),
    ([box(b"ftyp", b"isom"), box(b"free"), box(b"mdat", b"y" * 100), box(b"moov", b"x")], False),
    ([box(b"ftyp", b"isom"), box(b"mdat", b"y" * 100)], None),          # moov lost
    ([box(b"ftyp", b"isom"), box(b"moov"), box(b"moof"), box(b"mdat")], True),  # fragmented
    ([b"\x00\x00\x00\x04junk"], None),                                 # impossible size
    ([], None),
])
def test_top_level_box_order(tmp_path, layout, expected):
    assert moov_before_mdat(write(tmp_path, b"".join(layout))) is expected


def test_64_bit_box_sizes_are_followed(tmp_path):
    large_mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 50) + b"y" * 50
    data = box(b"ftyp", b"isom") + large_mdat + box(b"moov")
    assert moov_before_mdat(write(tmp_path, data)) is False


def test_a_box_of_size_zero_runs_to_the_end(tmp_path):
    data = box(b"ftyp", b"isom") + struct.pack(">I4s", 0, b"mdat") + b"moov" * 10
    assert moov_before_mdat(write(tmp_path, data)) is None

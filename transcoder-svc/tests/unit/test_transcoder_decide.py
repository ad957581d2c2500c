"""The decision table: ffprobe-shaped JSON in, the plan (or a refusal) out.

The probes are built the way ffprobe prints them (format_name, major_brand,
profile strings, disposition, side data), so parsing and deciding are tested
together, as the service runs them.
"""
from __future__ import annotations

import pytest
from mf_transcoder.domain import Plan, Refusal, decide, h264_level
from mf_transcoder.probe import container_of, parse_probe

MOV = "mov,mp4,m4a,3gp,3g2,mj2"


def v(codec="h264", profile="High", pix_fmt="yuv420p", level=31, width=1280, height=720,
      fps="30/1", index=0, **extra) -> dict:
    return {"index": index, "codec_type": "video", "codec_name": codec, "profile": profile,
            "pix_fmt": pix_fmt, "level": level, "width": width, "height": height,
            "avg_frame_rate": fps, "r_frame_rate": fps, "disposition": {"attached_pic": 0},
            **extra}


def a(codec="aac", profile="LC", index=1, **extra) -> dict:
    return {"index": index, "codec_type": "audio", "codec_name": codec, "profile": profile,
            "channels": 2, **extra}


def cover(index: int, codec: str = "mjpeg") -> dict:
    return {"index": index, "codec_type": "video", "codec_name": codec, "width": 600,
            "height": 600, "disposition": {"attached_pic": 1}}


def probe(*streams: dict, fmt: str = MOV, brand: str | None = "isom", duration="60.0",
          moov_first: bool | None = True):
    tags = {"major_brand": brand} if brand else {}
    return parse_probe({"format": {"format_name": fmt, "duration": duration, "size": "1000",
                                   "tags": tags},
                        "streams": list(streams)}, moov_first=moov_first)


def plan_of(*streams: dict, **kw) -> Plan:
    plan = decide(probe(*streams, **kw))
    assert isinstance(plan, Plan), plan
    return plan


# -- keep / faststart / remux ----------------------------------------------------------

@pytest.mark.parametrize("profile", ["Baseline", "Constrained Baseline", "Main", "High"])
def test_browser_h264_profiles_in_mp4_with_moov_first_are_kept(profile):
    plan = plan_of(v(profile=profile), a())
    assert (plan.action, plan.video, plan.audio) == ("keep", "copy", "copy")


def test_full_range_yuvj420p_plays_and_is_kept():
    assert plan_of(v(pix_fmt="yuvj420p"), a()).action == "keep"


def test_level_5_2_is_kept_and_above_it_is_transcoded():
    assert plan_of(v(level=52), a()).action == "keep"
    plan = plan_of(v(level=62), a())
    assert (plan.action, plan.video, plan.audio) == ("transcode", "encode", "copy")


@pytest.mark.parametrize("moov_first", [False, None])
def test_moov_after_mdat_or_not_found_needs_faststart(moov_first):
    plan = plan_of(v(), a(), moov_first=moov_first)
    assert (plan.action, plan.video, plan.audio) == ("faststart", "copy", "copy")


@pytest.mark.parametrize(("fmt", "brand", "container"), [
    ("matroska,webm", None, "matroska"),
    (MOV, "qt  ", "mov"),
    (MOV, "3gp4", "3gp"),
    (MOV, None, "mov"),
    ("flv", None, "flv"),
])
def test_playable_codecs_in_another_container_are_remuxed(fmt, brand, container):
    p = probe(v(), a(), fmt=fmt, brand=brand, moov_first=None)
    assert p.container == container
    plan = decide(p)
    assert (plan.action, plan.video, plan.audio, plan.adts_to_asc) == ("remux", "copy", "copy", False)


def test_mpegts_from_hls_is_remuxed_with_the_adts_bitstream_filter():
    plan = plan_of(v(), a(), fmt="mpegts", brand=None, moov_first=None)
    assert (plan.action, plan.adts_to_asc) == ("remux", True)


def test_video_only_h264_in_mkv_is_remuxed_without_audio():
    plan = plan_of(v(), fmt="matroska,webm", brand=None)
    assert (plan.action, plan.video, plan.audio, plan.audio_index) == ("remux", "copy", None, None)


# -- transcode, per stream ---------------------------------------------------------------

def test_vp9_opus_webm_encodes_both_streams():
    plan = plan_of(v(codec="vp9", profile="Profile 0", level=-99), a(codec="opus", profile=None),
                   fmt="matroska,webm", brand=None)
    assert (plan.action, plan.video, plan.audio) == ("transcode", "encode", "encode")
    assert plan.why == ("video is vp9, not H.264", "audio is opus, not AAC")


def test_hevc_with_aac_encodes_video_and_copies_audio():
    plan = plan_of(v(codec="hevc", profile="Main"), a(), fmt="matroska,webm", brand=None)
    assert (plan.action, plan.video, plan.audio) == ("transcode", "encode", "copy")


@pytest.mark.parametrize(("profile", "pix_fmt"), [
    ("High 10", "yuv420p10le"),             # 10-bit
    ("High 4:2:2", "yuv422p"),              # 4:2:2
    ("High 4:4:4 Predictive", "yuv444p"),   # 4:4:4
    ("High", "yuv422p"),                    # odd combination: the pixel format decides
    ("Extended", "yuv420p"),
])
def test_h264_that_browsers_cannot_decode_is_encoded(profile, pix_fmt):
    plan = plan_of(v(profile=profile, pix_fmt=pix_fmt), a())
    assert (plan.action, plan.video, plan.audio) == ("transcode", "encode", "copy")
    assert plan.level and plan.scale_to is None


@pytest.mark.parametrize(("codec", "profile"), [
    ("mp3", None), ("opus", None), ("ac3", None), ("flac", None), ("aac", "Main"), ("aac", "LTP")])
def test_audio_browsers_do_not_all_play_in_mp4_is_encoded_and_video_copied(codec, profile):
    plan = plan_of(v(), a(codec=codec, profile=profile))
    assert (plan.action, plan.video, plan.audio) == ("transcode", "copy", "encode")
    assert plan.level is None  # nothing about the copied video changes


@pytest.mark.parametrize("profile", ["HE-AAC", "HE-AACv2", None])
def test_he_aac_and_unlabelled_aac_are_played(profile):
    assert plan_of(v(), a(profile=profile)).action == "keep"


def test_copied_aac_from_mpegts_gets_the_bitstream_filter_when_video_is_encoded():
    plan = plan_of(v(codec="mpeg2video", profile="Main"), a(), fmt="mpegts", brand=None)
    assert (plan.video, plan.audio, plan.adts_to_asc) == ("encode", "copy", True)


# -- audio only, cover art -------------------------------------------------------------

def test_mp3_becomes_aac_in_m4a():
    plan = plan_of(a(codec="mp3", profile=None, index=0), fmt="mp3", brand=None, moov_first=None)
    assert (plan.action, plan.video, plan.audio, plan.audio_only) == ("transcode", None, "encode", True)


def test_cover_art_is_not_a_video_track():
    plan = plan_of(a(codec="mp3", profile=None, index=0), cover(1), fmt="mp3", brand=None)
    assert (plan.audio_only, plan.video_index, plan.audio_index) == (True, None, 0)


def test_aac_m4a_with_cover_art_and_moov_first_is_kept():
    plan = plan_of(cover(0, "png"), a(index=1), brand="M4A ")
    assert (plan.action, plan.audio_only) == ("keep", True)


def test_first_real_video_stream_is_chosen_after_cover_art():
    plan = plan_of(cover(0), v(codec="vp9", index=1), a(index=2), fmt="matroska,webm", brand=None)
    assert (plan.video_index, plan.audio_index) == (1, 2)


def test_raw_adts_aac_is_remuxed_into_m4a():
    plan = plan_of(a(index=0), fmt="aac", brand=None, moov_first=None)
    assert (plan.action, plan.audio_only, plan.adts_to_asc) == ("remux", True, True)


# -- refusals ----------------------------------------------------------------------------

def test_no_audio_and_no_video_is_refused():
    subtitles = {"index": 0, "codec_type": "subtitle", "codec_name": "subrip"}
    for streams in ((), (subtitles,), (cover(0),)):
        result = decide(probe(*streams))
        assert isinstance(result, Refusal) and "no audio or video" in result.reason


def test_playlists_are_refused():
    result = decide(probe(v(), a(), fmt="hls", brand=None))
    assert isinstance(result, Refusal) and "playlist" in result.reason


def test_more_than_twelve_hours_is_refused():
    assert decide(probe(v(), a(), duration=str(12 * 3600))).action == "keep"
    result = decide(probe(v(), a(), duration=str(13.5 * 3600)))
    assert isinstance(result, Refusal) and "13.5 hours" in result.reason


@pytest.mark.parametrize(("width", "height", "refused"), [
    (7680, 4320, False), (4320, 7680, False), (7681, 4320, True), (8192, 8192, True),
    (15360, 8640, True)])
def test_more_than_8k_is_refused(width, height, refused):
    result = decide(probe(v(codec="vp9", width=width, height=height), a()))
    assert isinstance(result, Refusal) is refused
    if refused:
        assert f"{width}x{height}" in result.reason


# -- encoded geometry: size, level, rotation -------------------------------------------

def test_above_4k_is_scaled_into_level_5_2():
    plan = plan_of(v(codec="vp9", width=7680, height=4320), a())
    assert (plan.scale_to, plan.level) == ((3840, 2160), "5.1")
    plan = plan_of(v(codec="vp9", width=5120, height=2880, fps="60/1"), a())
    assert (plan.scale_to, plan.level, plan.max_fps) == ((3840, 2160), "5.2", None)


def test_odd_sizes_are_made_even_for_yuv420p():
    assert plan_of(v(codec="vp9", width=321, height=241), a()).scale_to == (320, 240)


def test_rotated_phone_clip_is_sized_in_display_orientation():
    rotated = v(codec="hevc", width=1920, height=1080,
                side_data_list=[{"side_data_type": "Display Matrix", "rotation": -90}])
    p = probe(rotated, a())
    assert p.video.rotation == 270 and p.video.display_size == (1080, 1920)
    assert p.to_contract().width == 1080
    plan = decide(p)
    assert (plan.scale_to, plan.level) == (None, "4.0")
    # 8K stored landscape, shown portrait (older rotate tag): scaled into a portrait box.
    tall = v(codec="vp9", width=7680, height=4320, tags={"rotate": "90"})
    assert plan_of(tall, a()).scale_to == (2160, 3840)


@pytest.mark.parametrize(("w", "h", "fps", "level", "cap"), [
    (320, 240, 25, "3.0", None), (1280, 720, 30, "3.1", None), (1280, 720, 60, "3.2", None),
    (1920, 1080, 30, "4.0", None), (1920, 1080, 60, "4.2", None), (2560, 1440, 30, "5.0", None),
    (3840, 2160, 30, "5.1", None), (3840, 2160, 60, "5.2", None), (3840, 2160, 120, "5.2", 60),
    (3840, 16, 30, "4.0", None),  # a sliver: each side is bounded by the level too
])
def test_h264_level_table(w, h, fps, level, cap):
    assert h264_level(width=w, height=h, fps=fps) == (level, cap)


def test_unknown_size_leaves_scaling_and_level_to_x264():
    plan = plan_of(v(codec="vp9", width=None, height=None), a())
    assert (plan.video, plan.scale_to, plan.level, plan.max_fps) == ("encode", None, None, None)


def test_unknown_frame_rate_assumes_sixty():
    plan = plan_of(v(codec="vp9", width=1920, height=1080, fps="0/0"), a())
    assert plan.level == "4.2"


# -- parsing details ---------------------------------------------------------------------

@pytest.mark.parametrize(("brand", "container"), [
    ("isom", "mp4"), ("mp42", "mp4"), ("M4A ", "mp4"), ("dash", "mp4"), ("qt  ", "mov"),
    ("3gp5", "3gp"), (None, "mov")])
def test_mov_family_container_comes_from_the_brand(brand, container):
    assert container_of(MOV, brand) == container


def test_duration_falls_back_to_the_longest_stream():
    p = parse_probe({"format": {"format_name": "matroska,webm"},
                     "streams": [v(duration="4.5"), a(duration="4.7")]}, moov_first=None)
    assert p.duration == 4.7 and p.moov_first is None


def test_moov_position_is_only_kept_for_mp4_family_files():
    p = parse_probe({"format": {"format_name": "matroska,webm"}, "streams": [v()]}, moov_first=True)
    assert p.moov_first is None


def test_empty_ffprobe_answer_parses_to_nothing_playable():
    p = parse_probe({}, moov_first=None)
    assert (p.video, p.audio, p.duration, p.container) == (None, None, None, "unknown")

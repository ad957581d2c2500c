"""The result check, the progress parser and throttle, and error wording."""
from __future__ import annotations

import pytest
from mf_transcoder.domain import (
    Plan,
    Throttle,
    error_detail,
    ffmpeg_failure_reason,
    progress_percent,
    verify,
)
from mf_transcoder.probe import AudioStream, MediaProbe, VideoStream

H264 = VideoStream(index=0, codec="h264", profile="High", pix_fmt="yuv420p", level=31,
                   width=1280, height=720, fps=30.0)
AAC = AudioStream(index=1, codec="aac", profile="LC", channels=2)
TRANSCODE = Plan("transcode", "encode", "encode", video_index=0, audio_index=1, level="3.1")


def media(*, container="mp4", video=H264, audio=AAC, duration=60.0, moov_first=True,
          format_name="mov,mp4,m4a,3gp,3g2,mj2") -> MediaProbe:
    return MediaProbe(container=container, format_name=format_name, duration=duration,
                      size=1, video=video, audio=audio, moov_first=moov_first)


SOURCE = media(container="matroska", video=VideoStream(index=0, codec="vp9", width=1280,
                                                       height=720))


def test_a_result_as_promised_passes():
    assert verify(TRANSCODE, source=SOURCE, result=media()) is None
    assert verify(TRANSCODE, source=SOURCE, result=media(duration=60.9)) is None


@pytest.mark.parametrize(("result", "words"), [
    (media(container="matroska", format_name="matroska,webm"), "not an MP4"),
    (media(moov_first=False), "moov"),
    (media(audio=None), "audio track is missing"),
    (media(video=None), "video track is missing"),
    (media(video=VideoStream(0, "h264", "High 10", "yuv420p10le", 31, 1280, 720)), "High 10"),
    (media(audio=AudioStream(1, "mp3")), "audio is mp3"),
    (media(duration=41.0), "41.0 s long where the source is 60.0 s"),
    (media(duration=None), "length is unknown"),
    (media(video=VideoStream(0, "h264", "High", "yuv420p", 31, 720, 1280)), "720x1280"),
])
def test_a_result_that_breaks_the_promise_is_named(result, words):
    problem = verify(TRANSCODE, source=SOURCE, result=result)
    assert problem and words in problem


def test_an_audio_only_plan_must_not_grow_a_video_track():
    plan = Plan("transcode", None, "encode", audio_index=0)
    source = media(container="mp3", video=None, audio=AudioStream(0, "mp3"), moov_first=None)
    assert verify(plan, source=source, result=media(video=None)) is None
    assert "video track the source did not have" in verify(plan, source=source, result=media())


def test_a_rotated_source_may_come_out_upright_with_swapped_sides():
    rotated = VideoStream(index=0, codec="hevc", width=1280, height=720, rotation=90)
    source = media(video=rotated)
    assert verify(TRANSCODE, source=source,
                  result=media(video=VideoStream(0, "h264", "High", "yuv420p", 31, 720, 1280))) is None


# -- progress ----------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "percent"), [
    ("out_time_us=0", 0.0),
    ("out_time_us=30000000", 50.0),
    ("out_time_us=15000000\n", 25.0),
    ("out_time_us=-23000", 0.0),             # negative at the start of some inputs
    ("out_time_us=61000000", 99.9),          # never 100 before ffmpeg says it is done
    ("out_time_us=N/A", None),
    ("out_time_ms=30000000", None),          # ffmpeg 5.1 prints microseconds here; ignored
    ("progress=continue", None),
    ("progress=end", 100.0),
    ("frame=12", None),
    ("", None),
])
def test_progress_lines(line, percent):
    assert progress_percent(line, duration=60.0) == percent


def test_progress_without_a_known_duration_only_reports_the_end():
    assert progress_percent("out_time_us=5000000", duration=None) is None
    assert progress_percent("progress=end", duration=None) == 100.0


def test_throttle_lets_a_few_updates_a_second_through_and_always_the_last():
    throttle = Throttle(interval=0.25)
    sent = [t for t in (0.0, 0.1, 0.2, 0.26, 0.3, 0.6) if throttle.ready(t)]
    assert sent == [0.0, 0.26, 0.6]
    assert throttle.ready(0.61, final=True)


# -- error wording -----------------------------------------------------------------------

def test_error_detail_drops_demuxer_prefixes_and_paths():
    stderr = ("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55c946aec180] moov atom not found\n"
              "file:/srv/media/staging/x/a.mp4: Invalid data found when processing input\n")
    assert error_detail(stderr, paths=("/srv/media/staging/x/a.mp4",)) == "moov atom not found"
    assert error_detail(stderr.splitlines()[1], paths=("/srv/media/staging/x/a.mp4",)) == \
        "Invalid data found when processing input"
    assert error_detail("\n\n") == "no error message"


def test_a_full_disk_is_told_apart_from_a_broken_file():
    assert ffmpeg_failure_reason("Error writing trailer: No space left on device").startswith(
        "The media volume is full")
    assert ffmpeg_failure_reason("Invalid data found when processing input").startswith(
        "The downloaded file could not be converted")

"""Pure decisions: names, lock keys, what an add takes, listing parameters, reasons."""
from __future__ import annotations

import errno
import hashlib
import uuid
from pathlib import PurePosixPath

import pytest
from mf_contracts.events import MediaInfo, Probe
from mf_library import domain as d

SHA = hashlib.sha256(b"content").hexdigest()


def test_objects_and_thumbnails_are_named_by_their_content():
    assert d.object_relpath(sha256=SHA, ext="mp4") == PurePosixPath(
        "objects", SHA[:2], SHA[2:4], f"{SHA}.mp4")
    assert d.thumb_relpath(sha256=SHA, ext="jpg") == PurePosixPath("thumbs", SHA[:2], f"{SHA}.jpg")
    for bad in (("../../etc", "mp4"), (SHA.upper(), "mp4"), (SHA, "mkv"), (SHA[:-1], "mp4")):
        with pytest.raises(ValueError):
            d.object_relpath(sha256=bad[0], ext=bad[1])


def test_object_names_parse_back_and_strangers_do_not():
    rel = d.object_relpath(sha256=SHA, ext="m4a").relative_to("objects")
    assert d.parse_object_relpath(rel) == (SHA, "m4a")
    assert d.parse_thumb_relpath(PurePosixPath(SHA[:2], f"{SHA}.webp")) == (SHA, "webp")
    strangers = [PurePosixPath("README.txt"), PurePosixPath(SHA[:2], SHA[2:4], f".tmp-{SHA}.mp4"),
                 PurePosixPath("00", "00", f"{SHA}.mp4"),  # wrong folder for this name
                 PurePosixPath(SHA[:2], SHA[2:4], f"{SHA}.mp4.part")]
    assert [d.parse_object_relpath(p) for p in strangers] == [None] * len(strangers)


def test_lock_keys_are_stable_64_bit_and_per_schema():
    key = d.lock_key(schema="library", sha256=SHA)
    assert key == d.lock_key(schema="library", sha256=SHA)
    assert -(2 ** 63) <= key < 2 ** 63
    assert key != d.lock_key(schema="t1_library", sha256=SHA)
    assert key != d.lock_key(schema="library", sha256=hashlib.sha256(b"other").hexdigest())


@pytest.mark.parametrize("row, on_disk, copy, action", [
    (False, False, True, "insert"),
    (True, True, True, "ref"),
    (True, True, False, "ref"),
    (True, False, True, "restore"),
    (False, False, False, "vanished"),
    (True, False, False, "vanished"),
])
def test_what_adding_a_reference_takes(row, on_disk, copy, action):
    assert d.decide_add(row_exists=row, file_exists=on_disk, have_copy=copy) == action


def test_audio_only_is_m4a_and_types_follow():
    assert d.media_ext(Probe(video_codec="h264", audio_codec="aac")) == "mp4"
    assert d.media_ext(Probe(video_codec=None, audio_codec="aac")) == "m4a"
    assert d.CONTENT_TYPES == {"mp4": "video/mp4", "m4a": "audio/mp4"}
    assert [d.thumb_ext(n) for n in ("a.JPEG", "a.jpg", "b.webp", "c.png", "d.gif", "noext")] == \
        ["jpg", "jpg", "webp", "png", None, None]


def test_listing_parameters():
    assert (d.clamp_limit(None), d.clamp_limit(0), d.clamp_limit(7), d.clamp_limit(10_000)) == \
        (d.DEFAULT_LIMIT, 1, 7, 200)
    assert d.order_by(None) == d.order_by("newest") and "DESC" in d.order_by("newest")
    with pytest.raises(ValueError):
        d.order_by("title; DROP TABLE library_items")
    assert d.like_pattern("  ") is None and d.like_pattern(None) is None
    assert d.like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


def test_disk_failures_have_plain_reasons_and_others_are_not_ours():
    for code in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.ENOENT):
        reason = d.disk_failure_reason(OSError(code, "x"))
        assert reason and reason[0].isupper() and reason.endswith(".")
    assert "full" in d.disk_failure_reason(OSError(errno.ENOSPC, "x"))
    assert d.disk_failure_reason(OSError(errno.ECONNRESET, "x")) is None  # transient: retry
    assert d.disk_failure_reason(OSError("no errno")) is None


def test_stale_staging():
    assert d.staging_is_stale(newest_mtime=0, now=d.STAGING_MAX_AGE_S + 1)
    assert not d.staging_is_stale(newest_mtime=100, now=100 + d.STAGING_MAX_AGE_S - 1)


def test_an_item_prefers_the_files_duration_and_keeps_the_source():
    info = MediaInfo(title="T", duration=99.0, source_url="http://s/x", extractor="generic",
                     source_id="x", uploader=None)
    user, job = uuid.uuid4(), uuid.uuid4()
    cols = d.NewItem(user_id=user, job_id=job, sha256=SHA, info=info, duration=3.2).columns()
    assert cols["duration"] == 3.2 and cols["title"] == "T" and cols["source_id"] == "x"
    assert cols["thumbnail"] is None and cols["thumbnail_ext"] is None
    thumb = d.Thumb(SHA, "jpg")
    cols = d.NewItem(user_id=user, job_id=job, sha256=SHA, info=info, thumb=thumb).columns()
    assert cols["duration"] == 99.0 and (cols["thumbnail"], cols["thumbnail_ext"]) == (SHA, "jpg")
    media = d.new_media(sha256=SHA, size=10, probe=Probe(container="mp4", audio_codec="aac",
                                                         size=999))
    assert (media.size, media.ext, media.video_codec) == (10, "m4a", None)  # size: what we hashed

"""Each kind of source ends as a real media file in the job's staging folder."""
from __future__ import annotations

import pytest
from mf_testkit.bus_rig import wait_until

CASES = {
    "direct MP4": ("files/h264_aac_mp4.mp4", "Generic", "h264_aac_mp4"),
    "page with <video>": ("page/h264_aac_mp4_faststart.mp4", "HTML5MediaEmbed",
                          "h264_aac_mp4_faststart-1"),
    "page with <video><source>": ("page-source/h264_aac_mkv.mkv", "HTML5MediaEmbed",
                                  "h264_aac_mkv-1"),
    "HLS playlist": ("files/hls/index.m3u8", "Generic", "index"),
    "WebM": ("files/vp9_opus_webm.webm", "Generic", "vp9_opus_webm"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_source_is_downloaded_into_staging(kit, media_server, case):
    path, extractor, source_id = CASES[case]
    url = media_server.url(path)
    async with kit.rig() as (sub, watch):
        job = await sub.submit(url)
        env = await watch.wait_for(job, kit.DONE, timeout=60)
    assert env.type == "MediaDownloaded", env.payload
    got = env.payload
    assert got.existing_sha256 is None
    file = kit.staging(job) / got.path.rsplit("/", 1)[-1]
    assert str(file) == got.path and file.is_file()
    assert "video" in kit.probe_streams(file)
    assert [p.name for p in file.parent.iterdir()] == [file.name], "leftovers in staging"
    info = got.info
    assert (info.extractor, info.source_id, info.source_url) == (extractor, source_id, url)
    assert info.title and info.webpage_url
    assert info.duration == pytest.approx(3.0, abs=0.2)
    started = watch.of(job, "DownloadStarted")
    assert [(s.payload.extractor, s.payload.source_id) for s in started] == [(extractor, source_id)]
    progress = watch.of(job, "DownloadProgress")
    assert progress and progress[-1].payload.percent == 100.0


async def test_a_spare_worker_takes_the_next_job(kit, media_server, uniq):
    """One worker waits with yt-dlp imported; a job starts on it and a new spare follows.
    When the service stops, no worker is left behind."""
    url = media_server.url(f"files/h264_aac_mp4.mp4?spare={uniq}")
    async with kit.rig(warm_spare=True) as (sub, watch):
        await wait_until(lambda: _count(kit, 1), timeout=10, what="the spare worker")
        (spare,) = kit.worker_processes()
        job = await sub.submit(url)
        await watch.wait_for(job, {"DownloadStarted"}, timeout=30)
        assert kit.job_worker(kit.staging(job)) in (spare, None)  # None: already done
        done = await watch.wait_for(job, kit.DONE, timeout=30)
        assert done.type == "MediaDownloaded"
        await wait_until(lambda: _count(kit, 1), timeout=10, what="a new spare")
        assert kit.worker_processes() != [spare]
    assert kit.worker_processes() == []


async def _count(kit, n: int) -> bool:
    return len(kit.worker_processes()) == n

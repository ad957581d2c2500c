"""Sources that cannot be downloaded end in DownloadFailed with plain words, and
nothing is left in staging."""
from __future__ import annotations

import time

import pytest
from mf_downloader.app import build_spec
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching

CASES = {
    "404": ("status/404", "does not exist (HTTP 404)"),
    "410": ("status/410", "has been removed (HTTP 410)"),
    "no media": ("garbage", "not media"),
    "hang": ("hang", "did not answer in time"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_failure_has_a_reason_and_leaves_nothing(kit, media_server, case):
    path, words = CASES[case]
    url = media_server.url(path)
    began = time.monotonic()
    async with kit.rig(socket_timeout_s=1.0, retries=0) as (sub, watch):
        job = await sub.submit(url)
        env = await watch.wait_for(job, kit.DONE, timeout=60)
    assert env.type == "DownloadFailed", env.payload
    assert words in env.payload.reason and env.payload.url == url
    assert "Traceback" not in env.payload.reason
    assert not kit.staging(job).exists()
    assert not watch.of(job, "MediaDownloaded")
    if case == "hang":  # the short socket timeout, not the 30 s default
        assert time.monotonic() - began < 20


async def test_private_address_is_refused_inside_the_worker(settings, media_server):
    """The guard sits in the worker's resolver: the job is not pre-checked away."""
    strict = pipeline_settings(settings, allow_private_networks=False)
    url = media_server.url("files/h264_aac_mp4.mp4")
    before = media_server.hits("/files/h264_aac_mp4.mp4")
    async with running(strict, [build_spec()]), submitter(strict) as sub, \
            watching(strict) as watch:
        job = await sub.submit(url)
        env = await watch.wait_for(job, {"MediaDownloaded", "DownloadFailed"}, timeout=60)
    assert env.type == "DownloadFailed", env.payload
    assert "private or local network" in env.payload.reason
    assert "127.0.0.1" in env.payload.reason and "loopback" in env.payload.reason
    assert media_server.hits("/files/h264_aac_mp4.mp4") == before
    assert not (strict.media_root / "staging" / str(job)).exists()

"""A transcode publishes throttled `transcode` progress, ending at 100 before the result."""
from __future__ import annotations

import itertools
import uuid

from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC


async def test_progress_is_published_while_transcoding(settings, long_clip, kit):
    cfg = pipeline_settings(settings)
    job_id = uuid.uuid4()
    staged = kit.stage(cfg, job_id, long_clip)
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        await kit.send_downloaded(sub, job_id=job_id, path=staged)
        done = await watch.wait_for(job_id, {"MediaTranscoded", "TranscodeFailed"}, timeout=120)
    assert done.type == "MediaTranscoded" and done.payload.action == "transcode"
    progress = watch.of(job_id, "DownloadProgress")
    assert {e.payload.stage for e in progress} == {"transcode"}
    percents = [e.payload.percent for e in progress]
    assert len(percents) >= 4, percents
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert any(0 < p < 100 for p in percents)
    assert all(e.occurred_at <= done.occurred_at for e in progress)
    # Throttled to a few a second: the updates before the last are >= 0.25 s apart.
    times = [e.occurred_at.timestamp() for e in progress[:-1]]
    assert all(b - a >= 0.24 for a, b in itertools.pairwise(times)), times

"""Load: 200 submissions from 5 users at once, through the gateway, against real processes.

The mix is what a household really sends: the same clips under many query strings
(the downloader recognises a known source after extraction), exact repeats by other
users (linked without any request), pages with a <video>, files that need a remux or
a transcode, dead links, pages that are not media, a truncated file, and addresses
the gateway must refuse even with private networks allowed (cloud metadata in every
spelling, multicast, unspecified, reserved, other schemes). Every accepted job must
end done or failed with a reason, exactly once, and the library's rows, reference
counts and files must agree afterwards.
"""
from __future__ import annotations

import random
import time
from collections import Counter

# Refused by the gateway whatever MF_ALLOW_PRIVATE_NETWORKS says (the stack allows them).
ALWAYS_REFUSED = [
    "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/",
    "http://[::ffff:169.254.169.254]/", "http://0xa9fea9fe/latest/", "http://2852039166/latest/",
    "http://0251.0376.0251.0376/", "http://0.0.0.0:{port}/files/v/clip00.mp4",
    "http://224.0.0.1/x.mp4", "http://240.0.0.1/x.mp4", "http://[ff02::1]/x.mp4",
    "file:///etc/passwd", "ftp://127.0.0.1/x.mp4", "gopher://127.0.0.1:70/_GET",
    "javascript:alert(1)",
    "data:video/mp4;base64,AAAA", "dict://127.0.0.1:6379/info", "ws://127.0.0.1:{port}/",
    "http:///files/v/clip00.mp4", "http://user:pw@127.0.0.1:{port}/files/v/clip00.mp4",
    "", "   ", "\t", "http://" + "a" * 4100 + ".example/", "//127.0.0.1:{port}/x.mp4",
]


def submission_mix(base: str, port: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, url) x 200; kinds say what the job must end as.

    First come the new links (shuffled): 24 clips, four of them under a second query
    string too (recognised as a known source after extraction, or racing the first),
    pages with a <video>, WebMs to transcode, MKVs to remux, and broken links. Then, in
    the same burst, the refused addresses and 135 exact repeats, most by another user:
    a repeat handled after its original is stored is linked without any request.
    (Each new link costs a yt-dlp process, about 2 s of CPU: that is what bounds the
    throughput on 2 cores, and the mix keeps the suite within its time budget.)
    """
    fresh: list[tuple[str, str]] = []
    for k in range(28):
        fresh.append(("done", f"{base}/files/v/clip{k % 24:02d}.mp4?src={'ab'[k // 24]}&k={k}"))
    for k in range(4):
        fresh.append(("done", f"{base}/page/v/clip{(k * 5) % 24:02d}.mp4?k={k}"))
    for k in range(2):
        fresh.append(("done", f"{base}/files/vp9_opus_webm.webm?k={k}"))
        fresh.append(("done", f"{base}/files/h264_aac_mkv.mkv?k={k}"))
    for k in range(3):
        fresh.append(("failed", f"{base}/status/404?k={k}"))
    fresh.append(("failed", f"{base}/garbage?k=0"))
    fresh.append(("failed", f"{base}/files/truncated.mp4?k=0"))
    rng.shuffle(fresh)
    originals = [u for kind, u in fresh if kind == "done"]
    later = [("422", url.format(port=port)) for url in ALWAYS_REFUSED]
    later += [("done", rng.choice(originals)) for _ in range(200 - len(fresh) - len(later))]
    assert len(later) - len(ALWAYS_REFUSED) == 135
    rng.shuffle(later)
    mix = fresh + later
    assert len(mix) == 200 and len({u for _, u in mix}) < 100, len(mix)
    return mix


async def test_200_submissions_from_5_users_all_end_and_the_library_agrees(
        rig, fault_server, figures):
    rng = random.Random(9)
    # 4 downloads at once: each is mostly a yt-dlp process starting (CPU) and waiting on
    # the network, so 2 cores stay busy; 2 transcodes, as most jobs are only probed.
    async with rig.stack(download_concurrency=4, transcode_concurrency=2,
                         claim_idle_ms=15_000, heartbeat_ms=1_000) as stack:
        users = await stack.users(5)
        port = int(fault_server.base_url.rsplit(":", 1)[1])
        mix = submission_mix(fault_server.base_url, port, rng)
        owners = [rng.choice(users) for _ in mix]
        began = time.monotonic()
        responses = await stack.burst([(owner, url) for owner, (_, url)
                                       in zip(owners, mix, strict=True)])
        submitted_s = time.monotonic() - began
        accepted: dict[str, object] = {}
        expect: dict[str, str] = {}
        for (kind, url), owner, r in zip(mix, owners, responses, strict=True):
            if kind == "422":
                assert r.status_code == 422, (url[:80], r.status_code, r.text[:200])
                assert r.json()["detail"], url
                continue
            assert r.status_code == 202, (url, r.text)
            accepted[r.json()["id"]] = owner
            expect[r.json()["id"]] = kind
        jobs = await stack.wait_jobs(accepted, timeout=200, poll=1.0)
        elapsed = time.monotonic() - began
        report = await rig.audit.check(stack.settings, jobs)
        fetched = (await rig.audit.outbox_counts(stack.settings, "downloader"))["DownloadStarted"]
    outcome = Counter(j["status"] for j in jobs.values())
    reasons = Counter(_reason_kind(j["error"]) for j in jobs.values() if j["status"] == "failed")
    wrong = {j: (expect[j], v["status"], v["error"]) for j, v in jobs.items()
             if v["status"] != expect[j]}
    figures(f"load: 200 submissions from 5 users in {submitted_s:.1f}s; "
          f"{len(mix) - len(accepted)} refused with 422; {len(accepted)} jobs: {dict(outcome)} "
          f"in {elapsed:.1f}s = {60 * len(accepted) / elapsed:.0f} jobs/min; "
          f"{fetched} fetched by yt-dlp, the rest linked to stored sources; "
          f"failures: {dict(reasons)}; {report.items} items on {report.media_files} files "
          f"({report.objects_on_disk} on disk)")
    assert not wrong, wrong
    assert report.problems == [], report.problems
    # 24 clips + the transcoded WebM + the remuxed MKV: every copy of a clip is one file.
    assert report.media_files == report.objects_on_disk == 26
    assert report.items == outcome["done"]


def _reason_kind(error: str | None) -> str:
    error = error or ""
    for words in ("HTTP 404", "not media", "not playable", "moov atom"):
        if words in error:
            return words
    return error[:60]

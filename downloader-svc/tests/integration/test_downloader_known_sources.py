"""A source the library already stores is linked (MediaDownloaded with existing_sha256),
not downloaded again; once its file is deleted it is downloaded again."""
from __future__ import annotations

import uuid

from mf_contracts.events import LibraryItemAdded, MediaFileDeleted
from mf_testkit.bus_rig import wait_until

SHA = "ab" * 32


async def _stored(kit, sub, downloaded, *, sha256: str = SHA) -> None:
    """Stand in for the library: announce the job's item as stored."""
    info = downloaded.payload.info
    env = await sub.send(LibraryItemAdded(
        item_id=str(uuid.uuid4()), sha256=sha256, title=info.title, size=1,
        source_url=info.source_url, webpage_url=info.webpage_url, extractor=info.extractor,
        source_id=info.source_id), job_id=downloaded.correlation_id)
    await wait_until(lambda: kit.handled(env.id), timeout=10, what="LibraryItemAdded handled")


async def test_known_url_is_linked_without_any_request(kit, media_server):
    url = media_server.url("files/h264_aac_mp4_faststart.mp4?known")
    async with kit.rig() as (sub, watch):
        first = await watch.wait_for(await sub.submit(url), kit.DONE)
        assert first.type == "MediaDownloaded" and first.payload.existing_sha256 is None
        await _stored(kit, sub, first)
        hits = media_server.hits("/files/h264_aac_mp4_faststart.mp4")

        job = await sub.submit(url)
        linked = await watch.wait_for(job, kit.DONE)
        assert media_server.hits("/files/h264_aac_mp4_faststart.mp4") == hits
        assert linked.type == "MediaDownloaded"
        assert (linked.payload.existing_sha256, linked.payload.path) == (SHA, "")
        info = linked.payload.info
        assert (info.extractor, info.source_id) == ("Generic", "h264_aac_mp4_faststart")
        assert info.source_url == url and info.title == first.payload.info.title
        assert info.duration == first.payload.info.duration  # kept from the first download
        assert info.thumbnail_path is None
        assert not watch.of(job, "DownloadStarted", "DownloadProgress")
        assert not kit.staging(job).exists()
        submitted = watch.of(job, "UrlSubmitted")[0]
        latency_ms = (linked.occurred_at - submitted.occurred_at).total_seconds() * 1000
        print(f"known source: UrlSubmitted -> MediaDownloaded in {latency_ms:.1f} ms")
        assert latency_ms < 500


async def test_same_page_under_another_query_is_linked_after_extraction(kit, media_server):
    """HTML5MediaEmbed gives the page's video the same id whatever the query string: the
    second job reads the page, recognises the source and never fetches the media."""
    async with kit.rig() as (sub, watch):
        first = await watch.wait_for(
            await sub.submit(media_server.url("page/hevc_mkv.mkv?from=feed")), kit.DONE)
        assert first.type == "MediaDownloaded"
        await _stored(kit, sub, first)
        media_hits = media_server.hits("/files/hevc_mkv.mkv")

        url = media_server.url("page/hevc_mkv.mkv?from=mail")
        job = await sub.submit(url)
        linked = await watch.wait_for(job, kit.DONE)
        assert linked.type == "MediaDownloaded" and linked.payload.existing_sha256 == SHA
        assert linked.payload.info.source_url == url
        assert media_server.hits("/page/hevc_mkv.mkv?from=mail") == 1  # extraction only
        assert media_server.hits("/files/hevc_mkv.mkv") == media_hits
        assert not watch.of(job, "DownloadStarted", "DownloadProgress")
        assert not kit.staging(job).exists()


async def test_same_file_under_another_query_is_not_downloaded_twice(kit, media_server):
    """The generic extractor names a direct file by its file name, query ignored: the
    second job costs the extractor's one probing request, not a download."""
    async with kit.rig() as (sub, watch):
        first = await watch.wait_for(
            await sub.submit(media_server.url("files/audio_only.mp3?a=1")), kit.DONE)
        assert first.type == "MediaDownloaded"
        assert media_server.hits("/files/audio_only.mp3?a=1") == 2  # probe + download
        await _stored(kit, sub, first)
        job = await sub.submit(media_server.url("files/audio_only.mp3?a=2"))
        linked = await watch.wait_for(job, kit.DONE)
        assert linked.type == "MediaDownloaded" and linked.payload.existing_sha256 == SHA
        assert media_server.hits("/files/audio_only.mp3?a=2") == 1


async def test_deleted_file_is_downloaded_again(kit, media_server):
    url = media_server.url("files/h264_aac_mkv.mkv?gone")
    async with kit.rig() as (sub, watch):
        first = await watch.wait_for(await sub.submit(url), kit.DONE)
        await _stored(kit, sub, first)
        deleted = await sub.send(MediaFileDeleted(sha256=SHA), job_id=uuid.uuid4())
        await wait_until(lambda: kit.handled(deleted.id), timeout=10)
        hits = media_server.hits("/files/h264_aac_mkv.mkv?gone")
        again = await watch.wait_for(await sub.submit(url), kit.DONE)
    assert again.type == "MediaDownloaded" and again.payload.existing_sha256 is None
    assert again.payload.path and media_server.hits("/files/h264_aac_mkv.mkv?gone") > hits

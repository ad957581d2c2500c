import uuid

import orjson
import pytest
from mf_contracts.envelope import Undecodable, decode, encode, new_envelope, to_dict
from mf_contracts.events import (
    LATEST,
    REGISTRY,
    DownloadProgress,
    MediaDownloaded,
    MediaInfo,
    UrlSubmitted,
)
from mf_contracts.ids import uuid7, uuid7_time_ms


def test_round_trip_keeps_type_and_payload():
    env = new_envelope(MediaDownloaded(path="/m/s/x.webm", info=MediaInfo(title="t", duration=3.5)),
                       correlation_id=uuid.uuid4(), user_id=uuid.uuid4())
    back = decode(encode(env))
    assert back == env and isinstance(back.payload, MediaDownloaded)
    assert back.payload.info.duration == 3.5


def test_caused_event_inherits_correlation_and_user():
    cause = new_envelope(UrlSubmitted(url="https://x"), correlation_id=uuid.uuid4(), user_id=uuid.uuid4())
    child = new_envelope(DownloadProgress(percent=5), correlation_id=uuid.uuid4(), causation=cause)
    assert (child.correlation_id, child.causation_id, child.user_id) == \
        (cause.correlation_id, cause.id, cause.user_id)


@pytest.mark.parametrize("mutate,reason", [
    (lambda d: {**d, "type": "Nope"}, "unknown event type"),
    (lambda d: {**d, "version": 7}, "not understood"),
    (lambda d: {**d, "payload": {}}, "invalid"),
    (lambda d: {k: v for k, v in d.items() if k != "version"}, "no type/version"),
    (lambda d: [1, 2], "not an object"),
])
def test_undecodable_messages_say_why(mutate, reason):
    data = to_dict(new_envelope(UrlSubmitted(url="https://x"), correlation_id=uuid.uuid4()))
    with pytest.raises(Undecodable, match=reason):
        decode(orjson.dumps(mutate(data)))
    with pytest.raises(Undecodable, match="bad JSON"):
        decode(b"{")


def test_every_named_event_is_registered():
    named = {"UrlSubmitted", "DownloadStarted", "DownloadProgress", "MediaDownloaded",
             "DownloadFailed", "MediaTranscoded", "TranscodeFailed", "LibraryItemAdded",
             "LibraryItemDeleted", "MediaFileDeleted", "JobCancelled", "CookieJarStored",
             "FeedItemDiscovered"}
    assert named <= set(LATEST)
    assert all(REGISTRY[(n, LATEST[n])].stream for n in named)


def test_uuid7_is_version_7_and_time_ordered():
    ids = [uuid7() for _ in range(1000)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    times = [uuid7_time_ms(i) for i in ids]
    assert times == sorted(times) and len(set(ids)) == 1000

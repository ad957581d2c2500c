"""The envelope every event travels in, and its wire format (orjson).

`decode` never lets a bad message crash a consumer: it raises `Undecodable` with a
reason (bad JSON, missing fields, unknown type, newer version) that the consumer
logs before it skips the entry.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from .events import LATEST, REGISTRY, Event
from .ids import uuid7

P = TypeVar("P", bound=Event)


class Undecodable(Exception):
    """The message cannot be turned into a known event; skip it (with a log line)."""


class Envelope(BaseModel, Generic[P]):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    payload: P

    @property
    def stream(self) -> str:
        return self.payload.stream


def new_envelope(
    payload: P,
    *,
    correlation_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
    causation: Envelope | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope[P]:
    """Wrap a payload; a caused event inherits user and correlation from its cause."""
    return Envelope(
        id=event_id or uuid7(),
        type=payload.event_type,
        version=payload.version,
        occurred_at=datetime.now(UTC),
        correlation_id=causation.correlation_id if causation else correlation_id,
        causation_id=causation.id if causation else None,
        user_id=user_id if user_id is not None else (causation.user_id if causation else None),
        payload=payload,
    )


def to_dict(env: Envelope) -> dict[str, Any]:
    return {
        "id": str(env.id),
        "type": env.type,
        "version": env.version,
        "occurred_at": env.occurred_at.isoformat(),
        "correlation_id": str(env.correlation_id),
        "causation_id": str(env.causation_id) if env.causation_id else None,
        "user_id": str(env.user_id) if env.user_id else None,
        "payload": env.payload.model_dump(mode="json"),
    }


def encode(env: Envelope) -> bytes:
    return orjson.dumps(to_dict(env))


@cache
def _typed(model: type[Event]) -> type[Envelope]:
    """Envelope[model], parametrized once (pydantic makes a new class per subscript)."""
    return Envelope[model]


def decode(raw: bytes | str | dict[str, Any]) -> Envelope:
    """Parse wire bytes (or an already-parsed dict) into a typed envelope."""
    try:
        data = raw if isinstance(raw, dict) else orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Undecodable(f"bad JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Undecodable("envelope is not an object")
    name, version = data.get("type"), data.get("version")
    if not isinstance(name, str) or not isinstance(version, int):
        raise Undecodable("envelope has no type/version")
    if name not in LATEST:
        raise Undecodable(f"unknown event type {name!r}")
    if (name, version) not in REGISTRY:
        newest = LATEST[name]
        raise Undecodable(f"{name} v{version} not understood (this build knows up to v{newest})")
    try:
        return _typed(REGISTRY[(name, version)]).model_validate(data)
    except ValidationError as exc:
        raise Undecodable(f"{name} v{version} invalid: {exc.errors()[:3]}") from None

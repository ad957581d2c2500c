"""structlog JSON logging; the job's correlation id is bound per handled event."""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import structlog


def _dumps(obj: object, default: object = None) -> str:
    return orjson.dumps(obj, default=str).decode()


def configure_logging(*, service: str, level: str = "INFO", fmt: str = "json") -> None:
    renderer = (structlog.processors.JSONRenderer(serializer=_dumps) if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)


@contextmanager
def bound(**values: object) -> Iterator[None]:
    """Bind values (correlation_id, event_id…) to every log line inside the block."""
    tokens = structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)

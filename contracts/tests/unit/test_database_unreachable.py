"""Which errors mean "the database is away" (a 503 worth retrying) and which are about
files (a real error): the gateway answers by this."""
from __future__ import annotations

import errno
import socket

import asyncpg
import pytest
from mf_contracts.db import database_unreachable


@pytest.mark.parametrize("exc", [
    ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    ConnectionResetError(errno.ECONNRESET, "reset"),
    TimeoutError(),
    socket.gaierror(-2, "Name or service not known"),  # the postgres container is gone
    OSError("Multiple exceptions: [Errno 111] ..., [Errno 99] ..."),
    asyncpg.InterfaceError("connection is closed"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.InternalClientError("cannot switch to state 15; another operation is in progress"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
])
def test_outages_are_recognised(exc):
    assert database_unreachable(exc)


@pytest.mark.parametrize("exc", [
    FileNotFoundError(errno.ENOENT, "No such file or directory"),
    PermissionError(errno.EACCES, "Permission denied"),
    OSError(errno.EIO, "Input/output error"),
    asyncpg.UniqueViolationError("duplicate key"),
    ValueError("not an outage"),
])
def test_other_errors_are_not_outages(exc):
    assert not database_unreachable(exc)

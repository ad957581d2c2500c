"""Property-based fuzzing of the public API (schemathesis over the gateway's OpenAPI):
no generated request, valid or not, may make the gateway answer 500.

Run as schemathesis' own CLI in a child process (its runner is synchronous; the stack's
services are processes too), signed in as a real admin, bounded in examples and time.
Excluded: the SSE endpoint (it never ends) and /api/feeds (feed-svc is not part of
this suite). Any 500 it finds is a bug to fix, not to baseline.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="session")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


async def test_schemathesis_finds_no_server_errors(rig, tmp_path, figures):
    async with rig.stack(names=("vault", "library", "gateway")) as stack:
        admin = (await stack.users(1))[0]
        report = tmp_path / "schemathesis.json"
        cmd = [str(SCHEMATHESIS), "run", f"{stack.url}/api/openapi.json",
               "--checks", "not_a_server_error", "--max-examples", "10", "--max-time", "25",
               "--workers", "2", "--seed", "20261128", "--request-timeout", "10",
               "--header", f"Authorization: Bearer {admin.token}",
               "--exclude-path-regex", "^/api/(events$|feeds)",
               "--generation-database", "none", "--no-color",
               "--report", "json", "--report-json-path", str(report)]
        proc = await asyncio.create_subprocess_exec(
            *cmd, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
        text = out.decode(errors="replace")
        gateway_errors = [line for line in stack.tail("gateway", 400).splitlines()
                          if "request failed" in line]
    cases = next((line.strip() for line in text.splitlines() if " generated, " in line), "?")
    tested = next((line.strip() for line in text.splitlines()
                   if line.strip().startswith("Tested:")), "?")
    figures(f"schemathesis (max 10 examples per operation and phase, 25 s): operations "
            f"{tested.split(':')[-1].strip()} tested, test cases: {cases}, server errors: "
            f"{'none' if proc.returncode == 0 else 'see the failure'}")
    assert proc.returncode == 0, text[-6000:]
    assert gateway_errors == [], gateway_errors

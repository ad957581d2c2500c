"""Wiring only: how the library service is assembled (see mf_contracts.service)."""
from mf_contracts.service import Runtime, ServiceSpec

from .api import build_api, health
from .context import bind
from .gc import gc_task
from .handlers import HANDLERS


async def on_start(rt: Runtime) -> None:
    """Make this runtime's Library reachable from handlers (they only see the pool).
    The first GC sweep runs in gc_task at once, without delaying readiness."""
    bind(rt)


SPEC = ServiceSpec(
    name="library",
    package="mf_library",
    port=lambda s: s.library_port,
    handlers=HANDLERS,
    # Hashing waits on the disk, not the CPU; linking must not queue behind two big
    # files. The per-sha lock holders stay below the pool size (context.lock_slots).
    long_concurrency=lambda s: 4,
    http=build_api,
    on_start=on_start,
    tasks=(gc_task,),
    health=health,
)

import asyncio

import pytest
from mf_contracts.db import create_pool, load_migrations, migrate


async def test_migrations_apply_once_even_when_raced(pg_dsn, uniq):
    schema = f"mig_{uniq}"
    migrations = load_migrations("mf_contracts", component="bus") + \
        load_migrations("mf_testkit.projection", component="proj")
    pools = [await create_pool(pg_dsn, schema=schema, max_size=2) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(p, schema=schema, migrations=migrations) for p in pools))
        assert sorted(len(r) for r in results) == [0, 0, 2]
        assert await migrate(pools[0], schema=schema, migrations=migrations) == []
        tables = {r[0] for r in await pools[0].fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema=$1", schema)}
        assert {"outbox", "inbox", "effects", "tally", "schema_migrations"} <= tables
    finally:
        for p in pools:
            await p.close()


async def test_unsafe_schema_names_are_refused(pg_dsn):
    with pytest.raises(ValueError):
        await create_pool(pg_dsn, schema="x; DROP TABLE y")

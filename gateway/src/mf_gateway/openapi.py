"""`python -m mf_gateway.openapi`: print the public API's OpenAPI document.

The web app's TypeScript types are generated from it (frontend: npm run gen:api), so
the schema must be available without a database: routes only, no runtime.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import orjson
from mf_contracts.settings import Settings

from .http import build_http


def schema() -> dict:
    app = build_http(SimpleNamespace(settings=Settings()))  # routes need no connections to describe
    return app.openapi()


if __name__ == "__main__":
    sys.stdout.buffer.write(orjson.dumps(schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))

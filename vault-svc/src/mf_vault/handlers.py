"""The vault consumes no events: it answers commands over its internal API (api.py)
and records CookieJarStored / CookieJarDeleted in its outbox from there."""
from mf_contracts.bus import Handler

HANDLERS: dict[str, Handler] = {}

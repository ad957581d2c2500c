"""One function per consumed event: decode, domain, store, outbox, in one transaction."""
from mf_contracts.bus import Handler

HANDLERS: dict[str, Handler] = {}

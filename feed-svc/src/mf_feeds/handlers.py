"""One function per consumed event. The feeds service consumes none: it only emits
(FeedItemDiscovered, UrlSubmitted) from its own polls, through its outbox."""
from mf_contracts.bus import Handler

HANDLERS: dict[str, Handler] = {}

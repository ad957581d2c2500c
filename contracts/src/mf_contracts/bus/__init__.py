"""The Redis Streams bus: transactional outbox + relay, consumer groups with inbox."""
from .context import AlreadyDone, Handler, HandlerContext, Poison, RetryLater, handler
from .keys import Keys
from .outbox import append

__all__ = ["AlreadyDone", "Handler", "HandlerContext", "Keys", "Poison", "RetryLater",
           "append", "handler"]

"""Where an item's file is, remembered for a few seconds per (user, item).

A video player sends many Range requests for one file (every seek, every buffer
refill); asking the library each time would cost more than sending the bytes. Entries
live 30 s and are dropped when this gateway deletes the item; a file deleted through
another replica meanwhile just answers 404 when it is opened.
"""
from __future__ import annotations

import time
from collections import OrderedDict

TTL_S = 30.0
MAX_ENTRIES = 2048


class FileCache:
    def __init__(self, *, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._entries: OrderedDict[tuple, tuple[float, dict]] = OrderedDict()

    def get(self, key: tuple) -> dict | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return hit[1]

    def put(self, key: tuple, value: dict) -> None:
        self._entries[key] = (time.monotonic() + self.ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def drop_item(self, item_id: str) -> None:
        for key in [k for k in self._entries if k[1] == item_id]:
            self._entries.pop(key, None)

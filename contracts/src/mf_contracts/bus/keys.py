"""Redis key names. Everything hangs off one prefix so stacks and test runs can share a server."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "mf:"

    def stream(self, name: str) -> str:
        return f"{self.prefix}stream:{name}"

    def dead_letter(self, group: str) -> str:
        return f"{self.prefix}dead:{group}"

    def errors(self, group: str) -> str:
        """Hash of the last error per pending entry, kept until the entry is acked."""
        return f"{self.prefix}errors:{group}"

    def stream_name(self, key: bytes | str) -> str:
        key = key.decode() if isinstance(key, bytes) else key
        return key.removeprefix(f"{self.prefix}stream:")

"""Pure decisions of the feeds service (no I/O)."""

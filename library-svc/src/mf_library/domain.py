"""Pure decisions of the library service (no I/O)."""

"""Pure decisions of the gateway service (no I/O)."""

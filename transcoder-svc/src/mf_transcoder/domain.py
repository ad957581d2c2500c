"""Pure decisions of the transcoder service (no I/O)."""

"""Pure decisions of the vault service (no I/O)."""

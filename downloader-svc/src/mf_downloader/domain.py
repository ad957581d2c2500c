"""Pure decisions of the downloader service (no I/O)."""

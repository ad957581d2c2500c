"""The downloader service's SQL; nothing else touches its schema."""

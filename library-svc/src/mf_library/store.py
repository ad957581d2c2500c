"""The library service's SQL; nothing else touches its schema."""

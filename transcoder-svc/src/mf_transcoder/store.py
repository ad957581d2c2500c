"""The transcoder service's SQL; nothing else touches its schema."""

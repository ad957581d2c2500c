"""The gateway service's SQL; nothing else touches its schema."""

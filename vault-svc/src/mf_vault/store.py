"""The vault service's SQL; nothing else touches its schema."""

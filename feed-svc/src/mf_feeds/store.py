"""The feeds service's SQL; nothing else touches its schema."""

"""The `mf` operator command."""

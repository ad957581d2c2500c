"""Media fixtures: filled in by the media rig (see media.py, httpserver.py)."""

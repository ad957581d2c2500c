"""The outside world behind small interfaces."""

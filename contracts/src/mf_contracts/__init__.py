"""Shared contracts of MediaFetcher: the only package every service may import."""

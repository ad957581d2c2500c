"""MediaFetcher feeds: feed connectors and polling."""

"""MediaFetcher gateway: public HTTP API, auth, SSE, video streaming, serves the SPA."""

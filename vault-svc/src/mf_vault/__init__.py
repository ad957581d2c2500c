"""MediaFetcher vault: AES-GCM encrypted cookie jars."""

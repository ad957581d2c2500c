"""MediaFetcher library: MediaFile/LibraryItem, ref counts, content-addressed storage, GC."""

"""MediaFetcher downloader: downloads media with yt-dlp."""

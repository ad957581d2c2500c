"""MediaFetcher transcoder: probes with ffprobe, remuxes/transcodes with ffmpeg."""

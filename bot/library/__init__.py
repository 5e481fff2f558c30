"""The domain core: stories, tags, excerpts, recommendations. No Discord, no SQL."""

"""A run over many files: configuration, the run loop, the cache, parallel jobs, interruption and the result."""

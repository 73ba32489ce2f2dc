"""reviewlint's benchmark: ``python -m bench`` (see bench/README section in RESULTS.md)."""

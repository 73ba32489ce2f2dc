"""``python -m bench``: lint a real corpus and print the ratio table (see bench/RESULTS.md)."""

from bench.run import main

main()

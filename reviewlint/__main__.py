"""``python -m reviewlint``."""

from reviewlint.cli import main

if __name__ == "__main__":
    main()

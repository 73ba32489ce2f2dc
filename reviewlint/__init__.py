"""reviewlint: a static linter for deep-learning training code (.py and .ipynb)."""

__version__ = "0.1.0"

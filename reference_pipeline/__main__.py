"""``python -m reference_pipeline``."""

from .cli import main

main(prog_name="python -m reference_pipeline")

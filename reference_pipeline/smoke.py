"""``gpu-smoke``: a few epochs of the default configuration, then throughput and accuracy.

On a GPU it runs with mixed precision and XLA (``runtime.*=auto``); on a CPU it runs too, in
float32, only slower. The numbers printed are measured, not estimated.
"""

from __future__ import annotations

from .config import PipelineConfig
from .progress import console
from .train import RunResult, run_training


def run_smoke(config: PipelineConfig) -> RunResult:
    """Trains ``config`` and prints one summary line per measured quantity."""
    result = run_training(config)
    console.rule("gpu-smoke")
    console.print(f"runtime: {result.runtime}")
    console.print(
        f"training throughput: {result.train_images_per_second:.1f} images/s "
        f"({result.epochs_run} epochs × {result.steps_per_epoch} steps × batch {config.train.batch_size}, "
        f"{result.train_seconds:.1f} s of training steps)"
    )
    console.print(f"final validation accuracy: {result.final_val_accuracy:.3f}")
    console.print(
        f"test accuracy: {result.test_accuracy:.3f} without TTA, {result.test_accuracy_used:.3f} as predicted "
        f"({result.test_images} images); {result.tta['reason']}"
    )
    return result

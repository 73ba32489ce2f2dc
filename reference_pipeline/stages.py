"""Fine-tuning strategies as stages, named for what they train (review P8).

* ``head-only`` — the backbone stays frozen for the whole budget;
* ``whole-model`` — every layer trains from the first epoch (this is fine-tuning too);
* ``head-then-whole-model`` — the head alone for ``head_epochs``, then every layer;
* ``head-then-top-blocks`` — the head alone, then the last ``top_blocks`` MBConv blocks as well.

The stages of a strategy always add up to ``train.epochs``, so strategies compared in an experiment
have the same budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import TrainConfig


@dataclass(frozen=True)
class Stage:
    """A part of the budget during which the same layers train."""

    name: str
    trainable: str
    epochs: int
    lr_scale: float


def plan_stages(train: TrainConfig) -> list[Stage]:
    """The stages of the configured strategy; their epochs always add up to ``train.epochs``."""
    fine_tune_epochs = train.epochs - train.head_epochs
    if train.fine_tune == "head-only":
        return [Stage("head only", "head", train.epochs, 1.0)]
    if train.fine_tune == "whole-model":
        return [Stage("whole model", "whole", train.epochs, 1.0)]
    head = Stage("head only", "head", train.head_epochs, 1.0)
    if train.fine_tune == "head-then-whole-model":
        return [head, Stage("whole model", "whole", fine_tune_epochs, train.fine_tune_lr_factor)]
    return [head, Stage(f"top {train.top_blocks} blocks", "top-blocks", fine_tune_epochs, train.fine_tune_lr_factor)]


def describe_strategy(train: TrainConfig) -> str:
    """``head only (3 epochs), then whole model (7 epochs, lr ×0.1)``."""
    parts = []
    for stage in plan_stages(train):
        scale = f", lr ×{stage.lr_scale:g}" if stage.lr_scale != 1 else ""
        epochs = f"{stage.epochs} epoch" if stage.epochs == 1 else f"{stage.epochs} epochs"
        parts.append(f"{stage.name} ({epochs}{scale})")
    return ", then ".join(parts)

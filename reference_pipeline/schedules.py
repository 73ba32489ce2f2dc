"""Optimizers and learning-rate schedules as configured choices (review P5, P13).

One schedule spans the whole planned run (``epochs × steps_per_epoch`` optimizer steps). A staged
run recompiles with a fresh optimizer at each stage, so each stage gets a :class:`StageSchedule`
view of the same global schedule: shifted by the steps already planned, scaled by the stage's
learning-rate factor. Every arm of an experiment therefore follows the same schedule shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras

from .config import TrainConfig
from .decay import exponential_total_decay


@dataclass(frozen=True)
class SchedulePlan:
    """The numbers a schedule is built from, and a sentence that explains them."""

    total_steps: int
    warmup_steps: int
    decay_steps: int
    final_fraction: float
    description: str


def plan_schedule(train: TrainConfig, steps_per_epoch: int) -> SchedulePlan:
    """Converts the configured schedule (in epochs) to steps and describes where it ends."""
    total = train.epochs * steps_per_epoch
    lr = train.learning_rate
    if train.schedule == "warmup-cosine":
        warmup = min(round(train.warmup_epochs * steps_per_epoch), total - 1)
        return SchedulePlan(
            total,
            warmup,
            total - warmup,
            0.0,
            f"linear warm-up from 0 to {lr:g} over {warmup} steps, then cosine decay to 0 over "
            f"{total - warmup} steps ({total} planned steps)",
        )
    if train.schedule == "exponential":
        decay_steps = max(1, round(train.decay_epochs * steps_per_epoch))
        final = exponential_total_decay(train.decay_rate, decay_steps, total)
        return SchedulePlan(
            total,
            0,
            decay_steps,
            final,
            f"exponential decay ×{train.decay_rate:g} every {decay_steps} steps: over the {total} planned "
            f"steps the learning rate falls from {lr:g} to {lr * final:.3g} (total decay ×{final:.3g})",
        )
    return SchedulePlan(total, 0, total, 1.0, f"constant learning rate {lr:g} for {total} planned steps")


def build_schedule(train: TrainConfig, plan: SchedulePlan) -> keras.optimizers.schedules.LearningRateSchedule:
    """The global schedule of the planned run."""
    lr = train.learning_rate
    if train.schedule == "warmup-cosine":
        return keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0,
            decay_steps=max(1, plan.decay_steps),
            warmup_target=lr,
            warmup_steps=plan.warmup_steps,
        )
    if train.schedule == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            initial_learning_rate=lr, decay_steps=plan.decay_steps, decay_rate=train.decay_rate
        )
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries=[plan.total_steps], values=[lr, lr])


@keras.saving.register_keras_serializable(package="reference_pipeline")
class StageSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """``scale × schedule(step + offset)``: one stage's view of the run's global schedule."""

    def __init__(self, schedule: keras.optimizers.schedules.LearningRateSchedule, offset: int, scale: float):
        self.schedule = schedule
        self.offset = offset
        self.scale = scale

    def __call__(self, step: Any) -> Any:
        shifted = keras.ops.add(keras.ops.cast(step, "float32"), float(self.offset))
        return keras.ops.multiply(self.schedule(shifted), self.scale)

    def get_config(self) -> dict[str, Any]:
        """Serializable form (Keras calls this when saving an optimizer)."""
        return {
            "schedule": keras.optimizers.schedules.serialize(self.schedule),
            "offset": self.offset,
            "scale": self.scale,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> StageSchedule:
        """Inverse of :meth:`get_config`."""
        schedule = keras.optimizers.schedules.deserialize(config["schedule"])
        return cls(schedule, config["offset"], config["scale"])


def build_optimizer(
    train: TrainConfig, learning_rate: keras.optimizers.schedules.LearningRateSchedule
) -> keras.optimizers.Optimizer:
    """AdamW (decoupled weight decay) or SGD with (Nesterov) momentum, as configured."""
    if train.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=train.weight_decay)
    return keras.optimizers.SGD(
        learning_rate=learning_rate, momentum=train.momentum, nesterov=True, weight_decay=train.weight_decay
    )

"""Prediction with and without test-time augmentation (TTA), in file order.

TTA averages the softmax outputs of the plain images and of ``steps`` augmented passes. The
augmentation is the training augmentation scaled by ``tta.strength`` (at most 1, so never stronger
than training — review P7, rule RL301). The review also notes that the stronger the augmentation,
the more passes are needed, since each augmented prediction alone is worse: the default is 8.
Whether TTA is used at all is decided on the validation split (:mod:`reference_pipeline.tta_choice`).

Keras preprocessing layers do nothing at ``predict`` time, so TTA never relies on the layers inside
the model: with the ``albumentations`` back end the augmentation runs in ``tf.data``; with the
``keras`` back end the same layers are called explicitly with ``training=True`` on each batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .augment import albumentations_augmenter, keras_batch_augmenter, milder
from .config import PipelineConfig
from .data import decoded_images, prediction_batches
from .tta_choice import TTA_STEPS_GRID, TTA_STRENGTH_GRID, tta_average

TTA_SEED_OFFSET = 10_000
"""TTA pass ``i`` is seeded with ``seed + TTA_SEED_OFFSET + i``: different from training draws."""


@dataclass(frozen=True)
class Predictions:
    """Class probabilities of the same images without and with TTA, rows in file order."""

    plain: np.ndarray
    tta: np.ndarray
    tta_steps: int


def _predict(model: keras.Model, dataset: tf.data.Dataset) -> np.ndarray:
    return np.asarray(model.predict(dataset, verbose=0), dtype=np.float64)


def augmented_passes(
    model: keras.Model,
    decoded: tf.data.Dataset,
    config: PipelineConfig,
    seed: int,
    strength: float,
    steps: int,
    on_pass: Callable[[int], None] | None = None,
) -> list[np.ndarray]:
    """``steps`` augmented predictions of the decoded images, the training augmentation scaled by ``strength``."""
    params = milder(config.augment, strength)
    passes = []
    for step in range(steps):
        pass_seed = seed + TTA_SEED_OFFSET + step
        if config.augment.backend == "keras":
            batches = prediction_batches(decoded, config, batch_augmenter=keras_batch_augmenter(params, pass_seed))
        else:
            batches = prediction_batches(decoded, config, augmenter=albumentations_augmenter(params, pass_seed), seed=pass_seed)
        passes.append(_predict(model, batches))
        if on_pass is not None:
            on_pass(step + 1)
    return passes


def predict_with_tta(
    model: keras.Model,
    paths: tuple[str, ...],
    config: PipelineConfig,
    seed: int,
    on_pass: Callable[[int], None] | None = None,
    steps: int | None = None,
    strength: float | None = None,
) -> Predictions:
    """Plain probabilities, and the mean over the plain pass and ``steps`` augmented ones at
    ``strength`` (default: ``config.tta``)."""
    steps = config.tta.steps if steps is None else steps
    strength = config.tta.strength if strength is None else strength
    decoded = decoded_images(paths, config.data.image_size, cache=True)
    plain = _predict(model, prediction_batches(decoded, config))
    passes = augmented_passes(model, decoded, config, seed, strength, steps, on_pass)
    return Predictions(plain, tta_average(plain, passes, steps), steps)


def validation_passes(
    model: keras.Model, paths: tuple[str, ...], config: PipelineConfig, seed: int
) -> tuple[np.ndarray, dict[float, list[np.ndarray]], tuple[int, ...]]:
    """The plain validation predictions, the augmented passes of every strength of the grid, and
    the pass counts to try (those of the grid up to ``tta.steps``)."""
    steps_grid = tuple(steps for steps in TTA_STEPS_GRID if steps <= config.tta.steps) or (
        (config.tta.steps,) if config.tta.steps else ())
    decoded = decoded_images(paths, config.data.image_size, cache=True)
    plain = _predict(model, prediction_batches(decoded, config))
    passes = {
        round(fraction * config.tta.strength, 6): augmented_passes(
            model, decoded, config, seed, fraction * config.tta.strength, max(steps_grid))
        for fraction in TTA_STRENGTH_GRID
    } if steps_grid else {}
    return plain, passes, steps_grid


def accuracy(probabilities: np.ndarray, labels: tuple[int, ...]) -> float:
    """Share of rows whose most probable class is the label."""
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(labels)))

"""Training and test-time augmentation in two interchangeable back ends with the same parameters.

* ``albumentations`` runs on the CPU, image by image, inside ``tf.data`` (``tf.numpy_function``).
* ``keras`` preprocessing layers run inside the model, so on the GPU when there is one.

Both do the same things: a horizontal flip (never a vertical one: cars, cats and rockets do not
appear upside down — review P2), a rotation of up to ``rotate_degrees``, a zoom of up to ``zoom``
(either off or large enough to matter — P1) and a shift of up to ``translate`` of the side, with
reflected borders. The geometric transforms commute with the backbone's per-channel
normalization, so the Keras layers may run after ``preprocess_input`` inside the model.

Both back ends are seeded. With albumentations each image is augmented with a seed of its own
(drawn from a seeded stream in data order), so the augmentation does not depend on which
``tf.data`` thread runs first; runs are still not bitwise reproducible, since multi-threaded
kernels sum in varying order. Compare settings over several seeds (``experiment``), not single runs.

Keras preprocessing layers are no-ops at inference, so test-time augmentation never relies on the
model's own layers: it uses the albumentations pipeline, or Keras layers called explicitly with
``training=True`` (review P7, rule RL304).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import albumentations as A
import cv2
import numpy as np

from .config import MIN_ZOOM, AugmentConfig


def milder(params: AugmentConfig, strength: float) -> AugmentConfig:
    """``params`` with every magnitude multiplied by ``strength`` (at most 1: never stronger).

    A zoom that would fall below :data:`MIN_ZOOM` is switched off rather than kept near zero.
    """
    if not 0 < strength <= 1:
        raise ValueError(f"strength must lie in (0, 1], got {strength}")
    zoom = params.zoom * strength
    return dataclasses.replace(
        params,
        rotate_degrees=params.rotate_degrees * strength,
        zoom=zoom if zoom >= MIN_ZOOM else 0.0,
        translate=params.translate * strength,
    )


def is_stronger(candidate: AugmentConfig, reference: AugmentConfig) -> bool:
    """Whether ``candidate`` transforms more than ``reference`` on any axis."""
    return (
        (candidate.horizontal_flip and not reference.horizontal_flip)
        or candidate.rotate_degrees > reference.rotate_degrees
        or candidate.zoom > reference.zoom
        or candidate.translate > reference.translate
    )


def albumentations_pipeline(params: AugmentConfig, seed: int) -> A.Compose:
    """The augmentation as a seeded ``albumentations.Compose``."""
    transforms: list[A.BasicTransform] = []
    if params.horizontal_flip:
        transforms.append(A.HorizontalFlip(p=0.5))
    affine: dict[str, tuple[float, float]] = {}
    if params.rotate_degrees > 0:
        affine["rotate"] = (-params.rotate_degrees, params.rotate_degrees)
    if params.zoom > 0:
        affine["scale"] = (1.0 - params.zoom, 1.0 + params.zoom)
    if params.translate > 0:
        affine["translate_percent"] = (-params.translate, params.translate)
    if affine:
        transforms.append(A.Affine(**affine, keep_ratio=True, border_mode=cv2.BORDER_REFLECT, p=1.0))
    return A.Compose(transforms, seed=seed)


def albumentations_augmenter(params: AugmentConfig, seed: int) -> Callable[..., np.ndarray]:
    """A function from one uint8 image (and, from tf.data, that element's own seed) to its augmented
    copy, for :func:`tf.numpy_function`.

    tf.data calls it from several threads at once: each thread has its own pipeline, and with an
    element seed the pipeline is reseeded for that image, so what each image gets depends on its
    seed only — not on which thread ran first. Runs are reproducible, TTA passes repeat exactly,
    and every worker of a multi-machine run augments each image as a single machine would.
    """
    local = threading.local()

    def augment(image: np.ndarray, element_seed: np.integer | int | None = None) -> np.ndarray:
        pipeline = getattr(local, "pipeline", None)
        if pipeline is None:
            pipeline = local.pipeline = albumentations_pipeline(params, seed)
        if element_seed is not None:
            pipeline.set_random_seed(int(element_seed) % 2**32)
        return pipeline(image=image)["image"]

    return augment


def keras_augmentation_layers(params: AugmentConfig, seed: int) -> list[Any]:
    """The augmentation as Keras preprocessing layers (active only when called with training=True)."""
    import keras

    layers: list[Any] = []
    if params.horizontal_flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if params.rotate_degrees > 0:
        layers.append(keras.layers.RandomRotation(params.rotate_degrees / 360.0, fill_mode="reflect", seed=seed + 1))
    if params.zoom > 0:
        layers.append(keras.layers.RandomZoom((-params.zoom, params.zoom), fill_mode="reflect", seed=seed + 2))
    if params.translate > 0:
        layers.append(
            keras.layers.RandomTranslation(params.translate, params.translate, fill_mode="reflect", seed=seed + 3)
        )
    return layers


def keras_batch_augmenter(params: AugmentConfig, seed: int) -> Callable[[Any], Any]:
    """A function that applies the Keras layers to a float batch, explicitly in training mode.

    This is how the Keras back end does test-time augmentation: the layers inside the trained model
    do nothing at ``predict`` time.
    """
    layers = keras_augmentation_layers(params, seed)

    def augment(batch: Any) -> Any:
        for layer in layers:
            batch = layer(batch, training=True)
        return batch

    return augment

"""Augmentation throughput, measured: albumentations vs Keras preprocessing layers (review P9).

"Which is faster?" depends on the machine, so this module answers it by measurement, with the same
augmentation parameters for every back end, on the same images, in one run:

* albumentations inside ``tf.data`` (``tf.numpy_function``, parallel ``map``) — how the pipeline
  trains with it;
* albumentations in a plain Python loop on one core — the cost per image without ``tf.data``;
* Keras preprocessing layers inside ``tf.data`` on the CPU;
* Keras preprocessing layers as a compiled function on the default device — the GPU when there is
  one, which is where they run inside the model;
* the legacy ``ImageDataGenerator``, for reference only (it is deprecated).

Each back end gets one untimed warm-up pass, then ``repeats`` timed passes over all images; every
pass ends with float32 batches in memory, ready for the model.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from .augment import albumentations_augmenter, keras_augmentation_layers
from .config import AugmentConfig
from .data import decoded_images, load_folder_per_class
from .embedded_data import ensure_embedded_dataset


@dataclass(frozen=True)
class BenchRow:
    """One back end's measured throughput."""

    backend: str
    runs_on: str
    images_per_second: float


def bench_images(count: int, image_size: int, cache_root: Path | None, images_per_class: int) -> np.ndarray:
    """``count`` uint8 images of side ``image_size`` from the embedded data set (cycled if needed)."""
    folder = ensure_embedded_dataset(cache_root, images_per_class)
    paths = load_folder_per_class(folder).paths
    decoded = np.stack(list(decoded_images(paths, image_size, cache=False).as_numpy_iterator()))
    return decoded[np.arange(count) % len(decoded)]


def _time_passes(run_pass: Callable[[], None], images: int, repeats: int) -> float:
    run_pass()
    start = time.perf_counter()
    for _ in range(repeats):
        run_pass()
    return images * repeats / (time.perf_counter() - start)


def _albumentations_tf_data(
    images: np.ndarray, params: AugmentConfig, batch_size: int, seed: int
) -> Callable[[], None]:
    augment = albumentations_augmenter(params, seed)
    size = images.shape[1]

    def one_image(image: tf.Tensor) -> tf.Tensor:
        augmented = tf.numpy_function(augment, [image], tf.uint8, stateful=True)
        return tf.ensure_shape(augmented, (size, size, 3))

    dataset = (
        tf.data.Dataset.from_tensor_slices(images)
        .map(one_image, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size)
        .map(lambda batch: tf.cast(batch, tf.float32), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    return lambda: _drain(dataset)


def _albumentations_loop(images: np.ndarray, params: AugmentConfig, batch_size: int, seed: int) -> Callable[[], None]:
    augment = albumentations_augmenter(params, seed)

    def run_pass() -> None:
        for start in range(0, len(images), batch_size):
            np.stack([augment(image) for image in images[start : start + batch_size]]).astype(np.float32)

    return run_pass


def _keras_tf_data(images: np.ndarray, params: AugmentConfig, batch_size: int, seed: int) -> Callable[[], None]:
    layers = keras_augmentation_layers(params, seed)

    def augment(batch: tf.Tensor) -> tf.Tensor:
        batch = tf.cast(batch, tf.float32)
        for layer in layers:
            batch = layer(batch, training=True)
        return batch

    dataset = (
        tf.data.Dataset.from_tensor_slices(images)
        .batch(batch_size)
        .map(augment, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    return lambda: _drain(dataset)


def _keras_on_device(images: np.ndarray, params: AugmentConfig, batch_size: int, seed: int) -> Callable[[], None]:
    layers = keras_augmentation_layers(params, seed)
    batches = [tf.constant(images[start : start + batch_size]) for start in range(0, len(images), batch_size)]

    @tf.function
    def augment(batch: tf.Tensor) -> tf.Tensor:
        batch = tf.cast(batch, tf.float32)
        for layer in layers:
            batch = layer(batch, training=True)
        return batch

    def run_pass() -> None:
        outputs = [augment(batch) for batch in batches]
        outputs[-1].numpy()

    return run_pass


def _image_data_generator(images: np.ndarray, params: AugmentConfig, batch_size: int, seed: int) -> Callable[[], None]:
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    # The deprecated generator is measured on purpose: it is the baseline the reviewed notebook used.
    generator = ImageDataGenerator(  # noqa: RL103
        horizontal_flip=params.horizontal_flip,
        rotation_range=params.rotate_degrees,
        zoom_range=params.zoom,
        width_shift_range=params.translate,
        height_shift_range=params.translate,
        fill_mode="reflect",
    )
    steps = -(-len(images) // batch_size)

    def run_pass() -> None:
        flow = generator.flow(images.astype(np.float32), batch_size=batch_size, shuffle=False, seed=seed)
        for _ in range(steps):
            next(flow)

    return run_pass


def _drain(dataset: tf.data.Dataset) -> None:
    for _batch in dataset:
        pass


ALBUMENTATIONS_TF_DATA = "albumentations in tf.data (parallel map)"
KERAS_ON_DEVICE = "Keras layers, compiled, default device"


def bench_augment(
    images: np.ndarray,
    params: AugmentConfig,
    batch_size: int = 32,
    repeats: int = 3,
    seed: int = 0,
    only: tuple[str, ...] | None = None,
) -> list[BenchRow]:
    """Measures every back end (or the ones named in ``only``) on ``images`` (uint8, N×S×S×3)
    with the same parameters."""
    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    backends: list[tuple[str, str, Callable[..., Callable[[], None]]]] = [
        (ALBUMENTATIONS_TF_DATA, "CPU", _albumentations_tf_data),
        ("albumentations, Python loop (1 core)", "CPU", _albumentations_loop),
        ("Keras layers in tf.data", "CPU", _keras_tf_data),
        (KERAS_ON_DEVICE, device, _keras_on_device),
        ("ImageDataGenerator (legacy, reference)", "CPU", _image_data_generator),
    ]
    rows = []
    for name, runs_on, make_pass in backends:
        if only is not None and name not in only:
            continue
        with tf.device(f"/{runs_on}:0"):
            speed = _time_passes(make_pass(images, params, batch_size, seed), len(images), repeats)
        rows.append(BenchRow(name, runs_on, speed))
    return rows


def machine_description() -> str:
    """CPU cores, GPUs, load and library versions: what the numbers depend on."""
    import albumentations
    import keras

    gpus = tf.config.list_physical_devices("GPU")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPU cores (1-minute load average {load:.1f} when measured), "
        f"{len(gpus) or 'no'} GPU(s); TensorFlow {tf.__version__}, Keras {keras.__version__}, "
        f"albumentations {albumentations.__version__}"
    )


def markdown_table(rows: list[BenchRow], image_size: int, images: int, machine: str) -> str:
    """The measurements as a Markdown table, fastest first, with speed relative to the fastest."""
    fastest = max(row.images_per_second for row in rows)
    lines = [
        f"Augmentation throughput, {images} images of {image_size}×{image_size} px, measured on {machine}:",
        "",
        "| back end | runs on | images/s | relative |",
        "|---|---|---:|---:|",
    ]
    for row in sorted(rows, key=lambda item: -item.images_per_second):
        lines.append(
            f"| {row.backend} | {row.runs_on} | {row.images_per_second:,.0f} | {row.images_per_second / fastest:.2f} |"
        )
    return "\n".join(lines) + "\n"

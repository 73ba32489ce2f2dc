"""``gpu-smoke``: one command that measures what a first session on a GPU should know.

1. A short training run of the default configuration (mixed precision and XLA where a GPU is
   visible): throughput, accuracy and the TTA choice, as ``train`` reports them.
2. The training step four ways, side by side — float32 or mixed precision, XLA off or on — each
   on the same model and the same batches: images per second of ``fit`` over the real input
   pipeline, and the step split into its input part (the ``tf.data`` pipeline alone: decode,
   albumentations, preprocessing) and its compute part (``fit`` over one batch kept in memory).
   A step whose input part is larger than its compute part is input-bound: a faster GPU would not
   help it.
3. The device row of ``bench-augment`` (the Keras preprocessing layers compiled on the default
   device) beside albumentations in ``tf.data``, on the same images.

On a CPU it runs too (mixed precision and XLA are then slow, and said to be measured on the CPU).
Every number printed is measured in this run.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import tensorflow as tf

from .augment import albumentations_augmenter
from .bench import ALBUMENTATIONS_TF_DATA, KERAS_ON_DEVICE, BenchRow, bench_augment, bench_images
from .config import PipelineConfig
from .data import DataSplits, load_splits, training_dataset
from .model import build_classifier, set_trainable_part
from .progress import console
from .schedules import build_optimizer, build_schedule, plan_schedule
from .train import RunResult, run_training

WARM_UP_STEPS = 2
"""Steps run (and not timed) before each measurement: tracing, XLA compilation, autotuning."""


@dataclass(frozen=True)
class StepVariant:
    """One way of running the training step, measured."""

    mixed_precision: bool
    xla: bool
    images_per_second: float
    step_seconds: float
    compute_seconds: float

    @property
    def label(self) -> str:
        return f"{'mixed_float16' if self.mixed_precision else 'float32'}, XLA {'on' if self.xla else 'off'}"


def _timed_fit(model: keras.Model, dataset: tf.data.Dataset, steps: int) -> float:
    """Seconds per step of ``fit`` over ``steps`` steps, after untimed warm-up steps."""
    model.fit(dataset, epochs=1, steps_per_epoch=WARM_UP_STEPS, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / steps


def input_seconds_per_batch(dataset: tf.data.Dataset, steps: int) -> float:
    """Seconds per batch of the input pipeline alone (after warm-up batches)."""
    iterator = iter(dataset)
    for _ in range(WARM_UP_STEPS):
        next(iterator)
    start = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    return (time.perf_counter() - start) / steps


def measure_step_variant(
    config: PipelineConfig, splits: DataSplits, mixed_precision: bool, xla: bool, steps: int
) -> StepVariant:
    """Builds the whole-model-trainable classifier under one precision policy and compilation
    setting and times its training step over the real pipeline and over one in-memory batch."""
    previous = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed_precision else "float32")
    try:
        train = config.train
        keras.utils.set_random_seed(train.seed)  # every variant starts from the same weights
        classifier = build_classifier(config, len(splits.train.class_names), train.seed)
        set_trainable_part(classifier, "whole", train.top_blocks)
        optimizer = build_optimizer(train, build_schedule(train, plan_schedule(train, steps + 2 * WARM_UP_STEPS)))
        classifier.model.compile(
            optimizer=optimizer,
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
            metrics=["accuracy"],
            jit_compile=xla,
        )
        augmenter = albumentations_augmenter(config.augment, train.seed)
        pipeline = training_dataset(splits.train, config, augmenter, train.seed)
        # One batch, cached and repeated: the same element signature as the pipeline's, so both
        # fits share one traced (and XLA-compiled) step.
        in_memory = pipeline.take(1).cache().repeat()
        compute = _timed_fit(classifier.model, in_memory, steps)
        step = _timed_fit(classifier.model, pipeline, steps)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    return StepVariant(mixed_precision, xla, train.batch_size / step, step, compute)


def measure_step_variants(config: PipelineConfig, steps: int) -> tuple[list[StepVariant], float]:
    """The four precision × XLA variants and the input pipeline's own time per batch
    (``config.train.steps_per_epoch`` must be set: the training dataset then repeats)."""
    splits = load_splits(config)
    augmenter = albumentations_augmenter(config.augment, config.train.seed)
    pipeline = training_dataset(splits.train, config, augmenter, config.train.seed)
    input_seconds = input_seconds_per_batch(pipeline, steps)
    variants = [
        measure_step_variant(config, splits, mixed, xla, steps) for mixed in (False, True) for xla in (False, True)
    ]
    return variants, input_seconds


def variants_table(variants: list[StepVariant], input_seconds: float, device: str, batch_size: int) -> str:
    """The variants as a Markdown table, the first (float32, XLA off) as the reference."""
    reference = variants[0].images_per_second
    lines = [
        f"Training step on {device}, batch {batch_size}; input pipeline alone: {input_seconds * 1000:.1f} ms per batch",
        "",
        "| precision, compilation | images/s | relative | step ms | compute ms (batch in memory) | input ms | bound by |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for variant in variants:
        bound = "input" if input_seconds > variant.compute_seconds else "compute"
        lines.append(
            f"| {variant.label} | {variant.images_per_second:,.1f} | {variant.images_per_second / reference:.2f} | "
            f"{variant.step_seconds * 1000:.1f} | {variant.compute_seconds * 1000:.1f} | {input_seconds * 1000:.1f} | {bound} |"
        )
    return "\n".join(lines) + "\n"


def augmentation_rows(config: PipelineConfig, images: int) -> list[BenchRow]:
    """bench-augment's device row (Keras layers compiled on the default device) and albumentations
    in tf.data, on ``images`` images of the training size."""
    cache_root = Path(config.data.cache_dir) if config.data.cache_dir else None
    pictures = bench_images(images, config.data.image_size, cache_root, config.data.embedded_images_per_class)
    return bench_augment(pictures, config.augment, config.train.batch_size, repeats=1, seed=config.train.seed,
                         only=(ALBUMENTATIONS_TF_DATA, KERAS_ON_DEVICE))


def run_smoke(config: PipelineConfig, variant_steps: int = 10, augment_images: int = 128) -> RunResult:
    """Trains ``config``, then measures the step variants and the augmentation rows; prints each."""
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
    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    measured = copy.deepcopy(config)
    measured.train.steps_per_epoch = max(measured.train.steps_per_epoch, 1)
    variants, input_seconds = measure_step_variants(measured, variant_steps)
    console.print(variants_table(variants, input_seconds, device, config.train.batch_size), markup=False, soft_wrap=True)
    rows = augmentation_rows(config, augment_images)
    fastest = max(row.images_per_second for row in rows)
    console.print(f"Augmentation, {augment_images} images of {config.data.image_size} px:")
    for row in rows:
        console.print(f"  {row.backend} on {row.runs_on}: {row.images_per_second:,.0f} images/s "
                      f"({row.images_per_second / fastest:.2f} of the fastest)", markup=False, soft_wrap=True)
    return result


"""Command line: ``python -m reference_pipeline <command>``.

Commands: ``train``, ``predict``, ``experiment``, ``bench-augment``, ``gpu-smoke``, ``make-data``
and ``show-config``. Commands that train take ``--config FILE`` (TOML or JSON), any number of
``--set section.key=value`` overrides, and named flags for the common settings; flags win over
``--set``, which wins over the file, which wins over the defaults.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .config import (
    AUGMENT_BACKENDS,
    BACKBONES,
    DATA_SOURCES,
    FINE_TUNE_STRATEGIES,
    OPTIMIZERS,
    SCHEDULES,
    PipelineConfig,
    config_to_dict,
    load_config,
    parse_override,
)
from .errors import USER_ERRORS

FLAG_KEYS: dict[str, str] = {
    "name": "name",
    "runs_dir": "runs_dir",
    "source": "data.source",
    "data": "data.path",
    "image_size": "data.image_size",
    "backbone": "model.backbone",
    "weights": "model.weights",
    "epochs": "train.epochs",
    "head_epochs": "train.head_epochs",
    "batch_size": "train.batch_size",
    "steps_per_epoch": "train.steps_per_epoch",
    "seed": "train.seed",
    "fine_tune": "train.fine_tune",
    "optimizer": "train.optimizer",
    "schedule": "train.schedule",
    "learning_rate": "train.learning_rate",
    "augment_backend": "augment.backend",
    "tta_steps": "tta.steps",
    "eager": "train.run_eagerly",
    "workers": "runtime.workers",
    "worker_index": "runtime.worker_index",
}
"""Named flag → the configuration key it sets."""

SMOKE_PRESET: dict[str, Any] = {
    "name": "gpu-smoke",
    "model.weights": "none",
    "train.epochs": 3,
    "train.head_epochs": 1,
    "train.early_stopping": False,
}
"""gpu-smoke's own defaults: the default configuration, shortened, without downloads."""

BENCH_PRESET: dict[str, Any] = {"data.image_size": 224}
"""bench-augment's own default: the input size EfficientNetB0 was trained at."""


def _run_guarded(action: Callable[[], Any]) -> Any:
    """Runs ``action``; an input error becomes one ``Error:`` line instead of a traceback."""
    try:
        return action()
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None


def config_options(preset: dict[str, Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Adds ``--config``, ``--set`` and the named flags, and passes the built ``config``.

    ``preset`` holds the command's own defaults, applied before the file and the flags.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(config_file: Path | None, overrides: tuple[str, ...], **kwargs: Any) -> Any:
            flags = {key: kwargs.pop(key) for key in FLAG_KEYS if key in kwargs}
            config = _run_guarded(lambda: build_config(config_file, overrides, flags, preset))
            return command(config=config, **kwargs)

        for option in reversed(_CONFIG_OPTIONS):
            wrapper = option(wrapper)
        return wrapper

    return decorate


_CONFIG_OPTIONS = [
    click.option(
        "--config",
        "config_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="TOML or JSON configuration file.",
    ),
    click.option(
        "--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE", help="Override any setting; repeatable."
    ),
    click.option("--name", help="Run name; outputs go to RUNS_DIR/NAME."),
    click.option("--runs-dir", help="Folder that holds the run folders (default: runs)."),
    click.option("--source", type=click.Choice(DATA_SOURCES), help="Data layout."),
    click.option("--data", help="Data folder (folder-per-class or Kaggle layout)."),
    click.option("--image-size", type=int, help="Side of the square input, in pixels."),
    click.option("--backbone", type=click.Choice(BACKBONES), help="EfficientNet variant."),
    click.option("--weights", help="auto (default: imagenet when obtainable, else none), imagenet, none, or a weights file."),
    click.option("--epochs", type=int, help="Total epochs (all stages together)."),
    click.option("--head-epochs", type=int, help="Epochs of the head-only stage of a staged strategy."),
    click.option("--batch-size", type=int),
    click.option("--steps-per-epoch", type=int, help="0 means one pass over the training split."),
    click.option("--seed", type=int),
    click.option("--fine-tune", type=click.Choice(FINE_TUNE_STRATEGIES)),
    click.option("--optimizer", type=click.Choice(OPTIMIZERS)),
    click.option("--schedule", type=click.Choice(SCHEDULES)),
    click.option("--learning-rate", type=float),
    click.option("--augment-backend", type=click.Choice(AUGMENT_BACKENDS)),
    click.option("--tta-steps", type=int, help="The most augmented passes TTA may average (default 8; whether TTA is used, and with how many, is chosen on validation)."),
    click.option("--eager/--no-eager", default=None, help="run_eagerly (faster for a few steps on a CPU)."),
    click.option("--workers", help="Train on several machines: host:port,host:port,… (the same list on each; or set TF_CONFIG)."),
    click.option("--worker-index", type=int, help="This machine's place in --workers, from 0 (0 is the chief, which writes the outputs)."),
]


def build_config(
    config_file: Path | None, overrides: tuple[str, ...], flags: dict[str, Any], preset: dict[str, Any] | None = None
) -> PipelineConfig:
    """Defaults ← ``preset`` ← file ← ``--set`` ← named flags, then checked."""
    values: dict[str, Any] = dict(parse_override(text) for text in overrides)
    values.update({FLAG_KEYS[name]: value for name, value in flags.items() if value is not None})
    return load_config(config_file, values, preset)


@click.group()
def main() -> None:
    """A reference Keras pipeline: EfficientNet fine-tuning done the way the review asks."""


@main.command()
@config_options()
def train(config: PipelineConfig) -> None:
    """Train, evaluate with and without TTA, write the run folder (and submission.csv for Kaggle data)."""
    from .train import run_training

    _run_guarded(lambda: run_training(config))


@main.command()
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder written by train.",
)
@click.option(
    "--source", type=click.Choice(["folder", "kaggle"]), help="Layout of --data (default: the run's own data)."
)
@click.option("--data", "data_path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tta-steps", type=int, help="Force TTA with this many passes (0: none) instead of what the run chose on validation.")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output CSV (default: in the run folder)."
)
def predict(
    run_dir: Path, source: str | None, data_path: Path | None, tta_steps: int | None, output: Path | None
) -> None:
    """Predict with a trained run, in input order: submission.csv (Kaggle) or predictions.csv (folder)."""
    from .predict import predict_from_run

    _run_guarded(lambda: predict_from_run(run_dir, source, data_path, tta_steps, output))


@main.command()
@config_options()
@click.option("--seeds", help="Comma-separated seeds, e.g. 0,1,2 (default from the config).")
def experiment(config: PipelineConfig, seeds: str | None) -> None:
    """Run every arm with every seed on equal budgets; write the mean ± std table and one figure."""
    from .config import with_overrides
    from .experiment import run_experiment

    if seeds:
        config = _run_guarded(lambda: with_overrides(config, {"experiment.seeds": seeds}))
    _run_guarded(lambda: run_experiment(config))


@main.command("bench-augment")
@click.option("--images", default=256, show_default=True, help="Images per pass.")
@click.option("--repeats", default=3, show_default=True, help="Timed passes after one warm-up pass.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table (Markdown) here.")
@config_options(preset=BENCH_PRESET)
def bench_augment_command(config: PipelineConfig, images: int, repeats: int, output: Path | None) -> None:
    """Images/second of each augmentation back end, same parameters, side by side.

    Image size (default 224 here), batch size and augmentation come from the configuration.
    """
    from rich.table import Table

    from .bench import bench_augment, bench_images, machine_description, markdown_table
    from .progress import console

    size, batch_size = config.data.image_size, config.train.batch_size
    cache_root = Path(config.data.cache_dir) if config.data.cache_dir else None
    pixels = bench_images(images, size, cache_root, config.data.embedded_images_per_class)
    console.print(
        f"augmentation: horizontal flip {config.augment.horizontal_flip}, rotate ±{config.augment.rotate_degrees:g}°, "
        f"zoom ±{config.augment.zoom:g}, shift ±{config.augment.translate:g}"
    )
    machine = machine_description()
    console.print(f"machine: {machine}")
    rows = bench_augment(pixels, config.augment, batch_size, repeats, config.train.seed)
    table = Table(title=f"Augmentation throughput ({images} images, {size}×{size} px, batch {batch_size})")
    for column in ("back end", "runs on", "images/s", "relative"):
        table.add_column(column, justify="right" if column in ("images/s", "relative") else "left")
    fastest = max(row.images_per_second for row in rows)
    for row in sorted(rows, key=lambda item: -item.images_per_second):
        table.add_row(
            row.backend, row.runs_on, f"{row.images_per_second:,.0f}", f"{row.images_per_second / fastest:.2f}"
        )
    console.print(table)
    if output is not None:
        output.write_text(markdown_table(rows, size, images, machine), encoding="utf-8")


@main.command("gpu-smoke")
@click.option("--variant-steps", default=10, show_default=True, help="Timed steps per precision × XLA variant.")
@click.option("--augment-images", default=128, show_default=True, help="Images per augmentation measurement.")
@config_options(preset=SMOKE_PRESET)
def gpu_smoke(config: PipelineConfig, variant_steps: int, augment_images: int) -> None:
    """Train the default configuration for 3 epochs, then measure the training step four ways.

    Prints throughput, accuracy and the TTA choice of the run (mixed precision and XLA when a GPU is
    visible), then float32/mixed precision × XLA off/on side by side (images/s, step time split into
    input and compute), then the Keras augmentation layers on the device beside albumentations.
    Unless given, the weights are ``none`` so that it runs without network access.
    """
    from .smoke import run_smoke

    _run_guarded(lambda: run_smoke(config, variant_steps, augment_images))


@main.command("make-data")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Default: $REFERENCE_PIPELINE_CACHE or ~/.cache/reference_pipeline.",
)
@click.option("--images-per-class", default=60, show_default=True)
def make_data(cache_dir: Path | None, images_per_class: int) -> None:
    """Generate the embedded data set (done automatically on first use) and print its folder."""
    from .embedded_data import ensure_embedded_dataset

    click.echo(ensure_embedded_dataset(cache_dir, images_per_class))


@main.command("show-config")
@config_options()
def show_config(config: PipelineConfig) -> None:
    """Print the effective configuration as JSON."""
    click.echo(json.dumps(config_to_dict(config), indent=2))

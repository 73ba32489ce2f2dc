"""One training run: data → staged training → TTA chosen on validation → evaluation → files.

The stages come from :mod:`reference_pipeline.stages`. After a stage changes what is trainable,
the model is compiled again before the next ``fit`` (rule RL505); the backbone's BatchNormalization
stays in inference mode (see :func:`reference_pipeline.model.set_trainable_part`). Every ``fit``
returns a ``History`` that is kept, written to ``history.csv`` and plotted.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .augment import albumentations_augmenter
from .config import PipelineConfig, config_to_dict, planned_steps_per_epoch
from .data import DataSplits, evaluation_dataset, load_splits, training_dataset
from .model import (
    WEIGHTS_NONE,
    Classifier,
    build_classifier,
    compile_classifier,
    estimate_batchnorm_statistics,
    set_trainable_part,
    trainable_weight_count,
    with_available_weights,
)
from .outputs import (
    HistoryRow,
    write_history_csv,
    write_json,
    write_predictions,
    write_submission,
)
from .plots import plot_learning_curves
from .progress import RichProgress, console
from .runtime import RuntimeInfo, configure_runtime
from .schedules import StageSchedule, build_optimizer, build_schedule, plan_schedule
from .stages import Stage, describe_strategy, plan_stages
from .tta import accuracy, predict_with_tta, validation_passes
from .tta_choice import TTAChoice, choose_tta

WEIGHTS_FILE = "model.weights.h5"
CONFIG_FILE = "config.json"
CLASSES_FILE = "classes.json"
METRICS_FILE = "metrics.json"
HISTORY_FILE = "history.csv"
CURVES_FILE = "learning_curves.png"
BACKUP_DIR = "backup"  # multi-worker runs: BackupAndRestore's state while a stage trains (removed when it ends)


@dataclass
class StageReport:
    """What a stage planned and what it actually ran."""

    name: str
    planned_epochs: int
    epochs_run: int
    trainable_weights: int


@dataclass
class RunResult:
    """The numbers of one run (also written to ``metrics.json``)."""

    run_dir: str
    seed: int
    strategy: str
    schedule: str
    runtime: str
    planned_epochs: int
    epochs_run: int
    steps_per_epoch: int
    stages: list[StageReport]
    final_val_accuracy: float
    test_images: int
    test_accuracy: float  # plain prediction
    test_accuracy_tta: float  # with the TTA that validation found best (kept or not), for the record
    test_accuracy_used: float  # with what the run uses: that TTA when kept, else plain
    tta_steps: int  # passes of the TTA used (0: none)
    tta: dict[str, object]  # the validation choice (TTAChoice.to_dict)
    train_seconds: float
    train_images_per_second: float
    history: list[HistoryRow] = field(repr=False)


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch's training steps (validation excluded), to report throughput."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0
        self._last_step_end = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Starts the clock."""
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Notes when the latest training step ended."""
        self._last_step_end = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Keeps the time from the epoch's start to its last training step."""
        self.seconds.append(self._last_step_end - self._start)


def _current_learning_rate(model: keras.Model) -> float:
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


class LearningRateLog(keras.callbacks.Callback):
    """Records the learning rate at the end of every epoch (it changes every step)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Reads the optimizer's current rate."""
        self.values.append(_current_learning_rate(self.model))


def _history_rows(history: keras.callbacks.History, stage: Stage, learning_rates: list[float]) -> list[HistoryRow]:
    rows = []
    for index, epoch in enumerate(history.epoch):
        row: HistoryRow = {"epoch": epoch + 1, "stage": stage.name, "learning_rate": learning_rates[index]}
        row.update({name: float(values[index]) for name, values in history.history.items()})
        rows.append(row)
    return rows


def _throughput(timers: list[EpochTimer], images_per_epoch: int) -> tuple[float, float]:
    """Total seconds, and images per second over the epochs after each stage's first (which also
    traces and compiles the step function), or over all epochs when every stage ran just one."""
    total = sum(sum(timer.seconds) for timer in timers)
    steady = [seconds for timer in timers for seconds in timer.seconds[1:]]
    measured = steady or [seconds for timer in timers for seconds in timer.seconds]
    return total, images_per_epoch * len(measured) / max(sum(measured), 1e-9)


BATCHNORM_ESTIMATE_IMAGES = 64
"""Training images (unaugmented) used to estimate the BatchNormalization statistics of a backbone
trained from scratch (see :func:`~reference_pipeline.model.estimate_batchnorm_statistics`)."""
STAGE_SEED_STRIDE = 7919
"""Stage N's training data is shuffled and augmented with ``train.seed + (N - 1) × this`` (a prime)."""


def _batchnorm_sample(splits: DataSplits, config: PipelineConfig) -> np.ndarray:
    """A seeded random sample of preprocessed, unaugmented training images (all classes mixed)."""
    order = np.random.default_rng(config.train.seed).permutation(len(splits.train.paths))
    subset = splits.train.subset(np.sort(order[:BATCHNORM_ESTIMATE_IMAGES]))
    batches = [images for images, _labels in evaluation_dataset(subset, config, cache=False)]
    return np.concatenate([np.asarray(batch) for batch in batches])


def train_classifier(
    config: PipelineConfig, splits: DataSplits, runtime: RuntimeInfo, backup_dir: Path | None = None
) -> tuple[Classifier, list[HistoryRow], list[StageReport], float, float]:
    """Builds and trains the classifier through the configured stages.

    On several workers, each stage's ``fit`` backs up its state after every epoch
    (``keras.callbacks.BackupAndRestore`` in ``backup_dir/stage-N``): when a worker fails and the
    job is started again, the stage resumes from its last epoch instead of from the start.

    Returns the classifier, the history rows of every epoch, a report per stage, the training
    wall time and the training throughput in images per second.
    """
    train = config.train
    seed = train.seed
    steps_per_epoch = planned_steps_per_epoch(config, len(splits.train.paths))
    plan = plan_schedule(train, steps_per_epoch)
    augmenter = albumentations_augmenter(config.augment, seed) if config.augment.backend == "albumentations" else None
    val_data = evaluation_dataset(splits.val, config)
    with runtime.strategy.scope():
        classifier = build_classifier(config, len(splits.train.class_names), seed)
        if config.model.weights.lower() == WEIGHTS_NONE:
            estimate_batchnorm_statistics(classifier.backbone, _batchnorm_sample(splits, config))
        global_schedule = build_schedule(train, plan)

    history: list[HistoryRow] = []
    reports: list[StageReport] = []
    timers: list[EpochTimer] = []
    first_epoch = 0
    for stage_number, stage in enumerate(plan_stages(train), start=1):
        with runtime.strategy.scope():
            set_trainable_part(classifier, stage.trainable, train.top_blocks)
            schedule = StageSchedule(global_schedule, first_epoch * steps_per_epoch, stage.lr_scale)
            compile_classifier(classifier, build_optimizer(train, schedule), train.run_eagerly, runtime.allow_xla)
        timer = EpochTimer()
        learning_rates = LearningRateLog()
        callbacks: list[keras.callbacks.Callback] = [timer, learning_rates, RichProgress(stage.name, steps_per_epoch)]
        if runtime.workers > 1 and backup_dir is not None:
            callbacks.append(keras.callbacks.BackupAndRestore(str(backup_dir / f"stage-{stage_number}")))
        if train.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=train.patience, restore_best_weights=True)
            )
        console.print(
            f"[bold]{stage.name}[/bold]: epochs {first_epoch + 1}–{first_epoch + stage.epochs}, "
            f"{trainable_weight_count(classifier):,} trainable weights"
        )
        # Each stage reads a training dataset of its own, seeded for the stage: its order and
        # augmentation do not depend on how many passes earlier stages made over another dataset
        # object (a distributed run copies the dataset at every fit, restarting its reshuffling).
        train_data = training_dataset(splits.train, config, augmenter, seed + STAGE_SEED_STRIDE * (stage_number - 1))
        if runtime.workers > 1:
            from .keras_multiworker import prepare_for_multi_worker_fit

            prepare_for_multi_worker_fit(classifier.model, runtime.strategy, val_data)  # not train_data: a pass over it moves its reshuffling on
        # shuffle=False: the tf.data pipeline shuffles (seeded); Keras cannot shuffle a dataset.
        fit_history = classifier.model.fit(
            train_data,
            validation_data=val_data,
            epochs=first_epoch + stage.epochs,
            initial_epoch=first_epoch,
            steps_per_epoch=train.steps_per_epoch or None,
            callbacks=callbacks,
            shuffle=False,
            verbose=0,
        )
        history.extend(_history_rows(fit_history, stage, learning_rates.values))
        reports.append(
            StageReport(stage.name, stage.epochs, len(fit_history.epoch), trainable_weight_count(classifier))
        )
        timers.append(timer)
        first_epoch += stage.epochs
    if backup_dir is not None:
        shutil.rmtree(backup_dir, ignore_errors=True)  # training finished: nothing left to resume
    images_per_epoch = steps_per_epoch * train.batch_size if train.steps_per_epoch else len(splits.train.paths)
    seconds, images_per_second = _throughput(timers, images_per_epoch)
    return classifier, history, reports, seconds, images_per_second


def _check_finite(history: list[HistoryRow]) -> None:
    values = [float(value) for row in history for key, value in row.items() if key not in ("stage", "epoch")]
    if not np.all(np.isfinite(values)):
        raise FloatingPointError("training produced NaN or infinite losses or metrics; lower the learning rate")


def run_training(config: PipelineConfig, run_dir: Path | None = None) -> RunResult:
    """The whole run, writing into ``run_dir`` (default ``runs/<name>``):

    ``config.json``, ``classes.json``, ``history.csv``, ``learning_curves.png``, ``metrics.json``,
    ``model.weights.h5``, ``test_predictions.csv`` and, for the Kaggle layout, ``submission.csv``.
    """
    runtime = configure_runtime(config.runtime)  # first: a multi-worker strategy must precede other TensorFlow work
    run_dir = run_dir or config.run_dir
    if not runtime.chief:
        # Another worker of a multi-machine run: the same work, written where no one reads it.
        scratch = Path(tempfile.mkdtemp(prefix=f"reference-pipeline-worker-{runtime.worker_index}-"))
        try:
            return _run(config, scratch, runtime)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return _run(config, run_dir, runtime)


def _run(config: PipelineConfig, run_dir: Path, runtime: RuntimeInfo) -> RunResult:
    run_dir.mkdir(parents=True, exist_ok=True)
    config = with_available_weights(config)
    keras.utils.set_random_seed(config.train.seed)
    splits = load_splits(config)
    steps_per_epoch = planned_steps_per_epoch(config, len(splits.train.paths))
    schedule = plan_schedule(config.train, steps_per_epoch).description
    console.print(f"[bold]{config.name}[/bold] → {run_dir}")
    console.print(f"  runtime: {runtime.describe()}")
    console.print(
        f"  data: {len(splits.train.paths)} train / {len(splits.val.paths)} validation / {len(splits.test.paths)} "
        f"test images, {len(splits.train.class_names)} classes, {config.data.image_size} px"
    )
    console.print(f"  strategy: {describe_strategy(config.train)}")
    console.print(f"  schedule: {schedule}")
    write_json(run_dir / CONFIG_FILE, config_to_dict(config))
    write_json(run_dir / CLASSES_FILE, list(splits.train.class_names))

    classifier, history, reports, seconds, images_per_second = train_classifier(config, splits, runtime, run_dir / BACKUP_DIR)
    _check_finite(history)
    write_history_csv(run_dir / HISTORY_FILE, history)
    plot_learning_curves(history, run_dir / CURVES_FILE, f"{config.name}: {describe_strategy(config.train)}")
    classifier.model.save_weights(run_dir / WEIGHTS_FILE)

    choice = choose_tta_on_validation(classifier.model, splits, config)
    console.print(f"  {choice.reason}")
    predictions = predict_with_tta(classifier.model, splits.test.paths, config, config.train.seed,
                                   steps=choice.steps, strength=choice.strength)
    used = predictions.tta if choice.use else predictions.plain
    write_predictions(
        run_dir / "test_predictions.csv",
        splits.test.paths,
        splits.test.class_names,
        predictions.plain,
        used,
        splits.test.labels,
    )
    if splits.submission is not None:
        submission = predict_with_tta(classifier.model, splits.submission.paths, config, config.train.seed,
                                      steps=choice.steps if choice.use else 0, strength=choice.strength)
        write_submission(run_dir / "submission.csv", splits.submission.ids, splits.train.class_names, submission.tta)

    result = RunResult(
        run_dir=str(run_dir),
        seed=config.train.seed,
        strategy=describe_strategy(config.train),
        schedule=schedule,
        runtime=runtime.describe(),
        planned_epochs=config.train.epochs,
        epochs_run=sum(report.epochs_run for report in reports),
        steps_per_epoch=steps_per_epoch,
        stages=reports,
        final_val_accuracy=float(classifier.model.evaluate(evaluation_dataset(splits.val, config), verbose=0)[1]),
        test_images=len(splits.test.paths),
        test_accuracy=accuracy(predictions.plain, splits.test.labels),
        test_accuracy_tta=accuracy(predictions.tta, splits.test.labels),
        test_accuracy_used=accuracy(used, splits.test.labels),
        tta_steps=choice.steps if choice.use else 0,
        tta=choice.to_dict(),
        train_seconds=seconds,
        train_images_per_second=images_per_second,
        history=history,
    )
    write_json(run_dir / METRICS_FILE, {key: value for key, value in asdict(result).items() if key != "history"})
    tta_text = (f"{result.test_accuracy_used:.3f} with the chosen TTA ({choice.steps} passes at strength {choice.strength:g}), "
                f"{result.test_accuracy:.3f} without" if choice.use else
                f"{result.test_accuracy:.3f} (no TTA; the TTA validation rejected scores {result.test_accuracy_tta:.3f})")
    console.print(
        f"  test accuracy {tta_text}; {result.epochs_run}/{result.planned_epochs} epochs run; "
        f"{images_per_second:.1f} training images/s"
    )
    return result


def choose_tta_on_validation(model: keras.Model, splits: DataSplits, config: PipelineConfig) -> TTAChoice:
    """Measure plain prediction and the TTA grid on the validation split, and decide (see
    :mod:`reference_pipeline.tta_choice`)."""
    plain, passes, steps_grid = validation_passes(model, splits.val.paths, config, config.train.seed)
    return choose_tta(plain, passes, splits.val.labels, steps_grid, seed=config.train.seed)

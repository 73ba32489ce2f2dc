"""Prediction with a trained run folder: rebuild the model, load its weights, predict in order."""

from __future__ import annotations

from pathlib import Path

from .config import PipelineConfig, config_from_dict, validate, with_overrides
from .data import LabeledImages, load_folder_per_class, load_kaggle, load_splits
from .errors import DataError
from .model import Classifier, build_classifier
from .outputs import read_json, write_json, write_predictions, write_submission
from .progress import console
from .runtime import configure_runtime
from .train import CLASSES_FILE, CONFIG_FILE, METRICS_FILE, WEIGHTS_FILE
from .tta import accuracy, predict_with_tta
from .tta_choice import TTAChoice


def load_run(run_dir: Path) -> tuple[PipelineConfig, tuple[str, ...]]:
    """The configuration and class names a ``train`` run saved."""
    for name in (CONFIG_FILE, CLASSES_FILE, WEIGHTS_FILE):
        if not (run_dir / name).exists():
            raise FileNotFoundError(f"{run_dir} is not a finished run folder: {name} is missing.")
    config = config_from_dict(read_json(run_dir / CONFIG_FILE))
    validate(config)
    return config, tuple(read_json(run_dir / CLASSES_FILE))


def load_trained_classifier(run_dir: Path, config: PipelineConfig, class_names: tuple[str, ...]) -> Classifier:
    """The run's architecture with its trained weights (no backbone weights are downloaded)."""
    classifier = build_classifier(
        with_overrides(config, {"model.weights": "none"}), len(class_names), config.train.seed
    )
    classifier.model.load_weights(run_dir / WEIGHTS_FILE)
    return classifier


def _check_classes(images: LabeledImages, class_names: tuple[str, ...]) -> None:
    if images.class_names != class_names:
        raise DataError(f"The data's classes {list(images.class_names)} differ from the run's {list(class_names)}.")


def run_tta(run_dir: Path, config: PipelineConfig, tta_steps: int | None) -> tuple[int, float, str]:
    """The TTA to predict with — passes, strength — and why: ``--tta-steps`` forces it (0: none);
    otherwise what the run chose on its validation split (``metrics.json``)."""
    if tta_steps is not None:
        return tta_steps, config.tta.strength, (
            f"TTA forced by --tta-steps: {tta_steps} passes at strength {config.tta.strength:g}" if tta_steps else "TTA off (--tta-steps 0)")
    metrics = run_dir / METRICS_FILE
    if metrics.exists():
        found = read_json(metrics).get("tta")
        if isinstance(found, dict):
            choice = TTAChoice.from_dict(found)
            return (choice.steps if choice.use else 0), choice.strength, choice.reason
    return config.tta.steps, config.tta.strength, (
        f"this run recorded no validation choice: TTA as configured, {config.tta.steps} passes at strength {config.tta.strength:g}")


def predict_from_run(
    run_dir: Path, source: str | None, data_path: Path | None, tta_steps: int | None, output: Path | None
) -> Path:
    """Writes ``submission.csv`` (Kaggle layout, sample-submission order) or ``predictions.csv``
    (one row per image, in input order, with accuracy with and without TTA when labels are known).

    Without ``--data`` it predicts the run's own held-out test split. TTA is what the run chose on
    its validation split, unless ``--tta-steps`` forces it.
    """
    config, class_names = load_run(run_dir)
    steps, strength, why = run_tta(run_dir, config, tta_steps)
    console.print(why)
    runtime = configure_runtime(config.runtime)
    with runtime.strategy.scope():
        classifier = load_trained_classifier(run_dir, config, class_names)
    source = source or config.data.source
    if source == "kaggle":
        _labeled, submission = load_kaggle(data_path or Path(config.data.path))
        predictions = predict_with_tta(classifier.model, submission.paths, config, config.train.seed, steps=steps, strength=strength)
        target = output or run_dir / "submission.csv"
        write_submission(target, submission.ids, class_names, predictions.tta)
        console.print(f"{len(submission.ids)} predictions ({f'TTA, {steps} passes' if steps else 'no TTA'}) → {target}")
        return target
    images = load_folder_per_class(data_path) if data_path is not None else load_splits(config).test
    _check_classes(images, class_names)
    predictions = predict_with_tta(classifier.model, images.paths, config, config.train.seed, steps=steps, strength=strength)
    target = output or run_dir / "predictions.csv"
    write_predictions(target, images.paths, class_names, predictions.plain, predictions.tta, images.labels)
    scores = {
        "images": len(images.paths),
        "accuracy": accuracy(predictions.plain, images.labels),
        "accuracy_tta": accuracy(predictions.tta, images.labels),
        "tta_steps": steps,
        "tta_strength": strength,
        "tta_reason": why,
    }
    write_json(target.with_suffix(".json"), scores)
    console.print(
        f"{scores['images']} images: accuracy {scores['accuracy']:.3f} without TTA"
        + (f", {scores['accuracy_tta']:.3f} with TTA ({steps} passes)" if steps else "") + f" → {target}"
    )
    return target

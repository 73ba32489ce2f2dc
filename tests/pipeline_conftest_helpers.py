"""Helpers for the reference_pipeline tests: tiny configurations, a Kaggle-layout fixture, CLI runs."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

CHANCE = 0.2
"""The embedded data set has five balanced classes."""


def tiny_config_toml(runs_dir: Path, cache_dir: Path) -> str:
    """A configuration small enough for a 2-core CPU: 32 px, 20 steps per epoch, no pretrained weights.

    Head-only training runs in graph mode: after its one-off tracing a step costs ~0.2 s instead
    of ~1.3 s eagerly, so 60 steps fit in well under a minute and the head learns enough to beat
    chance clearly on 100 test images.
    """
    return f"""
name = "tiny"
runs_dir = "{runs_dir.as_posix()}"

[data]
cache_dir = "{cache_dir.as_posix()}"
embedded_images_per_class = 100
image_size = 32

[model]
weights = "none"

[train]
seed = 1
epochs = 3
head_epochs = 1
steps_per_epoch = 20
batch_size = 32
fine_tune = "head-only"
learning_rate = 0.003
patience = 3
run_eagerly = false

[tta]
steps = 8

[experiment]
seeds = [0, 1]

[[experiment.arms]]
name = "head-only"
overrides = {{ "train.fine_tune" = "head-only" }}

[[experiment.arms]]
name = "head, then whole model"
overrides = {{ "train.fine_tune" = "head-then-whole-model" }}
"""


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV file with a header."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def make_kaggle_layout(
    root: Path, class_folders: list[Path], per_class: int, test_per_class: int, seed: int
) -> list[str]:
    """Copies embedded images into the Kaggle car-classification layout; returns the
    sample-submission ids in their (deliberately unsorted) order.

    ``train.csv`` (``Id,Category``) lists ``train/<Category>/<Id>``; categories are ``0``…``n-1``
    like the competition's; ``sample-submission.csv`` lists ``test_upload/<Id>`` in a shuffled order.
    """
    rng = np.random.default_rng(seed)
    train_rows: list[tuple[str, str]] = []
    test_ids: list[str] = []
    for category, folder in enumerate(class_folders):
        files = sorted(folder.glob("*.png"))
        (root / "train" / str(category)).mkdir(parents=True, exist_ok=True)
        (root / "test_upload").mkdir(parents=True, exist_ok=True)
        for index, file in enumerate(files[:per_class]):
            image_id = f"{category}_{index:04d}.png"
            (root / "train" / str(category) / image_id).write_bytes(file.read_bytes())
            train_rows.append((image_id, str(category)))
        for index, file in enumerate(files[per_class : per_class + test_per_class]):
            image_id = f"t{rng.integers(10**6):06d}_{category}_{index}.png"
            (root / "test_upload" / image_id).write_bytes(file.read_bytes())
            test_ids.append(image_id)
    order = rng.permutation(len(train_rows))
    with (root / "train.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Category"])
        writer.writerows(train_rows[i] for i in order)
    shuffled = [test_ids[i] for i in rng.permutation(len(test_ids))]
    with (root / "sample-submission.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Category"])
        writer.writerows([image_id, 0] for image_id in shuffled)
    return shuffled


def pipeline_subprocess(
    args: list[str], keras_home: Path, prelude: str = "", timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Runs ``python -m reference_pipeline ARGS`` in a fresh interpreter (after ``prelude``, if any)."""
    env = {
        **os.environ,
        "KERAS_HOME": str(keras_home),
        "NO_ALBUMENTATIONS_UPDATE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    code = f"{prelude}\nfrom reference_pipeline.cli import main\nmain(args={args!r}, prog_name='reference_pipeline')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )

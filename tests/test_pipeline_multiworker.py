"""Training past one machine, on this CPU: two worker processes on localhost ports
(``MultiWorkerMirroredStrategy``) train to the end with the losses and accuracies of one worker with
the same global batch (both stages), the chief writes the outputs, the other worker leaves nothing
behind, BackupAndRestore's state is removed when training ends."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
for _module in ("tensorflow", "efficientnet", "albumentations", "skimage", "matplotlib"):
    pytest.importorskip(_module, reason=f"reference_pipeline's tests need {_module} (pip install '.[pipeline]')")

from tests.pipeline_conftest_helpers import REPO, pipeline_subprocess, read_csv_rows, tiny_config_toml  # noqa: E402

pytestmark = pytest.mark.pipeline

# Dropout draws differ per replica; without it, one step on two workers is the same arithmetic as
# on one (the global batch split in two, gradients all-reduced), up to float summation order.
# Two stages (the head, then the whole model, recompiled in between), as the pipeline trains.
SETTINGS = ["--set", "model.dropout=0", "--set", "train.epochs=2", "--set", "train.head_epochs=1",
            "--set", "train.fine_tune=head-then-whole-model", "--set", "train.steps_per_epoch=4",
            "--set", "train.batch_size=16", "--set", "tta.steps=1", "--set", "train.early_stopping=false",
            "--set", "data.embedded_images_per_class=20"]


def _ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def test_two_workers_train_like_one_and_only_the_chief_writes(tmp_path: Path) -> None:
    keras_home = tmp_path / "keras"
    config = tmp_path / "tiny.toml"
    config.write_text(tiny_config_toml(tmp_path / "runs", tmp_path / "cache"), encoding="utf-8")
    made = pipeline_subprocess(["make-data", "--cache-dir", str(tmp_path / "cache"), "--images-per-class", "20"], keras_home)
    assert made.returncode == 0, made.stderr[-2000:]

    single = pipeline_subprocess(["train", "--config", str(config), "--name", "one", *SETTINGS,
                                  "--set", "runtime.distribute=none"], keras_home)
    assert single.returncode == 0, single.stdout[-3000:] + single.stderr[-3000:]

    addresses = ",".join(f"localhost:{port}" for port in _ports(2))
    scratch = tmp_path / "worker-tmp"
    scratch.mkdir()
    env = {**os.environ, "KERAS_HOME": str(keras_home), "NO_ALBUMENTATIONS_UPDATE": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
           "TMPDIR": str(scratch)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "reference_pipeline", "train", "--config", str(config), "--name", "two", *SETTINGS,
             "--workers", addresses, "--worker-index", str(index)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for index in range(2)
    ]
    outputs = []
    for worker in workers:
        try:
            outputs.append(worker.communicate(timeout=600)[0])
        finally:
            if worker.poll() is None:
                worker.kill()
    assert [worker.returncode for worker in workers] == [0, 0], "\n----\n".join(output[-3000:] for output in outputs)
    assert "on 2 workers (this one: 0, the chief)" in outputs[0] and "on 2 workers (this one: 1)" in outputs[1]

    runs = tmp_path / "runs"
    assert sorted(path.name for path in runs.iterdir()) == ["one", "two"], "the second worker writes no run folder"
    assert not any(path.name.startswith("reference-pipeline-worker-") for path in scratch.iterdir()), \
        "the second worker's temporary folder is removed"
    assert not (runs / "two" / "backup").exists(), "BackupAndRestore's state is removed once training ends"
    for name in ("metrics.json", "history.csv", "model.weights.h5", "test_predictions.csv", "learning_curves.png"):
        assert (runs / "two" / name).exists(), name

    one = read_csv_rows(runs / "one" / "history.csv")
    two = read_csv_rows(runs / "two" / "history.csv")
    assert len(one) == len(two) == 2
    assert [row["stage"] for row in two] == ["head only", "whole model"]
    for single, double in zip(one, two):
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            assert math.isclose(float(single[key]), float(double[key]), rel_tol=1e-3, abs_tol=1e-4), (key, single, double)

"""End-to-end tests of reference_pipeline on the CPU: data → train → TTA predict → submission →
experiment table → plots, checked by the contents of what each command writes.

Weights cannot be downloaded here, so every run uses ``weights = "none"``; the tiny configuration
(see ``pipeline_conftest_helpers.tiny_config_toml``) still beats chance clearly on the embedded data.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="reference-pipeline-keras-home-")

for _module in ("tensorflow", "efficientnet", "albumentations", "skimage", "matplotlib"):
    pytest.importorskip(
        _module, reason=f"reference_pipeline's end-to-end tests need {_module} (pip install '.[pipeline]')"
    )

import numpy as np  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from matplotlib.image import imread  # noqa: E402

from reference_pipeline.cli import main  # noqa: E402
from reference_pipeline.config import load_config  # noqa: E402
from reference_pipeline.data import load_splits  # noqa: E402
from tests.pipeline_conftest_helpers import (  # noqa: E402
    CHANCE,
    make_kaggle_layout,
    pipeline_subprocess,
    read_csv_rows,
    tiny_config_toml,
)

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders shared by the session: runs, the embedded-data cache, the tiny configuration file."""
    root = tmp_path_factory.mktemp("pipeline")
    config_file = root / "tiny.toml"
    config_file.write_text(tiny_config_toml(root / "runs", root / "cache"), encoding="utf-8")
    return {"root": root, "runs": root / "runs", "cache": root / "cache", "config": config_file}


def invoke(*args: str) -> str:
    """Runs the CLI in-process and returns its output; fails the test with that output on error."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def trained_run(workspace: dict[str, Path]) -> Path:
    """``train`` with the tiny configuration (head-only, graph mode, 3 epochs × 20 steps)."""
    invoke("train", "--config", str(workspace["config"]), "--name", "e2e")
    return workspace["runs"] / "e2e"


def test_train_writes_history_curves_metrics_and_ordered_predictions(
    trained_run: Path, workspace: dict[str, Path]
) -> None:
    config = load_config(workspace["config"])
    splits = load_splits(config)

    history = read_csv_rows(trained_run / "history.csv")
    metrics = json.loads((trained_run / "metrics.json").read_text())
    assert 1 <= len(history) <= config.train.epochs
    assert len(history) == metrics["epochs_run"]
    assert [int(row["epoch"]) for row in history] == list(range(1, len(history) + 1))
    assert {row["stage"] for row in history} == {"head only"}
    numbers = np.array(
        [
            [float(row[key]) for key in ("learning_rate", "loss", "accuracy", "val_loss", "val_accuracy")]
            for row in history
        ]
    )
    assert np.all(np.isfinite(numbers)), "no NaN or infinite value in the kept history"
    learning_rates = numbers[:, 0]
    assert learning_rates[0] == pytest.approx(config.train.learning_rate), "one warm-up epoch reaches the peak"
    assert np.all(np.diff(learning_rates) <= 0) and learning_rates[-1] >= 0, "then cosine decay"
    if len(history) == config.train.epochs:
        assert learning_rates[-1] == pytest.approx(0.0, abs=1e-9)

    curves = imread(trained_run / "learning_curves.png")
    assert curves.ndim == 3 and curves.shape[0] > 200 and curves.shape[1] > 400

    assert metrics["test_images"] == len(splits.test.paths) == 100
    choice = metrics["tta"]
    assert len(choice["candidates"]) == 9, "3 pass counts × 3 strengths, all at most the training strength"
    assert {(c["steps"], c["strength"]) for c in choice["candidates"]} == {(s, f) for s in (2, 4, 8) for f in (0.25, 0.5, 1.0)}
    assert choice["validation_images"] == len(splits.val.paths) and 0.0 < choice["p_value"] <= 1.0
    assert metrics["tta_steps"] == (choice["steps"] if choice["use"] else 0)
    assert choice["reason"].startswith("TTA kept:" if choice["use"] else "TTA off:")
    for key in ("test_accuracy", "test_accuracy_tta", "test_accuracy_used", "final_val_accuracy"):
        assert 0.0 <= metrics[key] <= 1.0
    assert metrics["test_accuracy_used"] == metrics["test_accuracy_tta" if choice["use"] else "test_accuracy"]
    # 100 test images, 5 classes: at chance, 30 or more correct happens with probability < 1%.
    assert metrics["test_accuracy"] >= CHANCE + 0.1, metrics
    assert metrics["test_accuracy_used"] >= CHANCE + 0.1, metrics
    assert "with 1 replica" in metrics["runtime"] and "float32" in metrics["runtime"]
    assert metrics["strategy"] == "head only (3 epochs)"
    assert "warm-up" in metrics["schedule"] and "cosine" in metrics["schedule"]

    predictions = read_csv_rows(trained_run / "test_predictions.csv")
    assert [row["path"] for row in predictions] == list(splits.test.paths), "predictions keep the input order"
    names = splits.test.class_names
    assert [row["label"] for row in predictions] == [names[label] for label in splits.test.labels]
    plain = np.mean([row["predicted"] == row["label"] for row in predictions])
    used = np.mean([row["predicted_tta"] == row["label"] for row in predictions])
    assert plain == pytest.approx(metrics["test_accuracy"])
    assert used == pytest.approx(metrics["test_accuracy_used"]), "the second column is what the run predicts"

    saved = json.loads((trained_run / "config.json").read_text())
    assert saved["model"]["weights"] == "none" and saved["data"]["image_size"] == 32
    assert json.loads((trained_run / "classes.json").read_text()) == list(names)
    assert list(names) == ["astronaut", "cat", "coffee", "motorcycle", "rocket"], "five photographs, no download"


def test_predict_reloads_the_run_and_keeps_the_order(trained_run: Path, workspace: dict[str, Path]) -> None:
    output = invoke("predict", "--run", str(trained_run), "--tta-steps", "2")
    assert "accuracy" in output and "with TTA (2 passes)" in output
    splits = load_splits(load_config(workspace["config"]))
    rows = read_csv_rows(trained_run / "predictions.csv")
    assert [row["path"] for row in rows] == list(splits.test.paths)
    scores = json.loads((trained_run / "predictions.json").read_text())
    metrics = json.loads((trained_run / "metrics.json").read_text())
    assert scores["images"] == 100 and scores["tta_steps"] == 2
    assert scores["accuracy"] == pytest.approx(metrics["test_accuracy"]), "the reloaded weights predict the same"
    # Without --tta-steps, predict uses what the run chose on validation, and says why.
    output = invoke("predict", "--run", str(trained_run))
    assert metrics["tta"]["reason"].split(":")[0] in output
    scores = json.loads((trained_run / "predictions.json").read_text())
    assert scores["tta_steps"] == metrics["tta_steps"] and scores["tta_reason"] == metrics["tta"]["reason"]
    expected = metrics["test_accuracy_used"]
    assert (scores["accuracy_tta"] if scores["tta_steps"] else scores["accuracy"]) == pytest.approx(expected)


def test_kaggle_layout_submission_keeps_sample_submission_order(workspace: dict[str, Path]) -> None:
    """Also the Keras augmentation back end: layers inside the model, TTA with the layers called
    explicitly in training mode, and reloading a model that contains them."""
    from reference_pipeline.embedded_data import dataset_folder

    embedded = dataset_folder(workspace["cache"], 100)
    if not embedded.exists():
        invoke("make-data", "--cache-dir", str(workspace["cache"]), "--images-per-class", "100")
    kaggle = workspace["root"] / "kaggle"
    class_folders = sorted(path for path in embedded.iterdir() if path.is_dir())
    expected_ids = make_kaggle_layout(kaggle, class_folders, per_class=12, test_per_class=4, seed=3)
    invoke(
        "train",
        "--config",
        str(workspace["config"]),
        "--name",
        "kaggle",
        "--source",
        "kaggle",
        "--data",
        str(kaggle),
        "--epochs",
        "1",
        "--steps-per-epoch",
        "2",
        "--tta-steps",
        "2",
        "--eager",
        "--augment-backend",
        "keras",
    )
    run = workspace["runs"] / "kaggle"
    submission = read_csv_rows(run / "submission.csv")
    assert [row["Id"] for row in submission] == expected_ids
    assert {row["Category"] for row in submission} <= {"0", "1", "2", "3", "4"}
    assert json.loads((run / "classes.json").read_text()) == ["0", "1", "2", "3", "4"]

    (run / "submission.csv").unlink()
    invoke("predict", "--run", str(run), "--tta-steps", "1")
    again = read_csv_rows(run / "submission.csv")
    assert [row["Id"] for row in again] == expected_ids


def test_experiment_equal_budgets_table_and_figure(workspace: dict[str, Path]) -> None:
    output = invoke(
        "experiment",
        "--config",
        str(workspace["config"]),
        "--name",
        "exp",
        "--eager",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "2",
        "--tta-steps",
        "2",
        "--set",
        "data.embedded_images_per_class=20",
        "--set",
        "train.early_stopping=true",
    )
    out = workspace["runs"] / "exp"
    markdown = (out / "experiment.md").read_text(encoding="utf-8")
    assert "Held equal in every arm" in markdown and "Held equal" in output
    assert "2 epochs × 2 steps × batch 32" in markdown
    assert "EarlyStopping off" in markdown
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == 3, "a header and one row per arm"
    assert table[1].startswith("| head-only | head only (2 epochs)")
    assert table[2].startswith("| head, then whole model | head only (1 epoch), then whole model (1 epoch, lr ×0.1)")
    assert all(row.count("±") == 4 for row in table[1:])
    assert "TTA chosen (per seed)" in table[0] and "validation gain of the best TTA" in table[0]
    assert "TTA chosen per run on the validation split" in markdown

    summary = read_csv_rows(out / "experiment.csv")
    runs = read_csv_rows(out / "experiment_runs.csv")
    assert [row["arm"] for row in summary] == ["head-only", "head, then whole model"]
    assert len(runs) == 4 and {row["seed"] for row in runs} == {"0", "1"}
    assert all(row["epochs_run"] == "2" for row in runs), "EarlyStopping is off in experiments: equal epochs"
    for row in summary:
        accuracies = [float(r["test_accuracy"]) for r in runs if r["arm"] == row["arm"]]
        assert float(row["test_accuracy_mean"]) == pytest.approx(np.mean(accuracies), abs=1e-6)
        assert float(row["test_accuracy_std"]) == pytest.approx(np.std(accuracies, ddof=1), abs=1e-6)
    for row in runs:
        metrics = json.loads((Path(row["run_dir"]) / "metrics.json").read_text())
        assert row["tta_chosen"] == (f"{metrics['tta']['steps']}×{metrics['tta']['strength']:g}" if metrics["tta"]["use"] else "off")
        assert float(row["tta_val_gain"]) == pytest.approx(metrics["tta"]["gain"], abs=1e-6)
        assert (Path(row["run_dir"]) / "learning_curves.png").exists()
        assert len(read_csv_rows(Path(row["run_dir"]) / "history.csv")) == 2
    figure = imread(out / "experiment_curves.png")
    assert figure.ndim == 3 and figure.shape[1] > 500


def test_weights_file_option_loads_saved_backbone_weights(tmp_path: Path) -> None:
    from reference_pipeline.errors import WeightsUnavailableError
    from reference_pipeline.model import build_backbone, resolve_weights

    original = build_backbone("B0", None, 32)
    path = tmp_path / "b0-backbone.weights.h5"
    original.save_weights(path)
    assert resolve_weights("B0", str(path)) == str(path)
    assert resolve_weights("B0", "none") is None
    loaded = build_backbone("B0", resolve_weights("B0", str(path)), 32)
    fresh = build_backbone("B0", None, 32)
    kernel = next(w for w in original.weights if w.path.endswith("stem_conv/kernel"))
    same = next(w for w in loaded.weights if w.path.endswith("stem_conv/kernel"))
    other = next(w for w in fresh.weights if w.path.endswith("stem_conv/kernel"))
    assert np.array_equal(kernel.numpy(), same.numpy())
    assert not np.array_equal(kernel.numpy(), other.numpy())
    assert all(np.array_equal(a, b) for a, b in zip(original.get_weights(), loaded.get_weights()))
    with pytest.raises(WeightsUnavailableError, match=r"^The weights file .* does not exist\.$"):
        resolve_weights("B0", str(tmp_path / "missing.h5"))


BLOCK_NETWORK = """
import socket
def _offline(*args, **kwargs):
    raise socket.gaierror(-2, "Name or service not known")
socket.getaddrinfo = _offline
"""


def test_offline_imagenet_weights_fail_with_one_sentence(workspace: dict[str, Path], tmp_path: Path) -> None:
    result = pipeline_subprocess(
        ["train", "--config", str(workspace["config"]), "--name", "offline", "--weights", "imagenet"],
        keras_home=tmp_path / "empty-keras-home",
        prelude=BLOCK_NETWORK,
        timeout=240,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: Cannot download the ImageNet weights of EfficientNetB0 (Name or service not known): "
        "use --weights none to train from scratch, or --weights PATH with a local weights file."
    ], result.stderr
    assert "Traceback" not in result.stderr and "URL fetch failure" not in result.stderr


def test_mirrored_strategy_over_two_logical_cpus(workspace: dict[str, Path], tmp_path: Path) -> None:
    result = pipeline_subprocess(
        [
            "train",
            "--config",
            str(workspace["config"]),
            "--name",
            "mirrored",
            "--eager",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "2",
            "--tta-steps",
            "1",
            "--set",
            "runtime.simulate_cpu_devices=2",
            "--set",
            "data.embedded_images_per_class=20",
        ],
        keras_home=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    metrics = json.loads((workspace["runs"] / "mirrored" / "metrics.json").read_text())
    assert metrics["runtime"].startswith("MirroredStrategy with 2 replica(s)"), metrics["runtime"]
    history = read_csv_rows(workspace["runs"] / "mirrored" / "history.csv")
    assert len(history) == 1 and np.isfinite(float(history[0]["loss"]))


def test_bench_augment_prints_every_back_end(workspace: dict[str, Path], tmp_path: Path) -> None:
    table_file = tmp_path / "bench.md"
    output = invoke(
        "bench-augment",
        "--config",
        str(workspace["config"]),
        "--images",
        "32",
        "--image-size",
        "64",
        "--batch-size",
        "16",
        "--repeats",
        "1",
        "--output",
        str(table_file),
    )
    rows = [
        line
        for line in table_file.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    backends = [row.split("|")[1].strip() for row in rows[1:]]
    assert sorted(backends) == sorted(
        [
            "albumentations in tf.data (parallel map)",
            "albumentations, Python loop (1 core)",
            "Keras layers in tf.data",
            "Keras layers, compiled, default device",
            "ImageDataGenerator (legacy, reference)",
        ]
    )
    speeds = [float(row.split("|")[3].replace(",", "")) for row in rows[1:]]
    assert all(speed > 0 for speed in speeds)
    assert "Augmentation throughput" in output and "images/s" in output


def test_gpu_smoke_runs_on_the_cpu_and_reports_throughput(workspace: dict[str, Path]) -> None:
    output = invoke(
        "gpu-smoke",
        "--config",
        str(workspace["config"]),
        "--eager",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "2",
        "--tta-steps",
        "1",
        "--variant-steps",
        "2",
        "--augment-images",
        "32",
        "--set",
        "data.embedded_images_per_class=20",
        "--set",
        "train.batch_size=16",
    )
    assert "training throughput:" in output and "images/s" in output
    assert "0 GPU(s) visible, float32" in output, "the training run uses mixed precision only when a GPU is visible"
    assert "test accuracy:" in output
    assert "Training step on CPU, batch 16; input pipeline alone:" in output
    variants = [line for line in output.splitlines() if line.startswith(("| float32", "| mixed_float16"))]
    assert [line.split("|")[1].strip() for line in variants] == [
        "float32, XLA off", "float32, XLA on", "mixed_float16, XLA off", "mixed_float16, XLA on"]
    for line in variants:
        images_per_second, _, step, compute, input_ms = (float(cell.replace(",", "")) for cell in line.split("|")[2:7])
        assert images_per_second > 0 and step > 0 and compute > 0 and input_ms > 0
        assert line.split("|")[7].strip() in ("input", "compute")
    assert "Keras layers, compiled, default device on CPU:" in output
    assert "albumentations in tf.data (parallel map) on CPU:" in output
    metrics = json.loads((workspace["runs"] / "tiny" / "metrics.json").read_text())
    assert metrics["train_images_per_second"] > 0 and metrics["epochs_run"] == 2

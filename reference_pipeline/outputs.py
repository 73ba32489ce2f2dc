"""Files a run writes: JSON, the history CSV, predictions and the Kaggle submission."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

HistoryRow = dict[str, Any]
"""One epoch: ``epoch`` (1-based, counted over the whole run), ``stage``, ``learning_rate`` and
the Keras metrics (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``)."""

HISTORY_COLUMNS = ("epoch", "stage", "learning_rate", "loss", "accuracy", "val_loss", "val_accuracy")


def write_json(path: Path, payload: Any) -> None:
    """Pretty-printed UTF-8 JSON."""
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    """Reads what :func:`write_json` wrote."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_history_csv(path: Path, history: Sequence[HistoryRow]) -> None:
    """The kept ``History`` of every stage, one row per epoch."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HISTORY_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(history)


def read_history_csv(path: Path) -> list[HistoryRow]:
    """Reads what :func:`write_history_csv` wrote (numbers as floats, epoch as int)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            key: (int(value) if key == "epoch" else value if key == "stage" else float(value))
            for key, value in row.items()
        }
        for row in rows
    ]


def write_submission(path: Path, ids: Sequence[str], class_names: Sequence[str], probabilities: np.ndarray) -> None:
    """``Id,Category`` rows in the order of ``ids`` (the sample submission's order)."""
    if len(ids) != len(probabilities):
        raise ValueError(f"{len(ids)} ids but {len(probabilities)} predictions")
    predicted = np.argmax(probabilities, axis=1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Category"])
        writer.writerows([image_id, class_names[index]] for image_id, index in zip(ids, predicted))


def write_predictions(
    path: Path,
    paths: Sequence[str],
    class_names: Sequence[str],
    plain: np.ndarray,
    tta: np.ndarray,
    labels: Sequence[int] | None = None,
) -> None:
    """Per image, in input order: the label (if known) and the predicted class without and with TTA."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label", "predicted", "confidence", "predicted_tta", "confidence_tta"])
        for row, image_path in enumerate(paths):
            writer.writerow(
                [
                    image_path,
                    "" if labels is None else class_names[labels[row]],
                    class_names[int(np.argmax(plain[row]))],
                    f"{float(np.max(plain[row])):.4f}",
                    class_names[int(np.argmax(tta[row]))],
                    f"{float(np.max(tta[row])):.4f}",
                ]
            )

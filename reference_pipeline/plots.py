"""Learning-curve figures (PNG, non-interactive Agg backend): one per run, one per experiment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from .outputs import HistoryRow

plt.switch_backend("Agg")

PANELS = (("loss", "loss"), ("accuracy", "accuracy"))
FIGURE_DPI = 90


def _stage_starts(history: Sequence[HistoryRow]) -> list[tuple[int, str]]:
    starts: list[tuple[int, str]] = []
    for row in history:
        if not starts or starts[-1][1] != row["stage"]:
            starts.append((int(row["epoch"]), str(row["stage"])))
    return starts


def plot_learning_curves(history: Sequence[HistoryRow], path: Path, title: str) -> None:
    """Training and validation loss and accuracy per epoch, with a line where each stage starts."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    epochs = [int(row["epoch"]) for row in history]
    for axis, (metric, label) in zip(axes, PANELS):
        axis.plot(epochs, [float(row[metric]) for row in history], marker="o", label=f"training {label}")
        axis.plot(epochs, [float(row[f"val_{metric}"]) for row in history], marker="o", label=f"validation {label}")
        for epoch, stage in _stage_starts(history)[1:]:
            axis.axvline(epoch - 0.5, color="grey", linestyle=":")
            axis.annotate(stage, (epoch - 0.5, axis.get_ylim()[1]), fontsize=7, va="top", rotation=90, color="grey")
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=FIGURE_DPI)
    plt.close(figure)


def plot_experiment_curves(histories: Mapping[str, Sequence[Sequence[HistoryRow]]], path: Path, title: str) -> None:
    """All runs of an experiment in one figure: one colour per arm, one line per seed;
    solid lines are validation, dashed lines training."""
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (arm, runs) in enumerate(histories.items()):
        colour = colours[index % len(colours)]
        for run_index, history in enumerate(runs):
            epochs = [int(row["epoch"]) for row in history]
            for axis, (metric, _label) in zip(axes, PANELS):
                axis.plot(epochs, [float(row[metric]) for row in history], color=colour, linestyle="--", alpha=0.45)
                axis.plot(
                    epochs,
                    [float(row[f"val_{metric}"]) for row in history],
                    color=colour,
                    alpha=0.9,
                    label=arm if run_index == 0 else None,
                )
    for axis, (_metric, label) in zip(axes, PANELS):
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
    axes[1].legend(fontsize=8, title="solid: validation, dashed: training", title_fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=FIGURE_DPI)
    plt.close(figure)

"""Experiments: named arms, equal budgets, several seeds, a mean ± std table and one figure.

Every arm trains with the same budget — total epochs, steps per epoch, batch size, optimizer,
learning rate and schedule, image size, data split and TTA passes (the configuration refuses an
arm that overrides one of these: :data:`~reference_pipeline.config.BUDGET_KEYS`). EarlyStopping
is switched off so that no arm trains for fewer epochs than another (review P13); the table still
reports the epochs actually run. Each run chooses TTA on its validation split
(:mod:`~reference_pipeline.tta_choice`); the table shows that choice, its validation gain, the
test accuracy of what the run predicts, and — on identical weights — the test accuracy without TTA.
"""

from __future__ import annotations

import csv
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import ArmConfig, PipelineConfig, with_overrides
from .outputs import HistoryRow
from .plots import plot_experiment_curves
from .progress import console
from .train import RunResult, describe_strategy, run_training

TABLE_MARKDOWN = "experiment.md"
TABLE_CSV = "experiment.csv"
RUNS_CSV = "experiment_runs.csv"
CURVES_PNG = "experiment_curves.png"

METRICS = (
    ("final_val_accuracy", "validation accuracy"),
    ("test_accuracy", "test accuracy, no TTA"),
    ("test_accuracy_used", "test accuracy, as predicted"),
)


@dataclass(frozen=True)
class ArmSummary:
    """Mean and sample standard deviation of each metric over an arm's seeds."""

    arm: str
    differs: str
    seeds: int
    epochs_run: tuple[int, ...]
    means: dict[str, float]
    stds: dict[str, float]
    tta_chosen: tuple[str, ...]  # per seed: "off" or "<passes>×<strength>"


def slug(name: str) -> str:
    """A folder name for an arm: lower case, runs of other characters become one dash."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "arm"


def _describe_overrides(arm: ArmConfig, config: PipelineConfig) -> str:
    parts = [f"{key} = {value}" for key, value in arm.overrides.items()]
    return f"{describe_strategy(config.train)}; " + (", ".join(parts) if parts else "defaults")


def _summarize(arm: ArmConfig, config: PipelineConfig, results: Sequence[RunResult]) -> ArmSummary:
    means: dict[str, float] = {}
    stds: dict[str, float] = {}
    for key in (*(key for key, _label in METRICS), "tta_val_gain"):
        values = [
            float(result.tta["gain"]) if key == "tta_val_gain" else float(getattr(result, key))  # type: ignore[arg-type]
            for result in results
        ]
        means[key] = statistics.fmean(values)
        stds[key] = statistics.stdev(values) if len(values) > 1 else 0.0
    return ArmSummary(
        arm.name,
        _describe_overrides(arm, config),
        len(results),
        tuple(result.epochs_run for result in results),
        means,
        stds,
        tuple(_chosen(result) for result in results),
    )


def _chosen(result: RunResult) -> str:
    """What a run chose: ``off``, or ``<passes>×<strength>``."""
    return f"{result.tta['steps']}×{float(result.tta['strength']):g}" if result.tta.get("use") else "off"  # type: ignore[arg-type]


def held_equal(config: PipelineConfig, steps_per_epoch: int, test_images: int) -> list[str]:
    """The budget every arm shares, in words, for the table's header."""
    train, data = config.train, config.data
    return [
        f"backbone EfficientNet{config.model.backbone}, weights `{config.model.weights}`, "
        f"{data.image_size}×{data.image_size} px, data `{data.source}`, split seed {data.split_seed}",
        f"{train.epochs} epochs × {steps_per_epoch} steps × batch {train.batch_size}",
        f"optimizer {train.optimizer}, learning rate {train.learning_rate:g}, weight decay {train.weight_decay:g}",
        f"schedule `{train.schedule}` over all planned steps (a staged arm's later stages continue it, "
        f"scaled by train.fine_tune_lr_factor = {train.fine_tune_lr_factor:g})",
        f"test set of {test_images} images; TTA chosen per run on the validation split, among up to "
        f"{config.tta.steps} augmented passes at up to strength {config.tta.strength:g} (kept only when a "
        "paired bootstrap over the validation images says it beats plain prediction)",
        "EarlyStopping off: every run trains for all planned epochs (epochs actually run are in the table)",
    ]


def _format(mean: float, std: float) -> str:
    return f"{mean:.3f} ± {std:.3f}"


def write_tables(
    summaries: Sequence[ArmSummary],
    config: PipelineConfig,
    results: dict[str, list[RunResult]],
    out_dir: Path,
) -> str:
    """Writes ``experiment.md``, ``experiment.csv`` (per arm) and ``experiment_runs.csv`` (per run);
    returns the Markdown."""
    first = next(iter(results.values()))[0]
    lines = [
        f"# Experiment `{config.name}`",
        "",
        "Held equal in every arm:",
        "",
        *[f"- {item}" for item in held_equal(config, first.steps_per_epoch, first.test_images)],
        "",
        f"Seeds: {', '.join(str(seed) for seed in config.experiment.seeds)}. "
        "Each cell is the mean ± sample standard deviation over the seeds.",
        "",
        "| arm | what differs | epochs run | " + " | ".join(label for _key, label in METRICS)
        + " | TTA chosen (per seed) | validation gain of the best TTA |",
        "|---|---|---|" + "---|" * (len(METRICS) + 2),
    ]
    for summary in summaries:
        epochs = ", ".join(str(count) for count in summary.epochs_run)
        cells = [_format(summary.means[key], summary.stds[key]) for key, _label in METRICS]
        gain = f"{summary.means['tta_val_gain']:+.3f} ± {summary.stds['tta_val_gain']:.3f}"
        lines.append(f"| {summary.arm} | {summary.differs} | {epochs} | " + " | ".join(cells)
                     + f" | {', '.join(summary.tta_chosen)} | {gain} |")
    markdown = "\n".join(lines) + "\n"
    (out_dir / TABLE_MARKDOWN).write_text(markdown, encoding="utf-8")

    with (out_dir / TABLE_CSV).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        keys = [key for key, _label in METRICS] + ["tta_val_gain"]
        writer.writerow(
            ["arm", "differs", "seeds", "epochs_run", "tta_chosen"] + [f"{key}_{stat}" for key in keys for stat in ("mean", "std")]
        )
        for summary in summaries:
            writer.writerow(
                [summary.arm, summary.differs, summary.seeds, " ".join(map(str, summary.epochs_run)), " ".join(summary.tta_chosen)]
                + [f"{values[key]:.6f}" for key in keys for values in (summary.means, summary.stds)]
            )
    with (out_dir / RUNS_CSV).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["arm", "seed", "epochs_run", "final_val_accuracy", "test_accuracy", "test_accuracy_used", "tta_chosen",
             "tta_val_gain", "tta_p_value", "test_accuracy_best_tta", "run_dir"]
        )
        for arm, runs in results.items():
            for result in runs:
                writer.writerow(
                    [
                        arm,
                        result.seed,
                        result.epochs_run,
                        f"{result.final_val_accuracy:.6f}",
                        f"{result.test_accuracy:.6f}",
                        f"{result.test_accuracy_used:.6f}",
                        _chosen(result),
                        f"{float(result.tta['gain']):.6f}",  # type: ignore[arg-type]
                        f"{float(result.tta['p_value']):.6f}",  # type: ignore[arg-type]
                        f"{result.test_accuracy_tta:.6f}",
                        result.run_dir,
                    ]
                )
    return markdown


def run_experiment(config: PipelineConfig, out_dir: Path | None = None) -> list[ArmSummary]:
    """Trains every arm with every seed (EarlyStopping off) and writes the tables and the figure."""
    out_dir = out_dir or config.run_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[RunResult]] = {}
    histories: dict[str, list[list[HistoryRow]]] = {}
    summaries: list[ArmSummary] = []
    for arm in config.experiment.arms:
        arm_config = with_overrides(config, {**arm.overrides, "train.early_stopping": False})
        for seed in config.experiment.seeds:
            console.rule(f"{arm.name} · seed {seed}")
            run_config = with_overrides(
                arm_config, {"train.seed": seed, "name": f"{config.name}/{slug(arm.name)}/seed-{seed}"}
            )
            result = run_training(run_config, out_dir / slug(arm.name) / f"seed-{seed}")
            results.setdefault(arm.name, []).append(result)
            histories.setdefault(arm.name, []).append(result.history)
        summaries.append(_summarize(arm, arm_config, results[arm.name]))
    markdown = write_tables(summaries, with_overrides(config, {"train.early_stopping": False}), results, out_dir)
    plot_experiment_curves(histories, out_dir / CURVES_PNG, f"{config.name}: every arm and seed")
    console.print(markdown)
    return summaries

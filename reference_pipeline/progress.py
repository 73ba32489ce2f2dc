"""Console output: one shared rich console and a rich progress bar for ``model.fit``."""

from __future__ import annotations

from typing import Any

import keras
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(highlight=False, soft_wrap=True)


def format_metrics(logs: dict[str, Any]) -> str:
    """``loss 0.912 · accuracy 0.625 · …`` for an epoch's logs."""
    return " · ".join(f"{name} {float(value):.4g}" for name, value in sorted(logs.items()))


class RichProgress(keras.callbacks.Callback):
    """A progress bar over the optimizer steps of one ``fit``, with a line per finished epoch."""

    def __init__(self, description: str, steps_per_epoch: int):
        super().__init__()
        self.description = description
        self.steps_per_epoch = steps_per_epoch
        self._progress: Progress | None = None
        self._task: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Opens the bar sized for all planned steps of this ``fit``."""
        epochs = self.params.get("epochs", 1) - self.params.get("initial_epoch", 0)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=max(1, epochs) * self.steps_per_epoch)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Advances the bar by one step."""
        if self._progress is not None:
            self._progress.advance(self._task)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Prints the epoch's metrics above the bar."""
        if self._progress is not None:
            self._progress.console.print(f"  epoch {epoch + 1}: {format_metrics(logs or {})}")

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Closes the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

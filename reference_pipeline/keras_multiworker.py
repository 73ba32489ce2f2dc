"""Keras 3 with ``tf.distribute.MultiWorkerMirroredStrategy``: two fixes ``fit`` needs.

Keras 3's TensorFlow trainer fails under a multi-worker strategy (keras-team/keras#20585,
tensorflow/tensorflow#72388): before the first step it averages a distributed input batch
eagerly, which the collective strategy cannot do, and it averages each scalar metric along axis 0.
:func:`prepare_for_multi_worker_fit` builds the model and its compiled metrics from a local batch
instead (so that eager average is skipped), and :func:`install` averages scalars without an axis.
Used only on several workers; remove once Keras fixes it upstream.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

_INSTALLED = False


def install() -> None:
    """Average scalar metric results over the workers without an axis (once per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer

    original = trainer.reduce_per_replica

    def reduce_per_replica(values: Any, strategy: tf.distribute.Strategy, reduction: str) -> Any:
        if not (trainer._collective_all_reduce_multi_worker(strategy) and reduction in ("auto", "mean")):
            return original(values, strategy, reduction)

        def average(value: Any) -> Any:
            local = strategy.experimental_local_results(value)[0] if trainer._is_per_replica_instance(value) else value
            return strategy.reduce("MEAN", value, axis=None if local.shape.rank == 0 else 0)

        return tree.map_structure(average, values)

    trainer.reduce_per_replica = reduce_per_replica
    _INSTALLED = True


def prepare_for_multi_worker_fit(model: keras.Model, strategy: tf.distribute.Strategy, dataset: tf.data.Dataset) -> None:
    """Build the model, its loss and metrics from one local batch, so ``fit`` needs no eager
    average of a distributed batch."""
    with strategy.scope():
        model._symbolic_build(data_batch=next(iter(dataset)))
    model._maybe_symbolic_build = lambda *args, **kwargs: None

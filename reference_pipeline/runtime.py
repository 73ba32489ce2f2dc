"""Devices: mixed precision and XLA only where a GPU is visible, mirroring over several devices,
and training past one machine.

``runtime.distribute = "multi-worker"`` (or ``auto`` with ``TF_CONFIG`` set) trains with
``tf.distribute.MultiWorkerMirroredStrategy`` on the machines of ``TF_CONFIG`` or of
``runtime.workers``: every machine runs the same command, the gradients of each step are
all-reduced, and worker 0 (or the ``chief`` task) is the chief, which writes the run's outputs;
the other workers write to temporary folders that are removed (see :mod:`reference_pipeline.train`).
The strategy is created first thing, before TensorFlow starts its devices, as it requires.

``runtime.simulate_cpu_devices = N`` splits the CPU into N logical devices and mirrors over them,
which exercises ``tf.distribute.MirroredStrategy`` on a machine without GPUs. It must take effect
before TensorFlow initializes its devices, so it is applied first thing in a fresh process.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import keras
import tensorflow as tf

from .config import RuntimeConfig
from .errors import RuntimeSetupError


@dataclass(frozen=True)
class RuntimeInfo:
    """What the run uses: distribution strategy, replicas, precision and compilation."""

    strategy: tf.distribute.Strategy
    replicas: int
    gpus: int
    mixed_precision: bool
    allow_xla: bool
    workers: int = 1
    worker_index: int = 0
    chief: bool = True  # writes the outputs (the only worker of a one-machine run)

    def describe(self) -> str:
        """One line for the console and the run summary."""
        strategy = type(self.strategy).__name__.lstrip("_")
        precision = "mixed_float16" if self.mixed_precision else "float32"
        machines = f" on {self.workers} workers (this one: {self.worker_index}{', the chief' if self.chief else ''})" if self.workers > 1 else ""
        return (
            f"{strategy} with {self.replicas} replica(s){machines}, {self.gpus} GPU(s) visible, "
            f"{precision}, XLA {'where the model supports it' if self.allow_xla else 'off'}"
        )


def cluster_spec(runtime: RuntimeConfig) -> dict[str, Any] | None:
    """The multi-machine cluster: from ``runtime.workers`` when given, else from ``TF_CONFIG``."""
    addresses = [address.strip() for address in runtime.workers.split(",") if address.strip()]
    if addresses:
        return {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": runtime.worker_index}}
    raw = os.environ.get("TF_CONFIG", "").strip()
    if not raw:
        return None
    try:
        spec = json.loads(raw)
        if isinstance(spec.get("cluster"), dict) and isinstance(spec.get("task"), dict):
            return dict(spec)
    except (json.JSONDecodeError, AttributeError):
        pass
    raise RuntimeSetupError("TF_CONFIG must be JSON with a \"cluster\" and a \"task\" (see the README).")


def _multi_worker(spec: dict[str, Any]) -> tuple[tf.distribute.Strategy, int, int, bool]:
    """The strategy over the cluster, the number of workers, this worker's index and whether it is the chief."""
    os.environ["TF_CONFIG"] = json.dumps(spec)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    cluster, task = spec["cluster"], spec["task"]
    workers = len(cluster.get("worker", [])) + len(cluster.get("chief", []))
    kind, index = task.get("type", "worker"), int(task.get("index", 0))
    chief = kind == "chief" or (kind == "worker" and index == 0 and not cluster.get("chief"))
    position = index + (len(cluster.get("chief", [])) if kind == "worker" else 0)
    return strategy, workers, position, chief


def _split_cpu(count: int) -> list[str]:
    cpu = tf.config.list_physical_devices("CPU")[0]
    wanted = [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != count:
        try:
            tf.config.set_logical_device_configuration(cpu, wanted)
        except RuntimeError as error:
            raise RuntimeSetupError(
                f"Cannot split the CPU into {count} logical devices after TensorFlow has started ({error})."
            ) from None
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def configure_runtime(runtime: RuntimeConfig) -> RuntimeInfo:
    """Sets the global precision policy and returns the strategy to build and train under."""
    spec = cluster_spec(runtime) if runtime.distribute in ("auto", "multi-worker") else None
    if runtime.distribute == "multi-worker" and spec is None:
        raise RuntimeSetupError("runtime.distribute = multi-worker needs TF_CONFIG or runtime.workers (--workers host:port,…).")
    if spec is not None:
        strategy, workers, index, chief = _multi_worker(spec)  # before anything else starts TensorFlow's devices
        from .keras_multiworker import install

        install()
        gpus = tf.config.list_physical_devices("GPU")
        mixed_precision = runtime.mixed_precision == "auto" and bool(gpus)
        keras.mixed_precision.set_global_policy("mixed_float16" if mixed_precision else "float32")
        allow_xla = runtime.xla == "auto" and bool(gpus)
        return RuntimeInfo(strategy, strategy.num_replicas_in_sync, len(gpus), mixed_precision, allow_xla, workers, index, chief)
    cpu_devices = _split_cpu(runtime.simulate_cpu_devices) if runtime.simulate_cpu_devices > 1 else []
    gpus = tf.config.list_physical_devices("GPU")
    mixed_precision = runtime.mixed_precision == "auto" and bool(gpus)
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed_precision else "float32")
    allow_xla = runtime.xla == "auto" and bool(gpus)
    if runtime.distribute == "none":
        strategy = tf.distribute.get_strategy()
    elif cpu_devices:
        strategy = tf.distribute.MirroredStrategy(devices=cpu_devices)
    elif runtime.distribute == "mirrored" or len(gpus) > 1:
        strategy = tf.distribute.MirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()
    return RuntimeInfo(strategy, strategy.num_replicas_in_sync, len(gpus), mixed_precision, allow_xla)

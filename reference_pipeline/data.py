"""Image lists (folder-per-class, Kaggle car-classification, embedded) and their ``tf.data`` pipelines.

The ``tf.data`` order of operations, for every split:

    file names → parallel decode + resize (order kept) → cache (uint8) → [shuffle, training only]
    → [augmentation, training or TTA only] → batch → the backbone's own ``preprocess_input`` → prefetch

Prediction datasets are never shuffled, and parallel ``map`` calls keep their input order, so the
n-th prediction belongs to the n-th file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from .config import PipelineConfig
from .embedded_data import ensure_embedded_dataset
from .errors import DataError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
KAGGLE_TRAIN_CSV = "train.csv"
KAGGLE_SAMPLE_SUBMISSION = "sample-submission.csv"
KAGGLE_TRAIN_DIR = "train"
KAGGLE_TEST_DIR = "test_upload"

ImageAugmenter = Callable[..., np.ndarray]  # (uint8 image, element seed) -> augmented image
"""Maps one uint8 HxWx3 image to an augmented uint8 image of the same shape."""

BatchAugmenter = Callable[[tf.Tensor], tf.Tensor]
"""Maps a float32 batch of images (0–255) to an augmented batch of the same shape."""


@dataclass(frozen=True)
class LabeledImages:
    """Image files with integer labels that index ``class_names``."""

    paths: tuple[str, ...]
    labels: tuple[int, ...]
    class_names: tuple[str, ...]

    def subset(self, indices: np.ndarray) -> LabeledImages:
        """The images at ``indices``, in that order."""
        return LabeledImages(
            tuple(self.paths[i] for i in indices),
            tuple(self.labels[i] for i in indices),
            self.class_names,
        )


@dataclass(frozen=True)
class UnlabeledImages:
    """Image files to predict, with the ids a submission reports them under, in submission order."""

    ids: tuple[str, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class DataSplits:
    """Train/validation/test splits of the labelled images, plus the images of a submission."""

    train: LabeledImages
    val: LabeledImages
    test: LabeledImages
    submission: UnlabeledImages | None


def load_folder_per_class(root: Path) -> LabeledImages:
    """Reads ``root/<class>/<image>``; classes and files in sorted order."""
    class_dirs = sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith("."))
    if len(class_dirs) < 2:
        raise DataError(f"{root}: expected one sub-folder per class, found {len(class_dirs)}")
    paths: list[str] = []
    labels: list[int] = []
    for label, class_dir in enumerate(class_dirs):
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise DataError(f"{class_dir}: no images")
        paths.extend(str(p) for p in files)
        labels.extend([label] * len(files))
    return LabeledImages(tuple(paths), tuple(labels), tuple(d.name for d in class_dirs))


def _read_csv_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.exists():
        raise DataError(f"{path} is missing")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
        return list(reader)


def _class_sort_key(name: str) -> tuple[int, int | str]:
    return (0, int(name)) if name.isdigit() else (1, name)


def load_kaggle(root: Path) -> tuple[LabeledImages, UnlabeledImages]:
    """Reads the Kaggle car-classification layout.

    ``train.csv`` (``Id,Category``) lists ``train/<Category>/<Id>``; ``sample-submission.csv``
    lists the ids of ``test_upload/<Id>`` in the order the submission must keep.
    """
    train_rows = _read_csv_rows(root / KAGGLE_TRAIN_CSV, ("Id", "Category"))
    class_names = tuple(sorted({row["Category"] for row in train_rows}, key=_class_sort_key))
    index_of = {name: index for index, name in enumerate(class_names)}
    paths = []
    for row in train_rows:
        path = root / KAGGLE_TRAIN_DIR / row["Category"] / row["Id"]
        if not path.exists():
            raise DataError(f"{path} (listed in {KAGGLE_TRAIN_CSV}) is missing")
        paths.append(str(path))
    labeled = LabeledImages(tuple(paths), tuple(index_of[row["Category"]] for row in train_rows), class_names)

    sample_rows = _read_csv_rows(root / KAGGLE_SAMPLE_SUBMISSION, ("Id",))
    ids = tuple(row["Id"] for row in sample_rows)
    test_paths = tuple(str(root / KAGGLE_TEST_DIR / image_id) for image_id in ids)
    absent = [path for path in test_paths if not Path(path).exists()]
    if absent:
        raise DataError(
            f"{len(absent)} test image(s) listed in {KAGGLE_SAMPLE_SUBMISSION} are missing, e.g. {absent[0]}"
        )
    return labeled, UnlabeledImages(ids, test_paths)


def stratified_split(
    images: LabeledImages, val_fraction: float, test_fraction: float, seed: int
) -> tuple[LabeledImages, LabeledImages, LabeledImages]:
    """Splits each class separately, so every split keeps the class proportions."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(images.labels)
    parts: dict[str, list[int]] = {"train": [], "val": [], "test": []}
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = max(1, round(len(members) * test_fraction))
        n_val = max(1, round(len(members) * val_fraction))
        if len(members) - n_test - n_val < 1:
            raise DataError(f"class {images.class_names[label]!r} has too few images to split")
        parts["test"].extend(members[:n_test])
        parts["val"].extend(members[n_test : n_test + n_val])
        parts["train"].extend(members[n_test + n_val :])
    train, val, test = (images.subset(np.sort(np.asarray(parts[name], dtype=int))) for name in ("train", "val", "test"))
    return train, val, test


def load_splits(config: PipelineConfig) -> DataSplits:
    """The configured data, split with ``data.split_seed`` (fixed across training seeds, so every
    run of an experiment is tested on the same images)."""
    data = config.data
    submission = None
    if data.source == "embedded":
        cache_root = Path(data.cache_dir) if data.cache_dir else None
        labeled = load_folder_per_class(ensure_embedded_dataset(cache_root, data.embedded_images_per_class))
    elif data.source == "folder":
        labeled = load_folder_per_class(Path(data.path))
    else:
        labeled, submission = load_kaggle(Path(data.path))
    train, val, test = stratified_split(labeled, data.val_fraction, data.test_fraction, data.split_seed)
    return DataSplits(train, val, test, submission)


def _decode(path: tf.Tensor, image_size: int) -> tf.Tensor:
    raw = tf.io.read_file(path)
    image = tf.io.decode_image(raw, channels=3, expand_animations=False)
    resized = tf.image.resize(image, (image_size, image_size), antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)


def _map_image(dataset: tf.data.Dataset, function: Callable[[tf.Tensor], tf.Tensor]) -> tf.data.Dataset:
    """Applies ``function`` to the image of each element (``image`` or ``(image, label)``), in parallel,
    keeping the order."""
    if isinstance(dataset.element_spec, tuple):
        return dataset.map(
            lambda image, label: (function(image), label),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    return dataset.map(function, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def decoded_images(
    paths: tuple[str, ...], image_size: int, cache: bool, labels: tuple[int, ...] | None = None
) -> tf.data.Dataset:
    """uint8 images of side ``image_size`` (with their labels, if given), decoded in parallel, in
    file order, optionally cached in memory."""
    if labels is None:
        dataset = tf.data.Dataset.from_tensor_slices(list(paths))
    else:
        dataset = tf.data.Dataset.from_tensor_slices((list(paths), np.asarray(labels, dtype=np.int32)))
    dataset = _map_image(dataset, lambda path: _decode(path, image_size))
    return dataset.cache() if cache else dataset


def backbone_preprocess(batch: np.ndarray) -> np.ndarray:
    """EfficientNet's own ``preprocess_input`` (ImageNet mean/std), on a float32 copy.

    ``preprocess_input`` divides and subtracts in place on float arrays, so it gets a fresh copy:
    the caller's (possibly cached) array is never modified.
    """
    from efficientnet.tfkeras import preprocess_input

    return preprocess_input(np.array(batch, dtype=np.float32, copy=True)).astype(np.float32)


def _augmented(dataset: tf.data.Dataset, augmenter: ImageAugmenter, image_size: int, seed: int) -> tf.data.Dataset:
    """Each image augmented with a seed of its own, drawn from a stream seeded with ``seed`` that
    changes (deterministically) at every pass over the data: the same run augments the same way."""
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)

    def augment(image: tf.Tensor, element_seed: tf.Tensor) -> tf.Tensor:
        augmented = tf.numpy_function(augmenter, [image, element_seed], tf.uint8, stateful=False)
        return tf.ensure_shape(augmented, (image_size, image_size, 3))

    paired = tf.data.Dataset.zip((dataset, seeds))
    if isinstance(dataset.element_spec, tuple):
        return paired.map(lambda element, element_seed: (augment(element[0], element_seed), element[1]),
                          num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return paired.map(augment, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


_SHARDING = tf.data.Options()
# On several workers, every worker reads and augments the whole data (seeded alike) and keeps its
# part of each global batch: the batches are those of one machine (files are too few to shard by file).
_SHARDING.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA


def _batched_and_preprocessed(
    dataset: tf.data.Dataset,
    batch_size: int,
    image_size: int,
    batch_augmenter: BatchAugmenter | None = None,
) -> tf.data.Dataset:
    def preprocess(batch: tf.Tensor) -> tf.Tensor:
        if batch_augmenter is not None:
            batch = batch_augmenter(tf.cast(batch, tf.float32))
        processed = tf.numpy_function(backbone_preprocess, [batch], tf.float32, stateful=False)
        return tf.ensure_shape(processed, (None, image_size, image_size, 3))

    return _map_image(dataset.batch(batch_size), preprocess).prefetch(tf.data.AUTOTUNE).with_options(_SHARDING)


def training_dataset(
    images: LabeledImages,
    config: PipelineConfig,
    augmenter: ImageAugmenter | None,
    seed: int,
) -> tf.data.Dataset:
    """(image, label) batches: shuffled with ``seed`` and reshuffled every epoch, augmented on the
    CPU when ``augmenter`` is given, repeated when a fixed number of steps per epoch is set."""
    size = config.data.image_size
    dataset = decoded_images(images.paths, size, config.data.cache, images.labels)
    dataset = dataset.shuffle(len(images.paths), seed=seed, reshuffle_each_iteration=True)
    if augmenter is not None:
        dataset = _augmented(dataset, augmenter, size, seed)
    if config.train.steps_per_epoch > 0:
        dataset = dataset.repeat()
    return _batched_and_preprocessed(dataset, config.train.batch_size, size)


def evaluation_dataset(images: LabeledImages, config: PipelineConfig, cache: bool | None = None) -> tf.data.Dataset:
    """(image, label) batches in file order, never augmented: validation sees the data as it is."""
    size = config.data.image_size
    dataset = decoded_images(images.paths, size, config.data.cache if cache is None else cache, images.labels)
    return _batched_and_preprocessed(dataset, config.train.batch_size, size)


def prediction_batches(
    decoded: tf.data.Dataset,
    config: PipelineConfig,
    augmenter: ImageAugmenter | None = None,
    batch_augmenter: BatchAugmenter | None = None,
    seed: int = 0,
) -> tf.data.Dataset:
    """Image batches in file order (never shuffled); for TTA, augmented image by image
    (``augmenter``, albumentations) or batch by batch (``batch_augmenter``, Keras layers).

    ``decoded`` is a :func:`decoded_images` dataset without labels; passing the same one to every
    TTA pass reads and decodes the files once.
    """
    size = config.data.image_size
    dataset = decoded if augmenter is None else _augmented(decoded, augmenter, size, seed)
    return _batched_and_preprocessed(dataset, config.train.batch_size, size, batch_augmenter)

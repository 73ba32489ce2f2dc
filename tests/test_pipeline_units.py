"""reference_pipeline's building blocks: data order and pairing, preprocessing, augmentation,
schedules, trainable parts and BatchNormalization mode, outputs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="reference-pipeline-keras-home-"))

for _module in ("tensorflow", "efficientnet", "albumentations", "skimage", "matplotlib"):
    pytest.importorskip(_module, reason=f"reference_pipeline's tests need {_module} (pip install '.[pipeline]')")

import albumentations as A  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from skimage.io import imsave  # noqa: E402

from reference_pipeline.augment import (  # noqa: E402
    albumentations_augmenter,
    albumentations_pipeline,
    is_stronger,
    keras_augmentation_layers,
    milder,
)
from reference_pipeline.config import AugmentConfig, load_config  # noqa: E402
from reference_pipeline.data import (  # noqa: E402
    backbone_preprocess,
    decoded_images,
    evaluation_dataset,
    load_folder_per_class,
    prediction_batches,
    stratified_split,
    training_dataset,
)
from reference_pipeline.model import (  # noqa: E402
    block_names,
    build_classifier,
    estimate_batchnorm_statistics,
    set_trainable_part,
)
from reference_pipeline.outputs import write_submission  # noqa: E402
from reference_pipeline.schedules import StageSchedule, build_schedule, plan_schedule  # noqa: E402
from tests.pipeline_conftest_helpers import read_csv_rows  # noqa: E402

pytestmark = pytest.mark.pipeline

COLOURS = {"blue": (20, 40, 220), "green": (30, 200, 40), "red": (230, 30, 20)}


@pytest.fixture(scope="module")
def colour_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three classes of flat-coloured images whose brightness encodes their index in the class."""
    root = tmp_path_factory.mktemp("colours")
    for name, colour in COLOURS.items():
        (root / name).mkdir()
        for index in range(8):
            image = np.empty((40, 40, 3), dtype=np.uint8)
            image[:] = np.clip(np.array(colour) * (0.6 + 0.05 * index), 0, 255).astype(np.uint8)
            imsave(root / name / f"{index:02d}.png", image, check_contrast=False)
    return root


def test_training_batches_keep_images_and_labels_together(colour_folder: Path) -> None:
    config = load_config(None, {"data.image_size": 32, "train.batch_size": 5, "model.weights": "none"})
    images = load_folder_per_class(colour_folder)
    assert images.class_names == ("blue", "green", "red")
    dataset = training_dataset(images, config, albumentations_augmenter(config.augment, seed=0), seed=0)
    seen_labels = []
    mean = np.array([0.485, 0.456, 0.406]) * 255
    std = np.array([0.229, 0.224, 0.225]) * 255
    for batch, labels in dataset:
        raw = batch.numpy() * std + mean
        dominant = raw.reshape(len(raw), -1, 3).mean(axis=1).argmax(axis=1)
        expected = [{0: 2, 1: 1, 2: 0}[int(label)] for label in labels.numpy()]
        assert dominant.tolist() == expected, "a shuffled image must keep its label"
        seen_labels.extend(labels.numpy().tolist())
    assert sorted(seen_labels) == sorted(images.labels)
    assert seen_labels != list(images.labels), "training data is shuffled"


def test_prediction_and_evaluation_keep_file_order(colour_folder: Path) -> None:
    config = load_config(None, {"data.image_size": 32, "train.batch_size": 4})
    images = load_folder_per_class(colour_folder)
    decoded = decoded_images(images.paths, 32, cache=True)
    expected = np.stack([np.asarray(image) for image in decoded.as_numpy_iterator()]).astype(np.float32)
    got = np.concatenate([batch.numpy() for batch in prediction_batches(decoded, config)])
    assert np.allclose(got, backbone_preprocess(expected), atol=1e-5)
    labels = np.concatenate([label.numpy() for _images, label in evaluation_dataset(images, config)])
    assert labels.tolist() == list(images.labels)


def test_backbone_preprocess_is_efficientnets_own_and_copies() -> None:
    batch = np.full((2, 4, 4, 3), 255.0, dtype=np.float32)
    processed = backbone_preprocess(batch)
    assert np.all(batch == 255.0), "the input array is not modified in place"
    expected = (1.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    assert np.allclose(processed[0, 0, 0], expected, atol=1e-5)


def test_stratified_split_keeps_every_class_in_every_split(colour_folder: Path) -> None:
    train, val, test = stratified_split(load_folder_per_class(colour_folder), 0.25, 0.25, seed=0)
    for split in (train, val, test):
        assert set(split.labels) == {0, 1, 2}
    assert not set(train.paths) & set(test.paths) and not set(val.paths) & set(test.paths)
    assert len(train.paths) + len(val.paths) + len(test.paths) == 24


def test_augmentation_has_no_vertical_flip_and_same_parameters_in_both_back_ends() -> None:
    params = AugmentConfig(rotate_degrees=20, zoom=0.2, translate=0.1)
    pipeline = albumentations_pipeline(params, seed=0)
    kinds = [type(transform).__name__ for transform in pipeline.transforms]
    assert kinds == ["HorizontalFlip", "Affine"]
    affine = pipeline.transforms[1]
    assert isinstance(affine, A.Affine)
    layers = keras_augmentation_layers(params, seed=0)
    assert [type(layer).__name__ for layer in layers] == [
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
    ]
    assert layers[0].mode == "horizontal"
    assert layers[1].factor == pytest.approx((-20 / 360, 20 / 360)) or layers[1].factor == pytest.approx(20 / 360)
    image = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    assert pipeline(image=image)["image"].shape == image.shape


def test_tta_augmentation_is_never_stronger_and_drops_a_near_zero_zoom() -> None:
    params = AugmentConfig(rotate_degrees=20, zoom=0.08, translate=0.1)
    half = milder(params, 0.5)
    assert half.rotate_degrees == pytest.approx(10) and half.translate == pytest.approx(0.05)
    assert half.zoom == 0.0, "0.04 would be a near-zero zoom: switched off instead"
    assert not is_stronger(half, params) and not is_stronger(milder(params, 1.0), params)
    assert is_stronger(AugmentConfig(rotate_degrees=40), AugmentConfig(rotate_degrees=20))
    with pytest.raises(ValueError):
        milder(params, 1.5)


def test_stage_schedule_continues_the_global_schedule() -> None:
    config = load_config(None, {"train.epochs": "4", "train.warmup_epochs": "1", "train.learning_rate": "0.01"})
    plan = plan_schedule(config.train, steps_per_epoch=10)
    assert (plan.total_steps, plan.warmup_steps, plan.decay_steps) == (40, 10, 30)
    schedule = build_schedule(config.train, plan)
    assert float(schedule(10)) == pytest.approx(0.01)
    assert float(schedule(40)) == pytest.approx(0.0, abs=1e-7)
    second_stage = StageSchedule(schedule, offset=20, scale=0.1)
    assert float(second_stage(0)) == pytest.approx(0.1 * float(schedule(20)))
    assert float(second_stage(5)) == pytest.approx(0.1 * float(schedule(25)))


def test_exponential_plan_prints_its_total_decay() -> None:
    config = load_config(
        None,
        {"train.schedule": "exponential", "train.decay_rate": "0.5", "train.decay_epochs": "2", "train.epochs": "6"},
    )
    plan = plan_schedule(config.train, steps_per_epoch=10)
    assert plan.final_fraction == pytest.approx(0.125)
    assert "total decay ×0.125" in plan.description and "from 0.001 to 0.000125" in plan.description
    schedule = build_schedule(config.train, plan)
    assert float(schedule(60)) == pytest.approx(0.001 * 0.125)


def test_trainable_parts_and_batchnorm_in_inference_mode() -> None:
    config = load_config(None, {"data.image_size": 32, "model.weights": "none"})
    classifier = build_classifier(config, num_classes=3, seed=0)
    backbone = classifier.backbone
    assert block_names(backbone)[-2:] == ["block6d", "block7a"]

    set_trainable_part(classifier, "head", top_blocks=2)
    assert backbone.trainable_weights == []
    assert len(classifier.model.trainable_weights) == 2

    set_trainable_part(classifier, "top-blocks", top_blocks=2)
    trainable_layers = {layer.name for layer in backbone.layers if layer.trainable_weights}
    assert trainable_layers and all(name.startswith(("block6d_", "block7a_", "top_")) for name in trainable_layers)
    assert any(name.startswith("block6d_") for name in trainable_layers)

    set_trainable_part(classifier, "whole", top_blocks=2)
    assert len(backbone.trainable_weights) > 100
    moving = next(w for w in backbone.weights if w.path.endswith("stem_bn/moving_mean"))
    before = moving.numpy().copy()
    classifier.model(np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32"), training=True)
    assert np.array_equal(before, moving.numpy()), "the backbone's BatchNormalization stays in inference mode"
    assert classifier.model.layers[-1].activation is keras.activations.softmax


def test_the_backbone_runs_in_inference_mode_while_fit_trains() -> None:
    """fit calls the model with training=True; the backbone's stochastic depth (FixedDropout) and
    BatchNormalization must still run as at inference, in every stage: a step with a zero learning
    rate sees the same per-image losses every time, equal to those of evaluation."""
    import tensorflow as tf

    config = load_config(None, {"data.image_size": 32, "model.weights": "none", "model.dropout": 0.0})
    classifier = build_classifier(config, num_classes=3, seed=0)
    assert any(type(layer).__name__ == "FixedDropout" for layer in classifier.backbone.layers)
    images = np.random.default_rng(0).normal(size=(6, 32, 32, 3)).astype("float32")
    labels = np.array([0, 1, 2, 0, 1, 2])
    estimate_batchnorm_statistics(classifier.backbone, images)  # features the head can tell apart
    expected = keras.losses.sparse_categorical_crossentropy(labels, classifier.model(images, training=False)).numpy()
    for part in ("head", "whole"):
        set_trainable_part(classifier, part, top_blocks=2)
        seen: list[np.ndarray] = []

        def recorded(y_true: object, y_pred: object) -> object:
            per_image = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
            seen.append(per_image.numpy().copy())  # the step runs eagerly
            return per_image

        classifier.model.compile(optimizer=keras.optimizers.SGD(0.0), loss=recorded, run_eagerly=True)
        classifier.model.fit(tf.data.Dataset.from_tensors((images, labels)).repeat(), steps_per_epoch=3, epochs=1, verbose=0)
        assert len(seen) == 3
        for losses in seen:
            np.testing.assert_allclose(losses, expected, rtol=1e-5, err_msg=part)


def test_submission_rows_follow_the_given_ids(tmp_path: Path) -> None:
    ids = ["c.jpg", "a.jpg", "b.jpg"]
    probabilities = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    write_submission(tmp_path / "submission.csv", ids, ["0", "1"], probabilities)
    rows = read_csv_rows(tmp_path / "submission.csv")
    assert rows == [
        {"Id": "c.jpg", "Category": "1"},
        {"Id": "a.jpg", "Category": "0"},
        {"Id": "b.jpg", "Category": "1"},
    ]


def test_auto_weights_fall_back_to_none_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import socket

    from reference_pipeline.config import load_config
    from reference_pipeline.model import with_available_weights

    def offline(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(socket, "getaddrinfo", offline)
    config = load_config(None, {})
    assert config.model.weights == "auto"
    assert with_available_weights(config).model.weights == "none"
    explicit = load_config(None, {"model.weights": "imagenet"})
    assert with_available_weights(explicit).model.weights == "imagenet"


def test_an_image_augmented_with_its_own_seed_is_the_same_whatever_ran_before() -> None:
    config = load_config(None, {"data.image_size": 32})
    augment = albumentations_augmenter(config.augment, seed=0)
    image = (np.arange(32 * 32 * 3) % 255).astype(np.uint8).reshape(32, 32, 3)
    first = augment(image, 12345)
    for other in range(5):  # other images, other seeds, in between
        augment(image, other)
    assert np.array_equal(augment(image, 12345), first)
    assert not all(np.array_equal(augment(image, seed), first) for seed in range(1, 6)), "seeds differ"

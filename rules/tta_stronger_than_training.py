"""RL301 tta-stronger-than-training: test-time augmentation wider than anything seen in training.

## What it does
Compares the test-time augmentation (TTA) pipeline with the training pipeline, transform kind by
transform kind: a larger rotation, shift, scale/zoom, shear, brightness/contrast or other
magnitude at TTA than in training, or a transform used only at TTA, is reported with both values
side by side. Pipelines are albumentations `Compose`s, `ImageDataGenerator`s, torchvision
`Compose`s and ttach's wrappers (`tta.aliases.d4_transform()`, `tta.Compose([...])`); which one
trains and which one is TTA comes from how they are used (fed to `fit` or to a PyTorch loop
that calls `loss.backward()`; used in a loop around `predict` or in passes over a `DataLoader`
repeated by an outer loop; any ttach pipeline) and, failing that, from their names (`train…`,
`tta…`, `test…`). When training has several stages, the pipeline of the last `fit` is the
reference.

## Why it matters
TTA averages predictions over augmented copies of each test image. It helps only when each copy
looks like the data the model was trained on. A model trained with rotations up to 20° and
tested on rotations up to 40° sees images it never learned; every single prediction gets worse,
and the average may be worse than no TTA at all.

## Example
```python
train_aug = A.Compose([A.ShiftScaleRotate(rotate_limit=20)])
tta_aug = A.Compose([A.ShiftScaleRotate(rotate_limit=40)])
```

In PyTorch, after training with horizontal flips only:
```python
tta_model = tta.ClassificationTTAWrapper(model, tta.aliases.d4_transform())  # adds vertical flips and 90° turns
```

## Use instead
```python
tta_aug = train_aug  # or a milder version of it
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from reviewlint.api import (
    PREDICT,
    TRAIN,
    TTA,
    Anchor,
    Invalid,
    Pipeline,
    Report,
    RuleContext,
    Severity,
    Transform,
    option,
)

CODE = "RL301"
NAME = "tta-stronger-than-training"
SEVERITY = Severity.WARNING
SUMMARY = "Test-time augmentation stronger than the training augmentation"
@dataclass(frozen=True)
class Options:
    tolerance: float = option(0.0, "relative margin by which TTA may exceed training before it is reported")


TRIGGERS = ("albumentations", "ImageDataGenerator", "imgaug", "torchvision", "ttach")

_UNITS = {"rotate": "°", "shear": "°"}
_GENERIC_KINDS = frozenset({"affine", "color", "deterministic"})


def _fmt(dimension: str, value: float) -> str:
    return f"±{value:.4g}{_UNITS.get(dimension, '')}"


def _param_text(ctx: RuleContext[Options], transform: Transform, dimension: str, param: str | None = None) -> str:
    for magnitude in transform.spec.magnitudes:
        if magnitude.dimension == dimension and param in (None, magnitude.param):
            arg = transform.param_node(magnitude.param)
            if arg is not None:
                return f"{transform.short_name}({magnitude.param}={ctx.model.module.code_for_node(arg.value)})"
    return f"{transform.short_name} (default {dimension})"


def _anchor(transform: Transform, dimension: str) -> Anchor:
    for magnitude in transform.spec.magnitudes:
        if magnitude.dimension == dimension:
            arg = transform.param_node(magnitude.param)
            if arg is not None:
                return arg
    return transform.node


def _magnitudes(pipeline: Pipeline) -> list[tuple[str, float, Transform, Anchor, str | None]]:
    """What a pipeline's magnitudes are compared by: per dimension its strongest transform, and each
    argument of a transform whose arguments are augmentations of their own (ImageDataGenerator's
    width and height shifts); with where each is reported and the argument that sets it."""
    found: list[tuple[str, float, Transform, Anchor, str | None]] = []
    strongest: dict[str, tuple[float, Transform]] = {}
    for transform in pipeline.augmenting():
        if not transform.spec.separate_arguments:
            for dimension, value in transform.dimensions().items():
                if dimension not in strongest or value > strongest[dimension][0]:
                    strongest[dimension] = (value, transform)
            continue
        for magnitude in transform.spec.magnitudes:
            span = transform.magnitude_range(magnitude)
            arg = transform.param_node(magnitude.param)
            if span is not None and arg is not None and max(abs(span[0]), abs(span[1])):
                found.append((magnitude.dimension, max(abs(span[0]), abs(span[1])), transform, arg, magnitude.param))
    found.extend((dimension, value, transform, _anchor(transform, dimension), None)
                 for dimension, (value, transform) in strongest.items())
    return sorted(found, key=lambda item: (item[0], item[4] or ""))


def _training(pipelines: Sequence[Pipeline]) -> list[Pipeline]:
    """The pipelines of the last training stage (an ImageDataGenerator and the Compose it calls)."""
    trained = [p for p in pipelines if TRAIN in p.roles and p.kind != "keras-layers"]
    last = max((p.stage for p in trained), default=-1)
    return [p for p in trained if p.stage == last]


def _combined(pipelines: list[Pipeline]) -> tuple[dict[str, tuple[float, Transform]], set[str]]:
    dims: dict[str, tuple[float, Transform]] = {}
    kinds: set[str] = set()
    for pipeline in pipelines:
        for dimension, (value, transform) in pipeline.dimensions().items():
            if dimension not in dims or value > dims[dimension][0]:
                dims[dimension] = (value, transform)
        kinds |= set(pipeline.kinds())
    return dims, kinds


@dataclass
class _Problems:
    """What one anchor (a transform, or an argument of an ImageDataGenerator) does wrong: one finding."""

    anchor: Anchor
    messages: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    related: list[tuple[Anchor, str]] = field(default_factory=list)

    def add(self, message: str, hint: str, related: tuple[Anchor, str]) -> None:
        self.messages.append(message)
        if hint not in self.hints:
            self.hints.append(hint)
        if related not in self.related:
            self.related.append(related)

    def report(self, role: str, pipeline: str) -> Report:
        also = [message.removeprefix(f"{role} pipeline {pipeline!r} ").removeprefix(f"{role} ") for message in self.messages[1:]]
        message = self.messages[0] + "".join(f"; also {text}" for text in also)
        return Report(self.anchor, message, hint="; ".join(self.hints), related=tuple(self.related))


def check(ctx: RuleContext[Options]) -> Iterator[Report]:
    pipelines = ctx.facts.pipelines
    training = _training(pipelines)
    if not training:
        return
    train = max(training, key=lambda p: len(p.augmenting()))
    train_dims, train_kinds = _combined(training)
    tolerance = float(ctx.options.tolerance)
    for tta in pipelines:
        if tta in training or TRAIN in tta.roles or tta.kind == "keras-layers":
            continue
        if TTA not in tta.roles and PREDICT not in tta.roles:
            continue
        role = "TTA" if TTA in tta.roles else "test-time"
        # One finding per place to fix: the kinds and magnitudes of one transform (or of one
        # ImageDataGenerator argument) together.
        problems: dict[int, _Problems] = {}

        def at(anchor: Anchor, transform: Transform) -> _Problems:
            """The problems of one transform, reported where its first one lies (an ImageDataGenerator
            argument is a transform of its own)."""
            key = id(anchor) if transform.spec.separate_arguments else id(transform.node)
            return problems.setdefault(key, _Problems(anchor))

        for dimension, value, transform, anchor, param in _magnitudes(tta):
            reference = train_dims.get(dimension)
            if reference is None:
                at(anchor, transform).add(
                    f"{role} pipeline {tta.name!r} applies {dimension} up to {_fmt(dimension, value)} "
                    f"({_param_text(ctx, transform, dimension, param)}), but the training pipeline {train.name!r} "
                    f"has no {dimension} at all",
                    "use the training augmentation (or a milder one) at test time",
                    (train.node, f"training pipeline {train.name!r}"),
                )
            elif value > reference[0] * (1 + tolerance) + 1e-9:
                train_value, train_transform = reference
                at(anchor, transform).add(
                    f"{role} {dimension} {_fmt(dimension, value)} ({_param_text(ctx, transform, dimension, param)}) "
                    f"is stronger than training {_fmt(dimension, train_value)} "
                    f"({_param_text(ctx, train_transform, dimension)}): the model never saw such images",
                    f"use at most {_fmt(dimension, train_value)} at test time",
                    (train_transform.node, f"training uses {_param_text(ctx, train_transform, dimension)}"),
                )
        dimensions = set(tta.dimensions()) | set(train_dims)
        for kind, transform in sorted(tta.kinds().items()):
            if kind in dimensions or kind in _GENERIC_KINDS or kind in train_kinds:
                continue
            at(transform.node, transform).add(
                f"{role} pipeline {tta.name!r} uses {transform.short_name} ({kind}), which the training pipeline "
                f"{train.name!r} never applies",
                "use only transforms the model was trained with at test time",
                (train.node, f"training pipeline {train.name!r}"),
            )
        for problem in problems.values():
            yield problem.report(role, tta.name)


_STUDENT = (
    "import albumentations\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "train_aug = albumentations.Compose([albumentations.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0.01, "
    "rotate_limit=20)])\n"
    "tta_aug = albumentations.Compose([albumentations.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0.01, "
    "interpolation=1, border_mode=4, rotate_limit=40)])\n"
    "train_datagen = ImageDataGenerator(preprocessing_function=lambda x: train_aug(image=x)['image'])\n"
    "test_datagen = ImageDataGenerator(preprocessing_function=lambda x: tta_aug(image=x)['image'])\n"
    "train_gen = train_datagen.flow_from_directory('train')\n"
    "model.fit(train_gen, epochs=10)\n"
    "preds = []\n"
    "for _ in range(10):\n"
    "    preds.append(model.predict(test_datagen.flow_from_dataframe(df, shuffle=False)))\n"
)

VALID = [
    _STUDENT.replace("rotate_limit=40", "rotate_limit=20"),
    _STUDENT.replace("rotate_limit=40", "rotate_limit=10"),
    "import albumentations as A\naug = A.Compose([A.HorizontalFlip(), A.Rotate(limit=30)])\n"
    "model.fit(gen(aug))\nfor _ in range(8):\n    preds.append(model.predict(gen(aug)))",
    "import albumentations as A\ntrain_aug = A.Compose([A.Rotate(limit=30)])\n"
    "test_aug = A.Compose([A.Resize(224, 224), A.Normalize()])\nmodel.fit(gen(train_aug))\n"
    "model.predict(gen(test_aug))",
    "import albumentations as A\ntta_aug = A.Compose([A.Rotate(limit=30)])  # no training pipeline known",
]

INVALID = [
    # ttach after a training loop that only flips horizontally.
    Invalid(
        "import torch\nimport ttach as tta\nimport albumentations as A\ntrain_tf = A.Compose([A.HorizontalFlip(), A.Rotate(limit=15)])\n"
        "train_loader = DataLoader(LeafDataset(train_df, train_tf), shuffle=True)\n"
        "for x, y in train_loader:\n    criterion(model(x), y).backward()\n"
        "tta_model = tta.ClassificationTTAWrapper(model, tta.aliases.d4_transform())",
        message="uses d4_transform (d4), which the training pipeline 'train_tf' never applies", range=(8, 49, 8, 75),
    ),
    Invalid(
        "import albumentations as A\nAUGMENTATIONS = A.Compose([A.ShiftScaleRotate(rotate_limit=20)])\n"
        "model.fit(gen(AUGMENTATIONS))\nAUGMENTATIONS = A.Compose([A.ShiftScaleRotate(rotate_limit=40)])\n"
        "for _ in range(10):\n    preds.append(model.predict(gen(AUGMENTATIONS)))",
        message="±40°", range=(4, 47, 4, 62)
    ),
    Invalid(_STUDENT, message="rotate ±40° (ShiftScaleRotate(rotate_limit=40)) is stronger than training ±20°", range=(4, 137, 4, 152)),
    Invalid(
        "import albumentations as A\nROT = 20\n"
        "def get_training_augmentation():\n    return A.Compose([A.Affine(rotate=(-ROT, ROT))])\n"
        "def get_tta_augmentation():\n    return A.Compose([A.Affine(rotate=(-2 * ROT, 2 * ROT)), A.HorizontalFlip()])\n"
        "train_tf = get_training_augmentation()\ntta_tf = get_tta_augmentation()",
        count=2, range=(6, 32, 6, 58)
    ),
    Invalid(
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "train_datagen = ImageDataGenerator(rotation_range=10, zoom_range=0.1)\n"
        "tta_datagen = ImageDataGenerator(rotation_range=10, zoom_range=0.2, width_shift_range=0.1)\n"
        "model.fit(train_datagen.flow(x, y))\n"
        "preds = [model.predict(tta_datagen.flow(x_test, shuffle=False)) for _ in range(10)]",
        count=2, range=(3, 53, 3, 67)
    ),
    # Each ImageDataGenerator argument is an augmentation of its own: one finding each.
    Invalid(
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "train_datagen = ImageDataGenerator(rotation_range=10)\n"
        "tta_datagen = ImageDataGenerator(rotation_range=10,\n    width_shift_range=0.1,\n    height_shift_range=0.1)\n"
        "model.fit(train_datagen.flow(x, y))\n"
        "preds = [model.predict(tta_datagen.flow(x_test, shuffle=False)) for _ in range(10)]",
        count=2, message="(ImageDataGenerator(width_shift_range=0.1))", range=(4, 5, 4, 26)
    ),
    # One transform, one finding: HueSaturationValue's hue, saturation and value together.
    Invalid(
        "import albumentations as A\ntrain_tf = A.Compose([A.HorizontalFlip()])\n"
        "tta_tf = A.Compose([A.HorizontalFlip(), A.HueSaturationValue()])\nmodel.fit(gen(train_tf))\n"
        "for _ in range(5):\n    preds.append(model.predict(gen(tta_tf)))",
        message="applies hue up to ±20 (HueSaturationValue (default hue)), but the training pipeline 'train_tf' has no hue at all; "
                "also applies saturation up to ±30",
        range=(3, 41, 3, 63)
    ),
    Invalid(
        "import albumentations as A\nstage1 = A.Compose([A.Rotate(limit=45)])\nstage2 = A.Compose([A.Rotate(limit=15)])\n"
        "tta = A.Compose([A.Rotate(limit=30)])\nmodel.fit(loader(stage1))\nmodel.fit(loader(stage2))\n"
        "for i in range(10):\n    p += model.predict(loader(tta))",
        message="±15°", range=(4, 27, 4, 35)
    ),
]

"""RL305 too-few-tta-steps: random test-time augmentation averaged over only a handful of steps.

## What it does
Flags a test-time augmentation loop — `model.predict` repeated by a `for … in range(N)` loop or
comprehension, or a PyTorch loop over a `DataLoader` that runs a model on its batches, repeated
the same way, with a random augmentation feeding it (an albumentations pipeline, an augmenting
`ImageDataGenerator`, Keras layers called with `training=True`, `tf.image` random ops) — whose
step count `N` is below `min_steps` (default 8) while the augmentation is strong: a rotation of
at least `strong_rotation` degrees (15), a shift or scale/zoom of at least `strong_shift_scale`
(0.1), or at least `strong_count` (3) random transforms. A model run `N` times on one item of a PyTorch dataset inside the loop over its items (`for
sample in test_dataset: for i in range(N): model(tta_tf(sample["image"]))`) is such a loop too.
`N` is folded from constants
(`TTA_STEPS = 3 … range(TTA_STEPS)`); a parameter of the function the loop is in counts for
what the function's calls pass (`def run(TTA): for _ in range(TTA)` called as `run(TTA)` after
`TTA = 3`); when it cannot be known, nothing is reported.
Deterministic TTA (flips with `p=1`, `np.rot90(x, k=i)` over the loop variable) is not random
and is not counted; a fixed operation given a value drawn at random (`tf.image.rot90(image,
k=tf.random.uniform([], 0, 4, tf.int32))`, `np.random.randint`, `torch.randint`) is random.

## Why it matters
Each pass of random TTA predicts on one random draw of the augmentation; the average converges
to the TTA prediction only over many draws. The stronger the augmentation, the further each
single prediction is from the clean one, and the more steps are needed before the average is
better than no TTA at all. Three draws of a ±40° rotation add noise, not
accuracy — and make results differ from run to run.

## Example
```python
tta_gen = ImageDataGenerator(rotation_range=40, zoom_range=0.2).flow(x_test, shuffle=False)
preds = [model.predict(tta_gen) for _ in range(3)]
```

## Use instead
```python
tta_gen = ImageDataGenerator(rotation_range=10, horizontal_flip=True).flow(x_test, shuffle=False)
preds = [model.predict(tta_gen) for _ in range(10)]
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from reviewlint.api import (
    Facts,
    Invalid,
    PredictLoop,
    Report,
    RuleContext,
    Severity,
    Transform,
    Valid,
    is_number,
    option,
)
from reviewlint.knowledge.transforms import RANDOM_DRAWS

CODE = "RL305"
NAME = "too-few-tta-steps"
SEVERITY = Severity.INFO
SUMMARY = "Random test-time augmentation with strong transforms averaged over too few steps"
@dataclass(frozen=True)
class Options:
    min_steps: int = option(8, "fewest TTA steps that are enough for a strong random augmentation")
    strong_rotation: float = option(15.0, "rotation (degrees) from which a TTA augmentation counts as strong")
    strong_shift_scale: float = option(0.1, "shift or scale/zoom (fraction) from which a TTA augmentation counts as strong")
    strong_count: int = option(3, "number of random transforms from which a TTA augmentation counts as strong")

TRIGGERS = ("range(",)

_UNITS = {"rotate": "°"}


def _in_generator(facts: Facts, transform: Transform) -> bool:
    pipeline = facts.pipeline_of(transform)
    return pipeline is not None and pipeline.kind == "image-data-generator"


def _random(facts: Facts, transform: Transform) -> bool:
    """Whether a transform changes the image randomly (not a fixed flip or a resize)."""
    if "deterministic" in transform.spec.kinds:
        return False
    if _in_generator(facts, transform):
        return bool(transform.kinds())
    if transform.dimensions():
        return True
    p = transform.p
    return not (is_number(p) and float(p) >= 1.0) or _drawn_at_random(facts, transform)


def _drawn_at_random(facts: Facts, transform: Transform) -> bool:
    """Whether a parameter of a transform is a value drawn at random (``tf.image.rot90(image, k=k)``
    with ``k = tf.random.uniform(…)``): each pass then applies another variant. The data a
    function transforms (its first positional argument) is not a parameter."""
    model = facts.model
    call = transform.call
    for position, arg in enumerate(call.node.args):
        if position == 0 and arg.keyword is None and not transform.method:
            continue
        for origin, _ in model.origins(arg.value, call.scope):
            site = model.call_site(origin) if isinstance(origin, cst.Call) else None
            if site is not None and site.qualname in RANDOM_DRAWS:
                return True
    return False


def _count(facts: Facts, transform: Transform) -> int:
    if _in_generator(facts, transform):
        return len(transform.kinds())
    return 1


def _tta_transforms(facts: Facts, found: PredictLoop) -> list[Transform]:
    """The random transforms that feed a predict loop (the model's own layers excluded)."""
    loop = found.loop.node
    head = (found.call.receiver or "").split(".", 1)[0]
    used = {facts.model.qualify(name, found.loop.scope) for name in found.loop.names if name.split(".", 1)[0] != head}
    reached = facts.model.reaches(used)
    called = {call.node.func.value for call in facts.model.calls if loop in call.loops and isinstance(call.node.func, cst.Name)}
    found_transforms: list[Transform] = []
    for transform in facts.transforms:
        if not _random(facts, transform):
            continue
        pipeline = facts.pipeline_of(transform)
        if (
            loop in transform.call.loops
            or transform.call.scope.name in called
            or facts.model.owners(transform.call) & reached
            or (pipeline is not None and pipeline.owners & reached)
        ):
            if transform.qualname.startswith("keras.layers.") and not _called_in_training(facts, transform):
                continue  # a layer of the model, inactive at predict time (RL304)
            found_transforms.append(transform)
    return found_transforms


def _called_in_training(facts: Facts, transform: Transform) -> bool:
    """Whether a Keras layer (or the Sequential holding it) is called with ``training=True``."""
    pipeline = facts.pipeline_of(transform)
    owners = pipeline.owners if pipeline is not None else frozenset()
    for call in facts.model.calls:
        arg = call.arg("training")
        if arg is None or facts.model.value(arg.value) is not True:
            continue
        func = call.node.func
        if func is transform.node:
            return True
        if isinstance(func, cst.Name) and facts.model.qualify(func.value, call.scope) in owners:
            return True
    return False


def _strength(ctx: RuleContext[Options], transforms: list[Transform]) -> tuple[str, Transform] | None:
    """Why the augmentation is strong, or None if it is not."""
    rotation = float(ctx.options.strong_rotation)
    fraction = float(ctx.options.strong_shift_scale)
    count = int(ctx.options.strong_count)
    best: dict[str, tuple[float, Transform]] = {}
    for transform in transforms:
        for dimension, value in transform.dimensions().items():
            if dimension not in best or value > best[dimension][0]:
                best[dimension] = (value, transform)
    for dimension, threshold in (("rotate", rotation), ("shift", fraction), ("scale", fraction)):
        if dimension in best and best[dimension][0] >= threshold:
            value, transform = best[dimension]
            return f"{dimension} up to ±{value:.4g}{_UNITS.get(dimension, '')} ({transform.short_name})", transform
    total = sum(_count(ctx.facts, transform) for transform in transforms)
    if total >= count:
        return f"{total} random transforms", transforms[0]
    return None


def _iterable(found: PredictLoop) -> cst.CSTNode:
    node = found.loop.node
    if isinstance(node, cst.For):
        return node.iter
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
        return node.for_in.iter
    return found.call.node


def check(ctx: RuleContext[Options]) -> Iterator[Report]:
    facts = ctx.facts
    minimum = int(ctx.options.min_steps)
    for found in facts.predict_loops:
        steps = found.steps
        if steps is None or not 1 <= steps < minimum or not found.repeats:
            continue
        transforms = _tta_transforms(facts, found)
        if not transforms:
            continue
        strong = _strength(ctx, transforms)
        if strong is None:
            continue
        strength, transform = strong
        anchor = _iterable(found)
        text = facts.model.module.code_for_node(anchor).strip()
        yield Report(
            anchor,
            f"test-time augmentation averages only {steps} prediction{'s' if steps != 1 else ''} ({text}) of a strong "
            f"random augmentation ({strength}): each draw gives a noisier prediction, so a few draws add noise, "
            f"not accuracy (use at least {minimum})",
            hint=f"run at least {minimum} TTA steps, or make the TTA augmentation milder",
            related=((transform.node, f"random TTA transform {transform.short_name}"),),
        )


_IDG = "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
_STRONG_GEN = _IDG + "tta_gen = ImageDataGenerator(rotation_range=40, zoom_range=0.2).flow(x_test, shuffle=False)\n"

VALID = [
    # An epoch loop that logs its epoch number in a loop over folds: no prediction repeated.
    "import logging\nimport torch\nimport albumentations as A\nlog = logging.getLogger('train')\n"
    "aug = A.Compose([A.Rotate(limit=90), A.HorizontalFlip(), A.VerticalFlip(), A.RandomBrightnessContrast()])\n"
    "loader = torch.utils.data.DataLoader(Data(df, aug))\ndef train_one(model, loader):\n    for x, y in loader:\n"
    "        criterion(model(x), y).backward()\nfor fold in range(5):\n    for epoch in range(10):\n"
    "        train_one(model, loader)\n        log.info('epoch %d of %s', epoch, loader)\n",
    # Per item, each pass a different deterministic view (the loop variable picks it).
    "import torch\nwith torch.no_grad():\n    for sample in test_dataset:\n        for k in range(4):\n"
    "            out = model(torch.rot90(sample['image'], k, (1, 2)))\n",
    # Per item, eight passes or more.
    "import torch\nfrom torchvision import transforms as T\ntta_tf = T.Compose([T.RandomRotation(30), T.ToTensor()])\n"
    "with torch.no_grad():\n    for sample in test_dataset:\n        for i in range(8):\n            out = model(tta_tf(sample['image']))\n",
    _STRONG_GEN + "preds = [model.predict(tta_gen) for _ in range(10)]",
    _STRONG_GEN + "N = 8\npreds = [model.predict(tta_gen) for _ in range(N)]",
    # mild augmentation: a few steps are fine
    _IDG + "tta_gen = ImageDataGenerator(horizontal_flip=True, rotation_range=5).flow(x_test, shuffle=False)\n"
    "preds = [model.predict(tta_gen) for _ in range(3)]",
    # deterministic TTA over the loop variable
    "import numpy as np\npreds = [model.predict(np.rot90(x_test, k, axes=(1, 2))) for k in range(4)]",
    "import albumentations as A\nflips = [A.HorizontalFlip(p=1.0), A.VerticalFlip(p=1.0)]\n"
    "preds = [model.predict(x) for _ in range(2)]",
    # steps unknown
    _STRONG_GEN + "preds = [model.predict(tta_gen) for _ in range(n_steps)]",
    # no augmentation feeds the loop
    "preds = [model.predict(x_test) for _ in range(3)]",
    Valid(_STRONG_GEN + "preds = [model.predict(tta_gen) for _ in range(3)]", settings={"min_steps": 3}),
    Valid(_STRONG_GEN + "preds = [model.predict(tta_gen) for _ in range(3)]",
          settings={"strong_rotation": 45.0, "strong_shift_scale": 0.5, "strong_count": 5}),
]

INVALID = [
    # The count is the function's parameter: what its calls pass (each notebook cell sets it again).
    Invalid("import torch\nfrom torchvision import transforms as T\nfrom torch.utils.data import DataLoader\n"
            "tf = T.Compose([T.RandomHorizontalFlip(), T.RandomVerticalFlip(), T.ColorJitter(0.1), T.ToTensor()])\n"
            "def run(TTA):\n    loader = DataLoader(Data(transform=tf))\n    for _ in range(TTA):\n"
            "        for i, x in enumerate(loader):\n            preds[i] += model(x)\n    return preds\n"
            "TTA = 3\np = run(TTA)\nTTA = 3\np = run(TTA)\n", message="averages only 3 predictions", range=(7, 14, 7, 24)),
    # A rotation by a random number of quarter turns is random, like the flip and the brightness.
    Invalid(
        "import tensorflow as tf\ndef tta(image, label):\n    k = tf.random.uniform([], 0, 4, dtype=tf.int32)\n"
        "    image = tf.image.rot90(image, k=k)\n    image = tf.image.random_flip_left_right(image)\n"
        "    image = tf.image.random_brightness(image, 0.2)\n    return image, label\n"
        "preds = [model.predict(test_ds.map(tta)) for _ in range(3)]\n",
        message="(3 random transforms)", range=(8, 51, 8, 59),
    ),
    # Per item of a dataset: seven runs of the model on random views of one image.
    Invalid(
        "import torch\nfrom torchvision import transforms as T\ntta_tf = T.Compose([T.RandomHorizontalFlip(), T.RandomRotation(30), T.ToTensor()])\n"
        "with torch.no_grad():\n    for sample in test_dataset:\n        votes = []\n        for i in range(7):\n"
        "            votes.append(model(tta_tf(sample['image']).unsqueeze(0)).argmax(1))\n",
        message="averages only 7 predictions", range=(7, 18, 7, 26),
    ),
    # PyTorch: passes over a DataLoader whose dataset applies a random albumentations pipeline.
    Invalid(
        "import torch\nimport albumentations as A\nfrom torch.utils.data import DataLoader\n"
        "tta_tf = A.Compose([A.HorizontalFlip(), A.Rotate(limit=30)])\n"
        "test_loader = DataLoader(LeafDataset(test_df, tta_tf), batch_size=32)\nmodel.eval()\nruns = []\n"
        "for _ in range(3):\n    with torch.no_grad():\n        runs.append(torch.cat([model(x) for x in test_loader]))\n",
        message="averages only 3 predictions (range(3))", range=(8, 10, 8, 18),
    ),
    Invalid(
        _STRONG_GEN + "preds = []\nfor i in range(3):\n    preds.append(model.predict(tta_gen))",
        message="test-time augmentation averages only 3 predictions (range(3)) of a strong random augmentation "
        "(rotate up to ±40°", range=(4, 10, 4, 18)
    ),
    Invalid(
        "import albumentations\nTTA_STEPS = 3\n"
        "tta_aug = albumentations.Compose([albumentations.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0.01, "
        "rotate_limit=40)])\n"
        "test_datagen = ImageDataGenerator(preprocessing_function=lambda x: tta_aug(image=x)['image'])\n"
        "preds = np.mean([model.predict(test_datagen.flow_from_dataframe(df, shuffle=False)) for _ in range(TTA_STEPS)], 0)",
        message="(range(TTA_STEPS)) of a strong random augmentation (rotate up to ±40° (ShiftScaleRotate))", range=(5, 94, 5, 110)
    ),
    Invalid(
        "import albumentations as A\n"
        "tta = A.Compose([A.HorizontalFlip(), A.RandomBrightnessContrast(0.1, 0.1), A.GaussNoise()])\n"
        "def predict_tta(model, images):\n"
        "    out = []\n"
        "    for _ in range(4):\n"
        "        batch = np.stack([tta(image=im)['image'] for im in images])\n"
        "        out.append(model.predict(batch))\n"
        "    return np.mean(out, 0)",
        message="3 random transforms", range=(5, 14, 5, 22)
    ),
    Invalid(
        "import tensorflow as tf\n"
        "aug = tf.keras.Sequential([tf.keras.layers.RandomRotation(0.1), tf.keras.layers.RandomFlip()])\n"
        "p = sum(model.predict(aug(x, training=True)) for _ in range(5)) / 5",
        message="rotate up to ±36°", range=(3, 55, 3, 63)
    ),
    Invalid(_STRONG_GEN + "preds = [model.predict(tta_gen) for _ in range(8)]", settings={"min_steps": 10}, range=(3, 42, 3, 50)),
    Invalid(
        "import keras\nfrom albumentations import Compose, ShiftScaleRotate as SSR\n"
        "tta = Compose([SSR(shift_limit=0.15, rotate_limit=0)])\n"
        "gen = keras.preprocessing.image.ImageDataGenerator(preprocessing_function=lambda x: tta(image=x)['image'])\n"
        "STEPS = 2 * 2\nout = [model.predict(gen.flow(x, shuffle=False)) for _ in range(STEPS)]",
        message="only 4 predictions (range(STEPS)) of a strong random augmentation (shift up to ±0.15 (ShiftScaleRotate))", range=(6, 59, 6, 71)
    ),
]

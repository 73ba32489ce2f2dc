"""RL103 deprecated-augmentation-api: an augmentation class or argument that was deprecated, removed or renamed.

## What it does
Flags albumentations and Keras augmentation APIs that changed, and says what replaces them and
since which version: `Flip` (deprecated in 1.4.15, removed in 1.4.24), `ShiftScaleRotate` (a
special case of `Affine` that warns since 2.0), `Cutout`, `JpegCompression`, `RandomBrightness`,
`RandomContrast`, `ToTensor` and the `IAA…` imgaug wrappers; the border-fill arguments `value`,
`mask_value`, `cval`, `cval_mask`, `mode`, `fill_value`, `mask_fill_value` (now `fill`,
`fill_mask`, `border_mode`), `always_apply` (now `p=1`), and a few more renamed ranges
(`CoarseDropout(max_holes=…)`, `RandomResizedCrop(height=…, width=…)`, `GaussNoise(var_limit=…)`,
`ImageCompression(quality_lower=…)`, `Downscale(scale_min=…)`); and Keras' `ImageDataGenerator`.
The table, with the source of each fact, is `reviewlint/knowledge/api_changes.py`. A class is
reported at the call, a renamed argument at the argument.

## Why it matters
A removed class fails at import time on a current install. A renamed argument is worse:
albumentations 2.x ignores an argument it does not know with a warning and uses the default, so
`A.Rotate(limit=30, value=255)` pads with 0, and `A.Normalize(always_apply=True)` runs with its
own `p`, not always. Code that "still runs" then trains on different augmentation than it says.
`ImageDataGenerator` is not in Keras 3's `keras.preprocessing.image` any more.

## Example
```python
A.Compose([
    A.Flip(p=0.5),
    A.ShiftScaleRotate(rotate_limit=20, border_mode=cv2.BORDER_CONSTANT, value=0),
    A.Normalize(always_apply=True),
])
```

## Use instead
```python
A.Compose([
    A.HorizontalFlip(p=0.5),
    A.Affine(rotate=(-20, 20), border_mode=cv2.BORDER_CONSTANT, fill=0),
    A.Normalize(p=1.0),
])
```
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewlint.knowledge.api_changes import argument_changes, class_change
from reviewlint.rule import Invalid, Report, RuleContext, Severity

CODE = "RL103"
NAME = "deprecated-augmentation-api"
SEVERITY = Severity.WARNING
SUMMARY = "Augmentation class or argument that was deprecated, removed or renamed"
TRIGGERS = ("albumentations", "ImageDataGenerator")


def check(ctx: RuleContext) -> Iterator[Report]:
    for call in ctx.facts.calls:
        qualname = call.qualname
        if qualname is None:
            continue
        short = qualname.rsplit(".", 1)[-1]
        change = class_change(qualname)
        if change is not None:
            effect = f"; {change.effect}" if change.effect else ""
            yield Report(
                call.node,
                f"{short} {change.change}{effect}. Use {change.replacement}",
                hint=f"replace {short} with {change.replacement}",
            )
        renamed = argument_changes(qualname)
        if not renamed:
            continue
        for name, arg in call.keywords().items():
            change = renamed.get(name)
            if change is None:
                continue
            effect = f"; {change.effect}" if change.effect else ""
            yield Report(
                arg,
                f"{short}({name}=…): `{name}` {change.change}{effect}. Use {change.replacement}",
                hint=f"write {change.replacement} instead of {name}",
            )


VALID = [
    "import albumentations as A\nA.Compose([A.HorizontalFlip(), A.Affine(rotate=(-20, 20), fill=0)])",
    "import albumentations as A\nA.Rotate(limit=30, border_mode=0, fill=0, fill_mask=0)",
    "import albumentations as A\nA.OpticalDistortion(mode='fisheye')  # mode is still a parameter here",
    "import albumentations as A\nA.CoarseDropout(num_holes_range=(1, 8), hole_height_range=(8, 32), fill=0)",
    "import albumentations as A\nA.RandomResizedCrop(size=(224, 224))",
    "import albumentations as A\nA.Normalize(p=1.0)",
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator as IDG  # only imported",
    "import tensorflow as tf\ntf.keras.utils.image_dataset_from_directory('train', shuffle=True)",
    "from tensorflow.keras import layers\nlayers.RandomFlip('horizontal')",
    # a user's own class of the same name is not albumentations'
    "class Flip:\n    pass\nFlip()",
    "import numpy as np\nnp.flip(x, 0)",
    "import cv2\ncv2.copyMakeBorder(img, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)",
]

INVALID = [
    Invalid("import albumentations\nalbumentations.Flip(p=0.5)", message="Flip was deprecated in albumentations 1.4.15"),
    Invalid("import albumentations as A\nA.Compose([A.Flip()])", message="Use HorizontalFlip"),
    Invalid("from albumentations import Flip as F\nF()", message="removed in 1.4.24"),
    Invalid("from albumentations import *\nCompose([Flip(), HorizontalFlip()])"),
    Invalid("import albumentations as A\nA.ShiftScaleRotate(rotate_limit=20)", message="Use Affine("),
    Invalid(
        "import albumentations as A\nimport cv2\nA.ShiftScaleRotate(border_mode=cv2.BORDER_CONSTANT, value=0, mask_value=0)",
        count=3,
    ),
    Invalid("import albumentations as A\nA.Rotate(limit=30, value=0)", message="Rotate(value=…): `value` was deprecated during albumentations 1.4.x and removed in 2.0.0"),
    Invalid("import albumentations as A\nA.Affine(rotate=10, cval=0, cval_mask=0, mode=0)", count=3, message="Use fill"),
    Invalid("import albumentations as A\nA.PadIfNeeded(64, 64, border_mode=0, value=0)", message="Use fill"),
    Invalid("import albumentations as A\nA.Normalize(always_apply=True)", message="runs with probability p, not always"),
    Invalid("import albumentations as A\nA.CoarseDropout(max_holes=8, max_height=16, max_width=16)", count=3),
    Invalid("import albumentations as A\nA.RandomResizedCrop(height=224, width=224)", count=2, message="size=(height, width)"),
    Invalid("import albumentations as A\nA.Cutout(num_holes=8)", message="Use CoarseDropout"),
    Invalid(
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(rescale=1/255)",
        message="ImageDataGenerator is deprecated since TensorFlow 2.11",
    ),
    Invalid("import tensorflow as tf\ntf.keras.preprocessing.image.ImageDataGenerator()", message="image_dataset_from_directory"),
    Invalid("import tensorflow\ntensorflow.keras.preprocessing.image.ImageDataGenerator()"),
    Invalid("import keras\nkeras.preprocessing.image.ImageDataGenerator(horizontal_flip=True)"),
    Invalid("from keras.preprocessing.image import ImageDataGenerator as IDG\ngen = IDG(rotation_range=20)"),
]

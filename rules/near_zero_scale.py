"""RL101 near-zero-scale: a scale/zoom augmentation so close to identity that it only costs time.

## What it does
Flags scale and zoom augmentations whose whole range stays within a small distance of the
identity (default: 5%, included: `scale_limit=0.05` is near identity): albumentations
`ShiftScaleRotate(scale_limit=…)` and
`RandomScale(scale_limit=…)` (the limit is added to 1), `Affine(scale=…)` (a factor near 1.0),
`ImageDataGenerator(zoom_range=…)` (also through `**aug_args`), Keras `RandomZoom(…)`, and
imgaug `iaa.Affine(scale=…)` (a factor, a range or an `{"x": …, "y": …}` dict), torchvision
`RandomAffine(scale=(low, high))` (`transforms` and `transforms.v2`). Exactly 0 (or a factor of exactly
1) is fine: no scaling is done. Parameters named `scale` that mean something else
(`Perspective`, `PiecewiseAffine`, `Downscale`) are not scale augmentations.

## Why it matters
With `scale_limit=0.01` the image changes size by at most 1%: the model learns nothing new from
it, yet every image is resampled (slightly blurred by interpolation), and the time is spent on
every epoch. Why 0.01 and not 0? Either scale for real or not at all.

## Example
```python
A.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0.01, rotate_limit=20)
```

## Use instead
```python
A.Affine(translate_percent=(-0.0625, 0.0625), rotate=(-20, 20))            # no scaling
A.Affine(translate_percent=(-0.0625, 0.0625), scale=(0.9, 1.1), rotate=(-20, 20))  # real scaling
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from reviewlint.api import Fix, Invalid, Report, RuleContext, Severity, Transform, Valid, drop_args, option, replace
from reviewlint.knowledge.transforms import Form, Magnitude

CODE = "RL101"
NAME = "near-zero-scale"
SEVERITY = Severity.WARNING
SUMMARY = "Scale/zoom augmentation so close to identity that it only costs a resample and time"
@dataclass(frozen=True)
class Options:
    threshold: float = option(0.05, "largest deviation from a scale factor of 1 that counts as near zero")


TRIGGERS = ("scale", "zoom", "Zoom")
# The fix removes the scaling (scale_limit=0, zoom 0, Affine without scale): the images change,
# if only by the near-nothing the rule reports, so the fix is unsafe.
FIX = "unsafe"


def _describe(low: float, high: float) -> str:
    return f"{1 + low:.4g}–{1 + high:.4g}×"


def _no_scaling(transform: Transform, magnitude: Magnitude, arg: cst.Arg) -> Fix:
    if magnitude.form is Form.FACTOR:
        if arg.keyword is not None:
            return Fix(f"drop {magnitude.param}=", [replace(transform.node, drop_args(transform.node, arg))])
        return Fix(f"set {magnitude.param} to 1.0", [replace(arg.value, cst.Float("1.0"))])
    return Fix(f"set {magnitude.param} to 0", [replace(arg.value, cst.Integer("0"))])


# 1 - 0.95 is 0.050000000000000044 in floating point: a range written at the threshold is at it.
_ROUNDING = 1e-9


def check(ctx: RuleContext[Options]) -> Iterator[Report]:
    threshold = float(ctx.options.threshold)
    for transform in ctx.facts.transforms:
        for magnitude in transform.spec.magnitudes:
            if magnitude.dimension != "scale":
                continue
            arg = transform.param_node(magnitude.param)
            if arg is None:
                continue
            span = transform.magnitude_range(magnitude)
            if span is None:
                continue
            low, high = span
            largest = max(abs(low), abs(high))
            if largest == 0 or largest > threshold + _ROUNDING:
                continue
            value = ctx.model.module.code_for_node(arg.value)
            yield Report(
                arg,
                f"{transform.short_name}({magnitude.param}={value}) scales images by a factor of only "
                f"{_describe(low, high)}: every image is resampled for a change the model "
                f"cannot learn from (threshold {threshold:g})",
                hint=f"set {magnitude.param} to no scaling at all, or to a real range (e.g. ±0.1)",
                fix=_no_scaling(transform, magnitude, arg),
            )


VALID = [
    "import albumentations as A\nA.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0, rotate_limit=20)",
    "import albumentations as A\nA.ShiftScaleRotate(rotate_limit=20)  # default scale_limit 0.1",
    "import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.1)",
    "import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.06)",
    "import albumentations as A\nA.RandomScale(scale_limit=(-0.2, 0.2))",
    "import albumentations as A\nA.Affine(scale=(0.9, 1.1))",
    "import albumentations as A\nA.Affine(scale=1.0)",
    "import albumentations as A\nA.Perspective(scale=(0.01, 0.02))",
    "import albumentations as A\nA.PiecewiseAffine(scale=0.01)",
    "import albumentations as A\nA.Downscale(scale_range=(0.99, 0.99))",
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(zoom_range=0.2)",
    "from tensorflow.keras import layers\nlayers.RandomZoom(0.1)",
    "from tensorflow.keras import layers\nlayers.RandomZoom(0)",
    Valid("import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.04)", settings={"threshold": 0.03}),
    "scale_limit = 0.01\nsomething(scale_limit=scale_limit)",
]

INVALID = [
    # torchvision (transforms and transforms.v2).
    Invalid("from torchvision import transforms as T\naug = T.RandomAffine(degrees=10, scale=(0.99, 1.01))",
            range=(2, 34, 2, 52), fixed="from torchvision import transforms as T\naug = T.RandomAffine(degrees=10)"),
    Invalid("import imgaug.augmenters as iaa\naug = iaa.Sometimes(0.5, iaa.Affine(scale=(0.99, 1.01), rotate=(-10, 10)))",
            range=(2, 37, 2, 55),
            fixed="import imgaug.augmenters as iaa\naug = iaa.Sometimes(0.5, iaa.Affine(rotate=(-10, 10)))"),
    Invalid("from imgaug.augmenters import *\naug = Sequential([Affine(scale={'x': (0.995, 1.005), 'y': (0.995, 1.005)})])",
            range=(2, 26, 2, 74), fixed="from imgaug.augmenters import *\naug = Sequential([Affine()])"),
    Invalid(
        "import albumentations\n"
        "albumentations.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0.01, rotate_limit=20)",
        message="scale_limit=0.01",
        fixed="import albumentations\n"
        "albumentations.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0, rotate_limit=20)", range=(2, 53, 2, 69)
    ),
    Invalid(
        "from albumentations import ShiftScaleRotate as SSR\nSSR(scale_limit=(-0.01, 0.02))",
        fixed="from albumentations import ShiftScaleRotate as SSR\nSSR(scale_limit=0)", range=(2, 5, 2, 30)
    ),
    Invalid(
        "import albumentations as A\nSCALE = 1 / 100\nA.RandomScale(scale_limit=SCALE)",
        fixed="import albumentations as A\nSCALE = 1 / 100\nA.RandomScale(scale_limit=0)", range=(3, 15, 3, 32)
    ),
    Invalid(
        "import albumentations as A\nA.Affine(scale=(0.99, 1.01), rotate=(-20, 20))",
        message="0.99–1.01×",
        fixed="import albumentations as A\nA.Affine(rotate=(-20, 20))", range=(2, 10, 2, 28)
    ),
    Invalid(
        "from albumentations import *\nCompose([ShiftScaleRotate(scale_limit=0.02)])",
        fixed="from albumentations import *\nCompose([ShiftScaleRotate(scale_limit=0)])", range=(2, 27, 2, 43)
    ),
    Invalid(
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(zoom_range=0.01)",
        fixed="from tensorflow.keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(zoom_range=0)", range=(2, 20, 2, 35)
    ),
    Invalid(
        "import tensorflow as tf\ntf.keras.preprocessing.image.ImageDataGenerator(zoom_range=[0.99, 1.01])",
        fixed="import tensorflow as tf\ntf.keras.preprocessing.image.ImageDataGenerator(zoom_range=0)", range=(2, 49, 2, 72)
    ),
    Invalid(
        "from tensorflow.keras import layers\nlayers.RandomZoom(height_factor=0.02)",
        fixed="from tensorflow.keras import layers\nlayers.RandomZoom(height_factor=0)", range=(2, 19, 2, 37)
    ),
    Invalid("import keras\nkeras.layers.RandomZoom(0.01, 0.01)", count=2, fixed="import keras\nkeras.layers.RandomZoom(0, 0)", range=(2, 25, 2, 29)),
    Invalid(
        "import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.04)",
        settings={"threshold": 0.05},
        fixed="import albumentations as A\nA.ShiftScaleRotate(scale_limit=0)", range=(2, 20, 2, 36)
    ),
    # At the threshold is near zero, written as a limit or as the factors it gives (1 - 0.95 is
    # 0.050000000000000044 in floating point).
    Invalid(
        "import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.05)",
        fixed="import albumentations as A\nA.ShiftScaleRotate(scale_limit=0)", range=(2, 20, 2, 36)
    ),
    Invalid("from torchvision import transforms as T\nT.RandomAffine(degrees=0, scale=(0.95, 1.05))", range=(2, 27, 2, 45),
            fixed="from torchvision import transforms as T\nT.RandomAffine(degrees=0)"),
]

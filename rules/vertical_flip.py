"""RL102 vertical-flip: augmentations that turn natural photos upside down or on their side.

## What it does
Flags transforms that flip images vertically, rotate them by 90° or transpose them:
albumentations `VerticalFlip`, `Flip` (both axes; removed in 1.4.24), `RandomRotate90`,
`Transpose`, `D4`/`SquareSymmetry`; `ImageDataGenerator(vertical_flip=True)` (also through
`**aug_args`); imgaug `iaa.Flipud(p)` (its `p` defaults to 0: no flip) and `iaa.Rot90`; Keras
`RandomFlip("vertical")`, `RandomFlip("horizontal_and_vertical")` and `RandomFlip()` with no mode
(its default is `"horizontal_and_vertical"`); `tf.image.random_flip_up_down`/`flip_up_down`,
`tf.image.rot90`, `tf.image.transpose`; `torch.flip(x, dims=[-2])` and `torch.rot90(x, k, dims=(-2, -1))`
(also as a tensor's methods, `x.flip(-2)`, `x.rot90(1, (-2, -1))`)
(test-time augmentation written on tensors; negative dims name the image axes whatever the
rank, and `model(torch.flip(x, dims=[2]))` flips the height of the batch the model runs on); ttach's `d4_transform()`, `flip_transform()`, `VerticalFlip()`, `Rotate90(…)`; timm's
`create_transform(…, is_training=True, vflip=…)`; torchvision's `RandomVerticalFlip` (`transforms` and
`transforms.v2`); and a random rotation whose range goes past 90° (`RandomRotation(180)`,
`degrees=(-180, 180)`, `A.Rotate(limit=180)`, `RandomAffine(degrees=180)`). A flip under a
switch that is never on (`if rotate:` with `rotate=False` in a function only handed to `map`, or
a constant that folds to false) does not run and is not reported.
Off when the project says its images have no natural orientation:
`image-domain = "overhead" | "microscopy" | "medical"` in `[tool.reviewlint]`. With the default,
`image-domain = "auto"`, a file that names such a domain itself — dermoscopy, melanoma, ISIC,
fundus, APTOS, X-ray, MRI, histopathology, microscopy, satellite, aerial … (the words are in
`reviewlint/knowledge/domains.py`) in its path, code or comments, in a notebook's markdown
cells, or in the project's README — is taken at its word and not reported (`reviewlint check
--show-settings PATH` says what was inferred and from where); leaves and cassava
are photos people take upright and stay reported, with the setting named in the message.
`image-domain = "natural"` reports every file.

## Why it matters
Cars, faces and street scenes are never upside down at test time. Training on flipped photos
spends model capacity on views that never occur, and can make classes that differ by
orientation harder to tell apart. For satellite, microscopy or medical images, whose orientation
is arbitrary, vertical flips are sound — say so in the configuration.

## Example
```python
A.Flip(p=0.5)
layers.RandomFlip()
```

## Use instead
```python
A.HorizontalFlip(p=0.5)
layers.RandomFlip("horizontal")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewlint.api import (
    Fix,
    Invalid,
    NoOptions,
    Report,
    RuleContext,
    Severity,
    Transform,
    Valid,
    drop_args,
    insert_positional,
    rename_callee,
    replace,
    string_like,
)
from reviewlint.knowledge.domains import domain_hint, inferred_for_file
from reviewlint.knowledge.transforms import ORIENTATION_KINDS

CODE = "RL102"
NAME = "vertical-flip"
SEVERITY = Severity.WARNING
SUMMARY = "Vertical flips or 90° rotations of natural photos, which are never upside down"
TRIGGERS = ("Flip", "flip", "Rotate90", "Rot90", "Transpose", "transpose", "D4", "d4_transform", "SquareSymmetry", "rot90", "Rotat", "Affine")
# Fixes: Flip -> HorizontalFlip, RandomFlip() / RandomFlip("horizontal_and_vertical") ->
# RandomFlip("horizontal"), drop vertical_flip=True. The augmentation changes: unsafe.
FIX = "unsafe"

# A random rotation whose range goes past a quarter turn shows images upside down; up to 90°
# (albumentations' Rotate default) only tilts them, and is left alone.
_SIDEWAYS = 90.0
_WHAT = {
    "vflip": "flips images upside down",
    "rot90": "rotates images by multiples of 90°",
    "transpose": "transposes images (a flip across the diagonal)",
    "d4": "applies all eight flips and 90° rotations",
}


def _call_text(transform_name: str, mode: object) -> str:
    if transform_name == "RandomFlip":
        return f'RandomFlip({mode!r})' if mode is not None else 'RandomFlip() (default mode "horizontal_and_vertical")'
    if transform_name == "Flip":
        return "Flip (flips on both axes at random)"
    return transform_name


def _fix(ctx: RuleContext[NoOptions], transform: Transform, anchor: object, mode: object) -> Fix | None:
    name = transform.short_name
    if name == "Flip" and transform.qualname == "albumentations.Flip":
        renamed = rename_callee(ctx.model, ctx.source.text, transform.node.func, "albumentations.HorizontalFlip")
        if renamed is not None:
            edits, imports = renamed
            return Fix("use HorizontalFlip", edits, imports)
    elif name == "RandomFlip" and mode == "horizontal_and_vertical":
        arg = transform.param_node("mode")
        if arg is None:
            return Fix('use RandomFlip("horizontal")', [replace(transform.node, insert_positional(transform.node, string_like(None, "horizontal")))])
        return Fix('use RandomFlip("horizontal")', [replace(arg.value, string_like(arg.value, "horizontal"))])
    elif anchor is not None and anchor is transform.param_node("vertical_flip"):
        return Fix("drop vertical_flip=True", [replace(transform.node, drop_args(transform.node, anchor))])  # type: ignore[arg-type]  # the transform is a call here
    return None


def _outermost_call(ctx: RuleContext[NoOptions], transform: Transform) -> int:
    """The position (call order) of the outermost call that holds a transform's call, itself included."""
    enclosing = ctx.model.enclosing_calls(transform.call)
    return enclosing[-1].index if enclosing else transform.call.index


def _setting(ctx: RuleContext[NoOptions]) -> str:
    """What to set when the images have no natural orientation, naming a word of the file that suggests so."""
    hint_word = domain_hint(f"{ctx.source.path}\n{ctx.source.text}")
    if hint_word:
        return (
            f'this file mentions "{hint_word[0]}": if its images have no natural orientation, set '
            f'image-domain = "{hint_word[1]}" in [tool.reviewlint]'
        )
    return "set image-domain in [tool.reviewlint] if your images have no natural orientation"


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    domain = ctx.project.image_domain
    if domain not in ("auto", "natural"):
        return
    candidates: list[tuple[Transform, frozenset[str], float | None]] = []
    for transform in ctx.facts.transforms:
        kinds = transform.kinds() & ORIENTATION_KINDS
        turn = transform.magnitude("rotate")
        if turn is not None and turn > _SIDEWAYS:
            kinds |= {"upside_down"}  # RandomRotation(180): up to upside down
        if kinds and transform.p != 0:
            candidates.append((transform, kinds, turn))
    if not candidates or domain == "auto" and inferred_for_file(
            str(ctx.source.path), ctx.source.text, ctx.source.prose, ctx.project.readme_domain) is not None:
        return  # nothing flips, or the file, its markdown or the README names a domain without a natural orientation
    # A flip under a switch that is never on (``if rotate: …`` with ``rotate=False`` and no call setting it).
    candidates = [candidate for candidate in candidates if not ctx.model.never_runs(candidate[0].call)]
    setting = _setting(ctx)
    # Tensor operations in one expression (``torch.stack([x, x.flip(-1), x.flip(-2), …])``, the
    # views of one TTA pass): one finding, at the first.
    seen_stacks: set[int] = set()
    for transform, kinds, turn in candidates:
        if transform.spec.axes_param is not None:
            stack = _outermost_call(ctx, transform)
            if stack in seen_stacks:
                continue
            seen_stacks.add(stack)
        anchor = transform.param_node("vertical_flip") if "vertical_flip" in transform.spec.switches else None
        chance = next((param for param, (kind, _) in transform.spec.chances.items() if kind in kinds), None)
        if chance is not None:
            anchor = transform.param_node(chance)  # timm's create_transform(vflip=0.5)
        name = transform.short_name
        mode = transform.params.get("mode") if transform.spec.mode_param else None
        effective_mode = transform.params.get("mode", transform.spec.mode_default) if transform.spec.mode_param else None
        what = "; ".join(_WHAT[kind] if kind != "upside_down" else f"rotates images by up to {turn:g}°" for kind in sorted(kinds))
        hint = "use a horizontal flip only"
        if name == "RandomFlip":
            hint = 'use RandomFlip("horizontal")'
        elif name == "Flip":
            hint = "use A.HorizontalFlip(p=0.5)"
        elif chance is not None:
            hint = f"pass {chance}=0 (keep hflip)"
        elif anchor is not None:
            hint = "drop vertical_flip=True (keep horizontal_flip=True)"
        yield Report(
            anchor if anchor is not None else transform.node,
            f"{_call_text(transform.qualname if transform.spec.axes_param else name, mode)} {what}: natural photos are never seen that way at test time ({setting})",
            hint=hint,
            fix=_fix(ctx, transform, anchor, effective_mode),
        )


VALID = [
    # A rotation behind a switch whose default is off, in a function only handed to map().
    "import tensorflow as tf\ndef augment(image, label, flip=True, rotate=False):\n"
    "    if flip: image = tf.image.random_flip_left_right(image)\n"
    "    if rotate: image = tf.image.rot90(image, k=2)\n    return image, label\n"
    "train_ds = train_ds.map(augment)\n",
    "import torch\nouts = [model(x), model(torch.flip(x, dims=[-1]))]",  # the width axis: a horizontal flip
    "import torch\nx = torch.flip(x, [2])",
    "import torch\nouts = [model(x), model(torch.flip(x, dims=[3]))]",  # a batch's width axis
    "from timm.data import create_transform\ntf = create_transform(224, vflip=0.5)",  # is_training=False: no augmentation
    "import ttach as tta\nm = tta.ClassificationTTAWrapper(model, tta.aliases.hflip_transform())",  # a positive dim: the height of a batch or the width of one image
    "from imgaug import augmenters as iaa\nseq = iaa.Sequential([iaa.Fliplr(0.5), iaa.Flipud()])",  # Flipud's p defaults to 0
    "import albumentations as A\nA.HorizontalFlip(p=0.5)",
    "from tensorflow.keras import layers\nlayers.RandomFlip('horizontal')",
    "from tensorflow.keras import layers\nlayers.RandomFlip(mode='horizontal')",
    "from keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(horizontal_flip=True, vertical_flip=False)",
    "import tensorflow as tf\nx = tf.image.random_flip_left_right(x)",
    "import albumentations as A\nA.VerticalFlip(p=0)",
    Valid("import albumentations as A\nA.Flip(p=0.5)\nA.RandomRotate90()", settings={"image-domain": "overhead"}),
    Valid("from tensorflow.keras import layers\nlayers.RandomFlip()", settings={"image-domain": "microscopy"}),
    # The default (auto): the file says its images are dermoscopy.
    Valid("# SIIM-ISIC melanoma classification\nimport albumentations as A\nA.VerticalFlip()", settings={"image-domain": "auto"}),
    "def flip(img):\n    return img[::-1]  # not an augmentation API",
    "from torchvision import transforms as T\nT.Compose([T.RandomHorizontalFlip(), T.RandomRotation(15)])",
    "import albumentations as A\nA.Rotate()  # up to 90 degrees: tilted, not upside down",
    "from torchvision.transforms import v2\nv2.RandomVerticalFlip(p=0.0)",
    "class VerticalFlip:\n    pass\nVerticalFlip()",
    # A tensor's own flip of the width, and of a sequence's time axis (not an image's height).
    "import torch\npreds = [model(x), model(x.flip(-1)), model(x.flip(3))]",
    "import torch\nbackward = hidden.flip(1)",
]

INVALID = [
    # timm's transform factory, for training; ttach test-time augmentation.
    Invalid("from timm.data import create_transform\ntf = create_transform(224, is_training=True, vflip=0.5)",
            message="create_transform flips images upside down", range=(2, 46, 2, 55)),
    Invalid("import ttach as tta\nm = tta.ClassificationTTAWrapper(model, tta.aliases.d4_transform())",
            message="d4_transform applies all eight flips and 90° rotations", range=(2, 41, 2, 67)),
    # PyTorch TTA written on tensors.
    # Run by the model straight away: an (N, C, H, W) batch, whose axis 2 is the height.
    Invalid("import torch\nouts = [model(x), model(torch.flip(x, dims=[2]))]", message="torch.flip flips images upside down",
            range=(2, 25, 2, 48)),
    Invalid("import torch\nouts = [model(x), model(torch.flip(x, dims=[-2]))]", message="torch.flip flips images upside down",
            range=(2, 25, 2, 49)),
    Invalid("import torch\npred = model(torch.rot90(x, 1, (-2, -1)))", message="torch.rot90 rotates images by multiples of 90°",
            range=(2, 14, 2, 41)),
    Invalid("import torch\nbatch = torch.rot90(images, 3, [2, 3])", range=(2, 9, 2, 39)),
    # The same operations as a tensor's methods: eight TTA views stacked into one batch.
    Invalid("import torch\nx = torch.stack([x, x.flip(-1), x.flip(-2), x.flip(-1, -2)], 0)\npreds = model(x)",
            message="torch.Tensor.flip flips images upside down", range=(2, 33, 2, 43)),
    Invalid("import torch\npreds = model(images.flip(2))", message="torch.Tensor.flip flips images upside down", range=(2, 15, 2, 29)),
    Invalid("import torch\npred = model(x.rot90(dims=(2, 3), k=1))", message="torch.Tensor.rot90 rotates images", range=(2, 14, 2, 39)),
    # The last star import binds a name both export (torchvision's transforms, not torch.nn).
    Invalid("from torch.nn import *\nfrom torchvision.transforms import *\naug = Compose([RandomHorizontalFlip(), RandomVerticalFlip()])",
            message="RandomVerticalFlip flips images upside down", range=(3, 40, 3, 60)),
    # A star import of torchvision binds its transforms module.
    Invalid("from torchvision import *\naug = transforms.Compose([transforms.RandomVerticalFlip(0.3)])",
            message="RandomVerticalFlip flips images upside down", range=(2, 27, 2, 61)),
    # torchvision, v1 and v2.
    Invalid("from torchvision import transforms as T\naug = T.Compose([T.RandomHorizontalFlip(), T.RandomVerticalFlip()])",
            message="RandomVerticalFlip flips images upside down", range=(2, 44, 2, 66)),
    Invalid("import torchvision.transforms.v2 as v2\naug = v2.RandomVerticalFlip(0.5)", range=(2, 7, 2, 33)),
    Invalid("from torchvision import transforms\naug = transforms.RandomRotation(180)",
            message="RandomRotation rotates images by up to 180°", range=(2, 7, 2, 37)),
    Invalid("from torchvision import transforms\naug = transforms.RandomRotation(degrees=(-180, 180))", range=(2, 7, 2, 53)),
    Invalid("import imgaug.augmenters as iaa\nseq = iaa.Sequential([iaa.Fliplr(0.5), iaa.Flipud(0.5)])", range=(2, 40, 2, 55)),
    Invalid(
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "aug_args = {'vertical_flip': True, 'zoom_range': 0.2}\ngen = ImageDataGenerator(**aug_args)",
        range=(3, 7, 3, 37),
    ),
    Invalid("# APTOS 2019: fundus photographs\nimport albumentations as A\nA.VerticalFlip()", message='image-domain = "medical"', range=(3, 1, 3, 17)),
    # The default infers the domain from strong words only: leaves are photographed upright.
    Invalid("# cassava leaf disease\nimport albumentations as A\nA.VerticalFlip()", message='image-domain = "overhead"',
            settings={"image-domain": "auto"}, range=(3, 1, 3, 17)),
    Invalid(
        "import albumentations\nalbumentations.Flip(p=0.5)",
        message="both axes",
        fixed="import albumentations\nalbumentations.HorizontalFlip(p=0.5)", range=(2, 1, 2, 27)
    ),
    Invalid("import albumentations as A\nA.Compose([A.VerticalFlip(p=0.5), A.HorizontalFlip()])", range=(2, 12, 2, 33)),
    Invalid("from albumentations import RandomRotate90 as R90\nR90()", range=(2, 1, 2, 6)),
    Invalid("import albumentations as A\nA.Transpose()", range=(2, 1, 2, 14)),
    Invalid("import albumentations as A\nA.D4()", range=(2, 1, 2, 7)),
    Invalid("import albumentations as A\nA.SquareSymmetry(p=1)", range=(2, 1, 2, 22)),
    Invalid(
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "ImageDataGenerator(horizontal_flip=True, vertical_flip=True)",
        fixed="from tensorflow.keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(horizontal_flip=True)", range=(2, 42, 2, 60)
    ),
    Invalid(
        "import tensorflow as tf\ntf.keras.layers.RandomFlip()",
        message="default mode",
        fixed='import tensorflow as tf\ntf.keras.layers.RandomFlip("horizontal")', range=(2, 1, 2, 29)
    ),
    Invalid(
        "import tensorflow as tf\ntf.keras.layers.RandomFlip(seed=1)",
        fixed='import tensorflow as tf\ntf.keras.layers.RandomFlip("horizontal", seed=1)', range=(2, 1, 2, 35)
    ),
    Invalid("import tensorflow as tf\ntf.keras.layers.experimental.preprocessing.RandomFlip('vertical')", range=(2, 1, 2, 66)),
    Invalid(
        "from keras import layers\nlayers.RandomFlip(mode='horizontal_and_vertical')",
        fixed="from keras import layers\nlayers.RandomFlip(mode='horizontal')", range=(2, 1, 2, 50)
    ),
    Invalid(
        "from keras import layers\nMODE = 'horizontal_and_vertical'\nlayers.RandomFlip(MODE)",
        fixed="from keras import layers\nMODE = 'horizontal_and_vertical'\nlayers.RandomFlip(\"horizontal\")", range=(3, 1, 3, 24)
    ),
    Invalid("import tensorflow as tf\ndef aug(x):\n    return tf.image.random_flip_up_down(x)", range=(3, 12, 3, 43)),
    Invalid("import torchvision.transforms as T\nT.RandomVerticalFlip()", range=(2, 1, 2, 23)),
    Invalid("from albumentations import *\nCompose([Flip()])", fixed="from albumentations import *\nCompose([HorizontalFlip()])", range=(2, 10, 2, 16)),
    Invalid(
        "from albumentations import Compose, Flip\nCompose([Flip(p=0.5)])",
        fixed="from albumentations import Compose, HorizontalFlip\nCompose([HorizontalFlip(p=0.5)])", range=(2, 10, 2, 21)
    ),
    Invalid(
        "from albumentations import Flip as F, HorizontalFlip\nF(p=0.5)\nF()",
        count=2,
        fixed="from albumentations import HorizontalFlip as F, HorizontalFlip\nF(p=0.5)\nF()", range=(2, 1, 2, 9)
    ),
    Invalid(
        "from albumentations import Flip, HorizontalFlip\nt = [Flip(p=0.5), HorizontalFlip()]",
        fixed="from albumentations import HorizontalFlip\nt = [HorizontalFlip(p=0.5), HorizontalFlip()]", range=(2, 6, 2, 17)
    ),
]

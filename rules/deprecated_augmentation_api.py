"""RL103 deprecated-augmentation-api: an augmentation class or argument that was deprecated, removed or renamed.

## What it does
Flags albumentations and Keras augmentation APIs that changed, and says what replaces them and
since which version: `Flip` (deprecated in 1.4.15, removed in 1.4.24), `ShiftScaleRotate` (a
special case of `Affine` that warns since 2.0), `Cutout`, `JpegCompression`, `RandomBrightness`,
`RandomContrast`, `ToTensor` and the `IAA…` imgaug wrappers; the border-fill arguments `value`,
`mask_value`, `cval`, `cval_mask`, `mode`, `fill_value`, `mask_fill_value` (now `fill`,
`fill_mask`, `border_mode`), `always_apply` (now `p=1`), and a few more renamed ranges
(`CoarseDropout(max_holes=…)`, `RandomResizedCrop(height=…, width=…)` and its positional
`RandomResizedCrop(h, w)`, `GaussNoise(var_limit=…)`,
`ImageCompression(quality_lower=…)`, `Downscale(scale_min=…)`); and Keras' `ImageDataGenerator`.
The table, with the source of each fact, is `reviewlint/knowledge/api_changes.py`. A class is
reported at the call (a removed class imported and never called, at the import: the import
itself fails; one finding per line of the import statement); the renamed arguments of a call
written on one line are one finding, at
the first of them, with one fix for all the call's arguments (when each has a safe rewrite).

When the project says which albumentations it runs — `albumentations-version = "1.3.1"` in
`[tool.reviewlint]`, or a pin (`albumentations==1.3.1`, `~=`, conda's `=`; in Poetry's or a
Pipfile's table `albumentations = "^0.4.6"`, whose caret or tilde fixes the 0.4 line) in its
`requirements*.txt`, `pyproject.toml`, `Pipfile`, `setup.cfg` or conda environment file
(`environment.yml`, `env.yml`, `conda.yml`), or, in a notebook, its own `!pip install albumentations==1.3.1` line
(what that notebook runs with; the configuration still wins) — only changes made in
that version or earlier are reported (and so no fix writes a spelling that version rejects, such
as `size=` or `quality_range=` on 1.3.1). Without a pin, every change is reported.

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

import re
from collections.abc import Iterator

import libcst as cst

from reviewlint.api import (
    CallSite,
    Fix,
    Invalid,
    NoOptions,
    Report,
    RuleContext,
    Severity,
    SyntaxHooks,
    Valid,
    keyword_arg,
    rename_callee,
    replace,
    with_args,
)
from reviewlint.knowledge.api_changes import POSITIONAL, POSITIONAL_EFFECT, ApiChange, argument_changes, class_change

CODE = "RL103"
NAME = "deprecated-augmentation-api"
SEVERITY = Severity.WARNING
SUMMARY = "Augmentation class or argument that was deprecated, removed or renamed"
TRIGGERS = ("albumentations", "ImageDataGenerator")
# Renamed arguments are safe fixes: the same setting, spelled as albumentations 2.x reads it
# (value= -> fill=, always_apply=True -> p=1.0, height=/width= -> size=(h, w) …). Replacing a
# removed class by a different one (Flip -> HorizontalFlip) changes the augmentation: unsafe.
FIX = "mixed"

# Classes replaced by one with a different behaviour, when the fix is a plain rename.
_CLASS_RENAMES = {"albumentations.Flip": "albumentations.HorizontalFlip"}
# Arguments merged into one range argument: (first, second) -> new name, both must be given.
_PAIRS = {
    "height": ("height", "width", "size"),
    "width": ("height", "width", "size"),
    "quality_lower": ("quality_lower", "quality_upper", "quality_range"),
    "quality_upper": ("quality_lower", "quality_upper", "quality_range"),
    "scale_min": ("scale_min", "scale_max", "scale_range"),
    "scale_max": ("scale_min", "scale_max", "scale_range"),
}


def _arguments_fix(ctx: RuleContext[NoOptions], call: CallSite, changes: dict[str, ApiChange]) -> Fix | None:
    """One fix for every renamed argument of a call, or None when one of them has no safe
    rewrite (a change of meaning: ``var_limit`` -> ``std_range``, ``max_holes`` -> ``num_holes_range`` …)."""
    node = call.node
    keywords = call.keywords()
    dropped: set[int] = set()
    changed: dict[int, cst.Arg] = {}
    done: list[str] = []
    for name, change in changes.items():
        arg = keywords[name]
        if id(arg) in dropped or id(arg) in changed:
            continue  # the second of a pair, merged with the first
        if name == "always_apply":
            value = ctx.model.value(arg.value)
            if value is False:
                dropped.add(id(arg))
                done.append("drop always_apply=False")
                continue
            if value is not True:
                return None
            p = keywords.get("p")
            if p is None:
                changed[id(arg)] = arg.with_changes(keyword=cst.Name("p"), value=cst.Float("1.0"))
            else:
                changed[id(p)] = p.with_changes(value=cst.Float("1.0"))
                dropped.add(id(arg))
            done.append("write p=1.0")
        elif name in _PAIRS:
            first, second, merged = _PAIRS[name]
            if first not in keywords or second not in keywords or merged in keywords:
                return None
            changed[id(keywords[first])] = keyword_arg(merged, _pair(keywords[first].value, keywords[second].value)).with_changes(
                comma=keywords[first].comma)
            dropped.add(id(keywords[second]))
            done.append(f"write {merged}=({first}, {second})")
        elif not change.replacement.isidentifier():
            return None
        elif change.replacement in keywords:
            dropped.add(id(arg))
            done.append(f"drop {name}= ({change.replacement}= is given)")
        else:
            changed[id(arg)] = arg.with_changes(keyword=cst.Name(change.replacement))
            done.append(f"write {change.replacement}=")
    args = [changed.get(id(arg), arg) for arg in node.args if id(arg) not in dropped]
    return Fix("; ".join(done), [replace(node, with_args(node, args))], safe=True)


_PLURAL = {"was": "were", "is": "are", "it": "them", "has": "have"}


def _plural(text: str) -> str:
    """A predicate about one argument, said of several (``was removed`` -> ``were removed``)."""
    return re.sub(r"\b(was|is|it|has)\b", lambda match: _PLURAL[match.group()], text)


def _pair(first: cst.BaseExpression, second: cst.BaseExpression) -> cst.Tuple:
    """``(first, second)``: two arguments merged into one range or size."""
    return cst.Tuple([cst.Element(first, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(second)])


def _arguments_message(short: str, changes: dict[str, ApiChange]) -> str:
    """What changed in a call's arguments: one clause per change, arguments that changed alike together."""
    by_change: dict[tuple[str, str], list[str]] = {}
    for name, change in changes.items():
        by_change.setdefault((change.change, change.effect), []).append(name)
    clauses = []
    for (what, effect), names in by_change.items():
        subject = " and ".join(f"`{name}`" for name in names) if len(names) <= 2 else ", ".join(f"`{name}`" for name in names)
        if len(names) > 1:
            what, effect = _plural(what), re.sub(r"\bit\b", "them", effect)
        clauses.append(f"{subject} {what}{f'; {effect}' if effect else ''}")
    replacements = list(dict.fromkeys(change.replacement for change in changes.values()))
    shown = ", ".join(f"{name}=…" for name in changes)
    return f"{short}({shown}): {'; '.join(clauses)}. Use {', '.join(replacements)}"


def _class_fix(ctx: RuleContext[NoOptions], call: CallSite) -> Fix | None:
    new = _CLASS_RENAMES.get(call.qualname or "")
    if new is None:
        return None
    renamed = rename_callee(ctx.model, ctx.source.text, call.node.func, new)
    if renamed is None:
        return None
    edits, imports = renamed
    return Fix(f"use {new.rsplit('.', 1)[1]}", edits, imports, safe=False)


def _gone_imports(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    """A removed class imported and never called (``from albumentations.pytorch import ToTensor``):
    the import itself fails on a current install, one finding per line of the import statement. A call of it
    is reported at the call."""
    called = {call.qualname for call in ctx.model.calls}
    for line in ctx.syntax(ImportedNames).found:
        gone: list[tuple[cst.ImportAlias, str, ApiChange]] = []
        for alias, local in line:
            qualname = ctx.model.imports.resolve_dotted(local) or ""
            change = class_change(qualname)
            if change is not None and change.gone and qualname not in called and _current(ctx, qualname, change):
                gone.append((alias, qualname.rsplit(".", 1)[-1], change))
        if not gone:
            continue
        names = ", ".join(dict.fromkeys(short for _, short, _ in gone))
        what = gone[0][2].change if len(gone) == 1 else "are gone from current albumentations"
        uses = ", ".join(dict.fromkeys(change.replacement for _, _, change in gone))
        yield Report(
            gone[0][0],
            f"{names} {what}: importing {'it' if len(gone) == 1 else 'them'} fails on a current install. Use {uses}",
            hint=f"import {', '.join(dict.fromkeys(change.replacement.split('(')[0] for _, _, change in gone))} instead",
        )


def _positional(ctx: RuleContext[NoOptions], call: CallSite, short: str, renamed: dict[str, ApiChange]) -> Iterator[Report]:
    """``A.RandomResizedCrop(h, w)``: height and width where albumentations 2.x has other parameters."""
    positional = [arg for arg in call.node.args if arg.keyword is None and not arg.star]
    by_name = dict(zip(POSITIONAL.get(short, ()), positional))
    height, width = by_name.get("height"), by_name.get("width")
    change = renamed.get("height")
    if height is None or width is None or change is None or not _current(ctx, call.qualname or "", change):
        return
    if isinstance(height.value, (cst.Tuple, cst.List)) or isinstance(ctx.model.value(height.value), (tuple, list)):
        return  # RandomResizedCrop((224, 224), (0.8, 1.0)): already size and scale
    fix = None
    if positional[-1] is width and "size" not in call.keywords():
        args = [keyword_arg("size", _pair(height.value, width.value)).with_changes(comma=a.comma) if a is height else a
                for a in call.node.args if a is not width]
        fix = Fix("write size=(height, width)", [replace(call.node, with_args(call.node, args))], safe=True)
    code = ctx.model.module.code_for_node
    yield Report(
        height,
        f"{short}({code(height.value)}, {code(width.value)}): height and width passed by position {change.change}; "
        f"{POSITIONAL_EFFECT}. Use size=(height, width)",
        hint="write size=(height, width)",
        fix=fix,
    )


def _current(ctx: RuleContext[NoOptions], qualname: str, change: ApiChange) -> bool:
    """Whether the change concerns the albumentations version the project declares (always, when
    it declares none)."""
    version = ctx.project.albumentations_version
    return version is None or not qualname.startswith("albumentations.") or version >= change.since


class ImportedNames(SyntaxHooks):
    """The names ``from … import …`` statements bind, with the alias node that binds each: one
    list per line of each statement (``from albumentations import (\n    Flip, Cutout,\n    IAASharpen)``
    gives two)."""

    def __init__(self) -> None:
        self.found: list[list[tuple[cst.ImportAlias, str]]] = []

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        line: list[tuple[cst.ImportAlias, str]] = []
        for alias in node.names:
            name = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(name, cst.Name):
                line.append((alias, name.value))
            if isinstance(alias.comma, cst.Comma) and isinstance(alias.comma.whitespace_after, cst.ParenthesizedWhitespace) and line:
                self.found.append(line)  # the next name starts a new line
                line = []
        if line:
            self.found.append(line)


SYNTAX = ImportedNames


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    yield from _gone_imports(ctx)
    for call in ctx.model.calls:
        qualname = call.qualname
        if qualname is None:
            continue
        short = qualname.rsplit(".", 1)[-1]
        change = class_change(qualname)
        if change is not None and _current(ctx, qualname, change):
            effect = f"; {change.effect}" if change.effect else ""
            yield Report(
                call.node,
                f"{short} {change.change}{effect}. Use {change.replacement}",
                hint=f"replace {short} with {change.replacement}",
                fix=_class_fix(ctx, call),
            )
        renamed = argument_changes(qualname)
        if not renamed:
            continue
        yield from _positional(ctx, call, short, renamed)
        keywords = call.keywords()
        changes = {name: change for name, change in renamed.items() if name in keywords and _current(ctx, qualname, change)}
        if not changes:
            continue
        fix = _arguments_fix(ctx, call, changes)
        hint = f"write {', '.join(dict.fromkeys(change.replacement for change in changes.values()))} instead"
        # One finding per line of the call that holds changed arguments, at the first of them.
        for line in _by_line(call.node, [keywords[name] for name in changes]):
            names = [arg.keyword.value for arg in line if arg.keyword is not None]
            yield Report(line[0], _arguments_message(short, {name: changes[name] for name in names}), hint=hint, fix=fix)


def _by_line(call: cst.Call, changed: list[cst.Arg]) -> list[list[cst.Arg]]:
    """The changed arguments of a call, in order, grouped by the line they are written on."""
    wanted = {id(arg) for arg in changed}
    groups: list[list[cst.Arg]] = []
    new_line = True
    for arg in call.args:
        if id(arg) in wanted:
            if new_line or not groups:
                groups.append([])
            groups[-1].append(arg)
            new_line = False
        comma = arg.comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            new_line = True
    return groups


VALID = [
    # The project runs albumentations 1.3.1, where these spellings are current.
    Valid("import albumentations as A\nA.Compose([A.RandomResizedCrop(height=224, width=224), A.Rotate(limit=30, value=0)])",
          settings={"albumentations-version": "1.3.1"}),
    "import albumentations as A\nA.Compose([A.HorizontalFlip(), A.Affine(rotate=(-20, 20), fill=0)])",
    "import albumentations as A\nA.Rotate(limit=30, border_mode=0, fill=0, fill_mask=0)",
    "import albumentations as A\nA.OpticalDistortion(mode='fisheye')  # mode is still a parameter here",
    "import albumentations as A\nA.CoarseDropout(num_holes_range=(1, 8), hole_height_range=(8, 32), fill=0)",
    "import albumentations as A\nA.RandomResizedCrop(size=(224, 224))",
    "import albumentations as A\nA.RandomResizedCrop((224, 224), (0.8, 1.0))",  # 2.x: size, scale
    "import albumentations as A\nA.Normalize(p=1.0)",
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator as IDG  # only imported",
    "import tensorflow as tf\ntf.keras.utils.image_dataset_from_directory('train', shuffle=True)",
    "from tensorflow.keras import layers\nlayers.RandomFlip('horizontal')",
    # a user's own class of the same name is not albumentations'
    "class Flip:\n    pass\nFlip()",
    "import numpy as np\nnp.flip(x, 0)",
    "import cv2\ncv2.copyMakeBorder(img, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)",
    # Imported and deprecated, but still importable: nothing to report until it is called.
    "from albumentations import ShiftScaleRotate, HorizontalFlip\nHorizontalFlip()\n",
]

INVALID = [
    # ... but Cutout warned already in 1.3.
    Invalid("import albumentations as A\nA.Cutout(num_holes=8)", settings={"albumentations-version": "1.3.1"},
            range=(2, 1, 2, 22)),
    Invalid(
        "import albumentations\nalbumentations.Flip(p=0.5)",
        message="Flip was deprecated in albumentations 1.4.15",
        fixed="import albumentations\nalbumentations.HorizontalFlip(p=0.5)", range=(2, 1, 2, 27)
    ),
    Invalid(
        "import albumentations as A\nA.Compose([A.Flip()])",
        message="Use HorizontalFlip",
        fixed="import albumentations as A\nA.Compose([A.HorizontalFlip()])", range=(2, 12, 2, 20)
    ),
    Invalid(
        "from albumentations import Flip as F\nF()",
        message="removed in 1.4.24",
        fixed="from albumentations import HorizontalFlip as F\nF()", range=(2, 1, 2, 4)
    ),
    Invalid(
        "from albumentations import *\nCompose([Flip(), HorizontalFlip()])",
        fixed="from albumentations import *\nCompose([HorizontalFlip(), HorizontalFlip()])", range=(2, 10, 2, 16)
    ),
    Invalid("import albumentations as A\nA.ShiftScaleRotate(rotate_limit=20)", message="Use Affine(", range=(2, 1, 2, 36)),
    Invalid(
        "import albumentations as A\nimport cv2\nA.ShiftScaleRotate(border_mode=cv2.BORDER_CONSTANT, value=0, mask_value=0)",
        count=2,
        fixed="import albumentations as A\nimport cv2\nA.ShiftScaleRotate(border_mode=cv2.BORDER_CONSTANT, fill=0, fill_mask=0)", range=(3, 1, 3, 75)
    ),
    Invalid(
        "import albumentations as A\nA.Rotate(limit=30, value=0)",
        message="Rotate(value=…): `value` was deprecated during albumentations 1.4.x and removed in 2.0.0",
        fixed="import albumentations as A\nA.Rotate(limit=30, fill=0)", range=(2, 20, 2, 27)
    ),
    Invalid(
        "import albumentations as A\nA.Rotate(limit=30, value=0, fill=0)",
        fixed="import albumentations as A\nA.Rotate(limit=30, fill=0)", range=(2, 20, 2, 27)
    ),
    Invalid(
        "import albumentations as A\nA.Affine(rotate=10, cval=0, cval_mask=0, mode=0)",
        message="Use fill",
        fixed="import albumentations as A\nA.Affine(rotate=10, fill=0, fill_mask=0, border_mode=0)", range=(2, 21, 2, 27)
    ),
    Invalid(
        "import albumentations as A\nA.PadIfNeeded(64, 64, border_mode=0, value=0)",
        message="Use fill",
        fixed="import albumentations as A\nA.PadIfNeeded(64, 64, border_mode=0, fill=0)", range=(2, 38, 2, 45)
    ),
    Invalid(
        "import albumentations as A\nA.Normalize(always_apply=True)",
        message="runs with probability p, not always",
        fixed="import albumentations as A\nA.Normalize(p=1.0)", range=(2, 13, 2, 30)
    ),
    Invalid(
        "import albumentations as A\nA.Blur(always_apply=True, p=0.5)",
        fixed="import albumentations as A\nA.Blur(p=1.0)", range=(2, 8, 2, 25)
    ),
    Invalid(
        "import albumentations as A\nA.CLAHE(clip_limit=2.0, always_apply=False, p=0.1)",
        fixed="import albumentations as A\nA.CLAHE(clip_limit=2.0, p=0.1)", range=(2, 25, 2, 43)
    ),
    Invalid("import albumentations as A\nA.CoarseDropout(max_holes=8, max_height=16, max_width=16)", range=(2, 17, 2, 28)),
    # One finding per line of changed arguments.
    Invalid("import albumentations as A\nA.CoarseDropout(max_holes=8,\n                max_height=16, max_width=16)", count=2,
            message="CoarseDropout(max_holes=…)", range=(2, 17, 2, 28)),
    Invalid(
        "import albumentations as A\nA.RandomResizedCrop(CFG.size, CFG.size, p=1.0)",
        message="RandomResizedCrop(CFG.size, CFG.size): height and width passed by position", range=(2, 21, 2, 29),
        fixed="import albumentations as A\nA.RandomResizedCrop(size=(CFG.size, CFG.size), p=1.0)",
    ),
    Invalid(
        "import albumentations as A\nA.RandomResizedCrop(height=224, width=224)",
        message="size=(height, width)",
        fixed="import albumentations as A\nA.RandomResizedCrop(size=(224, 224))", range=(2, 21, 2, 31)
    ),
    Invalid(
        "import albumentations as A\nA.RandomResizedCrop(scale=(0.7, 1.0), height=H, width=W, p=0.3)",
        fixed="import albumentations as A\nA.RandomResizedCrop(scale=(0.7, 1.0), size=(H, W), p=0.3)", range=(2, 39, 2, 47)
    ),
    Invalid(
        "import albumentations as A\nA.ImageCompression(quality_lower=70, quality_upper=95)",
        fixed="import albumentations as A\nA.ImageCompression(quality_range=(70, 95))", range=(2, 20, 2, 36)
    ),
    Invalid("import albumentations as A\nA.Cutout(num_holes=8)", message="Use CoarseDropout", range=(2, 1, 2, 22)),
    # Imported, never called: the import itself fails.
    Invalid("from albumentations.pytorch import ToTensor\nx = 1\n", message="importing it fails", range=(1, 36, 1, 44)),
    Invalid("from albumentations import Cutout, HorizontalFlip, RandomBrightness\nHorizontalFlip()\n",
            message="Cutout, RandomBrightness are gone", range=(1, 28, 1, 34)),
    # One finding per line of a statement written over several lines (the second one at IAASharpen).
    Invalid("from albumentations import (\n    HorizontalFlip, Flip,\n    GaussNoise, IAASharpen, IAAEmboss,\n)\nHorizontalFlip()\nGaussNoise()\n",
            count=2, message="Flip was deprecated", range=(2, 21, 2, 25)),
    Invalid(
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nImageDataGenerator(rescale=1/255)",
        message="ImageDataGenerator is deprecated since TensorFlow 2.11", range=(2, 1, 2, 34)
    ),
    Invalid("import tensorflow as tf\ntf.keras.preprocessing.image.ImageDataGenerator()", message="image_dataset_from_directory", range=(2, 1, 2, 50)),
    Invalid("import tensorflow\ntensorflow.keras.preprocessing.image.ImageDataGenerator()", range=(2, 1, 2, 58)),
    Invalid("import keras\nkeras.preprocessing.image.ImageDataGenerator(horizontal_flip=True)", range=(2, 1, 2, 67)),
    Invalid("from keras.preprocessing.image import ImageDataGenerator as IDG\ngen = IDG(rotation_range=20)", range=(2, 7, 2, 29)),
]

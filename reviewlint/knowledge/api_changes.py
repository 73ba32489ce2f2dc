"""Augmentation APIs that were deprecated, removed or renamed, and what replaces them.

Sources, unless an entry says otherwise:
- albumentations 1.3.1 and 2.0.8 wheels (pypi.org/project/albumentations): the ``__init__``
  signature of every transform class, compared between the two versions; deprecation warnings
  in the 1.3.1 source (``warnings.warn(... FutureWarning)``).
- albumentations 2.0.8 ``core/validation.py``: a keyword a transform does not accept is *ignored*
  with ``UserWarning: Argument(s) '…' are not valid for transform …`` and the default is used
  (checked: ``A.Rotate(limit=10, value=3, always_apply=True).p == 0.5`` under 2.0.8).
- albumentations pull requests #2240, #2243, #2244, #2245, #2249, #2250, #2255 (merged
  2025-01-07, before 2.0.0 was published on 2025-01-11): "remove/replace deprecated
  ``value``/``mask_value``, ``cval``/``cval_mask``/``mode``, ``fill_value``/``mask_fill_value``
  with ``fill``/``fill_mask``/``border_mode``".
- albumentations 1.4.7 release notes: ``ImageCompression(quality_lower, quality_upper)`` ->
  ``quality_range``, ``Downscale(scale_min, scale_max)`` -> ``scale_range`` (old way deprecated).
- Keras: ``keras/src/legacy/preprocessing/image.py`` (Keras 3.15) exports ``ImageDataGenerator``
  only as ``keras._legacy…`` with the docstring "DEPRECATED."; Keras 3's public
  ``keras.preprocessing.image`` no longer has it (only tf.keras / tf_keras keep it); the
  TensorFlow 2.11+ API docs mark ``tf.keras.preprocessing.image`` "Deprecated: … not recommended
  for new code. Prefer … ``tf.keras.utils.image_dataset_from_directory`` … with preprocessing
  layers" (https://www.tensorflow.org/versions/r2.12/api_docs/python/tf/keras/preprocessing/image).
"""

from __future__ import annotations

from dataclasses import dataclass

_GONE = "was deprecated in albumentations 1.3 (FutureWarning) and is gone in 2.x"
_IGNORED = "albumentations 2.x ignores it with a warning and uses the default"
_1_4_7 = "was deprecated in albumentations 1.4.7 and is gone in 2.x"
_FILL_2_0 = "was deprecated during albumentations 1.4.x and removed in 2.0.0"


@dataclass(frozen=True)
class ApiChange:
    """One deprecated or removed class, or one renamed argument."""

    replacement: str  # what to use instead, as the user would write it
    change: str  # which version changed what, as a predicate: "was removed in 2.0.0"
    effect: str = ""  # what the old spelling does on a current install, as a clause
    # The first albumentations version known to warn about or reject the old spelling (where the
    # deprecation release is not known exactly, the removal): a project that declares an earlier
    # version is not told, and its replacement may not exist there yet.
    since: tuple[int, ...] = (0,)
    # A class current albumentations no longer has: importing it fails (ImportError), so an import
    # of it is reported even where the file never calls it.
    gone: bool = False


# Classes, by canonical qualified name.
CLASSES: dict[str, ApiChange] = {
    # Versions as given in the project brief (albumentations release notes 1.4.15 / 1.4.24, not
    # re-read here); checked: 1.3.1 has Flip, 2.0.8 has not (AttributeError).
    "albumentations.Flip": ApiChange(
        "HorizontalFlip (add VerticalFlip only if upside-down images can occur; D4/SquareSymmetry for all 8 symmetries)",
        "was deprecated in albumentations 1.4.15 and removed in 1.4.24",
        since=(1, 4, 15), gone=True,
    ),
    # albumentations 2.0.8 geometric/transforms.py: ShiftScaleRotate subclasses Affine and warns
    # "ShiftScaleRotate is a special case of Affine transform. Please use Affine transform instead."
    "albumentations.ShiftScaleRotate": ApiChange(
        "Affine(translate_percent=…, scale=…, rotate=…)",
        "is a special case of Affine in albumentations 2.x, which warns on every construction",
        since=(2, 0, 0),
    ),
    # 1.3.1 dropout/cutout.py: "Cutout has been deprecated. Please use CoarseDropout"; absent in 2.0.8.
    "albumentations.Cutout": ApiChange(
        "CoarseDropout", _GONE, since=(1, 3, 0), gone=True
    ),
    # 1.3.1 transforms.py: "JpegCompression has been deprecated. Please use ImageCompression".
    "albumentations.JpegCompression": ApiChange(
        "ImageCompression", _GONE, since=(1, 3, 0), gone=True
    ),
    # 1.3.1 transforms.py: "... has been deprecated. Please use RandomBrightnessContrast".
    "albumentations.RandomBrightness": ApiChange(
        "RandomBrightnessContrast(contrast_limit=0)",
        _GONE,
        since=(1, 3, 0), gone=True,
    ),
    "albumentations.RandomContrast": ApiChange(
        "RandomBrightnessContrast(brightness_limit=0)",
        _GONE,
        since=(1, 3, 0), gone=True,
    ),
    # albumentations 1.0.0 release notes: "ToTensor ... is completely removed ... switch to ToTensorV2".
    "albumentations.ToTensor": ApiChange("ToTensorV2", "was removed in albumentations 1.0.0", "it raises RuntimeError", since=(1, 0, 0),
                                       gone=True),
    "keras.preprocessing.image.ImageDataGenerator": ApiChange(
        "keras.utils.image_dataset_from_directory plus preprocessing layers (RandomFlip, RandomRotation, …)",
        "is deprecated since TensorFlow 2.11 ('not recommended for new code')",
        "Keras 3's keras.preprocessing.image no longer has it (only tf_keras and keras.src.legacy do)",
    ),
}

# imgaug wrappers: 1.3.1 imgaug/transforms.py deprecates each one with a FutureWarning naming the
# replacement; none of them exists in 2.0.8.
_IAA = {
    "IAACropAndPad": "CropAndPad",
    "IAAFliplr": "HorizontalFlip",
    "IAAFlipud": "VerticalFlip",
    "IAAEmboss": "Emboss",
    "IAASuperpixels": "Superpixels",
    "IAASharpen": "Sharpen",
    "IAAAdditiveGaussianNoise": "GaussNoise",
    "IAAPiecewiseAffine": "PiecewiseAffine",
    "IAAAffine": "Affine",
    "IAAPerspective": "Perspective",
}
for _old, _new in _IAA.items():
    CLASSES[f"albumentations.{_old}"] = ApiChange(
        _new, "was deprecated in albumentations 1.x (an imgaug wrapper) and is gone in 2.x", since=(1, 3, 0), gone=True
    )


def _fill(new: str) -> ApiChange:
    return ApiChange(new, _FILL_2_0, _IGNORED, since=(2, 0, 0))


_VALUE = {"value": _fill("fill"), "mask_value": _fill("fill_mask")}
_CVAL = {"cval": _fill("fill"), "cval_mask": _fill("fill_mask"), "mode": _fill("border_mode")}
_FILL_VALUE = {"fill_value": _fill("fill"), "mask_fill_value": _fill("fill_mask")}
_RESIZED_CROP = {
    "height": ApiChange("size=(height, width)", "is gone from albumentations 2.x", "albumentations 2.x raises a ValueError because size is required", since=(2, 0, 0)),
    "width": ApiChange("size=(height, width)", "is gone from albumentations 2.x", "albumentations 2.x raises a ValueError because size is required", since=(2, 0, 0)),
}
_HOLES = "is gone from albumentations 2.x"

# Parameters that albumentations 1.3.1 took by position and 2.x no longer has there (1.3.1:
# RandomResizedCrop(height, width, scale, ratio, …), RandomSizedCrop(min_max_height, height, width,
# w2h_ratio, …); 2.0.8: RandomResizedCrop(size, scale, ratio, …), RandomSizedCrop(min_max_height,
# size, w2h_ratio, …)): ``A.RandomResizedCrop(h, w)`` passes w where 2.x expects ``scale``.
POSITIONAL: dict[str, tuple[str, ...]] = {
    "RandomResizedCrop": ("height", "width"),
    "RandomSizedCrop": ("min_max_height", "height", "width"),
}
POSITIONAL_EFFECT = "albumentations 2.x reads the height as size and the width as the next parameter (scale, w2h_ratio), which fails or crops wrongly"

# Renamed or removed keyword arguments, by transform short name (albumentations), from the
# 1.3.1 -> 2.0.8 signature comparison. ``mode`` is listed only where it meant the border mode:
# OpticalDistortion, GlassBlur, Equalize, Spatter … still take a ``mode`` of their own.
ARGUMENTS: dict[str, dict[str, ApiChange]] = {
    "ShiftScaleRotate": _VALUE,
    "Rotate": _VALUE,
    "SafeRotate": _VALUE,
    "ElasticTransform": _VALUE,
    "GridDistortion": _VALUE,
    "OpticalDistortion": _VALUE,
    "PadIfNeeded": _VALUE,
    "Affine": _CVAL,
    "PiecewiseAffine": _CVAL,
    "Perspective": {"pad_val": _fill("fill"), "mask_pad_val": _fill("fill_mask"), "pad_mode": _fill("border_mode")},
    "CropAndPad": {"pad_cval": _fill("fill"), "pad_cval_mask": _fill("fill_mask"), "pad_mode": _fill("border_mode")},
    "CoarseDropout": {
        **_FILL_VALUE,
        "max_holes": ApiChange("num_holes_range=(min, max)", _HOLES, _IGNORED, since=(2, 0, 0)),
        "min_holes": ApiChange("num_holes_range=(min, max)", _HOLES, _IGNORED, since=(2, 0, 0)),
        "max_height": ApiChange("hole_height_range=(min, max)", _HOLES, _IGNORED, since=(2, 0, 0)),
        "min_height": ApiChange("hole_height_range=(min, max)", _HOLES, _IGNORED, since=(2, 0, 0)),
        "max_width": ApiChange("hole_width_range=(min, max)", _HOLES, _IGNORED, since=(2, 0, 0)),
        "min_width": ApiChange("hole_width_range=(min, max)", _HOLES, _IGNORED, since=(2, 0, 0)),
    },
    "GridDropout": _FILL_VALUE,
    "ChannelDropout": {"fill_value": _fill("fill")},
    "MaskDropout": {"image_fill_value": _fill("fill"), "mask_fill_value": _fill("fill_mask")},
    "RandomResizedCrop": _RESIZED_CROP,
    "RandomSizedCrop": _RESIZED_CROP,
    # GaussNoise: var_limit was a variance in pixel units; std_range is a fraction of the maximum
    # value (2.0.8 GaussNoise docstring), so the numbers do not carry over.
    "GaussNoise": {
        "var_limit": ApiChange("std_range=(low, high) as a fraction of the maximum value", _HOLES, _IGNORED, since=(2, 0, 0)),
    },
    "ImageCompression": {
        "quality_lower": ApiChange("quality_range=(low, high)", _1_4_7, _IGNORED, since=(1, 4, 7)),
        "quality_upper": ApiChange("quality_range=(low, high)", _1_4_7, _IGNORED, since=(1, 4, 7)),
    },
    "Downscale": {
        "scale_min": ApiChange("scale_range=(low, high)", _1_4_7, _IGNORED, since=(1, 4, 7)),
        "scale_max": ApiChange("scale_range=(low, high)", _1_4_7, _IGNORED, since=(1, 4, 7)),
    },
}

# Every albumentations transform: ``always_apply`` (1.3.1 BasicTransform.__init__(always_apply,
# p)) warns "always_apply is deprecated. Use `p=1` if you want to always apply the transform."
# from 1.4.9 on (pull request #1759, merged 2024-05-31; checked in the wheels from PyPI: 1.4.8's
# core/ has no such warning, 1.4.9's has) and is gone from 2.0.8's BasicTransform.__init__(p):
# ``always_apply=True`` is ignored and the transform runs with its p.
ALWAYS_APPLY = ApiChange(
    "p=1.0",
    "was deprecated in albumentations 1.4.9 and is gone from 2.x",
    "albumentations 2.x ignores it with a warning, so the transform runs with probability p, not always",
    since=(1, 4, 9),
)


def class_change(qualname: str) -> ApiChange | None:
    """The change to a deprecated or removed class, by canonical qualified name."""
    return CLASSES.get(qualname)


def argument_changes(qualname: str) -> dict[str, ApiChange]:
    """Renamed or removed keyword arguments of an albumentations transform."""
    module, _, name = qualname.rpartition(".")
    if module != "albumentations":
        return {}
    changes = dict(ARGUMENTS.get(name, {}))
    if name[:1].isupper():
        changes["always_apply"] = ALWAYS_APPLY
    return changes

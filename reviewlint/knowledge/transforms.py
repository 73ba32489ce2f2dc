"""Augmentation transforms: what each one does, and how its parameters map to magnitudes.

A *dimension* is one kind of change an augmentation makes (``rotate`` in degrees, ``shift``
and ``scale`` as fractions, ``brightness``…); a *kind* names what a transform does to the image
(``vflip`` turns it upside down). Rules compare magnitudes per dimension, never raw parameters.

Sources, unless a line says otherwise:
- albumentations 2.0.8: the ``__init__`` signature and docstring of each class
  (albumentations/augmentations/*/transforms.py, geometric/rotate.py, geometric/flip.py);
  the same defaults hold in 1.3.x (checked against albumentations 1.3.1).
- Keras 3 / tf.keras preprocessing layers: keras/src/layers/preprocessing/image_preprocessing/
  (RandomFlip's ``mode`` defaults to "horizontal_and_vertical"; RandomRotation's ``factor`` is a
  fraction of 2*pi; RandomZoom/RandomTranslation factors are fractions of the size).
- ImageDataGenerator: keras/src/legacy/preprocessing/image.py (``zoom_range`` float z means
  [1 - z, 1 + z]; ``brightness_range`` is multiplicative).
- tf.image: https://www.tensorflow.org/api_docs/python/tf/image
- imgaug 0.4.0: imgaug/augmenters/flip.py (``Fliplr(p=0)``, ``Flipud(p=0)``: ``p`` is the
  probability, first positional), geometric.py (``Affine(scale=1.0, translate_percent=None,
  translate_px=None, rotate=0.0, shear=0.0, …)``: ``scale`` a factor, a (low, high) range or a
  {"x": …, "y": …} dict; ``rotate`` in degrees; ``Rot90(k=1)``), meta.py (``Sequential``,
  ``SomeOf``, ``OneOf``, ``Sometimes``: containers; other augmenters apply to every image);
  https://imgaug.readthedocs.io/en/latest/source/api.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Form(Enum):
    """How a parameter's value maps to a range of deviation from the identity."""

    SYMMETRIC = "symmetric"  # x -> (-x, x); (a, b) as given; identity 0
    FACTOR = "factor"  # multiplicative around 1: s -> s - 1; (a, b) -> (a - 1, b - 1)
    ZOOM_RANGE = "zoom_range"  # ImageDataGenerator: z -> (-z, z); [lo, hi] -> (lo - 1, hi - 1)
    TURN = "turn"  # fraction of a full turn, reported in degrees: x -> (-360x, 360x)


@dataclass(frozen=True)
class Magnitude:
    """One parameter that sets how strongly a transform changes the image along a dimension."""

    param: str
    dimension: str
    form: Form
    default: object  # the value used when the parameter is not given; None: no change


@dataclass(frozen=True)
class TransformSpec:
    """What the linter knows about one augmentation API."""

    kinds: frozenset[str]
    magnitudes: tuple[Magnitude, ...] = ()
    default_p: float | None = 0.5
    # Parameter names in positional order, for calls that pass them without keywords.
    positional: tuple[str, ...] = ()
    # A parameter that chooses the flip axes, its default, and the kinds of each value.
    mode_param: str | None = None
    mode_default: str | None = None
    mode_kinds: dict[str, frozenset[str]] = field(default_factory=dict)
    # Boolean parameters that switch a kind on (ImageDataGenerator's flips).
    switches: dict[str, str] = field(default_factory=dict)
    # Probability parameters that switch a kind on when above 0 (timm's create_transform(vflip=0.5)),
    # with their defaults.
    chances: dict[str, tuple[str, float]] = field(default_factory=dict)
    # A boolean parameter without which the call applies no augmentation at all, and its default
    # (timm's create_transform(is_training=False) builds the evaluation transform).
    augments_when: tuple[str, bool] | None = None
    # A parameter naming tensor dimensions (``torch.flip(x, dims=[-2])``), and the kind each
    # image axis gives: -2 is the height and -1 the width of a (…, H, W) tensor whatever its rank.
    axes_param: str | None = None
    axes_kinds: dict[int, frozenset[str]] = field(default_factory=dict)
    # Each augmentation argument is an augmentation of its own (ImageDataGenerator's
    # width_shift_range and height_shift_range): it is compared, and reported, by itself.
    separate_arguments: bool = False


def _m(param: str, dimension: str, form: Form = Form.SYMMETRIC, default: object = None) -> Magnitude:
    return Magnitude(param, dimension, form, default)


def _k(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


# Transforms that do not randomly change the image: never augmentation, never compared.
DETERMINISTIC = _k("deterministic")

ALBUMENTATIONS: dict[str, TransformSpec] = {
    "HorizontalFlip": TransformSpec(_k("hflip")),
    "VerticalFlip": TransformSpec(_k("vflip")),
    # Flip picks -1, 0 or 1 for cv2.flip: vertical, horizontal or both (removed in 1.4.24).
    "Flip": TransformSpec(_k("hflip", "vflip")),
    "RandomRotate90": TransformSpec(_k("rot90")),
    "Transpose": TransformSpec(_k("transpose")),
    "D4": TransformSpec(_k("d4"), default_p=1.0),
    "SquareSymmetry": TransformSpec(_k("d4"), default_p=1.0),
    "ShiftScaleRotate": TransformSpec(
        _k("affine"),
        (
            _m("shift_limit", "shift", default=0.0625),
            _m("shift_limit_x", "shift"),
            _m("shift_limit_y", "shift"),
            # scale_limit is biased by 1: 0.1 means a factor in [0.9, 1.1].
            _m("scale_limit", "scale", default=0.1),
            _m("rotate_limit", "rotate", default=45),
        ),
        positional=("shift_limit", "scale_limit", "rotate_limit"),
    ),
    "Affine": TransformSpec(
        _k("affine"),
        (
            _m("scale", "scale", Form.FACTOR, default=None),
            _m("translate_percent", "shift"),
            _m("rotate", "rotate"),
            _m("shear", "shear"),
        ),
    ),
    "RandomScale": TransformSpec(
        _k("scale"), (_m("scale_limit", "scale", default=0.1),), positional=("scale_limit",)
    ),
    "Rotate": TransformSpec(_k("rotate"), (_m("limit", "rotate", default=90),), positional=("limit",)),
    "SafeRotate": TransformSpec(_k("rotate"), (_m("limit", "rotate", default=90),), positional=("limit",)),
    "RandomBrightnessContrast": TransformSpec(
        _k("color"),
        (_m("brightness_limit", "brightness", default=0.2), _m("contrast_limit", "contrast", default=0.2)),
    ),
    "RandomBrightness": TransformSpec(_k("color"), (_m("limit", "brightness", default=0.2),)),
    "RandomContrast": TransformSpec(_k("color"), (_m("limit", "contrast", default=0.2),)),
    "HueSaturationValue": TransformSpec(
        _k("color"),
        (
            _m("hue_shift_limit", "hue", default=20),
            _m("sat_shift_limit", "saturation", default=30),
            _m("val_shift_limit", "value", default=20),
        ),
    ),
    "ColorJitter": TransformSpec(
        _k("color"),
        (
            _m("brightness", "brightness", Form.FACTOR, default=(0.8, 1.2)),
            _m("contrast", "contrast", Form.FACTOR, default=(0.8, 1.2)),
            _m("saturation", "saturation_factor", Form.FACTOR, default=(0.8, 1.2)),
            _m("hue", "hue_fraction", default=(-0.5, 0.5)),
        ),
    ),
    "RandomGamma": TransformSpec(_k("gamma")),
    "RGBShift": TransformSpec(_k("rgb_shift")),
    # FancyPCA: Krizhevsky et al.'s colour augmentation, RGB shifted along the principal components
    # of the pixel colours (albumentations/augmentations/transforms.py, ``alpha`` its strength).
    "FancyPCA": TransformSpec(_k("fancy_pca")),
    "CLAHE": TransformSpec(_k("clahe")),
    "GaussNoise": TransformSpec(_k("noise")),
    "ISONoise": TransformSpec(_k("noise")),
    "MultiplicativeNoise": TransformSpec(_k("noise")),
    "Blur": TransformSpec(_k("blur")),
    "GaussianBlur": TransformSpec(_k("blur")),
    "MotionBlur": TransformSpec(_k("blur")),
    "MedianBlur": TransformSpec(_k("blur")),
    "Sharpen": TransformSpec(_k("sharpen")),
    "CoarseDropout": TransformSpec(_k("dropout")),
    "Cutout": TransformSpec(_k("dropout")),
    "GridDropout": TransformSpec(_k("dropout")),
    "ElasticTransform": TransformSpec(_k("distortion")),
    "GridDistortion": TransformSpec(_k("distortion")),
    "OpticalDistortion": TransformSpec(_k("distortion")),
    # Perspective and PiecewiseAffine have a ``scale`` that is a distortion strength, and
    # Downscale's ``scale_range`` is a resolution factor: none of them is a zoom.
    "Perspective": TransformSpec(_k("distortion")),
    "PiecewiseAffine": TransformSpec(_k("distortion")),
    "Downscale": TransformSpec(_k("downscale")),
    "RandomResizedCrop": TransformSpec(_k("crop"), default_p=1.0),
    "RandomSizedCrop": TransformSpec(_k("crop"), default_p=1.0),
    "RandomCrop": TransformSpec(_k("crop"), default_p=1.0),
    "ToGray": TransformSpec(_k("gray")),
    "ChannelShuffle": TransformSpec(_k("channel_shuffle")),
    "RandomShadow": TransformSpec(_k("shadow")),
    "RandomFog": TransformSpec(_k("weather")),
    "RandomRain": TransformSpec(_k("weather")),
    "RandomSunFlare": TransformSpec(_k("weather")),
    "Resize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "Normalize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "CenterCrop": TransformSpec(DETERMINISTIC, default_p=1.0),
    "PadIfNeeded": TransformSpec(DETERMINISTIC, default_p=1.0),
    "LongestMaxSize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "SmallestMaxSize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "ToFloat": TransformSpec(DETERMINISTIC, default_p=1.0),
    "FromFloat": TransformSpec(DETERMINISTIC, default_p=1.0),
    "ToTensorV2": TransformSpec(DETERMINISTIC, default_p=1.0),
    "Crop": TransformSpec(DETERMINISTIC, default_p=1.0),
}

# albumentations containers: a pipeline or a nested choice of transforms.
ALBUMENTATIONS_CONTAINERS = frozenset(
    {"Compose", "OneOf", "SomeOf", "Sequential", "ReplayCompose", "OneOrOther", "SelectiveChannelTransform"}
)

KERAS_LAYERS: dict[str, TransformSpec] = {
    "RandomFlip": TransformSpec(
        _k(),
        positional=("mode",),
        mode_param="mode",
        mode_default="horizontal_and_vertical",
        mode_kinds={
            "horizontal": _k("hflip"),
            "vertical": _k("vflip"),
            "horizontal_and_vertical": _k("hflip", "vflip"),
        },
        default_p=None,
    ),
    "RandomRotation": TransformSpec(
        _k("rotate"), (_m("factor", "rotate", Form.TURN),), default_p=None, positional=("factor",)
    ),
    "RandomZoom": TransformSpec(
        _k("scale"),
        (_m("height_factor", "scale"), _m("width_factor", "scale")),
        default_p=None,
        positional=("height_factor", "width_factor"),
    ),
    "RandomTranslation": TransformSpec(
        _k("shift"),
        (_m("height_factor", "shift"), _m("width_factor", "shift")),
        default_p=None,
        positional=("height_factor", "width_factor"),
    ),
    "RandomContrast": TransformSpec(_k("color"), (_m("factor", "contrast"),), default_p=None, positional=("factor",)),
    "RandomBrightness": TransformSpec(
        _k("color"), (_m("factor", "brightness"),), default_p=None, positional=("factor",)
    ),
    "RandomCrop": TransformSpec(_k("crop"), default_p=None),
    "RandomShear": TransformSpec(_k("shear"), default_p=None),
    "RandomHue": TransformSpec(_k("color"), default_p=None),
    "RandomSaturation": TransformSpec(_k("color"), default_p=None),
    "RandomColorJitter": TransformSpec(_k("color"), default_p=None),
    "RandomGrayscale": TransformSpec(_k("gray"), default_p=None),
}

# ImageDataGenerator's augmentation arguments (defaults: no augmentation).
IMAGE_DATA_GENERATOR = TransformSpec(
    _k(),
    (
        _m("rotation_range", "rotate"),
        _m("width_shift_range", "shift"),
        _m("height_shift_range", "shift"),
        _m("zoom_range", "scale", Form.ZOOM_RANGE),
        _m("shear_range", "shear"),
        _m("brightness_range", "brightness", Form.FACTOR),
        _m("channel_shift_range", "channel_shift"),
    ),
    default_p=None,
    switches={"horizontal_flip": "hflip", "vertical_flip": "vflip"},
    separate_arguments=True,
)
# ImageDataAugmentor (mjkvaak/ImageDataAugmentor, image_data_augmentor.py) keeps
# ImageDataGenerator's interface (rescale=, flow_from_directory/flow_from_dataframe,
# validation_split/subset) and takes its augmentation as ``augment=`` (an albumentations or imgaug
# pipeline) and its normalization as ``preprocess_input=``.
IMAGE_DATA_AUGMENTOR = "ImageDataAugmentor.image_data_augmentor.ImageDataAugmentor"
IMAGE_DATA_GENERATOR_QUALNAMES = frozenset({"keras.preprocessing.image.ImageDataGenerator", IMAGE_DATA_AUGMENTOR})

# tf.image random ops (tf.image.random_flip_up_down flips with probability 1/2).
TF_IMAGE: dict[str, TransformSpec] = {
    "random_flip_up_down": TransformSpec(_k("vflip"), default_p=0.5),
    "flip_up_down": TransformSpec(_k("vflip"), default_p=1.0),
    "random_flip_left_right": TransformSpec(_k("hflip"), default_p=0.5),
    "flip_left_right": TransformSpec(_k("hflip"), default_p=1.0),
    "rot90": TransformSpec(_k("rot90"), default_p=1.0),
    "transpose": TransformSpec(_k("transpose"), default_p=1.0),
    "random_brightness": TransformSpec(_k("color"), (_m("max_delta", "brightness"),), default_p=None),
    "random_contrast": TransformSpec(_k("color"), default_p=None),
    "random_hue": TransformSpec(_k("color"), default_p=None),
    "random_saturation": TransformSpec(_k("color"), default_p=None),
    "random_crop": TransformSpec(_k("crop"), default_p=None),
}

# torchvision, ``torchvision.transforms`` and ``torchvision.transforms.v2`` (the same names and
# defaults: torchvision 0.20, transforms/transforms.py and transforms/v2/_geometry.py, _color.py,
# _augment.py). A transform applies to every image unless it takes ``p``; ``RandomRotation(d)``
# rotates by an angle in (-d, d) degrees, a pair is (min, max); ``RandomAffine``'s ``scale`` is a
# (low, high) factor range and ``translate`` fractions of the size; ``ColorJitter(brightness=b)``
# multiplies by a factor in [1 - b, 1 + b].
TORCHVISION: dict[str, TransformSpec] = {
    "RandomVerticalFlip": TransformSpec(_k("vflip"), positional=("p",)),
    "RandomHorizontalFlip": TransformSpec(_k("hflip"), positional=("p",)),
    "RandomRotation": TransformSpec(_k("rotate"), (_m("degrees", "rotate"),), default_p=1.0, positional=("degrees",)),
    "RandomAffine": TransformSpec(
        _k("affine"),
        (_m("degrees", "rotate"), _m("translate", "shift"), _m("scale", "scale", Form.FACTOR), _m("shear", "shear")),
        default_p=1.0,
        positional=("degrees", "translate", "scale", "shear"),
    ),
    "ColorJitter": TransformSpec(
        _k("color"), (_m("brightness", "brightness"), _m("contrast", "contrast")), default_p=1.0,
        positional=("brightness", "contrast", "saturation", "hue"),
    ),
    "RandomResizedCrop": TransformSpec(_k("crop"), default_p=1.0),
    "RandomCrop": TransformSpec(_k("crop"), default_p=1.0),
    "RandomPerspective": TransformSpec(_k("distortion"), positional=("distortion_scale", "p")),
    "RandomGrayscale": TransformSpec(_k("gray"), default_p=0.1, positional=("p",)),
    "GaussianBlur": TransformSpec(_k("blur"), default_p=1.0),
    "RandomErasing": TransformSpec(_k("dropout"), positional=("p",)),
    "Resize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "CenterCrop": TransformSpec(DETERMINISTIC, default_p=1.0),
    "Normalize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "ToTensor": TransformSpec(DETERMINISTIC, default_p=1.0),
}
TORCHVISION_CONTAINERS = frozenset({"Compose", "RandomApply", "RandomChoice", "RandomOrder"})

# Tensor operations of torch (torch.flip(input, dims), torch.rot90(input, k=1, dims=(0, 1)),
# https://pytorch.org/docs/stable/generated/torch.flip.html, torch.rot90.html): applied to every
# tensor given, the kinds come from the image axes named in ``dims`` (negative: counted from the
# end, so -2 is the height for both (C, H, W) images and (N, C, H, W) batches; a positive index
# depends on the rank, and a flip's is judged only where a model runs on its result straight away,
# on an (N, C, H, W) batch: reviewlint.analysis.augmentation). A rot90 over the two image axes turns the image.
TORCH_TENSOR_OPS: dict[str, TransformSpec] = {
    "flip": TransformSpec(frozenset(), default_p=1.0, positional=("input", "dims"), axes_param="dims",
                          axes_kinds={-2: _k("vflip"), -1: _k("hflip")}),
    # rot90 turns the plane of its two dims: (-2, -1) is the image plane whatever the rank, (2, 3)
    # that of an (N, C, H, W) batch, (1, 2) that of a (C, H, W) image; the default (0, 1) is neither.
    "rot90": TransformSpec(frozenset(), default_p=1.0, positional=("input", "k", "dims"), axes_param="dims",
                           axes_kinds={-2: _k("rot90"), -1: _k("rot90"), 2: _k("rot90"), 3: _k("rot90")}),
}

# Functions that draw a random value (https://numpy.org/doc/stable/reference/random/legacy.html,
# https://docs.python.org/3/library/random.html, https://www.tensorflow.org/api_docs/python/tf/random,
# https://pytorch.org/docs/stable/torch.html#random-sampling): a fixed operation given one as an
# argument (``tf.image.rot90(image, k=tf.random.uniform([], 0, 4, tf.int32))``) is a random one.
RANDOM_DRAWS = frozenset(
    {f"numpy.random.{name}" for name in ("rand", "randn", "randint", "random", "random_sample", "ranf", "sample",
                                         "choice", "uniform", "normal", "permutation", "binomial", "beta", "poisson")}
    | {f"random.{name}" for name in ("random", "randint", "randrange", "choice", "choices", "uniform", "gauss",
                                     "normalvariate", "sample", "triangular", "getrandbits")}
    | {f"tensorflow.random.{name}" for name in ("uniform", "normal", "truncated_normal", "categorical", "shuffle",
                                                "poisson", "gamma")}
    | {f"torch.{name}" for name in ("rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
                                    "bernoulli", "multinomial", "normal")}
)

# The same operations as methods of a tensor (``x.flip(-2)``, ``x.rot90(1, (-2, -1))``;
# https://pytorch.org/docs/stable/generated/torch.Tensor.flip.html, torch.Tensor.rot90.html):
# ``flip`` takes its dims as separate arguments or one list, ``rot90`` takes (k, dims).
TORCH_TENSOR_METHODS: dict[str, str] = {"flip": "torch.Tensor.flip", "rot90": "torch.Tensor.rot90"}

# ttach (github.com/qubvel/ttach, ttach 0.0.3: ttach/transforms.py, aliases.py, base.py): test-time
# augmentation that applies every variant and merges the predictions — deterministic, p = 1.
# HorizontalFlip/VerticalFlip add the flipped image, Rotate90(angles) the rotations, Scale(scales)
# rescaled copies; the aliases build Compose([...]) of them: d4_transform() is
# Compose([HorizontalFlip(), Rotate90(angles=[0, 90, 180, 270])]), the eight symmetries.
TTACH: dict[str, TransformSpec] = {
    "HorizontalFlip": TransformSpec(_k("hflip"), default_p=1.0),
    "VerticalFlip": TransformSpec(_k("vflip"), default_p=1.0),
    "Rotate90": TransformSpec(_k("rot90"), default_p=1.0),
    "Scale": TransformSpec(_k("scale"), default_p=1.0),
    "Resize": TransformSpec(DETERMINISTIC, default_p=1.0),
    "Multiply": TransformSpec(_k("color"), default_p=1.0),
    "Add": TransformSpec(_k("color"), default_p=1.0),
    "FiveCrops": TransformSpec(_k("crop"), default_p=1.0),
}
TTACH_ALIASES: dict[str, TransformSpec] = {
    "hflip_transform": TransformSpec(_k("hflip"), default_p=1.0),
    "vflip_transform": TransformSpec(_k("vflip"), default_p=1.0),
    "flip_transform": TransformSpec(_k("hflip", "vflip"), default_p=1.0),
    "d4_transform": TransformSpec(_k("d4"), default_p=1.0),
    "multiscale_transform": TransformSpec(_k("scale"), default_p=1.0),
    "five_crop_transform": TransformSpec(_k("crop"), default_p=1.0),
    "ten_crop_transform": TransformSpec(_k("crop", "hflip"), default_p=1.0),
}
TTACH_CONTAINERS = frozenset({"Compose"})

# timm's transform factory, timm.data.create_transform(input_size, is_training=False, no_aug=False,
# scale=None, ratio=None, hflip=0.5, vflip=0.0, color_jitter=0.4, auto_augment=None, …)
# (timm/data/transforms_factory.py, timm 1.0): with is_training=True a RandomResizedCrop, a
# horizontal flip with probability hflip, a vertical flip with probability vflip, and colour jitter.
TIMM_CREATE_TRANSFORM = TransformSpec(
    _k("crop"), default_p=1.0, positional=("input_size", "is_training"),
    chances={"hflip": ("hflip", 0.5), "vflip": ("vflip", 0.0)}, augments_when=("is_training", False),
)
TIMM_TRANSFORM_FACTORIES = frozenset({"timm.data.create_transform", "timm.data.transforms_factory.create_transform"})

# imgaug (``import imgaug.augmenters as iaa``): augmenters apply to every image unless wrapped in
# ``iaa.Sometimes(p, …)``; the flips take their probability as ``p``.
IMGAUG: dict[str, TransformSpec] = {
    "Fliplr": TransformSpec(_k("hflip"), default_p=0.0, positional=("p",)),
    "Flipud": TransformSpec(_k("vflip"), default_p=0.0, positional=("p",)),
    # flip.py's aliases of Fliplr and Flipud.
    "HorizontalFlip": TransformSpec(_k("hflip"), default_p=0.0, positional=("p",)),
    "VerticalFlip": TransformSpec(_k("vflip"), default_p=0.0, positional=("p",)),
    "Rot90": TransformSpec(_k("rot90"), default_p=1.0),
    "Affine": TransformSpec(
        _k("affine"),
        (
            _m("scale", "scale", Form.FACTOR),
            _m("translate_percent", "shift"),
            _m("rotate", "rotate"),
            _m("shear", "shear"),
        ),
        default_p=1.0,
        positional=("scale", "translate_percent", "translate_px", "rotate", "shear"),
    ),
    "ScaleX": TransformSpec(_k("scale"), (_m("scale", "scale", Form.FACTOR, default=(0.5, 1.5)),), default_p=1.0, positional=("scale",)),
    "ScaleY": TransformSpec(_k("scale"), (_m("scale", "scale", Form.FACTOR, default=(0.5, 1.5)),), default_p=1.0, positional=("scale",)),
    "Rotate": TransformSpec(_k("rotate"), (_m("rotate", "rotate", default=(-30, 30)),), default_p=1.0, positional=("rotate",)),
    "TranslateX": TransformSpec(_k("shift"), (_m("percent", "shift"),), default_p=1.0),
    "TranslateY": TransformSpec(_k("shift"), (_m("percent", "shift"),), default_p=1.0),
    "Multiply": TransformSpec(_k("color"), default_p=1.0),
    "Add": TransformSpec(_k("color"), default_p=1.0),
    "LinearContrast": TransformSpec(_k("color"), default_p=1.0),
    "AddToHueAndSaturation": TransformSpec(_k("color"), default_p=1.0),
    "Grayscale": TransformSpec(_k("gray"), default_p=1.0),
    "GaussianBlur": TransformSpec(_k("blur"), default_p=1.0),
    "AdditiveGaussianNoise": TransformSpec(_k("noise"), default_p=1.0),
    "Dropout": TransformSpec(_k("dropout"), default_p=1.0),
    "CoarseDropout": TransformSpec(_k("dropout"), default_p=1.0),
    "Crop": TransformSpec(_k("crop"), default_p=1.0),
    "CropAndPad": TransformSpec(_k("crop"), default_p=1.0),
    "ElasticTransformation": TransformSpec(_k("distortion"), default_p=1.0),
    "PiecewiseAffine": TransformSpec(_k("distortion"), default_p=1.0),
    "PerspectiveTransform": TransformSpec(_k("distortion"), default_p=1.0),
    "Resize": TransformSpec(DETERMINISTIC, default_p=1.0),
}
IMGAUG_CONTAINERS = frozenset({"Sequential", "SomeOf", "OneOf", "Sometimes"})

# Kinds that turn a natural photo upside down or on its side.
ORIENTATION_KINDS = frozenset({"vflip", "rot90", "transpose", "d4"})


def lookup(qualname: str) -> TransformSpec | None:
    """The spec of an augmentation API by canonical qualified name, or None."""
    module, _, name = qualname.rpartition(".")
    if module == "albumentations":
        return ALBUMENTATIONS.get(name)
    if module == "keras.layers":
        return KERAS_LAYERS.get(name)
    if qualname in IMAGE_DATA_GENERATOR_QUALNAMES:
        return IMAGE_DATA_GENERATOR
    if module == "tensorflow.image":
        return TF_IMAGE.get(name)
    if module in ("torchvision.transforms", "torchvision.transforms.v2"):
        return TORCHVISION.get(name)
    if module == "imgaug.augmenters":
        return IMGAUG.get(name)
    if module == "torch":
        return TORCH_TENSOR_OPS.get(name)
    if module == "ttach":
        return TTACH.get(name)
    if module == "ttach.aliases":
        return TTACH_ALIASES.get(name)
    if qualname in TIMM_TRANSFORM_FACTORIES:
        return TIMM_CREATE_TRANSFORM
    return None


def is_container(qualname: str) -> bool:
    """Whether the qualified name is a container of transforms (albumentations' Compose, OneOf…;
    imgaug's Sequential, SomeOf…)."""
    module, _, name = qualname.rpartition(".")
    return (
        (module == "albumentations" and name in ALBUMENTATIONS_CONTAINERS)
        or (module == "imgaug.augmenters" and name in IMGAUG_CONTAINERS)
        or (module in ("torchvision.transforms", "torchvision.transforms.v2") and name in TORCHVISION_CONTAINERS)
        or (module == "ttach" and name in TTACH_CONTAINERS)
    )

"""Pretrained backbones and the input each one expects.

Input conventions (the ``mode`` of keras.applications.imagenet_utils.preprocess_input):
- ``raw``: pixels in [0, 255]; the model normalizes inside (its preprocess_input is a no-op).
- ``torch``: x / 255, then per-channel ImageNet mean/std.
- ``tf``: x / 127.5 - 1, i.e. [-1, 1].
- ``caffe``: RGB -> BGR, then per-channel ImageNet mean subtracted, no scaling.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BackboneFamily:
    """A family of pretrained models with one input convention."""

    family: str
    package: str
    expects: str  # raw | torch | tf | caffe
    preprocess: str  # what to call instead, as the user would import it
    source: str


EXPECTATIONS = {
    "raw": "raw pixels in [0, 255] (normalization is built into the model)",
    "torch": "x/255 then per-channel ImageNet mean/std ('torch' mode)",
    "tf": "pixels scaled to [-1, 1] ('tf' mode)",
    "caffe": "BGR pixels with the ImageNet mean subtracted, not scaled ('caffe' mode)",
    "clip": "x/255 then OpenAI CLIP's mean/std (0.481, 0.458, 0.408) / (0.269, 0.261, 0.276)",
}

_QUBVEL = BackboneFamily(
    "efficientnet (qubvel)",
    "efficientnet",
    "torch",
    "preprocess_input from the same efficientnet module",
    # efficientnet/model.py: preprocess_input calls imagenet_utils.preprocess_input(mode='torch')
    # (qubvel/efficientnet 1.1.1; README and examples/inference_example.ipynb use it).
    "https://github.com/qubvel/efficientnet/blob/master/efficientnet/model.py",
)
_KERAS_BUILTIN = BackboneFamily(
    "keras.applications (built-in preprocessing)",
    "keras",
    "raw",
    "nothing: feed raw 0-255 pixels",
    # keras.io/api/applications/efficientnet: "input preprocessing is included as part of the
    # model (as a Rescaling layer) ... expect their inputs to be float tensors of pixels with
    # values in the [0-255] range"; the same for EfficientNetV2, ConvNeXt and MobileNetV3
    # (with the default include_preprocessing=True).
    "https://keras.io/api/applications/efficientnet/",
)
_KERAS_CAFFE = BackboneFamily(
    "keras.applications (caffe)",
    "keras",
    "caffe",
    "the model module's preprocess_input",
    # keras/src/applications/resnet.py and vgg16.py: preprocess_input(mode='caffe').
    "https://keras.io/api/applications/resnet/",
)
_KERAS_TF = BackboneFamily(
    "keras.applications (tf)",
    "keras",
    "tf",
    "the model module's preprocess_input (or Rescaling(1/127.5, offset=-1))",
    # keras/src/applications/{resnet_v2,inception_v3,inception_resnet_v2,xception,mobilenet,
    # mobilenet_v2,nasnet}.py: preprocess_input(mode='tf').
    "https://keras.io/api/applications/",
)
_KERAS_TORCH = BackboneFamily(
    "keras.applications (torch)",
    "keras",
    "torch",
    "keras.applications.densenet.preprocess_input",
    # keras/src/applications/densenet.py: preprocess_input(mode='torch').
    "https://keras.io/api/applications/densenet/",
)

_TIMM_PREPROCESS = (
    "the model's own pretrained config: timm.data.create_transform(**timm.data.resolve_data_config({}, model=model)), "
    "or Normalize with model.pretrained_cfg['mean'] and ['std']"
)
# timm: the convention depends on the model name and tag (reviewlint/knowledge/timm_pretrained.py).
TIMM_FAMILIES = {
    convention: BackboneFamily(f"timm ({convention})", "timm", convention, _TIMM_PREPROCESS,
                               "https://github.com/huggingface/pytorch-image-models/tree/main/timm/models")
    for convention in ("torch", "tf", "clip")
}
TIMM_CREATE_MODEL = frozenset({"timm.create_model", "timm.models.create_model", "timm.models._factory.create_model"})
# torchvision's classification weights: every Weights enum's transforms() is ImageClassification
# with the ImageNet mean/std (torchvision/transforms/_presets.py; torchvision/models/*.py,
# ``weights.transforms()``); ``pretrained=True`` is the older spelling of the default weights.
TORCHVISION_FAMILY = BackboneFamily(
    "torchvision", "torchvision", "torch", "weights.transforms() (or Normalize with the ImageNet mean and std)",
    "https://pytorch.org/vision/stable/models.html",
)
TORCHVISION_MODEL = re.compile(
    r"^torchvision\.models\.(alexnet|convnext_\w+|densenet\d+|efficientnet_\w+|googlenet|inception_v3|maxvit_t|"
    r"mnasnet\w*|mobilenet_v[23]\w*|regnet_\w+|resnet\d+|resnext\w+|shufflenet_v2\w*|squeezenet1_[01]|swin_\w+|"
    r"vgg\d+(_bn)?|vit_\w+|wide_resnet\w+)$"
)

# lukemelas/EfficientNet-PyTorch (the ``efficientnet_pytorch`` package): ``EfficientNet.from_pretrained(name)``
# loads ImageNet weights and its README's classification example normalizes with the ImageNet
# mean/std; the AdvProp weights (``advprop=True``) expect ``img * 2.0 - 1.0`` instead, i.e. [-1, 1]
# (README, "Update (January 23, 2020)"). ``EfficientNet.from_name`` loads no weights.
EFFICIENTNET_PYTORCH_PRETRAINED = frozenset({
    "efficientnet_pytorch.EfficientNet.from_pretrained",
    "efficientnet_pytorch.model.EfficientNet.from_pretrained",
})
EFFICIENTNET_PYTORCH_FAMILIES = {
    expects: BackboneFamily(
        "efficientnet_pytorch (lukemelas)", "efficientnet_pytorch", expects,
        "Normalize with the ImageNet mean and std" if expects == "torch" else "transforms.Lambda(lambda img: img * 2.0 - 1.0)",
        "https://github.com/lukemelas/EfficientNet-PyTorch",
    )
    for expects in ("torch", "tf")
}

# torchvision's models through torch.hub: ``torch.hub.load("pytorch/vision:v0.10.0", "resnet50",
# pretrained=True)`` builds torchvision's own model with the same weights (hubconf.py of
# pytorch/vision re-exports torchvision.models; pytorch.org/hub/pytorch_vision_resnet normalizes
# with the ImageNet mean/std).
TORCH_HUB_LOAD = "torch.hub.load"
TORCH_HUB_VISION = re.compile(r"^pytorch/vision(:[\w.]+)?$")
TORCH_HUB_FAMILY = BackboneFamily(
    "torchvision (torch.hub)", "torch.hub", "torch", "Normalize with the ImageNet mean and std",
    "https://pytorch.org/hub/pytorch_vision_resnet/",
)

# torchvision's factory by name (torchvision 0.14+, torchvision/models/_api.py:
# ``get_model(name, **config)`` builds ``name`` with the same ``weights=`` (or the old
# ``pretrained=True``) as the model's own builder).
TORCHVISION_GET_MODEL = "torchvision.models.get_model"
TORCHVISION_GET_MODEL_FAMILY = BackboneFamily(
    "torchvision (get_model)", "torchvision.get_model", "torch",
    "weights.transforms() (or Normalize with the ImageNet mean and std)",
    "https://pytorch.org/vision/stable/models.html#listing-and-retrieving-available-models",
)

# The packages of PyTorch backbones (the others are Keras).
TORCH_PACKAGES = frozenset({"timm", "torchvision", "efficientnet_pytorch", "torch.hub", "torchvision.get_model"})
# The packages whose one factory builds every architecture, named by a string argument.
NAMED_BY_ARGUMENT = frozenset({"timm", "efficientnet_pytorch", "torch.hub", "torchvision.get_model"})

# (pattern over canonical qualified names, family); the first match wins.
BACKBONES: tuple[tuple[re.Pattern[str], BackboneFamily], ...] = (
    (re.compile(r"^efficientnet\.(tf)?keras\.EfficientNet(B[0-7]|L2)$"), _QUBVEL),
    # qubvel/efficientnet 0.0.1-0.0.4 (May-Oct 2019) exported the Keras models from the package
    # itself (efficientnet/__init__.py: ``from .model import *``), with weights=None by default.
    (re.compile(r"^efficientnet\.EfficientNetB[0-7]$"), _QUBVEL),
    (re.compile(r"^keras\.applications(\.efficientnet(_v2)?)?\.EfficientNet(V2)?(B[0-7]|B[0-3]|S|M|L)$"), _KERAS_BUILTIN),
    (re.compile(r"^keras\.applications(\.convnext)?\.ConvNeXt(Tiny|Small|Base|Large|XLarge)$"), _KERAS_BUILTIN),
    (re.compile(r"^keras\.applications(\.mobilenet_v3)?\.MobileNetV3(Small|Large)$"), _KERAS_BUILTIN),
    (re.compile(r"^keras\.applications(\.resnet(50)?)?\.ResNet(50|101|152)$"), _KERAS_CAFFE),
    (re.compile(r"^keras\.applications(\.vgg1[69])?\.VGG1[69]$"), _KERAS_CAFFE),
    (re.compile(r"^keras\.applications(\.resnet_v2)?\.ResNet(50|101|152)V2$"), _KERAS_TF),
    (re.compile(r"^keras\.applications(\.inception_v3)?\.InceptionV3$"), _KERAS_TF),
    (re.compile(r"^keras\.applications(\.inception_resnet_v2)?\.InceptionResNetV2$"), _KERAS_TF),
    (re.compile(r"^keras\.applications(\.xception)?\.Xception$"), _KERAS_TF),
    (re.compile(r"^keras\.applications(\.mobilenet(_v2)?)?\.MobileNet(V2)?$"), _KERAS_TF),
    (re.compile(r"^keras\.applications(\.nasnet)?\.NASNet(Mobile|Large)$"), _KERAS_TF),
    (re.compile(r"^keras\.applications(\.densenet)?\.DenseNet(121|169|201)$"), _KERAS_TORCH),
)

# Modules whose backbone constructors all belong to one family (expect the same input), each
# with one of them: ``getattr(efn, name)(weights="imagenet")`` with a name known only at run time
# is a backbone of that family. Sources: the modules above (qubvel efficientnet/model.py defines
# EfficientNetB0-B7 and L2 with one preprocess_input; keras.applications.efficientnet and
# efficientnet_v2 build every variant with include_preprocessing and the same pass-through
# preprocess_input).
ONE_FAMILY_MODULES: dict[str, str] = {
    "efficientnet.keras": "efficientnet.keras.EfficientNetB0",
    "efficientnet.tfkeras": "efficientnet.tfkeras.EfficientNetB0",
    "keras.applications.efficientnet": "keras.applications.efficientnet.EfficientNetB0",
    "keras.applications.efficientnet_v2": "keras.applications.efficientnet_v2.EfficientNetV2B0",
}

# preprocess_input functions and the convention they produce.
# Sources: the same modules as above; efficientnet's calls mode='torch'; keras.applications'
# efficientnet, efficientnet_v2, convnext and mobilenet_v3 preprocess_input return x unchanged.
PREPROCESS_FUNCTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^efficientnet\.(tf)?keras\.(preprocess_input|model\.preprocess_input)$"), "torch"),
    # efficientnet 0.0.x: efficientnet/preprocessing.py subtracts the ImageNet mean and divides by
    # the std, both times 255 (v0.0.4).
    (re.compile(r"^efficientnet\.preprocess_input$"), "torch"),
    (re.compile(r"^keras\.applications\.(efficientnet|efficientnet_v2|convnext|mobilenet_v3)\.preprocess_input$"), "raw"),
    (re.compile(r"^keras\.applications\.(resnet|resnet50|vgg16|vgg19)\.preprocess_input$"), "caffe"),
    (
        re.compile(
            r"^keras\.applications\.(resnet_v2|inception_v3|inception_resnet_v2|xception|mobilenet|mobilenet_v2|nasnet)"
            r"\.preprocess_input$"
        ),
        "tf",
    ),
    (re.compile(r"^keras\.applications\.densenet\.preprocess_input$"), "torch"),
)

# Weight files of backbones pretrained on ImageNet, as people load them by hand when the
# download is blocked (Kaggle kernels without internet): keras.applications names its files
# "<model>_weights_tf_dim_ordering_tf_kernels[_notop].h5" (keras/src/applications/*.py,
# WEIGHTS_PATH); qubvel/efficientnet names them "efficientnet-b3_weights_tf_dim_ordering_tf_kernels_
# autoaugment_notop.h5" and "…_noisy-student_notop.h5" (efficientnet/weights.py); Kaggle datasets
# re-upload them under names that say "imagenet".
PRETRAINED_WEIGHT_FILE = re.compile(
    r"imagenet|noisy[-_]?student|weights_tf_dim_ordering|autoaugment|advprop", re.IGNORECASE
)

# Trainable layers that, put between the input and a pretrained backbone
# (``x = layers.Conv2D(3, 3, padding="same")(inputs); x = base(x)``), hand the backbone their own
# learned output instead of the pixels: the backbone's input range is then theirs to learn
# (keras/src/layers: convolutions and Dense learn weights and biases from any input scale;
# BatchNormalization rescales each channel by its batch statistics).
LEARNED_INPUT_LAYERS = frozenset(
    {
        "keras.layers.Conv1D",
        "keras.layers.Conv2D",
        "keras.layers.Conv3D",
        "keras.layers.SeparableConv2D",
        "keras.layers.DepthwiseConv2D",
        "keras.layers.Dense",
        "keras.layers.BatchNormalization",
    }
)
# Layers that declare the input and pass it on unchanged (keras/src/layers/core/input_layer.py).
INPUT_LAYERS = frozenset({"keras.Input", "keras.layers.Input", "keras.layers.InputLayer"})
# Takes the convention as its ``mode`` argument (default "caffe").
IMAGENET_UTILS_PREPROCESS = "keras.applications.imagenet_utils.preprocess_input"


# Constructors whose ``weights`` default to None (no pretrained weights unless asked): qubvel
# efficientnet 0.0.x (efficientnet/model.py at v0.0.4: ``def EfficientNetB0(…, weights=None, …)``);
# 1.x and keras.applications default to "imagenet".
NO_DEFAULT_WEIGHTS = re.compile(r"^efficientnet\.EfficientNetB[0-7]$")


@functools.lru_cache(maxsize=4096)
def backbone_family(qualname: str) -> BackboneFamily | None:
    """The family of a backbone constructor, or None if it is not a known pretrained backbone."""
    for pattern, family in BACKBONES:
        if pattern.match(qualname):
            return family
    return None


@functools.lru_cache(maxsize=4096)
def preprocess_mode(qualname: str) -> str | None:
    """The convention a preprocess_input function produces, or None if unknown."""
    for pattern, mode in PREPROCESS_FUNCTIONS:
        if pattern.match(qualname):
            return mode
    return None


# Architectures without BatchNorm (LayerNorm or no normalization): freezing them in training mode
# leaves nothing to drift. Sources: timm/models/vision_transformer.py, deit.py, beit.py,
# swin_transformer.py, convnext.py (LayerNorm2d), mlp_mixer.py, eva.py, cait.py, xcit.py,
# pvt_v2.py, twins.py, crossvit.py, nfnet.py (normalizer-free), volo.py, metaformer.py
# (poolformer), mvitv2.py; torchvision/models/vision_transformer.py, swin_transformer.py,
# convnext.py. VGG without the "_bn" suffix (torchvision/models/vgg.py: vgg16 builds its layers
# with batch_norm=False, vgg16_bn with True; timm/models/vgg.py the same), AlexNet
# (torchvision/models/alexnet.py) and SqueezeNet (torchvision/models/squeezenet.py) have no
# normalization layers. By model name (timm, with or without a pretrained tag) or torchvision
# builder name.
WITHOUT_BATCHNORM = re.compile(
    r"^(vit|deit|beit|swin|convnext|mixer|resmlp|gmlp|eva|cait|xcit|pvt|twins|crossvit|nfnet|dm_nfnet|eca_nfnet|"
    r"nf_|volo|poolformer|mvitv2|flexivit|vit_b|vit_l|vit_h|swin_|alexnet|squeezenet|vgg\d+(\.|$))"
)


def has_batchnorm(model_name: str) -> bool:
    """Whether a timm model name or a torchvision builder has BatchNorm layers (as far as known)."""
    return WITHOUT_BATCHNORM.match(model_name.lower()) is None

# Image readers whose result holds raw pixel values in [0, 255] (uint8): OpenCV's imread
# (docs.opencv.org, imgcodecs: "the image is returned as uint8"), imageio's and scikit-image's imread
# (uint8 for 8-bit files), PIL's Image.open (8-bit modes; np.asarray gives uint8), Keras's load_img
# (a PIL image; keras/src/utils/image_utils.py) and TensorFlow's decoders (tf.io.decode_jpeg/png/image:
# dtype uint8 by default, tensorflow/python/ops/image_ops_impl.py).
RAW_IMAGE_READERS = frozenset({
    "cv2.imread",
    "imageio.imread",
    "imageio.v2.imread",
    "imageio.v3.imread",
    "skimage.io.imread",
    "PIL.Image.open",
    "keras.preprocessing.image.load_img",
    "keras.utils.load_img",
    "tensorflow.io.decode_jpeg",
    "tensorflow.io.decode_png",
    "tensorflow.io.decode_image",
    "tensorflow.image.decode_jpeg",
    "tensorflow.image.decode_png",
    "tensorflow.image.decode_image",
})

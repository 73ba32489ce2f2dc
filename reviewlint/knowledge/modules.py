"""Module aliases: different import paths that name the same API.

Qualified names are rewritten to one canonical spelling before any rule sees them, so that
``tf.keras.layers.RandomFlip``, ``tensorflow.keras.layers.RandomFlip`` and
``keras.layers.RandomFlip`` are one thing.
"""

from __future__ import annotations

import functools

# (prefix, canonical prefix); the longest matching prefix wins, and rewriting repeats.
# Sources: TensorFlow 2.x re-exports Keras as tf.keras (tensorflow/python/keras until 2.6,
# the keras package since; https://www.tensorflow.org/guide/keras); Keras 3 keeps the
# experimental preprocessing path for compatibility (keras/api/_tf_keras/keras/layers/
# experimental/preprocessing); tf_keras is the Keras 2 package for TF >= 2.16.
MODULE_ALIASES: tuple[tuple[str, str], ...] = (
    ("tensorflow.python.keras", "keras"),
    ("tensorflow.keras", "keras"),
    # tf.compat.v2 is TensorFlow 2's whole public API under another name ("Bring in all of the
    # public TensorFlow interface into this module", https://www.tensorflow.org/api_docs/python/tf/compat/v2).
    ("tensorflow.compat.v2", "tensorflow"),
    ("tensorflow.compat.v1.keras", "keras"),
    ("tf_keras", "keras"),
    # The standalone Keras preprocessing package (keras-preprocessing on PyPI, Keras 2.0-2.8),
    # whose ImageDataGenerator is the one tf.keras re-exported.
    ("keras_preprocessing", "keras.preprocessing"),
    # Keras 3 ships the tf.keras-compatible API as keras._tf_keras.keras (keras/_tf_keras/keras/).
    ("keras._tf_keras.keras", "keras"),
    ("keras.api._v2.keras", "keras"),
    ("keras.src", "keras"),
    ("keras.layers.experimental.preprocessing", "keras.layers"),
    ("keras.layers.preprocessing", "keras.layers"),
    ("keras.layers.core", "keras.layers"),
    ("keras.layers.convolutional", "keras.layers"),
    ("keras.layers.normalization", "keras.layers"),
    ("keras.layers.normalization.batch_normalization", "keras.layers"),
    ("keras.engine.sequential", "keras"),
    ("keras.models", "keras"),
    ("keras.engine.training", "keras"),
    ("keras.src.legacy.preprocessing.image", "keras.preprocessing.image"),
    ("keras.legacy.preprocessing.image", "keras.preprocessing.image"),
    ("keras.optimizers.schedules.learning_rate_schedule", "keras.optimizers.schedules"),
    # torchtoolbox (PyPI torchtoolbox, github.com/PistonY/torch-toolbox, torchtoolbox/transform/
    # transforms.py): OpenCV re-implementations of torchvision's transforms under the same names
    # and arguments (Compose, RandomResizedCrop, RandomVerticalFlip, Normalize …), common in the
    # SIIM-ISIC melanoma kernels.
    ("torchtoolbox.transform", "torchvision.transforms"),
    # qubvel/efficientnet's repository copied whole into a Kaggle dataset and imported from the
    # folder above it (`%cd ../input/efficientnet-repo`, then `import efficientnet.efficientnet.tfkeras`):
    # the repository's root folder holds the package (github.com/qubvel/efficientnet, efficientnet/).
    ("efficientnet.efficientnet", "efficientnet"),
)

# Packages whose public names are re-exported at the top level from deep modules:
# albumentations/__init__.py star-imports every submodule (albumentations 1.x and 2.x), and
# torchvision.transforms does the same for its transforms.
# imgaug/augmenters/__init__.py star-imports its submodules (flip, geometric, meta, …) the same way.
# ttach/__init__.py re-exports ttach.transforms and ttach.base (HorizontalFlip, Compose …).
FLATTENED_PACKAGES: tuple[str, ...] = ("albumentations", "imgaug.augmenters", "torchvision.transforms.v2", "torchvision.transforms", "ttach")


_LONGEST_FIRST = sorted(MODULE_ALIASES, key=lambda pair: -len(pair[0]))


@functools.lru_cache(maxsize=8192)
def canonical(qualname: str) -> str:
    """Rewrite a qualified name to its canonical spelling (a pure function of the tables above: cached)."""
    for _ in range(4):
        for prefix, replacement in _LONGEST_FIRST:
            if qualname == prefix or qualname.startswith(prefix + "."):
                rewritten = replacement + qualname[len(prefix):]
                if rewritten != qualname:
                    qualname = rewritten
                    break
        else:
            break
    for package in FLATTENED_PACKAGES:
        if qualname.startswith(package + "."):
            last = qualname.rsplit(".", 1)[1]
            if last[:1].isupper():
                return f"{package}.{last}"
            break
    return qualname


# Names a star import brings in, for the modules whose APIs the rules know: a star import hides
# what it binds, so without this table `from albumentations import *` would leave every
# transform unresolved. Sources: albumentations/__init__.py (star-imports all transforms);
# keras/api/layers/__init__.py and keras/api/applications; efficientnet/tfkeras.py (exports the
# EfficientNetB0-B7/L2 constructors and preprocess_input); ImageDataAugmentor/
# image_data_augmentor.py (the ImageDataAugmentor class, the SkillFactory course's idiom).
STAR_EXPORTS: dict[str, str] = {
    "albumentations": r"[A-Z]\w*",
    "keras.layers": r"(Random\w+|Rescaling|Resizing|Normalization|CenterCrop|BatchNormalization|Dense|Dropout"
    r"|GlobalAveragePooling2D|GlobalMaxPooling2D|Softmax|Activation|Flatten|Conv2D|MaxPooling2D|Input|InputLayer)",
    "keras.preprocessing.image": r"ImageDataGenerator",
    "keras.applications": r"(EfficientNet\w*|ResNet\w*|VGG1[69]|Inception\w*|Xception|MobileNet\w*|DenseNet\w*"
    r"|NASNet\w*|ConvNeXt\w*)",
    "efficientnet.keras": r"(EfficientNet(B[0-7]|L2)|preprocess_input)",
    "efficientnet.tfkeras": r"(EfficientNet(B[0-7]|L2)|preprocess_input)",
    "ImageDataAugmentor.image_data_augmentor": r"ImageDataAugmentor",
    # keras/api/__init__.py, keras/api/losses, optimizers, optimizers/schedules, callbacks (3.x; the
    # same names in tf.keras 2.x): ``from tensorflow.keras.losses import *`` in course notebooks.
    "keras": r"(Sequential|Model|Input)",
    "keras.losses": r"(CategoricalCrossentropy|SparseCategoricalCrossentropy|BinaryCrossentropy|CategoricalFocalCrossentropy"
    r"|BinaryFocalCrossentropy|categorical_crossentropy|sparse_categorical_crossentropy|binary_crossentropy)",
    "keras.optimizers": r"(Adam|AdamW|SGD|RMSprop|Nadam|Adamax|Adagrad|Adadelta|Ftrl|Lion)",
    "keras.optimizers.schedules": r"(ExponentialDecay|CosineDecay|CosineDecayRestarts|PiecewiseConstantDecay"
    r"|PolynomialDecay|InverseTimeDecay)",
    "keras.callbacks": r"(EarlyStopping|ModelCheckpoint|ReduceLROnPlateau|CSVLogger|TensorBoard|LearningRateScheduler"
    r"|History|LambdaCallback|BackupAndRestore|TerminateOnNaN|RemoteMonitor|ProgbarLogger)",
    "imgaug.augmenters": r"[A-Z]\w*",
    # PyTorch. torchvision/__init__.py imports its subpackages (datasets, io, models, ops,
    # transforms, utils) and has no __all__; torchvision/transforms/__init__.py and
    # transforms/v2/__init__.py star-import the transform classes; torchvision/models/__init__.py
    # star-imports each architecture module (its builders, model classes and *_Weights enums) and
    # get_model/get_weight; torch/nn/__init__.py star-imports nn.modules (the layer and loss
    # classes); torch/optim/__init__.py's __all__ names the optimizers and lr_scheduler;
    # torch/optim/lr_scheduler.py's __all__ the schedulers; timm/__init__.py exports create_model.
    "torchvision": r"(datasets|io|models|ops|transforms|utils)",
    "torchvision.transforms": r"[A-Z]\w*",
    "torchvision.transforms.v2": r"[A-Z]\w*",
    "torchvision.models": r"(resnet\w*|resnext\w*|wide_resnet\w*|vgg\w*|densenet\w*|efficientnet\w*|mobilenet\w*"
    r"|convnext\w*|vit_\w+|swin_\w+|regnet\w*|alexnet|googlenet|inception_v3|squeezenet\w*|shufflenet\w*|mnasnet\w*"
    r"|maxvit\w*|get_model|get_weight|[A-Z]\w*)",
    "torch.nn": r"[A-Z]\w*",
    "torch.optim": r"(SGD|Adam|AdamW|Adamax|Adadelta|Adagrad|ASGD|LBFGS|NAdam|RAdam|RMSprop|Rprop|SparseAdam|lr_scheduler)",
    "torch.optim.lr_scheduler": r"[A-Z]\w*",
    "timm": r"(create_model|list_models|list_pretrained|is_model)",
}


# Names a notebook may use without importing them (the import cell was deleted, or cells ran out
# of order): resolved only when the name is bound nowhere in the module and no star import of an
# unknown module could have bound it. Top-level module names of the libraries the rules know, and
# class names exactly one of those libraries defines (``EarlyStopping``/``ModelCheckpoint`` are
# not: PyTorch Lightning defines them too; ``Sequential`` is in Keras, torch.nn, imgaug and
# albumentations). Sources: each package's top-level module on PyPI; keras/src/legacy/
# preprocessing/image.py (ImageDataGenerator); mjkvaak/ImageDataAugmentor
# (image_data_augmentor.py).
UNIMPORTED_NAMES: dict[str, str] = {
    "albumentations": "albumentations",
    "imgaug": "imgaug",
    "efficientnet": "efficientnet",
    "keras": "keras",
    "tensorflow": "tensorflow",
    "torchvision": "torchvision",
    "timm": "timm",
    # The aliases the libraries' own documentation imports them under (qubvel/efficientnet's README:
    # ``import efficientnet.tfkeras as efn``; imgaug's: ``import imgaug.augmenters as iaa``;
    # TensorFlow's guides: ``import tensorflow as tf``), used in kernels whose import cell is elsewhere.
    "efn": "efficientnet.tfkeras",
    "iaa": "imgaug.augmenters",
    "tf": "tensorflow",
    "ImageDataGenerator": "keras.preprocessing.image.ImageDataGenerator",
    "ImageDataAugmentor": "ImageDataAugmentor.image_data_augmentor.ImageDataAugmentor",
}

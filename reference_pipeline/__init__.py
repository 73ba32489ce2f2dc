"""A reference Keras training pipeline for image classification.

It demonstrates, in code meant to be copied, the corrected practice for every point of the
review this project grew out of: the backbone's own preprocessing, augmentation without vertical
flips or near-zero scaling in two measured back ends, BatchNormalization kept in inference mode
while fine-tuning, seeded runs whose histories are kept and plotted, learning-rate schedules whose
total decay is printed, test-time augmentation no stronger than training, and experiments that
compare arms with equal budgets over several seeds.

Importing this package is cheap: TensorFlow is imported only by the modules that need it.
"""

import os

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["__version__"]
__version__ = "0.1.0"

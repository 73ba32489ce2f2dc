"""A small labelled data set cut from real photographs that scikit-image ships.

Each class is one photograph; its images are random square patches (random position, a random
side between 60% and 80% of the short side, so neighbouring patches overlap and a class
stays recognisable) with a small brightness and contrast
jitter, saved as PNG in a folder-per-class layout. Nothing is downloaded: the photographs are
files inside the installed ``scikit-image`` package. The set is generated once into a cache folder
and reused; the folder name records the generator version, the count and the patch size.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 2
PATCH_SIDE = 128
MIN_PATCH_FRACTION = 0.60
MAX_PATCH_FRACTION = 0.80
BRIGHTNESS_JITTER = 12.0
CONTRAST_JITTER = 0.08
CACHE_ENV = "REFERENCE_PIPELINE_CACHE"
COMPLETE_MARKER = ".complete"


def _motorcycle() -> np.ndarray:
    from skimage import data

    left, _right, _disparity = data.stereo_motorcycle()
    return left


def _photo(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data

        return getattr(data, name)()

    return load


PHOTOGRAPHS: dict[str, Callable[[], np.ndarray]] = {
    "astronaut": _photo("astronaut"),
    "cat": _photo("chelsea"),
    "coffee": _photo("coffee"),
    "motorcycle": _motorcycle,
    "rocket": _photo("rocket"),
}
"""Class name → loader of the natural RGB photograph the class is cut from."""


def default_cache_root() -> Path:
    """``$REFERENCE_PIPELINE_CACHE``, else ``$XDG_CACHE_HOME/reference_pipeline``, else ``~/.cache/…``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "reference_pipeline"


def dataset_folder(cache_root: Path, images_per_class: int) -> Path:
    """The folder that holds (or will hold) the data set for these settings."""
    return cache_root / f"embedded-v{GENERATOR_VERSION}-{images_per_class}x{PATCH_SIDE}px"


def _random_patch(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from skimage.transform import resize

    height, width = photo.shape[:2]
    side = int(min(height, width) * rng.uniform(MIN_PATCH_FRACTION, MAX_PATCH_FRACTION))
    top = int(rng.integers(0, height - side + 1))
    left = int(rng.integers(0, width - side + 1))
    crop = photo[top : top + side, left : left + side].astype(np.float32)
    patch = resize(crop, (PATCH_SIDE, PATCH_SIDE), anti_aliasing=True, preserve_range=True)
    mean = patch.mean()
    contrast = 1.0 + rng.uniform(-CONTRAST_JITTER, CONTRAST_JITTER)
    brightness = rng.uniform(-BRIGHTNESS_JITTER, BRIGHTNESS_JITTER)
    jittered = (patch - mean) * contrast + mean + brightness
    return np.clip(np.rint(jittered), 0, 255).astype(np.uint8)


def generate(folder: Path, images_per_class: int, seed: int = 0) -> None:
    """Writes ``images_per_class`` patches per photograph into ``folder/<class>/NNNN.png``."""
    from skimage.io import imsave

    rng = np.random.default_rng(seed)
    for class_name, load in PHOTOGRAPHS.items():
        photo = load()
        class_folder = folder / class_name
        class_folder.mkdir(parents=True, exist_ok=True)
        for index in range(images_per_class):
            imsave(class_folder / f"{index:04d}.png", _random_patch(photo, rng), check_contrast=False)
    (folder / COMPLETE_MARKER).write_text(f"{images_per_class} images per class\n", encoding="utf-8")


def ensure_embedded_dataset(cache_root: Path | None, images_per_class: int) -> Path:
    """The folder-per-class data set, generated on first use; returns its folder."""
    folder = dataset_folder(cache_root or default_cache_root(), images_per_class)
    if not (folder / COMPLETE_MARKER).exists():
        generate(folder, images_per_class)
    return folder

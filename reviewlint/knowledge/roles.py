"""How the engine tells what a pipeline is for: the methods that use data, and naming habits.

Roles come from use first (a pipeline whose data is fed to ``fit`` trains the model) and,
only when use shows nothing, from the names people give pipelines (``train_aug``,
``tta_transforms``). Both tables are heuristics, named here so they can be read and changed.
"""

from __future__ import annotations

import re
from typing import Literal

# What a pipeline is for.
Role = Literal["train", "validation", "tta", "predict"]

# Keras Model methods (keras.io/api/models/model_training_apis); *_generator are the TF 1.x/2.0
# spellings, removed in TF 2.x but common in old notebooks.
FIT_METHODS = frozenset({"fit", "fit_generator"})
PREDICT_METHODS = frozenset({"predict", "predict_generator", "predict_on_batch"})

# Calls whose arguments are for display, not for the model: x/255 there is not a normalization.
PLOTTING_CALLS = frozenset({"imshow", "imsave", "plot", "show", "save_img", "array_to_img", "hist", "figure"})

_NAME_ROLES: tuple[tuple[re.Pattern[str], Role], ...] = (
    (re.compile(r"tta", re.IGNORECASE), "tta"),
    # "dev" as in train/dev/test splits (dev_loader, X_dev), not a bare "dev" (often a device);
    # "eval" as a word of the name (eval_dataset, dataloader_eval: Hugging Face's Trainer and many
    # scripts name the validation split so), not a function such as evaluate().
    # A name may come qualified by its function ("load_data:dev_loader").
    (re.compile(r"(^|[_:])(val|valid|validation|eval)(_|$)|^val|:val(?!ue)|valid|(^|[_:])dev_|_dev$", re.IGNORECASE), "validation"),
    (re.compile(r"train|(^|_)aug(ment\w*)?$|^aug", re.IGNORECASE), "train"),
    (re.compile(r"test|pred|infer|sub(mission)?($|_)", re.IGNORECASE), "predict"),
)


def role_from_name(name: str) -> Role | None:
    """The role a name suggests (``tta``, ``validation``, ``train``, ``predict``), or None."""
    for pattern, role in _NAME_ROLES:
        if pattern.search(name):
            return role
    return None


# Keras Model methods that change the weights (keras.io/api/models/model_training_apis,
# model_saving_apis): a loop that calls one of them predicts with a different model each pass
# (k-fold ensembles: ``model.load_weights(f"fold{k}.h5")``), which is not a repeated prediction.
WEIGHT_METHODS = frozenset({"load_weights", "set_weights", "fit", "fit_generator", "train_on_batch"})

# PyTorch: what replaces a model's weights inside a loop (torch/nn/modules/module.py
# load_state_dict; torch.load; Lightning's load_from_checkpoint): a loop around evaluation that
# calls one ensembles several models, it does not repeat one prediction.
TORCH_WEIGHT_METHODS = frozenset({"load_state_dict", "load_from_checkpoint"})
TORCH_LOADERS = frozenset({"torch.load"})

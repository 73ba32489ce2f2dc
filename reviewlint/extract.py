"""From a parsed module to :class:`~reviewlint.facts.Facts`.

:func:`extract` builds the semantic model in the one walk (:func:`reviewlint.scan.build_model`),
then runs the pure extractors on it, each a function of the model (and of the facts it names as
arguments) that returns frozen data: augmentation (:mod:`reviewlint.extract_augmentation`),
backbones and input normalization (:mod:`reviewlint.extract_inputs`), Keras training calls
(:mod:`reviewlint.extract_training`).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from reviewlint.extract_augmentation import pipelines_with_roles, predict_loops, transforms_and_pipelines
from reviewlint.extract_inputs import backbones, normalizations
from reviewlint.extract_training import fits
from reviewlint.facts import Facts
from reviewlint.scan import build_model
from reviewlint.syntax_hooks import SyntaxHooks


def extract(module: cst.Module, hooks: Sequence[SyntaxHooks] = ()) -> Facts:
    """Build the facts of one parsed module (calling rules' syntax hooks in the same walk)."""
    model = build_model(module, hooks)
    transforms, pipelines = transforms_and_pipelines(model)
    found_backbones = backbones(model)
    return Facts(
        model=model,
        transforms=transforms,
        pipelines=pipelines_with_roles(model, pipelines),
        backbones=found_backbones,
        normalizations=normalizations(model),
        predict_loops=predict_loops(model),
        fits=fits(model, found_backbones),
    )

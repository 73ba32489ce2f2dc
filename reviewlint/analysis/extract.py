"""From a parsed module to :class:`~reviewlint.analysis.facts.Facts`.

:func:`extract` builds the semantic model in the one walk (:func:`reviewlint.analysis.scan.build_model`),
then runs the pure extractors on it, each a function of the model (and of the facts it names as
arguments) that returns frozen data: augmentation (:mod:`reviewlint.analysis.augmentation`),
backbones and input normalization (:mod:`reviewlint.analysis.inputs`), Keras training calls
(:mod:`reviewlint.analysis.training`), frozen parameters (:mod:`reviewlint.analysis.freezing`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst

from reviewlint.analysis.data_loops import data_loops
from reviewlint.analysis.augmentation import (
    pipelines_with_roles,
    predict_loops,
    transforms_and_pipelines,
    with_applied_by_class,
)
from reviewlint.analysis.facts import Facts
from reviewlint.analysis.freezing import parameter_freezes
from reviewlint.analysis.inputs import backbones, normalizations, restorations
from reviewlint.analysis.scan import build_model
from reviewlint.analysis.semantic import ExternalCall
from reviewlint.analysis.syntax_hooks import SyntaxHooks
from reviewlint.analysis.training import fits, torch_trainings


def extract(
    module: cst.Module, hooks: Sequence[SyntaxHooks] = (), reexported: Mapping[str, Mapping[str, str]] | None = None,
    imported_constants: Mapping[str, object] | None = None, external_calls: Mapping[str, tuple[ExternalCall, ...]] | None = None,
) -> Facts:
    """Build the facts of one parsed module (calling rules' syntax hooks in the same walk);
    ``reexported``, ``imported_constants`` and ``external_calls`` as
    :func:`~reviewlint.analysis.scan.build_model` takes them."""
    model = build_model(module, hooks, reexported, imported_constants, external_calls)
    transforms, pipelines = transforms_and_pipelines(model)
    found_backbones = backbones(model)
    trainings = torch_trainings(model)
    loops = data_loops(model, trainings)
    return Facts(
        model=model,
        transforms=transforms,
        pipelines=pipelines_with_roles(model, with_applied_by_class(model, pipelines), loops),
        backbones=found_backbones,
        normalizations=normalizations(model),
        restorations=restorations(model),
        predict_loops=predict_loops(model, loops),
        fits=fits(model, found_backbones, trainings),
        torch_trainings=trainings,
        data_loops=loops,
        parameter_freezes=parameter_freezes(model, found_backbones),
    )

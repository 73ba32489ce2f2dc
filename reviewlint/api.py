"""What a rule module imports: the one surface between rules and the engine.

A rule imports from here, and domain knowledge from ``reviewlint.knowledge``; nothing else of the
engine (a test checks it). Like Fixit's ``from fixit import LintRule, Valid, Invalid``::

    from reviewlint.api import Invalid, Report, RuleContext, Severity, Valid

- the rule contract: :class:`Report`, :class:`Valid`, :class:`Invalid`, :class:`Severity`,
  :class:`RuleContext`, :func:`option` and :class:`Span`/:data:`Anchor` (where a finding lands);
- the semantic model (``ctx.model``): imports, scopes, variables and their bindings, calls,
  loops, assignments, data flow, folded constants (:data:`UNKNOWN` when not foldable);
- the domain facts (``ctx.facts``): augmentation pipelines and their roles, backbones,
  normalizations, Keras training calls, prediction loops, PyTorch data loops;
- syntax of the rule's own: :class:`SyntaxHooks` (``SYNTAX = …``, read with ``ctx.syntax(…)``);
- comments (``ctx.comments``) and the judgement of commented-out code;
- fixes: :class:`Fix`, :class:`Edit`, :class:`NewImport` and the edit helpers.
"""

from __future__ import annotations

from reviewlint.analysis.commented_code import block_is_code, statement_head
from reviewlint.analysis.constants import UNKNOWN, Unknown, is_number
from reviewlint.analysis.facts import (
    PREDICT,
    TRAIN,
    TTA,
    VALIDATION,
    Backbone,
    DataLoop,
    Facts,
    Fit,
    Normalization,
    ParameterFreeze,
    Pipeline,
    PredictLoop,
    Transform,
)
from reviewlint.analysis.freezing import frozen_backbones
from reviewlint.analysis.imported import ImportedFacts, SchedulerStepper
from reviewlint.analysis.imports import dotted
from reviewlint.analysis.semantic import (
    MODULE,
    AttributeAssignment,
    Binding,
    CallSite,
    Scope,
    SemanticModel,
    SubscriptAssignment,
    Var,
    branches_in,
    name_nodes_in,
    names_in,
    positional_parameters,
    string_key,
    subscripts_in,
)
from reviewlint.analysis.syntax_hooks import SyntaxHooks
from reviewlint.analysis.inputs import convention_distance
from reviewlint.analysis.training import batch_loops, epoch_parameter, passes_one_epoch
from reviewlint.fixing.edits import (
    Edit,
    Fix,
    NewImport,
    delete_lines,
    drop_args,
    insert_positional,
    keyword_arg,
    name_is_free,
    parent_of,
    rename_callee,
    replace,
    set_keyword,
    string_like,
    with_args,
    without_parens,
)
from reviewlint.knowledge.roles import Role
from reviewlint.lint.rule import (
    Anchor,
    Invalid,
    NoOptions,
    ProjectSettings,
    Report,
    RuleContext,
    Severity,
    Span,
    Valid,
    option,
)
from reviewlint.source.comments import Comment

__all__ = [
    "MODULE", "PREDICT", "TRAIN", "TTA", "UNKNOWN", "VALIDATION", "Anchor", "AttributeAssignment", "Backbone", "Binding", "DataLoop",
    "CallSite", "Comment", "Edit", "Facts", "Fit", "Fix", "ImportedFacts", "Invalid", "NewImport", "NoOptions", "Normalization", "ParameterFreeze",
    "Pipeline", "PredictLoop", "ProjectSettings", "Report", "Role", "RuleContext", "SchedulerStepper", "Scope", "SemanticModel", "Severity", "Span",
    "SubscriptAssignment",
    "SyntaxHooks", "Transform", "Unknown", "Valid", "Var", "batch_loops", "block_is_code", "branches_in", "convention_distance", "delete_lines", "dotted", "drop_args", "epoch_parameter", "frozen_backbones",
    "insert_positional", "is_number", "keyword_arg", "name_is_free", "name_nodes_in", "names_in", "option", "parent_of", "passes_one_epoch", "positional_parameters", "rename_callee",
    "replace", "set_keyword", "statement_head", "string_key", "string_like", "subscripts_in", "with_args", "without_parens",
]

"""What a rule module imports: the one surface between rules and the engine.

A rule imports from here, and domain knowledge from ``reviewlint.knowledge``; nothing else of the
engine (a test checks it). Like Fixit's ``from fixit import LintRule, Valid, Invalid``::

    from reviewlint.api import Invalid, Report, RuleContext, Severity, Valid

- the rule contract: :class:`Report`, :class:`Valid`, :class:`Invalid`, :class:`Severity`,
  :class:`RuleContext`, :func:`option` and :class:`Span`/:data:`Anchor` (where a finding lands);
- the facts a file holds (``ctx.facts``): calls, pipelines and their roles, backbones,
  normalizations, training and prediction calls, loops, data flow, folded constants;
- comments (``ctx.comments``) and the judgement of commented-out code;
- fixes: :class:`Fix`, :class:`Edit`, :class:`NewImport` and the edit helpers.
"""

from __future__ import annotations

from reviewlint.commented_code import block_is_code
from reviewlint.comments import Comment
from reviewlint.consts import is_number
from reviewlint.facts import (
    MODULE_SCOPE,
    PREDICT,
    TRAIN,
    TTA,
    AttributeAssignment,
    Backbone,
    CallSite,
    Facts,
    Fit,
    Normalization,
    Pipeline,
    PredictLoop,
    Transform,
    names_in,
)
from reviewlint.fix import (
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
from reviewlint.names import dotted
from reviewlint.rule import Anchor, Invalid, NoOptions, ProjectSettings, Report, RuleContext, Severity, Span, Valid, option

__all__ = [
    "MODULE_SCOPE", "PREDICT", "TRAIN", "TTA", "Anchor", "AttributeAssignment", "Backbone", "CallSite", "Comment", "Edit", "NoOptions",
    "Facts", "Fit", "Fix", "Invalid", "NewImport", "Normalization", "Pipeline", "PredictLoop", "ProjectSettings", "Report",
    "RuleContext", "Severity", "Span", "Transform", "Valid", "block_is_code", "delete_lines", "dotted", "drop_args",
    "insert_positional", "is_number", "keyword_arg", "name_is_free", "names_in", "option", "parent_of", "rename_callee",
    "replace", "set_keyword", "string_like", "with_args", "without_parens",
]

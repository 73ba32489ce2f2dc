"""Rule-owned syntax hooks, run in the engine's one walk over the tree.

A rule that needs syntax the semantic model does not record (RL402's parenthesised tuples)
keeps that syntax in its own file: a :class:`SyntaxHooks` subclass with libcst-style
``visit_<Node>``/``leave_<Node>`` methods, named by the rule's ``SYNTAX`` attribute. The engine
batches the hooks of every active rule into the scan of :mod:`reviewlint.analysis.scan` (as Fixit batches
its rules' visitors), so the tree is walked once per file however many rules look at it; the
rule reads what its hooks collected with ``ctx.syntax(TheHooks)``.

Hooks observe: their return values are ignored, so no hook can keep another (or the scan) from
seeing a subtree. The scan does not descend into ``import`` statements, nor into an
attribute's name (``attr`` of ``x.attr``) or a keyword argument's (``rescale`` of ``rescale=…``):
hook ``Import``, ``ImportFrom``, ``Attribute`` and ``Arg`` themselves to see them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import libcst as cst

V = TypeVar("V", bound=cst.CSTVisitor)


class SyntaxHooks:
    """Base class of a rule's syntax hooks: define ``visit_<Node>``/``leave_<Node>`` methods."""


_HOOK_NAMES: dict[type[SyntaxHooks], tuple[str, ...]] = {}


def hook_names(cls: type[SyntaxHooks]) -> tuple[str, ...]:
    """The libcst hook methods a hooks class defines."""
    names = _HOOK_NAMES.get(cls)
    if names is None:
        names = _HOOK_NAMES[cls] = tuple(
            name for name in dir(cls) if name.startswith(("visit_", "leave_")) and callable(getattr(cls, name))
        )
    return names


_BATCHED: dict[tuple[type, tuple[type[SyntaxHooks], ...]], type] = {}


def batched(base: V, hooks: Sequence[SyntaxHooks]) -> V:
    """A visitor that does what ``base`` does and calls every hook of ``hooks`` in the same walk.

    Its class is a subclass of ``base``'s, made once per combination of hook classes, so that
    :func:`reviewlint.analysis.walk.walk` plans it like any visitor; the instance takes over
    ``base``'s state.
    """
    kinds = tuple(type(hook) for hook in hooks)
    key = (type(base), kinds)
    cls = _BATCHED.get(key)
    if cls is None:
        cls = _BATCHED[key] = _batched_class(type(base), kinds)
    visitor: V = object.__new__(cls)
    visitor.__dict__.update(base.__dict__)
    visitor.__dict__["_syntax_hooks"] = {
        name: tuple(getattr(hook, name) for hook in hooks if name in hook_names(type(hook)))
        for name in {name for kind in kinds for name in hook_names(kind)}
    }
    return visitor


def _batched_class(base: type, kinds: tuple[type[SyntaxHooks], ...]) -> type:
    methods: dict[str, Callable[..., Any]] = {}
    for name in {name for kind in kinds for name in hook_names(kind)}:
        inherited = getattr(base, name, None)
        if inherited is not None and getattr(inherited, "_is_no_op", False):
            inherited = None
        methods[name] = _dispatch(name, inherited)
    names = "+".join(kind.__name__ for kind in kinds)
    return type(f"{base.__name__}[{names}]", (base,), methods)


def _dispatch(name: str, inherited: Callable[..., Any] | None) -> Callable[..., Any]:
    if inherited is None:
        def call_hooks(self: Any, node: cst.CSTNode) -> None:
            for hook in self._syntax_hooks[name]:
                hook(node)

        return call_hooks

    def call_both(self: Any, node: cst.CSTNode) -> Any:
        result = inherited(self, node)
        for hook in self._syntax_hooks[name]:
            hook(node)
        return result

    return call_both

"""Every rule's fixable INVALID examples: the fix gives the documented code, which parses, compiles
and is a fixed point (fixing it again changes nothing)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from reviewlint.fixing.fixer import fix_text
from reviewlint.lint.registry import all_rules
from tests.conftest import example_settings, run_rule

FIXABLE = [(rule, i, example) for rule in all_rules() for i, example in enumerate(rule.invalid) if example.fixed is not None]
NOT_FIXED = [(rule, i, example) for rule in all_rules() for i, example in enumerate(rule.invalid) if example.fixed is None]


@pytest.mark.parametrize(("rule", "index", "example"), FIXABLE, ids=[f"{r.code}-invalid-{i}" for r, i, _ in FIXABLE])
def test_fix_gives_the_documented_code(rule, index, example):
    assert rule.fix is not None, f"{rule.code} has fixed= examples but no FIX declaration"
    settings = example_settings(rule.code, example.settings)
    fixed = fix_text(example.code, [rule], settings, unsafe=True)
    assert fixed == example.fixed
    cst.parse_module(fixed)
    compile(fixed, "<fixed>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    assert fix_text(fixed, [rule], settings, unsafe=True) == fixed, "fixing twice changes the code again"
    remaining = run_rule(rule.code, fixed, example.settings)
    assert not remaining.errors
    assert all(finding.fix is None for finding in remaining.findings), [f.message for f in remaining.findings]


@pytest.mark.parametrize(("rule", "index", "example"), NOT_FIXED, ids=[f"{r.code}-invalid-{i}" for r, i, _ in NOT_FIXED])
def test_examples_without_fixed_have_no_fix(rule, index, example):
    result = run_rule(rule.code, example.code, example.settings)
    fixable = [finding.message for finding in result.findings if finding.fix is not None]
    assert not fixable, "this example has a fix: give the expected code with Invalid(..., fixed=...)"


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.fix is not None], ids=lambda r: r.code)
def test_a_rule_that_declares_fix_documents_one(rule):
    assert any(example.fixed is not None for example in rule.invalid)


@pytest.mark.parametrize(("rule", "index", "example"), FIXABLE, ids=[f"{r.code}-invalid-{i}" for r, i, _ in FIXABLE])
def test_safe_fixes_alone(rule, index, example):
    """Without --unsafe-fixes only safe fixes apply; the result is still valid and stable."""
    settings = example_settings(rule.code, example.settings)
    fixed = fix_text(example.code, [rule], settings, unsafe=False)
    if rule.fix == "unsafe":
        assert fixed == example.code
    cst.parse_module(fixed)
    assert fix_text(fixed, [rule], settings, unsafe=False) == fixed

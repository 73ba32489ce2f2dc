"""Every rule's fixable INVALID examples: the fix gives the documented code, which parses, compiles
and is a fixed point (fixing it again changes nothing)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest

from reviewlint.fixing.fixer import fix_text
from reviewlint.lint.registry import all_rules
from reviewlint.run.config import Settings
from tests.conftest import run_rule


def _settings(code: str, options: Mapping[str, object]) -> Settings:
    settings = Settings(root=Path.cwd(), image_domain="natural", select=(code,))
    rule_options = dict(options)
    domain = rule_options.pop("image-domain", None)
    if domain is not None:
        settings = replace(settings, image_domain=str(domain))
    if rule_options:
        settings = replace(settings, rule_options={code: rule_options})
    return settings


FIXABLE = [(rule, i, example) for rule in all_rules() for i, example in enumerate(rule.invalid) if example.fixed is not None]
NOT_FIXED = [(rule, i, example) for rule in all_rules() for i, example in enumerate(rule.invalid) if example.fixed is None]


@pytest.mark.parametrize(("rule", "index", "example"), FIXABLE, ids=[f"{r.code}-invalid-{i}" for r, i, _ in FIXABLE])
def test_fix_gives_the_documented_code(rule, index, example):
    assert rule.fix is not None, f"{rule.code} has fixed= examples but no FIX declaration"
    settings = _settings(rule.code, example.settings)
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
    settings = _settings(rule.code, example.settings)
    fixed = fix_text(example.code, [rule], settings, unsafe=False)
    if rule.fix == "unsafe":
        assert fixed == example.code
    cst.parse_module(fixed)
    assert fix_text(fixed, [rule], settings, unsafe=False) == fixed

"""Every rule's VALID and INVALID examples, run through the same path as the CLI."""

from __future__ import annotations

import pytest

from reviewlint.lint.registry import all_rules
from tests.conftest import run_rule

CASES_VALID = [(rule.code, i, example) for rule in all_rules() for i, example in enumerate(rule.valid)]
CASES_INVALID = [(rule.code, i, example) for rule in all_rules() for i, example in enumerate(rule.invalid)]


@pytest.mark.parametrize(("code", "index", "example"), CASES_VALID, ids=[f"{c}-valid-{i}" for c, i, _ in CASES_VALID])
def test_valid_example_is_clean(code, index, example):
    result = run_rule(code, example.code, example.settings)
    assert not result.errors, result.errors
    assert result.findings == [], [f.message for f in result.findings]


@pytest.mark.parametrize(("code", "index", "example"), CASES_INVALID, ids=[f"{c}-invalid-{i}" for c, i, _ in CASES_INVALID])
def test_invalid_example_is_flagged(code, index, example):
    result = run_rule(code, example.code, example.settings)
    assert not result.errors, result.errors
    assert len(result.findings) == example.count, [f.message for f in result.findings]
    assert all(f.code == code for f in result.findings)
    if example.message is not None:
        assert example.message in result.findings[0].message
    first = result.findings[0].location
    assert example.range is not None, "an INVALID example pins where its first finding lands"
    assert (first.line, first.column, first.end_line, first.end_column) == example.range


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_documentation_has_every_section(rule):
    for section in ("## What it does", "## Why it matters", "## Example", "## Use instead"):
        assert section in rule.doc
    assert rule.name.replace("-", "").isalnum() and rule.name == rule.name.lower()

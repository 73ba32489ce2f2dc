"""Shared helpers: lint text with one rule under given options, as the CLI would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewlint.cli import cli
from reviewlint.lint.finding import Finding
from reviewlint.lint.registry import all_rules, find_rule
from reviewlint.lint.runner import lint_text
from reviewlint.run.config import TOP_LEVEL_KEYS, Settings, parse_table
from reviewlint.run.loop import lint_path
from reviewlint.run.result import FileResult

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
# The command as a subprocess: no colour, UTF-8 output whatever the locale.
CLI_ENV = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
CLI = [sys.executable, "-m", "reviewlint"]


def run_cli(args: list[str], cwd: Path, timeout: float = 300, command: list[str] = CLI,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``reviewlint ARGS`` in a subprocess in ``cwd`` (with ``input`` on its standard input)."""
    return subprocess.run([*command, *args], cwd=cwd, env=CLI_ENV, capture_output=True, text=True,
                          timeout=timeout, check=False, input=input)


def cli_runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click 8.1; 8.2 keeps stderr apart
    except TypeError:
        return CliRunner()


def check_in_process(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run ``reviewlint check ARGS`` in this process (so monkeypatches apply): exit code, stdout, stderr."""
    monkeypatch.chdir(cwd)
    result = cli_runner().invoke(cli, ["check", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("reviewlint raised") from result.exception
    return result.exit_code, result.stdout, result.stderr


def example_settings(code: str, options: Mapping[str, object] | None = None, image_domain: str = "natural") -> Settings:
    """The settings of a rule's example: the rule alone, ``image-domain = "natural"`` unless the
    example says otherwise, project keys (``image-domain``, ``albumentations-version``) and the
    rule's options as a ``[tool.reviewlint]`` table would give them."""
    rule = find_rule(code)
    assert rule is not None, code
    given = dict(options or {})
    table: dict[str, object] = {"select": [code], "image-domain": image_domain}
    table.update({key: value for key, value in given.items() if key in TOP_LEVEL_KEYS})
    rule_options = {key: value for key, value in given.items() if key not in TOP_LEVEL_KEYS}
    if rule_options:
        table[rule.name] = rule_options
    return parse_table(table, Path.cwd(), "example", all_rules())


def run_rule(code: str, text: str, options: Mapping[str, object] | None = None, path: str = "example.py",
             image_domain: str = "natural") -> FileResult:
    rule = find_rule(code)
    assert rule is not None, code
    settings = example_settings(code, options, image_domain)
    return lint_text(text, [rule], settings, path)


def findings_of(code: str, text: str, **kwargs: object) -> list[Finding]:
    result = run_rule(code, text, **kwargs)  # type: ignore[arg-type]
    assert not result.errors, result.errors
    return result.findings


@pytest.fixture
def rules():
    return all_rules()


def lint_file(path: Path, *codes: str) -> list[Finding]:
    """Lint a real file with the given rules; it must lint without errors."""
    rules = [find_rule(code) for code in codes]
    settings = Settings(root=path.parent, select=codes)
    result = lint_path(path, settings, rules)  # type: ignore[arg-type]
    assert not result.errors, result.errors
    return result.findings


def write_notebook(tmp_path: Path, *cells: str, name: str = "train.ipynb") -> Path:
    """An nbformat 4 notebook whose code cells hold the given sources."""
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": cell}
            for cell in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path

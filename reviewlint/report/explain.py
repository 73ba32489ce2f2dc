"""A rule's documentation as ``reviewlint explain`` and the language server's hover show it (Markdown)."""

from __future__ import annotations

from reviewlint.lint.rule_meta import RuleMeta


def explanation(rule: RuleMeta) -> str:
    """Title, summary, the docstring's sections and the rule's options."""
    header = f"# {rule.code} {rule.name} ({rule.severity.value})\n\n"
    body = rule.doc.split("\n", 1)[1] if "\n" in rule.doc else rule.doc
    options = ""
    if rule.option_infos:
        rows = "\n".join(f"- `{info.name}` (default `{info.default}`): {info.help}" for info in rule.option_infos)
        options = f"\n## Options\n`[tool.reviewlint.{rule.name}]`\n\n{rows}\n"
    return header + rule.summary + "\n" + body + options

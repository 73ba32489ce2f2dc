"""reviewlint's rules, one module each (installed as the package ``reviewlint_rules``).

Each module holds a rule's code, name, severity, documentation (What it does / Why it matters /
Example / Use instead), VALID and INVALID examples and its ``check``; see reviewlint.lint.rule.
"""

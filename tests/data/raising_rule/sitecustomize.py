"""Started with the language server under test (PYTHONPATH): RL102's check raises, to show that a
failing rule is a diagnostic and never a dead server (tests/test_server.py)."""

import reviewlint_rules.vertical_flip as rule


def check(ctx):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")
    yield


rule.check = check

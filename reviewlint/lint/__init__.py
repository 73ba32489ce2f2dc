"""Linting one file: the rule contract (rule, rule_meta), loading rules (registry), findings, and the runner that applies the rules to one source."""

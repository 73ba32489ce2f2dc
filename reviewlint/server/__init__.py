"""The language server (``reviewlint server``): diagnostics, code actions and hover in the editor."""

"""Applying fixes: the edit API rules use (edits), the fix loop (fixer), and writing fixed notebooks back."""

"""From a parsed module to what rules read: the one walk (scan, walk), the semantic model, rules' syntax hooks, folded constants, imports, and the domain facts the extractors build."""

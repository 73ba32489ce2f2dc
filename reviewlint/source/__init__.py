"""Reading input: which files (discover), reading them safely (atomic), how paths are shown, turning .py files and notebooks into module text (files), parse guards, positions and comments."""

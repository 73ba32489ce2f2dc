"""Knowledge tables: facts about libraries, kept as data, each with its source in a comment."""

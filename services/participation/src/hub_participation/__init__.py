"""Community Hub participation service: residents set the agenda (ideas first)."""

"""Community Hub assets service."""

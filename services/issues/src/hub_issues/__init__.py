"""Community Hub issues service."""

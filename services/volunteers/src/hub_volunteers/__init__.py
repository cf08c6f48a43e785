"""Community Hub volunteers service."""

"""Community Hub notifications service."""

"""The hub operator command line."""

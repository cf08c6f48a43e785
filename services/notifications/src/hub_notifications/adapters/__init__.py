"""MongoDB repositories and read models of the notifications service."""

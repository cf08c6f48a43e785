"""MongoDB repositories and read models of the assets service."""

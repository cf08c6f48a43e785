"""MongoDB repositories and read models of the issues service."""

"""MongoDB repositories and read models of the volunteers service."""

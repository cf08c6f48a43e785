"""HTTP API of the participation service: ``/v1`` hubs' idea settings and ideas."""

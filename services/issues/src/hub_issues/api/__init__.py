"""HTTP API of the issues service: ``/v1`` (hubs, catalogue, issues) and Open311 GeoReport v2."""

"""HTTP API of the volunteers service (FastAPI routers and request/response schemas)."""

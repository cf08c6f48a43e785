"""HTTP API of the assets service (FastAPI routers and request/response schemas)."""

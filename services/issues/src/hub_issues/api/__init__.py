"""HTTP API of the issues service (FastAPI routers and request/response schemas)."""

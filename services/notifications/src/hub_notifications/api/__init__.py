"""HTTP API of the notifications service (FastAPI routers and request/response schemas)."""

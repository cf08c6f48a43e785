"""The Community Hub web app: server-rendered pages over the four services' APIs (no database of its own)."""

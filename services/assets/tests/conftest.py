"""Fixtures of the assets tests (defined in assets_testkit)."""

from assets_testkit import api

__all__ = ["api"]

"""Fixtures of the participation tests (defined in participation_testkit)."""

from participation_testkit import api, participation_app

__all__ = ["api", "participation_app"]

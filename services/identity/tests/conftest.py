"""Fixtures of the identity tests (defined in identity_testkit)."""

from identity_testkit import api, identity_app

__all__ = ["api", "identity_app"]

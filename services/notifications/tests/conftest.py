"""Fixtures of the notifications tests (defined in :mod:`notifications_testkit`)."""

from notifications_testkit import api  # noqa: F401

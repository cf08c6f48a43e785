"""The repository's test suites share one set of fixtures: :mod:`hub_testkit.plugin` (dev-only package)."""

pytest_plugins = ["hub_testkit.plugin"]

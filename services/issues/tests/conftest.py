"""The issues tests' fixtures, from issues_testkit."""

from issues_testkit import api, issues_app  # noqa: F401  (the fixtures)

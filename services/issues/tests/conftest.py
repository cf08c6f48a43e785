"""Make the shared helpers (issues_testkit) importable under --import-mode=importlib, and expose its fixture."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from issues_testkit import api, issues_app  # noqa: F401  (the fixtures)

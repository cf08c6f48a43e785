"""The one spelling of an index of this service's collections (each module declares its own INDEXES)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import IndexModel


def ix(keys: Sequence[tuple[str, Any]], name: str, **options: Any) -> IndexModel:
    return IndexModel(list(keys), name=name, **options)

"""Text search without text indexes: a normalised ``search_terms`` array (multikey index)."""

from __future__ import annotations

from collections.abc import Iterable

from hub_common.text import MAX_TERMS, terms

__all__ = ["MAX_TERMS", "keywords_terms", "query_terms", "terms"]


def query_terms(query: str | None) -> list[str]:
    return terms(query)


def keywords_terms(keywords: Iterable[str]) -> list[str]:
    return terms(*keywords)

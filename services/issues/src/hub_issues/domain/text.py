"""Text search without text indexes: a normalised ``search_terms`` array (multikey index)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9]+")
MAX_TERMS = 200


def terms(*texts: str | None) -> list[str]:
    """Lower-cased, accent-free words of two or more characters, each once, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        for word in _WORD.findall(folded):
            if len(word) >= 2:
                seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


def query_terms(query: str | None) -> list[str]:
    return terms(query)


def keywords_terms(keywords: Iterable[str]) -> list[str]:
    return terms(*keywords)

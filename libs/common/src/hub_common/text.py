"""Text search without text indexes: the normalised words a ``search_terms`` array (multikey index) holds.

SecantusDB, our development and test server, has no text indexes; an array of folded words with a
multikey index works the same on real MongoDB.
"""

from __future__ import annotations

import re
import unicodedata

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

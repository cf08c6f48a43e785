"""Duplicate hints: open ideas of the hub that say much the same as a new one (normalised word overlap).

No text index (our development server has none): each open idea keeps its keywords in a multikey
``search_terms`` array, the candidates are the hub's open ideas sharing a keyword with the new one,
and they are ranked here by how many of their words the two share.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub_common.text import terms

# Words that say nothing about what an idea is (so two ideas sharing them are not alike).
_STOPWORDS = (
    "a about all also an and any are as at be but by can could do for from get have in into is it its "
    "let lets make more need needs new no not of on or our out please should so some than that the their "
    "them there these they this to up us want we what when where which who why will with would you your"
)
STOPWORDS = frozenset(_STOPWORDS.split())
MIN_OVERLAP = 0.3  # share at least this part of their words (Jaccard) to be worth a look
MAX_HINTS = 5


def keywords(*texts: str | None) -> list[str]:
    """The words of ``texts`` that say what an idea is about (folded, each once)."""
    return [word for word in terms(*texts) if word not in STOPWORDS]


@dataclass(frozen=True)
class Candidate:
    idea_id: str
    title: str
    support_count: int
    title_words: frozenset[str]
    words: frozenset[str]  # title and description


@dataclass(frozen=True)
class SimilarIdea:
    idea_id: str
    title: str
    support_count: int
    overlap: float


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similar_ideas(title: str, description: str | None, candidates: list[Candidate]) -> list[SimilarIdea]:
    """The candidates most like a new idea, most alike first: by their titles, or by all their words."""
    title_words, words = frozenset(keywords(title)), frozenset(keywords(title, description))
    scored = []
    for candidate in candidates:
        score = max(overlap(title_words, candidate.title_words), overlap(words, candidate.words))
        if score >= MIN_OVERLAP:
            scored.append(SimilarIdea(candidate.idea_id, candidate.title, candidate.support_count, round(score, 2)))
    scored.sort(key=lambda s: (-s.overlap, -s.support_count, s.idea_id))
    return scored[:MAX_HINTS]

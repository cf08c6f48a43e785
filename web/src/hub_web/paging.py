"""Next and previous links over the services' forward-only cursor pages, kept in the page address.

A service answers one page and the ``next_cursor`` of the one after it; it cannot page backwards.
The address of each page therefore carries the cursors of the pages before it (``trail``), so the
"Previous page" link is the same list one step back, with the filters unchanged. No state is kept
on the server, and every page can be bookmarked or opened without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

FIRST = "~"  # stands for "no cursor" (the first page) in a trail
SEPARATOR = "."  # never in a cursor (URL-safe base64)
MAX_TRAIL = 40  # pages remembered back; beyond them "First page" still works
TRAIL_MAX_LENGTH = 20_000  # the query parameter's limit (a cursor is some 60-200 characters)


@dataclass(frozen=True)
class Pager:
    """Where a list page is: its own cursor and the cursors of the pages before it."""

    cursor: str | None
    trail: tuple[str, ...] = ()

    @staticmethod
    def of(cursor: str | None, trail: str | None) -> Pager:
        steps = tuple(step for step in (trail or "").split(SEPARATOR) if step)[-MAX_TRAIL:]
        return Pager(cursor or None, steps if cursor else ())

    @property
    def number(self) -> int:
        return len(self.trail) + 1 if self.cursor else 1

    def next_href(self, path: str, filters: Iterable[tuple[str, str]], next_cursor: str | None) -> str | None:
        if not next_cursor:
            return None
        trail = (*self.trail, self.cursor or FIRST)[-MAX_TRAIL:]
        return _href(path, [*filters, ("cursor", next_cursor), ("trail", SEPARATOR.join(trail))])

    def previous_href(self, path: str, filters: Iterable[tuple[str, str]]) -> str | None:
        if not self.cursor:
            return None
        if not self.trail or self.trail[-1] == FIRST:
            return _href(path, list(filters))
        back = self.trail[:-1]
        extra = [("trail", SEPARATOR.join(back))] if back else []
        return _href(path, [*filters, ("cursor", self.trail[-1]), *extra])

    def first_href(self, path: str, filters: Iterable[tuple[str, str]]) -> str | None:
        return _href(path, list(filters)) if self.number > 2 else None


def _href(path: str, params: list[tuple[str, str]]) -> str:
    kept = [(k, v) for k, v in params if v]
    return f"{path}?{urlencode(kept)}" if kept else path

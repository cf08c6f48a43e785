"""The worker's closing of what is past its closing time (surveys, budgeting rounds)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from hub_common.errors import Conflict


async def close_each(due_ids: Iterable[str], close: Callable[[str], Awaitable[object]]) -> int:
    """Close each one; how many it closed. One its staff closed meanwhile is a 409 for that one, not a
    stop: the rest still close."""
    closed = 0
    for item_id in due_ids:
        try:
            await close(item_id)
            closed += 1
        except Conflict:
            continue
    return closed

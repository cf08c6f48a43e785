"""What the participation service does with each event type it consumes.

- ``hub.privacy``: a privacy request (erasure or subject access) for the ideas held under a
  person's ids, answered on ``hub.privacy`` (``hub_common.privacy``).

Nothing else yet: partners publish nothing to ``hub.participation.inbound`` so far, and the service
reads no other service's events.
"""

from __future__ import annotations

from hub_common.consumer import Handler
from hub_common.privacy import privacy_handlers
from hub_participation.service import UseCases


def handlers(use_cases: UseCases) -> dict[str, Handler]:
    return {**privacy_handlers("participation", use_cases.personal_data)}

"""The notifications suite's fixtures and builders: the app under test, messages and events as the
service stores and consumes them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from hub_common.auth import Role
from hub_common.contracts.issues import IssueReported
from hub_common.envelope import Envelope
from hub_notifications.__main__ import DEFINITION
from hub_notifications.adapters.messages import MESSAGES
from hub_notifications.settings import NotificationsSettings
from hub_testkit.service_api import ServiceApi


class NotificationsApi(ServiceApi[NotificationsSettings]):
    def auth(self, role: Role, sub: str | None = "someone", hubs: tuple[str, ...] = ("hub-northfield",)):
        """Tokens of this suite sign in as 'someone' of Northfield unless told otherwise."""
        return super().auth(role, sub, hubs)

    async def add_message(
        self, message_id: str, person: str, *, channel="inapp", status="delivered", hub="hub-northfield"
    ) -> None:
        """A message as delivery leaves it (rendered subject and body), about the event 'ev-1'."""
        await self.db[MESSAGES].insert_one(
            message_document(
                message_id,
                event_id="ev-1",
                person_id=person,
                channel=channel,
                status=status,
                attempts=1,
                hub_id=hub,
                next_attempt_at=None,
                subject=f"subject {message_id}",
                body=f"body {message_id}",
            )
        )


@pytest.fixture
async def api(make_settings) -> AsyncIterator[NotificationsApi]:
    async with NotificationsApi.running(DEFINITION, make_settings(NotificationsSettings)) as running:
        yield running


def message_document(message_id: str, **fields: Any) -> dict[str, Any]:
    """A stored message (an issue acknowledgement planned just now, unless ``fields`` say otherwise)."""
    now = datetime.now(UTC)
    return {
        "_id": message_id,
        "event_id": f"ev-{message_id}",
        "event_source": "/hub/issues",
        "event_type": "hub.issues.issue.reported.v1",
        "hub_id": "hub-northfield",
        "person_id": "someone",
        "channel": "inapp",
        "message_type": "issue_acknowledgement",
        "category": "issue_updates",
        "critical": False,
        "values": {},
        "status": "created",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
        "reminder_keys": [],
        "trace_id": None,
        "history": [],
        "read_at": None,
        **fields,
    }


def issue_reported(
    issue_id: str,
    *,
    hub_id: str = "hub-northfield",
    service_code: str = "litter",
    reporter: str | None = None,
    description: str = "Overflowing bin",
) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/issues",
        type=IssueReported.event_type,
        time=datetime.now(UTC),
        subject=issue_id,
        hub_id=hub_id,
        data=IssueReported(
            issue_id=issue_id,
            hub_id=hub_id,
            service_code=service_code,
            service_name=service_code.title(),
            description=description,
            location={"lat": 53.81, "lon": -1.55},
            reporter_id=reporter,
            requested_at=datetime.now(UTC),
        ),
    )

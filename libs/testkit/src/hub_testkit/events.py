"""Events as the services put them on Kafka, for tests that play another service or a partner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hub_common import envelope
from hub_common.contracts import events_topic


def cloud_event(
    topic: str, event_type: str, source: str, subject: str, data: dict[str, Any], hub_id: str | None = None
) -> envelope.KafkaRecord:
    """An event encoded as the services put it on Kafka, with a fresh id and the time now: for tests
    that play another service or a partner by producing to the broker directly."""
    return envelope.encode(
        topic=topic,
        event_id=str(uuid.uuid4()),
        source=source,
        event_type=event_type,
        time=datetime.now(UTC),
        subject=subject,
        data=data,
        hub_id=hub_id,
    )


def issue_reported_record(issue_id: str, reporter_id: str | None = None) -> envelope.KafkaRecord:
    """An issues service report in Northfield, as the issues service publishes it."""
    data: dict[str, Any] = {
        "issue_id": issue_id,
        "hub_id": "hub-northfield",
        "service_code": "litter",
        "service_name": "Litter",
        "description": "Bags of rubbish by the bus stop",
        "location": {"lat": 53.81, "lon": -1.55},
        "requested_at": datetime.now(UTC).isoformat(),
    }
    if reporter_id is not None:
        data["reporter_id"] = reporter_id
    return cloud_event(
        events_topic("issues"), "hub.issues.issue.reported.v1", "/hub/issues", issue_id, data, hub_id="hub-northfield"
    )

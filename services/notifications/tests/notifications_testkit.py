"""Events the notifications tests feed to the service, built like the issues service publishes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hub_common.contracts.issues import IssueReported
from hub_common.envelope import Envelope


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

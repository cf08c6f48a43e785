"""What a hub's staff set up here: the rules they switched off, and which of them get the hub's alerts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RuleSetting(BaseModel):
    """A hub's switch for one message type (every rule is on until staff turn it off)."""

    model_config = ConfigDict(frozen=True)

    id: str  # "<hub_id>|<message_type>"
    hub_id: str
    message_type: str
    enabled: bool
    changed_by: str
    changed_at: datetime

    @staticmethod
    def switch(hub_id: str, message_type: str, enabled: bool, by: str, at: datetime) -> RuleSetting:
        return RuleSetting(
            id=f"{hub_id}|{message_type}",
            hub_id=hub_id,
            message_type=message_type,
            enabled=enabled,
            changed_by=by,
            changed_at=at,
        )


class AlertedStaff(BaseModel):
    """A staff member who asked for a hub's alerts (their address is in the contact book)."""

    model_config = ConfigDict(frozen=True)

    id: str  # "<hub_id>|<person_id>"
    hub_id: str
    person_id: str
    since: datetime

    @staticmethod
    def joining(hub_id: str, person_id: str, at: datetime) -> AlertedStaff:
        return AlertedStaff(id=f"{hub_id}|{person_id}", hub_id=hub_id, person_id=person_id, since=at)

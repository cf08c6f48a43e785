"""What a hub's staff set up here: the rules they switched off, and which of them (and of the hub's ward
councillors) get the hub's alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

# Who asked for a hub's alerts: its staff (new reports, failures, ideas waiting for an answer) or its
# ward councillors (new ideas, forum actions agreed): each audience gets its own rules' alerts.
AlertAudience = Literal["staff", "councillor"]


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
    """A staff member, or a ward councillor, who asked for a hub's alerts (their address is in the
    contact book)."""

    model_config = ConfigDict(frozen=True)

    id: str  # "<hub_id>|<person_id>" (staff), "<hub_id>|<person_id>|councillor"
    hub_id: str
    person_id: str
    since: datetime
    audience: AlertAudience = "staff"  # documents stored before councillors were are staff's

    @staticmethod
    def alert_id(hub_id: str, person_id: str, audience: AlertAudience = "staff") -> str:
        return f"{hub_id}|{person_id}" if audience == "staff" else f"{hub_id}|{person_id}|{audience}"

    @staticmethod
    def joining(hub_id: str, person_id: str, at: datetime, audience: AlertAudience = "staff") -> AlertedStaff:
        return AlertedStaff(
            id=AlertedStaff.alert_id(hub_id, person_id, audience),
            hub_id=hub_id,
            person_id=person_id,
            since=at,
            audience=audience,
        )

"""The registry of public event contracts: CloudEvents ``type`` -> pydantic model and topic."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from hub_common.contracts.topics import CONTACTS_TOPIC, events_topic

EVENT_TYPE_PATTERN = re.compile(r"hub\.([a-z]+)\.([a-z_]+)\.([a-z_]+)\.v([1-9][0-9]*)")


class EventData(BaseModel):
    """Base of every event payload. Unknown fields are refused so a typo never ships silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str] = ""


@dataclass(frozen=True)
class EventContract:
    type: str
    model: type[EventData]
    topic: str
    producer: str  # the service that owns the type
    description: str

    def json_schema(self) -> dict[str, Any]:
        return self.model.model_json_schema()


class UnknownEventType(KeyError):
    pass


_REGISTRY: dict[str, EventContract] = {}

M = TypeVar("M", bound=type[EventData])


def event_contract(event_type: str, *, topic: str | None = None) -> Callable[[M], M]:
    """Register a payload model under its CloudEvents type.

    The topic defaults to the owning service's ``hub.<service>.events``; contact details pass
    ``topic=CONTACTS_TOPIC`` because they must never reach the public topics.
    """
    match = EVENT_TYPE_PATTERN.fullmatch(event_type)
    if not match:
        raise ValueError(f"event type {event_type!r} is not hub.<service>.<entity>.<action>.v<N>")
    producer = match.group(1)

    def register(model: M) -> M:
        if "event_type" in model.model_fields:
            raise ValueError(f"{model.__name__}: 'event_type' is reserved for the CloudEvents type; rename the field")
        existing = _REGISTRY.get(event_type)
        if existing is not None and existing.model is not model:
            raise ValueError(f"event type {event_type} is already registered to {existing.model.__name__}")
        model.event_type = event_type
        _REGISTRY[event_type] = EventContract(
            type=event_type,
            model=model,
            topic=topic or events_topic(producer),
            producer=producer,
            description=(model.__doc__ or "").strip(),
        )
        return model

    return register


def contract_for(event_type: str) -> EventContract:
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def contract_of(data: EventData) -> EventContract:
    return contract_for(type(data).event_type)


def all_contracts() -> list[EventContract]:
    return sorted(_REGISTRY.values(), key=lambda c: c.type)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every registered type, for partners and for the AsyncAPI documents."""
    return {c.type: c.json_schema() for c in all_contracts()}


def is_contact_type(event_type: str) -> bool:
    return contract_for(event_type).topic == CONTACTS_TOPIC

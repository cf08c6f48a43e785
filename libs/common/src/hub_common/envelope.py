"""The CloudEvents 1.0 envelope on Kafka, binary content mode, via the official SDK's binding.

Headers: ``ce_specversion``, ``ce_id``, ``ce_source``, ``ce_type``, ``ce_time``, ``ce_subject``,
``content-type: application/json`` and the extensions ``ce_partitionkey``, ``ce_traceparent``,
``ce_hubid``. The Kafka key is the aggregate id, so events of one aggregate stay in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent
from pydantic import ValidationError

from hub_common.contracts import EventData, UnknownEventType, contract_for

CONTENT_TYPE = "application/json"
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject")


class InvalidEvent(ValueError):
    """A message that can never be processed as it is: it belongs in the dead-letter topic."""


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class Envelope:
    """A decoded, validated event."""

    id: str
    source: str
    type: str
    time: datetime
    subject: str
    data: EventData
    partition_key: str | None = None
    traceparent: str | None = None
    hub_id: str | None = None

    @property
    def dedupe_key(self) -> str:
        return f"{self.source}|{self.id}"


def encode(
    *,
    topic: str,
    event_id: str,
    source: str,
    event_type: str,
    time: datetime,
    subject: str,
    data: dict[str, Any],
    traceparent: str | None = None,
    hub_id: str | None = None,
) -> KafkaRecord:
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": event_type,
        "time": time,
        "subject": subject,
        "datacontenttype": CONTENT_TYPE,
        "partitionkey": subject,
    }
    if traceparent:
        attributes["traceparent"] = traceparent
    if hub_id:
        attributes["hubid"] = hub_id
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    message = ce_kafka.to_binary_event(CloudEvent(attributes, body))
    key = message.key.encode() if isinstance(message.key, str) else message.key
    return KafkaRecord(topic=topic, key=key or b"", value=message.value, headers=list(message.headers.items()))


def decode(headers: Iterable[tuple[str, bytes]], key: bytes | None, value: bytes | None) -> Envelope:
    """Decode and validate a Kafka message; raise :class:`InvalidEvent` if it can never be valid."""
    header_map = {name: raw for name, raw in headers or ()}
    missing = [name for name in REQUIRED_HEADERS if name not in header_map]
    if missing:
        raise InvalidEvent(f"missing CloudEvents headers: {', '.join(missing)}")
    try:
        event = ce_kafka.from_binary_event(ce_kafka.KafkaMessage(headers=header_map, key=key, value=value or b""))
    except (BaseCloudEventException, ValueError, UnicodeDecodeError) as exc:
        raise InvalidEvent(f"not a valid CloudEvent: {exc}") from exc
    if event.get_specversion() != "1.0":
        raise InvalidEvent(f"unsupported specversion {event.get_specversion()}")
    try:
        contract = contract_for(event.get_type())
    except UnknownEventType:
        raise InvalidEvent(f"unknown event type {event.get_type()}") from None
    payload = event.get_data()
    if not isinstance(payload, dict):
        raise InvalidEvent("event data is not a JSON object")
    try:
        data = contract.model.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEvent(f"data does not match {contract.type}: {_brief(exc)}") from exc
    time = event.get_time()
    if time is None or time.tzinfo is None:
        raise InvalidEvent("ce_time must be an RFC 3339 timestamp with a time zone")
    return Envelope(
        id=event.get_id(),
        source=event.get_source(),
        type=event.get_type(),
        time=time,
        subject=event.get_subject() or "",
        data=data,
        partition_key=event.get_extension("partitionkey"),
        traceparent=event.get_extension("traceparent"),
        hub_id=event.get_extension("hubid"),
    )


def event_type_of(headers: Iterable[tuple[str, bytes]]) -> str | None:
    """The ``ce_type`` header, read without decoding the event (to skip types nobody handles)."""
    for name, raw in headers or ():
        if name == "ce_type":
            return raw.decode(errors="replace")
    return None


def _brief(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:10])

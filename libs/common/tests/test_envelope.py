"""The CloudEvents 1.0 Kafka binary-mode envelope: what goes on the wire and what decode refuses."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cloudevents.core.bindings import kafka as ce_kafka

from hub_common.contracts.contacts import VolunteerContactErased, VolunteerContactUpserted
from hub_common.envelope import InvalidEvent, KafkaRecord, decode, encode, event_type_of

UPSERTED = "hub.volunteers.contact.upserted.v1"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
WHEN = datetime(2025, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)

CONTACT = {
    "person_id": "vol-42",
    "display_name": "Ada Lovelace",
    "email": "ada@example.org",
    "phone": "+44 20 7946 0000",
    "language": "en-GB",
    "hub_ids": ["hub-north", "hub-south"],
    "consented_channels": ["email", "sms"],
}


def record(**overrides) -> KafkaRecord:
    values = {
        "topic": "hub.contacts",
        "event_id": str(uuid.uuid4()),
        "source": "/hub/volunteers",
        "event_type": UPSERTED,
        "time": WHEN,
        "subject": "vol-42",
        "data": CONTACT,
        "traceparent": TRACEPARENT,
        "hub_id": "hub-north",
        **overrides,
    }
    return encode(**values)


def with_headers(rec: KafkaRecord, **changes: bytes | None) -> list[tuple[str, bytes]]:
    """The record's headers with some replaced (``None`` removes one); keyword ``content_type`` means content-type."""
    changes = {name.replace("content_type", "content-type"): value for name, value in changes.items()}
    headers = [(name, value) for name, value in rec.headers if name not in changes]
    headers += [(name, value) for name, value in changes.items() if value is not None]
    return headers


def test_round_trip_keeps_every_attribute_and_the_validated_data() -> None:
    event_id = str(uuid.uuid4())
    rec = record(event_id=event_id)

    envelope = decode(rec.headers, rec.key, rec.value)

    assert envelope.id == event_id
    assert envelope.source == "/hub/volunteers"
    assert envelope.type == UPSERTED
    assert envelope.time == WHEN
    assert envelope.time.utcoffset() == timedelta(0)
    assert envelope.subject == "vol-42"
    assert envelope.partition_key == "vol-42"
    assert envelope.traceparent == TRACEPARENT
    assert envelope.hub_id == "hub-north"
    assert isinstance(envelope.data, VolunteerContactUpserted)
    assert envelope.data.model_dump(mode="json") == CONTACT
    assert envelope.dedupe_key == f"/hub/volunteers|{event_id}"


def test_round_trip_keeps_a_non_utc_offset_and_non_ascii_text() -> None:
    when = datetime(2025, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    rec = record(time=when, data={"person_id": "p-1", "display_name": "Zoë Ñúñez 李"})

    envelope = decode(rec.headers, rec.key, rec.value)

    assert envelope.time == when
    assert envelope.time.utcoffset() == timedelta(hours=2)
    assert envelope.data.display_name == "Zoë Ñúñez 李"
    assert "Zoë".encode() in rec.value  # UTF-8 on the wire, not \\u escapes


def test_headers_are_the_ones_the_contract_lists() -> None:
    event_id = str(uuid.uuid4())
    rec = record(event_id=event_id)
    headers = dict(rec.headers)

    assert len(headers) == len(rec.headers), "no header appears twice"
    assert set(headers) == {
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
        "ce_partitionkey",
        "ce_traceparent",
        "ce_hubid",
    }
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == event_id.encode()
    assert headers["ce_source"] == b"/hub/volunteers"
    assert headers["ce_type"] == UPSERTED.encode()
    assert datetime.fromisoformat(headers["ce_time"].decode()) == WHEN
    assert headers["ce_subject"] == b"vol-42"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_partitionkey"] == b"vol-42"
    assert headers["ce_traceparent"] == TRACEPARENT.encode()
    assert headers["ce_hubid"] == b"hub-north"
    assert all(isinstance(value, bytes) for value in headers.values())


def test_optional_extensions_are_left_out_when_absent() -> None:
    rec = record(traceparent=None, hub_id=None)
    names = {name for name, _ in rec.headers}

    assert "ce_traceparent" not in names
    assert "ce_hubid" not in names
    envelope = decode(rec.headers, rec.key, rec.value)
    assert envelope.traceparent is None
    assert envelope.hub_id is None


def test_kafka_key_is_the_subject_and_value_is_the_json_data() -> None:
    rec = record(subject="vol-7", topic="hub.contacts")

    assert rec.key == b"vol-7"
    assert rec.topic == "hub.contacts"
    assert json.loads(rec.value) == CONTACT


def test_the_official_cloudevents_sdk_reads_the_message() -> None:
    event_id = str(uuid.uuid4())
    rec = record(event_id=event_id)

    event = ce_kafka.from_binary_event(ce_kafka.KafkaMessage(headers=dict(rec.headers), key=rec.key, value=rec.value))

    assert event.get_specversion() == "1.0"
    assert event.get_id() == event_id
    assert event.get_source() == "/hub/volunteers"
    assert event.get_type() == UPSERTED
    assert event.get_time() == WHEN
    assert event.get_subject() == "vol-42"
    assert event.get_datacontenttype() == "application/json"
    assert event.get_extension("partitionkey") == "vol-42"
    assert event.get_extension("traceparent") == TRACEPARENT
    assert event.get_extension("hubid") == "hub-north"
    assert event.get_data() == CONTACT


def test_decode_accepts_a_message_built_by_the_official_sdk() -> None:
    """A partner using the CloudEvents SDK directly produces messages we accept."""
    from cloudevents.core.v1.event import CloudEvent

    event = CloudEvent(
        {
            "id": "partner-1",
            "source": "/hub/volunteers",
            "type": "hub.volunteers.contact.erased.v1",
            "time": WHEN,
            "subject": "vol-9",
            "datacontenttype": "application/json",
            "partitionkey": "vol-9",
        },
        {"person_id": "vol-9"},
    )
    message = ce_kafka.to_binary_event(event)

    envelope = decode(list(message.headers.items()), message.key, message.value)

    assert isinstance(envelope.data, VolunteerContactErased)
    assert envelope.data.person_id == "vol-9"
    assert envelope.subject == "vol-9"


def test_event_type_of_reads_only_the_type_header() -> None:
    rec = record()
    assert event_type_of(rec.headers) == UPSERTED
    assert event_type_of([("content-type", b"application/json")]) is None
    assert event_type_of([]) is None


@pytest.mark.parametrize(
    "missing", ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"], ids=str
)
def test_decode_refuses_a_message_missing_a_required_header(missing: str) -> None:
    rec = record()
    headers = [(name, value) for name, value in rec.headers if name != missing]

    with pytest.raises(InvalidEvent, match=missing):
        decode(headers, rec.key, rec.value)


def test_decode_refuses_a_message_without_headers() -> None:
    with pytest.raises(InvalidEvent, match="missing CloudEvents headers"):
        decode([], b"k", b"{}")
    with pytest.raises(InvalidEvent, match="missing CloudEvents headers"):
        decode(None, None, None)  # type: ignore[arg-type]


def test_decode_refuses_an_unknown_type() -> None:
    rec = record()
    headers = with_headers(rec, ce_type=b"hub.volunteers.contact.teleported.v1")

    with pytest.raises(InvalidEvent, match="unknown event type"):
        decode(headers, rec.key, rec.value)


def test_decode_refuses_another_specversion() -> None:
    rec = record()
    for version in (b"0.3", b"2.0"):
        with pytest.raises(InvalidEvent):
            decode(with_headers(rec, ce_specversion=version), rec.key, rec.value)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**CONTACT, "nickname": "Ada"}, "nickname"),  # extra field: contracts forbid them
        ({**CONTACT, "email": "not-an-email"}, "email"),
        ({**CONTACT, "phone": "call me"}, "phone"),
        ({**CONTACT, "consented_channels": ["carrier-pigeon"]}, "consented_channels"),
        ({k: v for k, v in CONTACT.items() if k != "display_name"}, "display_name"),
        ({**CONTACT, "person_id": ""}, "person_id"),
    ],
    ids=["extra-field", "bad-email", "bad-phone", "bad-channel", "missing-field", "empty-id"],
)
def test_decode_refuses_data_that_breaks_the_contract(data: dict, field: str) -> None:
    rec = record(data=data)

    with pytest.raises(InvalidEvent, match=field) as raised:
        decode(rec.headers, rec.key, rec.value)
    assert UPSERTED in str(raised.value)


@pytest.mark.parametrize(
    "body",
    [b"hello, not json", b"\xff\xfe\x00", b"", b"[1, 2, 3]", b'"a string"', b"null", b'{"person_id": '],
    ids=["text", "binary", "empty", "array", "string", "null", "truncated"],
)
def test_decode_refuses_a_body_that_is_not_a_json_object(body: bytes) -> None:
    rec = record()

    with pytest.raises(InvalidEvent):
        decode(rec.headers, rec.key, body)


def test_decode_refuses_a_naive_time() -> None:
    rec = record()
    headers = with_headers(rec, ce_time=b"2025-03-14T15:09:26")

    with pytest.raises(InvalidEvent, match="time"):
        decode(headers, rec.key, rec.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"ce_time": b"yesterday"},
        {"ce_id": b""},
        {"ce_subject": b""},
        {"ce_id": b"\xff\xfe"},
        {"content_type": b"text/plain"},
    ],
    ids=["unparsable-time", "empty-id", "empty-subject", "id-not-utf8", "not-json-content-type"],
)
def test_decode_refuses_malformed_attributes(changes: dict[str, bytes]) -> None:
    rec = record()

    with pytest.raises(InvalidEvent):
        decode(with_headers(rec, **changes), rec.key, rec.value)


def test_decode_refuses_a_key_that_is_not_utf8() -> None:
    rec = record()

    with pytest.raises(InvalidEvent):
        decode(rec.headers, b"\xff\xfe", rec.value)


def test_the_kafka_key_becomes_the_partition_key_when_present() -> None:
    """The SDK maps the Kafka key to ``partitionkey``; without a key the header value is kept."""
    rec = record(subject="vol-42")

    assert decode(rec.headers, None, rec.value).partition_key == "vol-42"
    assert decode(rec.headers, b"other-key", rec.value).partition_key == "other-key"


def test_invalid_event_is_a_value_error() -> None:
    """Consumers route ``ValueError``-like failures to the DLT; InvalidEvent must stay one."""
    assert issubclass(InvalidEvent, ValueError)

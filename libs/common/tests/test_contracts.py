"""The contract registry: type names, ownership, topics and schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from hub_common.contracts import (
    CONTACTS_TOPIC,
    PRIVACY_TOPIC,
    EventData,
    UnknownEventType,
    all_contracts,
    all_topics,
    contract_for,
    contract_of,
    dlt_topic,
    event_contract,
    events_topic,
    inbound_topic,
    json_schemas,
    registry,
)
from hub_common.contracts.contacts import (
    BookerContactErased,
    ResidentContactUpserted,
    VolunteerContactErased,
    VolunteerContactUpserted,
)
from hub_common.uow import Transaction

CONTACT_TYPES = {
    "hub.volunteers.contact.upserted.v1",
    "hub.volunteers.contact.erased.v1",
    "hub.issues.contact.upserted.v1",
    "hub.issues.contact.erased.v1",
    "hub.assets.contact.upserted.v1",
    "hub.assets.contact.erased.v1",
}


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A copy of the registry for tests that register types, so the real one stays as it was."""
    copy = dict(registry._REGISTRY)
    monkeypatch.setattr(registry, "_REGISTRY", copy)
    yield copy


@pytest.mark.parametrize(
    "bad",
    [
        "volunteers.contact.upserted.v1",  # no hub. prefix
        "hub.volunteers.contact.upserted",  # no version
        "hub.volunteers.contact.upserted.v0",  # versions start at 1
        "hub.volunteers.contact.upserted.v01",
        "hub.Volunteers.contact.upserted.v1",  # upper case
        "hub.volunteers.contact.v1",  # no action
        "hub.volunteers.contact.upserted.v1.extra",
        "hub.volunteers-2.contact.upserted.v1",
        "hub.volunteers.contact.upserted.v1 ",
        "",
    ],
)
def test_event_contract_rejects_bad_type_names(bad: str, scratch_registry: dict) -> None:
    with pytest.raises(ValueError, match=re.escape("hub.<service>.<entity>.<action>.v<N>")):
        event_contract(bad)
    assert bad not in scratch_registry


def test_event_contract_rejects_a_type_name_with_a_trailing_newline(scratch_registry: dict) -> None:
    with pytest.raises(ValueError):
        event_contract("hub.volunteers.contact.renamed.v1\n")


def test_event_contract_registers_with_the_owner_topic_and_description(scratch_registry: dict) -> None:
    @event_contract("hub.testsvc.widget.polished.v2")
    class WidgetPolished(EventData):
        """A widget was polished."""

        widget_id: str

    contract = contract_for("hub.testsvc.widget.polished.v2")
    assert contract.model is WidgetPolished
    assert contract.producer == "testsvc"
    assert contract.topic == events_topic("testsvc") == "hub.testsvc.events"
    assert contract.description == "A widget was polished."
    assert WidgetPolished.event_type == "hub.testsvc.widget.polished.v2"
    assert contract_of(WidgetPolished(widget_id="w1")) is contract


def test_event_contract_refuses_a_second_model_for_a_registered_type(scratch_registry: dict) -> None:
    with pytest.raises(ValueError, match="already registered to VolunteerContactUpserted"):

        @event_contract("hub.volunteers.contact.upserted.v1")
        class Impostor(EventData):
            person_id: str

    assert contract_for("hub.volunteers.contact.upserted.v1").model is VolunteerContactUpserted
    assert VolunteerContactUpserted.event_type == "hub.volunteers.contact.upserted.v1"


def test_registering_the_same_model_again_is_harmless(scratch_registry: dict) -> None:
    again = event_contract("hub.volunteers.contact.upserted.v1", topic=CONTACTS_TOPIC)(VolunteerContactUpserted)

    assert again is VolunteerContactUpserted
    assert contract_for("hub.volunteers.contact.upserted.v1").topic == CONTACTS_TOPIC


def test_contract_for_an_unknown_type_raises_unknown_event_type() -> None:
    with pytest.raises(UnknownEventType):
        contract_for("hub.volunteers.contact.teleported.v1")
    assert issubclass(UnknownEventType, KeyError)


def test_contact_types_route_to_hub_contacts_never_to_public_topics() -> None:
    registered = {c.type for c in all_contracts()}
    assert registered >= CONTACT_TYPES
    for event_type in CONTACT_TYPES:
        contract = contract_for(event_type)
        assert contract.topic == CONTACTS_TOPIC == "hub.contacts"
        assert contract.producer == event_type.split(".")[1]
        assert registry.is_contact_type(event_type)


def test_no_contact_details_travel_on_a_public_topic() -> None:
    """Any contract carrying an email or phone field must be on hub.contacts (the personal-data rule)."""
    for contract in all_contracts():
        fields = set(contract.model.model_fields)
        if fields & {"email", "phone"}:
            assert contract.topic == CONTACTS_TOPIC, contract.type


def test_json_schemas_cover_every_registered_type() -> None:
    schemas = json_schemas()

    assert set(schemas) == {c.type for c in all_contracts()}
    assert set(schemas) >= CONTACT_TYPES
    upserted = schemas["hub.volunteers.contact.upserted.v1"]
    assert upserted["additionalProperties"] is False
    assert set(upserted["required"]) == {"person_id", "display_name"}
    assert "email" in upserted["properties"]
    assert schemas["hub.assets.contact.erased.v1"]["required"] == ["person_id"]


def test_all_contracts_are_sorted_by_type() -> None:
    types = [c.type for c in all_contracts()]
    assert types == sorted(types)


def test_topic_names() -> None:
    assert inbound_topic("issues") == "hub.issues.inbound"
    assert dlt_topic("notifications") == "hub.notifications.dlt"
    topics = all_topics()
    assert len(topics) == len(set(topics)) == 20  # two restricted, and three for each of six services
    assert CONTACTS_TOPIC in topics and PRIVACY_TOPIC in topics
    for service in ("volunteers", "issues", "assets", "notifications", "participation"):
        assert {events_topic(service), inbound_topic(service), dlt_topic(service)} <= set(topics)


def test_event_data_is_frozen_and_refuses_unknown_fields() -> None:
    erased = VolunteerContactErased(person_id="p1")
    with pytest.raises(ValueError):
        VolunteerContactErased(person_id="p1", name="Ada")
    with pytest.raises(ValueError):
        erased.person_id = "p2"  # type: ignore[misc]


def test_transaction_publish_refuses_an_event_type_owned_by_another_service() -> None:
    tx = Transaction(db=None, session=None, source="/hub/issues")  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="belongs to volunteers"):
        tx.publish(VolunteerContactUpserted(person_id="p1", display_name="Ada"), subject="p1")
    with pytest.raises(ValueError, match="belongs to assets"):
        tx.publish(BookerContactErased(person_id="p1"), subject="p1")
    assert tx.pending_events == []


def test_transaction_publish_queues_its_own_types_for_the_outbox() -> None:
    tx = Transaction(db=None, session=None, source="/hub/issues")  # type: ignore[arg-type]

    event_id = tx.publish(
        ResidentContactUpserted(person_id="res-1", display_name="Grace", email="grace@example.org"),
        subject="res-1",
        hub_id="hub-north",
    )

    [event] = tx.pending_events
    assert event["_id"] == event_id
    assert event["status"] == "pending"
    assert event["topic"] == CONTACTS_TOPIC
    assert event["type"] == "hub.issues.contact.upserted.v1"
    assert event["source"] == "/hub/issues"
    assert event["subject"] == "res-1"
    assert event["hub_id"] == "hub-north"
    assert event["data"]["email"] == "grace@example.org"
    assert event["created_at"].tzinfo is not None


def test_transaction_publish_orders_events_of_one_transaction() -> None:
    tx = Transaction(db=None, session=None, source="/hub/volunteers")  # type: ignore[arg-type]
    for i in range(3):
        tx.publish(VolunteerContactErased(person_id=f"p{i}"), subject=f"p{i}")

    seqs = [e["seq"] for e in tx.pending_events]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3
    assert [e["subject"] for e in tx.pending_events] == ["p0", "p1", "p2"]


def test_schema_export_writes_one_valid_schema_per_registered_type(tmp_path) -> None:
    from hub_common.contracts.__main__ import export

    written = export(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{c.type}.json" for c in all_contracts())
    schema = json.loads((tmp_path / "hub.volunteers.contact.upserted.v1.json").read_text())
    assert schema["x-topic"] == "hub.contacts"
    assert "display_name" in schema["required"] and "person_id" in schema["required"]
    assert schema["additionalProperties"] is False


def test_a_payload_field_may_not_shadow_the_reserved_event_type() -> None:
    with pytest.raises(ValueError, match="reserved"), pytest.warns(UserWarning, match="shadows"):

        @event_contract("hub.volunteers.shadow.made.v1")
        class Shadowing(EventData):
            event_type: str = "oops"  # type: ignore[assignment]

"""Partners' ballots and forum registrations on hub.participation.inbound, through the handlers the
worker runs: the API's rules for a person the partner knows by its reference, once per partner_ref,
only from a partner granted the type and the hub; what can never be valid is dead-lettered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from participation_testkit import NORTH, RIVER, ParticipationApi
from test_api_pb import in_voting, vote

from hub_common.consumer import PermanentError
from hub_common.contracts.participation import PartnerBallotSubmitted, PartnerRegistrationSubmitted
from hub_common.envelope import Envelope
from hub_participation.domain.pb_count import voter_key
from hub_participation.service.partner_inbound import partner_person_id
from hub_testkit.partners import grant_partner

LIBRARY = "northfield-library"
SOURCE = f"/partners/{LIBRARY}"
TYPES = [PartnerBallotSubmitted.event_type, PartnerRegistrationSubmitted.event_type]
CONFIRMED = "hub.participation.registration.confirmed.v1"


@pytest.fixture(autouse=True)
async def library_in_the_registry(api: ParticipationApi) -> None:
    await grant_partner(api.db, LIBRARY, hubs=[NORTH], publishes=TYPES)


def inbound(model: type, source: str = SOURCE, **data: Any) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),  # a fresh event id each time: a resend is caught by partner_ref
        source=source,
        type=model.event_type,
        time=datetime.now(UTC),
        subject=data["person_ref"],
        data=model.model_validate({"hub_id": NORTH, **data}),
    )


def ballot(round_id: str, ref: str, person: str, choices: list[str], **data: Any) -> Envelope:
    fields = {"partner_ref": ref, "round_id": round_id, "person_ref": person, "choices": choices, **data}
    return inbound(PartnerBallotSubmitted, **fields)


def registration(meeting_id: str, ref: str, person: str, **data: Any) -> Envelope:
    return inbound(PartnerRegistrationSubmitted, partner_ref=ref, meeting_id=meeting_id, person_ref=person, **data)


async def apply(api: ParticipationApi, event: Envelope) -> None:
    handler = api.ctx.components.handlers[event.type]
    await api.ctx.uow.run(lambda tx: handler(event, tx))


async def stored_ballot(api: ParticipationApi, round_id: str, person: str) -> list[str] | None:
    key = api.settings.pb_ballot_key.get_secret_value().encode()
    doc = await api.db["pb_ballots"].find_one({"_id": voter_key(key, round_id, partner_person_id(SOURCE, person))})
    return doc["choices"] if doc else None


async def round_ballots(api: ParticipationApi, round_id: str) -> int:
    return (await api.client.get(f"/v1/pb/rounds/{round_id}")).json()["ballots"]


async def test_a_paper_ballot_counts_once_and_the_persons_second_ballot_replaces_it(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    first = ballot(round_id, "paper-1", "reader-7", [ids["big"]])
    await apply(api, first)
    await apply(api, first)  # the same message delivered again
    assert await stored_ballot(api, round_id, "reader-7") == [ids["big"]]
    assert await round_ballots(api, round_id) == 1

    await apply(api, ballot(round_id, "paper-2", "reader-7", [ids["mid"], ids["small"]]))  # they changed their mind
    assert await stored_ballot(api, round_id, "reader-7") == sorted([ids["mid"], ids["small"]])
    await apply(api, ballot(round_id, "paper-1", "reader-7", [ids["big"]]))  # the first sent again, new event id
    assert await stored_ballot(api, round_id, "reader-7") == sorted([ids["mid"], ids["small"]])
    assert await round_ballots(api, round_id) == 1
    assert await api.db["pb_ballots"].count_documents({"round_id": round_id}) == 1

    # Another of the library's people, and a resident voting online, are other voters.
    await apply(api, ballot(round_id, "paper-3", "reader-8", [ids["big"]]))
    assert (await vote(api, round_id, "reader-7", [ids["big"]])).status_code == 201
    assert await round_ballots(api, round_id) == 3


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (lambda ids: [ids["big"], ids["mid"], ids["small"]], "more than the budget"),
        (lambda ids: [ids["nope"]], "not on this round's ballot"),
    ],
)
async def test_a_ballot_that_breaks_the_rules_is_dead_lettered_and_nothing_is_stored(
    api: ParticipationApi, choices, message
) -> None:
    round_id, ids = await in_voting(api)
    with pytest.raises(PermanentError, match=rf"ballot paper-1 refused: .*{message}"):
        await apply(api, ballot(round_id, "paper-1", "reader-7", choices(ids)))
    assert await stored_ballot(api, round_id, "reader-7") is None
    assert await api.db["partner_messages"].count_documents({}) == 0  # a corrected resend is still taken


async def test_a_ballot_outside_the_voting_window_is_dead_lettered(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    await apply(api, ballot(round_id, "paper-1", "reader-7", [ids["big"]]))
    assert (await api.client.post(f"/v1/pb/rounds/{round_id}/close", headers=api.staff())).status_code == 200

    with pytest.raises(PermanentError, match="ballot paper-2 refused: voting is not open"):
        await apply(api, ballot(round_id, "paper-2", "reader-7", [ids["mid"]]))
    assert await stored_ballot(api, round_id, "reader-7") == [ids["big"]]


async def test_a_partner_not_granted_the_type_or_the_hub_is_refused(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    registrations_only = [PartnerRegistrationSubmitted.event_type]
    await grant_partner(api.db, "riverside-phone-line", hubs=[NORTH], publishes=registrations_only)
    await grant_partner(api.db, "riverside-library", hubs=[RIVER], publishes=TYPES)

    refused = [
        (ballot(round_id, "p-1", "r-1", [ids["big"]], source="/partners/riverside-phone-line"), "not granted 'hub"),
        (ballot(round_id, "p-2", "r-1", [ids["big"]], source="/partners/riverside-library"), "not granted hub"),
        (ballot(round_id, "p-3", "r-1", [ids["big"]], source="/partners/unknown-partner"), "not in the partner"),
        (ballot(round_id, "p-4", "r-1", [ids["big"]], source="https://example.org/x"), "neither a partner"),
    ]
    for event, message in refused:
        with pytest.raises(PermanentError, match=message):
            await apply(api, event)
    # Granted Riverside, it names Riverside for a Northfield round: the round's hub is what counts.
    with pytest.raises(PermanentError, match=f"round {round_id} is not in hub {RIVER}"):
        await apply(
            api, ballot(round_id, "p-5", "r-1", [ids["big"]], source="/partners/riverside-library", hub_id=RIVER)
        )
    assert await api.db["pb_ballots"].count_documents({"round_id": round_id}) == 0


async def test_a_partner_registers_its_person_once_with_their_access_needs(api: ParticipationApi) -> None:
    meeting = await api.schedule(capacity=1, waitlist=True)
    first = registration(meeting["id"], "call-1", "caller-3", access_needs="Hearing loop")
    await apply(api, first)
    await apply(api, first)  # delivered again
    await apply(api, registration(meeting["id"], "call-2", "caller-3"))  # they rang again: the same place
    await apply(api, registration(meeting["id"], "call-3", "caller-4"))  # full: the waitlist

    person = partner_person_id(SOURCE, "caller-3")
    assert person == f"partner:{LIBRARY}:caller-3"
    [confirmed] = await api.outbox(CONFIRMED, subject=meeting["id"])
    assert confirmed["data"]["person_id"] == person
    [waiting] = await api.outbox("hub.participation.registration.waitlisted.v1", subject=meeting["id"])
    assert waiting["data"]["person_id"] == partner_person_id(SOURCE, "caller-4")
    assert "Hearing loop" not in str(confirmed)  # never in an event
    shown = await api.meeting(meeting["id"])
    assert shown["registered"] == 1 and shown["waitlisted"] == 1
    needs = await api.client.get(f"/v1/meetings/{meeting['id']}/access-needs", headers=api.staff())
    assert needs.json()["needs"] == ["Hearing loop"]


async def test_a_registration_the_meeting_cannot_take_is_dead_lettered(api: ParticipationApi) -> None:
    meeting = await api.schedule(capacity=1, waitlist=False)
    await apply(api, registration(meeting["id"], "call-1", "caller-3"))
    with pytest.raises(PermanentError, match=r"registration call-2 refused: .*full"):
        await apply(api, registration(meeting["id"], "call-2", "caller-4"))
    with pytest.raises(PermanentError, match="registration call-3 refused: there is no meeting"):
        await apply(api, registration("mtg-none", "call-3", "caller-4"))
    assert len(await api.outbox(CONFIRMED, subject=meeting["id"])) == 1


async def test_retention_forgets_the_references_of_messages_taken_long_ago(api: ParticipationApi) -> None:
    meeting = await api.schedule()
    await apply(api, registration(meeting["id"], "call-1", "caller-3"))
    long_ago = datetime.now(UTC) - timedelta(days=401)
    await api.db["partner_messages"].insert_one({"_id": f"{SOURCE}|call-0", "source": SOURCE, "taken_at": long_ago})

    [retention] = [task for task in api.ctx.components.periodic if task.name == "retention"]
    assert (await retention.run())["references of partners' ballots and registrations taken"] == 1
    assert [doc["_id"] async for doc in api.db["partner_messages"].find({})] == [f"{SOURCE}|call-1"]

"""Residents asking for a sign-in link by email, through the real app and database: 202 whatever the
address; the address goes to notifications only as a contact on hub.contacts, then the request naming
the sub the link signs in as (the same for the same address, whatever its letter case); a few links an
hour per address; bad input refused with nothing published; erasure and subject access cover it."""

from __future__ import annotations

from participation_testkit import NORTH, ParticipationApi, assert_problem
from test_privacy_demo_and_docs import ask

from hub_common.residents import is_email_resident
from hub_participation.domain.sign_in import LINKS_PER_WINDOW

REQUESTED = "hub.participation.sign_in_link.requested.v1"
CONTACT = "hub.participation.contact.upserted.v1"


async def ask_link(api: ParticipationApi, email: str, **extra: str):
    body = {"email": email, "return_to": "/budgeting/pb-1", "hub_id": NORTH, **extra}
    return await api.client.post("/v1/sign-in-links", json=body)


async def test_a_link_request_sends_the_address_as_a_contact_then_the_request_for_a_stable_sub(
    api: ParticipationApi,
) -> None:
    first = await ask_link(api, "Ann.Jones@Example.org", language="cy")
    assert first.status_code == 202 and "Ann" not in first.text
    [contact] = await api.outbox(CONTACT)
    [requested] = await api.outbox(REQUESTED)
    sub = requested["data"]["person_id"]
    assert is_email_resident(sub) and "ann" not in sub.lower()
    assert contact["data"]["person_id"] == sub and contact["data"]["email"] == "ann.jones@example.org"
    assert contact["data"]["consented_channels"] == ["email", "inapp"] and contact["data"]["language"] == "cy"
    assert requested["data"] == {"person_id": sub, "return_to": "/budgeting/pb-1", "hub_id": NORTH}
    assert "@" not in str(requested) and contact["subject"] == requested["subject"] == sub
    assert await api.count("resident_sign_in_links") == 1
    stored = await api.db["resident_sign_in_links"].find_one({})
    assert stored["_id"] == sub and "example" not in str(stored)

    assert (await ask_link(api, "  ann.jones@EXAMPLE.org ")).status_code == 202
    assert [r["data"]["person_id"] for r in await api.outbox(REQUESTED)] == [sub, sub]  # the same resident
    assert (await ask_link(api, "someone.else@example.org")).status_code == 202
    assert len({r["data"]["person_id"] for r in await api.outbox(REQUESTED)}) == 2


async def test_an_address_gets_a_few_links_an_hour_and_the_answer_is_the_same_after(api: ParticipationApi) -> None:
    answers = [await ask_link(api, "busy@example.org") for _ in range(LINKS_PER_WINDOW + 2)]
    assert {a.status_code for a in answers} == {202} and len({a.text for a in answers}) == 1
    assert len(await api.outbox(REQUESTED)) == LINKS_PER_WINDOW


async def test_bad_requests_are_refused_and_publish_nothing(api: ParticipationApi) -> None:
    for body in (
        {"email": "not-an-address"},
        {"email": "a@example.org", "return_to": "https://elsewhere.example/"},
        {"email": "a@example.org", "return_to": "/budgeting?x=1"},
        {"email": "a@example.org", "hub_id": "Not A Hub"},
        {"email": "a@example.org", "extra": "field"},
    ):
        assert_problem(await api.client.post("/v1/sign-in-links", json=body), 422)
    assert await api.outbox() == [] and await api.count("resident_sign_in_links") == 0


async def test_erasure_and_access_cover_the_links_sent_and_the_address_given(api: ParticipationApi) -> None:
    await ask_link(api, "ann@example.org")
    [requested] = await api.outbox(REQUESTED)
    sub = requested["data"]["person_id"]
    exported = await ask(api, "access", [sub])
    assert len(exported["export"]["sign_in_links_sent"]) == 1
    assert {h["kind"] for h in exported["held"]} == {"records of sign-in links sent"}
    erased = await ask(api, "erasure", [sub])
    assert {h["kind"]: h["count"] for h in erased["held"]} == {"records of sign-in links sent": 1}
    assert await api.count("resident_sign_in_links") == 0
    [gone] = await api.outbox("hub.participation.contact.erased.v1")  # notifications forgets the address
    assert gone["data"] == {"person_id": sub}

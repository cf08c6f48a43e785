"""A privacy request answered from the ideas (erasure keeps the anonymous idea and its counts; access
exports the person's part only), the demo data, and the OpenAPI and AsyncAPI documents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from participation_testkit import ParticipationApi

from hub_common.contracts import all_contracts
from hub_common.contracts.privacy import PrivacyRequestOpened
from hub_common.envelope import Envelope
from hub_participation.__main__ import DEFINITION
from hub_participation.demo import demo_ideas

ANSWERED = "hub.participation.privacy_request.answered.v1"


async def ask(api: ParticipationApi, kind: str, person_ids: list[str]) -> dict:
    request_id = f"pr-{uuid.uuid4().hex[:8]}"
    data = PrivacyRequestOpened(
        request_id=request_id, kind=kind, person_ids=person_ids, due_at=datetime.now(UTC) + timedelta(days=30)
    )
    event = Envelope(
        id=str(uuid.uuid4()),
        source="/hub/notifications",
        type=data.event_type,
        time=datetime.now(UTC),
        subject=request_id,
        data=data,
    )
    handler = api.ctx.components.handlers[event.type]
    await api.ctx.uow.run(lambda tx: handler(event, tx))
    [answer] = await api.outbox(ANSWERED, subject=f"{request_id}:participation")
    return answer["data"]


async def test_erasure_unlinks_the_person_and_keeps_the_anonymous_idea_and_its_counts(api: ParticipationApi) -> None:
    response = await api.client.post(
        "/v1/ideas",
        json={
            "hub_id": "hub-northfield",
            "title": "A community fridge at the hub",
            "description": "Share food that would go to waste.",
            "display_name": "Ottoline V",
            "contact": {"email": "ottoline@example.org"},
        },
        headers={**api.resident("res-otto"), "Idempotency-Key": "otto-1"},
    )
    mine = response.json()["idea"]["id"]
    theirs = (await api.propose(by="res-other"))["idea"]["id"]
    await api.support(theirs, "res-otto", follow=True)
    await api.support(mine, "res-other")

    answer = await ask(api, "erasure", ["res-otto"])

    held = {line["kind"]: line["count"] for line in answer["held"]}
    assert held == {"ideas proposed": 1, "ideas supported": 1, "ideas followed": 2}
    idea = await api.idea(mine)
    assert idea["proposed_by"] == "a resident" and idea["title"] == "A community fridge at the hub"
    assert idea["support_count"] == 1
    supported = await api.idea(theirs)
    assert supported["support_count"] == 1
    stored = await api.db.ideas.find({}).to_list()
    assert "res-otto" not in str(stored) and "Ottoline" not in str(stored)
    stored_results = await api.db.idempotency_keys.find({}).to_list()
    assert "Ottoline" not in str(stored_results)
    [erased] = await api.outbox("hub.participation.contact.erased.v1")
    assert erased["data"] == {"person_id": "res-otto"} and erased["topic"] == "hub.contacts"
    assert (await ask(api, "erasure", ["res-otto"]))["held"] == []  # nothing more to erase


async def test_access_exports_their_ideas_and_what_they_support_and_nobody_else_s(api: ParticipationApi) -> None:
    mine = (await api.propose(by="res-otto", display_name="Otto"))["idea"]["id"]
    theirs = (await api.propose(by="res-other", title="Another idea for the hub", display_name="Sam"))["idea"]["id"]
    await api.support(theirs, "res-otto")

    answer = await ask(api, "access", ["res-otto"])

    export = answer["export"]
    assert [i["id"] for i in export["ideas"]] == [mine] and export["ideas"][0]["shown_as"] == "Otto"
    assert export["supported"] == [theirs] and export["followed"] == [mine]
    assert "Sam" not in str(export) and "res-other" not in str(export)
    assert (await api.idea(mine))["proposed_by"] == "Otto"  # access changes nothing


async def test_demo_data_opens_both_hubs_with_ideas_one_answered_past_its_threshold(api: ParticipationApi) -> None:
    await DEFINITION.seed_demo_data(api.ctx)
    await DEFINITION.seed_demo_data(api.ctx)  # a restart adds nothing twice

    assert await api.count("ideas") == len(demo_ideas())
    trees = await api.idea("idea-demo-north-trees")
    assert trees["status"] == "accepted" and trees["support_count"] == 12 and len(trees["progress"]) == 1
    cafe = await api.idea("idea-demo-river-cafe")
    assert cafe["status"] == "not_taken_forward" and cafe["threshold_reached_at"] is not None
    riverside = (await api.client.get("/v1/hubs/hub-riverside/ideas")).json()["items"]
    assert [i["id"] for i in riverside] == ["idea-demo-river-cafe", "idea-demo-river-path"]
    assert len(await api.outbox("hub.participation.idea.threshold_reached.v1")) == 2


async def test_openapi_and_asyncapi_describe_every_route_and_event(api: ParticipationApi) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/ideas",
        "/v1/ideas/{idea_id}/supports",
        "/v1/ideas/{idea_id}/response",
        "/v1/hubs/{hub_id}/ideas",
    ):
        assert path in paths, path
    doc = (await api.client.get("/asyncapi.json")).json()
    names = {m["name"] for m in doc["components"]["messages"].values()}
    own = {c.type for c in all_contracts() if c.producer == "participation"}
    inbound = {c.type for c in all_contracts() if c.topic == "hub.participation.inbound"}
    assert inbound == {"hub.participation.pb_ballot.submitted.v1", "hub.participation.registration.submitted.v1"}
    assert own - inbound == set(DEFINITION.publishes) and own <= names
    assert "hub.notifications.privacy_request.opened.v1" in names  # what it consumes
    received = doc["operations"]["receive_hub_participation_inbound"]["messages"]  # what partners send it
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in received} == {t.replace(".", "_") for t in inbound}
    for probe in ("/health/live", "/health/ready", "/metrics"):
        assert (await api.client.get(probe)).status_code == 200, probe


async def test_erasure_drops_a_registrants_link_and_access_needs_and_keeps_the_count(api: ParticipationApi) -> None:
    meeting = (await api.schedule())["id"]
    registered = await api.register(
        meeting, "res-otto", access_needs="Wheelchair space", contact={"email": "otto@example.org"}
    )
    assert registered.status_code == 200
    await api.register(meeting, "res-other", access_needs="Large print")

    exported = await ask(api, "access", ["res-otto"])
    [mine] = exported["export"]["forum_registrations"]
    assert mine["meeting_id"] == meeting and mine["access_needs"] == "Wheelchair space"
    assert "Large print" not in str(exported) and "res-other" not in str(exported)

    answer = await ask(api, "erasure", ["res-otto"])

    assert {h["kind"]: h["count"] for h in answer["held"]}["forum registrations"] == 1
    stored = await api.db.meetings.find({}).to_list()
    assert "res-otto" not in str(stored) and "Wheelchair" not in str(stored)
    assert "Wheelchair" not in str(await api.db.idempotency_keys.find({}).to_list())
    assert (await api.meeting(meeting))["registered"] == 2  # the place stays, anonymous
    [erased] = await api.outbox("hub.participation.contact.erased.v1")
    assert erased["data"] == {"person_id": "res-otto"}


async def test_demo_data_schedules_an_upcoming_forum_with_an_agenda_in_both_hubs(api: ParticipationApi) -> None:
    await DEFINITION.seed_demo_data(api.ctx)
    await DEFINITION.seed_demo_data(api.ctx)  # a restart adds nothing twice

    for hub, kind in (("hub-northfield", "room"), ("hub-riverside", "online")):
        [forum] = (await api.client.get(f"/v1/hubs/{hub}/meetings")).json()["items"]
        assert forum["place"]["kind"] == kind and forum["registered"] == 3
        assert [i["kind"] for i in forum["agenda"]].count("idea") >= 1
        assert any(i["kind"] == "staff" for i in forum["agenda"])
    requests = await api.outbox("hub.participation.room_booking.requested.v1")
    assert len(requests) == 1 and requests[0]["data"]["hub_id"] == "hub-northfield"


async def test_openapi_describes_the_forum_routes(api: ParticipationApi) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/meetings",
        "/v1/meetings/{meeting_id}",
        "/v1/meetings/{meeting_id}/registration",
        "/v1/meetings/{meeting_id}/minutes",
        "/v1/meetings/{meeting_id}/actions/{action_id}/complete",
        "/v1/hubs/{hub_id}/meetings",
        "/v1/hubs/{hub_id}/meetings.ics",
    ):
        assert path in paths, path
    assert "hub.assets.events" in DEFINITION.consumes

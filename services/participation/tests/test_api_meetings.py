"""Forum meetings through the real app and database: scheduling with an agenda and a room request,
registration once each (also 50 at once), capacity, waitlist and promotion, access needs kept from
the public, minutes and actions, the iCalendar feed, bad input, invalid transitions and who may do what."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from participation_testkit import NORTH, RIVER, ParticipationApi, assert_problem, meeting_body

from hub_common.contracts.issues import IssueClosed, IssueReported, IssueSupported
from hub_common.contracts.registry import EventData
from hub_common.envelope import Envelope
from hub_testkit.service_api import fields_of

SCHEDULED = "hub.participation.meeting.scheduled.v1"
ROOM_REQUEST = "hub.participation.room_booking.requested.v1"
CONFIRMED = "hub.participation.registration.confirmed.v1"
WAITLISTED = "hub.participation.registration.waitlisted.v1"
PROMOTED = "hub.participation.registration.promoted.v1"


async def test_staff_schedule_a_forum_with_the_top_ideas_on_its_agenda_and_ask_assets_for_the_room(
    api: ParticipationApi,
) -> None:
    trees = (await api.propose(title="Plant fruit trees on Green Lane"))["idea"]["id"]
    benches = (await api.propose(title="More benches on the hill", description="Somewhere to rest."))["idea"]["id"]
    await api.support(benches, "res-a")
    await api.support(benches, "res-b")
    await api.support(trees, "res-a")

    response = await api.client.post(
        "/v1/meetings",
        json=meeting_body(top_ideas=2, staff_items=[{"title": "The hub's budget for next year"}]),
        headers={**api.staff(), "Idempotency-Key": "m-1"},
    )

    assert response.status_code == 201, response.text
    meeting = response.json()
    assert response.headers["Location"] == f"/v1/meetings/{meeting['id']}" and response.headers["ETag"] == '"v1"'
    assert [(i["kind"], i["idea_id"]) for i in meeting["agenda"]] == [
        ("idea", benches),
        ("idea", trees),
        ("staff", None),
    ]
    assert meeting["agenda"][0]["support_count"] == 2
    assert meeting["place"]["room_status"] == "requested" and meeting["places_left"] == 30
    [request] = await api.outbox(ROOM_REQUEST)
    assert request["topic"] == "hub.assets.inbound" and request["subject"] == meeting["id"]
    assert request["data"]["request_id"] == meeting["id"] and request["data"]["room_id"] == "room-main-hall"
    assert request["data"]["requested_by"] == "staff-1"
    [scheduled] = await api.outbox(SCHEDULED)
    assert scheduled["data"]["agenda"] == [
        "More benches on the hill",
        "Plant fruit trees on Green Lane",
        "The hub's budget for next year",
    ]
    repeat = await api.client.post(
        "/v1/meetings",
        json=meeting_body(top_ideas=2, staff_items=[{"title": "The hub's budget for next year"}]),
        headers={**api.staff(), "Idempotency-Key": "m-1"},
    )
    assert repeat.json()["id"] == meeting["id"] and await api.count("meetings") == 1

    online = await api.schedule(place={"kind": "online", "online_url": "https://meet.example.org/forum"})
    assert online["place"]["room_status"] is None and online["place"]["name"] == "Online"
    assert len(await api.outbox(ROOM_REQUEST)) == 1  # an online meeting books no room


async def issues_event(api: ParticipationApi, data: EventData, repeat: int = 1) -> None:
    """An issues service event, through the participation worker's own handler (in its transaction)."""
    handler = api.ctx.components.handlers[data.event_type]
    event = Envelope(
        id=str(uuid.uuid4()),
        source="/hub/issues",
        type=data.event_type,
        time=datetime.now(UTC),
        subject=data.issue_id,  # type: ignore[attr-defined]
        data=data,
    )
    for _ in range(repeat):
        await api.ctx.uow.run(lambda tx: handler(event, tx))


async def report(
    api: ParticipationApi, issue_id: str, name: str, at: datetime, supports: int, hub: str = NORTH
) -> None:
    where = {"lat": 53.81, "lon": -1.55}
    await issues_event(
        api,
        IssueReported(
            issue_id=issue_id,
            hub_id=hub,
            service_code=name.lower(),
            service_name=name,
            description="Outside number 12, call me on 07700 900123",
            location=where,
            reporter_id="res-reporter",
            requested_at=at,
        ),
    )
    for n in range(1, supports + 1):
        data = IssueSupported(
            issue_id=issue_id,
            hub_id=hub,
            service_code=name.lower(),
            location=where,
            supporter_id=f"res-{n}",
            support_count=n,
            supported_at=at + timedelta(minutes=n),
        )
        await issues_event(api, data, repeat=2)  # a repeat changes nothing


async def test_the_agenda_takes_the_hub_s_most_supported_open_issues_after_the_ideas_and_before_staff_items(
    api: ParticipationApi,
) -> None:
    idea = (await api.propose(title="Plant fruit trees on Green Lane"))["idea"]["id"]
    day = datetime(2026, 3, 1, 9, tzinfo=UTC)
    await report(api, "iss-lights", "Street lights", day, supports=2)
    await report(api, "iss-potholes", "Potholes", day + timedelta(days=1), supports=3)
    await report(api, "iss-litter", "Litter", day - timedelta(days=1), supports=2)  # older than the lights
    await report(api, "iss-graffiti", "Graffiti", day, supports=5)
    await report(api, "iss-river", "Fly-tipping", day, supports=9, hub=RIVER)  # another hub's
    closed = IssueClosed(
        issue_id="iss-graffiti",
        hub_id=NORTH,
        service_code="graffiti",
        service_name="Graffiti",
        location={"lat": 53.81, "lon": -1.55},
        previous_status="reported",
        status="closed_not_fixed",
        open311_status="closed",
        public_note="On private land.",
        changed_by_role="staff",
        changed_at=day + timedelta(days=2),
    )
    await issues_event(api, closed)
    late = IssueSupported(  # a "me too" published before the close but arriving after it
        issue_id="iss-graffiti",
        hub_id=NORTH,
        service_code="graffiti",
        location={"lat": 53.81, "lon": -1.55},
        supporter_id="res-late",
        support_count=6,
        supported_at=day + timedelta(days=1),
    )
    await issues_event(api, late)

    response = await api.client.post(
        "/v1/meetings",
        json=meeting_body(top_ideas=1, top_priorities=3, staff_items=[{"title": "The hub's budget for next year"}]),
        headers=api.staff(),
    )

    assert response.status_code == 201, response.text
    agenda = response.json()["agenda"]
    assert [(i["kind"], i["idea_id"] or i["issue_id"], i["support_count"]) for i in agenda] == [
        ("idea", idea, 0),
        ("priority", "iss-potholes", 3),
        ("priority", "iss-litter", 2),
        ("priority", "iss-lights", 2),
        ("staff", None, None),
    ]
    assert agenda[1]["title"] == "Reported problem: Potholes"
    assert "07700" not in response.text and "res-reporter" not in response.text
    stored = await api.ctx.db["open_issues"].find_one({"_id": "iss-potholes"})
    assert stored is not None and "description" not in stored and "reporter_id" not in stored
    ics = Calendar.from_ical((await api.client.get(f"/v1/hubs/{NORTH}/meetings.ics")).content)
    [event] = ics.walk("VEVENT")
    assert "- Reported problem: Potholes (3 supporters)" in str(event.get("description"))
    assert (await api.schedule(top_ideas=0, top_priorities=0))["agenda"] == []


async def test_fifty_registrations_of_one_person_at_once_give_one_place(api: ParticipationApi) -> None:
    meeting = await api.schedule(capacity=5)

    answers = await asyncio.gather(*(api.register(meeting["id"], "res-eager") for _ in range(50)))

    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    assert sum(a.json()["new"] for a in answers) == 1
    assert {a.json()["registration_id"] for a in answers} == {answers[0].json()["registration_id"]}
    stored = await api.meeting(meeting["id"])
    assert stored["registered"] == 1 and stored["places_left"] == 4
    [confirmed] = await api.outbox(CONFIRMED)
    assert confirmed["data"]["person_id"] == "res-eager" and confirmed["data"]["place"] == "Main Hall, 1 Green Lane"


async def test_capacity_then_the_waitlist_and_a_freed_place_goes_to_the_first_waiting(api: ParticipationApi) -> None:
    meeting = (await api.schedule(capacity=2))["id"]
    for person in ("res-a", "res-b"):
        assert (await api.register(meeting, person)).json()["status"] == "registered"
    waiting = [(await api.register(meeting, person)).json() for person in ("res-c", "res-d")]
    assert [(w["status"], w["waitlist_position"]) for w in waiting] == [("waitlisted", 1), ("waitlisted", 2)]
    [first, _] = await api.outbox(WAITLISTED)
    assert first["data"]["position"] == 1

    cancelled = await api.client.delete(f"/v1/meetings/{meeting}/registration", headers=api.resident("res-a"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    [promoted] = await api.outbox(PROMOTED)
    assert promoted["data"]["person_id"] == "res-c"
    mine = await api.client.get(f"/v1/meetings/{meeting}/registration", headers=api.resident("res-d"))
    assert mine.json()["waitlist_position"] == 1
    assert (await api.meeting(meeting))["registered"] == 2
    assert len(await api.outbox("hub.participation.registration.cancelled.v1")) == 1


async def test_a_full_meeting_without_a_waitlist_is_a_409_problem(api: ParticipationApi) -> None:
    meeting = (await api.schedule(capacity=1, waitlist=False))["id"]
    assert (await api.register(meeting, "res-a")).status_code == 200
    problem = assert_problem(await api.register(meeting, "res-b"), 409, "conflict")
    assert "full" in problem["detail"]
    assert len(await api.outbox(CONFIRMED)) == 1 and len(await api.outbox(WAITLISTED)) == 0


async def test_access_needs_and_contacts_stay_out_of_public_views_and_events(api: ParticipationApi) -> None:
    meeting = (await api.schedule())["id"]
    registered = await api.register(
        meeting, "res-a", access_needs="A hearing loop, please", contact={"name": "Ann", "email": "ann@example.org"}
    )
    assert registered.json()["access_needs"] == "A hearing loop, please"
    await api.register(meeting, "res-b")

    public = (await api.client.get(f"/v1/meetings/{meeting}")).text + (
        await api.client.get(f"/v1/hubs/{NORTH}/meetings")
    ).text
    public += (await api.client.get(f"/v1/hubs/{NORTH}/meetings.ics")).text
    assert "hearing" not in public and "res-a" not in public and "ann" not in public.lower()
    events = [e for e in await api.outbox() if e["topic"] != "hub.contacts"]
    assert events and all("hearing" not in str(e["data"]) and "ann@" not in str(e["data"]) for e in events)
    [contact] = await api.outbox("hub.participation.contact.upserted.v1")
    assert contact["topic"] == "hub.contacts" and contact["data"]["email"] == "ann@example.org"

    needs = await api.client.get(f"/v1/meetings/{meeting}/access-needs", headers=api.staff())
    assert needs.json() == {
        "meeting_id": meeting,
        "registered": 2,
        "waitlisted": 0,
        "needs": ["A hearing loop, please"],
    }
    assert await api.count("access_audit", kind="forum access needs", person_ids="res-a") == 1
    assert (await api.client.get(f"/v1/meetings/{meeting}/access-needs", headers=api.staff(RIVER))).status_code == 403


async def test_minutes_with_two_actions_after_the_meeting_and_one_action_done(api: ParticipationApi) -> None:
    meeting = (await api.schedule())["id"]
    await api.register(meeting, "res-a")
    minutes = {
        "minutes": "Twelve residents came. We agreed two things.",
        "actions": [
            {"title": "Fix the bus shelter light", "owner": "Highways team", "due_on": "2026-12-20"},
            {"title": "Add two benches on the hill", "owner": "Parks team", "due_on": "2027-02-01"},
        ],
    }
    too_early = await api.client.post(f"/v1/meetings/{meeting}/minutes", json=minutes, headers=api.staff())
    assert_problem(too_early, 409, "conflict")

    await api.took_place(meeting)
    published = await api.client.post(f"/v1/meetings/{meeting}/minutes", json=minutes, headers=api.staff())
    assert published.status_code == 200, published.text
    held = published.json()
    assert held["status"] == "held" and [a["status"] for a in held["actions"]] == ["open", "open"]
    [event] = await api.outbox("hub.participation.meeting.minutes_published.v1")
    assert event["data"]["registrant_ids"] == ["res-a"] and len(event["data"]["actions"]) == 2
    again = await api.client.post(f"/v1/meetings/{meeting}/minutes", json=minutes, headers=api.staff())
    assert_problem(again, 409, "conflict")
    assert_problem(await api.register(meeting, "res-late"), 409, "conflict")

    action = held["actions"][0]["id"]
    done = await api.client.post(
        f"/v1/meetings/{meeting}/actions/{action}/complete",
        json={"note": "The light was fixed on 3 December."},
        headers={**api.staff(), "If-Match": published.headers["ETag"]},
    )
    assert done.status_code == 200, done.text
    assert [a["status"] for a in done.json()["actions"]] == ["done", "open"]
    [completed] = await api.outbox("hub.participation.forum_action.completed.v1")
    assert completed["data"]["title"] == "Fix the bus shelter light" and completed["data"]["owner"] == "Highways team"
    assert completed["data"]["due_on"] == "2026-12-20"
    twice = await api.client.post(
        f"/v1/meetings/{meeting}/actions/{action}/complete", json={"note": "Again"}, headers=api.staff()
    )
    assert_problem(twice, 409, "conflict")
    stale = await api.client.post(
        f"/v1/meetings/{meeting}/actions/{held['actions'][1]['id']}/complete",
        json={"note": "Benches are in."},
        headers={**api.staff(), "If-Match": published.headers["ETag"]},
    )
    assert_problem(stale, 412)


async def test_calling_a_meeting_off_tells_the_registrants_and_ends_registration(api: ParticipationApi) -> None:
    meeting = (await api.schedule())["id"]
    await api.register(meeting, "res-a")
    called_off = await api.client.post(
        f"/v1/meetings/{meeting}/cancel", json={"reason": "The hall is flooded."}, headers=api.staff()
    )
    assert called_off.status_code == 200 and called_off.json()["status"] == "cancelled"
    [event] = await api.outbox("hub.participation.meeting.cancelled.v1")
    assert event["data"]["registrant_ids"] == ["res-a"]
    # Its room goes back to the assets service, on the request's key, so it follows the request.
    [released] = await api.outbox("hub.participation.room_booking.released.v1")
    assert released["topic"] == "hub.assets.inbound" and released["subject"] == meeting
    assert released["data"]["request_id"] == meeting and released["data"]["released_by"] == "staff-1"
    assert "The hall is flooded." in released["data"]["reason"]
    assert_problem(await api.register(meeting, "res-b"), 409, "conflict")
    again = await api.client.post(f"/v1/meetings/{meeting}/cancel", json={"reason": "Again"}, headers=api.staff())
    assert_problem(again, 409, "conflict")
    ics = Calendar.from_ical((await api.client.get(f"/v1/hubs/{NORTH}/meetings.ics")).content)
    assert [str(e.get("status")) for e in ics.walk("VEVENT")] == ["CANCELLED"]
    online = await api.schedule(place={"kind": "online", "online_url": "https://meet.example.org/forum"})
    off = await api.client.post(f"/v1/meetings/{online['id']}/cancel", json={"reason": "Ill"}, headers=api.staff())
    assert off.status_code == 200
    assert len(await api.outbox("hub.participation.room_booking.released.v1")) == 1  # no room to give back


async def test_the_hub_calendar_and_lists_show_its_meetings(api: ParticipationApi) -> None:
    first = await api.schedule(title="Spring residents' forum")
    second = await api.schedule(place={"kind": "online", "online_url": "https://meet.example.org/f"})
    await api.schedule(RIVER)
    response = await api.client.get(f"/v1/hubs/{NORTH}/meetings.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert {str(e["uid"]) for e in events} == {f"{first['id']}@participation.hub", f"{second['id']}@participation.hub"}
    assert {str(e["location"]) for e in events} == {"Main Hall, 1 Green Lane", "https://meet.example.org/f"}
    listed = await api.client.get(f"/v1/hubs/{NORTH}/meetings", params={"limit": 1})
    assert len(listed.json()["items"]) == 1 and listed.json()["next_cursor"]
    past = await api.client.get(f"/v1/hubs/{NORTH}/meetings", params={"upcoming": "false"})
    assert past.json()["items"] == []
    assert_problem(await api.client.get("/v1/hubs/hub-nowhere/meetings.ics"), 404)
    assert_problem(await api.client.get("/v1/meetings/meeting-none"), 404)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "Hi"}, "body.title"),
        ({"capacity": 0}, "body.capacity"),
        ({"ends_at": "2020-01-01T10:00:00+00:00"}, "body"),
        ({"starts_at": "2030-01-01T10:00:00"}, "body.starts_at"),  # no time zone
        ({"place": {"kind": "online"}}, "body.place"),
        ({"place": {"kind": "room", "name": "Hall"}}, "body.place"),
        ({"place": {"kind": "online", "online_url": "not a url"}}, "body.place.online_url"),
        ({"top_ideas": 11}, "body.top_ideas"),
        ({"top_priorities": -1}, "body.top_priorities"),
        ({"top_priorities": 11}, "body.top_priorities"),
        ({"surprise": True}, "body.surprise"),
    ],
)
async def test_bad_input_is_a_422_problem_and_changes_nothing(
    api: ParticipationApi, overrides: dict, field: str
) -> None:
    response = await api.client.post("/v1/meetings", json=meeting_body(**overrides), headers=api.staff())
    problem = assert_problem(response, 422)
    assert field in fields_of(problem) or any(f.startswith(field) for f in fields_of(problem)), fields_of(problem)
    assert await api.count("meetings") == 0 and await api.outbox() == []


async def test_a_meeting_in_the_past_or_for_an_unknown_hub_is_refused(api: ParticipationApi) -> None:
    past = meeting_body(starts_at="2020-01-01T10:00:00+00:00", ends_at="2020-01-01T12:00:00+00:00")
    assert_problem(await api.client.post("/v1/meetings", json=past, headers=api.staff()), 422)
    elsewhere = meeting_body("hub-elsewhere")
    response = await api.client.post("/v1/meetings", json=elsewhere, headers=api.auth("operator", "op-1"))
    assert_problem(response, 404)
    assert await api.count("meetings") == 0
    bad_registration = await api.register("meeting-none", "res-a")
    assert_problem(bad_registration, 404)


@pytest.mark.parametrize(
    ("who", "schedule", "register", "minutes", "needs"),
    [
        ("anonymous", 401, 401, 401, 401),
        ("resident", 403, 200, 403, 403),
        ("staff-of-another-hub", 403, 403, 403, 403),
        ("partner", 403, 403, 403, 403),
        ("staff", 201, 403, 200, 200),
        ("operator", 201, 403, 200, 200),
        ("councillor", 403, 403, 403, 403),  # of the meeting's hub: not its staff
    ],
)
async def test_who_may_do_what(
    api: ParticipationApi, who: str, schedule: int, register: int, minutes: int, needs: int
) -> None:
    headers = {
        "anonymous": {},
        "resident": api.resident("res-x"),
        "staff-of-another-hub": api.staff(RIVER, "staff-r"),
        "partner": api.auth("partner", "partner-1", (NORTH,)),
        "staff": api.staff(),
        "operator": api.auth("operator", "op-1"),
        "councillor": api.councillor(),
    }[who]
    meeting = (await api.schedule())["id"]

    assert (await api.client.post("/v1/meetings", json=meeting_body(), headers=headers)).status_code == schedule
    registered = await api.client.post(f"/v1/meetings/{meeting}/registration", json={}, headers=headers)
    assert registered.status_code == register
    assert (await api.client.get(f"/v1/meetings/{meeting}/access-needs", headers=headers)).status_code == needs
    await api.took_place(meeting)
    body = {
        "minutes": "We met and talked.",
        "actions": [{"title": "Do it", "owner": "Hub team", "due_on": "2027-01-01"}],
    }
    published = await api.client.post(f"/v1/meetings/{meeting}/minutes", json=body, headers=headers)
    assert published.status_code == minutes
    if minutes == 200:
        action = published.json()["actions"][0]["id"]
        done = await api.client.post(
            f"/v1/meetings/{meeting}/actions/{action}/complete", json={"note": "Done it."}, headers=headers
        )
        assert done.status_code == 200
    cancel = await api.client.post(f"/v1/meetings/{meeting}/cancel", json={"reason": "test"}, headers=headers)
    # Held meetings cannot be called off any more: a 409 for those who may, 403 / 401 for the rest.
    assert cancel.status_code == {"anonymous": 401, "staff": 409, "operator": 409}.get(who, 403)


async def test_a_hub_s_top_open_issues_are_read_from_the_priorities_index_in_its_order(api: ParticipationApi) -> None:
    from hub_participation.adapters.priorities import OPEN_ISSUES, PRIORITY_SORT

    day = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for n in range(20):
        await report(api, f"iss-{n}", "Potholes", day + timedelta(hours=n), supports=n % 3, hub=(NORTH, RIVER)[n % 2])
    query = {"hub_id": NORTH, "open": True}
    plan = await api.ctx.db[OPEN_ISSUES].find(query).sort(PRIORITY_SORT).hint("hub_priorities").limit(3).explain()
    stages, stage = [], plan["queryPlanner"]["winningPlan"]
    while stage:
        stages.append((stage["stage"], stage.get("indexName")))
        stage = stage.get("inputStage")
    # (SecantusDB, the test database, reports a SORT over the index scan where MongoDB reads the order from it.)
    assert ("IXSCAN", "hub_priorities") in stages and ("COLLSCAN", None) not in stages, plan
    top = await api.ctx.components.use_cases.priorities.top(NORTH, 3)
    assert [(i.id, i.support_count) for i in top] == [("iss-2", 2), ("iss-8", 2), ("iss-14", 2)]

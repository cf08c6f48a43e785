"""Ideas through the real app and database: propose with hints, support to the threshold (also all at
once), answers and progress, moderation, edits, lists, bad input and who may do what."""

from __future__ import annotations

import asyncio

import pytest
from participation_testkit import NORTH, RIVER, ParticipationApi, assert_problem, idea_body

from hub_testkit.service_api import fields_of

PROPOSED = "hub.participation.idea.proposed.v1"
REACHED = "hub.participation.idea.threshold_reached.v1"


async def test_a_resident_proposes_an_idea_and_sees_similar_open_ones(api: ParticipationApi) -> None:
    first = await api.propose(display_name="Jo from Green Lane")
    assert first["similar"] == []
    idea = first["idea"]
    assert idea["proposed_by"] == "Jo from Green Lane" and idea["status"] == "open"
    assert idea["support_threshold"] == 10 and idea["support_count"] == 0

    response = await api.client.post(
        "/v1/ideas",
        json=idea_body(title="More trees for Green Lane please", description="Shade for the bus stop."),
        headers={**api.resident("res-2"), "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/v1/ideas/{response.json()['idea']['id']}"
    assert [s["id"] for s in response.json()["similar"]] == [idea["id"]]
    repeat = await api.client.post(
        "/v1/ideas",
        json=idea_body(title="More trees for Green Lane please", description="Shade for the bus stop."),
        headers={**api.resident("res-2"), "Idempotency-Key": "k-1"},
    )
    assert repeat.json() == response.json() and await api.count("ideas") == 2

    hints = await api.client.get("/v1/ideas/similar", params={"hub_id": NORTH, "title": "Green Lane fruit trees"})
    assert {h["id"] for h in hints.json()} == {idea["id"], response.json()["idea"]["id"]}
    other_hub = await api.client.get("/v1/ideas/similar", params={"hub_id": RIVER, "title": "Green Lane trees"})
    assert other_hub.json() == []

    [event] = await api.outbox(PROPOSED, subject=idea["id"])
    assert event["data"]["proposer_id"] == "res-1" and "Jo" not in str(event["data"])
    assert "display_name" not in event["data"]


async def test_without_a_display_name_the_proposer_is_a_resident_and_contact_goes_to_hub_contacts(
    api: ParticipationApi,
) -> None:
    contact = {"name": "Priya Shah", "email": "priya@example.org"}
    idea = (await api.propose(contact=contact))["idea"]
    assert idea["proposed_by"] == "a resident"
    page = (await api.client.get(f"/v1/ideas/{idea['id']}")).text
    assert "priya" not in page.lower()
    [upserted] = await api.outbox("hub.participation.contact.upserted.v1")
    assert upserted["topic"] == "hub.contacts" and upserted["data"]["email"] == "priya@example.org"
    public = [e for e in await api.outbox() if e["topic"] == "hub.participation.events"]
    assert public and all("priya" not in str(e["data"]).lower() for e in public)


async def test_ten_supports_take_an_idea_to_for_response_once_even_all_at_once(api: ParticipationApi) -> None:
    idea = (await api.propose())["idea"]
    people = [f"res-s{n}" for n in range(10)]

    # 20 supports from 10 people, all at once: each person counted once, the threshold crossed once.
    answers = await asyncio.gather(*(api.support(idea["id"], person) for person in people * 2))

    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    assert sum(a.json()["counted"] for a in answers) == 10
    stored = await api.idea(idea["id"])
    assert stored["support_count"] == 10 and stored["status"] == "for_response"
    assert len(await api.outbox("hub.participation.idea.supported.v1")) == 10
    [reached] = await api.outbox(REACHED)
    assert reached["data"]["support_count"] == 10 and reached["data"]["proposer_id"] == "res-1"
    assert all("res-s" not in str(e["data"]) for e in await api.outbox("hub.participation.idea.supported.v1"))

    eleventh = await api.support(idea["id"], "res-late")
    assert eleventh.json()["support_count"] == 11 and len(await api.outbox(REACHED)) == 1


async def test_the_proposer_cannot_support_their_own_idea_and_a_threshold_set_by_staff_applies(
    api: ParticipationApi,
) -> None:
    await api.open_hub(RIVER, threshold=2)
    idea = (await api.propose(hub_id=RIVER))["idea"]
    assert idea["support_threshold"] == 2
    assert_problem(await api.support(idea["id"], "res-1"), 409, "conflict")
    await api.support(idea["id"], "res-a")
    assert (await api.support(idea["id"], "res-b")).json()["status"] == "for_response"

    settings = await api.client.get(f"/v1/hubs/{RIVER}/idea-settings")
    assert settings.json() == {"hub_id": RIVER, "support_threshold": 2, "custom": True, "version": 2}
    assert settings.headers["ETag"] == '"v2"'
    stale = await api.client.put(
        f"/v1/hubs/{RIVER}/idea-settings",
        json={"support_threshold": 5},
        headers={**api.staff(RIVER), "If-Match": '"v1"'},
    )
    assert_problem(stale, 412)


async def test_staff_accept_an_idea_and_publish_its_progress_or_say_why_not(api: ParticipationApi) -> None:
    accepted = (await api.propose())["idea"]
    declined = (await api.propose(title="A skate park on the school field", description="For the teenagers."))["idea"]

    response = await api.client.post(
        f"/v1/ideas/{accepted['id']}/response",
        json={"outcome": "accepted", "response": "Yes: six trees this winter."},
        headers={**api.staff(), "If-Match": '"v1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accepted" and response.headers["ETag"] == '"v2"'
    progress = await api.client.post(
        f"/v1/ideas/{accepted['id']}/progress", json={"note": "Trees ordered", "done": True}, headers=api.staff()
    )
    assert progress.json()["progress"][0]["note"] == "Trees ordered"
    [event] = await api.outbox("hub.participation.action.progress_published.v1")
    assert event["data"]["done"] is True

    no = await api.client.post(
        f"/v1/ideas/{declined['id']}/response",
        json={"outcome": "not_taken_forward", "response": "The field belongs to the school, which said no."},
        headers=api.staff(),
    )
    assert no.json()["response"]["text"].startswith("The field belongs")
    again = await api.client.post(
        f"/v1/ideas/{declined['id']}/response",
        json={"outcome": "accepted", "response": "Changed our minds after all."},
        headers=api.staff(),
    )
    assert_problem(again, 409)
    assert_problem(await api.support(declined["id"], "res-a"), 409)
    not_accepted = await api.client.post(
        f"/v1/ideas/{declined['id']}/progress", json={"note": "Started"}, headers=api.staff()
    )
    assert_problem(not_accepted, 409)
    [responded, _] = await api.outbox("hub.participation.idea.responded.v1")
    assert responded["data"]["outcome"] == "accepted" and responded["data"]["proposer_id"] == "res-1"


async def test_a_hidden_idea_refuses_support_shows_only_its_reason_and_leaves_the_lists(api: ParticipationApi) -> None:
    idea = (await api.propose())["idea"]
    flag = await api.client.post(f"/v1/ideas/{idea['id']}/flags", json={"reason": "rude"}, headers=api.resident("r9"))
    assert flag.json() == {"idea_id": idea["id"], "flag_count": 1}
    again = await api.client.post(f"/v1/ideas/{idea['id']}/flags", json={"reason": "rude"}, headers=api.resident("r9"))
    assert again.json()["flag_count"] == 1

    hidden = await api.client.post(
        f"/v1/ideas/{idea['id']}/hide", json={"reason": "It named a neighbour"}, headers=api.staff()
    )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["title"] is None and hidden.json()["hidden"]["reason"] == "It named a neighbour"

    refused = assert_problem(await api.support(idea["id"], "res-a"), 409, "conflict")
    assert "hidden" in refused["detail"]
    assert (await api.idea(idea["id"]))["support_count"] == 0
    listed = await api.client.get(f"/v1/hubs/{NORTH}/ideas")
    assert listed.json()["items"] == []
    assert_problem(
        await api.client.post(f"/v1/ideas/{idea['id']}/hide", json={"reason": "again"}, headers=api.staff()), 409
    )
    [event] = await api.outbox("hub.participation.idea.hidden.v1")
    assert event["data"]["reason"] == "It named a neighbour"


async def test_the_proposer_edits_with_if_match_and_the_history_is_public(api: ParticipationApi) -> None:
    idea = (await api.propose())["idea"]
    reworded = {"title": "Plant six apple trees on Green Lane", "description": "Six apple trees along the verge."}
    assert_problem(await api.client.put(f"/v1/ideas/{idea['id']}", json=reworded, headers=api.resident("res-2")), 403)
    stale = await api.client.put(
        f"/v1/ideas/{idea['id']}", json=reworded, headers={**api.resident(), "If-Match": '"v9"'}
    )
    assert_problem(stale, 412)

    edited = await api.client.put(
        f"/v1/ideas/{idea['id']}", json=reworded, headers={**api.resident(), "If-Match": '"v1"'}
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["title"] == reworded["title"] and edited.headers["ETag"] == '"v2"'
    assert [e["title"] for e in body["edits"]] == ["Plant fruit trees on Green Lane"]


async def test_lists_by_support_and_newest_are_paged_and_hold_no_personal_data(api: ParticipationApi) -> None:
    ideas = [
        (await api.propose(title=f"Idea number {n} for the hub", display_name="Jo"))["idea"]["id"] for n in range(3)
    ]
    await api.support(ideas[0], "res-a")
    await api.support(ideas[0], "res-b")
    await api.support(ideas[1], "res-a")

    by_support = await api.client.get(f"/v1/hubs/{NORTH}/ideas", params={"limit": 2})
    assert [i["id"] for i in by_support.json()["items"]] == [ideas[0], ideas[1]]
    rest = await api.client.get(
        f"/v1/hubs/{NORTH}/ideas", params={"limit": 2, "cursor": by_support.json()["next_cursor"]}
    )
    assert [i["id"] for i in rest.json()["items"]] == [ideas[2]] and rest.json()["next_cursor"] is None
    newest = await api.client.get(f"/v1/hubs/{NORTH}/ideas", params={"sort": "newest"})
    assert [i["id"] for i in newest.json()["items"]] == ideas[::-1]
    text = newest.text
    assert "res-" not in text and "supporters" not in text and "followers" not in text
    assert_problem(await api.client.get("/v1/hubs/hub-nowhere/ideas"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (idea_body(title="Hi"), "body.title"),
        (idea_body(description=""), "body.description"),
        (idea_body(hub_id="Not A Hub!"), "body.hub_id"),
        (idea_body(location={"lat": 91, "lon": 0}), "body.location.lat"),
        (idea_body(contact={"email": "not-an-email"}), "body.contact.email"),
        (idea_body(surprise=True), "body.surprise"),
    ],
)
async def test_bad_input_is_a_422_problem_and_changes_nothing(api: ParticipationApi, body: dict, field: str) -> None:
    problem = assert_problem(await api.client.post("/v1/ideas", json=body, headers=api.resident()), 422)
    assert field in fields_of(problem)
    assert await api.count("ideas") == 0 and await api.outbox() == []


async def test_an_idea_for_a_hub_not_open_for_ideas_is_a_404_and_changes_nothing(api: ParticipationApi) -> None:
    response = await api.client.post("/v1/ideas", json=idea_body(hub_id="hub-elsewhere"), headers=api.resident())
    assert_problem(response, 404)
    assert await api.count("ideas") == 0 and await api.outbox() == []


@pytest.mark.parametrize(
    ("who", "propose", "support", "flag", "respond", "hide"),
    [
        ("anonymous", 401, 401, 401, 401, 401),
        ("resident", 201, 200, 200, 403, 403),
        ("staff-of-another-hub", 403, 403, 200, 403, 403),
        ("partner", 403, 403, 200, 403, 403),
        ("staff", 403, 403, 200, 200, 200),
        ("operator", 403, 403, 200, 200, 200),
        ("councillor", 403, 403, 200, 403, 403),  # of the idea's hub: not staff, nor a resident's token
    ],
)
async def test_who_may_do_what(
    api: ParticipationApi, who: str, propose: int, support: int, flag: int, respond: int, hide: int
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
    idea = (await api.propose())["idea"]["id"]

    assert (await api.client.post("/v1/ideas", json=idea_body(), headers=headers)).status_code == propose
    assert (await api.client.post(f"/v1/ideas/{idea}/supports", json={}, headers=headers)).status_code == support
    flagged = await api.client.post(f"/v1/ideas/{idea}/flags", json={"reason": "spam"}, headers=headers)
    assert flagged.status_code == flag
    answer = {"outcome": "accepted", "response": "Yes, we will do it."}
    assert (await api.client.post(f"/v1/ideas/{idea}/response", json=answer, headers=headers)).status_code == respond
    hidden = await api.client.post(f"/v1/ideas/{idea}/hide", json={"reason": "test"}, headers=headers)
    assert hidden.status_code == hide  # an answered idea too: moderation is beside the status
    settings = await api.client.put(f"/v1/hubs/{NORTH}/idea-settings", json={}, headers=headers)
    assert settings.status_code == (200 if who in ("staff", "operator") else 401 if who == "anonymous" else 403)

"""Ward councillors through the real app and database: a public comment on an idea of their hub (shown
as a councillor's, the idea's status unchanged, idempotent, refused on a hidden idea or another hub's),
their brief of the hub, and their part of a privacy request."""

from __future__ import annotations

import pytest
from participation_testkit import NORTH, RIVER, ParticipationApi, assert_problem
from test_privacy_demo_and_docs import ask

COMMENTED = "hub.participation.idea.councillor_commented.v1"


async def test_a_councillor_of_the_hub_comments_in_public_shown_as_a_councillor(api: ParticipationApi) -> None:
    idea = (await api.propose(display_name="Ottoline V"))["idea"]

    response = await api.comment(idea["id"], "  I back this and will raise it at the ward meeting.  ")

    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"v2"'
    [comment] = response.json()["councillor_comments"]
    assert comment["name"] == "Cathy Moss" and comment["label"] == "Councillor"
    assert comment["comment"] == "I back this and will raise it at the ward meeting."
    shown = await api.idea(idea["id"])
    assert shown["status"] == "open" and shown["response"] is None  # staff still answer it
    assert shown["councillor_comments"] == [comment]
    assert "cllr-1" not in str(shown)  # the account id is never shown
    [event] = await api.outbox(COMMENTED, subject=idea["id"])
    assert event["topic"] == "hub.participation.events"
    data = event["data"]
    assert (data["councillor_name"], data["councillor_id"], data["hub_id"]) == ("Cathy Moss", "cllr-1", NORTH)
    assert data["title"] == idea["title"] and data["comment"] == comment["comment"]
    assert "res-1" not in str(data) and "Ottoline" not in str(data)  # no resident in it


async def test_a_repeat_with_the_same_idempotency_key_comments_once(api: ParticipationApi) -> None:
    idea = (await api.propose())["idea"]["id"]
    headers = {**api.councillor(), "Idempotency-Key": "cllr-comment-1"}

    first = await api.comment(idea, headers=headers)
    again = await api.comment(idea, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["councillor_comments"] == first.json()["councillor_comments"]
    assert len((await api.idea(idea))["councillor_comments"]) == 1
    assert len(await api.outbox(COMMENTED)) == 1
    other_body = await api.comment(idea, "Something else entirely.", headers=headers)
    assert_problem(other_body, 422)


async def test_comments_are_refused_on_another_hub_a_hidden_idea_and_to_everyone_else(api: ParticipationApi) -> None:
    idea = (await api.propose())["idea"]["id"]

    other_hub = assert_problem(await api.comment(idea, headers=api.councillor(RIVER, "cllr-r")), 403, "forbidden")
    assert NORTH in other_hub["detail"]
    for headers in (api.resident("res-x"), api.staff(), api.auth("operator", "op-1")):
        assert_problem(await api.comment(idea, headers=headers), 403)
    assert_problem(await api.comment(idea, headers={}), 401)
    assert_problem(await api.comment("idea-nope"), 404)
    too_short = await api.client.post(
        f"/v1/ideas/{idea}/councillor-comments", json={"comment": "ok"}, headers=api.councillor()
    )
    assert_problem(too_short, 422)
    hidden = await api.client.post(
        f"/v1/ideas/{idea}/hide", json={"reason": "It named a neighbour"}, headers=api.staff()
    )
    assert hidden.status_code == 200
    assert "hidden" in assert_problem(await api.comment(idea), 409, "conflict")["detail"]
    assert await api.outbox(COMMENTED) == []
    assert (await api.idea(idea))["councillor_comments"] == []


async def minuted_meeting(api: ParticipationApi) -> dict:
    meeting = (await api.schedule(title="Autumn residents' forum"))["id"]
    await api.took_place(meeting)
    minutes = {
        "minutes": "We agreed two things.",
        "actions": [
            {"title": "Add two benches on the hill", "owner": "Parks team", "due_on": "2027-02-01"},
            {"title": "Fix the bus shelter light", "owner": "Highways team", "due_on": "2020-12-20"},
            {"title": "Clear the ginnel", "owner": "Hub team", "due_on": "2026-01-01"},
        ],
    }
    published = await api.client.post(f"/v1/meetings/{meeting}/minutes", json=minutes, headers=api.staff())
    assert published.status_code == 200, published.text
    done = published.json()["actions"][2]["id"]
    completed = await api.client.post(
        f"/v1/meetings/{meeting}/actions/{done}/complete", json={"note": "Cleared."}, headers=api.staff()
    )
    assert completed.status_code == 200
    return published.json()


async def test_the_brief_lists_what_waits_for_an_answer_the_most_supported_forums_and_open_actions(
    api: ParticipationApi,
) -> None:
    await api.open_hub(NORTH, threshold=2)
    waiting = (await api.propose(title="A crossing by the school gates"))["idea"]["id"]
    for person in ("res-a", "res-b"):
        await api.support(waiting, person)
    popular = (await api.propose(title="Plant fruit trees on Green Lane"))["idea"]["id"]
    await api.support(popular, "res-a")
    quiet = (await api.propose(title="A book swap in the library"))["idea"]["id"]
    hidden = (await api.propose(title="Something rude about a neighbour"))["idea"]["id"]
    await api.client.post(f"/v1/ideas/{hidden}/hide", json={"reason": "It named a neighbour"}, headers=api.staff())
    answered = (await api.propose(title="A skate park on the school field"))["idea"]["id"]
    no = {"outcome": "not_taken_forward", "response": "The field belongs to the school."}
    await api.client.post(f"/v1/ideas/{answered}/response", json=no, headers=api.staff())
    await api.propose(hub_id=RIVER, title="A riverside path for everyone")  # another hub's
    held = await minuted_meeting(api)
    upcoming = (await api.schedule(title="Winter residents' forum"))["id"]
    called_off = (await api.schedule(title="Extra residents' forum"))["id"]
    await api.client.post(f"/v1/meetings/{called_off}/cancel", json={"reason": "The hall flooded"}, headers=api.staff())
    await api.comment(waiting)

    response = await api.client.get(f"/v1/hubs/{NORTH}/councillor-brief", headers=api.councillor())

    assert response.status_code == 200, response.text
    brief = response.json()
    assert brief["hub_id"] == NORTH
    assert [i["id"] for i in brief["awaiting_response"]] == [waiting]
    assert brief["awaiting_response"][0]["councillor_comments"] == 1
    assert [i["id"] for i in brief["most_supported"]] == [popular, quiet]
    assert [m["id"] for m in brief["upcoming_meetings"]] == [upcoming]
    actions = [(a["title"], a["overdue"]) for a in brief["open_actions"]]
    assert actions == [("Fix the bus shelter light", True), ("Add two benches on the hill", False)]
    assert {a["meeting_id"] for a in brief["open_actions"]} == {held["id"]}
    for person in ("res-1", "res-a", "res-b", "staff-1", "cllr-1"):  # nobody in it
        assert person not in response.text
    staff = await api.client.get(f"/v1/hubs/{NORTH}/councillor-brief", headers=api.staff())
    assert staff.status_code == 200  # the hub's staff read what its councillors read


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("councillor-of-another-hub", 403),
        ("staff-of-another-hub", 403),
        ("partner", 403),
        ("operator", 200),
    ],
)
async def test_who_reads_a_brief(api: ParticipationApi, who: str, status: int) -> None:
    headers = {
        "anonymous": {},
        "resident": api.resident("res-x"),
        "councillor-of-another-hub": api.councillor(RIVER, "cllr-r"),
        "staff-of-another-hub": api.staff(RIVER, "staff-r"),
        "partner": api.auth("partner", "partner-1", (NORTH,)),
        "operator": api.auth("operator", "op-1"),
    }[who]
    response = await api.client.get(f"/v1/hubs/{NORTH}/councillor-brief", headers=headers)
    assert response.status_code == status
    if status != 200:
        assert_problem(response, status)


async def test_the_brief_of_a_hub_not_open_for_ideas_is_a_404(api: ParticipationApi) -> None:
    response = await api.client.get("/v1/hubs/hub-nowhere/councillor-brief", headers=api.councillor("hub-nowhere"))
    assert_problem(response, 404)


async def test_erasure_unsigns_a_councillors_comments_and_access_exports_them(api: ParticipationApi) -> None:
    idea = (await api.propose())["idea"]["id"]
    await api.comment(idea, "I will raise this at the ward meeting.")

    exported = await ask(api, "access", ["cllr-1"])
    assert exported["export"]["councillor_comments"][0]["name"] == "Cathy Moss"
    answer = await ask(api, "erasure", ["cllr-1"])

    assert {line["kind"]: line["count"] for line in answer["held"]} == {"councillor comments": 1}
    [comment] = (await api.idea(idea))["councillor_comments"]
    assert comment["name"] == "a councillor" and comment["label"] == "Councillor"
    assert comment["comment"] == "I will raise this at the ward meeting."
    stored = await api.db.ideas.find({}).to_list()
    assert "cllr-1" not in str(stored) and "Cathy Moss" not in str(stored)

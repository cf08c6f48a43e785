"""Surveys through the real app and database: build, open, answer once (also 50 times at once),
results public only when closed and published as an anonymous event, the Place Standard template,
free text for staff only, erasure keeping the counts, and satisfaction from the after-fix questionnaire."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from participation_testkit import NORTH, RIVER, ParticipationApi, assert_problem
from test_privacy_demo_and_docs import ask

from hub_common.contracts.issues import IssueFeedbackReceived
from hub_common.envelope import Envelope
from hub_common.residents import EMAIL_RESIDENT_PREFIX

CLOSED = "hub.participation.survey.closed.v1"
QUESTIONS = [
    {"id": "park", "kind": "single", "text": "Which park do you use most?", "options": ["North", "South"]},
    {"id": "safe", "kind": "scale", "text": "How safe do you feel there?", "low": 1, "high": 5},
    {"id": "why", "kind": "text", "text": "Anything else?", "required": False},
    {"id": "order", "kind": "ranking", "text": "What first?", "options": ["bins", "lights", "benches"]},
]
GOOD = {"park": "North", "safe": 4, "why": "The lights by the gate are out.", "order": ["lights", "bins", "benches"]}


async def new_survey(api: ParticipationApi, **fields) -> dict:
    body = {"hub_id": NORTH, "title": "Our parks", "questions": QUESTIONS, **fields}
    response = await api.client.post("/v1/surveys", json=body, headers=api.staff())
    assert response.status_code == 201, response.text
    return response.json()


async def opened(api: ParticipationApi, **fields) -> dict:
    survey = await new_survey(api, **fields)
    response = await api.client.post(f"/v1/surveys/{survey['id']}/open", json={}, headers=api.staff())
    assert response.status_code == 200, response.text
    return response.json()


def respondent(name: str) -> str:
    """The sub of a resident who signed in with their email (only they answer through the API)."""
    return EMAIL_RESIDENT_PREFIX + name


async def answer(api: ParticipationApi, survey_id: str, by: str, answers: dict, **extra):
    return await api.client.post(
        f"/v1/surveys/{survey_id}/answers", json={"answers": answers, **extra}, headers=api.resident(respondent(by))
    )


async def test_staff_build_and_open_a_survey_and_residents_answer_it_once_each(api: ParticipationApi) -> None:
    survey = await new_survey(api)
    assert survey["status"] == "draft" and survey["respondents"] == 0
    assert (await api.client.get(f"/v1/surveys/{survey['id']}")).status_code == 404  # a draft is not public
    assert (await api.client.get(f"/v1/surveys/{survey['id']}", headers=api.staff())).status_code == 200
    edited = await api.client.patch(
        f"/v1/surveys/{survey['id']}", json={"intro": "Tell us about the parks."}, headers=api.staff()
    )
    assert edited.status_code == 200 and edited.json()["intro"] == "Tell us about the parks."

    assert_problem(await answer(api, survey["id"], "res-1", GOOD), 409)  # not open yet
    opened = await api.client.post(f"/v1/surveys/{survey['id']}/open", json={}, headers=api.staff())
    assert opened.json()["status"] == "open"
    listed = (await api.client.get(f"/v1/hubs/{NORTH}/surveys")).json()["items"]
    assert [s["id"] for s in listed] == [survey["id"]]

    first = await answer(api, survey["id"], "res-1", GOOD)
    assert first.status_code == 201 and first.json() == {"survey_id": survey["id"], "respondents": 1}
    assert_problem(await answer(api, survey["id"], "res-1", GOOD), 409)  # once each
    mine = await api.client.get(f"/v1/surveys/{survey['id']}/answers/mine", headers=api.resident(respondent("res-1")))
    assert mine.json() == {"answered": True}
    # A browser's pseudonymous resident is a new person whenever cookies are cleared: not a respondent.
    url = f"/v1/surveys/{survey['id']}/answers"
    for anonymous in ("web-0123456789abcdef", "res-2"):
        refused = await api.client.post(url, json={"answers": GOOD}, headers=api.resident(anonymous))
        assert_problem(refused, 403)
        assert "sign in with your email" in refused.json()["detail"]
    assert (await api.client.get(f"/v1/surveys/{survey['id']}")).json()["respondents"] == 1
    assert_problem(await answer(api, survey["id"], "res-2", {**GOOD, "safe": 9}), 422)
    assert_problem(await answer(api, survey["id"], "res-2", {"park": "North"}), 422)  # required ones missing
    assert_problem(
        await api.client.patch(f"/v1/surveys/{survey['id']}", json={"title": "Changed"}, headers=api.staff()), 409
    )
    assert await api.count("survey_answers") == 1


async def test_fifty_submissions_of_one_person_at_once_give_one_answer(api: ParticipationApi) -> None:
    survey = await opened(api)
    responses = await asyncio.gather(*(answer(api, survey["id"], "res-eager", GOOD) for _ in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 49, codes
    assert await api.count("survey_answers", survey_id=survey["id"]) == 1
    assert (await api.client.get(f"/v1/surveys/{survey['id']}")).json()["respondents"] == 1


async def test_results_are_public_once_closed_and_go_out_as_an_anonymous_event(api: ParticipationApi) -> None:
    survey = await opened(api)
    for n, (park, safe) in enumerate([("North", 4), ("North", 2), ("South", 3)]):
        response = await answer(api, survey["id"], f"res-{n}", {**GOOD, "park": park, "safe": safe})
        assert response.status_code == 201, response.text
    assert_problem(await api.client.get(f"/v1/surveys/{survey['id']}/results"), 403)  # not while open
    staff_view = await api.client.get(f"/v1/surveys/{survey['id']}/results", headers=api.staff())
    assert staff_view.status_code == 200 and staff_view.json()["respondents"] == 3

    texts = await api.client.get(f"/v1/surveys/{survey['id']}/questions/why/texts", headers=api.staff())
    assert texts.json()["items"] == ["The lights by the gate are out."] * 3
    assert_problem(await api.client.get(f"/v1/surveys/{survey['id']}/questions/why/texts", headers=api.resident()), 403)

    closed = await api.client.post(f"/v1/surveys/{survey['id']}/close", headers=api.staff())
    assert closed.json()["status"] == "closed"
    assert_problem(await api.client.post(f"/v1/surveys/{survey['id']}/close", headers=api.staff()), 409)
    assert_problem(await answer(api, survey["id"], "res-late", GOOD), 409)
    public = (await api.client.get(f"/v1/surveys/{survey['id']}/results")).json()
    by_id = {q["question_id"]: q for q in public["questions"]}
    assert by_id["park"]["counts"] == {"North": 2, "South": 1} and by_id["safe"]["mean"] == 3.0
    assert by_id["why"]["answered"] == 3 and "lights by the gate" not in str(public)

    [event] = await api.outbox(CLOSED, subject=survey["id"])
    assert event["data"]["respondents"] == 3 and event["hub_id"] == NORTH
    assert "res-0" not in str(event) and "lights by the gate" not in str(event)
    assert {q["question_id"]: q["counts"] for q in event["data"]["results"]}["park"] == {"North": 2, "South": 1}


async def test_the_place_standard_template_gives_fourteen_themes_and_a_mean_per_area(api: ParticipationApi) -> None:
    survey = await opened(api, title=None, questions=[], template="place_standard", localities=["Ash", "Elm"])
    assert len(survey["questions"]) == 14 and survey["title"].startswith("Place Standard")
    every = {q["id"]: 4 for q in survey["questions"]}
    assert_problem(await answer(api, survey["id"], "res-1", every), 422)  # which area?
    for by, where, safe in (("res-1", "Ash", 2), ("res-2", "Elm", 6), ("res-3", "Elm", 7)):
        response = await answer(api, survey["id"], by, {**every, "feeling-safe": safe}, locality=where)
        assert response.status_code == 201, response.text
    await api.client.post(f"/v1/surveys/{survey['id']}/close", headers=api.staff())
    results = (await api.client.get(f"/v1/surveys/{survey['id']}/results")).json()
    safe = {q["question_id"]: q for q in results["questions"]}["feeling-safe"]
    assert safe["by_locality"] == {"Ash": 2.0, "Elm": 6.5}
    assert_problem(
        await api.client.post("/v1/surveys", json={"hub_id": NORTH, "template": "nope"}, headers=api.staff()), 422
    )


async def test_who_may_do_what_with_surveys(api: ParticipationApi) -> None:
    body = {"hub_id": NORTH, "title": "Our parks", "questions": QUESTIONS}
    assert_problem(await api.client.post("/v1/surveys", json=body), 401)
    assert_problem(await api.client.post("/v1/surveys", json=body, headers=api.resident()), 403)
    assert_problem(await api.client.post("/v1/surveys", json=body, headers=api.staff(RIVER)), 403)
    bad = {**body, "questions": [{"id": "x", "kind": "single", "text": "?", "options": ["one"]}]}
    assert_problem(await api.client.post("/v1/surveys", json=bad, headers=api.staff()), 422)
    survey = await new_survey(api)
    for action in ("open", "close"):
        path = f"/v1/surveys/{survey['id']}/{action}"
        assert_problem(await api.client.post(path, json={}, headers=api.staff(RIVER)), 403)
    assert_problem(
        await api.client.get(f"/v1/hubs/{NORTH}/surveys", params={"status": "draft"}, headers=api.resident()), 403
    )
    drafts = await api.client.get(f"/v1/hubs/{NORTH}/surveys", params={"status": "draft"}, headers=api.staff())
    assert [s["id"] for s in drafts.json()["items"]] == [survey["id"]]
    assert (await api.client.get(f"/v1/hubs/{NORTH}/surveys")).json()["items"] == []  # drafts are not public
    await api.client.post(f"/v1/surveys/{survey['id']}/open", json={}, headers=api.staff())
    as_staff = await api.client.post(f"/v1/surveys/{survey['id']}/answers", json={"answers": GOOD}, headers=api.staff())
    assert_problem(as_staff, 403)  # residents answer; staff do not
    assert_problem(await api.client.post(f"/v1/surveys/{survey['id']}/answers", json={"answers": GOOD}), 401)


async def test_erasure_unlinks_a_person_s_answers_and_keeps_them_in_the_results(api: ParticipationApi) -> None:
    survey = await opened(api)
    await answer(api, survey["id"], "res-otto", GOOD)
    await answer(api, survey["id"], "res-other", {**GOOD, "park": "South"})
    export = await ask(api, "access", [respondent("res-otto")])
    assert {line["kind"]: line["count"] for line in export["held"]}["survey answers"] == 1
    erased = await ask(api, "erasure", [respondent("res-otto")])
    assert {line["kind"]: line["count"] for line in erased["held"]}["survey answers"] == 1
    stored = await api.db.survey_answers.find({}).to_list()
    assert len(stored) == 2 and "res-otto" not in str(stored)
    results = (await api.client.get(f"/v1/surveys/{survey['id']}/results", headers=api.staff())).json()
    assert {q["question_id"]: q for q in results["questions"]}["park"]["counts"] == {"North": 1, "South": 1}


async def test_the_after_fix_questionnaire_s_answers_make_a_monthly_satisfaction_trend(api: ParticipationApi) -> None:
    handler = api.ctx.components.handlers[IssueFeedbackReceived.event_type]
    when = datetime.now(UTC).replace(day=2)
    for fixed, rating, code in (
        (True, 5, "litter"),
        (True, 3, "litter"),
        (False, None, "litter"),
        (True, 4, "graffiti"),
    ):
        data = IssueFeedbackReceived(
            issue_id=uuid.uuid4().hex[:8],
            hub_id=NORTH,
            service_code=code,
            location={"lat": 53.81, "lon": -1.55},
            fixed=fixed,
            satisfaction=rating,
            received_at=when,
        )
        event = Envelope(
            id=str(uuid.uuid4()),
            source="/hub/issues",
            type=data.event_type,
            time=when,
            subject=data.issue_id,
            data=data,
        )
        await api.ctx.uow.run(lambda tx, event=event: handler(event, tx))
    assert_problem(await api.client.get(f"/v1/hubs/{NORTH}/satisfaction", headers=api.resident()), 403)
    assert_problem(await api.client.get(f"/v1/hubs/{NORTH}/satisfaction", headers=api.staff(RIVER)), 403)
    month = when.strftime("%Y-%m")
    trend = (await api.client.get(f"/v1/hubs/{NORTH}/satisfaction", headers=api.staff())).json()
    litter = next(t for t in trend if t["service_code"] == "litter")
    assert (litter["month"], litter["answered"], litter["fixed"], litter["rated"], litter["mean_rating"]) == (
        month,
        3,
        2,
        2,
        4.0,
    )
    assert litter["ratings"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert "issue_id" not in str(await api.db.satisfaction.find({}).to_list())
    assert_problem(
        await api.client.get(f"/v1/hubs/{NORTH}/satisfaction", params={"since": "2026-13"}, headers=api.staff()), 422
    )
    earlier = (when - timedelta(days=40)).strftime("%Y-%m")
    none = await api.client.get(
        f"/v1/hubs/{NORTH}/satisfaction", params={"since": earlier, "until": earlier}, headers=api.staff()
    )
    assert none.json() == []


async def test_a_survey_past_its_closing_time_is_closed_by_the_worker_with_its_results(api: ParticipationApi) -> None:
    survey = await new_survey(api)
    closes_at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    response = await api.client.post(
        f"/v1/surveys/{survey['id']}/open", json={"closes_at": closes_at}, headers=api.staff()
    )
    assert response.status_code == 200, response.text
    await answer(api, survey["id"], "res-1", GOOD)
    surveys = api.ctx.components.use_cases.surveys
    assert await surveys.close_due() == 0  # not yet
    # The test kit has no clock to move: its closing time is moved into the past where it is stored.
    await api.db.surveys.update_one({"_id": survey["id"]}, {"$set": {"closes_at": datetime.now(UTC)}})
    assert await surveys.close_due() == 1
    assert (await api.client.get(f"/v1/surveys/{survey['id']}")).json()["status"] == "closed"
    [event] = await api.outbox(CLOSED, subject=survey["id"])
    assert event["data"]["respondents"] == 1
    assert await surveys.close_due() == 0  # closed once


PANEL_JOINED, PANEL_LEFT = "hub.participation.panel.joined.v1", "hub.participation.panel.left.v1"


async def test_residents_join_a_hubs_citizens_panel_and_staff_invite_it_to_a_survey(api: ParticipationApi) -> None:
    me = f"/v1/hubs/{NORTH}/panel/me"
    contact = {"contact": {"name": "Ann", "email": "ann@example.org"}}
    first = await api.client.put(me, json=contact, headers=api.resident("res-ann"))
    assert first.status_code == 200 and first.json() == {"hub_id": NORTH, "member": True, "changed": True}
    again = await api.client.put(me, json={}, headers=api.resident("res-ann"))
    assert again.json()["changed"] is False  # joined once: one event, one membership
    await api.client.put(me, json={}, headers=api.resident("res-bob"))
    [joined, _bob] = await api.outbox(PANEL_JOINED)
    assert joined["data"]["person_id"] == "res-ann" and joined["data"]["hub_id"] == NORTH
    assert "ann@example.org" not in str(await api.outbox(PANEL_JOINED))  # the address goes on hub.contacts
    [sent] = await api.outbox("hub.participation.contact.upserted.v1")
    assert sent["topic"] == "hub.contacts" and sent["data"]["email"] == "ann@example.org"
    assert (await api.client.get(me, headers=api.resident("res-ann"))).json()["member"] is True
    assert (await api.client.get(f"/v1/hubs/{NORTH}/panel", headers=api.staff())).json()["members"] == 2

    # Only residents join, only the hub's staff count it, and a hub id must look like one.
    assert_problem(await api.client.put(me, json={}, headers=api.staff()), 403)
    assert_problem(await api.client.put(me, json={}), 401)
    assert_problem(await api.client.get(f"/v1/hubs/{NORTH}/panel", headers=api.staff(RIVER)), 403)
    assert_problem(await api.client.put("/v1/hubs/Not A Hub/panel/me", json={}, headers=api.resident()), 422)

    left = await api.client.delete(me, headers=api.resident("res-bob"))
    assert left.json() == {"hub_id": NORTH, "member": False, "changed": True}
    assert (await api.client.delete(me, headers=api.resident("res-bob"))).json()["changed"] is False
    assert len(await api.outbox(PANEL_LEFT)) == 1

    survey = await new_survey(api)
    invited = await api.client.post(
        f"/v1/surveys/{survey['id']}/open", json={"invite_panel": True}, headers=api.staff()
    )
    assert invited.status_code == 200, invited.text
    [event] = await api.outbox("hub.participation.survey.opened.v1")
    assert event["data"]["panel_invited"] is True

    # Erasure ends the membership (and tells notifications to forget the contact); export lists it.
    exported = await ask(api, "access", ["res-ann"])
    assert {h["kind"]: h["count"] for h in exported["held"]}["citizens' panel memberships"] == 1
    await ask(api, "erasure", ["res-ann"])
    assert (await api.client.get(me, headers=api.resident("res-ann"))).json()["member"] is False
    assert await api.outbox("hub.participation.contact.erased.v1", subject="res-ann")


OPENED = "hub.participation.survey.opened.v1"


async def test_a_repeating_survey_opens_its_next_wave_on_schedule_and_its_waves_are_compared(
    api: ParticipationApi,
) -> None:
    quarterly = {"every_months": 3, "open_days": 21}
    assert_problem(
        await api.client.post(
            "/v1/surveys",
            json={
                "hub_id": NORTH,
                "title": "Ours",
                "questions": QUESTIONS,
                "recurrence": {"every_months": 1, "open_days": 30},
            },
            headers=api.staff(),
        ),
        422,
    )  # would overlap the next wave
    assert_problem(
        await api.client.post(
            "/v1/surveys",
            json={
                "hub_id": NORTH,
                "title": "Ours",
                "questions": QUESTIONS,
                "recurrence": {"every_months": 13, "open_days": 3},
            },
            headers=api.staff(),
        ),
        422,
    )
    assert await api.count("surveys") == 0
    survey = await new_survey(api, recurrence=quarterly)
    assert survey["recurrence"] == {**quarterly, "stopped_at": None} and survey["series_id"] is None
    soon = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert_problem(
        await api.client.post(f"/v1/surveys/{survey['id']}/open", json={"closes_at": soon}, headers=api.staff()), 422
    )
    response = await api.client.post(
        f"/v1/surveys/{survey['id']}/open", json={"invite_panel": True}, headers=api.staff()
    )
    assert response.status_code == 200, response.text
    first = response.json()
    assert first["series_id"] == survey["id"] and first["wave"] == 1 and first["next_wave_at"]
    [event] = await api.outbox(OPENED, subject=survey["id"])
    assert (event["data"]["series_id"], event["data"]["wave"], event["data"]["panel_invited"]) == (
        survey["id"],
        1,
        True,
    )
    for n, safe in enumerate((2, 3)):
        assert (await answer(api, survey["id"], f"res-{n}", {**GOOD, "safe": safe})).status_code == 201

    surveys = api.ctx.components.use_cases.surveys
    assert await surveys.open_due_waves() == 0  # not due
    # As for closing: the test kit's clock is the real one, so the stored schedule is moved to now.
    await api.db.surveys.update_one({"_id": survey["id"]}, {"$set": {"next_wave_at": datetime.now(UTC)}})
    assert await surveys.open_due_waves() == 1  # the open wave is closed first, then the next opens
    assert await surveys.open_due_waves() == 0  # once
    closed = (await api.client.get(f"/v1/surveys/{survey['id']}")).json()
    assert closed["status"] == "closed" and closed["next_wave_at"] is None
    [closed_event] = await api.outbox(CLOSED, subject=survey["id"])
    assert (closed_event["data"]["series_id"], closed_event["data"]["wave"]) == (survey["id"], 1)
    second_id = f"{survey['id']}-w2"
    second = (await api.client.get(f"/v1/surveys/{second_id}")).json()
    assert (second["status"], second["wave"], second["series_id"]) == ("open", 2, survey["id"])
    assert second["questions"] == first["questions"] and second["respondents"] == 0
    [invite] = await api.outbox(OPENED, subject=second_id)
    assert invite["data"]["wave"] == 2 and invite["data"]["panel_invited"] is True  # the panel is asked again

    # Each wave is answered once: the same resident answers the new one.
    assert (await answer(api, second_id, "res-0", {**GOOD, "safe": 5, "park": "South"})).status_code == 201
    assert_problem(await answer(api, second_id, "res-0", GOOD), 409)
    assert_problem(await answer(api, survey["id"], "res-9", GOOD), 409)  # the old wave is closed

    public = (await api.client.get(f"/v1/surveys/{second_id}/waves")).json()
    assert [w["wave"] for w in public["waves"]] == [1]  # the open wave's figures wait for its close
    staff = (await api.client.get(f"/v1/surveys/{second_id}/waves", headers=api.staff())).json()
    assert [(w["wave"], w["respondents"]) for w in staff["waves"]] == [(1, 2), (2, 1)]
    by_id = {q["question_id"]: q for q in staff["questions"]}
    assert set(by_id) == {"park", "safe"}
    assert [f["mean"] for f in by_id["safe"]["waves"]] == [2.5, 5.0] and by_id["safe"]["change"] == 2.5
    assert [f["shares"]["North"] for f in by_id["park"]["waves"]] == [100.0, 0.0]
    assert "res-0" not in str(staff)

    # Stopping: the hub's staff, on the latest wave, with the version they saw.
    path = f"/v1/surveys/{second_id}/stop-repeating"
    assert_problem(await api.client.post(path, headers=api.staff(RIVER)), 403)
    assert_problem(await api.client.post(path, headers=api.resident()), 403)
    assert_problem(await api.client.post(f"/v1/surveys/{survey['id']}/stop-repeating", headers=api.staff()), 409)
    assert_problem(await api.client.post(path, headers={**api.staff(), "If-Match": '"v1"'}), 412)
    etag = (await api.client.get(path.replace("/stop-repeating", ""))).headers["ETag"]
    stopped = await api.client.post(path, headers={**api.staff(), "If-Match": etag})
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["next_wave_at"] is None and stopped.json()["recurrence"]["stopped_at"]
    assert_problem(await api.client.post(path, headers=api.staff()), 409)
    await api.db.surveys.update_many({}, {"$set": {"closes_at": datetime.now(UTC)}})
    assert await surveys.close_due() == 1
    assert await surveys.open_due_waves() == 0  # stopped: no third wave
    assert await api.count("surveys") == 2


async def test_a_repeating_draft_can_stop_repeating_by_edit_and_a_one_off_survey_has_one_wave(
    api: ParticipationApi,
) -> None:
    survey = await new_survey(api, recurrence={"every_months": 1, "open_days": 7})
    edited = await api.client.patch(f"/v1/surveys/{survey['id']}", json={"recurrence": None}, headers=api.staff())
    assert edited.status_code == 200 and edited.json()["recurrence"] is None
    assert_problem(await api.client.post(f"/v1/surveys/{survey['id']}/stop-repeating", headers=api.staff()), 409)
    assert_problem(await api.client.get(f"/v1/surveys/{survey['id']}/waves"), 404)  # a draft is not public
    once = await opened(api)
    await api.client.post(f"/v1/surveys/{once['id']}/close", headers=api.staff())
    waves = (await api.client.get(f"/v1/surveys/{once['id']}/waves")).json()
    assert waves["series_id"] == once["id"] and [w["wave"] for w in waves["waves"]] == [1]
    [event] = await api.outbox(OPENED, subject=once["id"])
    assert event["data"]["series_id"] is None and event["data"]["wave"] is None
